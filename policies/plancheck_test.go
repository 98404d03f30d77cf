package policies

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/probe"
)

// TestCheckRuleIDs: an --only/--skip id that names no rule, or one given to
// both, is an error (with a did-you-mean) before anything runs.
func TestCheckRuleIDs(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		only, skip []string
		want       string
	}{
		{[]string{"SYS-01"}, nil, `--only SYS-01: no such rule (did you mean "SYS-001"?)`},
		{nil, []string{"VER-099"}, `--skip VER-099: no such rule`},
		{[]string{"SYS-001", "VER-003"}, []string{"VER-003"}, "VER-003 is given to both --only and --skip; keep one"},
	} {
		if err := e.CheckRuleIDs(c.only, c.skip); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("only %v skip %v: %v, want %q", c.only, c.skip, err, c.want)
		}
	}
	if err := e.CheckRuleIDs([]string{"SYS-001"}, []string{"VER-003"}); err != nil {
		t.Errorf("valid ids: %v", err)
	}
}

func waiverYAMLPlan(t *testing.T, method, rule string) *probe.Plan {
	t.Helper()
	p, err := probe.ParsePlan("plan.yaml", []byte("version: 1\nmethod: "+method+"\nindices: [\"orders-*\"]\nsource: {kind: self-managed, version: \"7.10.2\"}\ndestination: {kind: alibaba, version: \"7.10.0\"}\nwaivers:\n  - rule: "+rule+"\n    reason: accepted\n    expires: 2027-01-31\n"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCheckPlanWaivers: a waiver for a rule that does not exist, or that
// does not apply to the plan's method, is a plan error at its line.
func TestCheckPlanWaivers(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, rule, want string }{
		{"snapshot", "SYS-01", `plan.yaml:7: waivers[0].rule: "SYS-01" is no rule (did you mean "SYS-001"?)`},
		{"snapshot", "TEAM-001", `"TEAM-001" is no rule`},
		{"snapshot", "LS-001", "plan.yaml:7: waivers[0].rule: LS-001 applies to logstash plans only, and this plan's method is snapshot"},
	} {
		err := e.CheckPlan(waiverYAMLPlan(t, c.method, c.rule))
		var pe probe.PlanErrors
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("waiver for %s: %v, want a plan error %q", c.rule, err, c.want)
		}
	}
}

// TestCheckPlanWaiversQuiet: waivers of existing, applicable rules pass,
// user rules included when their folder is loaded.
func TestCheckPlanWaiversQuiet(t *testing.T) {
	e, err := New(context.Background(), Options{PolicyDirs: []string{filepath.Join(customDir, "valid")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, rule string }{{"snapshot", "SYS-001"}, {"logstash", "LS-001"}, {"reindex", "TEAM-001"}} {
		if err := e.CheckPlan(waiverYAMLPlan(t, c.method, c.rule)); err != nil {
			t.Errorf("waiver for %s on a %s plan: %v", c.rule, c.method, err)
		}
	}
}
