package policies

import (
	"fmt"
	"slices"
	"strings"

	"github.com/espreflight/espreflight/probe"
)

// What the rule catalogue says about a plan and the rule ids of a command
// line before anything is probed or evaluated: a typo must stop the run at
// once, with file:line, not after a probe, and never disable a gate in
// silence.

// CheckRuleIDs checks --only and --skip: every id must name a rule of the
// catalogue (built-in or --policy), and no id may be in both.
func (e *Engine) CheckRuleIDs(only, skip []string) error {
	ids := make([]string, len(e.rules))
	for i, r := range e.rules {
		ids[i] = r.ID
	}
	var problems []string
	for _, flag := range []struct {
		name string
		ids  []string
	}{{"--only", only}, {"--skip", skip}} {
		for _, id := range flag.ids {
			if _, ok := e.byID[id]; !ok {
				problems = append(problems, fmt.Sprintf("%s %s: no such rule%s", flag.name, id, probe.DidYouMean(id, ids)))
			}
		}
	}
	for _, id := range only {
		if slices.Contains(skip, id) {
			problems = append(problems, fmt.Sprintf("%s is given to both --only and --skip; keep one", id))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s (see 'espreflight policies list')", strings.Join(problems, "; "))
	}
	return nil
}

// CheckPlan checks what the plan says about rules: each waiver must name a
// rule of the catalogue (built-in or --policy) that applies to the plan's
// method; a waiver that can never match anything is a mistake. The error is
// a probe.PlanErrors at the waivers' lines.
func (e *Engine) CheckPlan(p *probe.Plan) error {
	if p == nil {
		return nil
	}
	ids := make([]string, len(e.rules))
	for i, r := range e.rules {
		ids[i] = r.ID
	}
	var errs probe.PlanErrors
	for i, w := range p.Waivers {
		path := fmt.Sprintf("waivers[%d].rule", i)
		if w.Rule == "" {
			continue // the loader says it is missing
		}
		r, ok := e.byID[w.Rule]
		switch {
		case !ok:
			errs = append(errs, &probe.PlanError{File: p.File, Line: p.Line(path), Path: path,
				Msg: fmt.Sprintf("%q is no rule%s; see 'espreflight policies list' (with --policy DIR for your own rules)", w.Rule, probe.DidYouMean(w.Rule, ids))})
		case p.Method != "" && !r.AppliesTo(p.Method):
			errs = append(errs, &probe.PlanError{File: p.File, Line: p.Line(path), Path: path,
				Msg: fmt.Sprintf("%s applies to %s plans only, and this plan's method is %s, so the waiver can never match; remove it", w.Rule, strings.Join(r.Methods, " and "), p.Method)})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}
