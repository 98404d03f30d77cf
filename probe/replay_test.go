package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// responsesDir holds the recordings of real nodes (testdata/nodes/record.sh).
const responsesDir = "../testdata/responses"

// manifest is a recording of one real node.
type manifest struct {
	Product      string     `json:"product"`
	Version      string     `json:"version"`
	RecordedFrom string     `json:"recorded_from"`
	RecordedAt   string     `json:"recorded_at"`
	Exchanges    []exchange `json:"exchanges"`
}

type exchange struct {
	Method   string              `json:"method"`
	Path     string              `json:"path"`
	Query    string              `json:"query"`
	Status   int                 `json:"status"`
	Headers  map[string][]string `json:"headers"`
	BodyFile string              `json:"body_file"`

	body []byte
}

// loadManifest reads a recording directory with its bodies.
func loadManifest(tb testing.TB, dir string) *manifest {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		tb.Fatalf("read manifest: %v", err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatalf("%s: decode manifest: %v", dir, err)
	}
	for i := range m.Exchanges {
		e := &m.Exchanges[i]
		if e.Method == "" {
			e.Method = http.MethodGet
		}
		if e.BodyFile != "" {
			if e.body, err = os.ReadFile(filepath.Join(dir, e.BodyFile)); err != nil {
				tb.Fatalf("%s: %v", dir, err)
			}
		}
	}
	return &m
}

// recordingDirs lists the recording directories (skipping the test when there is none).
func recordingDirs(tb testing.TB) []string {
	tb.Helper()
	entries, err := os.ReadDir(responsesDir)
	if err != nil {
		tb.Fatalf("no recordings in %s (%v): they are committed; re-create them with make record", responsesDir, err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(responsesDir, e.Name(), "manifest.json")); err == nil {
				dirs = append(dirs, filepath.Join(responsesDir, e.Name()))
			}
		}
	}
	if len(dirs) == 0 {
		tb.Fatalf("no recordings in %s: they are committed; re-create them with make record", responsesDir)
	}
	return dirs
}

// sameQuery compares two query strings as sets of parameters.
func sameQuery(a, b string) bool {
	qa, err1 := url.ParseQuery(a)
	qb, err2 := url.ParseQuery(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	norm := func(q url.Values) map[string][]string {
		m := map[string][]string{}
		for k, v := range q {
			v = append([]string{}, v...)
			sort.Strings(v)
			m[k] = v
		}
		return m
	}
	return reflect.DeepEqual(norm(qa), norm(qb))
}

// replay serves recorded exchanges. A request with no recorded exchange fails
// the test and gets a 400 like a real node.
type replay struct {
	tb        testing.TB
	exchanges []exchange
	requests  atomic.Int64
	bytes     atomic.Int64

	mu   sync.Mutex
	seen []string
	// auth records every Authorization header received.
	auth []string
}

func newReplayServer(tb testing.TB, exchanges []exchange) (*httptest.Server, *replay) {
	r := &replay{tb: tb, exchanges: exchanges}
	srv := httptest.NewServer(r)
	tb.Cleanup(srv.Close)
	return srv, r
}

func (r *replay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.requests.Add(1)
	r.mu.Lock()
	r.seen = append(r.seen, req.Method+" "+req.URL.RequestURI())
	if a := req.Header.Get("Authorization"); a != "" {
		r.auth = append(r.auth, a)
	}
	r.mu.Unlock()
	if strings.Contains(req.Header.Get("Accept"), "compatible-with") || strings.Contains(req.Header.Get("Content-Type"), "compatible-with") {
		r.tb.Errorf("request %s %s carries a compatibility-mode header", req.Method, req.URL.RequestURI())
	}
	for _, e := range r.exchanges {
		if e.Method == req.Method && e.Path == req.URL.Path && sameQuery(e.Query, req.URL.RawQuery) {
			for k, vs := range e.Headers {
				if strings.EqualFold(k, "Content-Length") {
					continue
				}
				for _, v := range vs {
					w.Header().Add(k, v)
				}
			}
			w.WriteHeader(e.Status)
			n, _ := w.Write(e.body)
			r.bytes.Add(int64(n))
			return
		}
	}
	r.tb.Errorf("request with no recorded exchange: %s %s", req.Method, req.URL.RequestURI())
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `{"error":{"type":"illegal_argument_exception","reason":"no recorded exchange for %s"},"status":400}`, req.URL.Path)
}

// planFor builds a plan whose source is endpoint and whose destination is declared only.
func planFor(endpoint string) *Plan {
	return &Plan{
		Version: 1, Name: "replay", Method: "snapshot", Indices: []string{"*"}, VolumeBytes: -1, Lines: map[string]int{},
		Source:      &ClusterSpec{Kind: "self-managed", Endpoint: endpoint, AuthKind: "none"},
		Destination: &ClusterSpec{Kind: "alibaba", Version: "7.10.2", AuthKind: "none"},
	}
}

func testOptions() Options {
	return Options{
		Timeout: 5 * time.Second, Deadline: 20 * time.Second, ToolVersion: "test",
		Now:     func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) },
		Getenv:  func(string) string { return "" },
		backoff: func(int) time.Duration { return time.Millisecond },
	}
}

// replayExpect is what each recording of the seeded test node must give.
type replayExpect struct {
	product, version string
	created          string // created_version of every index
	createdProduct   string
	createdMajor     int
	dataStreams      map[string]string // backing index -> stream
	whitelist        []string
	// writeIndex: the version has write indices (ES 6.4+, OpenSearch), so
	// every alias carries is_write_index.
	writeIndex bool
}

var replayExpectations = map[string]replayExpect{
	"elasticsearch-5.6.16":  {product: "elasticsearch", version: "5.6.16", created: "5.6.16", createdProduct: "elasticsearch", createdMajor: 5, whitelist: []string{}},
	"elasticsearch-6.8.23":  {product: "elasticsearch", version: "6.8.23", created: "6.8.23", createdProduct: "elasticsearch", createdMajor: 6, whitelist: []string{"127.0.0.1:*"}, writeIndex: true},
	"elasticsearch-7.10.2":  {product: "elasticsearch", version: "7.10.2", created: "7.10.2", createdProduct: "elasticsearch", createdMajor: 7, whitelist: []string{"127.0.0.1:*"}, writeIndex: true},
	"elasticsearch-7.17.29": {product: "elasticsearch", version: "7.17.29", created: "7.17.29", createdProduct: "elasticsearch", createdMajor: 7, whitelist: []string{"127.0.0.1:*"}, writeIndex: true},
	"elasticsearch-8.19.21": {product: "elasticsearch", version: "8.19.21", created: "8.11+ (index version 8537000)", createdProduct: "elasticsearch", createdMajor: 8, whitelist: []string{}, writeIndex: true},
	"opensearch-1.3.14":     {product: "opensearch", version: "1.3.14", created: "1.3.14", createdProduct: "opensearch", createdMajor: 1, dataStreams: map[string]string{".ds-events-app-000001": "events-app"}, whitelist: []string{"127.0.0.1:*"}, writeIndex: true},
	"opensearch-2.19.6":     {product: "opensearch", version: "2.19.6", created: "2.19.6", createdProduct: "opensearch", createdMajor: 2, dataStreams: map[string]string{".ds-events-app-000001": "events-app"}, whitelist: []string{"127.0.0.1:*"}, writeIndex: true},
	"opensearch-3.9.0":      {product: "opensearch", version: "3.9.0", created: "3.9.0", createdProduct: "opensearch", createdMajor: 3, dataStreams: map[string]string{".ds-events-app-000001": "events-app"}, whitelist: []string{"127.0.0.1:*"}, writeIndex: true},
}

// requiredRecordings are the versions the issue requires (prefix match).
var requiredRecordings = []string{"elasticsearch-5.6", "elasticsearch-6.8", "elasticsearch-7.10", "elasticsearch-7.17", "elasticsearch-8.", "opensearch-1.3", "opensearch-2."}

func TestReplayRecordings(t *testing.T) {
	dirs := recordingDirs(t)
	have := map[string]bool{}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		for _, r := range requiredRecordings {
			if strings.HasPrefix(name, r) {
				have[r] = true
			}
		}
		t.Run(name, func(t *testing.T) {
			m := loadManifest(t, dir)
			srv, rp := newReplayServer(t, m.Exchanges)
			var progress strings.Builder
			opts := testOptions()
			opts.Progress = &progress
			f, err := Probe(context.Background(), planFor(srv.URL), opts)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			c := f.Clusters.Source
			if c == nil || c.Reachable == nil || !*c.Reachable || !f.Runner.Reachable[RoleSource] {
				t.Fatalf("source not reachable: %+v", c)
			}
			if _, ok := f.Runner.Reachable[RoleDestination]; ok {
				t.Errorf("runner reachability recorded for the unprobed destination")
			}
			// No test node has the deprecation info API (X-Pack, default
			// distribution only): that one fact is unknown, with the reason.
			for _, u := range c.Unknown {
				if u.Fact != "deprecations" || !strings.HasPrefix(u.Error, "not available: ") {
					t.Errorf("unknown fact: %+v", u)
				}
			}
			if !c.IsUnknown("deprecations") && c.Deprecations == nil {
				t.Errorf("deprecations neither known nor unknown")
			}
			if c.Product != m.Product {
				t.Errorf("product = %q, want %q", c.Product, m.Product)
			}
			if c.Version == nil || c.Version.Number != m.Version {
				t.Errorf("version = %+v, want %s", c.Version, m.Version)
			}
			if c.ClusterName == "" {
				t.Errorf("no cluster name")
			}
			// Nodes: every recorded node name with the recorded version.
			if len(c.Nodes) == 0 {
				t.Fatalf("no nodes")
			}
			for _, n := range c.Nodes {
				if n.Name == "" || n.Version != m.Version || len(n.Roles) == 0 || n.Plugins == nil {
					t.Errorf("node %+v: want a name, version %s, roles and a plugin list", n, m.Version)
				}
			}
			// Indices: the seeded ones, each with its created version.
			byName := map[string]Index{}
			for _, ix := range c.Indices {
				byName[ix.Name] = ix
			}
			for _, name := range []string{"orders-2024", "orders-2025", "logs-app", "archive-2019"} {
				ix, ok := byName[name]
				if !ok {
					t.Errorf("index %s missing (have %v)", name, keys(byName))
					continue
				}
				if ix.CreatedVersion == "" || ix.CreatedID == 0 || ix.CreationDate == "" || ix.PrimaryShards == 0 {
					t.Errorf("index %s: created %q id %d creation %q shards %d", name, ix.CreatedVersion, ix.CreatedID, ix.CreationDate, ix.PrimaryShards)
				}
			}
			if ix := byName["archive-2019"]; ix.Status != "close" {
				t.Errorf("archive-2019 status = %q, want close", ix.Status)
			}
			if ix := byName["orders-2024"]; ix.Status != "open" || ix.DocsCount != 1500 || ix.StoreBytes <= 0 {
				t.Errorf("orders-2024 = %+v, want open with 1500 docs", ix)
			}
			if c.Totals == nil || c.Totals.Indices != len(c.Indices) || c.Totals.Docs < 4900 {
				t.Errorf("totals = %+v", c.Totals)
			}
			if len(c.Repositories) == 0 || c.Repositories[0].Name != "backup" || c.Repositories[0].Type != "fs" || c.Repositories[0].Settings["location"] == "" {
				t.Errorf("repositories = %+v, want backup (fs) with a location", c.Repositories)
			}
			if c.Health == "" {
				t.Errorf("no health")
			}
			// cluster.max_shards_per_node exists from Elasticsearch 6.5 (and in every OpenSearch).
			hasShardLimit := c.Product == "opensearch" || c.Version.Major > 6 || c.Version.Major == 6 && c.Version.Minor >= 5
			if _, ok := c.Settings["cluster.max_shards_per_node"]; !ok && hasShardLimit {
				t.Errorf("settings lack cluster.max_shards_per_node: %v", c.Settings)
			}
			if c.Settings["cluster.routing.allocation.disk.watermark.low"] == nil {
				t.Errorf("settings lack the low disk watermark: %v", c.Settings)
			}
			for _, fact := range []string{"version", "nodes", "indices", "totals", "repositories", "settings", "health", "aliases"} {
				if c.Sources[fact] == "" {
					t.Errorf("no source for %s", fact)
				}
			}
			if !strings.Contains(progress.String(), "connected to") {
				t.Errorf("progress = %q", progress.String())
			}

			exp, ok := replayExpectations[name]
			if !ok {
				t.Logf("no version-specific expectations for %s: generic checks only", name)
				return
			}
			if c.Product != exp.product || c.Version.Number != exp.version {
				t.Errorf("got %s %s, want %s %s", c.Product, c.Version.Number, exp.product, exp.version)
			}
			for _, ix := range c.Indices {
				if ix.CreatedVersion != exp.created || ix.CreatedProduct != exp.createdProduct || ix.CreatedMajor != exp.createdMajor {
					t.Errorf("index %s created %s %q major %d, want %s %q major %d", ix.Name, ix.CreatedProduct, ix.CreatedVersion, ix.CreatedMajor, exp.createdProduct, exp.created, exp.createdMajor)
				}
				if want := exp.dataStreams[ix.Name]; ix.DataStream != want {
					t.Errorf("index %s data stream %q, want %q", ix.Name, ix.DataStream, want)
				}
				if ix.System {
					t.Errorf("index %s reported system; the recordings have none", ix.Name)
				}
			}
			for backing := range exp.dataStreams {
				if ix, ok := byName[backing]; !ok || !ix.Hidden {
					t.Errorf("backing index %s missing or not hidden: %+v", backing, ix)
				}
			}
			if got := c.Settings["reindex.remote.whitelist"]; !reflect.DeepEqual(got, exp.whitelist) {
				t.Errorf("reindex.remote.whitelist = %#v, want %#v", got, exp.whitelist)
			}
			if exp.product == "opensearch" && !reflect.DeepEqual(c.Settings["reindex.remote.allowlist"], exp.whitelist) {
				t.Errorf("reindex.remote.allowlist = %#v", c.Settings["reindex.remote.allowlist"])
			}
			if exp.product == "elasticsearch" && exp.version >= "7.10" {
				if !strings.Contains(c.Sources["indices"], systemFlagEndpoint) {
					t.Errorf("indices source %q lacks the system flag request", c.Sources["indices"])
				}
			}
			// Aliases: the seeded ones, "orders" over orders-2024 and orders-2025
			// (its write index where the version has write indices), and .kibana.
			no, yes := false, true
			wantAliases := []Alias{{Name: ".kibana", Index: ".kibana_1"}, {Name: "orders", Index: "orders-2024"}, {Name: "orders", Index: "orders-2025"}}
			if exp.writeIndex {
				wantAliases[0].IsWriteIndex, wantAliases[1].IsWriteIndex, wantAliases[2].IsWriteIndex = &no, &no, &yes
			}
			if !reflect.DeepEqual(c.Aliases, wantAliases) {
				t.Errorf("aliases = %s, want %s", aliasesString(c.Aliases), aliasesString(wantAliases))
			}
			if n, want := rp.requests.Load(), int64(len(sentRequests(t, &detected{Product: c.Product, Version: c.Version}))); n != want {
				t.Errorf("%d requests, want %d (the table's for this version)", n, want)
			}
		})
	}
	var missing []string
	for _, r := range requiredRecordings {
		if !have[r] {
			missing = append(missing, r+"*")
		}
	}
	if len(missing) > 0 {
		t.Errorf("recordings missing for required versions: %s (make record)", strings.Join(missing, ", "))
	}
}

func aliasesString(as []Alias) string {
	parts := make([]string, len(as))
	for i, a := range as {
		w := "nil"
		if a.IsWriteIndex != nil {
			w = fmt.Sprint(*a.IsWriteIndex)
		}
		parts[i] = fmt.Sprintf("%s->%s(write %s)", a.Name, a.Index, w)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestReplayRequestsListed checks that every request the probe sends is a
// line of requests.txt, so the recorder records it from every real node.
func TestReplayRequestsListed(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(responsesDir, "requests.txt"))
	if err != nil {
		t.Fatalf("requests.txt is committed beside the recordings: %v", err)
	}
	var listed []exchange
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		target := fields[len(fields)-1]
		path, query, _ := strings.Cut(target, "?")
		listed = append(listed, exchange{Method: fields[len(fields)-2], Path: path, Query: query})
	}
	for _, d := range []*detected{
		{Product: "elasticsearch", Version: &Version{Number: "5.6.16", Major: 5, Minor: 6}},
		{Product: "elasticsearch", Version: &Version{Number: "6.3.2", Major: 6, Minor: 3}},
		{Product: "elasticsearch", Version: &Version{Number: "6.8.23", Major: 6, Minor: 8}},
		{Product: "elasticsearch", Version: &Version{Number: "7.3.2", Major: 7, Minor: 3}},
		{Product: "elasticsearch", Version: &Version{Number: "7.4.0", Major: 7, Minor: 4}},
		{Product: "elasticsearch", Version: &Version{Number: "7.10.2", Major: 7, Minor: 10}},
		{Product: "elasticsearch", Version: &Version{Number: "8.19.0", Major: 8, Minor: 19}},
		{Product: "opensearch", Version: &Version{Number: "2.19.0", Major: 2, Minor: 19}},
	} {
		for _, target := range sentRequests(t, d) {
			path, query, _ := strings.Cut(target, "?")
			found := false
			for _, e := range listed {
				if e.Path == path && sameQuery(e.Query, query) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s %s: GET %s is not in requests.txt", d.Product, d.Version.Number, target)
			}
		}
	}
}

// sentRequests records the request targets the probe sends to a cluster of
// the given product and version (answering every request with 200 {}).
func sentRequests(t *testing.T, d *detected) []string {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.RequestURI())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/":
			fmt.Fprintf(w, `{"cluster_name":"x","version":{"number":%q,"distribution":%q},"tagline":"x"}`, d.Version.Number, map[bool]string{true: "opensearch"}[d.isOpenSearch()])
		case "/_cat/indices", "/_cat/aliases":
			fmt.Fprint(w, `[]`)
		default:
			fmt.Fprint(w, `{}`)
		}
	}))
	defer srv.Close()
	if _, err := Probe(context.Background(), planFor(srv.URL), testOptions()); err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	return got
}

// TestReplaySelectsDataStreamBackingIndices: on the real OpenSearch
// recordings, the data stream events-app is selected by "events-*" through
// its hidden backing index, whose own name the pattern does not match.
func TestReplaySelectsDataStreamBackingIndices(t *testing.T) {
	for _, name := range []string{"opensearch-1.3.14", "opensearch-2.19.6"} {
		t.Run(name, func(t *testing.T) {
			m := loadManifest(t, filepath.Join(responsesDir, name))
			srv, _ := newReplayServer(t, m.Exchanges)
			f, err := Probe(context.Background(), planFor(srv.URL), testOptions())
			if err != nil {
				t.Fatal(err)
			}
			s := Select(f.Clusters.Source.Indices, []string{"events-*"})
			if !reflect.DeepEqual(s.Names, []string{".ds-events-app-000001"}) {
				t.Errorf(`"events-*" selects %v, want the backing index of events-app`, s.Names)
			}
			if s := Select(f.Clusters.Source.Indices, []string{"orders-*"}); slices.Contains(s.Names, ".ds-events-app-000001") {
				t.Errorf(`"orders-*" selects the backing index of events-app: %v`, s.Names)
			}
		})
	}
}

// overriddenRecording is the real OpenSearch 1.3.14 recording as the same
// node answers with compatibility.override_main_response_version: GET /
// reports number 7.10.2 and no distribution (the tagline stays). With
// nodesFail, GET /_nodes/plugins is refused.
func overriddenRecording(t *testing.T, nodesFail bool) []exchange {
	t.Helper()
	m := loadManifest(t, filepath.Join(responsesDir, "opensearch-1.3.14"))
	for i := range m.Exchanges {
		e := &m.Exchanges[i]
		switch {
		case e.Path == "/":
			var root map[string]any
			if err := json.Unmarshal(e.body, &root); err != nil {
				t.Fatal(err)
			}
			v := root["version"].(map[string]any)
			v["number"] = "7.10.2"
			delete(v, "distribution")
			e.body, _ = json.Marshal(root)
		case e.Path == "/_nodes/plugins" && nodesFail:
			e.Status = http.StatusForbidden
			e.body = []byte(`{"error":{"type":"security_exception","reason":"no permissions for [cluster:monitor/nodes/info]"},"status":403}`)
		}
	}
	return m.Exchanges
}

// TestReplayOverriddenVersionNodesUnknown: an OpenSearch cluster answering
// 7.10.2 on GET / whose nodes cannot be read has an unknown version (never
// "opensearch 7.10.2"), with the reason, and is still OpenSearch.
func TestReplayOverriddenVersionNodesUnknown(t *testing.T) {
	srv, _ := newReplayServer(t, overriddenRecording(t, true))
	f, err := Probe(context.Background(), planFor(srv.URL), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	c := f.Clusters.Source
	if c.Version != nil || c.Sources["version"] != "" {
		t.Errorf("version %+v (source %q), want unknown", c.Version, c.Sources["version"])
	}
	if c.Product != "opensearch" {
		t.Errorf("product %q, want opensearch", c.Product)
	}
	var reason string
	for _, u := range c.Unknown {
		if u.Fact == "version" {
			reason = u.Error
		}
	}
	for _, w := range []string{"the real version is unknown", "Elasticsearch-compatible 7.10.2", "GET /_nodes/plugins failed: HTTP 403"} {
		if !strings.Contains(reason, w) {
			t.Errorf("version unknown because %q; want it to say %q", reason, w)
		}
	}
	if c.Indices == nil || !c.IsUnknown("nodes") {
		t.Errorf("indices %d, nodes unknown %v: only the nodes and the version should be unknown", len(c.Indices), c.IsUnknown("nodes"))
	}
}

// TestReplayOverriddenVersionNodesKnown: with the nodes readable, the real
// version comes from them.
func TestReplayOverriddenVersionNodesKnown(t *testing.T) {
	srv, _ := newReplayServer(t, overriddenRecording(t, false))
	f, err := Probe(context.Background(), planFor(srv.URL), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	c := f.Clusters.Source
	if c.Version == nil || c.Version.Number != "1.3.14" || c.Product != "opensearch" || c.IsUnknown("version") ||
		!strings.Contains(c.Sources["version"], "GET /_nodes/plugins on the source (GET / reports the Elasticsearch-compatible 7.10.2)") {
		t.Errorf("product %q version %+v source %q unknown %+v", c.Product, c.Version, c.Sources["version"], c.Unknown)
	}
}
