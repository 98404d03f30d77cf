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

var unverifiedNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// exampleWith loads an example plan with its facts and lets change edit the facts.
func exampleWith(t *testing.T, plan, facts string, change func(*probe.Facts)) *Result {
	t.Helper()
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "testdata", "examples")
	p, err := probe.LoadPlan(filepath.Join(dir, plan))
	if err != nil {
		t.Fatal(err)
	}
	f, err := probe.LoadFacts(filepath.Join(dir, facts))
	if err != nil {
		t.Fatal(err)
	}
	f.ApplyPlan(p)
	if change != nil {
		change(f)
	}
	res, err := e.Evaluate(context.Background(), f, unverifiedNow)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// unreachable makes a cluster of the facts unreachable, as the probe records it.
func unreachable(role string) func(*probe.Facts) {
	return func(f *probe.Facts) {
		no := false
		c := &probe.ClusterFacts{Endpoint: f.Clusters.ByRole(role).Endpoint, Reachable: &no, Sources: map[string]string{}}
		for _, fact := range probe.ProbedFacts {
			c.MarkUnknown(fact, "GET /", "cluster not reachable from this machine: dial tcp 10.0.0.9:9200: connect: connection refused")
		}
		f.Clusters.Set(role, c)
		f.Runner.Reachable[role] = false
	}
}

// TestUnverifiedRemediationGetsTheFact: a finding that could not verify
// says how to get the fact it lacked (here: reach the destination, or probe
// elsewhere and pass --facts), not how to fix the violation; and the one
// cause of many such findings is given once, with every rule it affects.
func TestUnverifiedRemediationGetsTheFact(t *testing.T) {
	res := exampleWith(t, "snapshot.yaml", "snapshot.facts.json", unreachable("destination"))
	n := 0
	for _, f := range res.Findings {
		if !f.Unverified || f.Cluster != "destination" {
			continue
		}
		n++
		r, _ := res.rule(f.Rule)
		if f.Remediation == r.Remediation {
			t.Errorf("%s: could-not-verify finding carries the rule's remediation %q", f.Rule, f.Remediation)
		}
		for _, w := range []string{"reachable from the machine that runs espreflight", "--facts"} {
			if !strings.Contains(f.Remediation, w) {
				t.Errorf("%s: remediation %q lacks %q", f.Rule, f.Remediation, w)
			}
		}
		if f.Cause != "destination-unreachable" {
			t.Errorf("%s: cause %q, want destination-unreachable", f.Rule, f.Cause)
		}
	}
	if n < 3 {
		t.Fatalf("%d could-not-verify findings on the destination, want several", n)
	}
	if len(res.Causes) != 1 || res.Causes[0].ID != "destination-unreachable" || !strings.Contains(res.Causes[0].Text, "connection refused") {
		t.Fatalf("causes = %+v, want the unreachable destination once", res.Causes)
	}
	for _, id := range []string{"SNAP-001", "VER-001", "VER-003"} {
		if !slices.Contains(res.Causes[0].Rules, id) {
			t.Errorf("cause lacks %s: %v", id, res.Causes[0].Rules)
		}
	}
}

// TestVerifiedFindingKeepsRuleRemediation: findings that could verify keep
// their rule's remediation, and facts without an unknown give no cause.
func TestVerifiedFindingKeepsRuleRemediation(t *testing.T) {
	res := exampleWith(t, "snapshot.yaml", "snapshot.facts.json", nil)
	if len(res.Causes) != 0 {
		t.Errorf("causes %+v on complete facts", res.Causes)
	}
	for _, f := range res.Findings {
		r, _ := res.rule(f.Rule)
		if f.Unverified || f.Cause != "" || f.Remediation != r.Remediation {
			t.Errorf("%s: unverified %v cause %q remediation %q", f.Rule, f.Unverified, f.Cause, f.Remediation)
		}
	}
}

// TestUnverifiedRemediationPerCause: each way a fact goes missing gets its
// own way to get it.
func TestUnverifiedRemediationPerCause(t *testing.T) {
	f := methodPlan("snapshot")
	f.Plan.Destination.Version, f.Plan.Destination.Product = "", ""
	f.Clusters.Destination = probe.DeclaredCluster(f.Plan, "destination")
	src := f.Clusters.Source
	src.Unknown = nil
	src.MarkUnknown("indices", "GET /_cat/indices", "HTTP 403: security_exception: action [indices:monitor/stats] is unauthorized")
	for _, c := range []struct{ fact, id, want string }{
		{"clusters.destination.version", "destination-not-probed", "Give the destination an endpoint"},
		{"clusters.source.indices", "source-access-denied", "read-only monitoring privileges"},
		{"selection.source.names", "source-access-denied", "read-only monitoring privileges"},
		{"runner.reachable.source", "runner-not-tested", "on the host that runs the migration"},
		{"plan.source.region", "plan:source.region", "Add source.region to the plan"},
	} {
		got := factCause(f, c.fact)
		if got.ID != c.id || !strings.Contains(got.Remediation, c.want) {
			t.Errorf("%s: cause %q %q, want %q containing %q", c.fact, got.ID, got.Remediation, c.id, c.want)
		}
	}
}
