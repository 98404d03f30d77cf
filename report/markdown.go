package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
)

// mdCellMax bounds the text of one Markdown table cell.
const mdCellMax = 600

func renderMarkdown(w io.Writer, res *policies.Result, opts Options) error {
	var b strings.Builder
	name := res.PlanName
	if name == "" {
		name = res.PlanFile
	}
	fmt.Fprintf(&b, "# espreflight preflight: %s\n\n", mdText(name))

	// Verdict.
	switch {
	case opts.failed():
		fmt.Fprintf(&b, "**❌ Run failed** (exit %d: %s). Nothing was evaluated.\n\n", opts.ExitCode, exitMeaning(opts.ExitCode))
	case opts.ExitCode == 0:
		fmt.Fprintf(&b, "**✅ Passed** (exit 0: %s).", exitMeaning(0))
	default:
		fmt.Fprintf(&b, "**❌ Not passed** (exit %d: %s).", opts.ExitCode, exitMeaning(opts.ExitCode))
	}
	if !opts.failed() {
		fmt.Fprintf(&b, " `%s`\n\n", summaryLine(res.Summary))
	}
	writeMDErrors(&b, opts)
	if opts.failed() {
		writeMDProvenance(&b, res, opts)
		_, err := io.WriteString(w, visibleLines(b.String()))
		return err
	}
	for _, c := range res.Causes {
		ids := make([]string, len(c.Rules))
		for i, id := range c.Rules {
			ids[i] = "`" + id + "`"
		}
		fmt.Fprintf(&b, "> **❔ %s could not verify:** %s.<br>\n> **To verify them:** %s<br>\n> Rules: %s\n\n",
			plural(len(c.Rules), "rule", "rules"), mdText(oneLine(c.Text)), mdText(oneLine(c.Remediation)), strings.Join(ids, ", "))
	}

	writeMDPlan(&b, res, opts)

	gs := groups(res)
	open := append(append([]*group{}, gs[catError]...), gs[catWarning]...)
	if len(open) > 0 {
		fmt.Fprintf(&b, "## Failed and warned rules\n\n")
		fmt.Fprintf(&b, "| | Rule | Cluster | Finding | Evidence |\n|---|---|---|---|---|\n")
		for _, g := range open {
			writeMDRow(&b, g, opts)
		}
		b.WriteString("\n")
		writeMDFixes(&b, open)
	}
	if len(gs[catUnverified]) > 0 {
		fmt.Fprintf(&b, "## Could not verify\n\n")
		fmt.Fprintf(&b, "These rules needed facts that could not be collected. They count as failing (fail closed) until the facts are available or the finding is waived.\n\n")
		fmt.Fprintf(&b, "| | Rule | Cluster | Finding | Evidence |\n|---|---|---|---|---|\n")
		for _, g := range gs[catUnverified] {
			writeMDRow(&b, g, opts)
		}
		b.WriteString("\n")
		writeMDFixes(&b, gs[catUnverified])
	}
	if len(gs[catWaived]) > 0 {
		fmt.Fprintf(&b, "## Waived\n\n")
		fmt.Fprintf(&b, "| Rule | Cluster | Finding | Reason | Ticket | Approved by | Expires | Waiver |\n|---|---|---|---|---|---|---|---|\n")
		for _, g := range gs[catWaived] {
			f, wv := g.First, g.First.Waived
			where := ""
			if wv.Line > 0 {
				where = fmt.Sprintf("`%s:%d`", mdCode(f.Location.File), wv.Line)
			}
			fmt.Fprintf(&b, "| `%s` %s | %s | %s | %s | %s | %s | %s | %s |\n",
				f.Rule, mdCell(f.Title), mdCell(clusterSubject(f.Cluster)), mdCell(groupText(g, opts)),
				mdCell(oneLine(wv.Reason)), mdCell(wv.Ticket), mdCell(wv.ApprovedBy), wv.Expires, where)
		}
		b.WriteString("\n")
	}

	var passed []*ruleStatus
	for _, s := range ruleStatuses(res) {
		if s.passed() {
			passed = append(passed, s)
		}
	}
	if len(passed) > 0 {
		fmt.Fprintf(&b, "<details>\n<summary>%s</summary>\n\n", plural(len(passed), "rule passed", "rules passed"))
		fmt.Fprintf(&b, "| Rule | Severity | Title |\n|---|---|---|\n")
		for _, s := range passed {
			title := mdCell(s.Rule.Title)
			if s.Rule.HelpURI != "" {
				title = fmt.Sprintf("[%s](%s)", title, s.Rule.HelpURI)
			}
			custom := ""
			if s.Rule.Custom {
				custom = " (custom)"
			}
			fmt.Fprintf(&b, "| `%s`%s | %s | %s |\n", s.Rule.ID, custom, s.Rule.Severity, title)
		}
		b.WriteString("\n</details>\n\n")
	}
	if na := res.NotApplicable(); len(na) > 0 {
		fmt.Fprintf(&b, "<details>\n<summary>%s to method %s</summary>\n\n", plural(len(na), "rule not applicable", "rules not applicable"), mdCell(methodName(res.Method)))
		fmt.Fprintf(&b, "| Rule | Applies to | Title |\n|---|---|---|\n")
		for _, r := range na {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.ID, mdCell(methodList(r.Methods)), mdCell(r.Title))
		}
		b.WriteString("\n</details>\n\n")
	}

	if len(res.Notices) > 0 {
		fmt.Fprintf(&b, "## Notices\n\n")
		for _, n := range res.Notices {
			fmt.Fprintf(&b, "- %s\n", mdText(n))
		}
		b.WriteString("\n")
	}
	writeMDProvenance(&b, res, opts)
	_, err := io.WriteString(w, visibleLines(b.String()))
	return err
}

// writeMDErrors quotes why the run failed, in a fenced block each so that
// no error text is read as Markdown.
func writeMDErrors(b *strings.Builder, opts Options) {
	if len(opts.Errors) == 0 {
		return
	}
	fmt.Fprintf(b, "**Run failed %s:**\n\n", runFailedWhy(opts.ExitCode))
	for _, e := range opts.Errors {
		msg := strings.TrimSpace(e.Message)
		fence := mdFence(msg)
		fmt.Fprintf(b, "%stext\n%s\n%s\n\n", fence, msg, fence)
	}
}

// mdFence is a code fence longer than any run of backticks in s.
func mdFence(s string) string {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

func writeMDPlan(b *strings.Builder, res *policies.Result, opts Options) {
	fmt.Fprintf(b, "## Plan\n\n| | |\n|---|---|\n")
	if res.PlanFile != "" {
		fmt.Fprintf(b, "| Plan file | `%s` |\n", mdCode(res.PlanFile))
	}
	var plan *probe.Plan
	if opts.Facts != nil {
		plan = opts.Facts.Plan
	}
	if plan != nil {
		method := plan.Method
		if plan.Mode != "" {
			method += " (" + plan.Mode + ")"
		}
		fmt.Fprintf(b, "| Method | %s |\n", mdCell(method))
		if len(plan.Indices) > 0 {
			fmt.Fprintf(b, "| Indices | `%s` |\n", mdCode(strings.Join(plan.Indices, ", ")))
		}
	}
	if f := opts.Facts; f != nil {
		sel := probe.Derive(f)
		for _, role := range []string{probe.RoleSource, probe.RoleDestination, probe.RoleIntermediate} {
			c := f.Clusters.ByRole(role)
			var spec *probe.ClusterSpec
			if plan != nil {
				spec = plan.Cluster(role)
			}
			if c == nil && spec == nil {
				continue
			}
			fmt.Fprintf(b, "| %s | %s |\n", titleCase(role), mdCell(clusterLine(c, spec)))
			if s := sel[role]; s != nil && s.Known && role == probe.RoleSource {
				fmt.Fprintf(b, "| Selected data | %s, %d docs, %s primary store (%s in total) |\n",
					plural(s.Count, "index", "indices"), s.Docs, probe.HumanBytes(s.PrimaryStoreBytes), probe.HumanBytes(s.StoreBytes))
			}
		}
		if plan != nil && plan.Volume != "" {
			fmt.Fprintf(b, "| Declared volume | %s |\n", mdCell(plan.Volume))
		}
		if fi, ok := factsAge(res); ok {
			fmt.Fprintf(b, "| Facts | collected %s (%s) |\n", res.FactsCollectedAt.UTC().Format("2006-01-02 15:04:05 UTC"), fi.Age)
		}
	}
	b.WriteString("\n")
}

func clusterLine(c *probe.ClusterFacts, spec *probe.ClusterSpec) string {
	var parts []string
	if c != nil {
		prod := c.Product
		if prod == "" && spec != nil {
			prod = spec.Product
		}
		switch prod {
		case "elasticsearch":
			prod = "Elasticsearch"
		case "opensearch":
			prod = "OpenSearch"
		case "":
			prod = "product unknown"
		}
		ver := "version unknown"
		if c.Version != nil && c.Version.Number != "" {
			ver = c.Version.Number
		}
		parts = append(parts, prod+" "+ver)
		if c.ClusterName != "" {
			parts = append(parts, "cluster `"+mdCode(c.ClusterName)+"`")
		}
		if c.Endpoint != "" {
			parts = append(parts, "at `"+mdCode(c.Endpoint)+"`")
		} else {
			parts = append(parts, "no endpoint (declared in the plan)")
		}
	}
	if spec != nil {
		var k []string
		if spec.Kind != "" {
			k = append(k, spec.Kind)
		}
		if spec.Provider != "" {
			k = append(k, spec.Provider)
		}
		if spec.Region != "" {
			k = append(k, spec.Region)
		}
		if len(k) > 0 {
			return strings.TrimSpace(strings.Join(parts, ", ") + " (" + strings.Join(k, ", ") + ")")
		}
	}
	return strings.Join(parts, ", ")
}

func writeMDRow(b *strings.Builder, g *group, opts Options) {
	f := g.First
	icon := map[int]string{catError: "❌", catWarning: "⚠️", catUnverified: "❔"}[g.Cat]
	rule := fmt.Sprintf("`%s` %s", f.Rule, mdCell(f.Title))
	fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", icon, rule, mdCell(clusterSubject(f.Cluster)), mdCell(groupText(g, opts)), mdEvidence(f))
}

// groupText is the message of a group plus its indices and plan line.
func groupText(g *group, opts Options) string {
	f := g.First
	s := oneLine(f.Message)
	if len(g.Indices) > 0 {
		s += fmt.Sprintf(" — %s: %s", plural(len(g.Indices), "index", "indices"), names(g.Indices, opts.maxNames()))
	}
	if f.Location.File != "" {
		s += fmt.Sprintf(" (%s:%d)", f.Location.File, max(f.Location.Line, 1))
	}
	return s
}

func mdEvidence(f *policies.Finding) string {
	var parts []string
	for _, e := range f.Evidence {
		p := fmt.Sprintf("`%s` = `%s`", mdCode(e.Fact), mdCode(formatValue(e.Value, textValueMax)))
		if e.Source != "" {
			p += " (" + mdCell(e.Source) + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "<br>")
}

// writeMDFixes lists the remediation of each rule of the groups once.
func writeMDFixes(b *strings.Builder, gs []*group) {
	seen := map[string]bool{}
	var out []string
	for _, g := range gs {
		f := g.First
		if seen[f.Rule] || (f.Remediation == "" && f.HelpURI == "") || (g.Cat == catUnverified && f.Cause != "") {
			// A cause at the top already says how to get the facts.
			continue
		}
		seen[f.Rule] = true
		s := fmt.Sprintf("- **`%s`**: %s", f.Rule, mdText(oneLine(f.Remediation)))
		if f.HelpURI != "" {
			s += fmt.Sprintf(" ([source](%s))", f.HelpURI)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return
	}
	fmt.Fprintf(b, "**How to fix**\n\n%s\n\n", strings.Join(out, "\n"))
}

func writeMDProvenance(b *strings.Builder, res *policies.Result, opts Options) {
	fmt.Fprintf(b, "## Provenance\n\n")
	if res.ToolVersion != "" {
		fmt.Fprintf(b, "- Tool: espreflight %s\n", mdText(res.ToolVersion))
	}
	if !res.EvaluatedAt.IsZero() {
		fmt.Fprintf(b, "- Evaluated at: %s\n", res.EvaluatedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	f := opts.Facts
	if f == nil {
		fmt.Fprintf(b, "- Facts: not attached to this report\n")
		return
	}
	if !f.CollectedAt.IsZero() {
		fmt.Fprintf(b, "- Facts collected at: %s", f.CollectedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
		if f.Tool.Version != "" {
			fmt.Fprintf(b, " by espreflight %s", mdText(f.Tool.Version))
		}
		if fi, ok := factsAge(res); ok {
			fmt.Fprintf(b, " (%s)", fi.Age)
		}
		b.WriteString("\n")
	}
	for _, role := range []string{probe.RoleSource, probe.RoleDestination, probe.RoleIntermediate} {
		c := f.Clusters.ByRole(role)
		if c == nil {
			continue
		}
		fmt.Fprintf(b, "\n<details>\n<summary>Where the %s's facts came from</summary>\n\n", role)
		keys := make([]string, 0, len(c.Sources))
		for k := range c.Sources {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(keys) > 0 {
			fmt.Fprintf(b, "| Fact | Source |\n|---|---|\n")
			for _, k := range keys {
				fmt.Fprintf(b, "| `%s` | %s |\n", mdCode(k), mdCell(c.Sources[k]))
			}
			b.WriteString("\n")
		}
		if len(c.Unknown) > 0 {
			fmt.Fprintf(b, "Not collected:\n\n")
			for _, u := range c.Unknown {
				req := ""
				if u.Endpoint != "" {
					req = " (`" + mdCode(u.Endpoint) + "`)"
				}
				fmt.Fprintf(b, "- `%s`%s: %s\n", mdCode(u.Fact), req, mdText(u.Error))
			}
			b.WriteString("\n")
		}
		if len(keys) == 0 && len(c.Unknown) == 0 {
			b.WriteString("No provenance recorded.\n\n")
		}
		b.WriteString("</details>\n")
	}
	b.WriteString("\n")
}

// mdText escapes text for Markdown prose: HTML-significant characters, so a
// message cannot inject markup, and line breaks, so it cannot start a line
// (a heading, a list item). The whole document's other hidden characters
// are spelled out when it is written (visibleLines).
func mdText(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	return r.Replace(visibleLine(s))
}

// mdCell escapes text for a table cell: no newlines, no unescaped pipes.
func mdCell(s string) string {
	s = truncate(oneLine(s), mdCellMax)
	return strings.ReplaceAll(mdText(s), "|", "\\|")
}

// mdCode makes s safe inside a `code span` in a table: backticks and pipes
// cannot be escaped there portably, so they are replaced.
func mdCode(s string) string {
	s = oneLine(s)
	s = strings.ReplaceAll(s, "`", "'")
	return strings.ReplaceAll(s, "|", "¦")
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
