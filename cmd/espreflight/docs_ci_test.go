package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	yaml "github.com/goccy/go-yaml"
)

// ciCommands extracts the `espreflight check …` commands from the CI
// examples in docs/ci.md: a line starting with it plus its continuation lines
// (a trailing backslash, or the --flag lines of a folded YAML scalar).
func ciCommands(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds := map[string][]string{}
	section := ""
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "## ") {
			section = strings.TrimPrefix(l, "## ")
		}
		if !strings.HasPrefix(l, "espreflight check ") || section == "" || cmds[section] != nil {
			continue
		}
		cmd := strings.TrimSuffix(l, "\\")
		for j := i + 1; j < len(lines); j++ {
			next := strings.TrimSpace(lines[j])
			if !strings.HasPrefix(next, "--") {
				break
			}
			cmd += " " + strings.TrimSuffix(next, "\\")
			i = j
		}
		if strings.ContainsAny(cmd, "\"'$`") {
			t.Fatalf("%s: the example command uses shell quoting or variables; extend this test to parse them: %s", section, cmd)
		}
		cmds[section] = strings.Fields(cmd)[1:]
	}
	return cmds
}

// TestCIExamples runs the commands of the CI examples in a repository laid
// out as they expect, and checks that every report they write is there and
// well-formed, also when the gate fails, and that what they print on
// standard output is what the step needs.
func TestCIExamples(t *testing.T) {
	t.Run("The GitHub Action", testActionExample)
	t.Run("A plain shell script", testShellExample)
	cmds := ciCommands(t)
	for _, section := range []string{"GitHub Actions", "GitHub Actions without code scanning", "GitLab CI"} {
		args, ok := cmds[section]
		if !ok {
			t.Fatalf("docs/ci.md has no espreflight check command under %q (found %v)", section, cmds)
		}
		t.Run(section, func(t *testing.T) {
			root, err := filepath.Abs(repoRoot)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "deploy"), 0o755); err != nil {
				t.Fatal(err)
			}
			copyFile(t, filepath.Join(root, "testdata", "examples", "arch-conflict.yaml"), filepath.Join(dir, "deploy", "migration.yaml"))
			copyFile(t, filepath.Join(root, "testdata", "examples", "alibaba-pair.facts.json"), filepath.Join(dir, "deploy", "facts.json"))
			t.Chdir(dir)
			code, stdout, stderr := espreflight(t, append(args, "--now", "2026-11-26")...)
			if code != exitFindings {
				t.Fatalf("exit %d, want 1 (the example fails ARCH-001); stderr %s", code, stderr)
			}
			if !strings.Contains(stdout, "ARCH-001") || !regexp.MustCompile(`(?m)^\d+ rules, \d+ passed`).MatchString(stdout) {
				t.Errorf("standard output lacks the finding or the summary:\n%s", stdout)
			}
			files := 0
			for i, a := range args {
				if a != "--format" || i+1 == len(args) {
					continue
				}
				format, name, ok := strings.Cut(args[i+1], "=")
				if !ok {
					if format == "github" && !regexp.MustCompile(`(?m)^::error file=deploy/migration\.yaml,line=\d+,title=ARCH-001 `).MatchString(stdout) {
						t.Errorf("github: no ::error annotation on the plan for ARCH-001:\n%s", stdout)
					}
					continue
				}
				files++
				data, err := os.ReadFile(name)
				if err != nil {
					t.Fatalf("%s not written: %v", name, err)
				}
				checkCIReport(t, section, format, data)
			}
			if files == 0 {
				t.Errorf("the example writes no report file")
			}
		})
	}
}

// checkCIReport checks one report file a CI example writes for the
// example's failing ARCH-001.
func checkCIReport(t *testing.T, section, format string, data []byte) {
	t.Helper()
	switch format {
	case "sarif":
		var v struct {
			Runs []struct {
				Results []struct {
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(data, &v); err != nil || len(v.Runs) != 1 || len(v.Runs[0].Results) == 0 {
			t.Fatalf("sarif: %v %+v", err, v)
		}
		if uri := v.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI; uri != "deploy/migration.yaml" {
			t.Errorf("sarif uri %q, want the plan path as given", uri)
		}
		keepSARIF(t, "ci-"+strings.ReplaceAll(strings.ToLower(section), " ", "-")+".sarif", data)
	case "junit":
		var suites struct{}
		if err := xml.Unmarshal(data, &suites); err != nil {
			t.Errorf("junit: %v", err)
		}
	case "markdown", "md":
		if !strings.Contains(string(data), "ARCH-001") {
			t.Errorf("markdown lacks ARCH-001")
		}
	case "gitlab":
		var issues []struct {
			CheckName string `json:"check_name"`
			Location  struct {
				Path  string              `json:"path"`
				Lines struct{ Begin int } `json:"lines"`
			} `json:"location"`
		}
		if err := json.Unmarshal(data, &issues); err != nil || len(issues) == 0 || issues[0].CheckName != "ARCH-001" ||
			issues[0].Location.Path != "deploy/migration.yaml" || issues[0].Location.Lines.Begin < 1 {
			t.Errorf("gitlab: %v %+v", err, issues)
		}
	default:
		t.Errorf("the example writes %s: add a check of it here", format)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ciBlock returns the first fenced code block of a language under a "## "
// section of docs/ci.md.
func ciBlock(t *testing.T, section, lang string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	in, block := false, -1
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(l, "## "):
			in = strings.TrimPrefix(l, "## ") == section
		case in && block < 0 && l == "```"+lang:
			block = 0
		case block == 0 && l == "```":
			return strings.Join(out, "\n") + "\n"
		case block == 0:
			out = append(out, l)
		}
	}
	t.Fatalf("docs/ci.md has no %s block under %q", lang, section)
	return ""
}

// testActionExample runs the workflow step of "The GitHub Action" with its
// inputs through the Action (from a local stand-in for the latest release):
// the step fails on the failing example, and the reports it names exist.
func testActionExample(t *testing.T) {
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(ciBlock(t, "The GitHub Action", "yaml")), &wf); err != nil {
		t.Fatal(err)
	}
	var inputs map[string]string
	for _, job := range wf.Jobs {
		for _, st := range job.Steps {
			if strings.HasPrefix(st.Uses, "espreflight/espreflight@") {
				inputs = st.With
			}
		}
	}
	if inputs == nil {
		t.Fatal("the example uses no espreflight/espreflight@ step")
	}
	if v := inputs["version"]; v != "" && v != "latest" {
		t.Fatalf("the example pins version %q; this test serves a latest release", v)
	}
	url, _ := fakeRelease(t, buildBinary(t, "-ldflags", "-s -w -X main.version=1.2.3"), "1.2.3", false)
	with := map[string]string{"release-url": url}
	for k, v := range inputs {
		with[k] = v
	}
	ws := ciWorkspace(t, "arch-conflict.yaml")
	run := runAction(t, ws, with, map[string]string{"ESPREFLIGHT_NOW": "2026-11-26"})
	if run.failed != "check" || run.action["exit-code"] != "1" || !strings.Contains(run.log, "ARCH-001") {
		t.Fatalf("failed step %q exit-code %q, want check and 1:\n%s", run.failed, run.action["exit-code"], run.log)
	}
	for _, f := range strings.Fields(inputs["formats"]) {
		if _, path, ok := strings.Cut(f, "="); ok {
			if _, err := os.Stat(filepath.Join(ws, path)); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
	if run.uses["github/codeql-action/upload-sarif"]["sarif_file"] == "" || !strings.Contains(run.summary, "ARCH-001") {
		t.Errorf("no SARIF upload or job summary: %v %q", run.uses, run.summary)
	}
}

// testShellExample runs the script of "A plain shell script" with bash on
// the failing and the passing example.
func testShellExample(t *testing.T) {
	script := ciBlock(t, "A plain shell script", "sh")
	bin := buildBinary(t)
	for _, tc := range []struct {
		plan string
		code int
		want string
	}{{"arch-conflict.yaml", 1, "preflight: the plan would fail"}, {"arch-same.yaml", 0, "preflight: the plan passes"}} {
		ws := ciWorkspace(t, tc.plan)
		path := filepath.Join(ws, "preflight.sh")
		if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", path)
		cmd.Dir = ws
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"), "ESPREFLIGHT_NOW=2026-11-26")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code || !strings.Contains(string(out), tc.want) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s", tc.plan, code, tc.code, tc.want, out)
		}
		for _, f := range []string{"espreflight.json", "espreflight.xml"} {
			if _, err := os.Stat(filepath.Join(ws, f)); err != nil {
				t.Errorf("%s: %v", tc.plan, err)
			}
		}
	}
}
