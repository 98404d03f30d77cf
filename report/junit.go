package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/espreflight/espreflight/policies"
)

// JUnit XML in the common shape read by Jenkins, GitLab, Azure DevOps and
// GitHub test reporters: <testsuites> holding one <testsuite>, one
// <testcase> per rule (per index for per-index rules), <failure> for a
// failed or warned rule, <error> for a rule that could not verify, <skipped>
// for a waived one and for one that does not apply to the plan's method
// (the message says which).

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
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
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitSkipped `xml:"skipped"`
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
		Skipped: suite.Skipped, Time: "0", Suites: []junitSuite{suite}}
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

// junitCases turns one rule into test cases: one case for the rule, or one
// per index when its findings name indices (capped like SARIF, the rest in
// aggregate cases).
func junitCases(s *ruleStatus, res *policies.Result, opts Options) []junitCase {
	class := "espreflight"
	if a := ruleArea(s.Rule); a != "" {
		class += "." + a
	}
	base := junitCase{Name: s.Rule.ID, Classname: class, Time: "0", File: res.PlanFile}
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
		c.Line = max(plain[0].Location.Line, 1)
		fillJUnitCase(&c, plain, "")
		out = append(out, c)
	}
	if len(perIndex) > 0 {
		st := &ruleStatus{Rule: s.Rule, Findings: perIndex}
		for _, it := range capItems([]*ruleStatus{st}, opts.perRuleCap(), MaxSARIFRunResults) {
			c := base
			c.Line = max(it.F.Location.Line, 1)
			if it.Agg == nil {
				c.Name = s.Rule.ID + " " + it.F.Index
				fillJUnitCase(&c, []*policies.Finding{it.F}, "")
			} else {
				idx := findingIndices(it.Agg)
				c.Name = fmt.Sprintf("%s %s (aggregated)", s.Rule.ID, plural(len(idx), "more index", "more indices"))
				fillJUnitCase(&c, it.Agg, fmt.Sprintf("%s on the %s aggregated into this test case: %s\n\n",
					plural(len(idx), "index", "indices"), clusterSubject(it.F.Cluster), names(idx, DefaultMaxNames)))
			}
			out = append(out, c)
		}
	}
	return out
}

// fillJUnitCase sets the outcome of a case from its findings: an unwaived
// unverified finding makes an error, another unwaived finding a failure; a
// case whose findings are all waived is skipped.
func fillJUnitCase(c *junitCase, fs []*policies.Finding, intro string) {
	var open, waived []*policies.Finding
	unverified := false
	for _, f := range fs {
		if f.Waived != nil {
			waived = append(waived, f)
		} else {
			open = append(open, f)
			unverified = unverified || f.Unverified
		}
	}
	if len(open) == 0 {
		w := waived[0].Waived
		c.Skipped = &junitSkipped{Message: "waived: " + waiverText(w, waived[0].Location.File)}
		return
	}
	f := open[0]
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
	if f.Remediation != "" {
		fmt.Fprintf(&text, "fix: %s\n", strings.TrimSpace(f.Remediation))
	}
	if f.HelpURI != "" {
		fmt.Fprintf(&text, "see: %s\n", f.HelpURI)
	}
	msg := oneLine(f.Message)
	if c.Name != f.Rule && f.Index != "" && !strings.HasPrefix(c.Name, f.Rule+" ") {
		msg = f.Index + ": " + msg
	}
	p := &junitProblem{Message: truncate(msg, 1000), Text: text.String()}
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
