//go:build integration

// The real snapshot migrations: method snapshot (snapshot on the source,
// restore on the destination as the plan says) and snapshot-reindex (restore
// on the intermediate, reindex there, snapshot again, restore on the
// destination).
package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// migrateSnapshot snapshots what the plan selects (the plan's index patterns,
// expanded by the source) into a fresh fs location under the shared path.repo,
// registers it read-only on the destination and restores the snapshot's
// indices one by one with the plan's rename_pattern, rename_replacement and
// include_aliases (one request per index, so that each index has its own
// outcome; a restore request fails as a whole on the first bad index).
func migrateSnapshot(t *testing.T, c *gtCase, n nodes, indices []string) map[string]realIndex {
	t.Helper()
	src, dst := n[c.Nodes.Source], n[c.Nodes.Destination]
	out, fail := outcomes(t, src, indices)
	repo, loc := "gt-"+c.Name, fmt.Sprintf("gt-%s-%d", c.Name, time.Now().UnixNano())
	if err := src.registerRepo(repo, loc, false); err != nil {
		t.Fatalf("%s: %v", src.name, err)
	}
	snap, err := src.snapshot(repo, "s1", strings.Join(c.Plan.Indices, ","))
	if err != nil {
		for _, ix := range indices {
			fail(ix, fmt.Errorf("snapshot on %s: %w", src.name, err))
		}
		return out
	}
	t.Logf("snapshot on %s: %s, indices %v, failures %v", src.name, snap.State, snap.Indices, snap.Failures)
	regErr := dst.registerRepo(repo, loc, true)
	s := c.Plan.Snapshot
	for _, ix := range indices {
		if regErr != nil {
			fail(ix, fmt.Errorf("on %s: %w", dst.name, regErr))
			continue
		}
		if !slices.Contains(snap.Indices, ix) {
			fail(ix, fmt.Errorf("the snapshot on %s (state %s) does not contain %s", src.name, snap.State, ix))
			continue
		}
		restored, err := dst.restore(repo, "s1", ix, s.RenamePattern, s.RenameReplacement, s.IncludeAliases)
		if err != nil {
			fail(ix, fmt.Errorf("restore on %s: %w", dst.name, err))
			continue
		}
		r := out[ix]
		r.ok, r.target = true, strings.Join(restored, ",")
		dst.waitYellow(t, r.target)
		r.dstDocs = dst.count(t, r.target)
		out[ix] = r
	}
	return out
}

// migrateSnapshotReindex runs snapshot + reindex through the intermediate
// cluster: snapshot on the source, restore each index on the intermediate as
// "sr-tmp-<index>", create the plan's restored name there (rename_pattern /
// rename_replacement) with the same mapping and reindex into it (so that the
// intermediate's version creates it), drop the temporary index, snapshot the
// reindexed indices and restore them on the destination under that name.
func migrateSnapshotReindex(t *testing.T, c *gtCase, n nodes, indices []string) map[string]realIndex {
	t.Helper()
	src, mid, dst := n[c.Nodes.Source], n[c.Nodes.Intermediate], n[c.Nodes.Destination]
	out, fail := outcomes(t, src, indices)
	stamp := time.Now().UnixNano()
	repo1, loc1 := "gt-"+c.Name, fmt.Sprintf("gt-%s-1-%d", c.Name, stamp)
	if err := src.registerRepo(repo1, loc1, false); err != nil {
		t.Fatalf("%s: %v", src.name, err)
	}
	if _, err := src.snapshot(repo1, "s1", strings.Join(c.Plan.Indices, ",")); err != nil {
		for _, ix := range indices {
			fail(ix, fmt.Errorf("snapshot on %s: %w", src.name, err))
		}
		return out
	}
	if err := mid.registerRepo(repo1, loc1, true); err != nil {
		t.Fatalf("%s: %v", mid.name, err)
	}
	s := c.Plan.Snapshot
	final := map[string]string{}
	for _, ix := range indices {
		name := ix
		if s.RenamePattern != "" {
			name = regexp.MustCompile(s.RenamePattern).ReplaceAllString(ix, s.RenameReplacement)
		}
		if err := reindexOnIntermediate(t, mid, repo1, ix, name); err != nil {
			fail(ix, fmt.Errorf("on the intermediate %s: %w", mid.name, err))
			continue
		}
		final[ix] = name
	}
	if len(final) == 0 {
		return out
	}
	repo2, loc2 := "gt-"+c.Name+"-2", fmt.Sprintf("gt-%s-2-%d", c.Name, stamp)
	if err := mid.registerRepo(repo2, loc2, false); err != nil {
		t.Fatalf("%s: %v", mid.name, err)
	}
	names := make([]string, 0, len(final))
	for _, ix := range indices {
		if f, ok := final[ix]; ok {
			names = append(names, f)
		}
	}
	if _, err := mid.snapshot(repo2, "s2", strings.Join(names, ",")); err != nil {
		t.Fatalf("snapshot of %v on the intermediate %s: %v", names, mid.name, err)
	}
	regErr := dst.registerRepo(repo2, loc2, true)
	for _, ix := range indices {
		name, ok := final[ix]
		if !ok {
			continue
		}
		if regErr != nil {
			fail(ix, fmt.Errorf("on %s: %w", dst.name, regErr))
			continue
		}
		if _, err := dst.restore(repo2, "s2", name, "", "", s.IncludeAliases); err != nil {
			fail(ix, fmt.Errorf("restore on %s: %w", dst.name, err))
			continue
		}
		dst.waitYellow(t, name)
		r := out[ix]
		r.ok, r.target, r.dstDocs = true, name, dst.count(t, name)
		out[ix] = r
		_, major, _ := mid.version(t)
		if id := dst.createdID(t, name); id/1_000_000 != int64(major) {
			t.Errorf("%s on %s: index.version.created %d, want the intermediate's %d.x: the reindex did not recreate it", name, dst.name, id, major)
		}
	}
	return out
}

// reindexOnIntermediate restores index of repo on mid as sr-tmp-<index>,
// creates name with its mapping, reindexes into it and deletes the temporary
// index.
func reindexOnIntermediate(t *testing.T, mid *node, repo, index, name string) error {
	t.Helper()
	tmp := "sr-tmp-" + index
	if _, err := mid.restore(repo, "s1", index, "(.+)", tmp, boolPtr(false)); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	mid.waitYellow(t, tmp)
	var m map[string]struct {
		Mappings json.RawMessage `json:"mappings"`
	}
	b, err := mid.tryOK("GET", "/"+tmp+"/_mapping", "")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("mapping of %s: %v", tmp, err)
	}
	mapping, err := withoutAll(m[tmp].Mappings)
	if err != nil {
		return fmt.Errorf("mapping of %s: %v", tmp, err)
	}
	body := fmt.Sprintf(`{"settings":{"number_of_shards":1,"number_of_replicas":0},"mappings":%s}`, mapping)
	if _, err := mid.tryOK("PUT", "/"+name, body); err != nil {
		return fmt.Errorf("creating %s: %w", name, err)
	}
	b, err = mid.tryOK("POST", "/_reindex?wait_for_completion=true&refresh=true", fmt.Sprintf(`{"source":{"index":%q},"dest":{"index":%q}}`, tmp, name))
	if err != nil {
		return err
	}
	if err := reindexFailures(b); err != nil {
		return err
	}
	if _, err := mid.tryOK("DELETE", "/"+tmp, ""); err != nil {
		return err
	}
	return nil
}

func boolPtr(b bool) *bool { return &b }

// withoutAll drops the _all setting a 5.x-created index carries in each
// mapping type: 6.0+ refuses to create an index with it ("Enabling [_all] is
// disabled in 6.0"), so whoever reindexes such an index on 6.x removes it.
func withoutAll(mappings json.RawMessage) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(mappings, &m); err != nil {
		return nil, err
	}
	if _, typeless := m["properties"]; typeless {
		return mappings, nil
	}
	for ty, tm := range m {
		var inner map[string]json.RawMessage
		if json.Unmarshal(tm, &inner) != nil {
			continue
		}
		delete(inner, "_all")
		b, err := json.Marshal(inner)
		if err != nil {
			return nil, err
		}
		m[ty] = b
	}
	return json.Marshal(m)
}

// outcomes starts the outcome of every index with its source document count;
// fail records an index's error.
func outcomes(t *testing.T, src *node, indices []string) (map[string]realIndex, func(string, error)) {
	t.Helper()
	out := map[string]realIndex{}
	for _, ix := range indices {
		out[ix] = realIndex{srcDocs: src.count(t, ix)}
	}
	return out, func(ix string, err error) {
		r := out[ix]
		r.err = err.Error()
		out[ix] = r
	}
}
