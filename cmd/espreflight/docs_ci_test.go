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

// TestCIExamples runs the commands of the GitHub Actions and GitLab CI
// examples in a repository laid out as they expect, and checks that every
// report they upload is written and well-formed, also when the gate fails.
func TestCIExamples(t *testing.T) {
	cmds := ciCommands(t)
	for _, section := range []string{"GitHub Actions", "GitLab CI"} {
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
			if !strings.Contains(stdout, "ARCH-001") || !regexp.MustCompile(`\d+ rules, \d+ passed`).MatchString(stdout) {
				t.Errorf("text output lacks the finding or the summary:\n%s", stdout)
			}
			for _, name := range []string{"espreflight.sarif", "espreflight.md", "espreflight.xml"} {
				data, err := os.ReadFile(name)
				if err != nil {
					t.Fatalf("%s not written: %v", name, err)
				}
				switch filepath.Ext(name) {
				case ".sarif":
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
				case ".xml":
					var suites struct{}
					if err := xml.Unmarshal(data, &suites); err != nil {
						t.Errorf("junit: %v", err)
					}
				case ".md":
					if !strings.Contains(string(data), "ARCH-001") {
						t.Errorf("markdown lacks ARCH-001")
					}
				}
			}
		})
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
