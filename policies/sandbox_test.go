package policies

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// builtinsGolden lists every builtin a policy may call, one a line.
const builtinsGolden = "testdata/builtins.txt"

// TestSandboxBuiltins pins the builtins of the sandbox. When an OPA upgrade
// adds one, this fails until it is reviewed: does it read the clock, a
// random source, the network, the environment or files, or can one call
// take unbounded memory? Then it goes into clockBuiltins or sandboxRemoved
// (engine.go); otherwise `go test ./policies -run TestSandboxBuiltins
// -update` adds it to the list.
//
// Reviewed for OPA v1.22.3: the time.* builtins take a time (no clock) but
// accept the zone "Local", the machine's TZ; the rules use UTC, and
// docs/security.md says so for user policies. numbers.range,
// numbers.range_step and graph.reachable_paths can take unbounded time and
// memory: the evaluation deadline and memory guard bound them.
func TestSandboxBuiltins(t *testing.T) {
	var got []string
	for _, b := range Capabilities().Builtins {
		got = append(got, b.Name)
	}
	slices.Sort(got)
	got = slices.Compact(got)
	if *updateDocs {
		if err := os.MkdirAll(filepath.Dir(builtinsGolden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(builtinsGolden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(builtinsGolden)
	if err != nil {
		t.Fatalf("%v (create it with -update after reviewing every builtin)", err)
	}
	want := strings.Fields(string(b))
	for _, name := range got {
		if !slices.Contains(want, name) {
			t.Errorf("builtin %s is new in the sandbox (an OPA upgrade?): review whether it reads the clock, randomness, the network, the environment or files, or can take unbounded memory; "+
				"then remove it in Capabilities (engine.go) or add it to %s with -update", name, builtinsGolden)
		}
	}
	for _, name := range want {
		if !slices.Contains(got, name) {
			t.Errorf("builtin %s is listed in %s but no longer in the sandbox: rerun with -update if that is intended", name, builtinsGolden)
		}
	}
	for _, name := range []string{"time.now_ns", "http.send", "rand.intn", "io.jwt.decode_verify", "opa.runtime",
		"crypto.x509.parse_and_verify_certificates", "crypto.x509.parse_and_verify_certificates_with_options"} {
		if slices.Contains(got, name) {
			t.Errorf("%s reads the clock, randomness, the network or the environment and must not be in the sandbox", name)
		}
	}
}

// TestClockBuiltinRejected: a user policy that verifies certificates (which
// reads the wall clock, ignoring --now) does not compile, and the error says
// why.
func TestClockBuiltinRejected(t *testing.T) {
	dir := t.TempDir()
	src := `package espreflight.custom.certs

import rego.v1

# METADATA
# title: Certificates are valid
# custom:
#   id: CERT-001
#   severity: error
deny contains f if {
	[ok, _] := crypto.x509.parse_and_verify_certificates(input.plan.name)
	not ok
	f := {"rule": "CERT-001", "msg": "invalid"}
}
`
	if err := os.WriteFile(filepath.Join(dir, "certs.rego"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := New(context.Background(), Options{PolicyDirs: []string{dir}})
	if err == nil || !strings.Contains(err.Error(), "crypto.x509.parse_and_verify_certificates is not allowed") {
		t.Fatalf("err = %v", err)
	}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if clockBuiltins[b.Name] && b.Nondeterministic {
			t.Logf("%s is now marked non-deterministic by OPA; its entry in clockBuiltins may go", b.Name)
		}
	}
}
