package policies

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// RulesMarkdown renders the rule catalogue as the Markdown reference
// (docs/rules.md): an index table, then one section per rule with its
// description, remediation, source and an example plan snippet.
func RulesMarkdown(rules []Rule) []byte {
	rs := append([]Rule(nil), rules...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
	var b bytes.Buffer
	b.WriteString("# Rules\n\n")
	b.WriteString("<!-- Generated from the rules' METADATA by `go test ./policies -run TestRulesDoc -update`. Do not edit. -->\n\n")
	b.WriteString("Every rule reports `error` (fails the check) or `warning`. A rule that needs a fact the probe\n")
	b.WriteString("could not collect reports that it could not verify, at its own severity: it never passes silently.\n\n")
	b.WriteString("A rule applies to the plan methods its METADATA lists in `custom.methods` (every method when it\n")
	b.WriteString("lists none); for a plan of another method it is *not applicable*: reported as such, never as passed.\n\n")
	b.WriteString("| id | severity | applies to | title |\n|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", r.ID, strings.ToLower(r.ID), r.Severity, appliesTo(r), mdCell(r.Title))
	}
	for _, r := range rs {
		fmt.Fprintf(&b, "\n## %s\n\n", r.ID)
		fmt.Fprintf(&b, "**%s** (%s; applies to %s)\n\n", r.Title, r.Severity, appliesTo(r))
		b.WriteString(strings.TrimSpace(r.Description))
		b.WriteString("\n\n")
		b.WriteString("**What to do:** ")
		b.WriteString(strings.TrimSpace(r.Remediation))
		b.WriteString("\n\n")
		fmt.Fprintf(&b, "**Source:** <%s>\n", r.HelpURI)
		if r.Example != "" {
			b.WriteString("\nExample that makes it fire:\n\n```yaml\n")
			b.WriteString(strings.TrimSpace(r.Example))
			b.WriteString("\n```\n")
		}
	}
	return b.Bytes()
}

// appliesTo names the methods a rule applies to.
func appliesTo(r Rule) string {
	if len(r.Methods) == 0 {
		return "every method"
	}
	return strings.Join(r.Methods, ", ")
}

func mdCell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
