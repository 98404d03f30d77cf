package policies

import (
	"context"
	"reflect"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/probe/synthetic"
)

// TestInputCacheSameResults: an engine with the input cache gives, plan
// after plan over the same clusters, the input and the findings of an
// engine without it, including when the index patterns change between
// plans (another selection) and when a plan is evaluated again.
func TestInputCacheSameResults(t *testing.T) {
	ctx := context.Background()
	plain, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cached := plain.WithInputCache()
	for _, shape := range synthetic.Shapes {
		f := synthetic.Generate(400, 2, shape.Shape)
		var plans []*probe.Plan
		for _, m := range probe.Methods {
			for _, indices := range [][]string{{"*"}, {"logs-*", "-.*"}, nil} {
				p := *f.Plan
				p.Method, p.Indices = m, indices
				plans = append(plans, &p)
			}
		}
		plans = append(plans, plans[0], plans[1]) // again, from the cache
		for _, p := range plans {
			g := *f
			g.Plan = p
			want, err := plain.Evaluate(ctx, &g, evalTime)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cached.Evaluate(ctx, &g, evalTime)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %s %v: the cached engine's result differs", shape.Name, p.Method, p.Indices)
			}
			wv, err := plain.Input(&g, evalTime)
			if err != nil {
				t.Fatal(err)
			}
			gv, err := cached.Input(&g, evalTime)
			if err != nil {
				t.Fatal(err)
			}
			if ast.Compare(gv, wv) != 0 {
				t.Fatalf("%s %s %v: the cached input differs", shape.Name, p.Method, p.Indices)
			}
		}
	}
	if n := len(cached.cache.clusters); n != 4 {
		t.Errorf("the cache holds %d clusters, want the 2 of each shape", n)
	}
	if plain.cache != nil {
		t.Error("WithInputCache changed the engine it copied")
	}
}
