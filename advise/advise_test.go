package advise

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
)

var (
	engineOnce      sync.Once
	testEngineValue *policies.Engine
	engineErr       error
)

func testEngine(t *testing.T) *policies.Engine {
	t.Helper()
	engineOnce.Do(func() { testEngineValue, engineErr = policies.New(context.Background(), policies.Options{}) })
	if engineErr != nil {
		t.Fatalf("engine: %v", engineErr)
	}
	return testEngineValue
}

var testNow = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// loadFacts loads a facts fixture of testdata/advice and puts the plan in it.
func loadFacts(t *testing.T, file, planYAML string) *probe.Facts {
	t.Helper()
	f, err := probe.LoadFacts(filepath.Join("..", "testdata", "advice", file))
	if err != nil {
		t.Fatal(err)
	}
	p, err := probe.ParsePlan("advise.yaml", []byte(planYAML))
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	f.Plan = p
	return f
}

func run(t *testing.T, f *probe.Facts, goal Goal) *Advice {
	t.Helper()
	a, err := Run(context.Background(), testEngine(t), f, testNow, goal)
	if err != nil {
		t.Fatalf("advise: %v", err)
	}
	return a
}

func option(t *testing.T, a *Advice, key string) *Option {
	t.Helper()
	for i := range a.Options {
		if a.Options[i].Key() == key {
			return &a.Options[i]
		}
	}
	var keys []string
	for _, o := range a.Options {
		keys = append(keys, o.Key())
	}
	t.Fatalf("no option %s; have %s", key, strings.Join(keys, ", "))
	return nil
}

func ruleIDs(rs []Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Rule
	}
	return out
}

func hasRule(rs []Reason, prefix string) bool {
	for _, r := range rs {
		if strings.HasPrefix(r.Rule, prefix) {
			return true
		}
	}
	return false
}

func logAdvice(t *testing.T, a *Advice) {
	t.Helper()
	for _, o := range a.Options {
		t.Logf("%-40s %-20s blocking=%v unverified=%v warnings=%v %s", o.Title(), o.Verdict, ruleIDs(o.Blocking), ruleIDs(o.Unverified), ruleIDs(o.Warnings), o.Note)
	}
	if a.Recommended != nil {
		t.Logf("recommended: %s; why: %s", a.Recommended.Label, strings.Join(a.Recommended.Why, " | "))
	}
	t.Logf("notes: %v", a.Notes)
}

const planES6toES8 = `version: 1
name: es6-to-es8
method: snapshot
indices: ["*", "-.*"]
source:
  kind: alibaba
  endpoint: https://es-cn-6x.elasticsearch.aliyuncs.com:9200
  region: cn-hangzhou
  account: "1234567890"
  vpc: vpc-es
  created: 2019-04-10
destination:
  kind: alibaba
  endpoint: https://es-cn-8x.elasticsearch.aliyuncs.com:9200
  region: cn-hangzhou
  account: "1234567890"
  vpc: vpc-es
  created: 2025-03-01
`

func TestAdviseMajorGapLargeVolume(t *testing.T) {
	a := run(t, loadFacts(t, "es6-to-es8-large.facts.json", planES6toES8), Goal{})
	logAdvice(t, a)
	if a.Volume.Class != "large" {
		t.Errorf("volume class %q, want large (%s)", a.Volume.Class, a.Volume.Human)
	}
	snap := option(t, a, "snapshot/full")
	if snap.Verdict != VerdictBlocked || !hasRule(snap.Blocking, "VER-00") {
		t.Errorf("direct snapshot 6.x → 8.x: verdict %q blocking %v, want blocked by a VER rule", snap.Verdict, ruleIDs(snap.Blocking))
	}
	sr := option(t, a, "snapshot-reindex/full")
	if sr.Intermediate == nil || !sr.Intermediate.Fits || !strings.HasPrefix(sr.Intermediate.Version, "7.") {
		t.Fatalf("snapshot-reindex intermediate = %+v, want a fitting 7.x", sr.Intermediate)
	}
	if sr.Intermediate.Version != "7.17" {
		t.Errorf("intermediate %s, want 7.17 (the newest 7.x)", sr.Intermediate.Version)
	}
	if hasRule(sr.Blocking, "VER-") {
		t.Errorf("snapshot-reindex through 7.17 blocked by version rules: %v", sr.Blocking)
	}
	if a.Recommended == nil {
		t.Fatalf("no recommendation; notes %v", a.Notes)
	}
	if a.Recommended.Method != "snapshot-reindex" || a.Recommended.Intermediate == nil || a.Recommended.Intermediate.Version != "7.17" {
		t.Errorf("recommended %s (intermediate %+v), want snapshot-reindex through 7.17", a.Recommended.Label, a.Recommended.Intermediate)
	}
	if a.Recommended.Plan == nil || a.Recommended.Plan.Intermediate == nil || a.Recommended.Plan.Intermediate.Version != "7.17" {
		t.Errorf("recommended plan lacks the intermediate cluster")
	}
	for _, m := range []string{"reindex/full", "elasticsearch-dump/full"} {
		o := option(t, a, m)
		if !hasRule(o.Warnings, "FIT-001") && o.Verdict != VerdictBlocked {
			t.Errorf("%s on %s: want FIT-001 (too large) or blocked, got %s %v", m, a.Volume.Human, o.Verdict, ruleIDs(o.Warnings))
		}
	}
}

func TestAdviseSameVersionSmall(t *testing.T) {
	plan := `version: 1
name: same-version
method: reindex
indices: ["*", "-.*"]
source: {kind: alibaba, endpoint: "https://es-cn-a.elasticsearch.aliyuncs.com:9200", region: cn-hangzhou, zone: cn-hangzhou-i, account: "1234567890", vpc: vpc-a, created: 2022-02-01}
destination: {kind: alibaba, endpoint: "https://es-cn-b.elasticsearch.aliyuncs.com:9200", region: cn-hangzhou, zone: cn-hangzhou-i, account: "1234567890", vpc: vpc-a, created: 2023-03-01}
reindex: {remote_host: "https://es-cn-a.elasticsearch.aliyuncs.com:9200"}
`
	a := run(t, loadFacts(t, "same-version-small.facts.json", plan), Goal{})
	logAdvice(t, a)
	if a.Volume.Class != "small" {
		t.Errorf("volume class %q, want small (%s)", a.Volume.Class, a.Volume.Human)
	}
	rx := option(t, a, "reindex/full")
	if !rx.Works() {
		t.Errorf("reindex between two 7.10 clusters on the new architecture: %s %v %v", rx.Verdict, ruleIDs(rx.Blocking), ruleIDs(rx.Unverified))
	}
	sr := option(t, a, "snapshot-reindex/full")
	if sr.Verdict != VerdictNotApplicable {
		t.Errorf("snapshot-reindex for the same version: %s, want %s", sr.Verdict, VerdictNotApplicable)
	}
	if a.Recommended == nil {
		t.Fatalf("no recommendation; notes %v", a.Notes)
	}
	snap := option(t, a, "snapshot/full")
	if snap.Works() && a.Recommended.Method != "snapshot" {
		t.Errorf("snapshot works but %s is recommended", a.Recommended.Label)
	}
	if !snap.Works() && a.Recommended.Method != "reindex" {
		t.Errorf("snapshot is %s; want reindex recommended, got %s", snap.Verdict, a.Recommended.Label)
	}
}

func TestAdviseOpenSearchToElasticsearch(t *testing.T) {
	plan := `version: 1
name: aws-to-alibaba
method: snapshot
indices: ["events-*"]
source: {kind: third-party, provider: aws-opensearch, endpoint: "https://search-shop-abc123.us-west-1.es.amazonaws.com", region: us-west-1}
destination: {kind: alibaba, endpoint: "https://es-cn-os.elasticsearch.aliyuncs.com:9200", region: cn-hangzhou, account: "1234567890", vpc: vpc-es, created: 2024-06-01}
`
	a := run(t, loadFacts(t, "opensearch-to-es.facts.json", plan), Goal{})
	logAdvice(t, a)
	for _, key := range []string{"snapshot/full", "snapshot-reindex/full"} {
		o := option(t, a, key)
		if o.Verdict != VerdictBlocked || !hasRule(o.Blocking, "VER-006") {
			t.Errorf("%s OpenSearch → Elasticsearch: %s %v, want blocked by VER-006", key, o.Verdict, ruleIDs(o.Blocking))
		}
	}
	for _, key := range []string{"logstash/full", "elasticsearch-dump/full"} {
		o := option(t, a, key)
		if o.Verdict == VerdictBlocked {
			t.Errorf("%s OpenSearch → Elasticsearch: blocked by %v, want open", key, ruleIDs(o.Blocking))
		}
	}
}

const planAlibabaArch = `version: 1
name: old-to-new
method: reindex
indices: ["orders-*"]
source: {kind: alibaba, endpoint: "https://es-cn-old.elasticsearch.aliyuncs.com:9200", region: cn-hangzhou, account: "1234567890", vpc: vpc-a, created: 2019-05-01}
destination: {kind: alibaba, endpoint: "https://es-cn-new.elasticsearch.aliyuncs.com:9200", region: cn-hangzhou, account: "1234567890", vpc: vpc-a, created: 2021-03-01}
`

func TestAdviseAlibabaArchitectures(t *testing.T) {
	a := run(t, loadFacts(t, "alibaba-pair.facts.json", planAlibabaArch), Goal{})
	logAdvice(t, a)
	rx := option(t, a, "reindex/full")
	if rx.Verdict != VerdictBlocked || !hasRule(rx.Blocking, "ARCH-001") {
		t.Errorf("reindex across architectures: %s %v, want blocked by ARCH-001", rx.Verdict, ruleIDs(rx.Blocking))
	}
	if a.Recommended != nil && a.Recommended.Method == "reindex" {
		t.Errorf("reindex recommended across architectures")
	}
	if snap := option(t, a, "snapshot/full"); hasRule(snap.Blocking, "ARCH-") {
		t.Errorf("snapshot blocked by an architecture rule: %v", ruleIDs(snap.Blocking))
	}
}

func TestAdviseCrossRegionNeedsCRR(t *testing.T) {
	plan := `version: 1
name: hangzhou-to-shanghai
method: snapshot
indices: ["orders-*"]
source: {kind: alibaba, endpoint: "https://es-cn-old.elasticsearch.aliyuncs.com:9200", region: cn-hangzhou, account: "1234567890", vpc: vpc-a, created: 2021-05-01}
destination: {kind: alibaba, endpoint: "https://es-cn-new.elasticsearch.aliyuncs.com:9200", region: cn-shanghai, account: "1234567890", vpc: vpc-b, created: 2022-03-01}
snapshot:
  repository: {type: oss, name: migration, bucket: es-snapshot-cn-hangzhou, region: cn-hangzhou, owner_account: "1234567890"}
`
	a := run(t, loadFacts(t, "alibaba-pair.facts.json", plan), Goal{})
	logAdvice(t, a)
	snap := option(t, a, "snapshot/full")
	if snap.Verdict != VerdictBlocked {
		t.Errorf("cross-region snapshot without CRR: %s, want blocked", snap.Verdict)
	}
	crr := option(t, a, "snapshot/full/crr")
	if !crr.Works() {
		t.Errorf("cross-region snapshot with CRR: %s %v %v, want works", crr.Verdict, ruleIDs(crr.Blocking), ruleIDs(crr.Unverified))
	}
	if len(crr.Needs) == 0 || !strings.Contains(crr.Needs[0], "CRR") {
		t.Errorf("the CRR option does not say that CRR is needed: %v", crr.Needs)
	}
	if a.Recommended == nil || a.Recommended.Variant != "crr" || !strings.Contains(strings.Join(a.Recommended.Why, " "), "CRR") {
		t.Errorf("recommendation %+v, want snapshot with CRR and the reason", a.Recommended)
	}
}

func TestPickIntermediate(t *testing.T) {
	ver := func(s string) *probe.Version { v, _ := probe.ParseVersion(s); return v }
	mk := func(srcProd, src, dstProd, dst string, created ...string) *probe.Facts {
		f := &probe.Facts{Plan: &probe.Plan{Indices: []string{"*"}}}
		s := &probe.ClusterFacts{Product: srcProd, Version: ver(src), Indices: []probe.Index{}}
		for i, c := range created {
			v := ver(c)
			s.Indices = append(s.Indices, probe.Index{Name: "i" + string(rune('a'+i)), CreatedVersion: c, CreatedProduct: srcProd, CreatedMajor: v.Major, CreatedMinor: v.Minor})
		}
		f.Clusters.Source = s
		f.Clusters.Destination = &probe.ClusterFacts{Product: dstProd, Version: ver(dst)}
		return f
	}
	es, os := "elasticsearch", "opensearch"
	cases := []struct {
		name string
		f    *probe.Facts
		want string // "" = not needed, "!X" = no fit (evaluated with X)
	}{
		{"6.x to 8.x", mk(es, "6.8.23", es, "8.15.1", "6.4.3", "6.8.23"), "7.17"},
		{"5.x to 7.x", mk(es, "5.6.16", es, "7.10.0", "5.6.16"), "6.8"},
		{"5.x indices in 6.8 to 7.x", mk(es, "6.8.23", es, "7.10.0", "5.6.16"), "6.8.23"},
		{"same version", mk(es, "7.10.0", es, "7.10.0", "7.10.0"), ""},
		{"next major", mk(es, "7.17.29", es, "8.19.21", "7.17.29"), ""},
		{"7.x to 9.x", mk(es, "7.17.29", es, "9.1.0", "7.10.0"), "8.19"},
		{"ES 6 to OpenSearch 2", mk(es, "6.8.23", os, "2.19.0", "6.8.23"), "1.3"},
		{"ES 7 to OpenSearch 3", mk(es, "7.10.2", os, "3.0.0", "7.10.2"), "2.19"},
		{"OpenSearch to ES", mk(os, "2.11.0", es, "8.15.1", "2.11.0"), "!7.17"},
		{"5.x and 6.x into 8.x", mk(es, "6.8.23", es, "8.15.1", "5.6.16", "6.8.23"), "!7.17"},
	}
	for _, tc := range cases {
		in, need, err := PickIntermediate(context.Background(), testEngine(t), tc.f)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if need && in != nil {
			got = in.Version
			if !in.Fits {
				got = "!" + got
			}
		}
		if got != tc.want {
			t.Errorf("%s: intermediate %q (need %v), want %q", tc.name, got, need, tc.want)
		}
	}
}
