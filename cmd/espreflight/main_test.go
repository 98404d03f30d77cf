package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

// repoRoot is the repository root, relative to this package.
const repoRoot = "../.."

func testdata(p ...string) string {
	return filepath.Join(append([]string{repoRoot, "testdata"}, p...)...)
}

// espreflight runs the CLI in-process and returns its exit code and outputs.
func espreflight(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return espreflightStdin(t, "", args...)
}

// espreflightStdin runs the CLI in-process with stdin as standard input.
func espreflightStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"espreflight"}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestBadPlans(t *testing.T) {
	cases := []struct {
		file string
		want string // a regexp the single error line must match
	}{
		{"unknown-key.yaml", `unknown-key\.yaml:6:1: snapshots: unknown key \(did you mean "snapshot"\?\)`},
		{"wrong-type.yaml", `wrong-type\.yaml:3:10: indices: expected a list, got a string`},
		{"bad-date.yaml", `bad-date\.yaml:4: source\.created: "2019-02-30" is not a date; write it as YYYY-MM-DD`},
		{"missing-method.yaml", `missing-method\.yaml:1: method: missing; say how the data moves`},
		{"inline-secret.yaml", `inline-secret\.yaml:9:5: source\.auth\.password: inline secrets are not allowed in a plan; use password_env or password_file`},
		{"not-yaml.yaml", `not-yaml\.yaml:1:\d+: not valid YAML: `},
		{"bad-enum.yaml", `bad-enum\.yaml:2: method: "snapshots" is not accepted \(did you mean "snapshot"\?\)`},
		{"secret-in-url.yaml", `secret-in-url\.yaml:4: source\.endpoint: credentials in the URL are not allowed`},
		{"exclusion-only.yaml", `exclusion-only\.yaml:3: indices\[0\]: "-logs-\*" excludes, but no pattern before it selects anything`},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := testdata("plans", "bad", tc.file)
			for _, cmd := range [][]string{{"plan", "validate", "--plan", path}, {"check", "--plan", path}} {
				code, stdout, stderr := espreflight(t, cmd...)
				if code != exitUsage {
					t.Errorf("%v: exit %d, want %d (stderr %q)", cmd, code, exitUsage, stderr)
				}
				if stdout != "" {
					t.Errorf("%v: wrote to stdout: %q", cmd, stdout)
				}
				lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
				if len(lines) != 1 {
					t.Errorf("%v: want one error line, got %d:\n%s", cmd, len(lines), stderr)
				}
				if !regexp.MustCompile(tc.want).MatchString(lines[0]) {
					t.Errorf("%v: error %q does not match %q", cmd, lines[0], tc.want)
				}
				if strings.Contains(stderr, "s3cr3t-canary-value") {
					t.Errorf("%v: the secret leaked into the error: %q", cmd, stderr)
				}
			}
		})
	}
}

// TestEmptySelectionIsAnError: patterns that select nothing on a source
// whose indices are known stop check with a plan error (exit 2) that names
// the patterns and the closest names, instead of passing every rule.
func TestEmptySelectionIsAnError(t *testing.T) {
	src, err := os.ReadFile(testdata("examples", "snapshot.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(t.TempDir(), "typo.yaml")
	if err := os.WriteFile(plan, bytes.Replace(src, []byte(`"orders-*"`), []byte(`"order-*"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := espreflight(t, "check", "--plan", plan, "--facts", testdata("examples", "snapshot.facts.json"), "--now", "2026-11-26")
	if code != exitUsage || stdout != "" {
		t.Fatalf("exit %d, stdout %q; want exit 2 and no report", code, stdout)
	}
	for _, w := range []string{"typo.yaml:11: indices: the index patterns [\"order-*\", \"-orders-2019\"] select no index on the source", "the closest names are orders-2023, orders-2024"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q lacks %q", stderr, w)
		}
	}
	// The same plan with the right pattern is evaluated.
	if code, _, stderr := espreflight(t, "check", "--plan", testdata("examples", "snapshot.yaml"), "--facts", testdata("examples", "snapshot.facts.json"), "--now", "2026-11-26"); code == exitUsage {
		t.Errorf("the example plan is refused: %s", stderr)
	}
}

func TestExampleExitCodes(t *testing.T) {
	facts := testdata("examples", "alibaba-pair.facts.json")
	code, stdout, stderr := espreflight(t, "check", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", facts, "--now", "2026-11-26")
	if code != exitFindings {
		t.Fatalf("arch-conflict: exit %d, want 1; stderr %s", code, stderr)
	}
	if !strings.Contains(stdout, "ARCH-001") {
		t.Errorf("arch-conflict: ARCH-001 not reported:\n%s", stdout)
	}
	if !regexp.MustCompile(`(?m)^\d+ rules, \d+ passed, [1-9]\d* failed, \d+ warnings, \d+ waived, \d+ not applicable$`).MatchString(lastLine(stdout)) {
		t.Errorf("arch-conflict: last line is not the summary: %q", lastLine(stdout))
	}
	same := testdata("examples", "alibaba-same-arch.facts.json")
	code, stdout, stderr = espreflight(t, "check", "--plan", testdata("examples", "arch-same.yaml"), "--facts", same, "--now", "2026-11-26")
	if code != exitOK {
		t.Fatalf("arch-same: exit %d, want 0; stdout %s stderr %s", code, stdout, stderr)
	}
	if !regexp.MustCompile(`^\d+ rules, \d+ passed, 0 failed, 0 warnings, 0 waived, \d+ not applicable$`).MatchString(lastLine(stdout)) {
		t.Errorf("arch-same: summary %q", lastLine(stdout))
	}
	// --quiet prints nothing on success, --fail-on never turns a failure into 0.
	if code, stdout, _ := espreflight(t, "check", "-q", "--plan", testdata("examples", "arch-same.yaml"), "--facts", same); code != 0 || stdout != "" {
		t.Errorf("--quiet: exit %d stdout %q", code, stdout)
	}
	if code, _, _ := espreflight(t, "check", "--fail-on", "never", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", facts); code != 0 {
		t.Errorf("--fail-on never: exit %d", code)
	}
	// Skipping the failing rule passes; a typo in --skip is a usage error.
	if code, _, _ := espreflight(t, "check", "--skip", "ARCH-001", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", facts); code != 0 {
		t.Errorf("--skip ARCH-001: exit %d", code)
	}
	if code, _, stderr := espreflight(t, "check", "--skip", "ARCH-01", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", facts); code != exitUsage || !strings.Contains(stderr, "ARCH-01") {
		t.Errorf("--skip typo: exit %d stderr %q", code, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"check"},
		{"check", "--plan", testdata("examples", "arch-conflict.yaml"), "--format", "yaml"},
		{"check", "--plan", testdata("examples", "arch-conflict.yaml"), "--fail-on", "sometimes"},
		{"check", "--no-such-flag"},
		{"check", "--plan", "does-not-exist.yaml"},
		{"policies", "show", "NOPE-001"},
	} {
		if code, _, stderr := espreflight(t, args...); code != exitUsage || stderr == "" {
			t.Errorf("%v: exit %d (want 2), stderr %q", args, code, stderr)
		}
	}
}

func TestPoliciesListAndShow(t *testing.T) {
	code, stdout, _ := espreflight(t, "policies", "list", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var rules []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rules); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range rules {
		ids[r["id"].(string)] = true
	}
	for _, id := range []string{"ARCH-001", "ARCH-002", "ARCH-003", "SYS-001"} {
		if !ids[id] {
			t.Errorf("policies list lacks %s", id)
		}
	}
	code, stdout, _ = espreflight(t, "policies", "show", "arch-001")
	if code != 0 || !strings.Contains(stdout, "What to do:") || !strings.Contains(stdout, "https://") || !strings.Contains(stdout, "Example") {
		t.Errorf("policies show: exit %d\n%s", code, stdout)
	}
}

func TestPlanInitValidates(t *testing.T) {
	for _, m := range []string{"snapshot", "logstash", "reindex", "elasticsearch-dump", "snapshot-reindex"} {
		path := filepath.Join(t.TempDir(), m+".yaml")
		if code, _, stderr := espreflight(t, "plan", "init", "--method", m, "-o", path); code != 0 {
			t.Fatalf("%s: init exit %d: %s", m, code, stderr)
		}
		if code, _, stderr := espreflight(t, "plan", "validate", "--plan", path); code != 0 {
			t.Errorf("%s: starter plan does not validate: %s", m, stderr)
		}
		if code, _, _ := espreflight(t, "plan", "init", "--method", m, "-o", path); code != exitUsage {
			t.Errorf("%s: init overwrote an existing file", m)
		}
	}
}

// TestGoldenExample renders the README's example in every format and compares
// with testdata/golden/cli; SARIF outputs are also written for CI's validator.
func TestGoldenExample(t *testing.T) {
	plan := "../../testdata/examples/arch-conflict.yaml"
	facts := "../../testdata/examples/alibaba-pair.facts.json"
	for _, f := range report.FormatTable() {
		t.Run(f.Name, func(t *testing.T) {
			_, stdout, stderr := espreflight(t, "check", "--plan", plan, "--facts", facts, "--now", "2026-11-26", "--format", f.Name)
			if stderr != "" {
				t.Errorf("stderr: %s", stderr)
			}
			golden(t, testdata("golden", "cli", "arch-conflict."+f.Ext), stdout)
			if f.Name == report.FormatSARIF {
				keepSARIF(t, "cli-arch-conflict.sarif", []byte(stdout))
			}
		})
	}
}

// TestFormatsToFiles writes several formats in one run, atomically.
func TestFormatsToFiles(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := espreflight(t, "check", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", testdata("examples", "alibaba-pair.facts.json"),
		"--format", "text", "--format", "sarif="+filepath.Join(dir, "out.sarif"), "--format", "json="+filepath.Join(dir, "out.json"))
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "ARCH-001") {
		t.Errorf("text not on stdout")
	}
	for _, name := range []string{"out.sarif", "out.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !json.Valid(data) {
			t.Errorf("%s: %v (valid JSON: %v)", name, err, json.Valid(data))
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/espreflight -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test ./cmd/espreflight -update and review the diff):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestCheckHelpListsFormats: check --help and its --format usage come from
// report's format table, every row with its description.
func TestCheckHelpListsFormats(t *testing.T) {
	code, stdout, stderr := espreflight(t, "check", "--help")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range report.FormatTable() {
		if !regexp.MustCompile(`(?m)^\s+` + f.Name + `\b.*` + regexp.QuoteMeta(f.Description) + `$`).MatchString(stdout) {
			t.Errorf("check --help does not list %s with its description:\n%s", f.Name, stdout)
		}
	}
	if !strings.Contains(stdout, "output FORMAT[=PATH]: "+strings.Join(report.Formats(), ", ")+" (repeatable)") {
		t.Errorf("--format usage does not name every format:\n%s", stdout)
	}
}
