package policies

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/espreflight/espreflight/probe"
)

func TestSplitPath(t *testing.T) {
	for p, want := range map[string]string{
		"clusters.source.version":          "clusters|source|version",
		"plan.indices[0]":                  "plan|indices|[0]",
		"clusters.source.nodes[2].plugins": "clusters|source|nodes|[2]|plugins",
		"a[1][2]":                          "a|[1]|[2]",
	} {
		segs, err := splitPath(p)
		if err != nil || strings.Join(segs, "|") != want {
			t.Errorf("splitPath(%q) = %q, %v; want %q", p, segs, err, want)
		}
	}
	for _, p := range []string{"", ".a", "a.", "a..b", "a[", "a[]", "a[0]b", "[0]"} {
		if segs, err := splitPath(p); err == nil {
			t.Errorf("splitPath(%q) = %q, want an error", p, segs)
		}
	}
}

func TestCheckFactPath(t *testing.T) {
	for _, p := range []string{
		"plan.method", "plan.indices[3]", "plan.snapshot.repository.access_key_account.source",
		"plan.source.auth", "clusters.destination.version", "clusters.source.version.number",
		"clusters.source.nodes[0].plugins[1].name", "clusters.source.settings.reindex.remote.whitelist",
		"selection.source.by_created", "runner.reachable.destination", "eval.date",
	} {
		if err := CheckFactPath(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	for p, want := range map[string]string{
		"clusters.source.verison":    `input.clusters.source (ClusterFacts) has no "verison" (it has endpoint, reachable, product, version`,
		"clusters.sourc.version":     `input.clusters (Clusters) has no "sourc" (it has source, destination, intermediate)`,
		"plan.snapshot.alias":        `input.plan.snapshot (Snapshot) has no "alias"`,
		"plan.indices.first":         `input.plan.indices is a list: name an element as [n], not "first"`,
		"plan.method.name":           `input.plan.method is a string: it has no "name"`,
		"selection.sourc.count":      `"sourc" is not a cluster role`,
		"runner.reachable.elsewhere": `"elsewhere" is not a cluster role`,
		"facts":                      `input (Input) has no "facts"`,
		"plan.source.auth.username":  `input.plan.source.auth is a string`, // the input has the auth kind, never the reference
		"clusters.source.version[0]": `input.clusters.source.version (Version) has no "[0]"`,
	} {
		err := CheckFactPath(p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckFactPath(%q) = %v, want an error containing %q", p, err, want)
		}
	}
	if err := CheckPlanPath("source.auth.password_env"); err != nil {
		t.Errorf("plan locations are YAML keys: %v", err)
	}
	if err := CheckPlanPath("source.creatd"); err == nil || !strings.Contains(err.Error(), `plan.source (ClusterSpec) has no "creatd"`) {
		t.Errorf("CheckPlanPath(source.creatd) = %v", err)
	}
}

// A rule whose evidence names no input field, or whose location names no
// plan key, fails the evaluation with the rule and the path: it is a bug of
// the policy, and guessing a source would hide it.
func TestEvaluateRejectsUntypedProvenance(t *testing.T) {
	for _, c := range []struct{ extra, want string }{
		{`{"evidence": [{"fact": "clusters.source.verison", "value": 1}]}`, `finding of TEAM-009: evidence fact "clusters.source.verison" is not a path into the input: input.clusters.source (ClusterFacts) has no "verison"`},
		{`{"location": "source.creatd"}`, `finding of TEAM-009: location: "source.creatd" is not a plan key: plan.source (ClusterSpec) has no "creatd"`},
	} {
		dir := t.TempDir()
		src := `package espreflight.custom.typo

import data.espreflight.lib

# METADATA
# title: Typo
# related_resources:
#   - ref: https://example.com
# custom:
#   id: TEAM-009
#   severity: error
deny contains f if {
	f := lib.finding(rego.metadata.rule(), "m", ` + c.extra + `)
}
`
		if err := os.WriteFile(filepath.Join(dir, "typo.rego"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := New(context.Background(), Options{PolicyDirs: []string{dir}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Evaluate(context.Background(), probe.FromPlan(examplePlan(t, "snapshot.yaml"), "test", evalTime), evalTime)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}

func examplePlan(t *testing.T, name string) *probe.Plan {
	t.Helper()
	p, err := probe.LoadPlan(filepath.Join("..", "testdata", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// metadataPlan is the plan of a rule's METADATA example: the snippet over
// a minimal plan (self-managed 7.10 clusters, one index pattern).
func metadataPlan(r Rule) (*probe.Plan, error) {
	plan := map[string]any{
		"version": 1, "name": "example-" + strings.ToLower(r.ID), "method": "snapshot", "indices": []string{"logs-*"},
		"source":      map[string]any{"kind": "self-managed", "version": "7.10.2"},
		"destination": map[string]any{"kind": "self-managed", "version": "7.10.2"},
	}
	var ex map[string]any
	if err := yaml.Unmarshal([]byte(r.Example), &ex); err != nil {
		return nil, err
	}
	for k, v := range ex {
		plan[k] = v
	}
	data, err := yaml.Marshal(plan)
	if err != nil {
		return nil, err
	}
	return probe.ParsePlan(r.ID+"-example.yaml", data)
}

// TestEvidenceResolves evaluates every rule over every example plan, every
// ground-truth plan and every rule's METADATA example, each with the facts
// the plan alone gives and with every committed facts document, and requires
// each evidence fact of each finding to resolve to a recorded source (a plan
// line, a request, the reason it is unknown), never to the "facts of the
// <role>" fallback, and every rule to fire somewhere, so that its evidence
// is checked.
func TestEvidenceResolves(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	glob := func(pattern string) []string {
		files, err := filepath.Glob(filepath.Join("..", "testdata", pattern))
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s (%v)", pattern, err)
		}
		return files
	}
	var plans []*probe.Plan
	for _, file := range append(glob("examples/*.yaml"), glob("integration/*.yaml")...) {
		p, err := probe.LoadPlan(file)
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, p)
	}
	for _, r := range e.Rules() {
		if r.Example == "" {
			continue
		}
		p, err := metadataPlan(r)
		if err != nil {
			t.Errorf("%s: the METADATA example is not a plan snippet: %v", r.ID, err)
			continue
		}
		plans = append(plans, p)
	}
	factsFiles := append([]string{""}, append(glob("examples/*.facts.json"), glob("advice/*.facts.json")...)...)
	fired := map[string]bool{}
	bad := map[string]bool{}
	for _, p := range plans {
		for _, ff := range factsFiles {
			f := probe.FromPlan(p, "test", evalTime)
			if ff != "" {
				if f, err = probe.LoadFacts(ff); err != nil {
					t.Fatal(err)
				}
				f.ApplyPlan(p)
			}
			res, err := e.Evaluate(context.Background(), f, evalTime)
			if err != nil {
				t.Errorf("%s with %q: %v", p.File, ff, err)
				continue
			}
			for _, fd := range res.Findings {
				fired[fd.Rule] = true
				for _, ev := range fd.Evidence {
					if s := FactSource(f, ev.Fact); !s.Recorded {
						bad[fmt.Sprintf("%s: evidence %s has no recorded source (%q) in %s", fd.Rule, ev.Fact, s.Text, ff)] = true
					}
				}
			}
		}
	}
	var msgs []string
	for m := range bad {
		msgs = append(msgs, m)
	}
	sort.Strings(msgs)
	for _, m := range msgs {
		t.Error(m)
	}
	for _, r := range e.Rules() {
		if !fired[r.ID] {
			t.Errorf("%s fired in no scenario: give it a METADATA example (custom.example) that makes it fire", r.ID)
		}
	}
	t.Logf("%d plans × %d facts documents, %d rules fired", len(plans), len(factsFiles), len(fired))
}

// TestEvidencePathsTyped checks every evidence fact the built-in rules write
// as a literal or a sprintf template ("clusters.%s.version"; %s may stand
// for several segments) against the input's types, whatever the facts:
// TestEvidenceResolves checks the paths computed at run time.
func TestEvidencePathsTyped(t *testing.T) {
	mods, err := LoadModules(Options{})
	if err != nil {
		t.Fatal(err)
	}
	checked, dynamic := 0, 0
	for name, m := range mods {
		ast.WalkTerms(m, func(term *ast.Term) bool {
			obj, ok := term.Value.(ast.Object)
			if !ok {
				return false
			}
			v := obj.Get(ast.StringTerm("fact"))
			if v == nil {
				return false
			}
			loc := fmt.Sprintf("%s:%d", name, term.Location.Row)
			var pattern string
			switch x := v.Value.(type) {
			case ast.String:
				if err := CheckFactPath(string(x)); err != nil {
					t.Errorf("%s: %v", loc, err)
				}
				checked++
				return false
			case ast.Call:
				format, ok := x[1].Value.(ast.String)
				if !ok || x[0].String() != "sprintf" {
					dynamic++
					return false
				}
				pattern = strings.NewReplacer("%s", "*", "%d", "*", "%v", "*").Replace(string(format))
			default:
				dynamic++
				return false
			}
			segs, err := splitPath(strings.ReplaceAll(pattern, "[*]", "[0]"))
			if err == nil {
				if msg := typePath(inputType, "input", segs, "json", true); msg != "" {
					err = fmt.Errorf("%s", msg)
				}
			}
			if err != nil {
				t.Errorf("%s: evidence fact template %q names no input field: %v", loc, pattern, err)
			}
			checked++
			return false
		})
	}
	if checked < 50 {
		t.Fatalf("only %d evidence facts found in the rules: is the walk still reading them?", checked)
	}
	t.Logf("%d literal or template evidence facts checked; %d computed (checked by TestEvidenceResolves)", checked, dynamic)
}
