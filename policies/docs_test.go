package policies

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/espreflight/espreflight/probe"
)

var updateDocs = flag.Bool("update", false, "rewrite docs/rules.md from the rules' METADATA")

// TestRulesDoc fails when docs/rules.md is not what RulesMarkdown renders
// from the built-in rules; -update rewrites it.
func TestRulesDoc(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := RulesMarkdown(e.Rules())
	path := filepath.Join("..", "docs", "rules.md")
	if *updateDocs {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./policies -run TestRulesDoc -update`)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/rules.md is stale; run `go test ./policies -run TestRulesDoc -update`")
	}
	for _, r := range e.Rules() {
		if !strings.Contains(string(want), "\n## "+r.ID+"\n") {
			t.Errorf("%s missing from the rules doc", r.ID)
		}
	}
}

func TestRulesMarkdownShape(t *testing.T) {
	out := string(RulesMarkdown([]Rule{
		{ID: "B-001", Severity: "warning", Title: "b | pipe", Description: "d", Remediation: "r", HelpURI: "https://x"},
		{ID: "A-001", Severity: "error", Title: "a", Description: "d", Remediation: "r", HelpURI: "https://y", Example: "method: x"},
	}))
	if strings.Index(out, "## A-001") > strings.Index(out, "## B-001") {
		t.Error("rules not sorted by id")
	}
	for _, s := range []string{`b \| pipe`, "```yaml\nmethod: x\n```", "**Source:** <https://y>"} {
		if !strings.Contains(out, s) {
			t.Errorf("missing %q in\n%s", s, out)
		}
	}
}

// exampleCases are the example plans of testdata/examples (owned with the
// rules) and the rules each one must report, as docs/plan.md describes them.
// An id ending in "?" is reported as "could not verify".
var exampleCases = []struct {
	plan, facts string
	want        []string
}{
	{"snapshot.yaml", "snapshot.facts.json", []string{"SNAP-001"}},
	{"snapshot-reindex.yaml", "snapshot-reindex.facts.json", nil},
	{"logstash.yaml", "logstash.facts.json", []string{"LS-002", "VER-007"}},
	{"reindex.yaml", "reindex.facts.json", []string{"FIT-001", "RX-001", "STATE-001"}},
	{"dump.yaml", "dump.facts.json", []string{"CAP-001?", "CAP-002?", "DUMP-001", "FIT-002", "STATE-001?"}},
	{"dump.yaml", "", []string{"ANA-001?", "ANA-002?", "CAP-001?", "CAP-002?", "DEP-002?", "DS-001?", "DUMP-001?", "FIT-001?", "FIT-002?", "IDX-002?", "MAP-001?", "MAP-002?", "MAP-003?", "MAP-004?", "STATE-001?"}},
}

// TestExamples evaluates each example plan with its facts the way
// `espreflight check --plan X --facts Y` does and compares the rule ids.
func TestExamples(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	dir := filepath.Join("..", "testdata", "examples")
	for _, c := range exampleCases {
		t.Run(c.plan+"+"+c.facts, func(t *testing.T) {
			p, err := probe.LoadPlan(filepath.Join(dir, c.plan))
			if err != nil {
				t.Fatal(err)
			}
			var f *probe.Facts
			if c.facts == "" {
				f = probe.FromPlan(p, "test", now)
			} else {
				f, err = probe.LoadFacts(filepath.Join(dir, c.facts))
				if err != nil {
					t.Fatal(err)
				}
				f.ApplyPlan(p)
			}
			res, err := e.Evaluate(context.Background(), f, now)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, fd := range res.Findings {
				id := fd.Rule
				if fd.Unverified {
					id += "?"
				}
				seen[id] = true
				t.Logf("%s %s [%s %s] %s", id, fd.Severity, fd.Cluster, fd.Index, fd.Message)
			}
			var got []string
			for id := range seen {
				got = append(got, id)
			}
			sort.Strings(got)
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("rules reported: %v, want %v", got, c.want)
			}
		})
	}
}
