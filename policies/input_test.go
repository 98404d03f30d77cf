package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/probe/synthetic"
)

var evalTime = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// requireSameValue checks that the fast conversion equals the reference
// one (the input's JSON, decoded as OPA decodes JSON input), including the
// hashes OPA uses for sets and object keys.
func requireSameValue(t *testing.T, in *Input) {
	t.Helper()
	want, err := jsonValue(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := in.Value(IndexFields{})
	if err != nil {
		t.Fatal(err)
	}
	if ast.Compare(got, want) != 0 || ast.Compare(want, got) != 0 {
		t.Fatalf("fast input differs from the JSON round trip:\n got %.2000s\nwant %.2000s", got, want)
	}
	if got.Hash() != want.Hash() {
		t.Fatalf("fast input hash %d, JSON round trip hash %d", got.Hash(), want.Hash())
	}
	if got.String() != want.String() {
		t.Fatal("fast input prints differently from the JSON round trip")
	}
}

func TestInputValueExampleFacts(t *testing.T) {
	files, _ := filepath.Glob("../testdata/examples/*.facts.json")
	if len(files) == 0 {
		t.Fatal("no example facts under testdata/examples: they are committed")
	}
	plans, _ := filepath.Glob("../testdata/examples/*.yaml")
	for _, file := range files {
		f, err := probe.LoadFacts(file)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(file), func(t *testing.T) { requireSameValue(t, NewInput(f, evalTime)) })
		for _, pf := range plans {
			p, err := probe.LoadPlan(pf)
			if err != nil {
				continue
			}
			g := *f
			g.Plan = p
			t.Run(filepath.Base(file)+"+"+filepath.Base(pf), func(t *testing.T) { requireSameValue(t, NewInput(&g, evalTime)) })
		}
	}
}

func TestInputValueSynthetic(t *testing.T) {
	for _, n := range []int{0, 1, 7, 300, 3000} {
		for seed := int64(1); seed <= 3; seed++ {
			requireSameValue(t, NewInput(synthetic.Facts(n, seed), evalTime))
		}
	}
}

// TestInputValueEdgeCases covers what the generator does not produce:
// unknown indices (nil), missing clusters and selections, nil slices, big
// and negative numbers, invalid UTF-8 and characters JSON escapes.
func TestInputValueEdgeCases(t *testing.T) {
	f := synthetic.Facts(20, 9)
	f.Clusters.Destination.Indices = nil
	f.Clusters.Destination.Nodes = nil
	f.Clusters.Intermediate = &probe.ClusterFacts{Unknown: []probe.Unknown{{Fact: "indices", Error: "timeout"}}}
	ix := &f.Clusters.Source.Indices[3]
	ix.Name = "bad-\xff\xfe-<&>-\"quoted\"-ü"
	ix.DocsCount, ix.StoreBytes, ix.PrimaryStoreBytes = 1<<62, -5, 0
	ix.CreatedMinor, ix.CreatedID = -1, 8_525_000
	ix.CreationDate = ""
	in := NewInput(f, evalTime)
	in.Selection["source"].ByCreated[0].Indices = nil
	in.Selection["intermediate"] = nil
	requireSameValue(t, in)

	requireSameValue(t, &Input{Facts: &probe.Facts{Schema: probe.FactsSchema}})
	requireSameValue(t, &Input{})
	requireSameValue(t, &Input{Facts: synthetic.Facts(3, 1), Selection: map[string]*probe.Selection{"source": {}}})
}

// TestInputFieldsCovered fails when a field is added to one of the structs
// Value builds by hand, until it is added there too.
func TestInputFieldsCovered(t *testing.T) {
	for _, c := range []struct {
		typ  reflect.Type
		keys []*ast.Term
	}{
		{reflect.TypeFor[probe.Index](), indexFields},
		{reflect.TypeFor[probe.Selection](), selectionFields},
		{reflect.TypeFor[probe.CreatedGroup](), createdGroupFields},
	} {
		var want, got []string
		for i := 0; i < c.typ.NumField(); i++ {
			tag := c.typ.Field(i).Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			if opts != "" {
				t.Errorf("%s.%s: json option %q is not handled by Input.Value", c.typ.Name(), c.typ.Field(i).Name, opts)
			}
			want = append(want, name)
		}
		for _, k := range c.keys {
			got = append(got, string(k.Value.(ast.String)))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Input.Value builds keys %v, the struct has %v: update policies/input.go", c.typ.Name(), got, want)
		}
	}
}

// TestRawFindingOf checks the direct reading of findings against decoding
// their JSON, on every finding the rules produce for generated facts and on
// malformed ones (which must be left to the JSON path).
func TestRawFindingOf(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewInput(synthetic.Facts(500, 3), evalTime).Value(e.indexFields)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := e.pq.Eval(context.Background(), rego.EvalParsedInput(v))
	if err != nil {
		t.Fatal(err)
	}
	var items []any
	for _, set := range rs[0].Expressions[0].Value.([]any) {
		items = append(items, set.([]any)...)
	}
	if len(items) == 0 {
		t.Fatal("no findings on generated facts")
	}
	items = append(items,
		map[string]any{"rule": "X-1", "msg": "m", "indices": []any{"a", "b"}, "unverified": true, "extra": 1,
			"evidence": []any{map[string]any{"fact": "f", "value": []any{json.Number("1"), "x", nil}}, nil}},
		map[string]any{"rule": "X-1", "msg": "m", "cluster": nil, "index": nil, "indices": nil, "evidence": nil, "unverified": nil},
	)
	for i, item := range items {
		got, ok := rawFindingOf(item)
		if !ok {
			t.Errorf("item %d: not read directly: %v", i, item)
			continue
		}
		data, _ := json.Marshal(item)
		var want rawFinding
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("item %d:\n got %#v\nwant %#v", i, got, want)
		}
	}
	for i, bad := range []any{
		"str", nil, []any{}, map[string]any{"rule": "X-1"}, map[string]any{"rule": "X-1", "msg": 3},
		map[string]any{"rule": "X-1", "msg": "m", "indices": []any{1}}, map[string]any{"rule": "X-1", "msg": "m", "Index": "i"},
		map[string]any{"rule": "X-1", "msg": "m", "evidence": []any{"e"}}, map[string]any{"rule": "X-1", "msg": "m", "unverified": "yes"},
	} {
		if _, ok := rawFindingOf(bad); ok {
			t.Errorf("bad item %d %v was read directly", i, bad)
		}
	}
}

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
