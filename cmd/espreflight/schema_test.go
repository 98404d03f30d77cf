package main

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	yaml "github.com/goccy/go-yaml"

	"github.com/espreflight/espreflight/docs/schema"
	"github.com/espreflight/espreflight/internal/schemagen"
)

// TestGeneratedDocumentsValidate runs the commands that write documents and
// validates each against its committed schema: the facts of probe, the
// findings of check (also of a failed run), the advice of advise, and the
// plans of plan init, advise --write-plan and plan init --from-advice.
func TestGeneratedDocumentsValidate(t *testing.T) {
	if code, stdout, _ := espreflight(t, "plan", "schema"); code != exitOK || stdout != string(schema.Plan) {
		t.Errorf("plan schema does not print docs/schema/%s", schema.PlanFile)
	}
	committed, err := os.ReadFile(filepath.Join(repoRoot, "docs", "schema", schema.PlanFile))
	if err != nil || string(committed) != string(schema.Plan) {
		t.Errorf("the embedded plan schema is not the committed file: %v", err)
	}
	dir := t.TempDir()
	facts := testdata("examples", "alibaba-pair.facts.json")
	for _, tc := range []struct {
		name, file string
		args       []string
	}{
		{"check", schema.FindingsFile, []string{"check", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", facts, "--format", "json", "--now", "2026-11-26"}},
		{"check, failed run", schema.FindingsFile, []string{"check", "--plan", testdata("plans", "bad", "unknown-key.yaml"), "--format", "json"}},
		{"advise", schema.AdviceFile, adviseArgs("opensearch-to-es", "--format", "json")},
	} {
		_, stdout, stderr := espreflight(t, tc.args...)
		if err := schemagen.ValidateJSON(schemagen.Compile(t, tc.file), []byte(stdout)); err != nil {
			t.Errorf("%s: %v\n%s", tc.name, err, stderr)
		}
	}
	code, stdout, stderr := espreflightStdin(t, declaredPlan, "probe", "--plan", "-", "--now", "2026-11-26")
	if err := schemagen.ValidateJSON(schemagen.Compile(t, schema.FactsFile), []byte(stdout)); code != exitOK || err != nil {
		t.Errorf("probe: exit %d, %v %s", code, err, stderr)
	}
	plans := map[string]string{}
	for _, m := range []string{"snapshot", "logstash", "reindex", "elasticsearch-dump", "snapshot-reindex"} {
		p := filepath.Join(dir, m+".yaml")
		if code, _, stderr := espreflight(t, "plan", "init", "-q", "--method", m, "-o", p); code != exitOK {
			t.Fatalf("plan init %s: %s", m, stderr)
		}
		plans["plan init --method "+m] = p
	}
	advice, written := filepath.Join(dir, "advice.json"), filepath.Join(dir, "advised.yaml")
	if code, _, stderr := espreflight(t, adviseArgs("same-version-small", "--format", "json", "-o", advice, "--write-plan", written, "-q")...); code != exitOK {
		t.Fatalf("advise: exit %d %s", code, stderr)
	}
	plans["advise --write-plan"] = written
	fromAdvice := filepath.Join(dir, "from-advice.yaml")
	if code, _, stderr := espreflight(t, "plan", "init", "-q", "--from-advice", advice, "-o", fromAdvice); code != exitOK {
		t.Fatalf("plan init --from-advice: %s", stderr)
	}
	plans["plan init --from-advice"] = fromAdvice
	v := schemagen.Compile(t, schema.PlanFile)
	var names []string
	for n := range plans {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := os.ReadFile(plans[n])
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if err := schemagen.Validate(v, doc); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}
