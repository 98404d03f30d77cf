package report

import (
	"encoding/json"
	"io"

	"github.com/espreflight/espreflight/policies"
)

// jsonDoc is the findings contract of DESIGN.md.
type jsonDoc struct {
	Findings []policies.Finding `json:"findings"`
	Summary  policies.Summary   `json:"summary"`
	Notices  []string           `json:"notices,omitempty"`
}

func renderJSON(w io.Writer, res *policies.Result) error {
	doc := jsonDoc{Findings: make([]policies.Finding, 0, len(res.Findings)), Summary: res.Summary, Notices: res.Notices}
	for _, f := range sortedFindings(res) {
		c := *f
		if c.Evidence == nil {
			c.Evidence = []policies.Evidence{}
		}
		doc.Findings = append(doc.Findings, c)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
