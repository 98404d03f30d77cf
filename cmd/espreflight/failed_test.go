package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/report"
)

// failedReportChecks say, per format, that a report is a valid report of a
// failed run carrying the error. Every format of the table needs one.
var failedReportChecks = map[string]func(t *testing.T, data []byte, want string){
	report.FormatText: func(t *testing.T, data []byte, want string) {
		if !strings.Contains(string(data), "RUN FAILED (exit 2") || !strings.Contains(string(data), want) {
			t.Errorf("text:\n%s", data)
		}
	},
	report.FormatMarkdown: func(t *testing.T, data []byte, want string) {
		if !strings.Contains(string(data), "**❌ Run failed** (exit 2") || !strings.Contains(string(data), want) {
			t.Errorf("markdown:\n%s", data)
		}
	},
	report.FormatJSON: func(t *testing.T, data []byte, want string) {
		var doc struct {
			Findings []any             `json:"findings"`
			Errors   []report.RunError `json:"errors"`
		}
		if err := json.Unmarshal(data, &doc); err != nil || len(doc.Findings) != 0 || len(doc.Errors) == 0 || !strings.Contains(doc.Errors[0].Message, want) {
			t.Errorf("json: %v\n%s", err, data)
		}
	},
	report.FormatSARIF: func(t *testing.T, data []byte, want string) {
		var log struct {
			Runs []struct {
				Results     []any `json:"results"`
				Invocations []struct {
					ExecutionSuccessful *bool `json:"executionSuccessful"`
					ExitCode            int   `json:"exitCode"`
					Notifications       []struct {
						Level   string                `json:"level"`
						Message struct{ Text string } `json:"message"`
					} `json:"toolExecutionNotifications"`
				} `json:"invocations"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(data, &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Invocations) != 1 {
			t.Fatalf("sarif: %v\n%s", err, data)
		}
		inv := log.Runs[0].Invocations[0]
		if inv.ExecutionSuccessful == nil || *inv.ExecutionSuccessful || inv.ExitCode != exitUsage || len(inv.Notifications) == 0 ||
			inv.Notifications[0].Level != "error" || !strings.Contains(inv.Notifications[0].Message.Text, want) || len(log.Runs[0].Results) != 0 {
			t.Errorf("sarif:\n%s", data)
		}
	},
	report.FormatGitHub: func(t *testing.T, data []byte, want string) {
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if len(lines) < 2 || !strings.HasPrefix(lines[0], "::error ") || !strings.Contains(lines[0], "title=espreflight could not run::") ||
			!strings.Contains(lines[0], strings.NewReplacer("%", "%25").Replace(want)) || !strings.Contains(lines[len(lines)-1], "run failed (exit 2") {
			t.Errorf("github:\n%s", data)
		}
	},
	report.FormatGitLab: func(t *testing.T, data []byte, want string) {
		var issues []struct {
			Description string `json:"description"`
			CheckName   string `json:"check_name"`
			Severity    string `json:"severity"`
		}
		if err := json.Unmarshal(data, &issues); err != nil || len(issues) == 0 || issues[0].CheckName != "espreflight/run-failed" ||
			issues[0].Severity != "blocker" || !strings.Contains(issues[0].Description, want) {
			t.Errorf("gitlab: %v\n%s", err, data)
		}
	},
	report.FormatJUnit: func(t *testing.T, data []byte, want string) {
		var doc struct {
			Suites []struct {
				Cases []struct {
					Error []struct {
						Message string `xml:"message,attr"`
					} `xml:"error"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal(data, &doc); err != nil || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 1 ||
			len(doc.Suites[0].Cases[0].Error) != 1 || !strings.Contains(doc.Suites[0].Cases[0].Error[0].Message, want) {
			t.Errorf("junit: %v\n%s", err, data)
		}
	},
}

// TestFailedRunWritesReports: whatever makes check exit 2 (a bad plan,
// facts file, flag, format or policy, a report that cannot be written),
// every --format FORMAT=PATH and -o gets a failed-run report carrying the
// error in place of whatever an earlier run left there.
func TestFailedRunWritesReports(t *testing.T) {
	plan := testdata("examples", "arch-conflict.yaml")
	facts := testdata("examples", "alibaba-pair.facts.json")
	badPolicy := t.TempDir()
	if err := os.WriteFile(filepath.Join(badPolicy, "team.rego"), []byte("package espreflight.custom.team\n\ndeny contains f if {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string // before the --format flags
		post []string // after them
		want string   // in every report
	}{
		{"bad plan", []string{"--plan", testdata("plans", "bad", "unknown-key.yaml")}, nil, "snapshots: unknown key"},
		{"missing facts", []string{"--plan", plan, "--facts", "no-such-facts.json"}, nil, "no-such-facts.json"},
		{"bad flag value", []string{"--plan", plan, "--facts", facts, "--fail-on", "sometimes"}, nil, "--fail-on"},
		{"unknown flag", []string{"--plan", plan, "--no-such-flag"}, []string{"--facts", facts}, "no-such-flag"},
		{"flag without its value", []string{"--plan", plan}, []string{"--facts"}, "flag needs an argument"},
		{"unknown format", []string{"--plan", plan, "--facts", facts, "--format", "yaml=out.yaml"}, nil, `"yaml=out.yaml"`},
		{"policy error", []string{"--plan", plan, "--facts", facts, "--policy", badPolicy}, nil, "team.rego"},
		{"unknown rule to skip", []string{"--plan", plan, "--facts", facts, "--skip", "ARCH-01"}, nil, "ARCH-01"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"check", "--now", "2026-11-26"}, tc.args...)
			var paths []string
			for _, f := range report.FormatTable() {
				if failedReportChecks[f.Name] == nil {
					t.Fatalf("format %s: add a check of its failed-run report to failedReportChecks", f.Name)
				}
				p := filepath.Join(dir, "out."+f.Ext)
				paths = append(paths, p)
				args = append(args, "--format", f.Name+"="+p)
			}
			// -o takes the formats given without a path.
			dflt := filepath.Join(dir, "default.json")
			paths = append(paths, dflt)
			args = append(args, "--format", "json", "-o", dflt)
			for _, p := range paths {
				if err := os.WriteFile(p, []byte("stale report of an earlier run"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, stdout, stderr := espreflight(t, append(args, tc.post...)...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
				t.Fatalf("exit %d (want 2), stdout %q, stderr %q (want %q)", code, stdout, stderr, tc.want)
			}
			for i, f := range report.FormatTable() {
				data, err := os.ReadFile(paths[i])
				if err != nil || strings.Contains(string(data), "stale") {
					t.Fatalf("%s: %v %q", paths[i], err, data)
				}
				failedReportChecks[f.Name](t, data, tc.want)
				if f.Name == report.FormatSARIF {
					keepSARIF(t, "cli-failed-"+strings.ReplaceAll(tc.name, " ", "-")+".sarif", data)
				}
			}
			data, _ := os.ReadFile(dflt)
			failedReportChecks[report.FormatJSON](t, data, tc.want)
			if entries, _ := os.ReadDir(dir); len(entries) != len(paths) {
				t.Errorf("files left behind: %v", entries)
			}
		})
	}
}

// TestFailedRunStdout: a failed run prints nothing on standard output for
// text (the error is on stderr), but a machine format piped from standard
// output still gets its failed-run report.
func TestFailedRunStdout(t *testing.T) {
	bad := testdata("plans", "bad", "unknown-key.yaml")
	if code, stdout, _ := espreflight(t, "check", "--plan", bad); code != exitUsage || stdout != "" {
		t.Errorf("text: exit %d, stdout %q", code, stdout)
	}
	code, stdout, _ := espreflight(t, "check", "--plan", bad, "--format", "sarif")
	if code != exitUsage {
		t.Fatalf("exit %d", code)
	}
	failedReportChecks[report.FormatSARIF](t, []byte(stdout), "snapshots: unknown key")
}

// TestUnwritableReportFailsTheRun: when one report cannot be written the run
// fails (exit 2), and the reports already written say so rather than
// showing the findings of a run that did not finish.
func TestUnwritableReportFailsTheRun(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "taken")
	if err := os.MkdirAll(filepath.Join(blocker, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	sarifPath := filepath.Join(dir, "out.sarif")
	code, _, stderr := espreflight(t, "check", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", testdata("examples", "alibaba-pair.facts.json"),
		"--format", "sarif="+sarifPath, "--format", "json="+blocker)
	if code != exitUsage || !strings.Contains(stderr, "taken") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	data, err := os.ReadFile(sarifPath)
	if err != nil {
		t.Fatal(err)
	}
	failedReportChecks[report.FormatSARIF](t, data, "taken")
}

// TestUnreachableRunReports: exit 3 writes complete reports that say which
// cluster could not be reached; in SARIF what could not be verified is a
// note (docs/ci.md, "Exit 3").
func TestUnreachableRunReports(t *testing.T) {
	srv := recordedServer(t, "elasticsearch-7.10.2")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(plan, []byte(fmt.Sprintf("version: 1\nname: outage\nmethod: snapshot\nindices: [\"*\"]\nsource:\n  kind: self-managed\n  endpoint: %s\ndestination:\n  kind: self-managed\n  endpoint: %s\n", srv.URL, dead)), 0o644); err != nil {
		t.Fatal(err)
	}
	sarifPath, xmlPath := filepath.Join(dir, "out.sarif"), filepath.Join(dir, "out.xml")
	code, _, stderr := espreflight(t, "check", "--plan", plan, "--timeout", "2s", "--deadline", "10s", "--format", "sarif="+sarifPath, "--format", "junit="+xmlPath)
	if code != exitUnreachable {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	data, err := os.ReadFile(sarifPath)
	if err != nil {
		t.Fatal(err)
	}
	keepSARIF(t, "cli-unreachable.sarif", data)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID     string         `json:"ruleId"`
				Level      string         `json:"level"`
				Properties map[string]any `json:"properties"`
			} `json:"results"`
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
				Notifications       []struct {
					Message struct{ Text string } `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	inv := log.Runs[0].Invocations[0]
	if inv.ExecutionSuccessful || len(inv.Notifications) == 0 || !strings.Contains(inv.Notifications[0].Message.Text, "could not reach the destination") {
		t.Errorf("invocation %+v", inv)
	}
	notes := 0
	for _, r := range log.Runs[0].Results {
		if r.Properties["unverified"] == true {
			notes++
			if r.Level != "note" {
				t.Errorf("%s could not verify on exit 3: level %s, want note", r.RuleID, r.Level)
			}
		}
	}
	if notes == 0 {
		t.Errorf("no result could not verify with the destination down:\n%s", data)
	}
	xmlData, err := os.ReadFile(xmlPath)
	if err != nil || !strings.Contains(string(xmlData), `name="espreflight reaches every cluster the plan names"`) {
		t.Errorf("junit: %v\n%s", err, xmlData)
	}
}

// keepSARIF writes a SARIF the CLI produced to $ESPREFLIGHT_SARIF_OUT, for
// .ci/run's validator.
func keepSARIF(t *testing.T, name string, data []byte) {
	t.Helper()
	if dir := os.Getenv("ESPREFLIGHT_SARIF_OUT"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestJUnitAgreesWithExitCode: on every example, under every --fail-on, the
// JUnit report shows no failure and no error when the run exits 0, some
// when it exits 1, an error when it exits 3; and a rule left out with
// --skip is a skipped test case.
func TestJUnitAgreesWithExitCode(t *testing.T) {
	examples := map[string]string{
		"arch-conflict.yaml": "alibaba-pair.facts.json", "arch-same.yaml": "alibaba-same-arch.facts.json",
		"dump.yaml": "dump.facts.json", "logstash.yaml": "logstash.facts.json", "reindex.yaml": "reindex.facts.json",
		"snapshot.yaml": "snapshot.facts.json", "snapshot-reindex.yaml": "snapshot-reindex.facts.json",
	}
	exits := map[int]int{}
	for plan, facts := range examples {
		for _, failOn := range []string{"error", "warning", "never"} {
			code, stdout, stderr := espreflight(t, "check", "--plan", testdata("examples", plan), "--facts", testdata("examples", facts),
				"--now", "2026-11-26", "--fail-on", failOn, "--format", "junit", "--skip", "SYS-001")
			exits[code]++
			var doc struct {
				Failures int `xml:"failures,attr"`
				Errors   int `xml:"errors,attr"`
				Suites   []struct {
					Cases []struct {
						Name    string `xml:"name,attr"`
						Skipped *struct {
							Message string `xml:"message,attr"`
						} `xml:"skipped"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Suites) != 1 {
				t.Fatalf("%s --fail-on %s: exit %d, %v, stderr %s", plan, failOn, code, err, stderr)
			}
			var ok bool
			switch code {
			case exitOK:
				ok = doc.Failures+doc.Errors == 0
			case exitFindings:
				ok = doc.Failures+doc.Errors > 0
			case exitUnreachable:
				ok = doc.Errors > 0 // at least the unreachable cluster's
			}
			if !ok {
				t.Errorf("%s --fail-on %s: exit %d but %d failures and %d errors", plan, failOn, code, doc.Failures, doc.Errors)
			}
			skipped := false
			for _, c := range doc.Suites[0].Cases {
				if strings.HasPrefix(c.Name, "SYS-001 ") && c.Skipped != nil && strings.Contains(c.Skipped.Message, "--skip SYS-001") {
					skipped = true
				}
			}
			if !skipped {
				t.Errorf("%s: --skip SYS-001 is not a skipped test case", plan)
			}
		}
	}
	if exits[exitOK] == 0 || exits[exitFindings] == 0 {
		t.Errorf("the examples should both pass and fail: exits %v", exits)
	}
}
