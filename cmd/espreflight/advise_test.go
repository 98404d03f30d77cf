package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/advise"
	"github.com/espreflight/espreflight/probe"
)

// adviceCases are the cluster pairs of testdata/advice with the cloud facts
// (plan-like flags) that go with them.
var adviceCases = map[string][]string{
	"es6-to-es8": {"--facts", testdata("advice", "es6-to-es8-large.facts.json"),
		"--source-kind", "alibaba", "--destination-kind", "alibaba",
		"--source-region", "cn-hangzhou", "--destination-region", "cn-hangzhou",
		"--source-account", "1234567890", "--destination-account", "1234567890",
		"--source-vpc", "vpc-es", "--destination-vpc", "vpc-es",
		"--source-created", "2019-04-10", "--destination-created", "2025-03-01"},
	"same-version-small": {"--facts", testdata("advice", "same-version-small.facts.json"),
		"--source-kind", "alibaba", "--destination-kind", "alibaba",
		"--source-region", "cn-hangzhou", "--destination-region", "cn-hangzhou",
		"--source-account", "1234567890", "--destination-account", "1234567890",
		"--source-vpc", "vpc-a", "--destination-vpc", "vpc-a",
		"--source-zone", "cn-hangzhou-i", "--destination-zone", "cn-hangzhou-i",
		"--source-created", "2022-02-01", "--destination-created", "2023-03-01"},
	"opensearch-to-es": {"--facts", testdata("advice", "opensearch-to-es.facts.json"),
		"--indices", "events-*",
		"--source-kind", "third-party", "--source-provider", "aws-opensearch", "--source-region", "us-west-1",
		"--destination-kind", "alibaba", "--destination-region", "cn-hangzhou", "--destination-account", "1234567890",
		"--destination-vpc", "vpc-es", "--destination-created", "2024-06-01"},
	"alibaba-architectures": {"--facts", testdata("advice", "alibaba-pair.facts.json"),
		"--indices", "orders-*",
		"--source-kind", "alibaba", "--destination-kind", "alibaba",
		"--source-region", "cn-hangzhou", "--destination-region", "cn-hangzhou",
		"--source-account", "1234567890", "--destination-account", "1234567890",
		"--source-vpc", "vpc-a", "--destination-vpc", "vpc-a",
		"--source-created", "2019-05-01", "--destination-created", "2021-03-01"},
	"alibaba-cross-region": {"--facts", testdata("advice", "alibaba-pair.facts.json"),
		"--indices", "orders-*",
		"--source-kind", "alibaba", "--destination-kind", "alibaba",
		"--source-region", "cn-hangzhou", "--destination-region", "cn-shanghai",
		"--source-account", "1234567890", "--destination-account", "1234567890",
		"--source-vpc", "vpc-a", "--destination-vpc", "vpc-b",
		"--source-created", "2021-05-01", "--destination-created", "2022-03-01"},
}

func adviseArgs(name string, extra ...string) []string {
	args := append([]string{"advise", "--now", "2026-11-26"}, adviceCases[name]...)
	return append(args, extra...)
}

// adviseJSON runs advise --format json for a case and decodes the advice.
func adviseJSON(t *testing.T, name string, extra ...string) (int, *advise.Advice) {
	t.Helper()
	code, stdout, stderr := espreflight(t, adviseArgs(name, append([]string{"--format", "json"}, extra...)...)...)
	if code == exitUsage {
		t.Fatalf("%s: exit 2: %s", name, stderr)
	}
	adv, err := advise.Read([]byte(stdout))
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, stdout)
	}
	return code, adv
}

func adviceOption(t *testing.T, a *advise.Advice, key string) *advise.Option {
	t.Helper()
	for i := range a.Options {
		if a.Options[i].Key() == key {
			return &a.Options[i]
		}
	}
	t.Fatalf("no option %s", key)
	return nil
}

func reasonIDs(rs []advise.Reason) string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.Rule
	}
	return strings.Join(ids, ",")
}

func TestAdviseScenarios(t *testing.T) {
	t.Run("6.x to 8.x, large: snapshot + reindex through 7.x", func(t *testing.T) {
		code, a := adviseJSON(t, "es6-to-es8")
		if code != exitOK {
			t.Errorf("exit %d, want 0", code)
		}
		if r := a.Recommended; r == nil || r.Method != "snapshot-reindex" || r.Intermediate == nil || !strings.HasPrefix(r.Intermediate.Version, "7.") {
			t.Fatalf("recommended %+v, want snapshot-reindex through 7.x", a.Recommended)
		}
		if s := adviceOption(t, a, "snapshot/full"); s.Verdict != advise.VerdictBlocked || !strings.Contains(reasonIDs(s.Blocking), "VER-002") {
			t.Errorf("direct snapshot: %s %s, want blocked by VER-002", s.Verdict, reasonIDs(s.Blocking))
		}
	})
	t.Run("same version, small: reindex allowed, snapshot recommended", func(t *testing.T) {
		code, a := adviseJSON(t, "same-version-small")
		if code != exitOK {
			t.Errorf("exit %d, want 0", code)
		}
		if o := adviceOption(t, a, "reindex/full"); !o.Works() {
			t.Errorf("reindex: %s %s %s", o.Verdict, reasonIDs(o.Blocking), reasonIDs(o.Unverified))
		}
		if a.Recommended == nil || a.Recommended.Method != "snapshot" {
			t.Errorf("recommended %+v, want snapshot", a.Recommended)
		}
		if a.Volume.Class != "small" {
			t.Errorf("volume %+v, want small", a.Volume)
		}
	})
	t.Run("OpenSearch to Elasticsearch: snapshot blocked, dump and Logstash open", func(t *testing.T) {
		code, a := adviseJSON(t, "opensearch-to-es")
		if code != exitOK {
			t.Errorf("exit %d, want 0", code)
		}
		for _, k := range []string{"snapshot/full", "snapshot-reindex/full"} {
			if o := adviceOption(t, a, k); o.Verdict != advise.VerdictBlocked || !strings.Contains(reasonIDs(o.Blocking), "VER-006") {
				t.Errorf("%s: %s %s, want blocked by VER-006", k, o.Verdict, reasonIDs(o.Blocking))
			}
		}
		if o := adviceOption(t, a, "elasticsearch-dump/full"); !o.Works() {
			t.Errorf("elasticsearch-dump: %s %s", o.Verdict, reasonIDs(o.Blocking))
		}
		if o := adviceOption(t, a, "logstash/full"); o.Verdict == advise.VerdictBlocked {
			t.Errorf("logstash blocked by %s", reasonIDs(o.Blocking))
		}
		if r := a.Recommended; r == nil || r.Method != "logstash" {
			t.Errorf("recommended %+v, want Logstash (65 GiB is too much for elasticsearch-dump)", a.Recommended)
		}
	})
	t.Run("Alibaba pair on different architectures: reindex blocked", func(t *testing.T) {
		_, a := adviseJSON(t, "alibaba-architectures")
		if o := adviceOption(t, a, "reindex/full"); o.Verdict != advise.VerdictBlocked || !strings.Contains(reasonIDs(o.Blocking), "ARCH-001") {
			t.Errorf("reindex: %s %s, want blocked by ARCH-001", o.Verdict, reasonIDs(o.Blocking))
		}
		if a.Recommended == nil || a.Recommended.Method == "reindex" {
			t.Errorf("recommended %+v", a.Recommended)
		}
	})
	t.Run("cross-region Alibaba pair: snapshot only with CRR", func(t *testing.T) {
		code, a := adviseJSON(t, "alibaba-cross-region")
		if code != exitOK {
			t.Errorf("exit %d, want 0", code)
		}
		if o := adviceOption(t, a, "snapshot/full"); o.Verdict != advise.VerdictBlocked || !strings.Contains(reasonIDs(o.Blocking), "OSS-004") {
			t.Errorf("snapshot without CRR: %s %s, want blocked by OSS-004", o.Verdict, reasonIDs(o.Blocking))
		}
		crr := adviceOption(t, a, "snapshot/full/crr")
		if !crr.Works() || len(crr.Needs) == 0 || !strings.Contains(crr.Needs[0], "CRR") {
			t.Errorf("snapshot with CRR: %s needs %v", crr.Verdict, crr.Needs)
		}
		r := a.Recommended
		if r == nil || r.Variant != "crr" || !strings.Contains(strings.Join(r.Why, "\n"), "cross-region replication") {
			t.Fatalf("recommended %+v, want snapshot with CRR and the reason", r)
		}
		if r.Plan == nil || r.Plan.Snapshot == nil || !r.Plan.Snapshot.CrossRegionReplication {
			t.Errorf("the recommended plan does not enable CRR")
		}
		// Declaring CRR makes the plain snapshot work.
		_, a2 := adviseJSON(t, "alibaba-cross-region", "--crr")
		if o := adviceOption(t, a2, "snapshot/full"); !o.Works() {
			t.Errorf("snapshot with --crr: %s %s", o.Verdict, reasonIDs(o.Blocking))
		}
	})
}

func TestAdviseFiltered(t *testing.T) {
	// Filtered data: Logstash, not snapshots (which move whole indices).
	code, a := adviseJSON(t, "opensearch-to-es", "--filtered")
	if a.Recommended == nil || a.Recommended.Method != "logstash" {
		t.Errorf("filtered: recommended %+v, want Logstash", a.Recommended)
	}
	if code != exitOK {
		t.Errorf("filtered: exit %d", code)
	}
}

// TestAdviseNothingWorks: a team policy that forbids every migration leaves no
// method working: exit 1, no recommendation, and --write-plan writes nothing.
func TestAdviseNothingWorks(t *testing.T) {
	dir := t.TempDir()
	rule := `package espreflight.custom.freeze

import data.espreflight.lib

# METADATA
# title: Migrations are frozen
# custom:
#   id: FREEZE-001
#   severity: error
deny contains f if {
	input.plan.method
	f := lib.finding(rego.metadata.rule(), "change freeze: no migration before 2027", {})
}
`
	if err := os.WriteFile(filepath.Join(dir, "freeze.rego"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	planFile := filepath.Join(dir, "plan.yaml")
	code, stdout, stderr := espreflight(t, adviseArgs("same-version-small", "--policy", dir, "--write-plan", planFile)...)
	if code != exitFindings {
		t.Errorf("exit %d, want 1; stderr %s", code, stderr)
	}
	if !strings.Contains(stdout, "No recommendation") || !strings.Contains(stdout, "FREEZE-001") {
		t.Errorf("stdout:\n%s", stdout)
	}
	if _, err := os.Stat(planFile); err == nil {
		t.Errorf("a plan was written although no method works")
	}
	if !strings.Contains(stderr, "no plan written") {
		t.Errorf("stderr %q does not say that no plan was written", stderr)
	}
}

func TestAdviseGolden(t *testing.T) {
	for _, f := range []struct{ format, file string }{{"text", "es6-to-es8.txt"}, {"json", "es6-to-es8.json"}, {"markdown", "es6-to-es8.md"}} {
		t.Run(f.format, func(t *testing.T) {
			code, stdout, stderr := espreflight(t, adviseArgs("es6-to-es8", "--format", f.format)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			// The facts path depends on the checkout; the golden files hold it relative.
			stdout = strings.ReplaceAll(stdout, repoRoot+"/", "")
			golden := testdata("golden", "advice", f.file)
			if *update {
				if err := os.WriteFile(golden, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/espreflight -run TestAdviseGolden -update)", err)
			}
			if stdout != string(want) {
				t.Errorf("%s differs from %s (run with -update after an intended change):\n%s", f.format, golden, stdout)
			}
		})
	}
}

// TestAdviseStarterPlan: the plan written for the recommended method passes
// `plan validate` and `check --facts` evaluates it (exit 0 or 1, never 2).
func TestAdviseStarterPlan(t *testing.T) {
	for name := range adviceCases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			planFile := filepath.Join(dir, "migration.yaml")
			code, _, stderr := espreflight(t, adviseArgs(name, "--write-plan", planFile)...)
			if code == exitUsage {
				t.Fatalf("advise: %s", stderr)
			}
			facts := adviceCases[name][1]
			adviseCheckPlan(t, planFile, facts)

			// The same through the JSON advice and plan init --from-advice.
			adviceFile := filepath.Join(dir, "advice.json")
			if code, _, stderr := espreflight(t, adviseArgs(name, "--format", "json", "-o", adviceFile)...); code == exitUsage {
				t.Fatalf("advise -o: %s", stderr)
			}
			fromAdvice := filepath.Join(dir, "from-advice.yaml")
			if code, _, stderr := espreflight(t, "plan", "init", "--from-advice", adviceFile, "-o", fromAdvice); code != exitOK {
				t.Fatalf("plan init --from-advice: exit %d: %s", code, stderr)
			}
			adviseCheckPlan(t, fromAdvice, facts)
			a, _ := os.ReadFile(planFile)
			b, _ := os.ReadFile(fromAdvice)
			if string(a) != string(b) {
				t.Errorf("--write-plan and plan init --from-advice differ:\n%s\n---\n%s", a, b)
			}
		})
	}
}

func adviseCheckPlan(t *testing.T, planFile, facts string) {
	t.Helper()
	if code, stdout, stderr := espreflight(t, "plan", "validate", "--plan", planFile); code != exitOK {
		text, _ := os.ReadFile(planFile)
		t.Fatalf("plan validate: exit %d: %s%s\n%s", code, stdout, stderr, text)
	}
	code, stdout, stderr := espreflight(t, "check", "--plan", planFile, "--facts", facts, "--now", "2026-11-26")
	if code != exitOK && code != exitFindings {
		t.Fatalf("check: exit %d: %s", code, stderr)
	}
	p, err := probe.LoadPlan(planFile)
	if err != nil {
		t.Fatal(err)
	}
	if code != exitOK {
		// The recommended method works; what check reports is a TODO the
		// starter plan leaves to fill in, never an error of the method.
		t.Logf("check %s (%s): exit %d\n%s", planFile, p.Method, code, stdout)
	}
}

func TestAdviseUsage(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{adviseArgs("es6-to-es8", "--format", "sarif"), "advise writes text, json, markdown"},
		{adviseArgs("es6-to-es8", "--mode", "delta"), "--mode"},
		{[]string{"advise", "--plan", "x.yaml", "--source-kind", "alibaba"}, "--plan x.yaml already describes the clusters"},
		{[]string{"advise", "--source", "https://a:9200", "--destination", "https://b:9200", "--source-created", "2019-02-30"}, "--source-created: \"2019-02-30\" is not a date"},
		{[]string{"advise", "--source", "https://a:9200", "--destination", "https://b:9200", "--destination-kind", "alibab"}, "--destination-kind"},
		{[]string{"advise", "--source", "https://a:9200"}, "give --destination URL"},
		// --ca-file reaches the probe: the plan built from the flags keeps tls.
		{[]string{"advise", "--source", "https://127.0.0.1:1", "--destination", "https://127.0.0.1:2", "--ca-file", "/nonexistent/ca.pem"}, "tls.ca_file /nonexistent/ca.pem"},
	}
	for _, tc := range cases {
		code, stdout, stderr := espreflight(t, tc.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", tc.args, code, stderr)
		}
		if stdout != "" {
			t.Errorf("%v: wrote to stdout: %q", tc.args, stdout)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: stderr %q does not contain %q", tc.args, stderr, tc.want)
		}
	}
}

func TestAdviseUnreachable(t *testing.T) {
	f, err := probe.LoadFacts(testdata("advice", "same-version-small.facts.json"))
	if err != nil {
		t.Fatal(err)
	}
	down := false
	f.Clusters.Destination = &probe.ClusterFacts{Endpoint: f.Clusters.Destination.Endpoint, Reachable: &down, Sources: map[string]string{}}
	for _, fact := range probe.ProbedFacts {
		f.Clusters.Destination.MarkUnknown(fact, "GET /", "connection refused")
	}
	f.Runner.Reachable["destination"] = false
	path := filepath.Join(t.TempDir(), "down.facts.json")
	data, _ := json.Marshal(f)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"advise", "--now", "2026-11-26"}, adviceCases["same-version-small"]...)
	args[4] = path // replace the --facts value
	code, stdout, stderr := espreflight(t, args...)
	if code != exitUnreachable {
		t.Errorf("exit %d, want 3; stderr %s", code, stderr)
	}
	if !strings.Contains(stderr, "could not reach the destination") || !strings.Contains(stdout, "cannot tell") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}

// TestAdvisePlanFile: --plan gives the clusters (its method is ignored).
func TestAdvisePlanFile(t *testing.T) {
	plan := filepath.Join(t.TempDir(), "draft.yaml")
	text := `version: 1
name: old-to-new
method: reindex
indices: ["orders-*"]
source: {kind: alibaba, region: cn-hangzhou, account: "1234567890", vpc: vpc-a, created: 2019-05-01}
destination: {kind: alibaba, region: cn-hangzhou, account: "1234567890", vpc: vpc-a, created: 2021-03-01}
reindex: {remote_host: "https://es-cn-old.elasticsearch.aliyuncs.com:9200"}
`
	if err := os.WriteFile(plan, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := espreflight(t, "advise", "--now", "2026-11-26", "--plan", plan, "--facts", testdata("advice", "alibaba-pair.facts.json"), "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	a, err := advise.Read([]byte(stdout))
	if err != nil {
		t.Fatal(err)
	}
	if o := adviceOption(t, a, "reindex/full"); !strings.Contains(reasonIDs(o.Blocking), "ARCH-001") {
		t.Errorf("reindex: %s %s, want ARCH-001", o.Verdict, reasonIDs(o.Blocking))
	}
	if a.Recommended == nil || a.Recommended.Method != "snapshot" {
		t.Errorf("recommended %+v, want snapshot", a.Recommended)
	}
}
