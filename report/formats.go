package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/espreflight/espreflight/policies"
)

// Format names.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatSARIF    = "sarif"
	FormatMarkdown = "markdown"
	FormatJUnit    = "junit"
	FormatGitHub   = "github"
	FormatGitLab   = "gitlab"
)

// Format is one output format of a check report.
type Format struct {
	// Name is what --format takes.
	Name string
	// Aliases are other names --format accepts for it.
	Aliases []string
	// Ext is the usual file extension, without the dot.
	Ext string
	// Description says in a few words what the format is for (--help).
	Description string
	// stream: render writes straight to w instead of into a buffer first.
	// Only for formats that grow with the index count; a buffered format
	// writes nothing when rendering fails.
	stream bool
	render func(w io.Writer, res *policies.Result, opts Options) error
}

// formats is the one list of output formats: Formats, FormatTable,
// LookupFormat, Render, the CLI's --format help and the tests all read it.
// Adding a format is its renderer in its own file plus a row here.
var formats = []Format{
	{Name: FormatText, Ext: "txt", Description: "findings grouped by rule for people, with the summary (the default)", render: renderText},
	// JSON keeps every finding and grows with the index count (150 MB at
	// 100 000 indices), so it streams; the CLI writes files through a
	// temporary file either way.
	{Name: FormatJSON, Ext: "json", Description: "every finding with its evidence, for scripts", stream: true,
		render: renderJSON},
	{Name: FormatSARIF, Ext: "sarif", Description: "SARIF 2.1.0 for GitHub code scanning and other SARIF viewers", render: renderSARIF},
	{Name: FormatMarkdown, Aliases: []string{"md"}, Ext: "md", Description: "a report for a pull request comment or a CI job summary", render: renderMarkdown},
	{Name: FormatJUnit, Ext: "xml", Description: "JUnit XML, one test case per rule, for CI test reports", render: renderJUnit},
	{Name: FormatGitHub, Ext: "log", Description: "GitHub Actions workflow commands: annotations on the plan lines, without code scanning", render: renderGitHub},
	{Name: FormatGitLab, Ext: "codequality.json", Description: "a GitLab Code Quality report for the merge request widget", render: renderGitLab},
}

// Formats lists the names of the output formats Render accepts, in table order.
func Formats() []string {
	out := make([]string, len(formats))
	for i, f := range formats {
		out[i] = f.Name
	}
	return out
}

// FormatTable returns the output formats, in table order.
func FormatTable() []Format {
	return append([]Format(nil), formats...)
}

// LookupFormat finds a format by name or alias, ignoring case and spaces.
func LookupFormat(name string) (Format, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, f := range formats {
		if f.Name == name {
			return f, true
		}
		for _, a := range f.Aliases {
			if a == name {
				return f, true
			}
		}
	}
	return Format{}, false
}

// Render writes res to w in the named format.
func Render(w io.Writer, format string, res *policies.Result, opts Options) error {
	if res == nil {
		return fmt.Errorf("report: no result to render")
	}
	f, ok := LookupFormat(format)
	if !ok {
		return fmt.Errorf("unknown format %q; use one of %s", format, strings.Join(Formats(), ", "))
	}
	if f.stream {
		if err := f.render(w, res, opts); err != nil {
			return fmt.Errorf("render %s: %w", f.Name, err)
		}
		return nil
	}
	var buf bytes.Buffer
	if err := f.render(&buf, res, opts); err != nil {
		return fmt.Errorf("render %s: %w", f.Name, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
