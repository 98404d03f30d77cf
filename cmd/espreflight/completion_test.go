package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// completionScript writes the script of a shell into a temporary file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	code, script, stderr := espreflight(t, "completion", shell)
	if code != exitOK || script == "" {
		t.Fatalf("completion %s: exit %d %s", shell, code, stderr)
	}
	path := filepath.Join(t.TempDir(), "espreflight."+shell)
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// needShell returns the path of a shell, failing where .ci/run installs it
// (ESPREFLIGHT_REQUIRE_SHELLS=1) and skipping elsewhere.
func needShell(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("ESPREFLIGHT_REQUIRE_SHELLS") != "" {
			t.Fatalf("%s is not installed (.ci/run installs it)", name)
		}
		t.Skipf("%s is not installed: apt-get install %s to run this test (.ci/run does)", name, name)
	}
	return path
}

// completionCases are typed command lines (the last word is being
// completed) and what must be offered. A want starting with "=" is the
// exact list.
var completionCases = []struct {
	line string
	want []string
}{
	{"espreflight ", []string{"=advise", "check", "completion", "help", "plan", "policies", "probe", "version"}},
	{"espreflight ch", []string{"=check"}},
	{"espreflight check --fa", []string{"=--facts", "--facts-mismatch", "--fail-on"}},
	{"espreflight check --facts-mismatch ", []string{"=error", "warn"}},
	{"espreflight check --fail-on ", []string{"=error", "never", "warning"}},
	{"espreflight check --timeout 10s --fail-on w", []string{"=warning"}},
	{"espreflight check --plan testdata/examples/arch-c", []string{"=testdata/examples/arch-conflict.yaml"}},
	{"espreflight check --policy testdata/po", []string{"=testdata/policies"}},
	{"espreflight check --format ", []string{"=github", "gitlab", "json", "junit", "markdown", "sarif", "text"}},
	{"espreflight check --only ARCH-00", []string{"=ARCH-001", "ARCH-002", "ARCH-003"}},
	{"espreflight check -q --plan x.yaml --no", []string{"=--no-color", "--now"}},
	{"espreflight advise --format ", []string{"=json", "markdown", "text"}},
	{"espreflight advise --destination-kind ", []string{"=alibaba", "self-managed", "third-party"}},
	{"espreflight plan ", []string{"=init", "schema", "validate"}},
	{"espreflight plan init --method snapshot-", []string{"=snapshot-reindex"}},
	{"espreflight plan init --", []string{"--from-advice", "--method", "--output", "--quiet", "--help"}},
	{"espreflight policies show VER-00", []string{"VER-001", "VER-003"}},
	{"espreflight policies list --format ", []string{"=json", "text"}},
	{"espreflight completion ", []string{"=bash", "fish", "powershell", "zsh"}},
	{"espreflight help pl", []string{"=plan"}},
	{"espreflight version --", []string{"=--format", "--help"}},
}

// checkOffered compares what a shell offered with a case's want.
func checkOffered(t *testing.T, line string, got, want []string) {
	t.Helper()
	sort.Strings(got)
	if strings.HasPrefix(want[0], "=") {
		exact := append([]string{strings.TrimPrefix(want[0], "=")}, want[1:]...)
		sort.Strings(exact)
		if !reflect.DeepEqual(got, exact) {
			t.Errorf("%q: offered %q, want %q", line, got, exact)
		}
		return
	}
	for _, w := range want {
		if !contains(got, w) {
			t.Errorf("%q: offered %q, want %q among them", line, got, w)
		}
	}
}

func TestBashCompletion(t *testing.T) {
	bash := needShell(t, "bash")
	script := completionScript(t, "bash")
	for _, tc := range completionCases {
		// bash splits the line at COMP_WORDBREAKS, = included.
		words := strings.Split(tc.line, " ")
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _espreflight; printf '%s\n' "${COMPREPLY[@]}"`, "_", script)
		cmd.Args = append(cmd.Args, words...)
		cmd.Dir = repoRoot
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tc.line, err, out)
		}
		checkOffered(t, tc.line, strings.Fields(string(out)), tc.want)
	}
	// --flag=value and FORMAT=PATH arrive split at "=".
	for _, tc := range []struct {
		words []string
		want  []string
	}{
		{[]string{"espreflight", "check", "--fail-on", "=", "ne"}, []string{"=never"}},
		{[]string{"espreflight", "check", "--fail-on", "="}, []string{"=error", "never", "warning"}},
		{[]string{"espreflight", "check", "--format", "sarif", "=", "testdata/examples/arch-s"}, []string{"=testdata/examples/arch-same.yaml"}},
		{[]string{"espreflight", "check", "--plan", "=", "x.yaml", "--fai"}, []string{"=--fail-on"}},
	} {
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _espreflight; printf '%s\n' "${COMPREPLY[@]}"`, "_", script)
		cmd.Args = append(cmd.Args, tc.words...)
		cmd.Dir = repoRoot
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tc.words, err, out)
		}
		checkOffered(t, strings.Join(tc.words, " "), strings.Fields(string(out)), tc.want)
	}
}

// TestZshCompletion runs the zsh script's completion function with the
// completion system's builtins replaced by functions that print what they
// are given (the function's own logic: path, flag values, files), after a
// syntax check of the script.
func TestZshCompletion(t *testing.T) {
	zsh := needShell(t, "zsh")
	script := completionScript(t, "zsh")
	if out, err := exec.Command(zsh, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	stubs := `
_describe() { local -a all; all=(${(P)${@[-1]}}); print -rl -- ${all%%:*}; }
_files() { local -a f; if [[ $1 == -/ ]]; then f=(${cur}*(N/)); else f=(${cur}*(N)); fi; print -rl -- $f; }
_message() { :; }
compadd() { [[ $1 == -a ]] && print -rl -- ${(P)2}; }
compset() { cur=${cur#*=}; }
compdef() { :; }
`
	for _, tc := range completionCases {
		cmd := exec.Command(zsh, "-f", "-c", stubs+`source "$1"; shift; words=("$@"); CURRENT=$#; _espreflight`, "_", script)
		cmd.Args = append(cmd.Args, strings.Split(tc.line, " ")...)
		cmd.Dir = repoRoot
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tc.line, err, out)
		}
		// The stubs offer every word; zsh filters by the prefix typed.
		words := strings.Split(tc.line, " ")
		prefix := words[len(words)-1]
		var got []string
		for _, w := range strings.Fields(string(out)) {
			if strings.HasPrefix(w, prefix) {
				got = append(got, strings.TrimSuffix(w, "/"))
			}
		}
		checkOffered(t, tc.line, got, tc.want)
	}
}

// TestFishCompletion asks fish itself (complete -C) what it offers.
func TestFishCompletion(t *testing.T) {
	fish := needShell(t, "fish")
	script := completionScript(t, "fish")
	if out, err := exec.Command(fish, "--no-execute", script).CombinedOutput(); err != nil {
		t.Fatalf("fish --no-execute: %v\n%s", err, out)
	}
	for _, tc := range completionCases {
		cmd := exec.Command(fish, "--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, script, tc.line)
		cmd.Dir = repoRoot
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tc.line, err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if w, _, _ := strings.Cut(l, "\t"); w != "" {
				got = append(got, strings.TrimSuffix(w, "/"))
			}
		}
		checkOffered(t, tc.line, got, tc.want)
	}
}

// TestCompletionScriptsKnowEveryCommand: every script names every command
// path and every flag of the app, so a new flag cannot be left out.
func TestCompletionScriptsKnowEveryCommand(t *testing.T) {
	var paths, flags []string
	commandPaths(newApp(nil, io.Discard, io.Discard).Commands, "", func(path string, c *cli.Command) {
		paths = append(paths, path)
		for _, f := range c.Flags {
			flags = append(flags, f.Names()[0])
		}
	})
	for _, shell := range completionShells {
		data, err := os.ReadFile(completionScript(t, shell))
		if err != nil {
			t.Fatal(err)
		}
		script := string(data)
		for _, p := range paths {
			last := p[strings.LastIndex(p, " ")+1:]
			if !strings.Contains(script, "'"+p) && !strings.Contains(script, "/"+last+"'") {
				t.Errorf("%s: no command %q", shell, p)
			}
		}
		for _, f := range flags {
			if !strings.Contains(script, "--"+f) && !strings.Contains(script, "-l "+f+" ") {
				t.Errorf("%s: no flag --%s", shell, f)
			}
		}
	}
	if code, _, stderr := espreflight(t, "completion", "tcsh"); code != exitUsage || !strings.Contains(stderr, "bash|zsh|fish|powershell") {
		t.Errorf("completion tcsh: exit %d %q", code, stderr)
	}
	if code, _, _ := espreflight(t, "completion"); code != exitUsage {
		t.Errorf("completion without a shell: exit %d", code)
	}
}
