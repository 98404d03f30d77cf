package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/espreflight/espreflight/policies"
)

// glValidate checks a Code Quality report against GitLab's documented
// format (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
// a JSON array, no byte order mark, each issue with a description, a
// check_name, a fingerprint unique in the report (GitLab shows issues with
// one fingerprint as one), a severity of info, minor, major, critical or
// blocker, a location.path relative to the repository root and a
// location.lines.begin. It returns the issues.
func glValidate(t *testing.T, data []byte) []glIssue {
	t.Helper()
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		t.Fatal("GitLab's parser refuses a byte order mark")
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("not a JSON array of objects: %v", err)
	}
	var issues []glIssue
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&issues); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, is := range issues {
		for _, k := range []string{"description", "check_name", "fingerprint", "severity", "location"} {
			if _, ok := raw[i][k]; !ok {
				t.Errorf("issue %d lacks %s", i, k)
			}
		}
		switch is.Severity {
		case glInfo, glMinor, glMajor, glCritical, glBlocker:
		default:
			t.Errorf("issue %d: severity %q is not one of GitLab's", i, is.Severity)
		}
		if strings.TrimSpace(is.Description) == "" || is.CheckName == "" || is.Fingerprint == "" {
			t.Errorf("issue %d: empty description, check_name or fingerprint: %+v", i, is)
		}
		if seen[is.Fingerprint] {
			t.Errorf("issue %d: fingerprint %s used twice", i, is.Fingerprint)
		}
		seen[is.Fingerprint] = true
		if p := is.Location.Path; p == "" || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "./") || strings.Contains(p, "\\") {
			t.Errorf("issue %d: path %q is not relative to the repository root", i, p)
		}
		if is.Location.Lines.Begin < 1 {
			t.Errorf("issue %d: lines.begin %d", i, is.Location.Lines.Begin)
		}
	}
	return issues
}

// TestGitLabCodeQuality: one issue per SARIF result but the waived ones,
// with SARIF's fingerprints, ranked by whether it fails the gate.
func TestGitLabCodeQuality(t *testing.T) {
	issues := glValidate(t, render(t, FormatGitLab, fixtureResult(), Options{ExitCode: 1}))
	by := map[string][]glIssue{}
	for _, is := range issues {
		by[is.CheckName] = append(by[is.CheckName], is)
	}
	for rule, want := range map[string]struct {
		n        int
		severity string
		line     int
	}{
		"ARCH-001": {1, glCritical, 12}, "SNAP-002": {5, glCritical, 5}, "VER-003": {1, glMajor, 18}, "LS-001": {1, glMinor, 30},
	} {
		got := by[rule]
		if len(got) != want.n || got[0].Severity != want.severity || got[0].Location.Line() != want.line || got[0].Location.Path != planFile {
			t.Errorf("%s: %+v, want %d issue(s) of severity %s at line %d", rule, got, want.n, want.severity, want.line)
		}
	}
	if len(by["SYS-001"]) != 0 || len(issues) != 8 {
		t.Errorf("%d issues, waived SYS-001 among them: %d", len(issues), len(by["SYS-001"]))
	}
	if d := by["SNAP-002"][0].Description; d != "SNAP-002 Index created by a version the destination cannot restore: Index logs-2017.01 on the source: 5 indices were created by Elasticsearch 5.x; a 7.10 destination restores only 6.x and 7.x indices" {
		t.Errorf("description %q", d)
	}

	// The fingerprints are SARIF's, so both systems track the same issue.
	var log sarif.Report
	if err := json.Unmarshal(render(t, FormatSARIF, fixtureResult(), Options{ExitCode: 1}), &log); err != nil {
		t.Fatal(err)
	}
	fps := map[string]bool{}
	for _, r := range log.Runs[0].Results {
		fps[r.PartialFingerprints[FingerprintKey]] = true
	}
	for _, is := range issues {
		if !fps[is.Fingerprint] {
			t.Errorf("%s: fingerprint %s is not a SARIF result's", is.CheckName, is.Fingerprint)
		}
	}

	// The gate ranks: --fail-on warning raises LS-001, never lowers all.
	for failOn, want := range map[string]map[string]string{
		policies.FailOnWarning: {"LS-001": glMajor, "ARCH-001": glCritical, "VER-003": glMajor},
		policies.FailOnNever:   {"LS-001": glMinor, "ARCH-001": glMinor, "VER-003": glInfo},
	} {
		for _, is := range glValidate(t, render(t, FormatGitLab, fixtureResult(), Options{ExitCode: 1, FailOn: failOn})) {
			if w, ok := want[is.CheckName]; ok && is.Severity != w {
				t.Errorf("--fail-on %s: %s is %s, want %s", failOn, is.CheckName, is.Severity, w)
			}
		}
	}

	// On exit 3 what could not be verified is info, and the cluster that
	// could not be reached is an issue of its own.
	un := glValidate(t, render(t, FormatGitLab, fixtureResult(), unreachableOptions()))
	if un[0].CheckName != "espreflight/unreachable" || !strings.Contains(un[0].Description, "could not reach the destination") {
		t.Errorf("exit 3: first issue %+v", un[0])
	}
	for _, is := range un {
		if is.CheckName == "VER-003" && is.Severity != glInfo {
			t.Errorf("exit 3: VER-003 could not verify but is %s", is.Severity)
		}
	}

	// A failed run: one blocker per error, on the plan line it names.
	failed := glValidate(t, render(t, FormatGitLab, failedResult(), failedOptions()))
	if len(failed) != 2 || failed[0].Severity != glBlocker || failed[0].CheckName != "espreflight/run-failed" || failed[0].Location.Line() != 6 {
		t.Errorf("failed run: %+v", failed)
	}
	// No plan file at all still gives GitLab a path.
	nofile := glValidate(t, render(t, FormatGitLab, &policies.Result{}, Options{ExitCode: 2, Errors: []RunError{{Message: "no plan"}}}))
	if len(nofile) != 1 || nofile[0].Location.Path != "." {
		t.Errorf("no plan file: %+v", nofile)
	}
	// No finding: an empty array, not null.
	if out := string(render(t, FormatGitLab, passedResult(), Options{})); out != "[]\n" {
		t.Errorf("no finding: %q", out)
	}
}

// TestGitLabLarge: capped and aggregated like SARIF.
func TestGitLabLarge(t *testing.T) {
	issues := glValidate(t, render(t, FormatGitLab, largeResult(30000), Options{ExitCode: 1}))
	if len(issues) > DefaultSARIFMaxResults+2 {
		t.Errorf("%d issues for 30 000 findings", len(issues))
	}
	agg := 0
	for _, is := range issues {
		if strings.Contains(is.Description, "aggregated into this one result") {
			agg++
		}
	}
	if agg != 1 {
		t.Errorf("%d aggregate issues, want 1", agg)
	}
}

// TestGitLabGoldens: every committed Code Quality golden file is valid.
func TestGitLabGoldens(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.codequality.json"))
	if err != nil || len(files) < 3 {
		t.Fatalf("%d Code Quality golden files (%v)", len(files), err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		glValidate(t, data)
	}
}

// Line is the line an issue begins on.
func (l glLocation) Line() int { return l.Lines.Begin }
