package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/espreflight/espreflight/policies"
)

// JUnit XML in the common shape that Jenkins (its xunit plugin's
// junit-10.xsd, testdata/junit), GitLab, Azure DevOps and GitHub test
// reporters read: <testsuites> holding one <testsuite>, one <testcase> per
// rule (per index for per-index rules) named after what it checks
// ("VER-003 <title> [orders-2024]"). A finding that fails the gate (at or
// above --fail-on) is a <failure>, or an <error> when it could not verify; a
// finding below it (a warning at the default --fail-on error) leaves its
// test case passed, with the finding in <system-out>, so that a run that
// exits 0 shows no failure. Waived findings, rules left out with --skip or
// --only and rules that do not apply to the plan's method are <skipped>,
// the message says why. Where a finding points in the plan is in its text:
// the schema has no file or line on a test case.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	File       string          `xml:"file,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitSkipped `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func renderJUnit(w io.Writer, res *policies.Result, opts Options) error {
	name := "espreflight"
	if res.PlanName != "" {
		name += ": " + res.PlanName
	}
	suite := junitSuite{Name: name, Time: "0", File: res.PlanFile}
	if !res.EvaluatedAt.IsZero() {
		suite.Timestamp = res.EvaluatedAt.UTC().Format("2006-01-02T15:04:05")
	}
	props := [][2]string{
		{"plan.name", res.PlanName}, {"plan.file", res.PlanFile}, {"tool.version", res.ToolVersion},
		{"exit.code", fmt.Sprint(opts.ExitCode)}, {"exit.meaning", exitMeaning(opts.ExitCode)},
	}
	if !opts.failed() {
		props = append(props, [2]string{"summary", summaryLine(res.Summary)})
	}
	if fi, ok := factsAge(res); ok {
		props = append(props, [2]string{"facts.collected_at", fi.CollectedAt}, [2]string{"facts.age_seconds", fmt.Sprint(fi.AgeSeconds)}, [2]string{"facts.age", fi.Age})
	}
	for _, p := range props {
		if p[1] != "" {
			suite.Properties = append(suite.Properties, junitProperty{Name: p[0], Value: p[1]})
		}
	}
	suite.Cases = junitErrorCases(opts)
	if !opts.failed() {
		for _, s := range ruleStatuses(res) {
			suite.Cases = append(suite.Cases, junitCases(s, res, opts)...)
		}
		for _, sk := range res.Skipped {
			c := junitCase{Name: junitName(sk.Rule, ""), Classname: junitClass(sk.Rule), Time: "0",
				Skipped: &junitSkipped{Message: "skipped: left out with --skip " + sk.Rule.ID}}
			if sk.NotSelected {
				c.Skipped.Message = "skipped: not among the rules asked for with --only"
			}
			suite.Cases = append(suite.Cases, c)
		}
	}
	for _, c := range suite.Cases {
		suite.Tests++
		switch {
		case c.Failure != nil:
			suite.Failures++
		case c.Error != nil:
			suite.Errors++
		case c.Skipped != nil:
			suite.Skipped++
		}
	}
	if len(res.Notices) > 0 && !opts.failed() {
		suite.SystemOut = "Notices:\n" + strings.Join(res.Notices, "\n") + "\n"
	}
	doc := junitSuites{Name: "espreflight", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Time: "0", Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitErrorCases are the test cases of the errors that failed the run: one
// <error> case for them all, named after what did not work.
func junitErrorCases(opts Options) []junitCase {
	if len(opts.Errors) == 0 && !opts.failed() {
		return nil
	}
	name, typ := "espreflight check runs: flags, plan, facts and policies load", "run-failed"
	if opts.ExitCode == exitUnreachable {
		name, typ = "espreflight reaches every cluster the plan names", "unreachable"
	}
	var text strings.Builder
	for _, e := range opts.Errors {
		text.WriteString(strings.TrimSpace(e.Message) + "\n")
	}
	msg := "run failed " + runFailedWhy(opts.ExitCode)
	if len(opts.Errors) > 0 {
		msg = oneLine(opts.Errors[0].Message)
	}
	return []junitCase{{Name: name, Classname: "espreflight", Time: "0",
		Error: &junitProblem{Message: truncate(msg, 1000), Type: typ, Text: "run failed " + runFailedWhy(opts.ExitCode) + ":\n" + text.String()}}}
}

// junitName names a test case after what it checks: the rule id and title,
// and the index in brackets for a per-index case.
func junitName(r policies.Rule, index string) string {
	name := r.ID
	if r.Title != "" {
		name += " " + oneLine(r.Title)
	}
	if index != "" {
		name += " [" + index + "]"
	}
	return name
}

// junitClass is "espreflight.<area>" ("espreflight.ver").
func junitClass(r policies.Rule) string {
	if a := ruleArea(r); a != "" {
		return "espreflight." + a
	}
	return "espreflight"
}

// junitCases turns one rule into test cases: one case for the rule, or one
// per index when its findings name indices (capped like SARIF, the rest in
// aggregate cases).
func junitCases(s *ruleStatus, res *policies.Result, opts Options) []junitCase {
	base := junitCase{Name: junitName(s.Rule, ""), Classname: junitClass(s.Rule), Time: "0"}
	if s.NotApplicable {
		base.Skipped = &junitSkipped{Message: notApplicableText(s.Rule, res.Method)}
		return []junitCase{base}
	}
	if s.passed() {
		return []junitCase{base}
	}
	var plain, perIndex []*policies.Finding
	for _, f := range s.Findings {
		if f.Index != "" {
			perIndex = append(perIndex, f)
		} else {
			plain = append(plain, f)
		}
	}
	var out []junitCase
	if len(plain) > 0 {
		c := base
		fillJUnitCase(&c, plain, "", opts)
		out = append(out, c)
	}
	if len(perIndex) > 0 {
		st := &ruleStatus{Rule: s.Rule, Findings: perIndex}
		for _, it := range capItems([]*ruleStatus{st}, opts.perRuleCap(), MaxSARIFRunResults) {
			c := base
			if it.Agg == nil {
				c.Name = junitName(s.Rule, it.F.Index)
				fillJUnitCase(&c, []*policies.Finding{it.F}, "", opts)
			} else {
				idx := findingIndices(it.Agg)
				c.Name = junitName(s.Rule, plural(len(idx), "more index", "more indices")+", aggregated")
				fillJUnitCase(&c, it.Agg, fmt.Sprintf("%s on the %s aggregated into this test case: %s\n\n",
					plural(len(idx), "index", "indices"), clusterSubject(it.F.Cluster), names(idx, DefaultMaxNames)), opts)
			}
			out = append(out, c)
		}
	}
	return out
}

// fillJUnitCase sets the outcome of a case from its findings: a finding
// that fails the gate (--fail-on) makes a failure, or an error when it
// could not be verified; unwaived findings below the gate leave the case
// passed with their text in system-out; a case whose findings are all
// waived is skipped.
func fillJUnitCase(c *junitCase, fs []*policies.Finding, intro string, opts Options) {
	var open, failing []*policies.Finding
	var waived *policies.Finding
	unverified := false
	for _, f := range fs {
		switch {
		case f.Waived != nil:
			if waived == nil {
				waived = f
			}
		case f.Fails(opts.FailOn):
			failing = append(failing, f)
			unverified = unverified || f.Unverified
			open = append(open, f)
		default:
			open = append(open, f)
		}
	}
	if len(open) == 0 {
		c.Skipped = &junitSkipped{Message: "waived: " + waiverText(waived.Waived, waived.Location.File)}
		return
	}
	text := junitText(fs, intro)
	if len(failing) == 0 {
		f := open[0]
		what := "a warning"
		if f.Severity == policies.SeverityError {
			what = "an error"
		}
		if f.Unverified {
			what += " that could not be verified"
		}
		c.SystemOut = fmt.Sprintf("Passed: %s, below the gate (--fail-on %s).\n%s", what, failOnName(opts.FailOn), text)
		return
	}
	f := failing[0]
	msg := oneLine(f.Message)
	if f.Index != "" && !strings.HasSuffix(c.Name, "["+f.Index+"]") {
		msg = f.Index + ": " + msg
	}
	p := &junitProblem{Message: truncate(msg, 1000), Text: text}
	switch {
	case unverified:
		p.Type = "could-not-verify"
		c.Error = p
	case f.Severity == policies.SeverityError:
		p.Type = "error"
		c.Failure = p
	default:
		p.Type = "warning"
		c.Failure = p
	}
}

// failOnName is the --fail-on a gate runs with ("" is the default, error).
func failOnName(failOn string) string {
	if failOn == "" {
		return policies.FailOnError
	}
	return failOn
}

// junitText is the body of a failure, error or system-out: each distinct
// message with its cluster, waiver, plan line and evidence, then the fix
// and the source.
func junitText(fs []*policies.Finding, intro string) string {
	var text strings.Builder
	text.WriteString(intro)
	seen := map[string]bool{}
	for _, g := range fs {
		key := g.Message + "\x00" + g.Cluster
		if seen[key] {
			continue
		}
		seen[key] = true
		fmt.Fprintf(&text, "%s (%s): %s\n", g.Rule, clusterSubject(g.Cluster), oneLine(g.Message))
		if g.Waived != nil {
			fmt.Fprintf(&text, "  %s\n", waiverText(g.Waived, g.Location.File))
		}
		if g.Location.File != "" {
			fmt.Fprintf(&text, "  at: %s:%d\n", g.Location.File, max(g.Location.Line, 1))
		}
		for _, e := range g.Evidence {
			fmt.Fprintf(&text, "  evidence: %s = %s", e.Fact, formatValue(e.Value, textValueMax))
			if e.Source != "" {
				fmt.Fprintf(&text, "  (%s)", e.Source)
			}
			text.WriteString("\n")
		}
	}
	f := fs[0]
	for _, g := range fs {
		if g.Waived == nil {
			f = g
			break
		}
	}
	if f.Remediation != "" {
		fmt.Fprintf(&text, "fix: %s\n", strings.TrimSpace(f.Remediation))
	}
	if f.HelpURI != "" {
		fmt.Fprintf(&text, "see: %s\n", f.HelpURI)
	}
	return text.String()
}
