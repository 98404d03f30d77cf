package policies

import (
	"slices"
	"time"
)

// Severities a rule can have.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Rule is one entry of the rule catalogue, read from a rule's METADATA.
type Rule struct {
	ID          string `json:"id"`
	Severity    string `json:"severity"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Remediation string `json:"remediation"`
	HelpURI     string `json:"help_uri"`
	// Example is an optional plan snippet that makes the rule fire (custom.example).
	Example string `json:"example,omitempty"`
	// Methods are the plan methods the rule applies to (custom.methods);
	// empty means every method. See AppliesTo.
	Methods []string `json:"methods,omitempty"`
	// Package is the Rego package of the rule, e.g. "espreflight.rules.arch".
	Package string `json:"package"`
	// File and Line locate the rule's METADATA block.
	File string `json:"file"`
	Line int    `json:"line"`
	// Custom is true for rules loaded with --policy.
	Custom bool `json:"custom,omitempty"`
}

// AppliesTo reports whether the rule applies to a plan of this method. A
// rule that does not is "not applicable": it is neither passed nor failed.
func (r *Rule) AppliesTo(method string) bool {
	return len(r.Methods) == 0 || slices.Contains(r.Methods, method)
}

// Evidence is one fact a finding used, with where it came from.
type Evidence struct {
	Fact   string `json:"fact"`
	Value  any    `json:"value"`
	Source string `json:"source"`
}

// Location is where in the plan file a finding points.
type Location struct {
	File string `json:"file"`
	Line int    `json:"line"`
	// Path is the plan key the line belongs to ("source.created"); "" for line 1.
	Path string `json:"path,omitempty"`
}

// Waiver is the waiver that accepted a finding.
type Waiver struct {
	Reason     string `json:"reason"`
	Expires    string `json:"expires"`
	Ticket     string `json:"ticket,omitempty"`
	ApprovedBy string `json:"approved_by,omitempty"`
	// Line is the plan line of the waiver.
	Line int `json:"line"`
}

// Finding is one failed (or unverifiable) check.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Title    string `json:"title"`
	Message  string `json:"message"`
	// Cluster is the role of the cluster concerned ("source", "destination", "intermediate") or "".
	Cluster string `json:"cluster"`
	// Index is the index concerned, or "".
	Index       string     `json:"index"`
	Evidence    []Evidence `json:"evidence"`
	Remediation string     `json:"remediation"`
	HelpURI     string     `json:"help_uri"`
	Location    Location   `json:"location"`
	Waived      *Waiver    `json:"waived"`
	// Unverified is true when the rule could not decide because a fact it
	// needs is unknown. Its Remediation then says how to get the fact.
	Unverified bool `json:"unverified"`
	// Cause is the id of the one Cause (Result.Causes) that left an
	// unverified finding unverified, or "".
	Cause string `json:"cause,omitempty"`
}

// FailOn values: the lowest severity of an unwaived finding that fails the
// gate (check --fail-on), or never.
const (
	FailOnError   = "error"
	FailOnWarning = "warning"
	FailOnNever   = "never"
)

// Fails reports whether the finding fails a gate that fails on failOn
// (FailOnError, FailOnWarning or FailOnNever; "" is FailOnError): an
// unwaived finding at or above that severity. A finding that could not be
// verified counts like a finding of its severity: the gate fails closed.
func (f *Finding) Fails(failOn string) bool {
	switch {
	case f.Waived != nil || failOn == FailOnNever:
		return false
	case failOn == FailOnWarning:
		return true
	}
	return f.Severity == SeverityError
}

// Summary counts the outcome of an evaluation. Rules counts every rule in the
// catalogue; NotApplicable counts the rules that do not apply to the plan's
// method (Rule.AppliesTo); of the others, Passed counts rules with no
// finding, Failed and Warnings count rules with at least one unwaived
// finding of severity error / warning, and Waived counts rules whose every
// finding is waived. Rules = Passed + Failed + Warnings + Waived + NotApplicable.
type Summary struct {
	Rules         int `json:"rules"`
	Passed        int `json:"passed"`
	Failed        int `json:"failed"`
	Warnings      int `json:"warnings"`
	Waived        int `json:"waived"`
	NotApplicable int `json:"not_applicable"`
}

// Result is the outcome of evaluating the rules over one facts document: what
// every renderer receives.
type Result struct {
	ToolVersion string    `json:"-"`
	PlanFile    string    `json:"-"`
	PlanName    string    `json:"-"`
	EvaluatedAt time.Time `json:"-"`
	// FactsCollectedAt is when the facts were collected (the facts
	// document's collected_at); every format shows it with the facts' age.
	FactsCollectedAt time.Time `json:"-"`
	// Rules is the whole catalogue, sorted by id.
	Rules []Rule `json:"-"`
	// Method is the plan's method: the rules that do not apply to it
	// (Rule.AppliesTo) are not applicable, see NotApplicable.
	Method   string    `json:"-"`
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
	// Causes are why the unverified findings lack their facts, each with the
	// rules it affects: one unreachable cluster can leave many rules
	// unverified, and the human reports say so once.
	Causes []Cause `json:"-"`
	// Notices are problems with the evaluation itself that do not fail a rule,
	// such as a waiver that matches nothing.
	Notices []string `json:"notices,omitempty"`
	// Skipped are the rules of the catalogue that Filter left out, in
	// catalogue order: they are in neither Rules nor the summary.
	Skipped []SkippedRule `json:"-"`
}

// SkippedRule is a rule the run left out (Result.Filter).
type SkippedRule struct {
	Rule Rule
	// NotSelected: left out because only other rules were asked for
	// (--only), not by name (--skip).
	NotSelected bool
}

// NotApplicable lists the rules of the catalogue that do not apply to the
// plan's method, in catalogue order.
func (r *Result) NotApplicable() []Rule {
	var out []Rule
	for i := range r.Rules {
		if !r.Rules[i].AppliesTo(r.Method) {
			out = append(out, r.Rules[i])
		}
	}
	return out
}

// rule returns the catalogue entry of id.
func (r *Result) rule(id string) (Rule, bool) {
	for i := range r.Rules {
		if r.Rules[i].ID == id {
			return r.Rules[i], true
		}
	}
	return Rule{}, false
}
