package policies

import (
	"context"
	"sort"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/probe/synthetic"
)

// TestMethodQuerySameFindings: evaluating only the rule sets that apply to
// the plan's method gives the findings of the query of every rule set once
// the rules that do not apply are dropped, for every method, and a rule set
// that does not apply to the method is really left out.
func TestMethodQuerySameFindings(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := synthetic.Generate(300, 4, synthetic.Worst)
	for _, m := range probe.Methods {
		p := *f.Plan
		p.Method = m
		g := *f
		g.Plan = &p
		v, err := e.Input(&g, evalTime)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := e.pq.Eval(ctx, rego.EvalParsedInput(v), rego.EvalTime(evalTime))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, set := range rs[0].Expressions[0].Value.([]any) {
			for _, item := range set.([]any) {
				raw, ok := rawFindingOf(item)
				if !ok {
					t.Fatalf("%s: a finding does not decode: %v", m, item)
				}
				if e.byID[raw.Rule].AppliesTo(m) {
					want = append(want, raw.Rule+" "+raw.Msg)
				}
			}
		}
		res, err := e.Evaluate(ctx, &g, evalTime)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		var got []string
		for _, fi := range res.Findings {
			// Evaluate expands a finding per index: count each once.
			if k := fi.Rule + " " + fi.Message + " " + fi.Cluster + " " + fi.Location.Path; !seen[k] {
				seen[k] = true
				got = append(got, fi.Rule+" "+fi.Message)
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if len(uniq(want)) != len(uniq(got)) {
			t.Fatalf("%s: %d distinct findings from the method's query, %d from every rule set", m, len(uniq(got)), len(uniq(want)))
		}
		for i, w := range uniq(want) {
			if uniq(got)[i] != w {
				t.Fatalf("%s: finding %q, want %q", m, uniq(got)[i], w)
			}
		}
		q, err := e.queryFor(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range q.refs {
			applies := false
			for id := range r.ids {
				applies = applies || e.byID[id].AppliesTo(m)
			}
			if !applies {
				t.Errorf("%s: the query evaluates %s, none of whose rules applies", m, r.path)
			}
		}
		if m == "logstash" && len(q.refs) == len(e.refs) {
			t.Error("logstash: every rule set is evaluated; the snapshot rules do not apply to it")
		}
	}
}

func uniq(ss []string) []string {
	var out []string
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}
