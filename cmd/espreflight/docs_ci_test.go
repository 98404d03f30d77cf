package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
