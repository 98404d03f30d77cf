package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/espreflight/espreflight/policies"
)

// FindingsSchema is the value of the "schema" key of the JSON format.
const FindingsSchema = "espreflight.findings/v1"

// FindingsDocument is the document of the JSON format, as renderJSON
// streams it (docs/schema/findings.schema.json is generated from it).
type FindingsDocument struct {
	// Schema is FindingsSchema.
	Schema string `json:"schema"`
	// Findings are every finding, one per index for per-index rules, in a stable order.
	Findings []policies.Finding `json:"findings"`
	// Summary counts the rules by outcome; all zero for a failed run.
	Summary policies.Summary `json:"summary"`
	// Facts says when the facts were collected and how long before the evaluation.
	Facts *FactsInfo `json:"facts,omitempty"`
	// NotApplicable are the ids of the rules that do not apply to the plan's method.
	NotApplicable []string `json:"not_applicable,omitempty"`
	// Notices are problems with the evaluation that fail no rule (an expired or stale waiver).
	Notices []string `json:"notices,omitempty"`
	// Errors say why a run failed (exit 2) or what could not be reached (exit 3).
	Errors []RunError `json:"errors,omitempty"`
}

// renderJSON writes the findings contract (docs/ci.md, "What each format holds"):
// {"schema":"espreflight.findings/v1","findings":[…],"summary":{…},"facts":{…},"not_applicable":[…],"notices":[…],"errors":[…]}
// (facts, when the facts were collected and their age, when known;
// not_applicable, the ids of the rules that do not apply to the plan's
// method, notices and errors only when any; a failed run has errors, no
// findings and a zero summary).
// It streams one finding at a time: at 100 000 indices the document is
// larger than everything else espreflight holds, so it is never built whole.
// The bytes are those of encoding/json with a two-space indent.
func renderJSON(w io.Writer, res *policies.Result, opts Options) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// encode writes v at the given depth of the document, without the
	// trailing newline the encoder adds.
	encode := func(v any, prefix string) error {
		buf.Reset()
		enc.SetIndent(prefix, "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err := bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	}
	var findings []*policies.Finding
	if !opts.failed() {
		findings = sortedFindings(res)
	}
	bw.WriteString("{\n  \"schema\": \"" + FindingsSchema + "\",\n")
	if len(findings) == 0 {
		bw.WriteString("  \"findings\": [],\n  \"summary\": ")
	} else {
		bw.WriteString("  \"findings\": [\n")
		for i, f := range findings {
			c := *f
			if c.Evidence == nil {
				c.Evidence = []policies.Evidence{}
			}
			bw.WriteString("    ")
			if err := encode(c, "    "); err != nil {
				return err
			}
			if i < len(findings)-1 {
				bw.WriteString(",")
			}
			bw.WriteString("\n")
		}
		bw.WriteString("  ],\n  \"summary\": ")
	}
	summary := res.Summary
	if opts.failed() {
		summary = policies.Summary{}
	}
	if err := encode(summary, "  "); err != nil {
		return err
	}
	if fi, ok := factsAge(res); ok {
		bw.WriteString(",\n  \"facts\": ")
		if err := encode(fi, "  "); err != nil {
			return err
		}
	}
	if na := notApplicableIDs(res); len(na) > 0 && !opts.failed() {
		bw.WriteString(",\n  \"not_applicable\": ")
		if err := encode(na, "  "); err != nil {
			return err
		}
	}
	if len(res.Notices) > 0 && !opts.failed() {
		bw.WriteString(",\n  \"notices\": ")
		if err := encode(res.Notices, "  "); err != nil {
			return err
		}
	}
	if len(opts.Errors) > 0 {
		bw.WriteString(",\n  \"errors\": ")
		if err := encode(opts.Errors, "  "); err != nil {
			return err
		}
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}
