package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/espreflight/espreflight/policies"
)

// The streamed JSON must be byte for byte what encoding/json writes for the
// whole document, whatever the findings and notices.
func TestJSONStreamMatchesEncoder(t *testing.T) {
	withNotices := fixtureResult()
	withNotices.Notices = []string{"plan.yaml:30: waiver for SYS-001 matches no finding (stale); remove it", "<&> kept as is"}
	empty := fixtureResult()
	empty.Findings, empty.Notices = nil, nil
	cases := map[string]*policies.Result{"fixture": fixtureResult(), "notices": withNotices, "empty": empty, "large": largeResult(2000)}
	for name, res := range cases {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			if err := renderJSON(&got, res, Options{}); err != nil {
				t.Fatal(err)
			}
			// FindingsDocument is the type the schema is generated from.
			d := FindingsDocument{Schema: FindingsSchema, Findings: []policies.Finding{}, Summary: res.Summary, NotApplicable: notApplicableIDs(res), Notices: res.Notices}
			if fi, ok := factsAge(res); ok {
				d.Facts = &fi
			}
			for _, f := range sortedFindings(res) {
				c := *f
				if c.Evidence == nil {
					c.Evidence = []policies.Evidence{}
				}
				d.Findings = append(d.Findings, c)
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(d); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("streamed JSON differs from encoding/json (%d vs %d bytes)", got.Len(), want.Len())
			}
		})
	}
}
