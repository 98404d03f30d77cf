package policies

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/probe/synthetic"
)

// project returns v with the index objects (clusters[_].indices[_]) cut
// down to fields.
func project(t *testing.T, v ast.Value, fields IndexFields) ast.Value {
	t.Helper()
	top := v.(ast.Object)
	clusters, ok := top.Get(ast.InternedTerm("clusters")).Value.(ast.Object)
	if !ok {
		return v
	}
	cs := map[string]*ast.Term{}
	clusters.Foreach(func(role, c *ast.Term) {
		co := c.Value.(ast.Object)
		ixs, ok := co.Get(ast.InternedTerm("indices")).Value.(*ast.Array)
		if !ok {
			cs[string(role.Value.(ast.String))] = c
			return
		}
		var out []*ast.Term
		ixs.Foreach(func(ix *ast.Term) {
			var pairs [][2]*ast.Term
			ix.Value.(ast.Object).Foreach(func(k, x *ast.Term) {
				if fields.Has(string(k.Value.(ast.String))) {
					pairs = append(pairs, [2]*ast.Term{k, x})
				}
			})
			out = append(out, ast.ObjectTerm(pairs...))
		})
		cs[string(role.Value.(ast.String))] = ast.NewTerm(replace(co, map[string]*ast.Term{"indices": ast.ArrayTerm(out...)}))
	})
	var pairs [][2]*ast.Term
	clusters.Foreach(func(role, _ *ast.Term) {
		pairs = append(pairs, [2]*ast.Term{role, cs[string(role.Value.(ast.String))]})
	})
	return replace(top, map[string]*ast.Term{"clusters": ast.ObjectTerm(pairs...)})
}

// requirePrunedSame checks that the pruned input is the full one projected
// on the fields, and that evaluating both gives the same result.
func requirePrunedSame(t *testing.T, e *Engine, f *probe.Facts) {
	t.Helper()
	if e.indexFields.All() {
		t.Fatal("the policies need every index field: nothing is pruned")
	}
	in := NewInput(f, evalTime)
	full, err := in.Value(IndexFields{})
	if err != nil {
		t.Fatal(err)
	}
	pruned, err := in.Value(e.indexFields)
	if err != nil {
		t.Fatal(err)
	}
	want := project(t, full, e.indexFields)
	if ast.Compare(pruned, want) != 0 || pruned.Hash() != want.Hash() {
		t.Fatalf("pruned input is not the full one projected on %s:\n got %.1000s\nwant %.1000s", e.indexFields, pruned, want)
	}
	if f.Plan == nil {
		return // Evaluate needs a plan
	}
	ctx := context.Background()
	got, err := e.Evaluate(ctx, f, evalTime)
	if err != nil {
		t.Fatal(err)
	}
	unpruned := *e
	unpruned.indexFields = IndexFields{}
	ref, err := unpruned.Evaluate(ctx, f, evalTime)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ref) {
		t.Fatalf("results differ with index fields %s: %d findings, %d with all fields", e.indexFields, len(got.Findings), len(ref.Findings))
	}
}

func TestIndexFieldsPruningSameResults(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built-in policies read index fields %s", e.indexFields)
	files, _ := filepath.Glob("../testdata/examples/*.facts.json")
	more, _ := filepath.Glob("../testdata/advice/*.json")
	plans, _ := filepath.Glob("../testdata/examples/*.yaml")
	for _, file := range append(files, more...) {
		f, err := probe.LoadFacts(file)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(file), func(t *testing.T) { requirePrunedSame(t, e, f) })
		for _, pf := range plans {
			p, err := probe.LoadPlan(pf)
			if err != nil {
				continue
			}
			g := *f
			g.Plan = p
			t.Run(filepath.Base(file)+"+"+filepath.Base(pf), func(t *testing.T) { requirePrunedSame(t, e, &g) })
		}
	}
	for _, n := range []int{0, 7, 300, 3000} {
		for seed := int64(1); seed <= 2; seed++ {
			f := synthetic.Facts(n, seed)
			requirePrunedSame(t, e, f)
			// The same indices on both sides: every restored name conflicts.
			g := *f
			dst := *f.Clusters.Destination
			dst.Indices = f.Clusters.Source.Indices
			g.Clusters.Destination = &dst
			requirePrunedSame(t, e, &g)
		}
	}
}

// fieldsOf compiles the built-in policies plus one user module and returns
// the index fields they read.
func fieldsOf(t *testing.T, src string) IndexFields {
	t.Helper()
	mods, err := LoadModules(Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := ast.ParseModuleWithOpts("user.rego", "package espreflight.custom.t\n\n"+src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	mods["user.rego"] = m
	c, err := Compile(mods)
	if err != nil {
		t.Fatal(err)
	}
	return IndexFieldsRead(c.Modules)
}

func TestIndexFieldsRead(t *testing.T) {
	builtin := fieldsOf(t, "x := 1")
	if builtin.All() || !builtin.Has("name") || !builtin.Has("status") {
		t.Fatalf("built-in policies: %s, want a pruned set with name and status", builtin)
	}
	for _, c := range []struct {
		src  string
		adds []string // beyond the built-in fields; nil: all fields
	}{
		{`r contains ix.created_version if { some ix in input.clusters.source.indices }`, []string{"created_version"}},
		{`r if { some c in input.clusters; some ix in c.indices; ix.docs_count > 10 }`, []string{"docs_count"}},
		{`r if { input.clusters[_].indices[_].hidden }`, []string{"hidden"}},
		{`r if { x := input.clusters.source.indices[0]; y := x.health }`, []string{"health"}},
		{`r := object.get(input.clusters.source.indices[0], "replicas", 0)`, []string{"replicas"}},
		{`r := object.get(input.clusters.source.indices[0], ["creation_date"], 0)`, []string{"creation_date"}},
		{`r := count(input.clusters.source.indices)`, []string{}},
		{`r if { input.clusters.source.indices != null }`, []string{}},
		{`r if { every ix in input.clusters.source.indices { ix.system == false } }`, []string{"system"}},
		{`r if { not input.clusters.source.indices[0].data_stream }`, []string{"data_stream"}},
		{`r contains ix if { some ix in input.clusters.source.indices }`, nil},
		{`r if { some ix in input.clusters.source.indices; ix == {"name": "a"} }`, nil},
		{`r if { some ix in input.clusters.source.indices; f(ix) }
f(x) if x.name`, nil},
		{`r if { some ix in input.clusters.source.indices; count(ix) > 2 }`, nil},
		{`r if { some ix in input.clusters.source.indices; some k, _ in ix; k == "x" }`, nil},
		{`r if { some ix in input.clusters.source.indices; k := "name"; ix[k] }`, nil},
		{`r if { some ix in input.clusters.source.indices; object.keys(ix) }`, nil},
		{`r := json.marshal(input.clusters)`, nil},
		{`r := [x | walk(input, x)]`, nil},
		{`r := object.get(input.clusters.source.indices[0], input.plan.key, 0)`, nil},
		{`r := input.clusters.source.indices`, nil},
		{`r if { some c in input.clusters; x := c; y := [x] }`, nil},
		{`r if { x := input.clusters.source; y := object.get(x, "indices", []); some ix in y; ix.primary_shards }`, []string{"primary_shards"}},
		{`r if { x := input.clusters.source; y := object.get(x, "indices", []); z := y[0]; z == {} }`, nil},
	} {
		got := fieldsOf(t, c.src)
		if c.adds == nil {
			if !got.All() {
				t.Errorf("%s: fields %s, want all (an index object is observed whole)", c.src, got)
			}
			continue
		}
		want := slices.Collect(maps.Keys(builtin.keys))
		want = append(want, c.adds...)
		if w := OnlyIndexFields(want...); got.String() != w.String() {
			t.Errorf("%s: fields %s, want %s", c.src, got, w)
		}
	}
}

// TestUserPolicyReadsExtraIndexField: a user rule reading an index field the
// built-in rules do not read still sees it.
func TestUserPolicyReadsExtraIndexField(t *testing.T) {
	dir := t.TempDir()
	src := `package espreflight.custom.big

import data.espreflight.lib

# METADATA
# title: Huge indices
# custom:
#   id: BIG-001
#   severity: warning
warn contains f if {
	some ix in input.clusters.source.indices
	ix.docs_count > 0
	startswith(ix.created_version, "6.")
	f := lib.finding(rego.metadata.rule(), "big", {"cluster": "source", "index": ix.name})
}
`
	if err := os.WriteFile(filepath.Join(dir, "big.rego"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := New(context.Background(), Options{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if !e.indexFields.Has("docs_count") || !e.indexFields.Has("created_version") || e.indexFields.Has("health") {
		t.Fatalf("index fields %s, want docs_count and created_version, not health", e.indexFields)
	}
	f := synthetic.Facts(300, 4)
	res, err := e.Evaluate(context.Background(), f, evalTime)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, ix := range f.Clusters.Source.Indices {
		if ix.DocsCount > 0 && strings.HasPrefix(ix.CreatedVersion, "6.") {
			want++
		}
	}
	got := 0
	for _, fd := range res.Findings {
		if fd.Rule == "BIG-001" {
			got++
		}
	}
	if want == 0 || got != want {
		t.Fatalf("BIG-001 found %d indices, want %d", got, want)
	}
	requirePrunedSame(t, e, f)
}
