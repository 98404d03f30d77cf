package probe

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/probe.md from the collector table")

// TestEveryClusterFactHasAHome fails when a ClusterFacts field is neither
// filled by a collector of collectorTable nor listed in notCollected: a fact
// the table does not know would never be marked unknown without a probe.
func TestEveryClusterFactHasAHome(t *testing.T) {
	home := map[string]string{}
	claim := func(key, where string) {
		if prev, ok := home[key]; ok {
			t.Errorf("%q is listed twice: %s and %s", key, prev, where)
		}
		home[key] = where
		if _, ok := clusterFactFields[key]; !ok {
			t.Errorf("%s names %q, which is not a JSON key of ClusterFacts", where, key)
		}
	}
	for i, c := range collectorTable {
		for _, f := range c.facts {
			claim(f, "the facts of collector "+strings.Join(c.facts, ","))
		}
		for _, l := range c.labels {
			claim(l, "the labels of collector "+strings.Join(c.facts, ","))
		}
		if len(c.facts) == 0 || c.purpose == "" || c.requests == nil {
			t.Errorf("collector %d (%v) needs facts, a purpose and its requests", i, c.facts)
		}
		if c.collect == nil && i != 0 {
			t.Errorf("collector %v has no collect function; only the first row (version detection) may", c.facts)
		}
	}
	for _, n := range notCollected {
		claim(n.key, "notCollected")
	}
	ty := reflect.TypeFor[ClusterFacts]()
	for i := range ty.NumField() {
		key, _, _ := strings.Cut(ty.Field(i).Tag.Get("json"), ",")
		if _, ok := home[key]; !ok {
			t.Errorf("ClusterFacts.%s (%q) is in no row of collectorTable (probe/collectors.go) and not in notCollected: "+
				"add the collector that fills it, or say where it comes from", ty.Field(i).Name, key)
		}
	}
}

// TestProbedFactsFromTable: ProbedFacts is the table's facts in table order,
// the order every "unknown" list follows.
func TestProbedFactsFromTable(t *testing.T) {
	want := []string{"version", "product", "nodes", "indices", "totals", "index_settings", "data_streams", "repositories", "settings", "health", "aliases",
		"mappings", "analysis", "templates", "pipelines", "lifecycle_policies", "stored_scripts", "capacity", "deprecations"}
	if !slices.Equal(ProbedFacts, want) {
		t.Errorf("ProbedFacts = %v, want %v", ProbedFacts, want)
	}
}

// TestDeclaredClusterMarksEveryProbedFact: a cluster without a probe has
// every fact of the table unknown, except a declared version and product.
func TestDeclaredClusterMarksEveryProbedFact(t *testing.T) {
	p := planFor("")
	p.Source.Version = ""
	for _, role := range []string{RoleSource, RoleDestination} {
		c := DeclaredCluster(p, role)
		for _, col := range collectorTable {
			for _, fact := range col.facts {
				declared := role == RoleDestination && (fact == "version" || fact == "product")
				if c.IsUnknown(fact) == declared {
					t.Errorf("%s: %s unknown = %v, want %v", role, fact, c.IsUnknown(fact), !declared)
				}
				if !declared && c.Has(fact) {
					t.Errorf("%s: %s has a value without a probe", role, fact)
				}
			}
		}
	}
}

// TestCollectorFailureMarksItsFacts breaks the requests of one collector at
// a time and checks that exactly its facts become unknown, naming a request
// it sent, while every other fact keeps its value and source.
func TestCollectorFailureMarksItsFacts(t *testing.T) {
	d := &detected{Product: "elasticsearch", Version: &Version{Number: "7.17.0", Major: 7, Minor: 17}} // fakeCluster
	for _, col := range collectorTable {
		if col.collect == nil {
			continue // version detection: TestFaults and TestConnectionRefused
		}
		t.Run(strings.Join(col.facts, ","), func(t *testing.T) {
			broken := map[string]http.HandlerFunc{}
			var endpoints []string
			for _, r := range col.requests(d) {
				broken[r.target()] = status(403, `{"error":{"type":"security_exception","reason":"action is unauthorized"}}`)
				endpoints = append(endpoints, r.endpoint)
			}
			_, c := probeOne(t, fakeCluster(t, broken).URL, testOptions())
			for _, fact := range ProbedFacts {
				mine := slices.Contains(col.facts, fact)
				u := unknownFor(c, fact)
				switch {
				case mine && u == nil:
					t.Errorf("%s not unknown with its requests failing", fact)
				case mine && !slices.Contains(endpoints, u.Endpoint):
					t.Errorf("%s unknown at %q, want one of %v", fact, u.Endpoint, endpoints)
				case mine && (c.Has(fact) || c.Sources[fact] != ""):
					t.Errorf("%s unknown but has a value or a source (%q)", fact, c.Sources[fact])
				case !mine && (u != nil || !c.Has(fact) || c.Sources[fact] == ""):
					t.Errorf("%s: unknown %+v, has a value %v, source %q; want it collected", fact, u, c.Has(fact), c.Sources[fact])
				}
			}
		})
	}
}

// TestForgetfulCollectorFailsClosed: a collector that records neither a
// value nor a reason leaves its fact unknown, not silently null.
func TestForgetfulCollectorFailsClosed(t *testing.T) {
	saved := slices.Clone(collectorTable)
	t.Cleanup(func() { collectorTable = saved })
	for i := range collectorTable {
		if slices.Contains(collectorTable[i].facts, "health") {
			collectorTable[i].collect = func(context.Context, *clusterProbe) {}
		}
		if slices.Contains(collectorTable[i].facts, "repositories") {
			collectorTable[i].collect = func(_ context.Context, p *clusterProbe) { p.cf.Repositories = []Repository{} }
		}
	}
	_, c := probeOne(t, fakeCluster(t, nil).URL, testOptions())
	for _, fact := range []string{"health", "repositories"} {
		wantUnknown(t, c, fact, "", "no value with a source and no reason")
	}
	if len(c.Unknown) != 2 {
		t.Errorf("unknown = %+v, want health and repositories only", c.Unknown)
	}
}

// TestCollectorRequestsSent: what the probe sends to a cluster of each
// version in docs/probe.md is exactly what the table's requests list.
func TestCollectorRequestsSent(t *testing.T) {
	seen := map[docVersion]bool{}
	for _, col := range collectorTable {
		for _, g := range col.requestsByVersion() {
			for _, r := range g.versions {
				seen[r.from], seen[r.to] = true, true
			}
		}
	}
	var versions []docVersion
	for v := range seen {
		versions = append(versions, v)
	}
	sort.Slice(versions, func(i, j int) bool {
		a, b := versions[i], versions[j]
		return a.product < b.product || a.product == b.product && (a.major < b.major || a.major == b.major && a.minor < b.minor)
	})
	for _, v := range versions {
		d := v.detected()
		var want []string
		for _, col := range collectorTable {
			for _, r := range col.requests(d) {
				want = append(want, r.target())
			}
		}
		sort.Strings(want)
		if got := sentRequests(t, d); !slices.Equal(got, want) {
			t.Errorf("%s %d.%d: sent\n  %s\nthe table lists\n  %s", v.product, v.major, v.minor,
				strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	}
	if len(versions) < 8 {
		t.Errorf("only %d versions checked: %v", len(versions), versions)
	}
}

// TestProbeDoc fails when docs/probe.md is not what probeMarkdown renders
// from the collector table; -update rewrites it.
func TestProbeDoc(t *testing.T) {
	want := probeMarkdown()
	path := filepath.Join("..", "docs", "probe.md")
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./probe -run TestProbeDoc -update`)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/probe.md is stale; run `go test ./probe -run TestProbeDoc -update`")
	}
	for _, fact := range ProbedFacts {
		if !strings.Contains(string(want), "`"+fact+"`") {
			t.Errorf("%s missing from docs/probe.md", fact)
		}
	}
}

// TestRequestsByVersion pins the version ranges of a gated collector.
func TestRequestsByVersion(t *testing.T) {
	var aliases collector
	for _, c := range collectorTable {
		if slices.Contains(c.facts, "aliases") {
			aliases = c
		}
	}
	var got []string
	for _, g := range aliases.requestsByVersion() {
		var labels []string
		for _, v := range g.versions {
			labels = append(labels, v.String())
		}
		got = append(got, strings.Join(labels, "; ")+": "+strings.Join(g.targets, " "))
	}
	want := []string{
		"Elasticsearch 5.0–6.3: /_cat/aliases?format=json&h=alias,index",
		"Elasticsearch 6.4–7.3: /_alias",
		"Elasticsearch 7.4 and later; OpenSearch 1.0 and later: /_cat/aliases?format=json&h=alias,index,is_write_index",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestEndpoints(t *testing.T) {
	v68 := &Version{Number: "6.8.23", Major: 6, Minor: 8}
	v817 := &Version{Number: "8.17.0", Major: 8, Minor: 17}
	cases := []struct {
		fact, product string
		v             *Version
		want          []string
	}{
		{"aliases", "elasticsearch", v68, []string{"GET /_alias"}},
		{"aliases", "elasticsearch", v817, []string{"GET /_cat/aliases"}},
		{"totals", "elasticsearch", v68, []string{"GET /_cat/indices", "GET /_all/_settings"}},
		{"indices", "opensearch", &Version{Number: "2.19.0", Major: 2, Minor: 19}, []string{"GET /_cat/indices", "GET /_all/_settings", "GET /_data_stream"}},
		{"version", "elasticsearch", v817, []string{"GET /"}},
		{"cluster_name", "elasticsearch", v817, nil},
		{"no-such-fact", "elasticsearch", v817, nil},
	}
	for _, c := range cases {
		if got := Endpoints(c.fact, c.product, c.v); !slices.Equal(got, c.want) {
			t.Errorf("Endpoints(%s, %s %s) = %q, want %q", c.fact, c.product, c.v.Number, got, c.want)
		}
	}
}
