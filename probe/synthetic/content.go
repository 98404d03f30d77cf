package synthetic

import (
	"math/rand"
	"sort"
	"strings"

	"github.com/espreflight/espreflight/probe"
)

// modules are the modules of every generated node.
var modules = []string{"analysis-common", "ingest-common", "lang-mustache", "lang-painless", "mapper-extras", "parent-join", "percolator", "reindex", "repository-url"}

// fieldTypes are the field types of the generated mappings, by app.
var fieldTypes = [][]string{
	{"date", "integer", "ip", "keyword", "long", "object", "text"},
	{"date", "double", "keyword", "long", "nested", "object", "scaled_float"},
	{"boolean", "date", "keyword", "long", "object", "text"},
}

// content fills the facts about what is inside the indices and the cluster
// state, the way the probe would give them: the grouped facts list every
// index in exactly one group, with the groups' names sorted and the groups
// ordered by their first name.
func content(r *rand.Rand, s spec, c *probe.ClusterFacts) {
	settings := probe.Grouper[probe.IndexSettingsGroup]{}
	mappings := probe.Grouper[probe.MappingGroup]{}
	analysis := probe.Grouper[probe.AnalysisGroup]{}
	streams := map[string]int{}
	latest := map[string]string{} // app → its last index: the write index of its alias
	for i := range c.Indices {
		ix := &c.Indices[i]
		app := appOf(ix.Name, s.prefix)
		a := appIndex(app)
		settings.Add(ix.Name, indexSettings(ix, app, a))
		mappings.Add(ix.Name, mapping(s, ix, a))
		analysis.Add(ix.Name, analysisOf(s, a))
		if ix.DataStream != "" {
			streams[ix.DataStream]++
		}
		if app != "" && ix.DataStream == "" && ix.Status == "open" {
			latest[app] = ix.Name
		}
	}
	c.IndexSettings = settings.Groups(func(g *probe.IndexSettingsGroup, n []string) { g.Indices = n })
	c.Mappings = mappings.Groups(func(g *probe.MappingGroup, n []string) { g.Indices = n })
	c.Analysis = analysis.Groups(func(g *probe.AnalysisGroup, n []string) { g.Indices = n })

	c.DataStreams = []probe.DataStream{}
	for _, name := range sortedKeys(streams) {
		c.DataStreams = append(c.DataStreams, probe.DataStream{Name: name, Template: s.prefix, LifecyclePolicy: s.prefix + "-30d", Indices: streams[name]})
	}
	c.Aliases = []probe.Alias{}
	yes := true
	for _, app := range sortedKeys(latest) {
		c.Aliases = append(c.Aliases, probe.Alias{Name: s.prefix + "-" + app, Index: latest[app], IsWriteIndex: &yes})
	}

	c.Templates = &probe.Templates{Legacy: []probe.LegacyTemplate{}, Composable: []probe.ComposableTemplate{}, Component: []probe.ComponentTemplate{}}
	c.Pipelines = []probe.Pipeline{}
	for i, app := range apps {
		pipeline := s.prefix + "-" + app
		if s.shape == Worst && s.role == probe.RoleDestination && i%2 == 0 {
			pipeline = "" // the destination lacks half of the source's pipelines
		}
		if pipeline != "" {
			c.Pipelines = append(c.Pipelines, probe.Pipeline{Name: pipeline, Processors: []string{"date", "grok", "remove", "rename"}})
		}
		refs := probe.TemplateRefs{DefaultPipeline: pipeline, LifecyclePolicy: s.prefix + "-30d"}
		if s.legacy {
			c.Templates.Legacy = append(c.Templates.Legacy, probe.LegacyTemplate{Name: s.prefix + "-" + app, IndexPatterns: []string{s.prefix + "-" + app + "-*"}, TemplateRefs: refs})
			continue
		}
		c.Templates.Composable = append(c.Templates.Composable, probe.ComposableTemplate{Name: s.prefix + "-" + app, IndexPatterns: []string{s.prefix + "-" + app + "-*"},
			Priority: 200, ComposedOf: []string{s.prefix + "-mappings", s.prefix + "-settings"}, DataStream: s.modern, TemplateRefs: refs})
	}
	if !s.legacy {
		c.Templates.Component = []probe.ComponentTemplate{{Name: s.prefix + "-mappings"}, {Name: s.prefix + "-settings", TemplateRefs: probe.TemplateRefs{LifecyclePolicy: s.prefix + "-30d"}}}
	}
	c.LifecyclePolicies = []probe.LifecyclePolicy{
		{Name: s.prefix + "-30d", Kind: "ilm", Actions: []string{"delete", "forcemerge", "rollover"}, Repositories: []string{}, IndexPatterns: []string{}},
		{Name: s.prefix + "-archive", Kind: "ilm", Actions: []string{"delete", "searchable_snapshot"}, Repositories: []string{"migration"}, IndexPatterns: []string{}},
	}
	c.StoredScripts = []probe.StoredScript{}
	if s.shape == Typical || s.role == probe.RoleSource {
		c.StoredScripts = append(c.StoredScripts, probe.StoredScript{ID: "search-by-app", Lang: "mustache"}, probe.StoredScript{ID: "score-recency", Lang: "painless"})
	}
	c.Capacity = capacity(r, s, c)
	c.Deprecations = deprecations(s, c)
}

func appOf(name, prefix string) string {
	rest, ok := strings.CutPrefix(name, prefix+"-")
	if !ok {
		rest, ok = strings.CutPrefix(name, ".ds-"+prefix+"-")
	}
	if !ok {
		return ""
	}
	for _, a := range apps {
		if strings.HasPrefix(rest, a+"-") {
			return a
		}
	}
	return ""
}

// appIndex is the position of app in apps, len(apps) for the system indices.
func appIndex(app string) int {
	for i, a := range apps {
		if a == app {
			return i
		}
	}
	return len(apps)
}

func indexSettings(ix *probe.Index, app string, a int) probe.IndexSettingsGroup {
	g := probe.IndexSettingsGroup{Blocks: []string{}, Allocation: []probe.AllocationFilter{}}
	if app == "" {
		return g // system indices: nothing set
	}
	if a%3 == 0 {
		limit := int64(2000)
		g.TotalFieldsLimit = &limit
	}
	if ix.CreatedMajor >= 7 || ix.CreatedProduct == "opensearch" {
		yes := true
		g.SoftDeletes = &yes
	}
	if ix.Status == "open" && a%4 == 1 {
		g.Allocation = []probe.AllocationFilter{{Rule: "require", Attribute: "box_type", Values: []string{"hot"}}}
	}
	if a%5 == 2 {
		g.Blocks = []string{"write"}
	}
	g.DefaultPipeline = strings.SplitN(ix.Name, "-", 2)[0] + "-" + app
	g.LifecyclePolicy = strings.SplitN(ix.Name, "-", 2)[0] + "-30d"
	if strings.HasPrefix(ix.Name, ".ds-") {
		g.DefaultPipeline, g.LifecyclePolicy = "", ""
	}
	return g
}

func mapping(s spec, ix *probe.Index, a int) probe.MappingGroup {
	g := probe.MappingGroup{Types: []string{"_doc"}, Source: "enabled", FieldCount: 40 + 17*a, FieldTypes: fieldTypes[a%len(fieldTypes)]}
	switch {
	case ix.CreatedProduct == "opensearch" || ix.CreatedMajor >= 7:
	case ix.CreatedMajor == 6:
		g.Types = []string{"doc"}
	case ix.CreatedMajor == 5:
		g.Types, g.AllField = []string{"log"}, "enabled"
		if s.multiType {
			g.Types = []string{"event", "log"}
		}
	default: // created version unknown
		g.Types = []string{"doc"}
	}
	if s.shape == Worst && a%4 == 3 {
		g.FieldCount = 1200 // over the default limit of a new index
	}
	if a == 1 {
		g.Source = "filtered"
	}
	return g
}

func analysisOf(s spec, a int) probe.AnalysisGroup {
	g := probe.AnalysisGroup{Components: []probe.AnalysisComponent{}, Files: []string{}, SynonymSets: []string{}}
	if a == len(apps) {
		return g
	}
	g.Components = []probe.AnalysisComponent{
		{Kind: "analyzer", Name: "custom", Provider: "core"},
		{Kind: "filter", Name: "lowercase", Provider: "core"},
		{Kind: "char_filter", Name: "html_strip", Provider: "analysis-common"},
		{Kind: "tokenizer", Name: "standard", Provider: "core"},
	}
	if s.ikAnalysis {
		g.Components = append(g.Components, probe.AnalysisComponent{Kind: "tokenizer", Name: "ik_max_word", Provider: "analysis-ik"})
		if a%2 == 0 {
			g.Files = []string{"analysis-ik/custom/" + apps[a] + ".dic"}
		}
	}
	return g
}

func capacity(r *rand.Rand, s spec, c *probe.ClusterFacts) *probe.Capacity {
	var shards, store int64
	for _, ix := range c.Indices {
		if ix.Status == "open" {
			shards += int64(ix.PrimaryShards * (1 + ix.Replicas))
		}
		store += ix.StoreBytes
	}
	capa := &probe.Capacity{DataNodes: []probe.DataNodeCapacity{}, Shards: shards}
	perNode := store / int64(len(c.Nodes))
	for _, n := range c.Nodes {
		total := perNode*3 + 1<<40
		if s.shape == Worst && s.role == probe.RoleDestination {
			total = perNode/4 + 1<<30 // far too small for the source's data
		}
		used := perNode/8 + r.Int63n(1<<30)
		if s.role == probe.RoleSource {
			used = perNode + r.Int63n(1<<30)
		}
		used = min(used, total)
		avail, idx := total-used, used*9/10
		capa.DataNodes = append(capa.DataNodes, probe.DataNodeCapacity{Node: n.Name, Shards: shards / int64(len(c.Nodes)),
			DiskTotalBytes: &total, DiskUsedBytes: &used, DiskAvailBytes: &avail, DiskIndicesBytes: &idx})
	}
	return capa
}

// deprecations: the source's deprecation API lists its 5.x-created indices
// (by name) and one cluster setting.
func deprecations(s spec, c *probe.ClusterFacts) []probe.Deprecation {
	out := []probe.Deprecation{}
	if s.role != probe.RoleSource {
		return out
	}
	out = append(out, probe.Deprecation{Scope: "cluster", Level: "warning", Message: "the search.max_buckets default changes",
		URL: "https://www.elastic.co/guide/en/elasticsearch/reference/7.0/breaking-changes-7.0.html", Names: []string{}})
	old := []string{}
	for _, ix := range c.Indices {
		if ix.CreatedProduct == "elasticsearch" && ix.CreatedMajor == 5 {
			old = append(old, ix.Name)
		}
	}
	sort.Strings(old)
	if len(old) > 0 {
		out = append(out, probe.Deprecation{Scope: "index", Level: "critical", Message: "Index created before 6.0",
			URL: "https://www.elastic.co/guide/en/elasticsearch/reference/7.0/breaking-changes-7.0.html", Details: "This index was created using version: 5.x", Names: old})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
