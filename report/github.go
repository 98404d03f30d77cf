package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/espreflight/espreflight/policies"
)

// GitHub Actions workflow commands (--format github): annotations on the
// plan lines in the job's summary and in a pull request's changed files,
// for repositories without code scanning. One annotation per group of
// findings (rule, message, cluster), as in text: a finding that fails the
// gate (--fail-on) is an ::error, one below it a ::warning; waived findings
// get none; notices are ::notice. The errors of a failed run come first.
// The command syntax and its escaping are those of the Actions toolkit
// (https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts)
// and https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands.

// ghPerLevel is how many annotations of one level GitHub shows for a step:
// 10 errors, 10 warnings, 10 notices; the rest are dropped without a word
// (https://github.com/orgs/community/discussions/68471). Beyond it the last
// one says how many more there are.
const ghPerLevel = 10

// Annotation levels, in the order they are written.
var ghLevels = []string{"error", "warning", "notice"}

type ghAnnotation struct {
	level      string
	file       string
	line, col  int
	title, msg string
}

func renderGitHub(w io.Writer, res *policies.Result, opts Options) error {
	var anns []ghAnnotation
	for _, e := range opts.Errors {
		title := "espreflight could not run"
		if opts.ExitCode == exitUnreachable {
			title = "espreflight could not reach a cluster"
		}
		a := ghAnnotation{level: "error", title: title, msg: strings.TrimSpace(e.Message)}
		if a.file = relPath(e.File); a.file != "" {
			a.line, a.col = max(e.Line, 1), e.Column
		}
		anns = append(anns, a)
	}
	if !opts.failed() {
		gs := groups(res)
		for _, cat := range []int{catError, catWarning, catUnverified} {
			for _, g := range gs[cat] {
				anns = append(anns, ghGroup(g, res, opts))
			}
		}
		for _, n := range res.Notices {
			anns = append(anns, ghAnnotation{level: "notice", title: "espreflight notice", msg: n})
		}
	}
	var b strings.Builder
	for _, level := range ghLevels {
		var of []ghAnnotation
		for _, a := range anns {
			if a.level == level {
				of = append(of, a)
			}
		}
		if len(of) > ghPerLevel {
			more := len(of) - (ghPerLevel - 1)
			of = append(of[:ghPerLevel-1], ghAnnotation{level: level, title: "espreflight: " + plural(more, "more "+level, "more "+level+"s"),
				msg: fmt.Sprintf("GitHub shows %d annotations of a kind per step; %s not shown here are in the text, SARIF and Markdown reports.", ghPerLevel, plural(more, level, level+"s"))})
		}
		for _, a := range of {
			writeGHCommand(&b, a)
		}
	}
	if opts.failed() {
		fmt.Fprintf(&b, "espreflight: run failed %s\n", runFailedWhy(opts.ExitCode))
	} else {
		b.WriteString(summaryLine(res.Summary) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ghGroup is the annotation of one group of findings: on its plan line,
// titled with the rule, saying the message, the indices and the fix.
func ghGroup(g *group, res *policies.Result, opts Options) ghAnnotation {
	f := g.First
	a := ghAnnotation{level: "warning", title: f.Rule + " " + oneLine(f.Title)}
	if f.Fails(opts.FailOn) {
		a.level = "error"
	}
	if f.Unverified {
		a.title = f.Rule + " could not verify: " + oneLine(f.Title)
	}
	file := f.Location.File
	if file == "" {
		file = res.PlanFile
	}
	if a.file = relPath(file); a.file != "" {
		a.line = max(f.Location.Line, 1)
	}
	var m strings.Builder
	fmt.Fprintf(&m, "%s: %s", clusterSubject(f.Cluster), oneLine(f.Message))
	if len(g.Indices) > 0 {
		fmt.Fprintf(&m, "\n%s: %s", plural(len(g.Indices), "index", "indices"), names(g.Indices, opts.maxNames()))
	}
	if rem := strings.TrimSpace(f.Remediation); rem != "" {
		fmt.Fprintf(&m, "\nFix: %s", oneLine(rem))
	}
	if f.HelpURI != "" {
		fmt.Fprintf(&m, "\nSee: %s", f.HelpURI)
	}
	a.msg = m.String()
	return a
}

// writeGHCommand writes one workflow command on one line:
// ::LEVEL file=…,line=…,col=…,title=…::MESSAGE
func writeGHCommand(b *strings.Builder, a ghAnnotation) {
	var props []string
	if a.file != "" {
		props = append(props, "file="+ghProperty(a.file))
		if a.line > 0 {
			props = append(props, fmt.Sprintf("line=%d", a.line))
		}
		if a.col > 0 {
			props = append(props, fmt.Sprintf("col=%d", a.col))
		}
	}
	if a.title != "" {
		props = append(props, "title="+ghProperty(a.title))
	}
	b.WriteString("::" + a.level)
	if len(props) > 0 {
		b.WriteString(" " + strings.Join(props, ","))
	}
	b.WriteString("::" + ghData(a.msg) + "\n")
}

// GitHub's escaping (the toolkit's escapeData and escapeProperty): "%",
// CR and LF in the message; also ":" and "," in a property, which would
// end it.
var (
	ghDataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghPropertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func ghData(s string) string     { return ghDataEscaper.Replace(ghVisible(s)) }
func ghProperty(s string) string { return ghPropertyEscaper.Replace(ghVisible(s)) }

// ghVisible spells out the control characters other than CR, LF and tab
// (\u001b) and the bidirectional overrides (visible.go): written raw, an
// escape sequence from a cluster's answer would act on the job log's
// terminal rendering.
func ghVisible(s string) string {
	return spellOut(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '\t' })
}
