// Package synthetic generates deterministic facts documents of any size for
// benchmarks and equivalence tests: a 6.8 → 8.x snapshot migration of every
// index ("*") between two logging clusters, with indices created by
// Elasticsearch 5.x–8.x and by OpenSearch, system, hidden and closed indices,
// and data-stream backing indices, so that per-index rules have work to do.
// It needs no network and no clock: the same n and seed give the same facts.
package synthetic

import (
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/espreflight/espreflight/probe"
)

// planYAML is the plan of every generated facts document.
const planYAML = `version: 1
name: logs-6-to-8
description: synthetic logging cluster migration (benchmarks)
method: snapshot
mode: full
indices: ["*"]
source:
  kind: self-managed
  endpoint: https://10.0.0.5:9200
  auth: {username_env: SRC_USER, password_env: SRC_PASSWORD}
  region: cn-hangzhou
  created: 2019-05-01
destination:
  kind: alibaba
  endpoint: https://es-cn-abc.elasticsearch.aliyuncs.com:9200
  auth: {username_env: DST_USER, password_env: DST_PASSWORD}
  region: cn-hangzhou
  zone: cn-hangzhou-i
  account: "1234567890"
  vpc: vpc-abc
  created: 2023-03-01
snapshot:
  repository: {type: oss, name: migration, shared: true, bucket: es-migration, region: cn-hangzhou, owner_account: "1234567890"}
`

// collectedAt is the fixed collection time of every generated document.
var collectedAt = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

// created is one created-version bucket with its weight (per mille).
type created struct {
	product             string
	major, minor, patch int
	weight              int
}

// Source (6.8) and destination (8.x) created-version mixes. The source also
// holds a few OpenSearch-created indices (as if restored from elsewhere) so
// product rules fire; the destination holds 7.x/8.x and OpenSearch 2.x ones.
var (
	sourceMix = []created{
		{"elasticsearch", 5, 6, 16, 60},
		{"elasticsearch", 5, 2, 2, 20},
		{"elasticsearch", 6, 2, 4, 80},
		{"elasticsearch", 6, 5, 4, 120},
		{"elasticsearch", 6, 7, 1, 200},
		{"elasticsearch", 6, 8, 23, 500},
		{"opensearch", 1, 3, 19, 20},
	}
	destMix = []created{
		{"elasticsearch", 7, 10, 2, 150},
		{"elasticsearch", 7, 17, 25, 250},
		{"elasticsearch", 8, 5, 3, 200},
		{"elasticsearch", 8, 15, 0, 370},
		{"opensearch", 2, 11, 0, 30},
	}
)

// Facts returns a facts document with n indices on each cluster, the same
// for the same n and seed.
func Facts(n int, seed int64) *probe.Facts {
	plan, err := probe.ParsePlan("plan.yaml", []byte(planYAML))
	if err != nil {
		panic(fmt.Sprintf("synthetic plan: %v", err))
	}
	r := rand.New(rand.NewSource(seed))
	f := &probe.Facts{
		Schema:      probe.FactsSchema,
		CollectedAt: collectedAt,
		Tool:        probe.ToolInfo{Version: "synthetic"},
		Plan:        plan,
		Runner:      probe.Runner{Reachable: map[string]bool{probe.RoleSource: true, probe.RoleDestination: true}},
	}
	f.Clusters.Source = cluster(r, probe.RoleSource, n, "elasticsearch", "6.8.23", "https://10.0.0.5:9200", sourceMix, false)
	f.Clusters.Destination = cluster(r, probe.RoleDestination, n, "elasticsearch", "8.15.0", "https://es-cn-abc.elasticsearch.aliyuncs.com:9200", destMix, true)
	return f
}

func cluster(r *rand.Rand, role string, n int, product, version, endpoint string, mix []created, modern bool) *probe.ClusterFacts {
	v, err := probe.ParseVersion(version)
	if err != nil {
		panic(err)
	}
	v.BuildFlavor = "default"
	if v.Major >= 8 {
		v.MinimumIndexCompatibilityVersion = "7.0.0"
		v.MinimumWireCompatibilityVersion = "7.17.0"
	} else {
		v.MinimumIndexCompatibilityVersion = "5.0.0"
		v.MinimumWireCompatibilityVersion = "5.6.0"
	}
	reachable := true
	c := &probe.ClusterFacts{
		Endpoint:    endpoint,
		Reachable:   &reachable,
		Product:     product,
		Version:     v,
		ClusterName: "logs-" + role,
		ClusterUUID: fmt.Sprintf("%016x%06x", r.Uint64(), r.Intn(1<<24)),
		Health:      "green",
		Settings: map[string]any{
			"reindex.remote.whitelist":           []any{},
			"action.destructive_requires_name":   true,
			"cluster.max_shards_per_node":        float64(3000),
			"search.max_buckets":                 "65535",
			"indices.recovery.max_bytes_per_sec": "200mb",
		},
		Sources: map[string]string{},
		Unknown: []probe.Unknown{},
	}
	for i := 0; i < 6; i++ {
		node := probe.Node{Name: fmt.Sprintf("%s-node-%d", role, i), Version: version, Roles: []string{"data", "ingest"}}
		if i < 3 {
			node.Roles = []string{"master", "data", "ingest"}
		}
		node.Plugins = []probe.Plugin{{Name: "analysis-ik", Version: version}, {Name: "repository-oss", Version: version}}
		c.Nodes = append(c.Nodes, node)
	}
	c.Repositories = []probe.Repository{{Name: "migration", Type: "oss", Settings: map[string]string{"bucket": "es-migration", "endpoint": "oss-cn-hangzhou-internal.aliyuncs.com", "base_path": role}}}

	total := 0
	for _, m := range mix {
		total += m.weight
	}
	day0 := time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Indices = make([]probe.Index, 0, n)
	tot := &probe.Totals{}
	for i := 0; i < n; i++ {
		ix := index(r, i, n, mix, total, day0, modern)
		c.Indices = append(c.Indices, ix)
		tot.Indices++
		tot.Docs += ix.DocsCount
		tot.StoreBytes += ix.StoreBytes
		tot.PrimaryStoreBytes += ix.PrimaryStoreBytes
	}
	c.Totals = tot
	// Every fact a probe collects: generated ones get the source a probe of
	// this version would give, the others are unknown, as a probe that could
	// not collect them would leave them.
	for _, fact := range probe.ProbedFacts {
		if c.Has(fact) {
			c.SetSource(fact, strings.Join(probe.Endpoints(fact, product, v), " + ")+" on the "+role)
		} else {
			c.MarkUnknown(fact, "", "not generated by the synthetic facts generator")
		}
	}
	return c
}

var apps = []string{"nginx", "payments", "orders", "auth", "gateway", "search", "billing", "k8s-audit", "mysql-slow", "cdn"}

// index builds the i-th index: about 2% system/hidden, 3% closed and, on
// modern clusters, 15% data-stream backing indices.
func index(r *rand.Rand, i, n int, mix []created, total int, day0 time.Time, modern bool) probe.Index {
	w := r.Intn(total)
	m := mix[len(mix)-1]
	for _, c := range mix {
		if w < c.weight {
			m = c
			break
		}
		w -= c.weight
	}
	day := day0.AddDate(0, 0, i*3000/max(n, 1))
	app := apps[r.Intn(len(apps))]
	ix := probe.Index{
		Name:   fmt.Sprintf("logs-%s-%s-%06d", app, day.Format("2006.01.02"), i),
		Status: "open", Health: "green",
		PrimaryShards: 1 + r.Intn(5), Replicas: r.Intn(2),
	}
	switch k := r.Intn(1000); {
	case k < 20:
		ix.Name = fmt.Sprintf(".monitoring-es-%d-%s-%06d", m.major, day.Format("2006.01.02"), i)
		ix.Hidden = modern
		ix.System = false
	case k < 24:
		ix.Name = fmt.Sprintf(".kibana_%d", i)
		ix.Hidden, ix.System = modern, modern
	case k < 25:
		ix.Name = fmt.Sprintf(".security-%d-%06d", m.major, i)
		ix.Hidden, ix.System = modern, modern
	case modern && k < 175:
		ds := "logs-" + app + "-default"
		ix.DataStream = ds
		ix.Name = fmt.Sprintf(".ds-%s-%s-%06d", ds, day.Format("2006.01.02"), i)
		ix.Hidden = true
	}
	if r.Intn(100) < 3 {
		ix.Status, ix.Health = "close", ""
	} else if r.Intn(200) == 0 {
		ix.Health = "yellow"
	}
	ix.DocsCount = r.Int63n(50_000_000)
	ix.PrimaryStoreBytes = ix.DocsCount*(200+r.Int63n(400)) + 4096
	ix.StoreBytes = ix.PrimaryStoreBytes * int64(1+ix.Replicas)
	if ix.Status == "close" {
		ix.DocsCount, ix.StoreBytes, ix.PrimaryStoreBytes = 0, 0, 0
	}
	ix.CreatedProduct = m.product
	ix.CreatedMajor, ix.CreatedMinor = m.major, m.minor
	ix.CreatedVersion = fmt.Sprintf("%d.%d.%d", m.major, m.minor, m.patch)
	ix.CreatedID = int64(m.major*1_000_000 + m.minor*10_000 + m.patch*100 + 99)
	if m.product == "opensearch" {
		ix.CreatedID ^= 0x08000000
	}
	ix.CreationDate = day.Add(time.Duration(r.Intn(86400)) * time.Second).Format(time.RFC3339)
	if r.Intn(500) == 0 {
		// A few indices whose created version could not be decoded.
		ix.CreatedVersion, ix.CreatedProduct, ix.CreatedID, ix.CreatedMajor, ix.CreatedMinor = "", "", 0, 0, 0
	}
	return ix
}
