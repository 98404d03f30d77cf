package main

import (
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/probe"
)

// A cluster given by URL with a private CA (as Elasticsearch 8 sets up by
// default) is probed once --ca-file names the CA; without it the facts say
// why, and point at the flag.
func TestProbeURLWithCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(recordedHandler(t, "elasticsearch-8.19.21"))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	ca := filepath.Join(dir, "http_ca.crt")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(dir, "untrusted.json")
	code, _, stderr := espreflight(t, "probe", "-q", "--source", srv.URL, "-o", out)
	if code != exitUnreachable {
		t.Fatalf("without --ca-file: exit %d, want 3; stderr %s", code, stderr)
	}
	f, err := probe.LoadFacts(out)
	if err != nil {
		t.Fatal(err)
	}
	if c := f.Clusters.Source; c.Version != nil || !strings.Contains(unknownReason(c, "version"), "--ca-file") {
		t.Errorf("untrusted CA: version %+v, reason %q", c.Version, unknownReason(c, "version"))
	}

	out = filepath.Join(dir, "trusted.json")
	code, _, stderr = espreflight(t, "probe", "-q", "--source", srv.URL, "--ca-file", ca, "-o", out)
	if code != exitOK {
		t.Fatalf("with --ca-file: exit %d; stderr %s", code, stderr)
	}
	if f, err = probe.LoadFacts(out); err != nil {
		t.Fatal(err)
	}
	// The recorded node has no deprecation info API (X-Pack): that fact alone is unknown.
	if c := f.Clusters.Source; c.Version == nil || c.Version.Number != "8.19.21" || len(c.Unknown) != 1 || c.Unknown[0].Fact != "deprecations" {
		t.Errorf("trusted CA: version %+v, unknown %+v", c.Version, c.Unknown)
	}

	if code, _, stderr := espreflight(t, "probe", "--plan", testdata("examples", "arch-conflict.yaml"), "--ca-file", ca); code != exitUsage || !strings.Contains(stderr, "per cluster") {
		t.Errorf("--ca-file with --plan: exit %d, stderr %q", code, stderr)
	}
}

func unknownReason(c *probe.ClusterFacts, fact string) string {
	for _, u := range c.Unknown {
		if u.Fact == fact {
			return u.Error
		}
	}
	return ""
}

// TestPlanCAFileBesideThePlan: a plan's relative tls.ca_file is read from
// the plan's folder, not from the working folder.
func TestPlanCAFileBesideThePlan(t *testing.T) {
	srv := httptest.NewTLSServer(recordedHandler(t, "elasticsearch-8.19.21"))
	t.Cleanup(srv.Close)
	dir := filepath.Join(t.TempDir(), "deploy")
	if err := os.MkdirAll(filepath.Join(dir, "certs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "certs", "http_ca.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(dir, "plan.yaml")
	os.WriteFile(plan, []byte("version: 1\nmethod: snapshot\nindices: [\"*\"]\nsource: {kind: self-managed, endpoint: \""+srv.URL+"\", tls: {ca_file: certs/http_ca.crt}}\ndestination: {kind: alibaba, version: \"8.15.1\"}\n"), 0o644)
	out := filepath.Join(t.TempDir(), "facts.json")
	// The working folder (this package) has no certs/http_ca.crt.
	code, _, stderr := espreflight(t, "probe", "-q", "--plan", plan, "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	f, err := probe.LoadFacts(out)
	if err != nil {
		t.Fatal(err)
	}
	if c := f.Clusters.Source; c.Version == nil || c.Version.Number != "8.19.21" {
		t.Errorf("source version %+v, unknown %+v", c.Version, c.Unknown)
	}
}
