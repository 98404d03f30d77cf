// Package synthetic generates deterministic facts documents of any size for
// benchmarks and equivalence tests: a snapshot migration of every index ("*")
// between two logging clusters, with system, hidden and closed indices,
// data-stream backing indices, aliases and every content fact a probe
// collects (index settings, mappings and analysis grouped as the probe groups
// them, templates, pipelines, lifecycle policies, stored scripts, capacity,
// deprecations), so that per-index and content rules have work to do.
// It needs no network and no clock: the same shape, n and seed give the same
// facts.
//
// Two shapes: Worst (Facts), a 6.8 → 8.x migration in which every selected
// index fails a per-index rule (created by Elasticsearch 5.x–6.x, which 8.x
// cannot restore, with an analysis plugin the destination lacks), and
// Typical, a 7.17 → 8.x migration with few findings.
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
	typicalSourceMix = []created{
		{"elasticsearch", 7, 10, 2, 300},
		{"elasticsearch", 7, 17, 25, 700},
	}
	destMix = []created{
		{"elasticsearch", 7, 10, 2, 150},
		{"elasticsearch", 7, 17, 25, 250},
		{"elasticsearch", 8, 5, 3, 200},
		{"elasticsearch", 8, 15, 0, 370},
		{"opensearch", 2, 11, 0, 30},
	}
)

// Shape is the kind of migration generated.
type Shape int

const (
	// Worst: a 6.8.23 source and an 8.15.0 destination; the source's
	// indices were created by Elasticsearch 5.x–6.x (which 8.x cannot
	// restore) and a few by OpenSearch, and their analysis needs a plugin
	// the destination lacks: every selected index fails a per-index rule.
	Worst Shape = iota
	// Typical: a 7.17.25 source and an 8.15.0 destination with the same
	// plugins; indices created by 7.x, destination indices under other
	// names: few findings.
	Typical
)

// Shapes are the shapes with their names, in benchmark order.
var Shapes = []struct {
	Name  string
	Shape Shape
}{{"typical", Typical}, {"worst", Worst}}

// Facts returns a worst-shape facts document with n indices on each
// cluster, the same for the same n and seed.
func Facts(n int, seed int64) *probe.Facts { return Generate(n, seed, Worst) }

// Generate returns a facts document of the shape with n indices on each
// cluster, the same for the same shape, n and seed.
func Generate(n int, seed int64, shape Shape) *probe.Facts {
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
	src, dst := specs(shape)
	f.Clusters.Source = cluster(r, src, n)
	f.Clusters.Destination = cluster(r, dst, n)
	return f
}

// spec is what one generated cluster looks like.
type spec struct {
	shape             Shape
	role              string
	product, version  string
	endpoint          string
	mix               []created
	modern            bool   // data streams and hidden indices
	prefix            string // of its index names
	plugins           []string
	ikAnalysis        bool // the indices' analysis uses the analysis-ik plugin
	multiType, legacy bool // 5.x-created indices have two types; legacy templates
}

func specs(shape Shape) (src, dst spec) {
	src = spec{shape: shape, role: probe.RoleSource, product: "elasticsearch", version: "6.8.23", endpoint: "https://10.0.0.5:9200",
		mix: sourceMix, prefix: "logs", plugins: []string{"analysis-ik", "repository-oss"}, ikAnalysis: true, multiType: true, legacy: true}
	dst = spec{shape: shape, role: probe.RoleDestination, product: "elasticsearch", version: "8.15.0", endpoint: "https://es-cn-abc.elasticsearch.aliyuncs.com:9200",
		mix: destMix, modern: true, prefix: "logs", plugins: []string{"repository-oss"}}
	if shape == Typical {
		src.version, src.mix, src.modern, src.multiType = "7.17.25", typicalSourceMix, true, false
		src.plugins = []string{"analysis-ik", "elasticsearch-repository-oss"}
		dst.prefix, dst.plugins, dst.ikAnalysis = "metrics", []string{"analysis-ik", "elasticsearch-repository-oss"}, true
	}
	return src, dst
}

func cluster(r *rand.Rand, s spec, n int) *probe.ClusterFacts {
	role, product, version, endpoint, mix, modern := s.role, s.product, s.version, s.endpoint, s.mix, s.modern
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
		node.Plugins = []probe.Plugin{}
		for _, p := range s.plugins {
			node.Plugins = append(node.Plugins, probe.Plugin{Name: p, Version: version})
		}
		node.Modules = []probe.Plugin{}
		for _, m := range modules {
			node.Modules = append(node.Modules, probe.Plugin{Name: m, Version: version})
		}
		node.Attributes = map[string]string{"zone": fmt.Sprintf("zone-%c", 'a'+i%3), "box_type": []string{"hot", "warm"}[i/3]}
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
		ix := index(r, i, n, mix, total, day0, modern, s.prefix)
		c.Indices = append(c.Indices, ix)
		tot.Indices++
		tot.Docs += ix.DocsCount
		tot.StoreBytes += ix.StoreBytes
		tot.PrimaryStoreBytes += ix.PrimaryStoreBytes
	}
	c.Totals = tot
	content(r, s, c)
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
func index(r *rand.Rand, i, n int, mix []created, total int, day0 time.Time, modern bool, prefix string) probe.Index {
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
		Name:   fmt.Sprintf("%s-%s-%s-%06d", prefix, app, day.Format("2006.01.02"), i),
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
		ds := prefix + "-" + app + "-default"
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
