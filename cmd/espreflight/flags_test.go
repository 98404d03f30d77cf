package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/probe"
)

// commandPaths walks the app's commands: "check", "plan init", ….
func commandPaths(cmds []*cli.Command, prefix string, visit func(path string, c *cli.Command)) {
	for _, c := range cmds {
		path := strings.TrimSpace(prefix + " " + c.Name)
		visit(path, c)
		commandPaths(c.Subcommands, path, visit)
	}
}

// TestEveryFlagHasItsVariable: each flag of each command is also
// ESPREFLIGHT_<FLAG>, its --help says so, and no such variable is one of the
// credential variables of clusters given by URL.
func TestEveryFlagHasItsVariable(t *testing.T) {
	reserved := map[string]bool{}
	for _, v := range reservedEnv() {
		reserved[v] = true
	}
	if len(reserved) != 6 || !reserved["ESPREFLIGHT_SOURCE_PASSWORD"] || !reserved["ESPREFLIGHT_DESTINATION_API_KEY"] {
		t.Fatalf("reservedEnv: %v", reserved)
	}
	n := 0
	commandPaths(newApp(nil, io.Discard, io.Discard).Commands, "", func(path string, c *cli.Command) {
		if len(c.Subcommands) > 0 {
			return
		}
		_, help, _ := espreflight(t, append(strings.Fields(path), "--help")...)
		for _, f := range c.Flags {
			df := f.(cli.DocGenerationFlag)
			name := f.Names()[0]
			want := "ESPREFLIGHT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
			if got := df.GetEnvVars(); len(got) != 1 || got[0] != want {
				t.Errorf("%s --%s: environment %v, want [%s]", path, name, got, want)
			}
			if reserved[want] {
				t.Errorf("%s --%s: %s is a credential variable", path, name, want)
			}
			if !strings.Contains(help, "[$"+want+"]") {
				t.Errorf("%s --help does not name %s", path, want)
			}
			n++
		}
	})
	if n < 50 {
		t.Errorf("only %d flags seen", n)
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	plan, facts := testdata("examples", "arch-conflict.yaml"), testdata("examples", "alibaba-pair.facts.json")
	check := func(env map[string]string, args ...string) (int, string, string) {
		t.Helper()
		for k, v := range env {
			t.Setenv(k, v)
		}
		defer func() {
			for k := range env {
				os.Unsetenv(k)
			}
		}()
		return espreflight(t, append([]string{"check", "--plan", plan, "--facts", facts, "--now", "2026-11-26"}, args...)...)
	}
	if code, _, stderr := check(map[string]string{"ESPREFLIGHT_FAIL_ON": "never"}); code != exitOK {
		t.Errorf("ESPREFLIGHT_FAIL_ON=never: exit %d %s", code, stderr)
	}
	if code, _, _ := check(map[string]string{"ESPREFLIGHT_FAIL_ON": "never"}, "--fail-on", "error"); code != exitFindings {
		t.Errorf("--fail-on error on the command line does not win over ESPREFLIGHT_FAIL_ON: exit %d", code)
	}
	code, stdout, _ := check(map[string]string{"ESPREFLIGHT_FORMAT": "json", "ESPREFLIGHT_ONLY": "ARCH-001,SYS-001"})
	var doc struct {
		Findings []struct{ Rule string }
	}
	if err := json.Unmarshal([]byte(stdout), &doc); code != exitFindings || err != nil || len(doc.Findings) == 0 {
		t.Fatalf("ESPREFLIGHT_FORMAT=json: exit %d, %v: %.200s", code, err, stdout)
	}
	for _, f := range doc.Findings {
		if f.Rule != "ARCH-001" && f.Rule != "SYS-001" {
			t.Errorf("ESPREFLIGHT_ONLY=ARCH-001,SYS-001 reported %s", f.Rule)
		}
	}
	// A bad value names the variable it came from.
	if code, _, stderr := check(map[string]string{"ESPREFLIGHT_FAIL_ON": "sometimes"}); code != exitUsage || !strings.Contains(stderr, `ESPREFLIGHT_FAIL_ON "sometimes": use one of error, warning, never`) {
		t.Errorf("ESPREFLIGHT_FAIL_ON=sometimes: exit %d %q", code, stderr)
	}
	if code, _, stderr := check(map[string]string{"ESPREFLIGHT_FAIL_ON": "sometimes"}, "--fail-on", "often"); code != exitUsage || !strings.Contains(stderr, `--fail-on "often"`) {
		t.Errorf("--fail-on often: exit %d %q", code, stderr)
	}
	if code, _, stderr := check(map[string]string{"ESPREFLIGHT_MAX_NAMES": "many"}); code != exitUsage || !strings.Contains(stderr, "ESPREFLIGHT_MAX_NAMES") {
		t.Errorf("ESPREFLIGHT_MAX_NAMES=many: exit %d %q", code, stderr)
	}
	// A shared flag is read anew by every run (urfave/cli keeps an
	// environment value in the flag).
	if code, _, _ := check(map[string]string{"ESPREFLIGHT_NOW": "2026-11-26"}); code != exitFindings {
		t.Errorf("ESPREFLIGHT_NOW: exit %d", code)
	}
	if code, _, stderr := espreflight(t, "check", "--plan", plan, "--facts", facts); code != exitFindings {
		t.Errorf("after ESPREFLIGHT_NOW is unset: exit %d %s", code, stderr)
	}
	t.Setenv("ESPREFLIGHT_QUIET", "true")
	if code, stdout, _ := espreflight(t, "check", "--plan", testdata("examples", "arch-same.yaml"), "--facts", testdata("examples", "alibaba-same-arch.facts.json")); code != exitOK || stdout != "" {
		t.Errorf("ESPREFLIGHT_QUIET=true: exit %d, stdout %q", code, stdout)
	}
}

// declaredPlan has no endpoint: probe and check need no cluster.
const declaredPlan = `version: 1
method: snapshot
indices: ["orders-*"]
volume: 10gb
source: {kind: self-managed, version: "7.10.2"}
destination: {kind: self-managed, version: "7.17.0"}
`

func TestStdinInputs(t *testing.T) {
	plan, err := os.ReadFile(testdata("examples", "arch-conflict.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	facts, err := os.ReadFile(testdata("examples", "alibaba-pair.facts.json"))
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := espreflightStdin(t, string(plan), "check", "--plan", "-", "--facts", testdata("examples", "alibaba-pair.facts.json"), "--format", "sarif")
	if code != exitFindings || !strings.Contains(stdout, `"uri": "stdin"`) {
		t.Errorf("check --plan -: exit %d %s\n%.300s", code, stderr, stdout)
	}
	code, stdout, stderr = espreflightStdin(t, string(facts), "check", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", "-")
	if code != exitFindings || !strings.Contains(stdout, "ARCH-001") {
		t.Errorf("check --facts -: exit %d %s", code, stderr)
	}
	bad, err := os.ReadFile(testdata("plans", "bad", "unknown-key.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := espreflightStdin(t, string(bad), "plan", "validate", "--plan", "-"); code != exitUsage || !strings.HasPrefix(stderr, "stdin:6:1: snapshots: unknown key") {
		t.Errorf("plan validate --plan - (bad): exit %d %q", code, stderr)
	}
	if code, stdout, stderr := espreflightStdin(t, declaredPlan, "plan", "validate", "-p", "-"); code != exitOK || !strings.HasPrefix(stdout, "stdin: valid plan") {
		t.Errorf("plan validate -p -: exit %d %q %q", code, stdout, stderr)
	}
	code, stdout, stderr = espreflightStdin(t, declaredPlan, "probe", "--plan", "-", "--now", "2026-11-26")
	if code != exitOK || !strings.Contains(stdout, `"file": "stdin"`) {
		t.Errorf("probe --plan -: exit %d %s\n%.300s", code, stderr, stdout)
	}
	if code, _, stderr := espreflightStdin(t, declaredPlan, "check", "--plan", "-", "--facts", "-"); code != exitUsage || !strings.Contains(stderr, "both read standard input") {
		t.Errorf("--plan - --facts -: exit %d %q", code, stderr)
	}
	huge := strings.Repeat("# a comment line of a plan that never ends\n", probe.MaxPlanBytes/40)
	if code, _, stderr := espreflightStdin(t, huge, "plan", "validate", "--plan", "-"); code != exitUsage || !strings.Contains(stderr, "stdin:1: the plan is larger than") {
		t.Errorf("plan validate --plan - (over the size limit): exit %d %q", code, stderr)
	}
	if code, _, stderr := espreflightStdin(t, "{", "check", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", "-"); code != exitUsage || !strings.HasPrefix(stderr, "espreflight: stdin: byte 1: truncated") {
		t.Errorf("--facts - (not JSON): exit %d %q", code, stderr)
	}
}

// TestQuiet: --quiet silences what each command says on success, and only that.
func TestQuiet(t *testing.T) {
	dir := t.TempDir()
	planFile := filepath.Join(dir, "plan.yaml")
	for _, tc := range []struct {
		args []string
	}{
		{[]string{"plan", "init", "-q", "-o", planFile}},
		{[]string{"plan", "validate", "-q", "--plan", planFile}},
		{[]string{"policies", "test", "-q"}},
		{[]string{"check", "-q", "--now", "2026-11-26", "--plan", testdata("examples", "arch-same.yaml"), "--facts", testdata("examples", "alibaba-same-arch.facts.json")}},
	} {
		if code, stdout, stderr := espreflight(t, tc.args...); code != exitOK || stdout != "" || stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, stdout, stderr)
		}
	}
	if _, err := os.Stat(planFile); err != nil {
		t.Errorf("plan init -q wrote nothing: %v", err)
	}
	// Without --quiet they speak.
	if _, stdout, _ := espreflight(t, "plan", "validate", "--plan", planFile); !strings.Contains(stdout, "valid plan") {
		t.Errorf("plan validate: %q", stdout)
	}
	if _, stdout, _ := espreflight(t, "policies", "test"); !regexp.MustCompile(`\d+ passed, 0 failed`).MatchString(stdout) {
		t.Errorf("policies test: %q", stdout)
	}
}

// TestOutputFlags: -o everywhere a command writes a document, "-" for
// standard output.
func TestOutputFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ cmd, rest []string }{
		{[]string{"plan", "schema"}, nil},
		{[]string{"policies", "list"}, []string{"--format", "json"}},
		{[]string{"completion"}, []string{"bash"}},
	} {
		with := func(o ...string) []string { return append(append(append([]string{}, tc.cmd...), o...), tc.rest...) }
		_, want, _ := espreflight(t, with()...)
		path := filepath.Join(dir, strings.Join(tc.cmd, "-"))
		if code, stdout, stderr := espreflight(t, with("-o", path)...); code != exitOK || stdout != "" {
			t.Errorf("%v -o: exit %d %q %q", tc.cmd, code, stdout, stderr)
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != want {
			t.Errorf("%v -o %s: %v, differs from standard output", tc.cmd, path, err)
		}
		if _, got, _ := espreflight(t, with("-o", "-")...); got != want {
			t.Errorf("%v -o -: not the standard output", tc.cmd)
		}
	}
}

// TestOutputsNeverReplaceInputs: -o and --format F=PATH refuse to overwrite
// the plan, the facts or a policy folder, and to write two formats to one
// file; the inputs are left as they were, and the other reports get the
// failed-run report.
func TestOutputsNeverReplaceInputs(t *testing.T) {
	dir := t.TempDir()
	plan, facts := filepath.Join(dir, "plan.yaml"), filepath.Join(dir, "facts.json")
	copyFile(t, testdata("examples", "arch-conflict.yaml"), plan)
	copyFile(t, testdata("examples", "alibaba-pair.facts.json"), facts)
	policyDir := filepath.Join(dir, "team-policies")
	if err := os.Mkdir(policyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "plan-link.yaml")
	if err := os.Symlink(plan, link); err != nil {
		t.Fatal(err)
	}
	base := []string{"check", "--plan", plan, "--facts", facts, "--now", "2026-11-26"}
	other := filepath.Join(dir, "report.md")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"format over the plan", []string{"--format", "sarif=" + plan}, "would overwrite the input --plan"},
		{"format over the plan through a link", []string{"--format", "json=" + link}, "would overwrite the input --plan"},
		{"-o over the facts", []string{"-o", facts}, "would overwrite the input --facts"},
		{"-o into a policy folder", []string{"--policy", policyDir, "-o", filepath.Join(policyDir, "out.json")}, "would write into the --policy folder"},
		{"two formats to one file", []string{"--format", "sarif=" + filepath.Join(dir, "out"), "--format", "json=" + filepath.Join(dir, ".", "out")}, "would receive 2 reports (sarif, json)"},
		{"two formats to -o", []string{"--format", "text", "--format", "junit", "-o", filepath.Join(dir, "out")}, "would receive 2 reports (text, junit)"},
		{"a format to the -o file", []string{"--format", "text", "--format", "json=" + filepath.Join(dir, "out"), "-o", filepath.Join(dir, "out")}, "would receive 2 reports (text, json)"},
		{"a bad flag does not open the door", []string{"--bogus", "--format", "sarif=" + plan}, "flag provided but not defined"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(other)
			code, _, stderr := espreflight(t, append(append(base, tc.args...), "--format", "markdown="+other)...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, stderr, tc.want)
			}
			for _, in := range []struct{ got, want string }{{plan, "arch-conflict.yaml"}, {facts, "alibaba-pair.facts.json"}} {
				got, _ := os.ReadFile(in.got)
				want, _ := os.ReadFile(testdata("examples", in.want))
				if string(got) != string(want) {
					t.Fatalf("%s was overwritten", in.got)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
				t.Errorf("a report was written to the shared file")
				os.Remove(filepath.Join(dir, "out"))
			}
			if md, err := os.ReadFile(other); err != nil || !strings.Contains(string(md), "failed") {
				t.Errorf("the other report did not get the failed-run report: %v %.100s", err, md)
			}
		})
	}
	for _, args := range [][]string{
		{"probe", "--plan", plan, "-o", link},
		{"advise", "--facts", facts, "--plan", plan, "-o", facts},
		{"advise", "--facts", facts, "--plan", plan, "-o", filepath.Join(dir, "a"), "--write-plan", filepath.Join(dir, "a")},
	} {
		if code, _, stderr := espreflight(t, args...); code != exitUsage || !strings.Contains(stderr, "choose another file") {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}
}

func TestHelpCommand(t *testing.T) {
	for _, path := range [][]string{{"check"}, {"plan", "init"}, {"policies", "show"}, {"completion"}} {
		code, got, _ := espreflight(t, append([]string{"help"}, path...)...)
		_, want, _ := espreflight(t, append(path, "--help")...)
		if code != exitOK || got != want || !strings.Contains(got, "espreflight "+strings.Join(path, " ")+" - ") {
			t.Errorf("help %v: exit %d, not the --help of the command:\n%s", path, code, got)
		}
	}
	if code, got, _ := espreflight(t, "help"); code != exitOK || !strings.Contains(got, "COMMANDS:") || !strings.Contains(got, "--help, -h") {
		t.Errorf("help: exit %d\n%s", code, got)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"help", "chek"}, `no command "chek"; the commands are: check, probe`},
		{[]string{"help", "plan", "nope"}, `no command "plan nope"; the commands are: validate, schema, init`},
		{[]string{"help", "check", "sarif"}, `"check" has no subcommands`},
	} {
		if code, _, stderr := espreflight(t, tc.args...); code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d %q", tc.args, code, stderr)
		}
	}
}
