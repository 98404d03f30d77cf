package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/espreflight/espreflight/probe"
)

// Evaluate runs every rule over the facts and returns the findings, with
// waivers from the plan applied.
func (e *Engine) Evaluate(ctx context.Context, f *probe.Facts, now time.Time) (*Result, error) {
	in := NewInput(f, now)
	v, err := in.Value()
	if err != nil {
		return nil, err
	}
	rs, err := e.pq.Eval(ctx, rego.EvalParsedInput(v))
	if err != nil {
		return nil, fmt.Errorf("evaluate policies: %w", err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("evaluate policies: undefined result")
	}
	sets, ok := rs[0].Expressions[0].Value.([]any)
	if !ok || len(sets) != len(e.refs) {
		return nil, fmt.Errorf("evaluate policies: unexpected result shape %T", rs[0].Expressions[0].Value)
	}
	res := &Result{PlanFile: f.Plan.File, PlanName: f.Plan.Name, EvaluatedAt: now.UTC(), Rules: e.rules}
	for i, set := range sets {
		items, ok := set.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: expected a set of findings, got %T", e.refs[i].path, set)
		}
		for _, item := range items {
			fs, err := e.finding(e.refs[i], item, f)
			if err != nil {
				return nil, err
			}
			res.Findings = append(res.Findings, fs...)
		}
	}
	sortFindings(res.Findings)
	res.Notices = applyWaivers(res.Findings, f.Plan, now)
	res.Summary = summarize(e.rules, res.Findings)
	return res, nil
}

func (e *Engine) finding(ref ruleSetRef, item any, f *probe.Facts) ([]Finding, error) {
	data, err := json.Marshal(item)
	if err != nil {
		return nil, err
	}
	var raw rawFinding
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: a finding must be an object with rule and msg: %w (got %s)", ref.path, err, truncate(string(data), 200))
	}
	if raw.Rule == "" || raw.Msg == "" {
		return nil, fmt.Errorf("%s: a finding needs non-empty \"rule\" and \"msg\" (use lib.finding); got %s", ref.path, truncate(string(data), 200))
	}
	if !ref.ids[raw.Rule] {
		return nil, fmt.Errorf("%s: finding names rule %q, which is not declared by a METADATA block of %s", ref.path, raw.Rule, ref.path)
	}
	rule := e.byID[raw.Rule]
	base := Finding{
		Rule: rule.ID, Severity: rule.Severity, Title: rule.Title, Message: raw.Msg, Cluster: raw.Cluster,
		Index: raw.Index, Remediation: rule.Remediation, HelpURI: rule.HelpURI, Unverified: raw.Unverif,
		Location: Location{File: f.Plan.File, Line: f.Plan.Line(raw.Location), Path: raw.Location},
		Evidence: make([]Evidence, 0, len(raw.Evidence)),
	}
	switch raw.Severity {
	case "":
	case SeverityError:
		// A case of a warning rule that is certain to fail (SNAP-001: an open
		// destination index with the same name) is reported as an error.
		base.Severity = SeverityError
	default:
		return nil, fmt.Errorf("%s: finding of %s has severity %q; a finding may only raise its rule's severity to %q", ref.path, raw.Rule, raw.Severity, SeverityError)
	}
	for _, ev := range raw.Evidence {
		base.Evidence = append(base.Evidence, Evidence{Fact: ev.Fact, Value: ev.Value, Source: EvidenceSource(f, ev.Fact)})
	}
	if len(raw.Indices) == 0 {
		return []Finding{base}, nil
	}
	out := make([]Finding, len(raw.Indices))
	for i, name := range raw.Indices {
		out[i] = base
		out[i].Index = name
	}
	return out, nil
}

// EvidenceSource says where a fact came from: a plan line, the request that
// collected it, or the evaluation itself.
func EvidenceSource(f *probe.Facts, fact string) string {
	switch {
	case strings.HasPrefix(fact, "plan."):
		path := strings.TrimPrefix(fact, "plan.")
		return fmt.Sprintf("%s line %d", f.Plan.File, f.Plan.Line(path))
	case strings.HasPrefix(fact, "clusters."), strings.HasPrefix(fact, "selection."):
		parts := strings.SplitN(fact, ".", 4)
		if len(parts) < 3 {
			return "facts"
		}
		role, key := parts[1], parts[2]
		if parts[0] == "selection" {
			key = "indices"
		}
		if i := strings.IndexAny(key, "[]"); i >= 0 {
			key = key[:i]
		}
		c := f.Clusters.ByRole(role)
		if c == nil {
			return "not declared in the plan"
		}
		if src, ok := c.Sources[key]; ok {
			if parts[0] == "selection" {
				return src + ", selected by plan indices"
			}
			return src
		}
		for _, u := range c.Unknown {
			if u.Fact == key {
				return "unknown: " + u.Error
			}
		}
		return "facts of the " + role
	case strings.HasPrefix(fact, "runner."):
		return "reachability test from the machine that ran espreflight"
	case strings.HasPrefix(fact, "eval."):
		return "evaluation time"
	}
	return "facts"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return FindingLess(&fs[i], &fs[j]) })
}

// FindingLess is the stable report order of findings: rule, cluster, index, message.
func FindingLess(a, b *Finding) bool {
	if a.Rule != b.Rule {
		return a.Rule < b.Rule
	}
	if a.Cluster != b.Cluster {
		return a.Cluster < b.Cluster
	}
	if a.Index != b.Index {
		return a.Index < b.Index
	}
	return a.Message < b.Message
}

func summarize(rules []Rule, fs []Finding) Summary {
	type st struct{ open, openErrors, waived int }
	by := map[string]*st{}
	for _, f := range fs {
		s := by[f.Rule]
		if s == nil {
			s = &st{}
			by[f.Rule] = s
		}
		if f.Waived != nil {
			s.waived++
		} else {
			s.open++
			if f.Severity == SeverityError {
				s.openErrors++
			}
		}
	}
	sum := Summary{Rules: len(rules)}
	for _, r := range rules {
		s := by[r.ID]
		switch {
		case s == nil:
			sum.Passed++
		case s.open == 0:
			sum.Waived++
		case s.openErrors > 0:
			sum.Failed++
		default:
			sum.Warnings++
		}
	}
	return sum
}

// Filter keeps only the rules in only (when not empty) and drops the rules in
// skip, from the catalogue and the findings, and recounts the summary. An id
// that names no rule is an error: a typo must not silently disable a gate.
func (r *Result) Filter(only, skip []string) error {
	if len(only) == 0 && len(skip) == 0 {
		return nil
	}
	known := map[string]bool{}
	for _, rule := range r.Rules {
		known[rule.ID] = true
	}
	var unknown []string
	for _, id := range append(append([]string{}, only...), skip...) {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("unknown rule id(s): %s (see 'espreflight policies list')", strings.Join(unknown, ", "))
	}
	keep := func(id string) bool {
		for _, s := range skip {
			if s == id {
				return false
			}
		}
		if len(only) == 0 {
			return true
		}
		for _, o := range only {
			if o == id {
				return true
			}
		}
		return false
	}
	rules := make([]Rule, 0, len(r.Rules))
	for _, rule := range r.Rules {
		if keep(rule.ID) {
			rules = append(rules, rule)
		}
	}
	findings := r.Findings[:0:0]
	for _, f := range r.Findings {
		if keep(f.Rule) {
			findings = append(findings, f)
		}
	}
	r.Rules, r.Findings = rules, findings
	r.Summary = summarize(r.Rules, r.Findings)
	return nil
}
