//go:build integration

// Ground truth against real nodes: for each cluster pair, espreflight's
// verdict on a snapshot migration plan is compared, index by index, with what
// the real engines do when the migration is actually performed (snapshot on
// the source into the shared fs repository, restore on the destination index
// by index).
//
// Run through testdata/nodes/integration.sh, which starts the nodes in
// phases and tells the tests which nodes are up:
//
//	ESPF_NODES="es-7.10=http://127.0.0.1:9271,os-2.19=http://127.0.0.1:9219"
//
// A case whose nodes are not all up is skipped with the reason.
//
// Every case asserts three things per index:
//  1. reality: the real restore succeeds (with the source's document count)
//     or fails, as the compatibility matrix documents;
//  2. rules: `check --plan P --facts REF` on reference facts the test reads
//     from the nodes itself (version, product, index.version.created) gives
//     an error finding from a snapshot rule exactly for the indices that
//     failed, and from the expected rule;
//  3. end to end: `check --plan P` (live probe + rules) gives the same.
//
// When a verdict cannot be computed (a rule is missing from the catalogue or
// reports that it could not verify), the case fails and says what is missing.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/espreflight/espreflight/probe"
)

// snapshotRules are the rules whose error findings say "this index will not
// restore".
var snapshotRules = map[string]bool{"VER-001": true, "VER-002": true, "VER-003": true, "VER-006": true, "SNAP-002": true}

// outcome is what is expected of one index.
type outcome struct {
	restores bool
	rule     string // the rule that must predict the failure
	// gap describes a real failure that no rule predicts yet: the case fails
	// with this text until a rule does.
	gap string
}

type gtCase struct {
	name     string // subtest name; integration.sh selects phases by it
	plan     string // file under testdata/integration
	src, dst string // node names
	extra    []string
	// setup prepares the source (optional).
	setup func(t *testing.T, n nodes)
	// indices on the source and what must happen to each on the destination.
	want map[string]outcome
}

var gtCases = []gtCase{
	{
		name: "es56-es68-es710", plan: "es68-to-es710.yaml", src: "es-6.8", dst: "es-7.10", extra: []string{"es-5.6"},
		setup: legacy56Setup,
		want: map[string]outcome{
			"legacy56-orders-2024": {rule: "VER-003"}, // created by ES 5.6: 7.x reads 6.x indices only
			"orders-2024":          {restores: true},  // created by ES 6.8
		},
	},
	{
		name: "es56-es710", plan: "es56-to-es710.yaml", src: "es-5.6", dst: "es-7.10",
		want: map[string]outcome{
			"orders-2024": {rule: "VER-002"},
			"orders-2025": {rule: "VER-002"},
			"logs-app":    {rule: "VER-002"},
		},
	},
	{
		name: "es68-es710-os219", plan: "es710-to-os219.yaml", src: "es-7.10", dst: "os-2.19", extra: []string{"es-6.8"},
		setup: legacy68Setup,
		want: map[string]outcome{
			"legacy68-orders-2024": {rule: "VER-003"}, // created by ES 6.8: OpenSearch 2.x needs ES 7.x or OS 1.x
			"logs-app":             {restores: true},
		},
	},
	{
		name: "es68-es710-es8", plan: "es710-to-es8.yaml", src: "es-7.10", dst: "es-8", extra: []string{"es-6.8"},
		setup: legacy68Setup,
		want: map[string]outcome{
			// created by ES 6.8: 8.3+ reads it only as an archive index (needs the
			// old-lucene-versions module and an enterprise licence; the matrix's "A").
			"legacy68-orders-2024": {rule: "VER-003"},
			"logs-app":             {restores: true},
		},
	},
	{
		name: "es717-es710", plan: "es717-to-es710.yaml", src: "es-7.17", dst: "es-7.10",
		want: map[string]outcome{
			"orders-2024": {rule: "VER-001"},
			"orders-2025": {rule: "VER-001"},
			"logs-app":    {rule: "VER-001"},
		},
	},
	{
		name: "es710-es717", plan: "es710-to-es717.yaml", src: "es-7.10", dst: "es-7.17",
		want: map[string]outcome{"logs-app": {restores: true}},
	},
	{
		name: "os219-es717", plan: "os219-to-es717.yaml", src: "os-2.19", dst: "es-7.17",
		want: map[string]outcome{
			"orders-2024": {rule: "VER-006"},
			"orders-2025": {rule: "VER-006"},
			"logs-app":    {rule: "VER-006"},
		},
	},
	{
		name: "os13-os219", plan: "os13-to-os219.yaml", src: "os-1.3", dst: "os-2.19",
		want: map[string]outcome{"orders-2024": {restores: true}, "logs-app": {restores: true}},
	},
	{
		// Versions compatible, but orders-2025 is the write index of the alias
		// "orders" on both clusters, and a restore brings the index's aliases
		// (include_aliases defaults to true): "alias [orders] has more than one
		// write index".
		name: "os13-os219-alias", plan: "os13-to-os219-alias.yaml", src: "os-1.3", dst: "os-2.19",
		want: map[string]outcome{"orders-2025": {rule: "SNAP-002"}},
	},
	{
		name: "os13-os3", plan: "os13-to-os3.yaml", src: "os-1.3", dst: "os-3",
		want: map[string]outcome{
			"orders-2024": {rule: "VER-003"},
			"orders-2025": {rule: "VER-003"},
			"logs-app":    {rule: "VER-003"},
		},
	},
	{
		name: "os219-os3", plan: "os219-to-os3.yaml", src: "os-2.19", dst: "os-3",
		want: map[string]outcome{"orders-2024": {restores: true}, "logs-app": {restores: true}},
	},
}

func TestGroundTruth(t *testing.T) {
	up := upNodes(t)
	catalogue := ruleCatalogue(t)
	for _, tc := range gtCases {
		t.Run(tc.name, func(t *testing.T) {
			n := nodes{}
			for _, name := range append([]string{tc.src, tc.dst}, tc.extra...) {
				u, ok := up[name]
				if !ok {
					t.Skipf("node %s is not up (ESPF_NODES=%q); run testdata/nodes/integration.sh", name, os.Getenv("ESPF_NODES"))
				}
				n[name] = &node{name: name, url: u}
			}
			runGroundTruth(t, tc, n, catalogue)
		})
	}
}

func runGroundTruth(t *testing.T, tc gtCase, n nodes, catalogue map[string]bool) {
	src, dst := n[tc.src], n[tc.dst]
	if tc.setup != nil {
		tc.setup(t, n)
	}
	indices := make([]string, 0, len(tc.want))
	for ix := range tc.want {
		indices = append(indices, ix)
	}
	sort.Strings(indices)
	plan := testdata("integration", tc.plan)

	// The verdicts first: the clusters as they are before anything moves.
	ref := referenceFacts(t, src, dst)
	refFile := filepath.Join(t.TempDir(), "reference.facts.json")
	writeJSON(t, refFile, ref)
	refVerdict := verdict(t, "check", "--plan", plan, "--facts", refFile, "--format", "json", "--fail-on", "never")
	e2eVerdict := verdict(t, "check", "--plan", plan, "--format", "json", "--fail-on", "never")
	compareProbe(t, plan, ref, indices)

	// Then reality: snapshot on the source, restore index by index on the destination.
	stamp := fmt.Sprintf("%s-%d", tc.name, time.Now().UnixNano())
	location := "gt-" + stamp
	got := migrate(t, src, dst, location, indices)

	for _, ix := range indices {
		w, r := tc.want[ix], got[ix]
		t.Logf("%s: real %s; rules on reference facts: %s; end to end: %s", ix, r, refVerdict.describe(ix), e2eVerdict.describe(ix))
		// 1. reality against the documented matrix
		if r.restored != w.restores {
			t.Errorf("%s: REALITY differs from the compatibility matrix: expected restores=%v, the real restore on %s: %s", ix, w.restores, dst.name, r)
		}
		if r.restored && r.dstDocs != r.srcDocs {
			t.Errorf("%s: restored on %s with %d documents, the source has %d", ix, dst.name, r.dstDocs, r.srcDocs)
		}
		// 2. and 3. the verdicts against reality
		for _, v := range []*verdictResult{refVerdict, e2eVerdict} {
			if missing := v.missing(ix, w.rule, catalogue); missing != "" {
				t.Errorf("%s: %s verdict cannot be computed yet: %s", ix, v.label, missing)
				continue
			}
			pred := v.predictsFailure(ix)
			switch {
			case pred && r.restored:
				t.Errorf("%s: %s verdict says it fails (%s) but the real restore on %s succeeded", ix, v.label, v.describe(ix), dst.name)
			case !pred && !r.restored:
				if w.gap == "" { // a known gap is reported once, below
					t.Errorf("%s: %s verdict says it restores, but the real restore on %s failed: %s", ix, v.label, dst.name, r.err)
				}
			case pred && w.rule != "" && !v.hasRule(ix, w.rule):
				t.Errorf("%s: %s verdict predicts the failure with %s, want %s", ix, v.label, v.describe(ix), w.rule)
			}
		}
		if w.gap != "" && !refVerdict.predictsFailure(ix) {
			t.Errorf("%s: KNOWN GAP, no rule predicts this real failure yet: %s", ix, w.gap)
		}
	}
}

// compareProbe runs `espreflight probe` on the plan and compares what the live
// probe saw with the reference facts: product, version, and for every index of
// the case the created product, version and id. Facts the probe reports
// unknown are logged.
func compareProbe(t *testing.T, plan string, ref *probe.Facts, indices []string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "probed.facts.json")
	code, _, stderr := espreflight(t, "probe", "--plan", plan, "-o", out, "--quiet")
	if code != exitOK {
		t.Errorf("probe --plan %s: exit %d: %s", filepath.Base(plan), code, strings.TrimSpace(stderr))
		if code != exitUnreachable {
			return
		}
	}
	got, err := probe.LoadFacts(out)
	if err != nil {
		t.Errorf("probe wrote no readable facts: %v", err)
		return
	}
	before := t.Failed()
	defer func() {
		if !t.Failed() || before {
			t.Logf("probe: product, version and the created version of every case index agree with the nodes")
		}
	}()
	for _, role := range []string{probe.RoleSource, probe.RoleDestination} {
		want, have := ref.Clusters.ByRole(role), got.Clusters.ByRole(role)
		if have == nil {
			t.Errorf("probe: no facts for the %s", role)
			continue
		}
		for _, u := range have.Unknown {
			t.Logf("probe: %s: unknown %s (%s): %s", role, u.Fact, u.Endpoint, u.Error)
		}
		if have.Product != want.Product {
			t.Errorf("probe: %s product %q, the node says %q", role, have.Product, want.Product)
		}
		if have.Version == nil || have.Version.Number != want.Version.Number {
			t.Errorf("probe: %s version %+v, the node says %s", role, have.Version, want.Version.Number)
		}
		if got, want := caseAliases(have.Aliases, indices, role), caseAliases(want.Aliases, indices, role); got != want {
			t.Errorf("probe: %s aliases %s, the node says %s", role, got, want)
		}
		if role != probe.RoleSource {
			continue
		}
		byName := map[string]probe.Index{}
		for _, ix := range have.Indices {
			byName[ix.Name] = ix
		}
		for _, wix := range want.Indices {
			if !slices.Contains(indices, wix.Name) {
				continue
			}
			hix, ok := byName[wix.Name]
			switch {
			case !ok:
				t.Errorf("probe: source index %s missing from the probed facts", wix.Name)
			case hix.CreatedProduct != wix.CreatedProduct || hix.CreatedVersion != wix.CreatedVersion || hix.CreatedID != wix.CreatedID:
				t.Errorf("probe: source index %s created %s %s (id %d), the node says %s %s (id %d)", wix.Name,
					hix.CreatedProduct, hix.CreatedVersion, hix.CreatedID, wix.CreatedProduct, wix.CreatedVersion, wix.CreatedID)
			}
		}
	}
}

// legacy68Setup puts an index created by ES 6.8 into the ES 7.10 cluster, the
// way it happens in real life: snapshot on 6.8, restore on 7.10.
func legacy68Setup(t *testing.T, n nodes) { legacySetup(t, n["es-6.8"], n["es-7.10"], "legacy68-", 6) }

// legacy56Setup puts an index created by ES 5.6 into the ES 6.8 cluster.
func legacy56Setup(t *testing.T, n nodes) { legacySetup(t, n["es-5.6"], n["es-6.8"], "legacy56-", 5) }

// legacySetup snapshots orders-2024 on from and restores it on to as
// <prefix>orders-2024, which keeps the creating version of from.
func legacySetup(t *testing.T, from, to *node, prefix string, major int64) {
	t.Helper()
	name := prefix + "orders-2024"
	if to.exists(t, name) {
		return
	}
	loc := fmt.Sprintf("gt-%s%d", prefix, time.Now().UnixNano())
	from.registerRepo(t, "gt-legacy", loc, false)
	from.snapshot(t, "gt-legacy", "s1", []string{"orders-2024"})
	to.registerRepo(t, "gt-legacy", loc, true)
	if err := to.restore("gt-legacy", "s1", "orders-2024", prefix+"$1"); err != nil {
		t.Fatalf("setup: restoring orders-2024 of %s into %s: %v", from.name, to.name, err)
	}
	to.waitYellow(t, name)
	if id := to.createdID(t, name); id/1_000_000 != major {
		t.Fatalf("setup: %s on %s has index.version.created %d, want a %d.x id", name, to.name, id, major)
	}
}

// ---------------------------------------------------------------------------
// The real migration

type realOutcome struct {
	restored         bool
	err              string
	srcDocs, dstDocs int64
}

func (r realOutcome) String() string {
	if r.restored {
		return fmt.Sprintf("restored (%d docs, source %d)", r.dstDocs, r.srcDocs)
	}
	return "FAILED: " + r.err
}

// migrate snapshots the indices on src into a fresh fs repository under the
// shared path.repo and restores them one by one on dst under "restored-<name>".
func migrate(t *testing.T, src, dst *node, location string, indices []string) map[string]realOutcome {
	t.Helper()
	out := map[string]realOutcome{}
	src.registerRepo(t, "gt", location, false)
	src.snapshot(t, "gt", "s1", indices)
	regErr := dst.tryRegisterRepo("gt", location, true)
	for _, ix := range indices {
		r := realOutcome{srcDocs: src.count(t, ix)}
		err := regErr
		if err == nil {
			dst.deleteIndex(t, "restored-"+ix)
			err = dst.restore("gt", "s1", ix, "restored-$1")
		}
		if err != nil {
			r.err = err.Error()
		} else {
			r.restored = true
			dst.waitYellow(t, "restored-"+ix)
			r.dstDocs = dst.count(t, "restored-"+ix)
		}
		out[ix] = r
	}
	return out
}

// ---------------------------------------------------------------------------
// Verdicts

type verdictResult struct {
	label    string
	findings []jsonFinding
}

type jsonFinding struct {
	Rule       string `json:"rule"`
	Severity   string `json:"severity"`
	Message    string `json:"message"`
	Cluster    string `json:"cluster"`
	Index      string `json:"index"`
	Unverified bool   `json:"unverified"`
	Waived     any    `json:"waived"`
}

func verdict(t *testing.T, args ...string) *verdictResult {
	t.Helper()
	label := "end-to-end (check --plan, live probe)"
	for _, a := range args {
		if a == "--facts" {
			label = "rules-on-reference-facts (check --facts)"
		}
	}
	code, stdout, stderr := espreflight(t, args...)
	if code != exitOK && code != exitFindings && code != exitUnreachable {
		t.Fatalf("%s: espreflight %s: exit %d\nstderr: %s", label, strings.Join(args, " "), code, stderr)
	}
	var doc struct {
		Findings []jsonFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%s: output is not JSON: %v\n%s", label, err, stdout)
	}
	if code == exitUnreachable {
		t.Logf("%s: exit 3 (a cluster could not be probed): %s", label, strings.TrimSpace(stderr))
	}
	return &verdictResult{label: label, findings: doc.Findings}
}

// applies: the finding is about the index, or about the whole cluster pair.
func (f jsonFinding) applies(ix string) bool {
	return snapshotRules[f.Rule] && f.Waived == nil && (f.Index == "" || f.Index == ix)
}

func (v *verdictResult) predictsFailure(ix string) bool {
	for _, f := range v.findings {
		if f.applies(ix) && !f.Unverified && f.Severity == "error" {
			return true
		}
	}
	return false
}

func (v *verdictResult) hasRule(ix, rule string) bool {
	for _, f := range v.findings {
		if f.applies(ix) && !f.Unverified && f.Rule == rule {
			return true
		}
	}
	return false
}

// missing says why no verdict can be computed for the index, or "".
func (v *verdictResult) missing(ix, rule string, catalogue map[string]bool) string {
	var why []string
	if rule != "" && !catalogue[rule] {
		why = append(why, fmt.Sprintf("rule %s is not in the catalogue (espreflight policies list)", rule))
	}
	for _, f := range v.findings {
		if f.applies(ix) && f.Unverified {
			why = append(why, fmt.Sprintf("%s could not verify: %s", f.Rule, f.Message))
		}
	}
	if len(why) == 0 {
		return ""
	}
	notProbed, rules := true, []string{}
	for _, f := range v.findings {
		if f.applies(ix) && f.Unverified {
			rules = append(rules, f.Rule)
			notProbed = notProbed && strings.Contains(f.Message, "no live probe was run")
		}
	}
	if notProbed && len(rules) > 0 {
		// Every could-not-verify comes from the plan-only facts: say so once.
		why = why[:0]
		if rule != "" && !catalogue[rule] {
			why = append(why, fmt.Sprintf("rule %s is not in the catalogue (espreflight policies list)", rule))
		}
		why = append(why, fmt.Sprintf("check --plan did not probe the clusters (cmd/espreflight/collect.go still returns probe.FromPlan: the live probe is not wired into check), so %s report could-not-verify (\"not probed: no live probe was run\")", strings.Join(uniq(rules), ", ")))
	}
	return strings.Join(uniq(why), "; ")
}

// caseAliases renders the aliases the probe must agree on: on the source those
// of the case's indices, on the destination all of them.
func caseAliases(as []probe.Alias, indices []string, role string) string {
	if as == nil {
		return "unknown"
	}
	var parts []string
	for _, a := range as {
		if role == probe.RoleSource && !slices.Contains(indices, a.Index) {
			continue
		}
		w := "-"
		if a.IsWriteIndex != nil {
			w = strconv.FormatBool(*a.IsWriteIndex)
		}
		parts = append(parts, a.Name+"->"+a.Index+" (write "+w+")")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (v *verdictResult) describe(ix string) string {
	var parts []string
	for _, f := range v.findings {
		if !f.applies(ix) {
			continue
		}
		s := f.Rule + " " + f.Severity
		if f.Unverified {
			s += " (unverified)"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "restores (no snapshot-rule finding)"
	}
	return strings.Join(uniq(parts), ", ")
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// ruleCatalogue is the set of rule ids `policies list` prints.
func ruleCatalogue(t *testing.T) map[string]bool {
	t.Helper()
	code, stdout, stderr := espreflight(t, "policies", "list")
	if code != exitOK {
		t.Fatalf("policies list: exit %d: %s", code, stderr)
	}
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([A-Z]+-\d+)\s`).FindAllStringSubmatch(stdout, -1) {
		ids[m[1]] = true
	}
	return ids
}

// ---------------------------------------------------------------------------
// Reference facts: read by the test itself from the nodes (independent of
// the probe package's collectors), so that the rules are checked against
// reality even before the probe lands.

func referenceFacts(t *testing.T, src, dst *node) *probe.Facts {
	t.Helper()
	f := &probe.Facts{
		Schema:      probe.FactsSchema,
		CollectedAt: time.Now().UTC().Truncate(time.Second),
		Tool:        probe.ToolInfo{Version: "integration-test"},
		Runner:      probe.Runner{Reachable: map[string]bool{"source": true, "destination": true}},
	}
	f.Clusters.Set(probe.RoleSource, src.facts(t))
	f.Clusters.Set(probe.RoleDestination, dst.facts(t))
	return f
}

func (n *node) facts(t *testing.T) *probe.ClusterFacts {
	t.Helper()
	yes := true
	c := &probe.ClusterFacts{Endpoint: n.url, Reachable: &yes, Sources: map[string]string{}, Unknown: []probe.Unknown{}, Settings: map[string]any{}}
	// product: GET / (version.distribution) where the node serves it; es-8's
	// integ-test-zip has no rest-root module (405), and is Elasticsearch.
	c.Product = "elasticsearch"
	var root struct {
		Version struct {
			Number       string `json:"number"`
			Distribution string `json:"distribution"`
		} `json:"version"`
	}
	if status, body := n.do(t, "GET", "/", ""); status == 200 {
		mustJSON(t, body, &root)
		if root.Version.Distribution == "opensearch" {
			c.Product = "opensearch"
		}
	}
	var nodesLocal struct {
		Nodes map[string]struct {
			Version string `json:"version"`
		} `json:"nodes"`
	}
	mustJSON(t, n.must(t, "GET", "/_nodes/_local", ""), &nodesLocal)
	for _, nd := range nodesLocal.Nodes {
		v, err := probe.ParseVersion(nd.Version)
		if err != nil {
			t.Fatalf("%s: node version %q: %v", n.name, nd.Version, err)
		}
		v.Number = nd.Version
		c.Version = v
	}
	if c.Version == nil {
		t.Fatalf("%s: GET /_nodes/_local lists no node", n.name)
	}
	var settings map[string]struct {
		Settings map[string]string `json:"settings"`
	}
	mustJSON(t, n.must(t, "GET", "/_settings?flat_settings=true", ""), &settings)
	c.Indices = []probe.Index{}
	for name, s := range settings {
		id, err := strconv.ParseInt(s.Settings["index.version.created"], 10, 64)
		if err != nil {
			t.Fatalf("%s: %s: index.version.created %q", n.name, name, s.Settings["index.version.created"])
		}
		ix := probe.Index{Name: name, Status: "open", CreatedID: id}
		ix.CreatedProduct, ix.CreatedVersion, ix.CreatedMajor, ix.CreatedMinor = decodeCreated(id)
		ix.Hidden = s.Settings["index.hidden"] == "true"
		ix.PrimaryShards, _ = strconv.Atoi(s.Settings["index.number_of_shards"])
		ix.Replicas, _ = strconv.Atoi(s.Settings["index.number_of_replicas"])
		c.Indices = append(c.Indices, ix)
	}
	sort.Slice(c.Indices, func(i, j int) bool { return c.Indices[i].Name < c.Indices[j].Name })
	c.Aliases = n.aliases(t, c.Product, c.Version)
	for _, fact := range []string{"product", "version", "indices", "aliases"} {
		c.SetSource(fact, "integration test reference facts from "+n.url)
	}
	return c
}

// aliases reads every alias with GET /_alias (not the probe's _cat/aliases),
// one entry per alias and index; is_write_index is nil before
// Elasticsearch 6.4, which has no write index (OpenSearch always has it).
func (n *node) aliases(t *testing.T, product string, v *probe.Version) []probe.Alias {
	t.Helper()
	var resp map[string]struct {
		Aliases map[string]struct {
			IsWriteIndex *bool `json:"is_write_index"`
		} `json:"aliases"`
	}
	mustJSON(t, n.must(t, "GET", "/_alias", ""), &resp)
	writeIndex := product == "opensearch" || v.Major > 6 || v.Major == 6 && v.Minor >= 4
	out := []probe.Alias{}
	for index, ix := range resp {
		for name, a := range ix.Aliases {
			al := probe.Alias{Name: name, Index: index}
			if writeIndex {
				w := a.IsWriteIndex != nil && *a.IsWriteIndex
				al.IsWriteIndex = &w
			}
			out = append(out, al)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Index < out[j].Index
	})
	return out
}

// decodeCreated decodes index.version.created independently of the probe:
// OpenSearch ids carry the 0x08000000 mask; Elasticsearch ids up to 8.10 are
// major*1e6 + minor*1e4 + revision*100 + build; 8.11+ ids (>= 8_500_000) map
// to no release ("8.x" style, minor -1).
func decodeCreated(id int64) (product, version string, major, minor int) {
	product = "elasticsearch"
	if id >= 0x08000000 {
		product, id = "opensearch", id^0x08000000
	}
	if product == "elasticsearch" && id >= 8_500_000 {
		major = int(id / 1_000_000)
		if major == 8 {
			return product, "8.x", 8, -1
		}
		return product, fmt.Sprintf("%d.x", major), major, -1
	}
	major, minor, rev := int(id/1_000_000), int(id/10_000%100), int(id/100%100)
	return product, fmt.Sprintf("%d.%d.%d", major, minor, rev), major, minor
}

func TestDecodeCreated(t *testing.T) {
	for id, want := range map[int64]string{
		6082399:   "elasticsearch 6.8.23",
		7100299:   "elasticsearch 7.10.2",
		135249227: "opensearch 1.3.14", // 1_031_499 ^ 0x08000000
		136408427: "opensearch 2.19.6",
		8_512_000: "elasticsearch 8.x",
	} {
		p, v, _, _ := decodeCreated(id)
		if got := p + " " + v; got != want {
			t.Errorf("decodeCreated(%d) = %q, want %q", id, got, want)
		}
	}
}

// ---------------------------------------------------------------------------
// Nodes

type node struct{ name, url string }

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

var httpClient = &http.Client{Timeout: 3 * time.Minute}

func (n *node) do(t *testing.T, method, path, body string) (int, []byte) {
	t.Helper()
	status, b, err := n.try(method, path, body)
	if err != nil {
		t.Fatalf("%s: %s %s: %v", n.name, method, path, err)
	}
	return status, b
}

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
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func (n *node) must(t *testing.T, method, path, body string) []byte {
	t.Helper()
	status, b := n.do(t, method, path, body)
	if status >= 300 {
		t.Fatalf("%s: %s %s -> %d: %s", n.name, method, path, status, truncate(b))
	}
	return b
}

func (n *node) exists(t *testing.T, index string) bool {
	status, _ := n.do(t, "HEAD", "/"+index, "")
	return status == 200
}

func (n *node) deleteIndex(t *testing.T, index string) {
	if n.exists(t, index) {
		n.must(t, "DELETE", "/"+index, "")
	}
}

func (n *node) tryRegisterRepo(name, location string, readonly bool) error {
	body := fmt.Sprintf(`{"type":"fs","settings":{"location":%q,"readonly":%v}}`, location, readonly)
	status, b, err := n.try("PUT", "/_snapshot/"+name, body)
	if err != nil {
		return err
	}
	if status >= 300 {
		return fmt.Errorf("registering fs repository %s (location %s) -> %d: %s", name, location, status, reason(b))
	}
	return nil
}

func (n *node) registerRepo(t *testing.T, name, location string, readonly bool) {
	t.Helper()
	if err := n.tryRegisterRepo(name, location, readonly); err != nil {
		t.Fatalf("%s: %v", n.name, err)
	}
}

func (n *node) snapshot(t *testing.T, repo, snap string, indices []string) {
	t.Helper()
	body := fmt.Sprintf(`{"indices":%q,"include_global_state":false}`, strings.Join(indices, ","))
	var resp struct {
		Snapshot struct {
			State  string `json:"state"`
			Shards struct {
				Failed int `json:"failed"`
			} `json:"shards"`
		} `json:"snapshot"`
	}
	mustJSON(t, n.must(t, "PUT", "/_snapshot/"+repo+"/"+snap+"?wait_for_completion=true", body), &resp)
	if resp.Snapshot.State != "SUCCESS" || resp.Snapshot.Shards.Failed != 0 {
		t.Fatalf("%s: snapshot %s/%s of %v: state %s, %d failed shards", n.name, repo, snap, indices, resp.Snapshot.State, resp.Snapshot.Shards.Failed)
	}
}

// restore restores one index under the rename replacement; nil when the node
// accepted the restore and every shard was restored.
func (n *node) restore(repo, snap, index, replacement string) error {
	body := fmt.Sprintf(`{"indices":%q,"include_global_state":false,"rename_pattern":"(.+)","rename_replacement":%q}`, index, replacement)
	status, b, err := n.try("POST", "/_snapshot/"+repo+"/"+snap+"/_restore?wait_for_completion=true", body)
	if err != nil {
		return err
	}
	if status >= 300 {
		return fmt.Errorf("%d %s", status, reason(b))
	}
	var resp struct {
		Snapshot struct {
			Shards struct {
				Total, Failed, Successful int
			} `json:"shards"`
		} `json:"snapshot"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return fmt.Errorf("restore response: %v: %s", err, truncate(b))
	}
	if s := resp.Snapshot.Shards; s.Failed > 0 || s.Successful == 0 {
		return fmt.Errorf("restore: %d of %d shards failed: %s", s.Failed, s.Total, truncate(b))
	}
	return nil
}

func (n *node) waitYellow(t *testing.T, index string) {
	t.Helper()
	n.must(t, "GET", "/_cluster/health/"+index+"?wait_for_status=yellow&timeout=60s", "")
}

func (n *node) count(t *testing.T, index string) int64 {
	t.Helper()
	var resp struct {
		Count int64 `json:"count"`
	}
	mustJSON(t, n.must(t, "GET", "/"+index+"/_count", ""), &resp)
	return resp.Count
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

// reason is the error reason of an error response (deepest caused_by), or the body.
func reason(b []byte) string {
	var e struct {
		Error struct {
			Type     string `json:"type"`
			Reason   string `json:"reason"`
			CausedBy *struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"caused_by"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &e) != nil || e.Error.Type == "" {
		return truncate(b)
	}
	s := e.Error.Type + ": " + e.Error.Reason
	if c := e.Error.CausedBy; c != nil {
		s += " (caused by " + c.Type + ": " + c.Reason + ")"
	}
	return s
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", truncate(b), err)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
