package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/espreflight/espreflight/policies"
)

// GitLab Code Quality report (--format gitlab): a JSON array of issues with
// the fields GitLab reads (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
// description, check_name, fingerprint, severity and location.path +
// location.lines.begin. One issue per SARIF result (the same per-rule cap
// and aggregation, and the same fingerprints: GitLab shows issues with one
// fingerprint as one), without the waived findings: Code Quality has no
// notion of an accepted issue, and would list them as open.

// GitLab's severities.
const (
	glInfo     = "info"
	glMinor    = "minor"
	glMajor    = "major"
	glCritical = "critical"
	glBlocker  = "blocker"
)

type glIssue struct {
	Description string     `json:"description"`
	CheckName   string     `json:"check_name"`
	Fingerprint string     `json:"fingerprint"`
	Severity    string     `json:"severity"`
	Location    glLocation `json:"location"`
}

type glLocation struct {
	Path  string  `json:"path"`
	Lines glLines `json:"lines"`
}

type glLines struct {
	Begin int `json:"begin"`
}

func renderGitLab(w io.Writer, res *policies.Result, opts Options) error {
	issues := []glIssue{}
	for i, e := range opts.Errors {
		check, sev, what := "espreflight/run-failed", glBlocker, "espreflight could not run: "
		if opts.ExitCode == exitUnreachable {
			check, sev, what = "espreflight/unreachable", glMajor, "espreflight could not reach a cluster: "
		}
		path, line := relPath(e.File), e.Line
		if path == "" {
			path, line = glPath(res), 0
		}
		msg := oneLine(e.Message)
		issues = append(issues, glIssue{Description: what + msg, CheckName: check,
			Fingerprint: fingerprint(check, msg, fmt.Sprint(i)), Severity: sev,
			Location: glLocation{Path: path, Lines: glLines{Begin: max(line, 1)}}})
	}
	if !opts.failed() {
		for _, it := range capItems(ruleStatuses(res), opts.perRuleCap(), MaxSARIFRunResults) {
			f := it.F
			if f.Waived != nil {
				continue
			}
			path := relPath(f.Location.File)
			if path == "" {
				path = glPath(res)
			}
			msg, _, _ := strings.Cut(resultMessage(it), "\n\nEvidence:")
			issues = append(issues, glIssue{Description: f.Rule + " " + oneLine(f.Title) + ": " + oneLine(msg), CheckName: f.Rule,
				Fingerprint: it.Fingerprint, Severity: glSeverity(f, opts),
				Location: glLocation{Path: path, Lines: glLines{Begin: max(f.Location.Line, 1)}}})
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(issues); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// glSeverity ranks a finding for the merge request widget: what fails the
// gate (--fail-on) above what does not. On exit 3 a finding that could not
// be verified is info, as it is a SARIF note: it comes and goes with the
// network.
func glSeverity(f *policies.Finding, opts Options) string {
	switch {
	case f.Unverified && (opts.ExitCode == exitUnreachable || !f.Fails(opts.FailOn)):
		return glInfo
	case !f.Fails(opts.FailOn):
		return glMinor
	case f.Unverified || f.Severity != policies.SeverityError:
		return glMajor
	}
	return glCritical
}

// glPath is the file an issue without a plan line points at: the plan
// file, or "." when there is none (GitLab requires a path).
func glPath(res *policies.Result) string {
	if p := relPath(res.PlanFile); p != "" {
		return p
	}
	return "."
}
