package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/compile"
)

// TestDumpInput: check --dump-input writes the policy input (facts,
// selection, evaluation time) without changing the run; it never replaces
// an input or a report.
func TestDumpInput(t *testing.T) {
	plan, facts := testdata("examples", "arch-conflict.yaml"), testdata("examples", "alibaba-pair.facts.json")
	dump := filepath.Join(t.TempDir(), "input.json")
	code, stdout, stderr := espreflight(t, "check", "--plan", plan, "--facts", facts, "--now", "2026-11-26", "--dump-input", dump)
	if code != exitFindings || !strings.Contains(stdout, "ARCH-001") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var in struct {
		Plan      map[string]any              `json:"plan"`
		Clusters  map[string]any              `json:"clusters"`
		Selection map[string]any              `json:"selection"`
		Eval      struct{ Time, Date string } `json:"eval"`
	}
	data, err := os.ReadFile(dump)
	if err != nil || json.Unmarshal(data, &in) != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if in.Plan["method"] != "reindex" || in.Clusters["source"] == nil || in.Selection["source"] == nil || in.Eval.Date != "2026-11-26" {
		t.Errorf("input: %+v", in)
	}
	before, _ := os.ReadFile(plan)
	for _, args := range [][]string{
		{"--dump-input", plan},
		{"--dump-input", dump, "--format", "json=" + dump},
	} {
		code, _, stderr := espreflight(t, append([]string{"check", "--plan", plan, "--facts", facts}, args...)...)
		if code != exitUsage || !strings.Contains(stderr, "--dump-input") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	if after, _ := os.ReadFile(plan); !bytes.Equal(before, after) {
		t.Fatal("the plan was overwritten")
	}
}

// TestPolicyBundleCLI: --policy takes the bundle `opa build` makes of a
// policy folder (built here with OPA's own compile package, as opa build
// does), and its rules report like the folder's.
func TestPolicyBundleCLI(t *testing.T) {
	var buf bytes.Buffer
	if err := compile.New().WithPaths(testdata("policies", "valid"), filepath.Join(repoRoot, "policies", "lib")).WithOutput(&buf).Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(t.TempDir(), "team.tar.gz")
	if err := os.WriteFile(bundle, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(policy string) string {
		code, stdout, stderr := espreflight(t, "check", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", testdata("examples", "alibaba-pair.facts.json"),
			"--now", "2026-11-26", "--policy", policy, "--format", "json")
		if code != exitFindings {
			t.Fatalf("--policy %s: exit %d, stderr %s", policy, code, stderr)
		}
		return stdout
	}
	folder, fromBundle := run(testdata("policies", "valid")), run(bundle)
	if !strings.Contains(fromBundle, `"rule": "TEAM-001"`) || folder != fromBundle {
		t.Errorf("the bundle's findings differ from the folder's:\n--- folder\n%s\n--- bundle\n%s", folder, fromBundle)
	}
}
