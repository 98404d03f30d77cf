//go:build integration

// The real document-copy migrations: reindex from remote (POST _reindex on
// the destination with source.remote.host = the plan's reindex.remote_host)
// and elasticsearch-dump (the real elasticdump from npm, mapping then data).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// migrateReindex reindexes every selected index from the source into an index
// of the same name on the destination, one request per index, exactly as the
// plan describes the remote: POST _reindex {"source": {"remote": {"host":
// <reindex.remote_host>}, "index": I}, "dest": {"index": I}}.
func migrateReindex(t *testing.T, c *gtCase, n nodes, indices []string) map[string]realIndex {
	t.Helper()
	src, dst := n[c.Nodes.Source], n[c.Nodes.Destination]
	out := map[string]realIndex{}
	for _, ix := range indices {
		r := realIndex{srcDocs: src.count(t, ix), target: ix}
		mustBeNew(t, dst, ix)
		body, _ := json.Marshal(map[string]any{
			"source": map[string]any{"remote": map[string]any{"host": c.Plan.Reindex.RemoteHost}, "index": ix, "size": 500},
			"dest":   map[string]any{"index": ix},
		})
		b, err := dst.tryOK("POST", "/_reindex?wait_for_completion=true&refresh=true", string(body))
		if ferr := reindexFailures(b); ferr != nil && b != nil {
			err = ferr // a _reindex that ran and failed documents answers 400 with its failures
		}
		if err != nil {
			r.err = fmt.Sprintf("POST _reindex on %s from %s: %v", dst.name, c.Plan.Reindex.RemoteHost, err)
		} else {
			r.ok, r.dstDocs = copied(t, dst, ix, r.srcDocs, &r.err)
		}
		out[ix] = r
	}
	return out
}

// reindexFailures is the first failure of a finished _reindex, if any.
func reindexFailures(b []byte) error {
	var resp struct {
		Failures []json.RawMessage `json:"failures"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return fmt.Errorf("_reindex response: %v: %s", err, truncate(b))
	}
	if len(resp.Failures) == 0 {
		return nil
	}
	var f struct {
		Cause struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"cause"`
		Reason string `json:"reason"`
	}
	_ = json.Unmarshal(resp.Failures[0], &f)
	msg := f.Cause.Type + ": " + f.Cause.Reason
	if f.Cause.Type == "" {
		msg = f.Reason
		if msg == "" {
			msg = string(resp.Failures[0])
		}
	}
	return fmt.Errorf("%d failure(s), the first: %s", len(resp.Failures), msg)
}

// migrateDump copies every selected index with the real elasticdump: first
// --type=mapping, then --type=data, from the plan's source endpoint to an
// index of the same name at the plan's destination endpoint.
func migrateDump(t *testing.T, c *gtCase, n nodes, indices []string) map[string]realIndex {
	t.Helper()
	src, dst := n[c.Nodes.Source], n[c.Nodes.Destination]
	bin := os.Getenv("ESPF_ELASTICDUMP")
	if bin == "" {
		bin = filepath.Join(repoRoot, "testdata", "nodes", "dump", "node_modules", ".bin", "elasticdump")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("elasticdump: %v (testdata/nodes/integration.sh installs it with npm ci in testdata/nodes/dump)", err)
	}
	out := map[string]realIndex{}
	for _, ix := range indices {
		r := realIndex{srcDocs: src.count(t, ix), target: ix}
		mustBeNew(t, dst, ix)
		var err error
		for _, typ := range []string{"mapping", "data"} {
			if err = elasticdump(t, bin, c.Plan.Source.Endpoint+"/"+ix, c.Plan.Destination.Endpoint+"/"+ix, typ); err != nil {
				break
			}
		}
		if err != nil {
			r.err = err.Error()
		} else {
			if dst.exists(t, ix) {
				dst.must(t, "POST", "/"+ix+"/_refresh", "")
			}
			r.ok, r.dstDocs = copied(t, dst, ix, r.srcDocs, &r.err)
		}
		out[ix] = r
	}
	return out
}

// elasticdumpError picks elasticdump's own errors out of its log: the
// reason of an engine error it prints, its "Error Emitted" line, or the
// HTTP status of a request it died on.
var elasticdumpError = regexp.MustCompile(`reason: '(.*)'|Error Emitted => (.*)|(statusCode: \d+)`)

func elasticdump(t *testing.T, bin, input, output, typ string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--input="+input, "--output="+output, "--type="+typ, "--limit=500", "--noRefresh")
	b, err := cmd.CombinedOutput()
	log := strings.TrimSpace(string(b))
	t.Logf("elasticdump --type=%s %s -> %s: %v\n%s", typ, input, output, err, lastLines(log, 8))
	var errs []string
	for _, m := range elasticdumpError.FindAllStringSubmatch(log, -1) {
		errs = append(errs, strings.TrimSpace(m[1]+m[2]+m[3]))
	}
	if errs = uniq(errs); len(errs) > 3 {
		errs = errs[:3]
	}
	switch {
	case err != nil:
		if len(errs) == 0 {
			errs = []string{lastLines(log, 3)}
		}
		return fmt.Errorf("elasticdump --type=%s: %v: %s", typ, err, strings.Join(errs, " | "))
	case len(errs) > 0:
		return fmt.Errorf("elasticdump --type=%s exited 0 but logged: %s", typ, strings.Join(errs, " | "))
	}
	return nil
}

func lastLines(s string, k int) string {
	l := strings.Split(s, "\n")
	if len(l) > k {
		l = l[len(l)-k:]
	}
	return strings.Join(l, "\n")
}

// copied compares the destination's count with the source's; a short copy
// is a failure with what arrived.
func copied(t *testing.T, dst *node, ix string, want int64, errText *string) (bool, int64) {
	t.Helper()
	if !dst.exists(t, ix) {
		*errText = fmt.Sprintf("no index %s on %s after the copy", ix, dst.name)
		return false, 0
	}
	got := dst.count(t, ix)
	if got != want {
		*errText = fmt.Sprintf("%d of %d documents arrived in %s on %s", got, want, ix, dst.name)
		return false, got
	}
	return true, got
}

// mustBeNew stops a case whose target index already exists on the
// destination: a copy into it would mix data and prove nothing.
func mustBeNew(t *testing.T, dst *node, ix string) {
	t.Helper()
	if !dst.down && dst.exists(t, ix) {
		t.Fatalf("%s already has %s: a copy case migrates into a new index (restart the nodes if an earlier run left it)", dst.name, ix)
	}
}
