//go:build integration

// Ground truth against real nodes: for every case of testdata/integration
// (a plan, and in its "#gt" lines the nodes, the setup and the real outcome of
// every selected index), espreflight's verdict is compared with what the real
// engines do when the migration is performed as the plan says: a snapshot and
// restores, POST _reindex with source.remote, the real elasticdump, or
// snapshot + reindex through the intermediate cluster.
//
// Run through testdata/nodes/integration.sh, which starts the nodes of each
// phase of testdata/nodes/phases.conf and tells the tests what is up:
//
//	ESPF_PHASE=p4 ESPF_NODES="es-7.10=http://127.0.0.1:9271,..."
//
// Per case, before anything moves:
//  1. `probe --plan P -o F`; the probed product, version, index created
//     versions, statuses and aliases must agree with what the test reads from
//     the nodes itself;
//  2. the verdict: `check --plan P --facts F` (exit code and findings), and
//     `check --plan P` (live probe) must give the same per index.
//
// Then the migration runs, and per index: the real outcome is the one the case
// file states (a blocked index fails with the engine's error matching the
// case's pattern; a migrated index has the source's non-zero document count),
// the verdict predicts it (blocked: an error finding, from the case's rule
// when it names one; works: no error finding), and the exit code is 0 exactly
// when the whole migration works. Nothing is deleted on a destination behind
// the tool's back; a cluster setting a case changes is reset after it.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/espreflight/espreflight/report"
)

// realIndex is what the migration did to one source index.
type realIndex struct {
	ok               bool
	err              string // the engine's (or elasticdump's) error when !ok
	srcDocs, dstDocs int64
	target           string // the index name on the destination
}

func (r realIndex) String() string {
	if r.ok {
		return fmt.Sprintf("works (%s: %d docs, source %d)", r.target, r.dstDocs, r.srcDocs)
	}
	return "blocked: " + r.err
}

// migrators perform the real migration of a case, per method.
var migrators = map[string]func(t *testing.T, c *gtCase, n nodes, indices []string) map[string]realIndex{
	"snapshot":           migrateSnapshot,
	"reindex":            migrateReindex,
	"elasticsearch-dump": migrateDump,
	"snapshot-reindex":   migrateSnapshotReindex,
}

// gtRow is one line of the final table.
type gtRow struct{ name, method, predicted, real, exit, match string }

var (
	rowsMu sync.Mutex
	rows   []gtRow
)

func TestGroundTruth(t *testing.T) {
	up := upNodes(t)
	known := knownNodes(t)
	phase := os.Getenv("ESPF_PHASE")
	catalogue := ruleCatalogue(t)
	for _, c := range loadGTCases(t) {
		if phase != "" && c.Phase != phase {
			continue // another phase runs it
		}
		t.Run(c.Name, func(t *testing.T) {
			n := nodes{}
			for _, name := range c.nodeNames() {
				u, ok := up[name]
				if c.isDown(name) {
					if ok {
						t.Fatalf("node %s is up, but the case needs it down", name)
					}
					n[name] = &node{name: name, url: known[name], down: true}
					continue
				}
				if !ok {
					t.Skipf("node %s is not up (ESPF_NODES=%q); run testdata/nodes/integration.sh %s", name, os.Getenv("ESPF_NODES"), c.Phase)
				}
				n[name] = &node{name: name, url: u}
			}
			runCase(t, c, n, catalogue)
		})
	}
	printTable(t)
}

func runCase(t *testing.T, c *gtCase, n nodes, catalogue map[string]bool) {
	src := n[c.Nodes.Source]
	for _, s := range c.Setup {
		runSetup(t, c, n, s)
	}
	indices := selectedIndices(t, c, src)

	// The verdict, on the clusters as they are before anything moves.
	facts := filepath.Join(t.TempDir(), "probed.facts.json")
	probeAndCompare(t, c, n, facts, indices)
	saved := verdict(t, "saved facts (check --facts)", "check", "--plan", c.File, "--facts", facts, "--format", "json")
	live := verdict(t, "live probe (check --plan)", "check", "--plan", c.File, "--format", "json")

	// Reality.
	got := migrators[c.Plan.Method](t, c, n, indices)

	realCase, predCase := outWorks, saved.caseOutcome(indices)
	for _, ix := range indices {
		w, r := c.Expect[ix], got[ix]
		pred := saved.outcome(ix)
		t.Logf("%s: real %s; verdict: %s (live: %s)", ix, r, saved.describe(ix), live.describe(ix))
		if !r.ok {
			realCase = outBlocked
		}
		// 1. reality against the case file
		switch {
		case w.Real == outWorks && !r.ok:
			t.Errorf("%s: REALITY: the case says it works, but the real migration failed: %s", ix, r.err)
		case w.Real == outBlocked && r.ok:
			t.Errorf("%s: REALITY: the case says it fails with /%s/, but the real migration worked (%s)", ix, w.Error, r)
		case w.Real == outBlocked && !regexp.MustCompile(w.Error).MatchString(r.err):
			t.Errorf("%s: REALITY: it failed as the case says, but not with /%s/: %s", ix, w.Error, r.err)
		}
		if r.srcDocs == 0 {
			t.Errorf("%s: the source index has no document; a case must move real data", ix)
		}
		if r.ok && r.dstDocs != r.srcDocs {
			t.Errorf("%s: %s holds %d documents after the migration, the source %d", ix, r.target, r.dstDocs, r.srcDocs)
		}
		// 2. the verdict against reality
		if lp := live.outcome(ix); lp != pred {
			t.Errorf("%s: the live probe's verdict (%s) differs from the saved facts' (%s)", ix, live.describe(ix), saved.describe(ix))
		}
		switch {
		case pred == outCantTell:
			t.Errorf("%s: the verdict cannot be computed: %s", ix, saved.why(ix, w.Rule, catalogue))
		case pred == outBlocked && r.ok:
			t.Errorf("%s: MISMATCH: the verdict says it fails (%s), but the real migration worked", ix, saved.describe(ix))
		case pred == outWorks && !r.ok:
			t.Errorf("%s: MISMATCH: the verdict says it works, but the real migration failed: %s", ix, r.err)
		case pred == outBlocked && w.Rule != "" && !saved.hasRule(ix, w.Rule):
			t.Errorf("%s: the verdict predicts the failure with %s, the case wants %s%s", ix, saved.describe(ix), w.Rule, notInCatalogue(w.Rule, catalogue))
		}
	}
	// 3. the exit code against reality: 0 exactly when the migration works
	wantExit := "0"
	if realCase == outBlocked {
		wantExit = "1 (or 3: a cluster could not be probed)"
	}
	exitRight := (saved.exit == exitOK) == (realCase == outWorks)
	if !exitRight {
		t.Errorf("check exited %d, want %s: the real migration %s", saved.exit, wantExit, realCase)
	}
	if live.exit != saved.exit {
		t.Errorf("check --plan (live) exited %d, check --facts %d", live.exit, saved.exit)
	}
	match := "yes"
	if predCase != realCase || !exitRight || t.Failed() {
		match = "NO"
	}
	addRow(gtRow{c.Name, c.Plan.Method, predCase, realCase, fmt.Sprint(saved.exit), match})
}

func notInCatalogue(rule string, catalogue map[string]bool) string {
	if catalogue[rule] {
		return ""
	}
	return fmt.Sprintf(" (%s is not in `espreflight policies list`)", rule)
}

// selectedIndices asks the source which indices the plan's patterns select
// (the engine's own wildcard and exclusion rules, open and closed) and checks
// that the case file says something about each.
func selectedIndices(t *testing.T, c *gtCase, src *node) []string {
	t.Helper()
	sel := src.resolve(t, c.Plan.Indices)
	want := make([]string, 0, len(c.Expect))
	for ix := range c.Expect {
		want = append(want, ix)
	}
	sort.Strings(want)
	if !slices.Equal(sel, want) {
		t.Fatalf("the plan's indices %v select %v on %s; the case's expect lists %v", c.Plan.Indices, sel, src.name, want)
	}
	return sel
}

func addRow(r gtRow) {
	rowsMu.Lock()
	defer rowsMu.Unlock()
	rows = append(rows, r)
}

// printTable prints one line per case that ran; integration.sh collects the
// "GT |" lines of every phase into the final table.
func printTable(t *testing.T) {
	rowsMu.Lock()
	defer rowsMu.Unlock()
	if len(rows) == 0 {
		return
	}
	fmt.Printf("GT | %-34s | %-18s | %-9s | %-9s | %-4s | %s\n", "case", "method", "predicted", "real", "exit", "match")
	for _, r := range rows {
		fmt.Printf("GT | %-34s | %-18s | %-9s | %-9s | %-4s | %s\n", r.name, r.method, r.predicted, r.real, r.exit, r.match)
	}
	rows = nil
}

// ---------------------------------------------------------------------------
// Verdicts

type verdictResult struct {
	label    string
	exit     int
	findings []jsonFinding
}

// jsonFinding is one finding of the JSON report, one per index.
type jsonFinding struct {
	Rule, Severity, Message, Cluster, Index string
	Unverified                              bool
	Waived                                  any
}

func verdict(t *testing.T, label string, args ...string) *verdictResult {
	t.Helper()
	code, stdout, stderr := espreflight(t, args...)
	if code != exitOK && code != exitFindings && code != exitUnreachable {
		t.Fatalf("%s: espreflight %s: exit %d\nstderr: %s", label, strings.Join(args, " "), code, stderr)
	}
	var doc report.FindingsDocument
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%s: output is not JSON: %v\n%s", label, err, stdout)
	}
	if code == exitUnreachable {
		t.Logf("%s: exit 3 (a cluster could not be probed): %s", label, strings.TrimSpace(stderr))
	}
	// One finding per index, as the engine returns them.
	var fs []jsonFinding
	for _, e := range doc.Findings {
		f := jsonFinding{Rule: e.Rule, Severity: e.Severity, Message: e.Message, Cluster: e.Cluster, Unverified: e.Unverified}
		if e.Waived != nil {
			f.Waived = e.Waived
		}
		if len(e.Indices) == 0 {
			fs = append(fs, f)
		}
		for _, ix := range e.Indices {
			f.Index = ix
			fs = append(fs, f)
		}
	}
	return &verdictResult{label: label, exit: code, findings: fs}
}

// applies: an unwaived error finding about the index, or about a whole cluster.
func (f jsonFinding) applies(ix string) bool {
	return f.Severity == "error" && f.Waived == nil && (f.Index == "" || f.Index == ix)
}

// outcome is what the verdict predicts for one index: blocked by an error
// finding, cannot tell when an error rule could not verify, works otherwise.
func (v *verdictResult) outcome(ix string) string {
	out := outWorks
	for _, f := range v.findings {
		if !f.applies(ix) {
			continue
		}
		if !f.Unverified {
			return outBlocked
		}
		out = outCantTell
	}
	return out
}

func (v *verdictResult) caseOutcome(indices []string) string {
	out := outWorks
	for _, ix := range indices {
		switch v.outcome(ix) {
		case outBlocked:
			return outBlocked
		case outCantTell:
			out = outCantTell
		}
	}
	return out
}

func (v *verdictResult) hasRule(ix, rule string) bool {
	for _, f := range v.findings {
		if f.applies(ix) && !f.Unverified && f.Rule == rule {
			return true
		}
	}
	return false
}

// why says why no verdict can be computed for the index.
func (v *verdictResult) why(ix, rule string, catalogue map[string]bool) string {
	var why []string
	if rule != "" && !catalogue[rule] {
		why = append(why, fmt.Sprintf("rule %s is not in the catalogue (espreflight policies list)", rule))
	}
	for _, f := range v.findings {
		if f.applies(ix) && f.Unverified {
			why = append(why, fmt.Sprintf("%s could not verify: %s", f.Rule, f.Message))
		}
	}
	return strings.Join(uniq(why), "; ")
}

func (v *verdictResult) describe(ix string) string {
	var parts []string
	for _, f := range v.findings {
		if f.Waived != nil || f.Index != "" && f.Index != ix {
			continue
		}
		s := f.Rule + " " + f.Severity
		if f.Unverified {
			s += " (could not verify)"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return fmt.Sprintf("works (no finding; exit %d)", v.exit)
	}
	return fmt.Sprintf("%s (%s; exit %d)", v.outcome(ix), strings.Join(uniq(parts), ", "), v.exit)
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
