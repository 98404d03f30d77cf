package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/espreflight/espreflight/advise"
)

// AdviceOptions tune the advice renderers. The zero value is usable.
type AdviceOptions struct {
	// Color enables ANSI colour in text output.
	Color bool
	// Command is the command line that produced the advice, shown as a hint
	// for --write-plan in text and Markdown; "" for none.
	Command string
}

// adviceFormats is the one list of the advice's formats (names as in the
// format table, so aliases such as md resolve through LookupFormat):
// AdviceFormats, RenderAdvice and advise --format read it.
var adviceFormats = []struct {
	name   string
	render func(w io.Writer, a *advise.Advice, opts AdviceOptions) error
}{
	{FormatText, advRenderText},
	{FormatJSON, func(w io.Writer, a *advise.Advice, _ AdviceOptions) error { return advRenderJSON(w, a) }},
	{FormatMarkdown, advRenderMarkdown},
}

// AdviceFormats lists the formats RenderAdvice accepts.
func AdviceFormats() []string {
	out := make([]string, len(adviceFormats))
	for i, f := range adviceFormats {
		out[i] = f.name
	}
	return out
}

// RenderAdvice writes the advice (the matrix of migration methods) to w in
// the named format (one of AdviceFormats). Nothing is written when
// rendering fails.
func RenderAdvice(w io.Writer, format string, a *advise.Advice, opts AdviceOptions) error {
	if a == nil {
		return fmt.Errorf("report: no advice to render")
	}
	for _, f := range adviceFormats {
		if f.name != format {
			continue
		}
		var buf bytes.Buffer
		if err := f.render(&buf, a, opts); err != nil {
			return fmt.Errorf("render advice as %s: %w", format, err)
		}
		_, err := w.Write(buf.Bytes())
		return err
	}
	return fmt.Errorf("advice cannot be rendered as %q; use one of %s", format, strings.Join(AdviceFormats(), ", "))
}

func advRenderJSON(w io.Writer, a *advise.Advice) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(a)
}

// advMark is the one-character mark of a verdict.
func advMark(verdict string) (string, string) {
	switch verdict {
	case advise.VerdictWorks:
		return "✓", ansiGreen
	case advise.VerdictWarnings:
		return "!", ansiYellow
	case advise.VerdictBlocked:
		return "✗", ansiRed
	case advise.VerdictCannotTell:
		return "?", ansiMag
	}
	return "-", ansiDim
}

// advName is an option's name in the matrix: its label, with the
// intermediate version for snapshot-reindex.
func advName(o *advise.Option) string {
	n := o.Label
	if o.Intermediate != nil {
		n += " via " + o.Intermediate.Version
	}
	return n
}

func advClusterText(c advise.Cluster) string {
	prod := map[string]string{"elasticsearch": "Elasticsearch", "opensearch": "OpenSearch"}[c.Product]
	if prod == "" {
		prod = "unknown product"
	}
	ver := c.Version
	if ver == "" {
		ver = "(version unknown)"
	}
	var extra []string
	kind := c.Kind
	if c.Provider != "" {
		kind += "/" + c.Provider
	}
	if kind != "" {
		extra = append(extra, kind)
	}
	if c.Region != "" {
		extra = append(extra, c.Region)
	}
	if c.Architecture != "" {
		extra = append(extra, c.Architecture+" architecture")
	}
	s := prod + " " + ver
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

func advVolumeText(a *advise.Advice) string {
	if a.Volume.Bytes < 0 {
		return "unknown (" + a.Volume.From + ")"
	}
	return fmt.Sprintf("%s, %s (%s)", a.Volume.Human, a.Volume.Class, a.Volume.From)
}

func advRuleIDs(rs []advise.Reason) string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.Rule
	}
	return strings.Join(ids, ", ")
}

func advReasonText(r advise.Reason) string {
	if r.More > 0 {
		return fmt.Sprintf("%s (and %d more)", r.Message, r.More)
	}
	return r.Message
}

func advRenderText(w io.Writer, a *advise.Advice, opts AdviceOptions) error {
	t := &textWriter{w: w, color: opts.Color}
	t.printf("%s %s → %s\n", t.style(ansiBold, "Migration advice:"), advClusterText(a.Source), advClusterText(a.Destination))
	t.printf("Data: %s\n", advVolumeText(a))
	need := a.Mode
	if a.Filtered {
		need += ", filtered"
	}
	t.printf("Wanted: %s migration\n\n", need)
	width := len("METHOD")
	for i := range a.Options {
		if n := len([]rune(advName(&a.Options[i]))); n > width {
			width = n
		}
	}
	t.printf("  %-*s  %-11s  %s\n", width, "METHOD", "MODE", "VERDICT")
	for i := range a.Options {
		o := &a.Options[i]
		mark, color := advMark(o.Verdict)
		name := advName(o)
		pad := width - len([]rune(name))
		t.printf("%s %s%s  %-11s  %s\n", t.style(color, mark), name, strings.Repeat(" ", pad), o.Mode, t.style(color, o.Verdict))
		for _, r := range o.Blocking {
			t.printf("      %s %s\n", t.style(ansiRed, r.Rule), advReasonText(r))
		}
		for _, r := range o.Unverified {
			t.printf("      %s %s\n", t.style(ansiMag, r.Rule), advReasonText(r))
		}
		if o.Note != "" {
			t.printf("      %s\n", t.style(ansiDim, o.Note))
		}
		if len(o.Needs) > 0 && o.Works() {
			t.printf("      needs %s\n", strings.Join(o.Needs, "; "))
		}
		if len(o.Warnings) > 0 {
			t.printf("      warnings: %s\n", advRuleIDs(o.Warnings))
		}
	}
	t.printf("\n")
	if r := a.Recommended; r != nil {
		head := "Recommended: " + r.Label
		if r.Intermediate != nil {
			head += " through an intermediate " + advise.ProductName(r.Intermediate.Product) + " " + r.Intermediate.Version + " cluster"
		}
		t.printf("%s\n", t.style(ansiBold, head))
		for _, why := range r.Why {
			t.printf("  - %s\n", why)
		}
		if len(r.Alternatives) > 0 {
			t.printf("  Also works: %s\n", strings.Join(r.Alternatives, ", "))
		}
		if best := a.Best(); best != nil && len(best.Assumes) > 0 {
			t.printf("  Assumed: %s\n", strings.Join(best.Assumes, "; "))
		}
		if opts.Command != "" {
			t.printf("  Starter plan: %s --write-plan migration.yaml\n", opts.Command)
		}
	} else {
		t.printf("%s\n", t.style(ansiBold, "No recommendation: no migration method is known to work."))
	}
	for _, n := range a.Notes {
		t.printf("  Note: %s\n", n)
	}
	if len(a.Unreachable) > 0 {
		t.printf("  Could not probe the %s: the verdicts rest on what the plan declares.\n", strings.Join(a.Unreachable, " and the "))
	}
	works := 0
	for i := range a.Options {
		if a.Options[i].Works() {
			works++
		}
	}
	t.printf("%d options, %d work, %d blocked, %d cannot tell\n", len(a.Options), works, advCount(a, advise.VerdictBlocked), advCount(a, advise.VerdictCannotTell))
	return t.err
}

func advCount(a *advise.Advice, verdict string) int {
	n := 0
	for _, o := range a.Options {
		if o.Verdict == verdict {
			n++
		}
	}
	return n
}

// advMDEscape makes text safe inside a Markdown table cell.
func advMDEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "'")
	return r.Replace(s)
}

func advRenderMarkdown(w io.Writer, a *advise.Advice, opts AdviceOptions) error {
	t := &textWriter{w: w}
	t.printf("# Migration advice\n\n")
	t.printf("| | |\n|---|---|\n")
	t.printf("| Source | %s |\n", advMDEscape(advClusterText(a.Source)))
	t.printf("| Destination | %s |\n", advMDEscape(advClusterText(a.Destination)))
	t.printf("| Data | %s |\n", advMDEscape(advVolumeText(a)))
	need := a.Mode
	if a.Filtered {
		need += ", filtered"
	}
	t.printf("| Wanted | %s migration |\n\n", need)
	if r := a.Recommended; r != nil {
		head := r.Label
		if r.Intermediate != nil {
			head += " through an intermediate " + advise.ProductName(r.Intermediate.Product) + " " + r.Intermediate.Version + " cluster"
		}
		t.printf("**Recommended: %s**\n\n", advMDEscape(head))
		for _, why := range r.Why {
			t.printf("- %s\n", advMDEscape(why))
		}
		if len(r.Alternatives) > 0 {
			t.printf("- Also works: %s\n", advMDEscape(strings.Join(r.Alternatives, ", ")))
		}
		if best := a.Best(); best != nil && len(best.Assumes) > 0 {
			t.printf("- Assumed: %s\n", advMDEscape(strings.Join(best.Assumes, "; ")))
		}
		t.printf("\n")
	} else {
		t.printf("**No recommendation: no migration method is known to work.**\n\n")
	}
	for _, n := range a.Notes {
		t.printf("> %s\n\n", advMDEscape(n))
	}
	t.printf("## Methods\n\n| | Method | Mode | Verdict | Why |\n|---|---|---|---|---|\n")
	for i := range a.Options {
		o := &a.Options[i]
		mark, _ := advMark(o.Verdict)
		var why []string
		for _, r := range o.Blocking {
			why = append(why, "**"+r.Rule+"** "+advMDEscape(advReasonText(r)))
		}
		for _, r := range o.Unverified {
			why = append(why, "**"+r.Rule+"** (could not verify) "+advMDEscape(advReasonText(r)))
		}
		if o.Note != "" {
			why = append(why, advMDEscape(o.Note))
		}
		if len(o.Needs) > 0 && o.Works() {
			why = append(why, "needs "+advMDEscape(strings.Join(o.Needs, "; ")))
		}
		if len(o.Warnings) > 0 {
			why = append(why, "warnings: "+advRuleIDs(o.Warnings))
		}
		t.printf("| %s | %s | %s | %s | %s |\n", mark, advMDEscape(advName(o)), o.Mode, o.Verdict, strings.Join(why, "<br>"))
	}
	if len(a.Unreachable) > 0 {
		t.printf("\nCould not probe the %s: the verdicts rest on what the plan declares.\n", strings.Join(a.Unreachable, " and the "))
	}
	if opts.Command != "" {
		t.printf("\nWrite a starter plan for the recommended method: `%s --write-plan migration.yaml`\n", opts.Command)
	}
	return t.err
}
