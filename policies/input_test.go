package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
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
