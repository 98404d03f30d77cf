package policies

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/espreflight/espreflight/probe"
	"github.com/open-policy-agent/opa/v1/rego"
)

const customDir = "../testdata/policies"

func TestCustomPolicyValid(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(customDir, "valid")
	e, err := New(ctx, Options{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := e.Rule("TEAM-001")
	if !ok {
		t.Fatal("TEAM-001 not in the catalogue")
	}
	if !r.Custom || r.Severity != SeverityError || r.Package != "espreflight.custom.team" || r.HelpURI == "" || r.Remediation == "" || r.Title == "" {
		t.Errorf("catalogue entry %+v", r)
	}
	if _, ok := e.Rule("SYS-001"); !ok {
		t.Error("built-in rules must stay in the catalogue next to user rules")
	}

	// Its Rego tests run with the built-in ones.
	rep, err := Test(ctx, Options{PolicyDirs: []string{dir}}, "")
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, tr := range rep.Results {
		if strings.HasPrefix(tr.Package, "data.espreflight.custom.") {
			ran++
			if tr.Fail || tr.Error != nil {
				t.Errorf("%s.%s failed: %v", tr.Package, tr.Name, tr.Error)
			}
		}
	}
	if ran != 3 {
		t.Errorf("%d user Rego tests ran, want 3", ran)
	}

	// And it fires on a plan, with a location and evidence.
	f := &probe.Facts{Schema: probe.FactsSchema, Plan: &probe.Plan{Version: 1, Name: "p", File: "plans/p.yaml", Method: "reindex", Mode: "full",
		Indices: []string{"logs-*", "orders-*"}, Lines: map[string]int{"indices": 4, "indices[0]": 4, "indices[1]": 5, "method": 3}, VolumeBytes: -1}}
	res, err := e.Evaluate(ctx, f, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var got []Finding
	for _, fd := range res.Findings {
		if fd.Rule == "TEAM-001" {
			got = append(got, fd)
		}
	}
	if len(got) != 1 {
		t.Fatalf("TEAM-001 findings: %+v", got)
	}
	if got[0].Location.Line != 5 || got[0].Cluster != "source" || len(got[0].Evidence) != 2 || !strings.Contains(got[0].Message, "orders-*") {
		t.Errorf("finding %+v", got[0])
	}
}

// Each broken user policy fails with an error that names the file (and line)
// and says what to do.
func TestCustomPolicyErrors(t *testing.T) {
	for _, c := range []struct {
		dir  string
		want []string
	}{
		{"http_send", []string{"http_send/fetch.rego:9:", "http.send is not allowed", "sandbox without network"}},
		{"duplicate_id", []string{"duplicate_id/dup.rego:8:", "duplicate rule id SYS-001", "built-in rule at builtin/rules/sys.rego:", "its own id"}},
		{"boolean_deny", []string{"boolean_deny/flag.rego:8:", "deny must be a set rule", "`deny contains finding if { ... }`"}},
		{"missing_id", []string{"missing_id/noid.rego:7:", "no custom.id", "id: TEAM-001"}},
		{"missing_severity", []string{"missing_severity/nosev.rego:7:", "NOSEV-001", "no custom.severity", "severity: error"}},
		{"wrong_package", []string{"wrong_package/team.rego", "package team.migrations", "under espreflight.custom", "package espreflight.custom.myteam"}},
	} {
		t.Run(c.dir, func(t *testing.T) {
			e, err := New(context.Background(), Options{PolicyDirs: []string{filepath.Join(customDir, c.dir)}})
			if err == nil {
				t.Fatalf("loaded %d rules, want an error", len(e.Rules()))
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\n  lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "goroutine") || strings.Contains(msg, "panic") {
				t.Errorf("error looks like a crash: %s", msg)
			}
		})
	}
}

// TestUserPoliciesNegateLikeBuiltins: a user module gets the engine's `not`
// semantics without importing future.keywords.not, like the built-in ones: a
// negated expression whose operand is undefined holds (with the classic
// semantics the rule below would be undefined), and a `not { ... }` body parses.
func TestUserPoliciesNegateLikeBuiltins(t *testing.T) {
	dir := t.TempDir()
	src := "package espreflight.custom.neg\n\nholds if not count(input.missing) == 1\n\nbody if not {\n\tinput.x == 1\n\tinput.y == 2\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "neg.rego"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	mods, err := LoadModules(Options{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compile(mods)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rego.New(rego.Query("[data.espreflight.custom.neg.holds, data.espreflight.custom.neg.body]"), rego.Compiler(c), rego.Input(map[string]any{"x": 1})).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || fmt.Sprint(rs[0].Expressions[0].Value) != "[true true]" {
		t.Fatalf("got %v, want [true true]", rs)
	}
}
