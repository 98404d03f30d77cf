package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/espreflight/espreflight/probe"
)

// Input is the document the policies read as `input`: the facts document plus
// the derived selection and the evaluation time (policies have no clock).
type Input struct {
	*probe.Facts
	Selection map[string]*probe.Selection `json:"selection"`
	Eval      EvalInfo                    `json:"eval"`
}

// EvalInfo tells policies when the evaluation happens.
type EvalInfo struct {
	// Time is RFC 3339 UTC; Date is its YYYY-MM-DD.
	Time string `json:"time"`
	Date string `json:"date"`
}

// NewInput builds the policy input for facts evaluated at now.
func NewInput(f *probe.Facts, now time.Time) *Input {
	now = now.UTC()
	return &Input{Facts: f, Selection: probe.Derive(f), Eval: EvalInfo{Time: now.Format(time.RFC3339), Date: now.Format("2006-01-02")}}
}

// Value converts the input into an OPA value once.
func (in *Input) Value() (ast.Value, error) {
	data, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encode input: %w", err)
	}
	var v any
	if err := util.UnmarshalJSON(data, &v); err != nil {
		return nil, fmt.Errorf("decode input: %w", err)
	}
	return ast.InterfaceToValue(v)
}

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
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
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
	})
}

// applyWaivers marks findings accepted by an unexpired waiver of the plan and
// returns notices for expired waivers and waivers that match nothing.
func applyWaivers(fs []Finding, p *probe.Plan, now time.Time) []string {
	var notices []string
	today := now.UTC().Format("2006-01-02")
	for i, w := range p.Waivers {
		line := p.Line(fmt.Sprintf("waivers[%d]", i))
		if w.Expires < today {
			notices = append(notices, fmt.Sprintf("%s:%d: waiver for %s expired on %s and no longer applies", p.File, line, w.Rule, w.Expires))
			continue
		}
		matched := 0
		var m *probe.Matcher
		if len(w.Indices) > 0 {
			m = probe.NewMatcher(w.Indices)
		}
		for j := range fs {
			f := &fs[j]
			if f.Rule != w.Rule || f.Waived != nil {
				continue
			}
			if w.Cluster != "" && f.Cluster != w.Cluster {
				continue
			}
			if m != nil && (f.Index == "" || !m.Match(f.Index)) {
				continue
			}
			f.Waived = &Waiver{Reason: w.Reason, Expires: w.Expires, Ticket: w.Ticket, ApprovedBy: w.ApprovedBy, Line: line}
			matched++
		}
		if matched == 0 {
			notices = append(notices, fmt.Sprintf("%s:%d: waiver for %s matches no finding (stale); remove it", p.File, line, w.Rule))
		}
	}
	return notices
}

func summarize(rules []Rule, fs []Finding) Summary {
	type st struct{ open, waived int }
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
		case r.Severity == SeverityError:
			sum.Failed++
		default:
			sum.Warnings++
		}
	}
	return sum
}
