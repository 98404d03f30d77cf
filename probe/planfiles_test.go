package probe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanFilePathsResolved: every relative *_file path of a plan file is
// read from the plan's folder, whatever the working folder; absolute ones
// stay as they are.
func TestPlanFilePathsResolved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "deploy")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(t.TempDir(), "abs-ca.pem")
	plan := filepath.Join(dir, "plan.yaml")
	os.WriteFile(plan, []byte(`version: 1
method: snapshot
indices: ["*"]
source:
  kind: self-managed
  endpoint: https://src:9200
  tls: {ca_file: certs/ca.pem}
  auth: {username_file: secrets/user, password_file: secrets/pw}
destination:
  kind: alibaba
  endpoint: https://dst:9200
  tls: {ca_file: `+abs+`}
  auth: {api_key_file: key}
`), 0o644)
	p, err := LoadPlan(plan)
	if err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{
		p.Source.TLS.CAFile:            filepath.Join(dir, "certs", "ca.pem"),
		p.Source.Auth.UsernameFile:     filepath.Join(dir, "secrets", "user"),
		p.Source.Auth.PasswordFile:     filepath.Join(dir, "secrets", "pw"),
		p.Destination.Auth.APIKeyFile:  filepath.Join(dir, "key"),
		p.Destination.TLS.CAFile + "!": abs + "!",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// TestPlanFilePathsFromStdin: a plan without a folder (standard input)
// keeps its paths relative to the working folder.
func TestPlanFilePathsFromStdin(t *testing.T) {
	p, err := ReadPlan("stdin", strings.NewReader("version: 1\nmethod: snapshot\nindices: [\"*\"]\nsource: {kind: self-managed, endpoint: \"https://s:9200\", tls: {ca_file: ca.pem}}\ndestination: {kind: alibaba, version: \"7.10.0\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Source.TLS.CAFile != "ca.pem" {
		t.Errorf("ca_file %q, want ca.pem", p.Source.TLS.CAFile)
	}
}

// TestSizeOverflow: a size that does not fit a byte count is an error, in
// ParseSize and at its plan line, not a wrapped number.
func TestSizeOverflow(t *testing.T) {
	for _, s := range []string{"8192pb", "9223372036854775808", "99999999999999999999tb", "1e30"} {
		if b, err := ParseSize(s); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", s, b)
		}
	}
	if b, err := ParseSize("8191pb"); err != nil || b != 8191<<50 {
		t.Errorf("ParseSize(8191pb) = %d, %v", b, err)
	}
	_, err := ParsePlan("p.yaml", []byte("version: 1\nmethod: reindex\nindices: [\"*\"]\nsource: {kind: self-managed, version: \"7.10.2\"}\ndestination: {kind: alibaba, version: \"7.10.0\"}\nlimits:\n  reindex_max_volume: 100000pb\n"))
	if err == nil || !strings.Contains(err.Error(), `p.yaml:7: limits.reindex_max_volume: "100000pb" is too large`) {
		t.Errorf("plan error %v", err)
	}
}
