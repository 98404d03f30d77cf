//go:build integration

// The nodes of the ground truth: HTTP helpers, the setup steps of the case
// files, and what the test reads from a node itself to check the probe.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

type node struct {
	name, url string
	down      bool // deliberately not running (a case's unreachable cluster)
	// docs remembers the document count of indices a setup created and then
	// closed: a closed index cannot be counted.
	docs map[string]int64
}

type nodes map[string]*node

// upNodes parses ESPF_NODES ("name=url,name=url").
func upNodes(t *testing.T) map[string]string {
	t.Helper()
	up := map[string]string{}
	for _, kv := range strings.Split(os.Getenv("ESPF_NODES"), ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		name, u, ok := strings.Cut(kv, "=")
		if !ok {
			t.Fatalf("ESPF_NODES: %q is not name=url", kv)
		}
		up[name] = strings.TrimRight(u, "/")
	}
	return up
}

var httpClient = &http.Client{Timeout: 5 * time.Minute}

func (n *node) try(method, path, body string) (int, []byte, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, n.url+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		ct := "application/json"
		if strings.HasSuffix(path, "_bulk") || strings.Contains(path, "_bulk?") {
			ct = "application/x-ndjson"
		}
		req.Header.Set("Content-Type", ct)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func (n *node) do(t *testing.T, method, path, body string) (int, []byte) {
	t.Helper()
	status, b, err := n.try(method, path, body)
	if err != nil {
		t.Fatalf("%s: %s %s: %v", n.name, method, path, err)
	}
	return status, b
}

func (n *node) must(t *testing.T, method, path, body string) []byte {
	t.Helper()
	status, b := n.do(t, method, path, body)
	if status >= 300 {
		t.Fatalf("%s: %s %s -> %d: %s", n.name, method, path, status, reason(b))
	}
	return b
}

// tryOK is try, with an HTTP error status turned into the engine's error.
func (n *node) tryOK(method, path, body string) ([]byte, error) {
	status, b, err := n.try(method, path, body)
	if err != nil {
		return nil, err
	}
	if status >= 300 {
		return b, fmt.Errorf("%s %s -> %d %s", method, strings.SplitN(path, "?", 2)[0], status, reason(b))
	}
	return b, nil
}

func (n *node) exists(t *testing.T, index string) bool {
	status, _ := n.do(t, "HEAD", "/"+index, "")
	return status == 200
}

// version is the node's product, major and minor.
func (n *node) version(t *testing.T) (product string, major, minor int) {
	t.Helper()
	product, _, major, minor = n.release(t)
	return product, major, minor
}

// release is the node's product (GET /: es-8's zip has no rest-root and
// answers 405, and is Elasticsearch) and version (GET /_nodes/_local).
func (n *node) release(t *testing.T) (product, number string, major, minor int) {
	t.Helper()
	product = "elasticsearch"
	var root struct {
		Version struct {
			Distribution string `json:"distribution"`
		} `json:"version"`
	}
	if status, body := n.do(t, "GET", "/", ""); status == 200 {
		mustJSON(t, body, &root)
		if root.Version.Distribution == "opensearch" {
			product = "opensearch"
		}
	}
	var nl struct {
		Nodes map[string]struct {
			Version string `json:"version"`
		} `json:"nodes"`
	}
	mustJSON(t, n.must(t, "GET", "/_nodes/_local", ""), &nl)
	for _, nd := range nl.Nodes {
		p := strings.SplitN(nd.Version, ".", 3)
		if len(p) >= 2 {
			major, _ = strconv.Atoi(p[0])
			minor, _ = strconv.Atoi(p[1])
			return product, nd.Version, major, minor
		}
	}
	t.Fatalf("%s: GET /_nodes/_local names no node version", n.name)
	return "", "", 0, 0
}

// resolve expands index patterns the engine's way (wildcards, "-" exclusions,
// open and closed indices): the sorted names.
func (n *node) resolve(t *testing.T, patterns []string) []string {
	t.Helper()
	var rows []struct {
		Index string `json:"index"`
	}
	mustJSON(t, n.must(t, "GET", "/_cat/indices/"+strings.Join(patterns, ",")+"?format=json&h=index", ""), &rows)
	out := []string{}
	for _, r := range rows {
		out = append(out, r.Index)
	}
	sort.Strings(out)
	return out
}

// status is "open" or "close" (as _cat/indices says).
func (n *node) status(t *testing.T, index string) string {
	t.Helper()
	var rows []struct {
		Status string `json:"status"`
	}
	mustJSON(t, n.must(t, "GET", "/_cat/indices/"+index+"?format=json&h=status", ""), &rows)
	if len(rows) != 1 {
		t.Fatalf("%s: _cat/indices/%s: %d rows", n.name, index, len(rows))
	}
	return rows[0].Status
}

// count is the document count of an index; for an index a setup closed, the
// count it had.
func (n *node) count(t *testing.T, index string) int64 {
	t.Helper()
	if c, ok := n.docs[index]; ok {
		return c
	}
	var resp struct {
		Count int64 `json:"count"`
	}
	mustJSON(t, n.must(t, "GET", "/"+index+"/_count", ""), &resp)
	return resp.Count
}

func (n *node) waitYellow(t *testing.T, index string) {
	t.Helper()
	n.must(t, "GET", "/_cluster/health/"+index+"?wait_for_status=yellow&timeout=60s", "")
}

func (n *node) createdID(t *testing.T, index string) int64 {
	t.Helper()
	var resp map[string]struct {
		Settings map[string]string `json:"settings"`
	}
	mustJSON(t, n.must(t, "GET", "/"+index+"/_settings?flat_settings=true", ""), &resp)
	id, _ := strconv.ParseInt(resp[index].Settings["index.version.created"], 10, 64)
	return id
}

func (n *node) registerRepo(name, location string, readonly bool) error {
	body := fmt.Sprintf(`{"type":"fs","settings":{"location":%q,"readonly":%v}}`, location, readonly)
	if _, err := n.tryOK("PUT", "/_snapshot/"+name, body); err != nil {
		return fmt.Errorf("registering the fs repository %s (location %s): %w", name, location, err)
	}
	return nil
}

// snapshotResult is a finished snapshot.
type snapshotResult struct {
	State    string   `json:"state"`
	Indices  []string `json:"indices"`
	Failures []struct {
		Index  string `json:"index"`
		Reason string `json:"reason"`
	} `json:"failures"`
}

// snapshot takes a snapshot of the index expression and waits for it.
func (n *node) snapshot(repo, snap, indices string) (*snapshotResult, error) {
	body := fmt.Sprintf(`{"indices":%q,"include_global_state":false}`, indices)
	b, err := n.tryOK("PUT", "/_snapshot/"+repo+"/"+snap+"?wait_for_completion=true", body)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Snapshot snapshotResult `json:"snapshot"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return nil, fmt.Errorf("snapshot response: %v: %s", err, truncate(b))
	}
	return &resp.Snapshot, nil
}

// restore restores one index of a snapshot with the given options; it
// returns the restored index names, or the engine's error.
func (n *node) restore(repo, snap, index, renamePattern, renameReplacement string, includeAliases *bool) ([]string, error) {
	req := map[string]any{"indices": index, "include_global_state": false}
	if renamePattern != "" {
		req["rename_pattern"], req["rename_replacement"] = renamePattern, renameReplacement
	}
	if includeAliases != nil {
		req["include_aliases"] = *includeAliases
	}
	body, _ := json.Marshal(req)
	b, err := n.tryOK("POST", "/_snapshot/"+repo+"/"+snap+"/_restore?wait_for_completion=true", string(body))
	if err != nil {
		return nil, err
	}
	var resp struct {
		Snapshot struct {
			Indices []string `json:"indices"`
			Shards  struct {
				Total, Failed, Successful int
			} `json:"shards"`
		} `json:"snapshot"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return nil, fmt.Errorf("restore response: %v: %s", err, truncate(b))
	}
	if s := resp.Snapshot.Shards; s.Failed > 0 || s.Successful == 0 {
		return nil, fmt.Errorf("restore: %d of %d shards failed: %s", s.Failed, s.Total, truncate(b))
	}
	return resp.Snapshot.Indices, nil
}

// ---------------------------------------------------------------------------
// Setup steps of the case files

func runSetup(t *testing.T, c *gtCase, n nodes, s gtSetup) {
	t.Helper()
	on := n[c.roleNode(s.On)]
	switch {
	case s.Create != "":
		createIndex(t, on, s)
	case s.Legacy != nil:
		legacySetup(t, n[s.Legacy.From], on, s.Legacy.Index, s.Legacy.As)
	case s.ShardLimit == "exhausted":
		exhaustShards(t, on)
	}
}

// createIndex creates an index with generated documents, in the mapping
// dialect of the node's version (5.x: named types, 6.x: _doc, then typeless).
func createIndex(t *testing.T, on *node, s gtSetup) {
	t.Helper()
	if on.exists(t, s.Create) {
		t.Fatalf("setup: %s already has %s (left by an earlier run on the same nodes: restart them, testdata/nodes/integration.sh does)", on.name, s.Create)
	}
	product, major, _ := on.version(t)
	typed := product == "elasticsearch" && major <= 6
	types := s.Types
	if len(types) == 0 {
		switch {
		case typed && major == 5:
			types = []string{"doc"}
		case typed:
			types = []string{"_doc"}
		}
	}
	props := map[string]any{"@timestamp": map[string]string{"type": "date"}, "level": map[string]string{"type": "keyword"},
		"service": map[string]string{"type": "keyword"}, "message": map[string]string{"type": "text"}}
	if s.Kind == "orders" {
		props = map[string]any{"order_id": map[string]string{"type": "keyword"}, "country": map[string]string{"type": "keyword"},
			"amount": map[string]string{"type": "double"}, "created": map[string]string{"type": "date"}}
	}
	if s.LabelsType != "" {
		props["labels"] = map[string]string{"type": s.LabelsType}
	}
	for f := 1; f <= s.Fields; f++ {
		props[fmt.Sprintf("f%04d", f)] = map[string]string{"type": "keyword"}
	}
	typeMapping := map[string]any{"properties": props}
	if s.SourceDisabled {
		typeMapping["_source"] = map[string]bool{"enabled": false}
	}
	var mappings any = typeMapping
	if len(types) > 0 {
		m := map[string]any{}
		for _, ty := range types {
			m[ty] = typeMapping
		}
		mappings = m
	}
	shards := s.Shards
	if shards == 0 {
		shards = 1
	}
	settings := map[string]any{"number_of_shards": shards, "number_of_replicas": 0}
	if s.Fields > 0 {
		settings["index.mapping.total_fields.limit"] = s.Fields + 100
	}
	body, _ := json.Marshal(map[string]any{
		"settings": settings,
		"mappings": mappings,
	})
	on.must(t, "PUT", "/"+s.Create, string(body))
	docs := s.Docs
	if docs == 0 {
		docs = 200
	}
	var bulk strings.Builder
	for i := 1; i <= docs; i++ {
		meta := map[string]string{"_index": s.Create, "_id": fmt.Sprintf("%s-%d", s.Create, i)}
		if len(types) > 0 {
			meta["_type"] = types[i%len(types)]
		}
		mb, _ := json.Marshal(map[string]any{"index": meta})
		var doc map[string]any
		if s.Kind == "orders" {
			doc = map[string]any{"order_id": fmt.Sprintf("o-%06d", i), "country": []string{"DE", "FR", "US", "JP"}[i%4],
				"amount": float64(i%50000) / 100, "created": fmt.Sprintf("2024-%02d-%02dT10:00:00Z", 1+i%12, 1+i%28)}
		} else {
			doc = map[string]any{"@timestamp": fmt.Sprintf("2025-%02d-%02dT%02d:00:00Z", 1+i%12, 1+i%28, i%24),
				"level": []string{"INFO", "WARN", "ERROR"}[i%3], "service": fmt.Sprintf("app-%d", i%4), "message": fmt.Sprintf("request %d handled", i)}
		}
		if s.LabelsType != "" {
			doc["labels"] = map[string]string{"team": fmt.Sprintf("t%d", i%3), "env": "prod"}
		}
		for f := 1; f <= s.Fields; f++ {
			doc[fmt.Sprintf("f%04d", f)] = fmt.Sprintf("v%d", (i+f)%7)
		}
		db, _ := json.Marshal(doc)
		bulk.Write(mb)
		bulk.WriteByte('\n')
		bulk.Write(db)
		bulk.WriteByte('\n')
	}
	var br struct {
		Errors bool `json:"errors"`
	}
	mustJSON(t, on.must(t, "POST", "/_bulk?refresh=true", bulk.String()), &br)
	if br.Errors {
		t.Fatalf("setup: bulk into %s on %s reported errors", s.Create, on.name)
	}
	if got := on.count(t, s.Create); got != int64(docs) {
		t.Fatalf("setup: %s on %s holds %d documents, want %d", s.Create, on.name, got, docs)
	}
	if s.Closed {
		on.must(t, "POST", "/"+s.Create+"/_flush", "")
		on.must(t, "POST", "/"+s.Create+"/_close", "")
		if on.docs == nil {
			on.docs = map[string]int64{}
		}
		on.docs[s.Create] = int64(docs)
	}
}

// legacySetup puts an index created by an older version into the cluster the
// way it happens in real life: snapshot on from, restore on to as `as`.
func legacySetup(t *testing.T, from, to *node, index, as string) {
	t.Helper()
	if to.exists(t, as) {
		return
	}
	loc := fmt.Sprintf("gt-legacy-%s-%d", as, time.Now().UnixNano())
	if err := from.registerRepo("gt-legacy", loc, false); err != nil {
		t.Fatalf("setup: %s: %v", from.name, err)
	}
	if _, err := from.snapshot("gt-legacy", "s1", index); err != nil {
		t.Fatalf("setup: snapshot of %s on %s: %v", index, from.name, err)
	}
	if err := to.registerRepo("gt-legacy", loc, true); err != nil {
		t.Fatalf("setup: %s: %v", to.name, err)
	}
	if _, err := to.restore("gt-legacy", "s1", index, "(.+)", as, nil); err != nil {
		t.Fatalf("setup: restoring %s of %s into %s as %s: %v", index, from.name, to.name, as, err)
	}
	to.waitYellow(t, as)
	_, major, _ := from.version(t)
	if id := to.createdID(t, as); id/1_000_000 != int64(major) {
		t.Fatalf("setup: %s on %s has index.version.created %d, want a %d.x id", as, to.name, id, major)
	}
}

// exhaustShards sets cluster.max_shards_per_node (transient) to the shards of
// the open indices the single-node cluster holds, so that no new shard fits;
// the setting is reset after the case.
func exhaustShards(t *testing.T, on *node) {
	t.Helper()
	var rows []struct {
		Status string `json:"status"`
		Pri    string `json:"pri"`
		Rep    string `json:"rep"`
	}
	mustJSON(t, on.must(t, "GET", "/_cat/indices?format=json&h=status,pri,rep", ""), &rows)
	total := 0
	for _, r := range rows {
		if r.Status != "open" {
			continue
		}
		p, _ := strconv.Atoi(r.Pri)
		rp, _ := strconv.Atoi(r.Rep)
		total += p * (1 + rp)
	}
	on.must(t, "PUT", "/_cluster/settings", fmt.Sprintf(`{"transient":{"cluster.max_shards_per_node":%d}}`, total))
	t.Cleanup(func() {
		if _, err := on.tryOK("PUT", "/_cluster/settings", `{"transient":{"cluster.max_shards_per_node":null}}`); err != nil {
			t.Errorf("resetting cluster.max_shards_per_node on %s: %v", on.name, err)
		}
	})
	t.Logf("setup: %s: cluster.max_shards_per_node=%d (the shards of its open indices)", on.name, total)
}

// ---------------------------------------------------------------------------
// JSON helpers

// reason is the error of an error response (type: reason, and the deepest
// caused_by), or the body.
func reason(b []byte) string {
	type cause struct {
		Type     string          `json:"type"`
		Reason   string          `json:"reason"`
		CausedBy json.RawMessage `json:"caused_by"`
	}
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(b, &e) != nil || len(e.Error) == 0 {
		return truncate(b)
	}
	var c cause
	if json.Unmarshal(e.Error, &c) != nil || c.Type == "" {
		return truncate(b)
	}
	s := c.Type + ": " + c.Reason
	for len(c.CausedBy) > 0 {
		var next cause
		if json.Unmarshal(c.CausedBy, &next) != nil || next.Type == "" {
			break
		}
		s += " (caused by " + next.Type + ": " + next.Reason + ")"
		c = next
	}
	return s
}

func truncate(b []byte) string {
	if len(b) > 800 {
		return string(b[:800]) + "..."
	}
	return string(b)
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", truncate(b), err)
	}
}
