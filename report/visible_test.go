package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/policies"
)

// hostileName holds what a cluster or a plan could put in a name: a screen
// clear, a title change (OSC ... BEL), a C1 CSI, a right-to-left override,
// a line break that would forge a report line, and a byte that is not UTF-8.
const hostileName = "ix\x1b[2J\x1b]0;pwned\x07-\u009b31m-\u202egnp.exe-\nPASSED (99): ALL-\xff"

// hostileResult puts hostileName wherever a cluster or plan string reaches a
// report: index, message, evidence value and source, cluster name,
// endpoint, plan name and file, notice, waiver reason.
func hostileResult() (*policies.Result, Options) {
	res := fixtureResult()
	res.PlanName, res.PlanFile = hostileName, "plans/"+hostileName+".yaml"
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Index != "" {
			f.Index = hostileName + f.Index
		}
		f.Message += " " + hostileName
		f.Evidence = append(f.Evidence, policies.Evidence{Fact: "clusters.source.cluster_name", Value: hostileName, Source: "GET / " + hostileName})
		if f.Waived != nil {
			f.Waived.Reason = hostileName
		}
	}
	res.Notices = append(res.Notices, hostileName)
	facts := fixtureFacts()
	facts.Clusters.Source.ClusterName = hostileName
	facts.Clusters.Destination.Unknown[0].Error = hostileName
	return res, Options{Facts: facts, MaxNames: -1, ExitCode: 1}
}

// TestHiddenCharactersSpelledOut: text (with and without colour) and
// Markdown show the hidden characters of cluster and plan strings as
// escapes; the machine formats keep the strings exactly.
func TestHiddenCharactersSpelledOut(t *testing.T) {
	res, opts := hostileResult()
	for _, c := range []struct {
		format string
		color  bool
	}{{FormatText, false}, {FormatText, true}, {FormatMarkdown, false}} {
		o := opts
		o.Color = c.color
		out := string(render(t, c.format, res, o))
		rest := out
		if c.color {
			rest = strings.ReplaceAll(rest, ansiBold, "")
			for _, code := range []string{ansiReset, ansiDim, ansiRed, ansiYellow, ansiMag, ansiGreen} {
				rest = strings.ReplaceAll(rest, code, "")
			}
		}
		for i, r := range rest {
			if (hiddenRune(r) && r != '\n') || (r == 0xFFFD && !strings.Contains(hostileName, "\uFFFD")) {
				t.Errorf("%s (color %v): hidden character %U at byte %d: %q", c.format, c.color, r, i, rest[max(0, i-40):min(len(rest), i+40)])
				break
			}
		}
		for _, want := range []string{`ix\u001b[2J\u001b]0;pwned\u0007-\u009b31m-\u202egnp.exe-\u000aPASSED (99): ALL-\xff`} {
			if !strings.Contains(out, want) && !strings.Contains(out, strings.ReplaceAll(want, "&", "&amp;")) {
				t.Errorf("%s (color %v): %q not spelled out as %q", c.format, c.color, hostileName, want)
			}
		}
		if strings.Contains(out, "\nPASSED (99)") {
			t.Errorf("%s: a name started a line of its own", c.format)
		}
	}
	// Machine formats: the exact string survives a round trip.
	var doc struct {
		Findings []struct {
			Index    string `json:"index"`
			Evidence []struct {
				Value any `json:"value"`
			} `json:"evidence"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(render(t, "json", res, opts), &doc); err != nil {
		t.Fatal(err)
	}
	exact := strings.ToValidUTF8(hostileName, "\uFFFD") // JSON cannot carry the invalid byte
	found := false
	for _, f := range doc.Findings {
		for _, e := range f.Evidence {
			found = found || e.Value == exact
		}
	}
	if !found {
		t.Errorf("JSON lost the exact evidence value %q", exact)
	}
	var sarif struct {
		Runs []struct {
			Results []struct {
				Message struct{ Text string } `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(render(t, "sarif", res, opts), &sarif); err != nil {
		t.Fatal(err)
	}
	if len(sarif.Runs) == 0 || len(sarif.Runs[0].Results) == 0 || !strings.Contains(sarif.Runs[0].Results[0].Message.Text, strings.Join(strings.Fields(exact), " ")) {
		t.Errorf("SARIF lost the exact message")
	}
}
