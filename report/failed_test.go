package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// TestFailedRun: a run that evaluated nothing (exit 2) gets a report in
// every format that says it failed and why, with no finding and no rule.
func TestFailedRun(t *testing.T) {
	opts := failedOptions()
	for _, f := range FormatTable() {
		t.Run(f.Name, func(t *testing.T) {
			out := string(render(t, f.Name, failedResult(), opts))
			for _, want := range []string{"snapshots: unknown key", "source.endpoint"} {
				if !strings.Contains(out, want) {
					t.Errorf("the error %q is missing:\n%s", want, out)
				}
			}
			if strings.Contains(out, "ARCH-001") || strings.Contains(out, "PASSED") || strings.Contains(out, "✅") {
				t.Errorf("a failed run's report names a rule or says it passed:\n%s", out)
			}
		})
	}

	var log sarif.Report
	if err := json.Unmarshal(render(t, FormatSARIF, failedResult(), opts), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful == nil || *inv.ExecutionSuccessful || inv.ExitCode == nil || *inv.ExitCode != 2 {
		t.Errorf("invocation: %+v", inv)
	}
	if len(inv.ToolExecutionNotifications) != 2 {
		t.Fatalf("%d notifications, want one per error", len(inv.ToolExecutionNotifications))
	}
	n := inv.ToolExecutionNotifications[0]
	if n.Level != sarif.LevelError || !strings.Contains(*n.Message.Text, "snapshots: unknown key") || len(n.Locations) != 1 ||
		*n.Locations[0].PhysicalLocation.ArtifactLocation.URI != planFile || *n.Locations[0].PhysicalLocation.Region.StartLine != 6 {
		t.Errorf("notification: %+v", n)
	}
	if len(run.Results) != 0 || len(run.Tool.Driver.Rules) != 0 {
		t.Errorf("a failed run has %d results and %d rules", len(run.Results), len(run.Tool.Driver.Rules))
	}
	if id := *run.AutomationDetails.ID; id != "espreflight/migration/failed/" {
		t.Errorf("category %q: a failed run must not replace the plan's analysis", id)
	}

	var doc struct {
		Findings []any          `json:"findings"`
		Summary  map[string]int `json:"summary"`
		Errors   []RunError     `json:"errors"`
	}
	if err := json.Unmarshal(render(t, FormatJSON, failedResult(), opts), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Findings == nil || len(doc.Findings) != 0 || doc.Summary["rules"] != 0 || len(doc.Errors) != 2 || doc.Errors[0] != opts.Errors[0] {
		t.Errorf("json: %+v", doc)
	}

	s := parseJUnit(t, render(t, FormatJUnit, failedResult(), opts))
	if len(s.Cases) != 1 || len(s.Cases[0].Error) != 1 || *s.Errors != 1 || *s.Failures != 0 {
		t.Fatalf("junit: want one <error> test case, got %+v", s)
	}
	if e := s.Cases[0].Error[0]; e.Type != "run-failed" || !strings.Contains(e.Text, "source.endpoint") {
		t.Errorf("junit error: %+v", e)
	}

	md := string(render(t, FormatMarkdown, failedResult(), opts))
	if !strings.Contains(md, "**❌ Run failed** (exit 2") || !strings.Contains(md, "````text\n") {
		t.Errorf("markdown: the verdict or a fence longer than the error's backticks is missing:\n%s", md)
	}
}

// TestUnreachableRun: on exit 3 the report is complete, says why the run
// failed, and in SARIF the findings that could not be verified are notes
// so that a network outage does not open code-scanning alerts.
func TestUnreachableRun(t *testing.T) {
	opts := unreachableOptions()
	var log sarif.Report
	if err := json.Unmarshal(render(t, FormatSARIF, fixtureResult(), opts), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	unverified, verified := 0, 0
	for _, r := range run.Results {
		if r.Properties != nil && r.Properties.Properties["unverified"] == true {
			unverified++
			if r.Level != sarif.LevelNote {
				t.Errorf("%s could not verify on exit 3 but has level %s", *r.RuleID, r.Level)
			}
			continue
		}
		verified++
		if r.Level == sarif.LevelNote {
			t.Errorf("%s was verified but is a note", *r.RuleID)
		}
	}
	if unverified == 0 || verified == 0 {
		t.Fatalf("fixture: %d unverified, %d verified results", unverified, verified)
	}
	inv := run.Invocations[0]
	if *inv.ExecutionSuccessful || *inv.ExitCode != 3 || len(inv.ToolExecutionNotifications) != 2 ||
		!strings.Contains(*inv.ToolExecutionNotifications[0].Message.Text, "could not reach the destination") {
		t.Errorf("invocation: %+v", inv)
	}
	if id := *run.AutomationDetails.ID; id != "espreflight/orders-to-alibaba/" {
		t.Errorf("category %q: exit 3 is still the plan's analysis", id)
	}
	// On exit 1 the same finding keeps its rule's level.
	if err := json.Unmarshal(render(t, FormatSARIF, fixtureResult(), Options{ExitCode: 1}), &log); err != nil {
		t.Fatal(err)
	}
	for _, r := range log.Runs[0].Results {
		if r.Level == sarif.LevelNote {
			t.Errorf("exit 1: %s is a note", *r.RuleID)
		}
	}

	s := parseJUnit(t, render(t, FormatJUnit, fixtureResult(), opts))
	if len(s.Cases) < 2 || *s.Cases[0].Name != "espreflight reaches every cluster the plan names" || len(s.Cases[0].Error) != 1 {
		t.Errorf("junit: the first case must be the unreachable cluster's error: %+v", s.Cases[0])
	}
	for _, f := range []string{FormatText, FormatMarkdown, FormatJSON} {
		if out := string(render(t, f, fixtureResult(), opts)); !strings.Contains(out, "could not reach the destination") || !strings.Contains(out, "ARCH-001") {
			t.Errorf("%s: the error or the findings are missing:\n%s", f, out)
		}
	}
}
