package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/espreflight/espreflight/policies"
)

// ANSI styles used when Options.Color is set.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiMag    = "\x1b[35m"
	ansiGreen  = "\x1b[32m"
)

type textWriter struct {
	w     io.Writer
	color bool
	err   error
}

// styled is text already made visible, maybe wrapped in ANSI codes: printf
// writes it as it is.
type styled string

// block is a multi-line text already made visible (indentText).
type block string

func (t *textWriter) style(code, s string) styled {
	s = visibleLine(s)
	if !t.color || s == "" {
		return styled(s)
	}
	return styled(code + s + ansiReset)
}

// printf writes a line; every string argument is made visible
// (visible.go): it may come from a cluster or a plan.
func (t *textWriter) printf(format string, args ...any) {
	if t.err != nil {
		return
	}
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = visibleLine(s)
		}
	}
	_, t.err = fmt.Fprintf(t.w, format, args...)
}

// textValueMax bounds one evidence value in text and Markdown output.
const textValueMax = 160

var textSections = [4]struct {
	title, mark, color string
}{
	catError:      {"ERRORS", "✗", ansiRed},
	catWarning:    {"WARNINGS", "!", ansiYellow},
	catUnverified: {"COULD NOT VERIFY (treated as failing: a gate that could not look does not pass)", "?", ansiMag},
	catWaived:     {"WAIVED", "~", ansiDim},
}

func renderText(w io.Writer, res *policies.Result, opts Options) error {
	t := &textWriter{w: w, color: opts.Color}
	head := "espreflight"
	if res.ToolVersion != "" {
		head += " " + res.ToolVersion
	}
	switch {
	case res.PlanName != "" && res.PlanFile != "":
		head += fmt.Sprintf(": plan %s (%s)", res.PlanName, res.PlanFile)
	case res.PlanName != "" || res.PlanFile != "":
		head += ": plan " + res.PlanName + res.PlanFile
	}
	t.printf("%s\n", t.style(ansiBold, head))
	if fl := factsLine(res); fl != "" {
		t.printf("%s\n", fl)
	}
	if len(opts.Errors) > 0 || opts.failed() {
		writeTextErrors(t, opts)
	}
	if opts.failed() {
		return t.err
	}
	for _, c := range res.Causes {
		t.printf("\n%s %s\n", t.style(ansiBold+ansiMag, fmt.Sprintf("CANNOT VERIFY %s:", plural(len(c.Rules), "rule", "rules"))), oneLine(c.Text))
		t.printf("  rules: %s\n", strings.Join(c.Rules, ", "))
		t.printf("  to verify them: %s\n", indentText(strings.TrimSpace(c.Remediation), "    "))
	}
	gs := groups(res)
	for c, list := range gs {
		if len(list) == 0 {
			continue
		}
		sec := textSections[c]
		n, rules := 0, map[string]bool{}
		for _, g := range list {
			n += g.Count
			rules[g.First.Rule] = true
		}
		t.printf("\n%s\n", t.style(ansiBold+sec.color, fmt.Sprintf("%s (%s, %s)", sec.title, plural(len(rules), "rule", "rules"), plural(n, "finding", "findings"))))
		for _, g := range list {
			writeTextGroup(t, g, sec.mark, sec.color, opts)
		}
	}
	var passed []string
	for _, s := range ruleStatuses(res) {
		if s.passed() {
			passed = append(passed, s.Rule.ID)
		}
	}
	if len(passed) > 0 {
		t.printf("\n%s %s\n", t.style(ansiGreen, fmt.Sprintf("PASSED (%d):", len(passed))), strings.Join(passed, ", "))
	}
	if na := notApplicableIDs(res); len(na) > 0 {
		t.printf("\n%s %s\n", t.style(ansiDim, fmt.Sprintf("NOT APPLICABLE to method %s (%d):", methodName(res.Method), len(na))), strings.Join(na, ", "))
	}
	if len(res.Notices) > 0 {
		t.printf("\n%s\n", t.style(ansiBold, "NOTICES"))
		for _, n := range res.Notices {
			t.printf("  - %s\n", n)
		}
	}
	t.printf("\n%s\n", summaryLine(res.Summary))
	return t.err
}

// writeTextErrors says why the run failed, one error a line.
func writeTextErrors(t *textWriter, opts Options) {
	t.printf("\n%s\n", t.style(ansiBold+ansiRed, "RUN FAILED "+runFailedWhy(opts.ExitCode)))
	for _, e := range opts.Errors {
		t.printf("  %s\n", indentText(strings.TrimSpace(e.Message), "  "))
	}
}

func writeTextGroup(t *textWriter, g *group, mark, color string, opts Options) {
	f := g.First
	title := f.Title
	t.printf("\n%s %s  %s\n", t.style(color, mark), t.style(ansiBold+color, f.Rule), title)
	t.printf("  %s: %s\n", clusterSubject(f.Cluster), oneLine(f.Message))
	if len(g.Indices) > 0 {
		t.printf("  %s: %s\n", plural(len(g.Indices), "index", "indices"), names(g.Indices, opts.maxNames()))
	}
	if f.Waived != nil {
		t.printf("  %s\n", t.style(ansiDim, waiverText(f.Waived, f.Location.File)))
	}
	if len(f.Evidence) > 0 {
		t.printf("  evidence:\n")
		for _, ev := range f.Evidence {
			src := ""
			if ev.Source != "" {
				src = "  (" + ev.Source + ")"
			}
			t.printf("    %s = %s%s\n", ev.Fact, formatValue(ev.Value, textValueMax), t.style(ansiDim, src))
		}
	}
	if f.Location.File != "" {
		t.printf("  at: %s:%d\n", f.Location.File, max(f.Location.Line, 1))
	}
	switch {
	case g.Cat == catUnverified && f.Cause != "":
		t.printf("  fix: see CANNOT VERIFY at the top of the report\n")
	case f.Remediation != "" && g.Cat != catWaived:
		t.printf("  fix: %s\n", indentText(strings.TrimSpace(f.Remediation), "       "))
	}
	if f.HelpURI != "" {
		t.printf("  see: %s\n", f.HelpURI)
	}
}

// indentText indents every line but the first, each made visible.
func indentText(s, ind string) block {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = visibleLine(strings.TrimSuffix(lines[i], "\r"))
		if i > 0 {
			lines[i] = ind + lines[i]
		}
	}
	return block(strings.Join(lines, "\n"))
}
