package report

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
)

// Fixed inputs: nothing machine-specific goes into the golden files.
var (
	evalTime    = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	collectTime = time.Date(2026, 11, 26, 9, 58, 12, 0, time.UTC)
)

const planFile = "deploy/migration.yaml"

func fixtureRules() []policies.Rule {
	return []policies.Rule{
		{ID: "ARCH-001", Severity: "error", Title: "Clusters on different network architectures cannot talk",
			Description: "Alibaba Cloud Elasticsearch instances created before October 2020 use the original network architecture; newer ones use the new architecture. Cross-cluster operations between them need a PrivateLink connection.",
			Remediation: "Create a PrivateLink connection between the two VPCs and set `network.privatelink: true`,\nor choose the snapshot method.",
			HelpURI:     "https://www.alibabacloud.com/help/en/es/user-guide/network-architecture", Package: "espreflight.rules.arch",
			Example: "method: reindex\nsource: {kind: alibaba, created: 2019-05-01}"},
		{ID: "DUMP-001", Severity: "error", Title: "elasticsearch-dump host cannot reach a cluster",
			Description: "The host that runs elasticsearch-dump must reach both clusters.", Remediation: "Run it on a host that reaches both.",
			HelpURI: "https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution", Package: "espreflight.rules.dump",
			Methods: []string{"elasticsearch-dump"}},
		{ID: "LS-001", Severity: "warning", Title: "Logstash incremental sync without a schedule",
			Description: "Incremental mode with Logstash needs a schedule, or the pipeline runs once.", Remediation: "Set `logstash.schedule`.",
			HelpURI: "https://www.alibabacloud.com/help/en/es/use-cases/logstash", Package: "espreflight.rules.ls"},
		{ID: "PLUG-001", Severity: "warning", Title: "Destination lacks a plugin the source uses",
			Description: "Indices that use analysis plugins need the same plugins on the destination.", Remediation: "Install the plugins on the destination.",
			HelpURI: "https://www.alibabacloud.com/help/en/es/user-guide/plugins", Package: "espreflight.rules.plug"},
		{ID: "SNAP-002", Severity: "error", Title: "Index created by a version the destination cannot restore",
			Description: "A snapshot restores only indices created by the destination's major version or the one before it.", Remediation: "Reindex these indices on the source first, or use the snapshot-reindex method via an intermediate cluster.",
			HelpURI: "https://www.elastic.co/docs/deploy-manage/tools/snapshot-and-restore#snapshot-restore-version-compatibility", Package: "espreflight.rules.snap"},
		{ID: "SYS-001", Severity: "warning", Title: "Plan migrates system indices",
			Description: "Indices whose names start with a period belong to Kibana, security and monitoring.", Remediation: "Exclude them from `indices:` (add \"-.*\").",
			HelpURI: "https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution", Package: "espreflight.rules.sys"},
		{ID: "VER-003", Severity: "error", Title: "Destination version must not be older than the source",
			Description: "Elasticsearch cannot restore or reindex into an older version.", Remediation: "Pick a destination of the same or a newer version.",
			HelpURI: "https://www.elastic.co/docs/deploy-manage/upgrade", Package: "espreflight.rules.ver"},
	}
}

func ruleByID(rules []policies.Rule, id string) policies.Rule {
	for _, r := range rules {
		if r.ID == id {
			return r
		}
	}
	panic("no rule " + id)
}

func newFinding(r policies.Rule, msg, cluster, index, path string, line int, ev ...policies.Evidence) policies.Finding {
	if ev == nil {
		ev = []policies.Evidence{}
	}
	return policies.Finding{Rule: r.ID, Severity: r.Severity, Title: r.Title, Message: msg, Cluster: cluster, Index: index,
		Evidence: ev, Remediation: r.Remediation, HelpURI: r.HelpURI, Location: policies.Location{File: planFile, Line: line, Path: path}}
}

// fixtureMethod is the plan method of the fixtures: DUMP-001 does not apply to it.
const fixtureMethod = "reindex"

// summarize mirrors the policies package's counting.
func summarize(rules []policies.Rule, fs []policies.Finding) policies.Summary {
	open, waived := map[string]int{}, map[string]int{}
	for _, f := range fs {
		if f.Waived != nil {
			waived[f.Rule]++
		} else {
			open[f.Rule]++
		}
	}
	s := policies.Summary{Rules: len(rules)}
	for _, r := range rules {
		switch {
		case !r.AppliesTo(fixtureMethod):
			s.NotApplicable++
		case open[r.ID] == 0 && waived[r.ID] == 0:
			s.Passed++
		case open[r.ID] == 0:
			s.Waived++
		case r.Severity == "error":
			s.Failed++
		default:
			s.Warnings++
		}
	}
	return s
}

// fixtureResult is a small but complete result: a cluster-level error, a
// per-index rule with several indices, an unverified finding, a warning, a
// waived per-index rule, a passed rule and a notice.
func fixtureResult() *policies.Result {
	rules := fixtureRules()
	arch, ls, snap, sys, ver := ruleByID(rules, "ARCH-001"), ruleByID(rules, "LS-001"), ruleByID(rules, "SNAP-002"), ruleByID(rules, "SYS-001"), ruleByID(rules, "VER-003")
	var fs []policies.Finding
	fs = append(fs, newFinding(arch, "the source (created 2019-05-01) uses the original network architecture and the destination (created 2021-03-02) the new one; reindex from remote cannot cross them", "destination", "", "source.created", 12,
		policies.Evidence{Fact: "plan.source.created", Value: "2019-05-01", Source: planFile + " line 12"},
		policies.Evidence{Fact: "plan.destination.created", Value: "2021-03-02", Source: planFile + " line 21"},
		policies.Evidence{Fact: "plan.network.privatelink", Value: false, Source: planFile + " line 1"}))
	fs = append(fs, newFinding(ls, "mode is incremental but logstash.schedule is empty | the pipeline runs <once>", "", "", "logstash", 30,
		policies.Evidence{Fact: "plan.logstash.schedule", Value: "", Source: planFile + " line 30"}))
	for _, ix := range []string{"logs-2017.01", "logs-2017.02", "logs-2017.03", "metrics-2016", "orders-2015"} {
		fs = append(fs, newFinding(snap, "5 indices were created by Elasticsearch 5.x; a 7.10 destination restores only 6.x and 7.x indices", "source", ix, "indices", 5,
			policies.Evidence{Fact: "clusters.source.indices[].created_version", Value: "5.6.16", Source: "GET /_all/_settings on the source"},
			policies.Evidence{Fact: "clusters.destination.version", Value: json.Number("7")}))
	}
	for _, ix := range []string{".kibana_1", ".security-7"} {
		f := newFinding(sys, "the index patterns select 2 system index(es) on the source (names starting with \".\"): .kibana_1, .security-7", "source", ix, "indices", 5,
			policies.Evidence{Fact: "plan.indices", Value: []any{"*", "-.monitoring-*"}, Source: planFile + " line 5"})
		f.Waived = &policies.Waiver{Reason: "Kibana objects are migrated with the indices on purpose; the destination has no Kibana yet.", Expires: "2026-12-31", Ticket: "CHG-1234", ApprovedBy: "jane.doe", Line: 40}
		fs = append(fs, f)
	}
	u := newFinding(ver, "could not verify: the destination's version is unknown (GET / on the destination: connection refused)", "destination", "", "destination.endpoint", 18,
		policies.Evidence{Fact: "clusters.destination.version", Value: nil, Source: "unknown: connection refused"})
	u.Unverified = true
	fs = append(fs, u)
	return &policies.Result{
		ToolVersion: "v0.4.0", PlanFile: planFile, PlanName: "orders-to-alibaba", EvaluatedAt: evalTime, FactsCollectedAt: collectTime,
		Rules: rules, Method: fixtureMethod, Findings: fs, Summary: summarize(rules, fs),
		Notices: []string{planFile + ":44: waiver for PLUG-001 matches no finding (stale); remove it"},
	}
}

func fixtureFacts() *probe.Facts {
	yes := true
	src := &probe.ClusterFacts{
		Endpoint: "https://10.0.0.5:9200", Reachable: &yes, Product: "elasticsearch",
		Version:     &probe.Version{Number: "5.6.16", Major: 5, Minor: 6, Patch: 16},
		ClusterName: "orders-prod", ClusterUUID: "Xq3pXHnNTy2Nf1cZ1QyK3g", Health: "green",
		Sources: map[string]string{"version": "GET / on the source", "indices": "GET /_cat/indices on the source", "nodes": "GET /_nodes/plugins on the source"},
		Unknown: []probe.Unknown{},
	}
	for i, ix := range []string{"logs-2017.01", "logs-2017.02", "logs-2017.03", "metrics-2016", "orders-2015", ".kibana_1", ".security-7"} {
		src.Indices = append(src.Indices, probe.Index{Name: ix, Status: "open", DocsCount: int64(1000 * (i + 1)), StoreBytes: int64(2<<20) * int64(i+1), PrimaryStoreBytes: int64(1<<20) * int64(i+1)})
	}
	dst := &probe.ClusterFacts{
		Endpoint: "https://es-cn-abc.elasticsearch.aliyuncs.com:9200", Product: "elasticsearch",
		Sources: map[string]string{"version": "plan line 19"},
		Unknown: []probe.Unknown{{Fact: "version", Endpoint: "GET /", Error: "connection refused"}},
	}
	return &probe.Facts{
		Schema: probe.FactsSchema, CollectedAt: collectTime, Tool: probe.ToolInfo{Version: "v0.4.0"},
		Plan: &probe.Plan{Version: 1, Name: "orders-to-alibaba", Method: "reindex", Mode: "incremental", Indices: []string{"*", "-.monitoring-*"},
			Source:      &probe.ClusterSpec{Kind: "self-managed", Endpoint: src.Endpoint, Region: "cn-hangzhou"},
			Destination: &probe.ClusterSpec{Kind: "alibaba", Endpoint: dst.Endpoint, Region: "cn-hangzhou", Created: "2021-03-02"},
			File:        planFile, Lines: map[string]int{"indices": 5}, VolumeBytes: -1},
		Clusters: probe.Clusters{Source: src, Destination: dst},
	}
}

// customResult is a result with a user-policy rule (Custom) that fires.
func customResult() *policies.Result {
	rules := append(fixtureRules(), policies.Rule{ID: "TEAM-001", Severity: "error", Title: "Orders indices must not be migrated in business hours",
		Description: "Team policy: the orders cluster is frozen for migrations during business hours.", Remediation: "Schedule the migration for the weekend window.",
		HelpURI: "https://wiki.example.com/migrations/freeze", Package: "espreflight.custom.team", File: "policies/team.rego", Line: 7, Custom: true})
	r := rules[len(rules)-1]
	fs := []policies.Finding{newFinding(r, "plan selects orders indices (orders-*) during the freeze", "source", "", "indices[0]", 5,
		policies.Evidence{Fact: "plan.indices[0]", Value: "orders-*", Source: planFile + " line 5"})}
	return &policies.Result{ToolVersion: "v0.4.0", PlanFile: planFile, PlanName: "orders-to-alibaba", EvaluatedAt: evalTime,
		Rules: rules, Method: fixtureMethod, Findings: fs, Summary: summarize(rules, fs)}
}

// largeResult has n per-index findings of one rule, plus one other finding.
func largeResult(n int) *policies.Result {
	rules := fixtureRules()
	snap := ruleByID(rules, "SNAP-002")
	fs := make([]policies.Finding, 0, n+1)
	msg := fmt.Sprintf("%d indices were created by Elasticsearch 5.x; a 7.10 destination restores only 6.x and 7.x indices", n)
	for i := 0; i < n; i++ {
		fs = append(fs, newFinding(snap, msg, "source", fmt.Sprintf("logs-%06d", i), "indices", 5,
			policies.Evidence{Fact: "clusters.source.indices[].created_version", Value: "5.6.16", Source: "GET /_all/_settings on the source"}))
	}
	arch := ruleByID(rules, "ARCH-001")
	fs = append(fs, newFinding(arch, "the source uses the original network architecture and the destination the new one", "destination", "", "source.created", 12))
	return &policies.Result{ToolVersion: "v0.4.0", PlanFile: planFile, PlanName: "logs-archive", EvaluatedAt: evalTime,
		Rules: rules, Method: fixtureMethod, Findings: fs, Summary: summarize(rules, fs)}
}
