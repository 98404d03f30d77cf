package policies

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/espreflight/espreflight/probe"
)

// dataStreamFacts: a snapshot from Elasticsearch 8.15 into 7.17 whose only
// source data is the data stream logs-app (two hidden backing indices, one
// of which the destination also holds, open).
func dataStreamFacts(patterns []string) *probe.Facts {
	yes := true
	backing := []probe.Index{
		{Name: ".ds-logs-app-2026.01.01-000001", Status: "open", Hidden: true, DataStream: "logs-app", PrimaryShards: 1,
			CreatedVersion: "8.11+ (index version 8512000)", CreatedProduct: "elasticsearch", CreatedID: 8512000, CreatedMajor: 8, CreatedMinor: -1},
		{Name: ".ds-logs-app-2026.02.01-000002", Status: "open", Hidden: true, DataStream: "logs-app", PrimaryShards: 1,
			CreatedVersion: "8.11+ (index version 8512000)", CreatedProduct: "elasticsearch", CreatedID: 8512000, CreatedMajor: 8, CreatedMinor: -1},
	}
	cluster := func(v string, ix []probe.Index) *probe.ClusterFacts {
		ver, _ := probe.ParseVersion(v)
		c := &probe.ClusterFacts{Endpoint: "https://" + v + ":9200", Reachable: &yes, Product: "elasticsearch", Version: ver,
			Nodes: []probe.Node{}, Indices: ix, Totals: &probe.Totals{Indices: len(ix)}, Repositories: []probe.Repository{},
			Aliases: []probe.Alias{}, Settings: map[string]any{}, Health: "green", Sources: map[string]string{}, Unknown: []probe.Unknown{}}
		for _, fact := range probe.ProbedFacts {
			c.SetSource(fact, "GET / on the test")
		}
		return c
	}
	p := &probe.Plan{Version: 1, Name: "ds", File: "ds.yaml", Method: "snapshot", Mode: "full", Indices: patterns,
		Lines: map[string]int{}, VolumeBytes: -1, Limits: &probe.Limits{DumpMaxIndices: 20}, Network: &probe.Network{},
		Source:      &probe.ClusterSpec{Kind: "self-managed", Endpoint: "https://8.15.0:9200", AuthKind: "none"},
		Destination: &probe.ClusterSpec{Kind: "self-managed", Endpoint: "https://7.17.0:9200", AuthKind: "none"}}
	f := probe.FromPlan(p, "test", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	f.Clusters.Source = cluster("8.15.0", append(backing, probe.Index{Name: "orders-1", Status: "open", PrimaryShards: 1,
		CreatedVersion: "7.17.0", CreatedProduct: "elasticsearch", CreatedID: 7170099, CreatedMajor: 7, CreatedMinor: 17}))
	f.Clusters.Destination = cluster("7.17.0", []probe.Index{{Name: ".ds-logs-app-2026.01.01-000001", Status: "open", PrimaryShards: 1}})
	return f
}

// indicesOf returns, per rule, the indices its findings name.
func indicesOf(t *testing.T, f *probe.Facts) map[string][]string {
	t.Helper()
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Evaluate(context.Background(), f, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, fd := range res.Findings {
		if fd.Index != "" {
			out[fd.Rule] = append(out[fd.Rule], fd.Index)
		}
	}
	return out
}

// TestPerIndexRulesSeeDataStreams: "logs-*" selects the data stream
// logs-app, so the per-index rules judge its backing indices: VER-003 (an
// 8.x index cannot go to 7.17) and SNAP-001 (one lands on an open index).
func TestPerIndexRulesSeeDataStreams(t *testing.T) {
	got := indicesOf(t, dataStreamFacts([]string{"logs-*"}))
	if !slices.Equal(got["VER-003"], []string{".ds-logs-app-2026.01.01-000001", ".ds-logs-app-2026.02.01-000002"}) {
		t.Errorf("VER-003 names %v, want both backing indices of logs-app", got["VER-003"])
	}
	if !slices.Equal(got["SNAP-001"], []string{".ds-logs-app-2026.01.01-000001"}) {
		t.Errorf("SNAP-001 names %v, want the backing index the destination holds", got["SNAP-001"])
	}
}

// TestPerIndexRulesSeeDataStreamsQuiet: patterns that do not select the
// stream leave its backing indices alone.
func TestPerIndexRulesSeeDataStreamsQuiet(t *testing.T) {
	got := indicesOf(t, dataStreamFacts([]string{"orders-*"}))
	for rule, ix := range got {
		for _, n := range ix {
			if n != "orders-1" {
				t.Errorf("%s names %s, which orders-* does not select", rule, n)
			}
		}
	}
}

// evaluatePlan parses a plan text and evaluates it with the plan's facts only.
func evaluatePlan(t *testing.T, plan string) *Result {
	t.Helper()
	p, err := probe.ParsePlan("plan.yaml", []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	res, err := e.Evaluate(context.Background(), probe.FromPlan(p, "test", now), now)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func fired(res *Result, id string) bool {
	return slices.ContainsFunc(res.Findings, func(f Finding) bool { return f.Rule == id && !f.Unverified })
}

// TestDeclaredAWSOpenSearchIsOpenSearch: an Amazon OpenSearch Service 2.11
// domain declared without `product:` is OpenSearch, so a snapshot into
// Elasticsearch 8.15 fails VER-006 (it used to be taken as Elasticsearch 2.11).
func TestDeclaredAWSOpenSearchIsOpenSearch(t *testing.T) {
	res := evaluatePlan(t, "version: 1\nmethod: snapshot\nindices: [\"*\"]\nsource: {kind: third-party, provider: aws-opensearch, version: \"2.11.0\"}\ndestination: {kind: alibaba, version: \"8.15.1\"}\n")
	if !fired(res, "VER-006") {
		t.Errorf("VER-006 does not fire for a declared AWS OpenSearch 2.11 source into Elasticsearch 8.15: %+v", res.Findings)
	}
}

// TestDeclaredAWSElasticsearchIsElasticsearch: a legacy Elasticsearch 6.8
// domain is Elasticsearch: no VER-006.
func TestDeclaredAWSElasticsearchIsElasticsearch(t *testing.T) {
	res := evaluatePlan(t, "version: 1\nmethod: snapshot\nindices: [\"*\"]\nsource: {kind: third-party, provider: aws-opensearch, version: \"6.8\"}\ndestination: {kind: alibaba, version: \"7.10.0\"}\n")
	if fired(res, "VER-006") {
		t.Error("VER-006 fires for a legacy Elasticsearch 6.8 domain")
	}
}

// derivedFacts is a facts document by the contract whose source index gives
// its created_version only (no created_id, created_major or created_minor),
// with extra fields spliced into that index.
func derivedFacts(created, extra string) string {
	return `{"schema":"espreflight.facts/v1","collected_at":"2026-11-26T12:00:00Z",
 "plan":{"version":1,"name":"d","method":"snapshot","mode":"full","indices":["orders-*"],"volume_bytes":-1,"lines":{},
   "source":{"kind":"self-managed","version":"6.8.23","product":"elasticsearch"},
   "destination":{"kind":"self-managed","version":"7.17.0","product":"elasticsearch"}},
 "clusters":{
  "source":{"reachable":true,"product":"elasticsearch","version":{"number":"6.8.23"},"nodes":[],"repositories":[],"aliases":[],"settings":{},"health":"green",
   "indices":[{"name":"orders-2019","status":"open","primary_shards":1,"created_version":"` + created + `"` + extra + `}],
   "sources":{"version":"t","product":"t","nodes":"t","indices":"t","totals":"t","repositories":"t","aliases":"t","settings":"t","health":"t"},"unknown":[]},
  "destination":{"reachable":true,"product":"elasticsearch","version":{"number":"7.17.0"},"nodes":[],"indices":[],"repositories":[],"aliases":[],"settings":{},"health":"green",
   "sources":{"version":"t","product":"t","nodes":"t","indices":"t","totals":"t","repositories":"t","aliases":"t","settings":"t","health":"t"},"unknown":[]}},
 "runner":{"reachable":{"source":true,"destination":true}}}`
}

// TestDerivedCreatedFieldsQuiet: a 6.8-created index given by its
// created_version alone restores into 7.17, so VER-003 stays quiet (it used
// to read the missing created_major as 0 and fail the index).
func TestDerivedCreatedFieldsQuiet(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for created, want := range map[string]bool{"6.8.23": false, "5.6.16": true} {
		f, err := probe.ReadFacts(strings.NewReader(derivedFacts(created, "")))
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.Evaluate(context.Background(), f, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.ContainsFunc(res.Findings, func(f Finding) bool { return f.Rule == "VER-003" }); got != want {
			t.Errorf("index created by %s: VER-003 reported %v, want %v: %+v", created, got, want, res.Findings)
		}
	}
}

// TestDerivedCreatedFieldsDisagree: a document whose derived fields
// disagree with their source is refused, naming the index.
func TestDerivedCreatedFieldsDisagree(t *testing.T) {
	_, err := probe.ReadFacts(strings.NewReader(derivedFacts("6.8.23", `,"created_major":5,"created_minor":6`)))
	want := `clusters.source.indices[0].created_major: created_major 5, created_minor 6 disagrees with created_version "6.8.23", which says 6 and 8 (index orders-2019)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
}
