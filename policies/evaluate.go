package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/espreflight/espreflight/probe"
)

// Input is the exact policy input Evaluate gives the rules for these facts
// at now: the facts document, the selection and the evaluation time, with
// the index objects holding only the keys the compiled policies read.
func (e *Engine) Input(f *probe.Facts, now time.Time) (ast.Value, error) {
	return e.newInput(f, now).value(e.indexFields, e.cache)
}

// WriteInput writes Input as JSON (check --dump-input): given to `opa eval
// -i`, the stock OPA CLI evaluates the rules over the very document
// Evaluate does (docs/opa.md).
func (e *Engine) WriteInput(w io.Writer, f *probe.Facts, now time.Time) error {
	v, err := e.Input(f, now)
	if err != nil {
		return err
	}
	doc, err := ast.JSON(v)
	if err != nil {
		return fmt.Errorf("encode input: %w", err)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// Evaluate runs every rule over the facts and returns the findings, with
// waivers from the plan applied.
func (e *Engine) Evaluate(ctx context.Context, f *probe.Facts, now time.Time) (*Result, error) {
	v, err := e.Input(f, now)
	if err != nil {
		return nil, err
	}
	// The query time is --now: a builtin that reads it (none is allowed
	// today, see Capabilities) reads the evaluation date, not the clock.
	q, err := e.queryFor(ctx, f.Plan.Method)
	if err != nil {
		return nil, err
	}
	sets := make([]any, 0, len(q.refs))
	for _, part := range q.parts {
		rs, err := part.pq.Eval(ctx, rego.EvalParsedInput(v), rego.EvalTime(now))
		if err != nil {
			return nil, &EvalError{Policy: part.policy, Err: err}
		}
		if len(rs) != 1 || len(rs[0].Expressions) != 1 {
			return nil, &EvalError{Policy: part.policy, Err: errors.New("undefined result")}
		}
		got, ok := rs[0].Expressions[0].Value.([]any)
		if !ok || len(got) != part.to-part.from {
			return nil, &EvalError{Policy: part.policy, Err: fmt.Errorf("unexpected result shape %T", rs[0].Expressions[0].Value)}
		}
		sets = append(sets, got...)
	}
	res := &Result{PlanFile: f.Plan.File, PlanName: f.Plan.Name, EvaluatedAt: now.UTC(), FactsCollectedAt: f.CollectedAt.UTC(), Rules: e.rules, Method: f.Plan.Method}
	// Decode every finding first and count what they expand to, so the
	// findings slice is allocated once: at 100 000 indices a rule may expand
	// to 100 000 findings, and regrowing the slice copies them all.
	type decoded struct {
		base    Finding
		indices []string
	}
	var all []decoded
	total := 0
	prov := newProvenance(f)
	for i, set := range sets {
		items, ok := set.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: expected a set of findings, got %T", q.refs[i].path, set)
		}
		for _, item := range items {
			base, indices, err := e.finding(q.refs[i], item, f, prov)
			if err != nil {
				return nil, err
			}
			if !e.byID[base.Rule].AppliesTo(res.Method) {
				// lib.finding makes none; a hand-built one is dropped
				// here, so a rule is not applicable whatever it returns.
				continue
			}
			all = append(all, decoded{base, indices})
			total += max(1, len(indices))
		}
	}
	sets = nil // the OPA result is no longer needed
	x := newExplainer(f)
	for i := range all {
		x.explain(&all[i].base)
	}
	res.Findings = make([]Finding, 0, total)
	for _, d := range all {
		if len(d.indices) == 0 {
			res.Findings = append(res.Findings, d.base)
			continue
		}
		for _, name := range d.indices {
			fi := d.base
			fi.Index = name
			res.Findings = append(res.Findings, fi)
		}
	}
	all = nil
	sortFindings(res.Findings)
	res.Notices = applyWaivers(res.Findings, f.Plan, now)
	res.Causes = x.causes(res.Findings)
	res.Summary = summarize(e.rules, res.Method, res.Findings)
	return res, nil
}

// finding decodes one finding of a rule set; indices lists the indices it
// expands to (one finding per index), nil for a single finding.
func (e *Engine) finding(ref ruleSetRef, item any, f *probe.Facts, prov *provenance) (Finding, []string, error) {
	// Well-formed findings are read straight from the result; anything else
	// takes the JSON path, which says what is wrong with it.
	raw, ok := rawFindingOf(item)
	if !ok {
		data, err := json.Marshal(item)
		if err != nil {
			return Finding{}, nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			return Finding{}, nil, fmt.Errorf("%s: a finding must be an object with rule and msg: %w (got %s)", ref.path, err, truncate(string(data), 200))
		}
		if raw.Rule == "" || raw.Msg == "" {
			return Finding{}, nil, fmt.Errorf("%s: a finding needs non-empty \"rule\" and \"msg\" (use lib.finding); got %s", ref.path, truncate(string(data), 200))
		}
	}
	if !ref.ids[raw.Rule] {
		return Finding{}, nil, fmt.Errorf("%s: finding names rule %q, which is not declared by a METADATA block of %s", ref.path, raw.Rule, ref.path)
	}
	rule := e.byID[raw.Rule]
	line, err := prov.line(raw.Location)
	if err != nil {
		return Finding{}, nil, fmt.Errorf("%s: finding of %s: %w", ref.path, raw.Rule, err)
	}
	base := Finding{
		Rule: rule.ID, Severity: rule.Severity, Title: rule.Title, Message: raw.Msg, Cluster: raw.Cluster,
		Index: raw.Index, Remediation: rule.Remediation, HelpURI: rule.HelpURI, Unverified: raw.Unverif,
		Location: Location{File: f.Plan.File, Line: line, Path: raw.Location},
		Evidence: make([]Evidence, 0, len(raw.Evidence)),
	}
	switch raw.Severity {
	case "":
	case SeverityError:
		// A case of a warning rule that is certain to fail (SNAP-001: an open
		// destination index with the same name) is reported as an error.
		base.Severity = SeverityError
	default:
		return Finding{}, nil, fmt.Errorf("%s: finding of %s has severity %q; a finding may only raise its rule's severity to %q", ref.path, raw.Rule, raw.Severity, SeverityError)
	}
	for _, ev := range raw.Evidence {
		src, err := prov.source(ev.Fact)
		if err != nil {
			return Finding{}, nil, fmt.Errorf("%s: finding of %s: %w", ref.path, raw.Rule, err)
		}
		base.Evidence = append(base.Evidence, Evidence{Fact: ev.Fact, Value: ev.Value, Source: src.Text})
	}
	return base, raw.Indices, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func sortFindings(fs []Finding) {
	sorted := true
	for i := 1; i < len(fs); i++ {
		if compareFindings(&fs[i-1], &fs[i]) > 0 {
			sorted = false
			break
		}
	}
	if sorted {
		return
	}
	// Sort positions, not the findings themselves: moving a Finding copies
	// some 250 bytes (with write barriers), and per-index rules make
	// 100 000s of them. The position breaks ties, which keeps the order
	// stable with the O(n log n) pattern-defeating sort; the permutation is
	// then applied in place, cycle by cycle, each finding moved once and no
	// second slice allocated (advise sorts once per method it evaluates).
	perm := make([]int32, len(fs))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(a, b int32) int {
		if c := compareFindings(&fs[a], &fs[b]); c != 0 {
			return c
		}
		return int(a - b)
	})
	for i := range perm {
		if perm[i] < 0 || perm[i] == int32(i) {
			continue
		}
		tmp := fs[i]
		j := i
		for {
			k := int(perm[j])
			perm[j] = -1
			if k == i {
				fs[j] = tmp
				break
			}
			fs[j] = fs[k]
			j = k
		}
	}
}

// compareFindings orders findings as reports list them: rule, cluster,
// index, message.
func compareFindings(a, b *Finding) int {
	if c := strings.Compare(a.Rule, b.Rule); c != 0 {
		return c
	}
	if c := strings.Compare(a.Cluster, b.Cluster); c != 0 {
		return c
	}
	if c := strings.Compare(a.Index, b.Index); c != 0 {
		return c
	}
	return strings.Compare(a.Message, b.Message)
}

// FindingLess is the stable report order of findings: rule, cluster, index, message.
func FindingLess(a, b *Finding) bool { return compareFindings(a, b) < 0 }

func summarize(rules []Rule, method string, fs []Finding) Summary {
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
		case !r.AppliesTo(method):
			sum.NotApplicable++
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
// skip, from the catalogue and the findings, and recounts the summary; the
// rules it drops are listed in Skipped. An id
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
		} else {
			r.Skipped = append(r.Skipped, SkippedRule{Rule: rule, NotSelected: !slices.Contains(skip, rule.ID)})
		}
	}
	findings := r.Findings[:0:0]
	for _, f := range r.Findings {
		if keep(f.Rule) {
			findings = append(findings, f)
		}
	}
	r.Rules, r.Findings = rules, findings
	causes := r.Causes[:0:0]
	for _, c := range r.Causes {
		c.Rules = slices.DeleteFunc(slices.Clone(c.Rules), func(id string) bool { return !keep(id) })
		if len(c.Rules) > 0 {
			causes = append(causes, c)
		}
	}
	r.Causes = causes
	r.Summary = summarize(r.Rules, r.Method, r.Findings)
	return nil
}

// rawFindingFields maps the JSON keys of rawFinding to its fields.
var rawFindingFields = func() map[string]int {
	out := map[string]int{}
	t := reflect.TypeFor[rawFinding]()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" && t.Field(i).IsExported() {
			out[name] = i
		}
	}
	return out
}()

// rawFindingOf reads a finding from an evaluation result (as rego returns
// it: objects as map[string]any, numbers as json.Number) the way decoding
// its JSON into rawFinding would, without the round trip. ok is false for
// anything that is not a well-formed finding with a non-empty rule and msg,
// has a key that differs from a field's only in case, or a field of a type
// not handled here; the caller then decodes its JSON.
func rawFindingOf(item any) (raw rawFinding, ok bool) {
	m, ok := item.(map[string]any)
	if !ok {
		return raw, false
	}
	rv := reflect.ValueOf(&raw).Elem()
	for k, v := range m {
		i, known := rawFindingFields[k]
		if !known {
			// Other keys (lib.finding passes extra ones through) are ignored
			// by the JSON decoder too, unless they match a field name but
			// for case.
			for f := range rawFindingFields {
				if strings.EqualFold(k, f) {
					return raw, false
				}
			}
			continue
		}
		if v == nil {
			continue // null leaves the zero value, as in JSON
		}
		switch f := rv.Field(i).Addr().Interface().(type) {
		case *string:
			*f, ok = v.(string)
		case *bool:
			*f, ok = v.(bool)
		case *[]string:
			var list []any
			if list, ok = v.([]any); ok {
				*f = make([]string, len(list))
				for j, x := range list {
					if (*f)[j], ok = x.(string); !ok {
						break
					}
				}
			}
		case *[]rawEvidence:
			ok = evidenceOf(v, f)
		default:
			ok = false
		}
		if !ok {
			return raw, false
		}
	}
	return raw, raw.Rule != "" && raw.Msg != ""
}

func evidenceOf(v any, out *[]rawEvidence) bool {
	list, ok := v.([]any)
	if !ok {
		return false
	}
	*out = make([]rawEvidence, len(list))
	for i, x := range list {
		if x == nil {
			continue
		}
		ev, ok := x.(map[string]any)
		if !ok {
			return false
		}
		for k, val := range ev {
			switch k {
			case "fact":
				if val != nil {
					if (*out)[i].Fact, ok = val.(string); !ok {
						return false
					}
				}
			case "value":
				(*out)[i].Value = val
			default:
				return false
			}
		}
	}
	return true
}
