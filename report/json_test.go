package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/espreflight/espreflight/policies"
)

// The streamed JSON must be byte for byte what encoding/json writes for the
// whole FindingsDocument, whatever the findings and notices.
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
			d := NewFindingsDocument(res, Options{})
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
