package policies

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/espreflight/espreflight/probe"
)

// methodPlan is a minimal plan of one method, with nothing probed.
func methodPlan(method string) *probe.Facts {
	p := &probe.Plan{Version: 1, Name: "m", File: "m.yaml", Method: method, Mode: "full", Indices: []string{"orders-*"},
		Lines: map[string]int{}, VolumeBytes: -1, Limits: &probe.Limits{DumpMaxIndices: 20},
		Source:      &probe.ClusterSpec{Kind: "self-managed", Version: "7.10.2", Product: "elasticsearch", AuthKind: "none"},
		Destination: &probe.ClusterSpec{Kind: "alibaba", Version: "7.10.0", Product: "elasticsearch", AuthKind: "none"}}
	return probe.FromPlan(p, "test", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
}

// TestNotApplicableRule: a rule whose custom.methods does not name the
// plan's method is not applicable: no finding (even one it builds by hand),
// counted as not applicable, never as passed.
func TestNotApplicableRule(t *testing.T) {
	e, err := New(context.Background(), Options{PolicyDirs: []string{filepath.Join(customDir, "methods")}})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := e.Rule("LS-001"); !slices.Equal(r.Methods, []string{"logstash"}) {
		t.Fatalf("LS-001 methods = %v, want [logstash]", r.Methods)
	}
	res, err := e.Evaluate(context.Background(), methodPlan("snapshot"), time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if r, _ := e.Rule(f.Rule); !r.AppliesTo("snapshot") {
			t.Errorf("finding of %s, which does not apply to snapshot: %s", f.Rule, f.Message)
		}
	}
	var na []string
	for _, r := range res.NotApplicable() {
		na = append(na, r.ID)
	}
	for _, id := range []string{"LS-001", "LS-002", "LS-003", "VER-007", "RX-001", "ARCH-001", "DUMP-001", "METH-001", "METH-002"} {
		if !slices.Contains(na, id) {
			t.Errorf("%s not reported not applicable to a snapshot plan (not applicable: %v)", id, na)
		}
	}
	s := res.Summary
	if s.NotApplicable != len(na) || s.Passed+s.Failed+s.Warnings+s.Waived+s.NotApplicable != s.Rules {
		t.Errorf("summary %+v does not add up with %d not applicable", s, len(na))
	}
}

// TestNotApplicableRuleAppliesToItsMethod: the same rules apply, and fire,
// on a plan of their own method.
func TestNotApplicableRuleAppliesToItsMethod(t *testing.T) {
	e, err := New(context.Background(), Options{PolicyDirs: []string{filepath.Join(customDir, "methods")}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Evaluate(context.Background(), methodPlan("logstash"), time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	fired := map[string]bool{}
	for _, f := range res.Findings {
		fired[f.Rule] = true
	}
	if !fired["METH-001"] || !fired["METH-002"] {
		t.Errorf("METH-001/METH-002 did not fire on a logstash plan: %v", fired)
	}
	for _, r := range res.NotApplicable() {
		if r.ID == "LS-001" || r.ID == "VER-007" || r.ID == "METH-001" {
			t.Errorf("%s reported not applicable to a logstash plan", r.ID)
		}
	}
}

func TestRuleMethodsMustBePlanMethods(t *testing.T) {
	_, err := New(context.Background(), Options{PolicyDirs: []string{filepath.Join(customDir, "bad_methods")}})
	if err == nil {
		t.Fatal("a rule with custom.methods [snapshot, rsync] loaded")
	}
	for _, w := range []string{"bad_methods/m.rego:14:", "BADM-001", "custom.methods: rsync is not a plan method", "snapshot, logstash"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}
