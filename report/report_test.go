package report

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/espreflight/espreflight/policies"
)

// TestFormats checks the format table (every golden case of TestGolden's
// "report" fixture renders each row, so a new row needs its golden file).
func TestFormats(t *testing.T) {
	if got := Formats(); len(got) == 0 || got[0] != FormatText {
		t.Fatalf("Formats() = %v, want text first (the default)", got)
	}
	seen := map[string]bool{}
	for i, f := range FormatTable() {
		if f.Name == "" || f.Name != strings.ToLower(f.Name) || f.Ext == "" || strings.HasPrefix(f.Ext, ".") || f.Description == "" || f.render == nil {
			t.Errorf("row %d %+v: needs a lower-case name, an extension without the dot, a description and a renderer", i, f)
		}
		if Formats()[i] != f.Name {
			t.Errorf("Formats()[%d] = %q, want %q", i, Formats()[i], f.Name)
		}
		for _, n := range append([]string{f.Name}, f.Aliases...) {
			if seen[n] {
				t.Errorf("format name %q used twice", n)
			}
			seen[n] = true
			if got, ok := LookupFormat(" " + strings.ToUpper(n) + " "); !ok || got.Name != f.Name {
				t.Errorf("LookupFormat(%q) = %q, %v; want %q", n, got.Name, ok, f.Name)
			}
		}
	}
	if f, ok := LookupFormat("md"); !ok || f.Name != FormatMarkdown {
		t.Errorf("md must stay an alias of markdown, got %q %v", f.Name, ok)
	}
	var buf bytes.Buffer
	err := Render(&buf, "yaml", fixtureResult(), Options{})
	if err == nil || !strings.Contains(err.Error(), `unknown format "yaml"`) || !strings.Contains(err.Error(), "sarif") {
		t.Fatalf("unknown format: got %v", err)
	}
	if err := Render(&buf, "text", nil, Options{}); err == nil {
		t.Fatal("nil result: want an error")
	}
	for _, f := range Formats() {
		if err := Render(&buf, f, &policies.Result{}, Options{}); err != nil {
			t.Errorf("%s on an empty result: %v", f, err)
		}
	}
}

func TestTextSummaryAndColor(t *testing.T) {
	res := fixtureResult()
	out := string(render(t, FormatText, res, Options{}))
	if strings.Contains(out, "\x1b[") {
		t.Error("text without Color contains ANSI escapes")
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	last := lines[len(lines)-1]
	if last != "7 rules, 1 passed, 3 failed, 1 warnings, 1 waived, 1 not applicable" {
		t.Errorf("last line = %q", last)
	}
	n := 0
	for _, l := range lines {
		if strings.HasSuffix(l, " not applicable") && strings.Contains(l, " rules, ") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d summary lines, want exactly 1", n)
	}
	for _, want := range []string{"COULD NOT VERIFY", "WAIVED", "CHG-1234", "jane.doe", "deploy/migration.yaml:40", "NOTICES", "5 indices: logs-2017.01"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	col := string(render(t, FormatText, res, Options{Color: true}))
	if !strings.Contains(col, ansiRed) {
		t.Error("text with Color has no ANSI colour")
	}
}

func TestTextLarge(t *testing.T) {
	res := largeResult(80000)
	out := string(render(t, FormatText, res, Options{}))
	if n := strings.Count(out, "\n"); n > 40 {
		t.Errorf("80 000 findings gave %d lines of text, want a grouped report", n)
	}
	if !strings.Contains(out, "… and 79990 more") {
		t.Error("text does not count the names it leaves out")
	}
	all := string(render(t, FormatText, largeResult(30), Options{MaxNames: -1}))
	if !strings.Contains(all, "logs-000029") || strings.Contains(all, "more") {
		t.Error("MaxNames -1 must list every index")
	}
}

func TestJSONContract(t *testing.T) {
	res := fixtureResult()
	data := render(t, FormatJSON, res, Options{})
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for k := range doc {
		if k != "schema" && k != "rules" && k != "findings" && k != "summary" && k != "facts" && k != "notices" && k != "not_applicable" {
			t.Errorf("unexpected top-level key %q", k)
		}
	}
	if string(doc["schema"]) != `"`+FindingsSchema+`"` {
		t.Errorf("schema = %s, want %q", doc["schema"], FindingsSchema)
	}
	var na []string
	if err := json.Unmarshal(doc["not_applicable"], &na); err != nil || strings.Join(na, ",") != "DUMP-001" {
		t.Errorf("not_applicable = %s (%v), want [\"DUMP-001\"]", doc["not_applicable"], err)
	}
	var fs []map[string]any
	if err := json.Unmarshal(doc["findings"], &fs); err != nil {
		t.Fatal(err)
	}
	var rules map[string]map[string]any
	if err := json.Unmarshal(doc["rules"], &rules); err != nil {
		t.Fatal(err)
	}
	// Every finding of the result is in exactly one entry: its rule, cluster
	// and message, and its index among the entry's indices.
	type one struct{ rule, cluster, index, message string }
	want := map[one]int{}
	for _, f := range res.Findings {
		want[one{f.Rule, f.Cluster, f.Index, f.Message}]++
	}
	for i, f := range fs {
		for _, k := range []string{"rule", "severity", "message", "cluster", "indices", "evidence", "location", "waived", "unverified"} {
			if _, ok := f[k]; !ok {
				t.Errorf("finding %d lacks %q", i, k)
			}
		}
		for _, k := range []string{"title", "index", "help_uri"} {
			if _, ok := f[k]; ok {
				t.Errorf("finding %d has %q, which is the rule's (rules) or in indices", i, k)
			}
		}
		rule, _ := f["rule"].(string)
		r, ok := rules[rule]
		if !ok {
			t.Errorf("finding %d: rule %s is not in rules", i, rule)
		}
		for _, k := range []string{"severity", "title", "remediation", "help_uri"} {
			if _, ok := r[k]; !ok {
				t.Errorf("rules[%s] lacks %q", rule, k)
			}
		}
		key := one{rule: rule, cluster: f["cluster"].(string), message: f["message"].(string)}
		names, _ := f["indices"].([]any)
		if len(names) == 0 {
			want[key]--
		}
		for _, n := range names {
			key.index = n.(string)
			want[key]--
		}
	}
	for k, n := range want {
		if n != 0 {
			t.Errorf("finding %+v: %d more in the result than in the JSON", k, n)
		}
	}
	if len(rules) == 0 {
		t.Error("no rules")
	}
	var sum policies.Summary
	if err := json.Unmarshal(doc["summary"], &sum); err != nil || sum != res.Summary {
		t.Errorf("summary = %+v (%v), want %+v", sum, err, res.Summary)
	}
	// Stable order whatever the input order.
	rev := fixtureResult()
	for i, j := 0, len(rev.Findings)-1; i < j; i, j = i+1, j-1 {
		rev.Findings[i], rev.Findings[j] = rev.Findings[j], rev.Findings[i]
	}
	if !bytes.Equal(render(t, FormatJSON, rev, Options{}), data) {
		t.Error("JSON depends on the input order of findings")
	}
	// 30 000 findings of one rule that differ only in their index are one
	// entry with 30 000 names, and the rule's texts are there once.
	large := render(t, FormatJSON, largeResult(30000), Options{})
	var ld FindingsDocument
	if err := json.Unmarshal(large, &ld); err != nil {
		t.Fatal(err)
	}
	if len(ld.Findings) != 2 || len(ld.Findings[1].Indices) != 30000 || ld.Findings[1].Rule != "SNAP-002" {
		t.Errorf("large: %d entries, want ARCH-001 and one SNAP-002 entry of 30000 indices", len(ld.Findings))
	}
	if n := bytes.Count(large, []byte(ruleByID(fixtureRules(), "SNAP-002").Title)); n != 1 {
		t.Errorf("large: the SNAP-002 title is there %d times, want once", n)
	}
	if len(large) > 30000*40 {
		t.Errorf("large: %d bytes for 30000 findings of one rule", len(large))
	}
}

// TestJSONGrouping: findings are one entry only when they differ in nothing
// but their index; a finding about no index stays an entry of its own.
func TestJSONGrouping(t *testing.T) {
	rules := fixtureRules()
	snap := ruleByID(rules, "SNAP-002")
	ev := func(v string) policies.Evidence {
		return policies.Evidence{Fact: "clusters.source.indices[].created_version", Value: v, Source: "GET /_all/_settings on the source"}
	}
	fs := []policies.Finding{
		newFinding(snap, "m", "source", "a", "indices", 5, ev("5.6.16")),
		newFinding(snap, "m", "source", "b", "indices", 5, ev("5.6.16")), // same as a: one entry
		newFinding(snap, "m", "source", "c", "indices", 5, ev("5.2.2")),  // other evidence
		newFinding(snap, "other", "source", "d", "indices", 5, ev("5.6.16")),
		newFinding(snap, "m", "destination", "e", "indices", 5, ev("5.6.16")),
		newFinding(snap, "m", "source", "", "indices", 5, ev("5.6.16")),
		newFinding(snap, "m", "source", "", "indices", 5, ev("5.6.16")),
	}
	waived := newFinding(snap, "m", "source", "f", "indices", 5, ev("5.6.16"))
	waived.Waived = &policies.Waiver{Reason: "accepted", Expires: "2027-01-01", Line: 30}
	unverified := newFinding(snap, "m", "source", "g", "indices", 5, ev("5.6.16"))
	unverified.Unverified, unverified.Remediation, unverified.Cause = true, "Collect the facts again.", "missing:indices"
	fs = append(fs, waived, unverified)
	res := &policies.Result{PlanFile: planFile, EvaluatedAt: evalTime, Rules: rules, Method: fixtureMethod, Findings: fs, Summary: summarize(rules, fs)}
	doc := NewFindingsDocument(res, Options{})
	var got []string
	for _, e := range doc.Findings {
		got = append(got, fmt.Sprintf("%s/%s/%v/%v/%v/%q", e.Cluster, e.Message, e.Indices, e.Waived != nil, e.Unverified, e.Remediation))
	}
	want := []string{
		`destination/m/[e]/false/false/""`,
		`source/m/[]/false/false/""`,
		`source/m/[]/false/false/""`,
		`source/m/[a b]/false/false/""`,
		`source/m/[c]/false/false/""`,
		`source/other/[d]/false/false/""`,
		`source/m/[f]/true/false/""`,
		`source/m/[g]/false/true/"Collect the facts again."`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// sarifDoc is the part of a SARIF log the tests inspect.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID               string                `json:"id"`
					Name             string                `json:"name"`
					ShortDescription struct{ Text string } `json:"shortDescription"`
					FullDescription  struct{ Text string } `json:"fullDescription"`
					Help             struct {
						Text     string `json:"text"`
						Markdown string `json:"markdown"`
					} `json:"help"`
					HelpURI              string `json:"helpUri"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		AutomationDetails struct {
			ID string `json:"id"`
		} `json:"automationDetails"`
		Invocations []struct {
			ExecutionSuccessful *bool `json:"executionSuccessful"`
			ExitCode            *int  `json:"exitCode"`
		} `json:"invocations"`
		Results []sarifResult `json:"results"`
	} `json:"runs"`
}

type sarifResult struct {
	RuleID    string `json:"ruleId"`
	RuleIndex *int   `json:"ruleIndex"`
	Level     string `json:"level"`
	Message   struct {
		Text string `json:"text"`
	} `json:"message"`
	Locations []struct {
		ID               *int `json:"id"`
		PhysicalLocation *struct {
			ArtifactLocation struct {
				URI       string `json:"uri"`
				URIBaseID string `json:"uriBaseId"`
			} `json:"artifactLocation"`
			Region struct {
				StartLine int `json:"startLine"`
			} `json:"region"`
		} `json:"physicalLocation"`
		LogicalLocations []struct {
			Name               string `json:"name"`
			FullyQualifiedName string `json:"fullyQualifiedName"`
		} `json:"logicalLocations"`
	} `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Suppressions        []struct {
		Kind          string `json:"kind"`
		Status        string `json:"status"`
		Justification string `json:"justification"`
	} `json:"suppressions"`
	Properties map[string]any `json:"properties"`
}

func parseSARIF(t *testing.T, data []byte) sarifDoc {
	t.Helper()
	var doc sarifDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(doc.Runs))
	}
	// go-sarif's own schema check (OASIS 2.1.0 errata01).
	rep, err := sarif.FromBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Validate(); err != nil {
		t.Fatalf("schema: %v", err)
	}
	return doc
}

func TestSARIFShape(t *testing.T) {
	res := fixtureResult()
	data := render(t, FormatSARIF, res, Options{Facts: fixtureFacts(), ExitCode: 1})
	keepSARIF(t, "shape.sarif", data)
	doc := parseSARIF(t, data)
	run := doc.Runs[0]
	if doc.Version != "2.1.0" {
		t.Errorf("version %q", doc.Version)
	}
	if run.AutomationDetails.ID != "espreflight/orders-to-alibaba/" {
		t.Errorf("automationDetails.id = %q", run.AutomationDetails.ID)
	}
	rules := run.Tool.Driver.Rules
	if len(rules) != len(res.Rules) {
		t.Fatalf("%d rules, want the whole catalogue (%d)", len(rules), len(res.Rules))
	}
	for _, r := range rules {
		if r.ID == "" || r.Name == "" || r.ShortDescription.Text == "" || r.FullDescription.Text == "" || r.Help.Text == "" || r.Help.Markdown == "" || r.HelpURI == "" {
			t.Errorf("rule %s: missing a required field: %+v", r.ID, r)
		}
		if r.Help.Text == r.Help.Markdown {
			t.Errorf("rule %s: help.text must be plain, not the markdown", r.ID)
		}
		if r.DefaultConfiguration.Level != "error" && r.DefaultConfiguration.Level != "warning" {
			t.Errorf("rule %s: level %q", r.ID, r.DefaultConfiguration.Level)
		}
	}
	if len(run.Invocations) != 1 || run.Invocations[0].ExitCode == nil || *run.Invocations[0].ExitCode != 1 ||
		run.Invocations[0].ExecutionSuccessful == nil || !*run.Invocations[0].ExecutionSuccessful {
		t.Errorf("invocations = %+v", run.Invocations)
	}
	if len(run.Results) != len(res.Findings) {
		t.Fatalf("%d results, want %d", len(run.Results), len(res.Findings))
	}
	var waived, unverified int
	for i, r := range run.Results {
		if r.RuleIndex == nil || *r.RuleIndex < 0 || *r.RuleIndex >= len(rules) || rules[*r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: ruleIndex %v does not point at %s", i, r.RuleIndex, r.RuleID)
		}
		if r.Level != "error" && r.Level != "warning" {
			t.Errorf("result %d: level %q", i, r.Level)
		}
		if r.Message.Text == "" {
			t.Errorf("result %d: empty message", i)
		}
		if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation == nil {
			t.Fatalf("result %d: needs one physical location", i)
		}
		l := r.Locations[0]
		if l.ID == nil || *l.ID != 0 {
			t.Errorf("result %d: location id %v, want 0", i, l.ID)
		}
		uri := l.PhysicalLocation.ArtifactLocation.URI
		if uri != planFile || strings.HasPrefix(uri, "/") || strings.Contains(uri, "://") {
			t.Errorf("result %d: uri %q, want %q", i, uri, planFile)
		}
		if l.PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result %d: startLine %d", i, l.PhysicalLocation.Region.StartLine)
		}
		if r.PartialFingerprints[FingerprintKey] == "" || r.PartialFingerprints["primaryLocationLineHash"] == "" {
			t.Errorf("result %d: partialFingerprints %v", i, r.PartialFingerprints)
		}
		if r.Properties["cluster"] != nil && len(l.LogicalLocations) != 1 {
			t.Errorf("result %d: a cluster finding needs a logical location", i)
		}
		if len(r.Suppressions) > 0 {
			waived++
			s := r.Suppressions[0]
			if s.Kind != "external" || s.Status != "accepted" || !strings.Contains(s.Justification, "CHG-1234") || !strings.Contains(s.Justification, "2026-12-31") {
				t.Errorf("result %d: suppression %+v", i, s)
			}
		}
		if r.Properties["unverified"] == true {
			unverified++
		}
	}
	if waived != 2 || unverified != 1 {
		t.Errorf("%d waived and %d unverified results, want 2 and 1", waived, unverified)
	}
	fps := map[string]bool{}
	for _, r := range run.Results {
		fps[r.PartialFingerprints[FingerprintKey]] = true
	}
	if len(fps) != len(run.Results) {
		t.Errorf("fingerprints are not unique: %d for %d results", len(fps), len(run.Results))
	}
}

func TestSARIFURI(t *testing.T) {
	for in, want := range map[string]string{
		"deploy/plan.yaml":   "deploy/plan.yaml",
		"./plan.yaml":        "plan.yaml",
		"plans/my plan.yaml": "plans/my%20plan.yaml",
		"/elsewhere/p.yaml":  "p.yaml",
	} {
		if got := sarifURI(in); got != want {
			t.Errorf("sarifURI(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct{ name, file, want string }{
		{"orders/eu", "", "espreflight/orders-eu/"},
		{"", "plans/logs archive.yaml", "espreflight/logs-archive/"},
		{"", "", "espreflight/plan/"},
	} {
		if got := automationID(&policies.Result{PlanName: c.name, PlanFile: c.file}, Options{}); got != c.want {
			t.Errorf("automationID(%q, %q) = %q, want %q", c.name, c.file, got, c.want)
		}
	}
}

func fingerprints(t *testing.T, res *policies.Result) map[string]string {
	t.Helper()
	doc := parseSARIF(t, render(t, FormatSARIF, res, Options{}))
	out := map[string]string{}
	for _, r := range doc.Runs[0].Results {
		idx, _ := r.Properties["index"].(string)
		key := r.RuleID + "/" + fmt.Sprint(r.Properties["cluster"]) + "/" + idx + "/" + fmt.Sprint(r.Properties["planPath"])
		out[key] = r.PartialFingerprints[FingerprintKey] + " " + r.PartialFingerprints["primaryLocationLineHash"]
	}
	return out
}

func TestFingerprintStability(t *testing.T) {
	a, b := fingerprints(t, fixtureResult()), fingerprints(t, fixtureResult())
	if len(a) != len(fixtureResult().Findings) {
		t.Fatalf("%d distinct subjects, want %d", len(a), len(fixtureResult().Findings))
	}
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%s: fingerprint changed between two renders: %s / %s", k, v, b[k])
		}
	}
	// New wording and a moved line keep the identity.
	moved := fixtureResult()
	for i := range moved.Findings {
		moved.Findings[i].Message = "reworded: " + moved.Findings[i].Message
		moved.Findings[i].Location.Line += 7
	}
	c := fingerprints(t, moved)
	for k, v := range a {
		if c[k] != v {
			t.Errorf("%s: fingerprint depends on the message or line: %s / %s", k, v, c[k])
		}
	}
	// Another index or cluster is another alert.
	other := fixtureResult()
	other.Findings[2].Index = "renamed-index"
	d := fingerprints(t, other)
	if d["SNAP-002/source/renamed-index/indices"] == a["SNAP-002/source/logs-2017.01/indices"] {
		t.Error("a different index kept the same fingerprint")
	}
}

func TestSARIFLarge(t *testing.T) {
	for _, c := range []struct {
		name    string
		n, max  int
		wantMax int
	}{
		{"large-default.sarif", 30000, 0, 1000 + 1 + 1},
		{"large-many-rules.sarif", -15000, 0, MaxSARIFRunResults},
		{"large-uncapped.sarif", 30000, -1, MaxSARIFRunResults},
	} {
		t.Run(c.name, func(t *testing.T) {
			var res *policies.Result
			if c.n < 0 {
				res = manyRulesResult(-c.n)
			} else {
				res = largeResult(c.n)
			}
			data := render(t, FormatSARIF, res, Options{ExitCode: 1, SARIFMaxResults: c.max})
			keepSARIF(t, c.name, data)
			doc := parseSARIF(t, data)
			results := doc.Runs[0].Results
			if len(results) > c.wantMax || len(results) >= 25000 {
				t.Errorf("%d results, want at most %d (and < 25 000)", len(results), c.wantMax)
			}
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(data)
			zw.Close()
			if gz.Len() >= 10<<20 {
				t.Errorf("gzipped SARIF is %d bytes, GitHub takes < 10 MB", gz.Len())
			}
			t.Logf("%d findings → %d results, %d bytes, %d gzipped", len(res.Findings), len(results), len(data), gz.Len())
			// Every finding is accounted for: single results plus aggregate counts.
			total := 0
			for _, r := range results {
				if r.Properties["aggregated"] == true {
					n, _ := r.Properties["aggregatedCount"].(float64)
					total += int(n)
					if !strings.Contains(r.Message.Text, "aggregated") || r.PartialFingerprints[FingerprintKey] == "" {
						t.Errorf("aggregate result: %q", r.Message.Text)
					}
				} else {
					total++
				}
			}
			if total != len(res.Findings) {
				t.Errorf("results account for %d findings, want %d", total, len(res.Findings))
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	out := string(render(t, FormatMarkdown, fixtureResult(), Options{Facts: fixtureFacts(), ExitCode: 1}))
	for _, want := range []string{
		"# espreflight preflight: orders-to-alibaba", "❌", "exit 1", "Elasticsearch 5.6.16", "https://10.0.0.5:9200",
		"## Could not verify", "## Waived", "CHG-1234", "jane.doe", "2026-12-31", "<details>", "PLUG-001",
		"## Notices", "Facts collected at: 2026-11-26 09:58:12 UTC", "GET /_cat/indices on the source", "Selected data | 7 indices",
		`empty \| the pipeline runs &lt;once&gt;`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	ok := string(render(t, FormatMarkdown, passedResult(), Options{}))
	if !strings.Contains(ok, "✅") || strings.Contains(ok, "❌") {
		t.Error("a passing run must show ✅")
	}
}

// manyRulesResult gives every catalogue rule n per-index findings.
func manyRulesResult(n int) *policies.Result {
	rules := fixtureRules()
	var fs []policies.Finding
	for _, r := range rules {
		if !r.AppliesTo(fixtureMethod) {
			continue
		}
		msg := fmt.Sprintf("%d indices fail %s", n, r.ID)
		for i := 0; i < n; i++ {
			fs = append(fs, newFinding(r, msg, "source", fmt.Sprintf("idx-%06d", i), "indices", 5))
		}
	}
	return &policies.Result{ToolVersion: "v0.4.0", PlanFile: planFile, PlanName: "many", EvaluatedAt: evalTime,
		Rules: rules, Method: fixtureMethod, Findings: fs, Summary: summarize(rules, fs)}
}

// TestNotApplicableInEveryFormat: a rule that does not apply to the plan's
// method is shown as not applicable in every format, and never as passed.
func TestNotApplicableInEveryFormat(t *testing.T) {
	res := fixtureResult()
	want := map[string][]string{
		FormatText:     {"NOT APPLICABLE to method reindex (1): DUMP-001", ", 1 not applicable"},
		FormatJSON:     {`"not_applicable": 1`, "\"not_applicable\": [\n    \"DUMP-001\"\n  ]"},
		FormatSARIF:    {`"notApplicableRules": [`, `"not_applicable": 1`},
		FormatMarkdown: {"1 rule not applicable to method reindex", "| `DUMP-001` | elasticsearch-dump |", ", 1 not applicable`"},
		FormatJUnit:    {`<testcase name="DUMP-001 elasticsearch-dump host cannot reach a cluster" classname="espreflight.dump"`, `<skipped message="not applicable: the rule applies to elasticsearch-dump plans only; this plan&#39;s method is reindex">`},
	}
	for _, format := range Formats() {
		out := string(render(t, format, res, Options{Facts: fixtureFacts()}))
		for _, w := range want[format] {
			if !strings.Contains(out, w) {
				t.Errorf("%s lacks %q", format, w)
			}
		}
		switch format {
		case FormatText:
			if passed := regexp.MustCompile(`PASSED \(\d+\): .*`).FindString(out); strings.Contains(passed, "DUMP-001") {
				t.Errorf("text lists DUMP-001 as passed: %s", passed)
			}
		case FormatMarkdown:
			i := strings.Index(out, "rule passed</summary>")
			j := strings.Index(out, "not applicable to method")
			if i < 0 || j < i || strings.Contains(out[i:j], "DUMP-001") {
				t.Errorf("markdown lists DUMP-001 among the passed rules")
			}
		case FormatSARIF:
			if strings.Contains(out, `"ruleId": "DUMP-001"`) {
				t.Error("SARIF has a result for a not applicable rule")
			}
		}
	}
}

// TestAllApplicable: with every rule applicable nothing is said about it
// but the zero count.
func TestAllApplicable(t *testing.T) {
	res := fixtureResult()
	res.Method = "elasticsearch-dump"
	res.Summary = policies.Summary{Rules: res.Summary.Rules, Passed: res.Summary.Passed + 1, Failed: res.Summary.Failed, Warnings: res.Summary.Warnings, Waived: res.Summary.Waived}
	for _, format := range Formats() {
		out := strings.ToLower(string(render(t, format, res, Options{Facts: fixtureFacts()})))
		for _, w := range []string{"not applicable to", "notapplicablerules", "not_applicable\": ["} {
			if strings.Contains(out, w) {
				t.Errorf("%s mentions %q with every rule applicable", format, w)
			}
		}
	}
}

// causeResult is the fixture with its could-not-verify finding explained by
// one cause, as Evaluate does for an unreachable cluster.
func causeResult() *policies.Result {
	res := fixtureResult()
	for i := range res.Findings {
		if res.Findings[i].Unverified {
			res.Findings[i].Cause = "destination-unreachable"
			res.Findings[i].Remediation = "Make the destination reachable from the machine that runs espreflight, or probe elsewhere and pass --facts."
		}
	}
	res.Causes = []policies.Cause{{ID: "destination-unreachable", Cluster: "destination",
		Text:        "the destination (https://es-cn-abc.elasticsearch.aliyuncs.com:9200) could not be reached from this machine: connection refused",
		Remediation: "Make the destination reachable from the machine that runs espreflight, or probe elsewhere and pass --facts.",
		Rules:       []string{"VER-003"}}}
	return res
}

// TestCauseOnceAtTop: when a cause left rules unverified, text and Markdown
// say it once, before the findings, and the findings point to it.
func TestCauseOnceAtTop(t *testing.T) {
	res := causeResult()
	for _, format := range []string{FormatText, FormatMarkdown} {
		out := string(render(t, format, res, Options{Facts: fixtureFacts()}))
		if n := strings.Count(out, "could not be reached from this machine: connection refused"); n != 1 {
			t.Errorf("%s states the cause %d times, want once", format, n)
		}
		if n := strings.Count(out, "Make the destination reachable"); n != 1 {
			t.Errorf("%s gives the remediation %d times, want once", format, n)
		}
		first := strings.Index(out, "could not be reached")
		if f := strings.Index(out, "VER-003"); f < 0 || first < 0 || first > strings.Index(out, "ARCH-001") {
			t.Errorf("%s: the cause is not at the top", format)
		}
	}
	text := string(render(t, FormatText, res, Options{}))
	if !strings.Contains(text, "fix: see CANNOT VERIFY at the top of the report") {
		t.Error("text: the unverified finding does not point to the cause")
	}
}

// TestNoCauseNoBanner: without causes there is no banner.
func TestNoCauseNoBanner(t *testing.T) {
	for _, format := range []string{FormatText, FormatMarkdown} {
		out := string(render(t, format, fixtureResult(), Options{Facts: fixtureFacts()}))
		if strings.Contains(out, "CANNOT VERIFY") || strings.Contains(out, "could not verify:**") {
			t.Errorf("%s shows a cause banner without a cause", format)
		}
	}
}

// TestFormatsDocumented: the README's format table and docs/ci.md ("What
// each format holds") describe every row of the format table.
func TestFormatsDocumented(t *testing.T) {
	for _, doc := range []struct{ file, entry string }{
		{"../README.md", "| `%s` |"},
		{"../docs/ci.md", "- **%s**"},
	} {
		data, err := os.ReadFile(doc.file)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range FormatTable() {
			if !strings.Contains(string(data), fmt.Sprintf(doc.entry, f.Name)) {
				t.Errorf("%s does not describe the %s format (want a line with %q)", doc.file, f.Name, fmt.Sprintf(doc.entry, f.Name))
			}
		}
	}
}
