package policies

import "time"

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
	// Package is the Rego package of the rule, e.g. "espreflight.rules.arch".
	Package string `json:"package"`
	// File and Line locate the rule's METADATA block.
	File string `json:"file"`
	Line int    `json:"line"`
	// Custom is true for rules loaded with --policy.
	Custom bool `json:"custom,omitempty"`
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
	// Unverified is true when the rule could not decide because a fact it needs is unknown.
	Unverified bool `json:"unverified"`
}

// Summary counts the outcome of an evaluation. Rules counts every rule in the
// catalogue; Passed counts rules with no finding; Failed and Warnings count
// rules with at least one unwaived finding of severity error / warning; Waived
// counts rules whose every finding is waived.
type Summary struct {
	Rules    int `json:"rules"`
	Passed   int `json:"passed"`
	Failed   int `json:"failed"`
	Warnings int `json:"warnings"`
	Waived   int `json:"waived"`
}

// Result is the outcome of evaluating the rules over one facts document: what
// every renderer receives.
type Result struct {
	ToolVersion string    `json:"-"`
	PlanFile    string    `json:"-"`
	PlanName    string    `json:"-"`
	EvaluatedAt time.Time `json:"-"`
	// Rules is the whole catalogue, sorted by id.
	Rules    []Rule    `json:"-"`
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
	// Notices are problems with the evaluation itself that do not fail a rule,
	// such as a waiver that matches nothing.
	Notices []string `json:"notices,omitempty"`
}
