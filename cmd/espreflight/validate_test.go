package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writePlan(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const waiverPlanText = "version: 1\nmethod: reindex\nindices: [\"orders-*\"]\nsource: {kind: self-managed, version: \"7.10.2\"}\ndestination: {kind: alibaba, version: \"7.10.0\", region: cn-hangzhou, created: 2021-03-01}\nwaivers:\n  - rule: %s\n    reason: accepted\n    expires: 2027-01-31\n"

// TestValidateTimeErrors: a waiver for an unknown rule (user rules count
// with --policy), an oversized size and --only X --skip X are errors of
// plan validate and check before any probe, with file:line.
func TestValidateTimeErrors(t *testing.T) {
	bad := writePlan(t, strings.Replace(waiverPlanText, "%s", "TEAM-01", 1))
	for _, args := range [][]string{{"plan", "validate", "--plan", bad}, {"check", "--plan", bad}} {
		code, _, stderr := espreflight(t, args...)
		if code != exitUsage || !strings.Contains(stderr, `plan.yaml:7: waivers[0].rule: "TEAM-01" is no rule`) {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}
	team := writePlan(t, strings.Replace(waiverPlanText, "%s", "TEAM-001", 1))
	if code, _, stderr := espreflight(t, "plan", "validate", "--plan", team); code != exitUsage || !strings.Contains(stderr, `"TEAM-001" is no rule`) {
		t.Errorf("a user rule without its --policy: exit %d %q", code, stderr)
	}
	huge := writePlan(t, strings.Replace(waiverPlanText, "%s", "SYS-001", 1)+"volume: 9000pb\n")
	if code, _, stderr := espreflight(t, "plan", "validate", "--plan", huge); code != exitUsage || !strings.Contains(stderr, `volume: "9000pb" is too large`) {
		t.Errorf("oversized volume: exit %d %q", code, stderr)
	}
	// The endpoint would take --timeout to fail; the id error comes first.
	probed := writePlan(t, "version: 1\nmethod: reindex\nindices: [\"*\"]\nsource: {kind: self-managed, endpoint: \"http://192.0.2.1:9200\"}\ndestination: {kind: alibaba, version: \"7.10.0\"}\n")
	code, _, stderr := espreflight(t, "check", "--plan", probed, "--only", "SYS-001,RX-001", "--skip", "RX-001")
	if code != exitUsage || !strings.Contains(stderr, "RX-001 is given to both --only and --skip") || strings.Contains(stderr, "reach") {
		t.Errorf("--only X --skip X: exit %d %q", code, stderr)
	}
	code, _, stderr = espreflight(t, "check", "--plan", probed, "--skip", "RX-01")
	if code != exitUsage || !strings.Contains(stderr, `--skip RX-01: no such rule (did you mean "RX-001"?)`) {
		t.Errorf("--skip RX-01: exit %d %q", code, stderr)
	}
}

// TestValidateTimeQuiet: the same plans with a known waiver, or with the
// user rules' folder, validate.
func TestValidateTimeQuiet(t *testing.T) {
	ok := writePlan(t, strings.Replace(waiverPlanText, "%s", "SYS-001", 1))
	if code, _, stderr := espreflight(t, "plan", "validate", "--plan", ok); code != exitOK {
		t.Errorf("SYS-001 waiver: exit %d %q", code, stderr)
	}
	team := writePlan(t, strings.Replace(waiverPlanText, "%s", "TEAM-001", 1))
	if code, _, stderr := espreflight(t, "plan", "validate", "--policy", testdata("policies", "valid"), "--plan", team); code != exitOK {
		t.Errorf("TEAM-001 waiver with --policy: exit %d %q", code, stderr)
	}
}
