package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostilePlan writes a plan whose source is endpoint and whose destination
// is declared.
func hostilePlan(t *testing.T, endpoint string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.yaml")
	plan := "version: 1\nmethod: snapshot\nindices: [\"*\"]\nsource: {kind: self-managed, endpoint: \"" + endpoint + "\"}\ndestination: {kind: alibaba, version: \"7.10\"}\n"
	if err := os.WriteFile(path, []byte(plan), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAnsweredButUndecidable: a cluster that answers every request with an
// error after the headers (401, 503, a login page) gives facts that decide
// nothing; probe exited 0 and check 1 (rules could not verify). Both now
// exit 3 and say why, and the facts are still written. So does a cluster
// that answers GET / and nothing else.
func TestAnsweredButUndecidable(t *testing.T) {
	cases := map[string]struct {
		handler http.HandlerFunc
		why     string
	}{
		"401": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":{"type":"security_exception","reason":"missing authentication credentials"},"status":401}`)
		}, "HTTP 401 (authentication failed: check the credentials): security_exception"},
		"503": {func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":"busy"}`, http.StatusServiceUnavailable)
		}, "HTTP 503 Service Unavailable"},
		"only GET /": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path == "/" {
				fmt.Fprint(w, `{"cluster_name":"c","version":{"number":"7.17.0"},"tagline":"You Know, for Search"}`)
				return
			}
			w.WriteHeader(403)
			fmt.Fprint(w, `{"error":{"type":"security_exception","reason":"no permissions"},"status":403}`)
		}, "HTTP 403 (forbidden"},
		"login page": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>sign in</html>")
		}, `HTTP 200 with content type "text/html", not JSON`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			plan := hostilePlan(t, srv.URL)
			out := filepath.Join(t.TempDir(), "facts.json")
			code, _, stderr := espreflight(t, "probe", "--plan", plan, "-o", out, "--timeout", "5s", "--deadline", "20s")
			if code != exitUnreachable || !strings.Contains(stderr, "the source answered, but nothing about it could be collected") || !strings.Contains(stderr, c.why) {
				t.Errorf("probe: exit %d, stderr:\n%s", code, stderr)
			}
			if _, err := os.Stat(out); err != nil {
				t.Errorf("probe wrote no facts: %v", err)
			}
			code, _, stderr = espreflight(t, "check", "--plan", plan, "--timeout", "5s", "--deadline", "20s")
			if code != exitUnreachable || !strings.Contains(stderr, "the source answered, but nothing about it could be collected") {
				t.Errorf("check: exit %d, stderr:\n%s", code, stderr)
			}
		})
	}
}

// TestZeroTimeoutRefused: --timeout 0 and --deadline 0 silently meant the
// defaults; they are usage errors, from the command line or the environment.
func TestZeroTimeoutRefused(t *testing.T) {
	plan := hostilePlan(t, "http://127.0.0.1:9")
	for _, args := range [][]string{
		{"probe", "--plan", plan, "--timeout", "0"},
		{"probe", "--plan", plan, "--deadline", "0s"},
		{"check", "--plan", plan, "--timeout", "-1s"},
	} {
		code, _, stderr := espreflight(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "must be more than 0") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	t.Setenv("ESPREFLIGHT_DEADLINE", "0")
	if code, _, stderr := espreflight(t, "probe", "--plan", plan); code != exitUsage || !strings.Contains(stderr, "--deadline 0s: must be more than 0") {
		t.Errorf("ESPREFLIGHT_DEADLINE=0: exit %d, stderr %q", code, stderr)
	}
}

// TestStderrSpellsOutHiddenCharacters: progress lines and errors quote what
// a cluster said; an escape sequence in an error reason reached the terminal
// raw.
func TestStderrSpellsOutHiddenCharacters(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/" {
			fmt.Fprint(w, `{"cluster_name":"c","version":{"number":"7.17.0"},"tagline":"You Know, for Search"}`)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":{"type":"security_exception","reason":"no \u001b[2J\u001b]0;pwned\u0007 \u202eright"},"status":403}`)
	}))
	defer srv.Close()
	_, _, stderr := espreflight(t, "probe", "--plan", hostilePlan(t, srv.URL), "-o", filepath.Join(t.TempDir(), "f.json"), "--progress")
	if strings.ContainsAny(stderr, "\x1b\x07\u202e") || !strings.Contains(stderr, `no \u001b[2J\u001b]0;pwned\u0007 \u202eright`) {
		t.Errorf("stderr:\n%q", stderr)
	}
}

// TestAllowEndpointFromCI: the allow-list comes from the command line or
// the CI's environment, never from the plan; a plan pointing elsewhere is a
// usage error (exit 2) and nothing is contacted.
func TestAllowEndpointFromCI(t *testing.T) {
	hits := 0
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer evil.Close()
	plan := hostilePlan(t, evil.URL)
	code, _, stderr := espreflight(t, "check", "--plan", plan, "--allow-endpoint", "https://es.example.com:9200")
	if code != exitUsage || !strings.Contains(stderr, "is not one the probe may contact (--allow-endpoint: https://es.example.com:9200)") {
		t.Errorf("flag: exit %d, stderr %q", code, stderr)
	}
	t.Setenv("ESPREFLIGHT_ALLOW_ENDPOINT", "https://a.example.com,https://b.example.com:9243")
	t.Setenv("ESPREFLIGHT_ALLOW_CREDENTIAL", "ES_PASSWORD")
	code, _, stderr = espreflight(t, "probe", "--plan", plan)
	if code != exitUsage || !strings.Contains(stderr, "https://a.example.com, https://b.example.com:9243") {
		t.Errorf("environment: exit %d, stderr %q", code, stderr)
	}
	if hits != 0 {
		t.Errorf("%d requests reached the plan's endpoint", hits)
	}
	if code, _, stderr := espreflight(t, "probe", "--plan", plan, "--allow-endpoint", "es.example.com"); code != exitUsage || !strings.Contains(stderr, "write a URL") {
		t.Errorf("bad URL: exit %d, stderr %q", code, stderr)
	}
}
