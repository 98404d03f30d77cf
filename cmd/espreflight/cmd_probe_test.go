package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/probe"
)

// recordedServer serves one real-node recording (method + path; the probe's
// own tests check the query strings).
func recordedServer(t *testing.T, name string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(recordedHandler(t, name))
	t.Cleanup(srv.Close)
	return srv
}

// recordedHandler serves a real recording (testdata/responses/NAME).
func recordedHandler(t *testing.T, name string) http.Handler {
	t.Helper()
	dir := testdata("responses", name)
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatalf("recording %s is committed: %v", name, err)
	}
	var raw struct {
		Exchanges []map[string]any `json:"exchanges"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, e := range raw.Exchanges {
			if e["path"] != r.URL.Path || !sameParams(fmt.Sprint(e["query"]), r.URL.RawQuery) {
				continue
			}
			body, _ := os.ReadFile(filepath.Join(dir, fmt.Sprint(e["body_file"])))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(int(e["status"].(float64)))
			w.Write(body)
			return
		}
		t.Errorf("unrecorded request %s", r.URL.RequestURI())
		http.Error(w, `{"error":"unrecorded"}`, 400)
	})
}

func sameParams(a, b string) bool {
	pa, pb := strings.Split(a, "&"), strings.Split(b, "&")
	if len(pa) != len(pb) {
		return false
	}
	set := map[string]int{}
	for _, p := range pa {
		set[p]++
	}
	for _, p := range pb {
		p = strings.NewReplacer("%2A", "*", "%2C", ",").Replace(p)
		if set[p] == 0 {
			return false
		}
		set[p]--
	}
	return true
}

func TestProbeCommand(t *testing.T) {
	srv := recordedServer(t, "elasticsearch-7.10.2")
	out := filepath.Join(t.TempDir(), "facts.json")

	code, stdout, stderr := espreflight(t, "probe", "--source", srv.URL, "-o", out, "--timeout", "5s", "--deadline", "20s")
	if code != exitOK || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	f, err := probe.LoadFacts(out)
	if err != nil {
		t.Fatal(err)
	}
	// The recorded node has no deprecation info API (X-Pack): that fact alone is unknown.
	if c := f.Clusters.Source; c.Version == nil || c.Version.Number != "7.10.2" || len(c.Indices) == 0 || len(c.Unknown) != 1 || c.Unknown[0].Fact != "deprecations" {
		t.Errorf("source facts: %+v", c)
	}

	// An unreachable cluster: exit 3, the facts are still written.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	code, _, stderr = espreflight(t, "probe", "--source", srv.URL, "--destination", dead, "-o", out, "--progress")
	if code != exitUnreachable || !strings.Contains(stderr, "could not reach the destination") || !strings.Contains(stderr, "cannot reach") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if f, err := probe.LoadFacts(out); err != nil || f.Runner.Reachable["destination"] || !f.Runner.Reachable["source"] {
		t.Errorf("facts after an unreachable destination: %v %+v", err, f)
	}

	// Usage and configuration errors: exit 2.
	plan := filepath.Join(t.TempDir(), "plan.yaml")
	os.WriteFile(plan, []byte(fmt.Sprintf(`version: 1
name: t
method: reindex
indices: ["*"]
source:
  kind: self-managed
  endpoint: %s
  auth: {username: elastic, password_env: ESPF_TEST_NO_SUCH_VAR}
destination:
  kind: self-managed
  version: 7.10.2
`, srv.URL)), 0o600)
	for _, args := range [][]string{
		{"probe"},
		{"probe", "--plan", plan, "--source", srv.URL},
		{"probe", "--source", srv.URL, "--max-response-size", "lots"},
		{"probe", "--plan", plan},
	} {
		if code, _, stderr := espreflight(t, args...); code != exitUsage || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	if _, _, stderr := espreflight(t, "probe", "--plan", plan); !strings.Contains(stderr, "ESPF_TEST_NO_SUCH_VAR") {
		t.Errorf("config error does not name the variable: %q", stderr)
	}
}

// TestCheckOverriddenVersionIsUnknown: end to end on the real recordings, a
// destination that is OpenSearch answering 7.10.2 on GET /
// (compatibility.override_main_response_version) and refusing its nodes
// request makes VER-003 report that it could not verify because the real
// version is unknown, never "the destination runs opensearch 7.10.2".
func TestCheckOverriddenVersionIsUnknown(t *testing.T) {
	src := recordedServer(t, "elasticsearch-7.10.2")
	rec := recordedHandler(t, "opensearch-1.3.14")
	dst := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"name":"os-1.3","cluster_name":"espf-os-1.3","cluster_uuid":"upRhabJkSpG00MVgb3iYug","version":{"number":"7.10.2","build_type":"unknown","build_hash":"21940d8239b50285ef7f98a1762ef281a5b1c7ee","build_date":"2023-12-08T22:13:08.793451Z","build_snapshot":false,"lucene_version":"8.10.1","minimum_wire_compatibility_version":"6.8.0","minimum_index_compatibility_version":"6.0.0-beta1"},"tagline":"The OpenSearch Project: https://opensearch.org/"}`)
		case "/_nodes/plugins":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"error":{"type":"security_exception","reason":"no permissions for [cluster:monitor/nodes/info]"},"status":403}`)
		default:
			rec.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(dst.Close)
	plan := filepath.Join(t.TempDir(), "plan.yaml")
	os.WriteFile(plan, []byte("version: 1\nmethod: snapshot\nindices: [\"orders-*\"]\nsource: {kind: self-managed, endpoint: \""+src.URL+"\"}\ndestination: {kind: third-party, provider: aws-opensearch, endpoint: \""+dst.URL+"\"}\n"), 0o644)
	code, stdout, stderr := espreflight(t, "check", "--plan", plan, "--format", "json", "--now", "2026-11-26", "--timeout", "5s", "--deadline", "20s")
	if code != exitFindings {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	if strings.Contains(stdout, "opensearch 7.10.2") {
		t.Errorf("a finding judges the compatibility number as a release:\n%s", stdout)
	}
	var doc struct {
		Findings []struct {
			Rule, Message string
			Unverified    bool
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range doc.Findings {
		if f.Rule == "VER-003" {
			found = true
			if !f.Unverified || !strings.Contains(f.Message, "could not verify") || !strings.Contains(f.Message, "the real version is unknown") {
				t.Errorf("VER-003: unverified %v, %q", f.Unverified, f.Message)
			}
		}
	}
	if !found {
		t.Errorf("no VER-003 finding:\n%s", stdout)
	}
}
