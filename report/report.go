// Package report renders the findings of an evaluation as text, JSON, SARIF
// 2.1.0, Markdown or JUnit XML. It evaluates nothing and decides no exit code:
// it only presents a *policies.Result (and, where useful, the facts document
// it came from).
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
)

// Options tune the renderers. The zero value is usable.
type Options struct {
	// Facts is the facts document the result was evaluated over: used for the
	// Markdown plan summary and provenance, SARIF logical locations and run
	// properties. May be nil.
	Facts *probe.Facts
	// Color enables ANSI colour in text output (set it only on a terminal).
	Color bool
	// MaxNames is how many index names text and Markdown list per finding
	// group: 0 means DefaultMaxNames, -1 means all.
	MaxNames int
	// ExitCode is the exit code of the run: SARIF invocations[0].exitCode,
	// the JUnit suite properties and the Markdown verdict. Exit code 2
	// means nothing was evaluated (a bad flag, plan, facts file or policy):
	// every format then renders a failed-run report of Errors instead of
	// findings, with the plan file and name of the result when known.
	ExitCode int
	// FailOn is the run's --fail-on (policies.FailOnError, "" too,
	// FailOnWarning or FailOnNever): JUnit reports as failures only the
	// findings that fail the gate, so that a run that exits 0 shows none.
	FailOn string
	// Errors are why the run failed (exit 2 or 3): every format says them,
	// SARIF as toolExecutionNotifications, JUnit as <error> test cases.
	Errors []RunError
	// SARIFMaxResults is how many results one rule may have in SARIF (and
	// test cases in JUnit) before the rest are aggregated: 0 means
	// DefaultSARIFMaxResults, -1 means no per-rule cap. Independently of it a
	// SARIF run never holds more than MaxSARIFRunResults results.
	SARIFMaxResults int
}

// Defaults and limits.
const (
	DefaultMaxNames        = 10
	DefaultSARIFMaxResults = 1000
	// MaxSARIFRunResults bounds the results of one SARIF run: GitHub rejects
	// a run over 25 000 results and shows only the top 5 000 anyway, so
	// nothing beyond 5 000 would be seen; it also keeps the file under the
	// Multitool's 10 MB input limit.
	MaxSARIFRunResults = 5000
)

// RunError is one error that made a run fail, with the file line it points
// at when it is about one (a plan error).
type RunError struct {
	Message string `json:"message"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
}

// Exit codes the reports tell apart (docs/ci.md, "Exit codes"): a run that
// evaluated nothing, and one that could not reach a cluster.
const (
	exitUsage       = 2
	exitUnreachable = 3
)

// failed reports whether the run evaluated nothing, so that the report is
// a failed-run report.
func (o Options) failed() bool { return o.ExitCode == exitUsage }

// runFailedWhy says in a few words how a run failed, after "run failed".
func runFailedWhy(code int) string {
	s := fmt.Sprintf("exit %d: %s", code, exitMeaning(code))
	if code == exitUsage {
		s += "; nothing was evaluated"
	}
	return "(" + s + ")"
}

func (o Options) maxNames() int {
	if o.MaxNames == 0 {
		return DefaultMaxNames
	}
	return o.MaxNames
}

func (o Options) perRuleCap() int {
	switch {
	case o.SARIFMaxResults == 0:
		return DefaultSARIFMaxResults
	case o.SARIFMaxResults < 0:
		return MaxSARIFRunResults
	}
	return o.SARIFMaxResults
}

// Finding categories, in the order the human formats show them.
const (
	catError = iota
	catWarning
	catUnverified
	catWaived
)

func category(f *policies.Finding) int {
	switch {
	case f.Waived != nil:
		return catWaived
	case f.Unverified:
		return catUnverified
	case f.Severity == policies.SeverityError:
		return catError
	}
	return catWarning
}

// group is the findings of one rule with the same message, cluster and
// category (and waiver): what the human formats show as one entry.
type group struct {
	Cat      int
	First    *policies.Finding
	Indices  []string // indices named by the findings, in order
	Count    int      // findings in the group
	NoIndex  int      // findings without an index
	Location policies.Location
}

// sortedFindings returns the findings in the stable report order: rule,
// cluster, index, message, then waived last.
func sortedFindings(res *policies.Result) []*policies.Finding {
	out := make([]*policies.Finding, len(res.Findings))
	for i := range res.Findings {
		out[i] = &res.Findings[i]
	}
	less := func(i, j int) bool { return policies.FindingLess(out[i], out[j]) }
	// Evaluate already returns this order; sort only results built otherwise.
	if !sort.SliceIsSorted(out, less) {
		sort.SliceStable(out, less)
	}
	return out
}

// groups groups the findings by category, rule, message, cluster and waiver,
// keeping the report order inside each category.
func groups(res *policies.Result) [4][]*group {
	var out [4][]*group
	idx := map[string]*group{}
	for _, f := range sortedFindings(res) {
		c := category(f)
		wl := 0
		if f.Waived != nil {
			wl = f.Waived.Line
		}
		key := fmt.Sprintf("%d\x00%s\x00%s\x00%s\x00%d", c, f.Rule, f.Cluster, f.Message, wl)
		g := idx[key]
		if g == nil {
			g = &group{Cat: c, First: f, Location: f.Location}
			idx[key] = g
			out[c] = append(out[c], g)
		}
		g.Count++
		if f.Index != "" {
			g.Indices = append(g.Indices, f.Index)
		} else {
			g.NoIndex++
		}
	}
	return out
}

// ruleStatus is the outcome of one catalogue rule.
type ruleStatus struct {
	Rule     policies.Rule
	Open     int // unwaived findings
	Waived   int
	Unverif  int // unwaived findings that could not be verified
	Findings []*policies.Finding
	// NotApplicable: the rule does not apply to the plan's method; it has
	// no findings and is neither passed nor failed.
	NotApplicable bool
}

func (s *ruleStatus) passed() bool { return !s.NotApplicable && s.Open == 0 && s.Waived == 0 }

// ruleStatuses returns one status per catalogue rule (plus any rule a
// finding names that the catalogue lacks), in catalogue order.
func ruleStatuses(res *policies.Result) []*ruleStatus {
	var out []*ruleStatus
	by := map[string]*ruleStatus{}
	for _, r := range res.Rules {
		if by[r.ID] != nil {
			continue
		}
		s := &ruleStatus{Rule: r, NotApplicable: !r.AppliesTo(res.Method)}
		by[r.ID] = s
		out = append(out, s)
	}
	for _, f := range sortedFindings(res) {
		s := by[f.Rule]
		if s == nil {
			s = &ruleStatus{Rule: ruleFromFinding(f)}
			by[f.Rule] = s
			out = append(out, s)
		}
		s.Findings = append(s.Findings, f)
		switch {
		case f.Waived != nil:
			s.Waived++
		default:
			s.Open++
			if f.Unverified {
				s.Unverif++
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Rule.ID < out[j].Rule.ID })
	return out
}

func ruleFromFinding(f *policies.Finding) policies.Rule {
	return policies.Rule{ID: f.Rule, Severity: f.Severity, Title: f.Title, Remediation: f.Remediation, HelpURI: f.HelpURI}
}

// formatValue renders an evidence value compactly (JSON, strings quoted),
// cut to max runes when max > 0.
func formatValue(v any, max int) string {
	var s string
	switch x := v.(type) {
	case nil:
		s = "unknown (null)"
	case json.Number:
		s = x.String()
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			s = fmt.Sprint(v)
		} else {
			s = strings.TrimSpace(buf.String())
		}
	}
	return truncate(s, max)
}

func truncate(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// names lists up to max names, then "… and N more".
func names(list []string, max int) string {
	if max < 0 || len(list) <= max {
		return strings.Join(list, ", ")
	}
	return strings.Join(list[:max], ", ") + fmt.Sprintf(" … and %d more", len(list)-max)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// summaryLine is the one summary line every human format ends with
// (docs/ci.md, "What each format holds").
func summaryLine(s policies.Summary) string {
	return fmt.Sprintf("%d rules, %d passed, %d failed, %d warnings, %d waived, %d not applicable", s.Rules, s.Passed, s.Failed, s.Warnings, s.Waived, s.NotApplicable)
}

// FactsInfo is the facts' collection time and age, as the JSON report
// writes it (FindingsDocument.Facts).
type FactsInfo struct {
	// CollectedAt is the facts document's collected_at (RFC 3339, UTC).
	CollectedAt string `json:"collected_at"`
	// AgeSeconds is how long before the evaluation the facts were
	// collected (negative when they claim to be from after it).
	AgeSeconds int64  `json:"age_seconds"`
	Age        string `json:"age"`
}

// factsAge returns the facts' collection time and age, ok false when the
// result does not say when the facts were collected.
func factsAge(res *policies.Result) (FactsInfo, bool) {
	if res.FactsCollectedAt.IsZero() || res.EvaluatedAt.IsZero() {
		return FactsInfo{}, false
	}
	d := res.EvaluatedAt.Sub(res.FactsCollectedAt)
	return FactsInfo{CollectedAt: res.FactsCollectedAt.UTC().Format(time.RFC3339), AgeSeconds: int64(d / time.Second), Age: ageText(d)}, true
}

// ageText says how old facts are: "6 days before the evaluation", "at the
// evaluation", "3 hours after the evaluation time".
func ageText(d time.Duration) string {
	when := "before the evaluation"
	if d < 0 {
		d, when = -d, "after the evaluation time"
	}
	switch {
	case d < time.Minute:
		return "at the evaluation"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute", "minutes") + " " + when
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour", "hours") + " " + when
	}
	return plural(int(d/(24*time.Hour)), "day", "days") + " " + when
}

// factsLine is the one-line account of the facts' age the human formats show.
func factsLine(res *policies.Result) string {
	fi, ok := factsAge(res)
	if !ok {
		return ""
	}
	return fmt.Sprintf("facts collected %s (%s)", res.FactsCollectedAt.UTC().Format("2006-01-02 15:04:05 UTC"), fi.Age)
}

// notApplicableText says why a rule does not apply to the plan's method.
func notApplicableText(r policies.Rule, method string) string {
	return fmt.Sprintf("not applicable: the rule applies to %s plans only; this plan's method is %s", methodList(r.Methods), methodName(method))
}

// methodList joins method names: "a", "a or b", "a, b or c".
func methodList(ms []string) string {
	if len(ms) < 2 {
		return strings.Join(ms, "")
	}
	return strings.Join(ms[:len(ms)-1], ", ") + " or " + ms[len(ms)-1]
}

func methodName(m string) string {
	if m == "" {
		return "not set"
	}
	return m
}

// notApplicableIDs lists the ids of the rules that do not apply to the plan's method.
func notApplicableIDs(res *policies.Result) []string {
	var out []string
	for _, r := range res.NotApplicable() {
		out = append(out, r.ID)
	}
	return out
}

// exitMeaning explains an exit code (docs/ci.md, "Exit codes").
func exitMeaning(code int) string {
	switch code {
	case 0:
		return "no finding at or above --fail-on"
	case 1:
		return "findings at or above --fail-on"
	case 2:
		return "usage, plan or policy error"
	case 3:
		return "a cluster could not be probed well enough to decide"
	}
	return "unexpected exit code"
}

// waiverText describes a waiver in one line.
func waiverText(w *policies.Waiver, file string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "waived until %s", w.Expires)
	if w.ApprovedBy != "" {
		fmt.Fprintf(&b, ", approved by %s", w.ApprovedBy)
	}
	if w.Ticket != "" {
		fmt.Fprintf(&b, ", ticket %s", w.Ticket)
	}
	if file != "" && w.Line > 0 {
		fmt.Fprintf(&b, " (%s:%d)", file, w.Line)
	}
	fmt.Fprintf(&b, ": %s", oneLine(w.Reason))
	return b.String()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// clusterSubject names the cluster of a finding for people.
func clusterSubject(c string) string {
	if c == "" {
		return "plan"
	}
	return c
}
