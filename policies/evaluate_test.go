package policies

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/espreflight/espreflight/probe"
)

func evalPlan(t *testing.T, yaml string, clusters map[string]*probe.ClusterFacts) *Result {
	t.Helper()
	p, err := probe.ParsePlan("plan.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	f := probe.FromPlan(p, "test", now)
	for role, c := range clusters {
		f.Clusters.Set(role, c)
	}
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Evaluate(context.Background(), f, now)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func cluster(product, version string, indices ...probe.Index) *probe.ClusterFacts {
	v, _ := probe.ParseVersion(version)
	yes := true
	return &probe.ClusterFacts{Reachable: &yes, Product: product, Version: v, Nodes: []probe.Node{{Name: "n1", Version: version, Roles: []string{"data"}, Plugins: []probe.Plugin{}}},
		Indices: indices, Totals: &probe.Totals{}, Repositories: []probe.Repository{}, Settings: map[string]any{}, Sources: map[string]string{}, Unknown: []probe.Unknown{}}
}

func index(name, status, created string) probe.Index {
	v, _ := probe.ParseVersion(created)
	return probe.Index{Name: name, Status: status, PrimaryShards: 1, CreatedVersion: created, CreatedProduct: "elasticsearch", CreatedMajor: v.Major, CreatedMinor: v.Minor}
}

// A warning rule's finding that is certain to fail is an error: it counts as
// failed in the summary (and so fails the gate).
func TestFindingRaisesSeverity(t *testing.T) {
	plan := `version: 1
method: snapshot
indices: ["orders-*"]
source: {kind: self-managed, endpoint: "http://127.0.0.1:1"}
destination: {kind: self-managed, endpoint: "http://127.0.0.1:2"}
snapshot: {repository: {type: fs, name: shared}}
`
	res := evalPlan(t, plan, map[string]*probe.ClusterFacts{
		"source":      cluster("elasticsearch", "7.10.2", index("orders-1", "open", "7.10.2"), index("orders-2", "open", "7.10.2")),
		"destination": cluster("elasticsearch", "7.17.29", index("orders-1", "open", "7.17.29"), index("orders-2", "close", "7.17.29")),
	})
	var snap []Finding
	for _, f := range res.Findings {
		if f.Rule == "SNAP-001" {
			snap = append(snap, f)
		}
	}
	if len(snap) != 1 || snap[0].Index != "orders-1" || snap[0].Severity != SeverityError || !strings.Contains(snap[0].Message, "open index") {
		t.Fatalf("SNAP-001 findings = %+v, want one error for orders-1", snap)
	}
	for _, r := range res.Rules {
		if r.ID == "SNAP-001" && r.Severity != SeverityWarning {
			t.Fatalf("SNAP-001 catalogue severity %s", r.Severity)
		}
	}
	if res.Summary.Failed < 1 {
		t.Errorf("summary %+v does not count SNAP-001 as failed", res.Summary)
	}
}

func TestFilter(t *testing.T) {
	res := &Result{Rules: []Rule{{ID: "A-001", Severity: SeverityError}, {ID: "B-001", Severity: SeverityWarning}},
		Findings: []Finding{{Rule: "A-001", Severity: SeverityError}, {Rule: "B-001", Severity: SeverityWarning}}}
	if err := res.Filter(nil, []string{"A-001"}); err != nil {
		t.Fatal(err)
	}
	if len(res.Rules) != 1 || len(res.Findings) != 1 || res.Summary != (Summary{Rules: 1, Warnings: 1}) {
		t.Errorf("after --skip A-001: %+v", res)
	}
	if err := res.Filter([]string{"C-001"}, nil); err == nil || !strings.Contains(err.Error(), "C-001") {
		t.Errorf("unknown id: %v", err)
	}
}
