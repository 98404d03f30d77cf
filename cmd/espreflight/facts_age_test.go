package main

import (
	"strings"
	"testing"
)

// TestFactsMismatchIsAnError: facts collected from another cluster than the
// plan names (here the destination of arch-conflict under the plan of
// arch-same) stop check (exit 2), unless --facts-mismatch=warn, which
// evaluates them and says so in the report and on stderr.
func TestFactsMismatchIsAnError(t *testing.T) {
	plan, facts := testdata("examples", "arch-same.yaml"), testdata("examples", "alibaba-pair.facts.json")
	code, stdout, stderr := espreflight(t, "check", "--plan", plan, "--facts", facts, "--now", "2026-11-26")
	if code != exitUsage || stdout != "" {
		t.Fatalf("exit %d, stdout %q; want exit 2 and no report", code, stdout)
	}
	for _, w := range []string{"alibaba-pair.facts.json were collected from other clusters than", "the plan's destination is https://es-cn-old2.elasticsearch.aliyuncs.com:9200, but the facts were collected from https://es-cn-new.elasticsearch.aliyuncs.com:9200", "--facts-mismatch=warn"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q lacks %q", stderr, w)
		}
	}
	code, stdout, stderr = espreflight(t, "check", "--plan", plan, "--facts", facts, "--now", "2026-11-26", "--facts-mismatch", "warn")
	if code != exitOK || !strings.Contains(stdout, "NOTICES") || !strings.Contains(stdout, "(--facts-mismatch=warn)") || !strings.Contains(stderr, "warning: ") {
		t.Errorf("--facts-mismatch=warn: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if code, _, stderr := espreflight(t, "check", "--plan", plan, "--facts", facts, "--facts-mismatch", "ignore"); code != exitUsage || !strings.Contains(stderr, `--facts-mismatch "ignore": use one of error, warn`) {
		t.Errorf("--facts-mismatch ignore: exit %d %q", code, stderr)
	}
}

// TestFactsMatchQuiet: facts of the plan's own clusters raise nothing.
func TestFactsMatchQuiet(t *testing.T) {
	code, stdout, stderr := espreflight(t, "check", "--plan", testdata("examples", "arch-same.yaml"), "--facts", testdata("examples", "alibaba-same-arch.facts.json"), "--now", "2026-11-26")
	if code != exitOK || strings.Contains(stdout+stderr, "other clusters") || strings.Contains(stdout, "NOTICES") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

// TestStaleFacts: every format shows when the facts were collected and how
// old they are; past --max-facts-age (relative to --now) a warning says so,
// in every format and on stderr, and facts dated after --now are flagged.
func TestStaleFacts(t *testing.T) {
	plan, facts := testdata("examples", "arch-conflict.yaml"), testdata("examples", "alibaba-pair.facts.json")
	shown := map[string]string{
		"text":     "facts collected 2026-11-20 08:30:00 UTC (39 days before the evaluation)",
		"json":     `"age": "39 days before the evaluation"`,
		"sarif":    `"factsAgeSeconds": 3425400`,
		"markdown": "- Facts collected at: 2026-11-20 08:30:00 UTC by espreflight 0.1.0 (39 days before the evaluation)",
		"junit":    `<property name="facts.age" value="39 days before the evaluation">`,
	}
	for format, age := range shown {
		code, stdout, stderr := espreflight(t, "check", "--plan", plan, "--facts", facts, "--now", "2026-12-30", "--format", format)
		if code != exitFindings {
			t.Errorf("%s: exit %d", format, code)
		}
		if !strings.Contains(stdout, age) {
			t.Errorf("%s does not show the facts' age %q", format, age)
		}
		if !strings.Contains(stdout, "older than --max-facts-age 7 days") || !strings.Contains(stderr, "warning: the facts were collected on 2026-11-20 08:30 UTC, 39 days before this evaluation") {
			t.Errorf("%s: no stale-facts warning\nstdout %.600s\nstderr %s", format, stdout, stderr)
		}
	}
	_, stdout, _ := espreflight(t, "check", "--plan", plan, "--facts", facts, "--now", "2026-11-01")
	if !strings.Contains(stdout, "19 days after the evaluation time (--now 2026-11-01T00:00:00Z)") {
		t.Errorf("facts from after --now are not flagged:\n%s", stdout)
	}
	if code, _, stderr := espreflight(t, "check", "--plan", plan, "--facts", facts, "--max-facts-age", "a week"); code != exitUsage || !strings.Contains(stderr, `"a week" is not an age`) {
		t.Errorf("--max-facts-age \"a week\": exit %d %q", code, stderr)
	}
}

// TestFreshFactsQuiet: within --max-facts-age nothing is said but the age.
func TestFreshFactsQuiet(t *testing.T) {
	plan, facts := testdata("examples", "arch-conflict.yaml"), testdata("examples", "alibaba-pair.facts.json")
	for _, args := range [][]string{{"--now", "2026-11-21"}, {"--now", "2026-12-30", "--max-facts-age", "6w"}, {"--now", "2026-11-27", "--max-facts-age", "168h"}} {
		_, stdout, stderr := espreflight(t, append([]string{"check", "--plan", plan, "--facts", facts}, args...)...)
		if strings.Contains(stdout+stderr, "max-facts-age") || !strings.Contains(stdout, "facts collected 2026-11-20 08:30:00 UTC") {
			t.Errorf("%v:\nstdout %.400s\nstderr %s", args, stdout, stderr)
		}
	}
}
