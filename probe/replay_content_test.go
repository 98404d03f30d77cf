package probe

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// TestReplayContent replays every recording and checks the content facts
// against what testdata/nodes/seed-content.sh created on that node, per
// version: the mapping types (5.x multi-type, 6.x and 7.x custom names,
// typeless 8+ and OpenSearch 2+), _source, the analysis components with
// their providers (analysis-common where the node has the module), the index
// settings, templates, pipelines, stored scripts, capacity and data streams.
func TestReplayContent(t *testing.T) {
	for _, dir := range recordingDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			m := loadManifest(t, dir)
			srv, _ := newReplayServer(t, m.Exchanges)
			f, err := Probe(context.Background(), planFor(srv.URL), testOptions())
			if err != nil {
				t.Fatal(err)
			}
			c := f.Clusters.Source
			if c.Version == nil || len(c.Nodes) == 0 {
				t.Fatalf("no version or nodes: %+v", c.Unknown)
			}
			v, os := c.Version, c.Product == "opensearch"
			es := func(major, minor int) bool { return !os && (v.Major > major || v.Major == major && v.Minor >= minor) }
			modules := map[string]bool{}
			for _, mod := range c.Nodes[0].Modules {
				modules[mod.Name] = true
			}
			if c.Nodes[0].Attributes == nil {
				t.Errorf("node attributes are nil")
			}
			common := modules["analysis-common"] || v.Major == 5 && !os // 5.x has these in the server

			mapping := func(index string) MappingGroup {
				for _, g := range c.Mappings {
					if slices.Contains(g.Indices, index) {
						return g
					}
				}
				t.Errorf("%s is in no mapping group", index)
				return MappingGroup{}
			}
			typed := !os && v.Major <= 7 || os && v.Major == 1
			defaultType := "_doc"
			if v.Major == 5 && !os {
				defaultType = "doc"
			}
			if g := mapping("orders-2024"); !reflect.DeepEqual(g.Types, []string{defaultType}) || g.FieldCount != 7 || g.Source != "enabled" {
				t.Errorf("orders-2024 mapping = %+v", g)
			}
			if g := mapping("content-nosource"); g.Source != "disabled" {
				t.Errorf("content-nosource source = %q", g.Source)
			}
			if g := mapping("content-analysis"); g.Source != "filtered" || g.FieldCount != 5 || !reflect.DeepEqual(g.FieldTypes, []string{"keyword", "object", "text"}) {
				t.Errorf("content-analysis mapping = %+v", g)
			}
			switch {
			case v.Major == 5 && !os:
				if g := mapping("content-multitype"); !reflect.DeepEqual(g.Types, []string{"tweet", "user"}) || !g.Parent || g.AllField != "enabled" || g.FieldCount != 3 {
					t.Errorf("content-multitype mapping = %+v", g)
				}
			case typed:
				if g := mapping("content-customtype"); !reflect.DeepEqual(g.Types, []string{"doc"}) {
					t.Errorf("content-customtype types = %v, want the custom name doc", g.Types)
				}
			}
			nm := inGroups(c.Mappings, func(g MappingGroup) []string { return g.Indices })
			na := inGroups(c.Analysis, func(g AnalysisGroup) []string { return g.Indices })
			ns := inGroups(c.IndexSettings, func(g IndexSettingsGroup) []string { return g.Indices })
			if len(c.Indices) != nm || len(c.Indices) != na || len(c.Indices) != ns {
				t.Errorf("%d indices, but %d in mapping groups, %d in analysis groups, %d in settings groups", len(c.Indices), nm, na, ns)
			}

			var ana *AnalysisGroup
			for i := range c.Analysis {
				if slices.Contains(c.Analysis[i].Indices, "content-analysis") {
					ana = &c.Analysis[i]
				}
			}
			if ana == nil {
				t.Fatalf("content-analysis is in no analysis group")
			}
			has := func(kind, name, provider string) bool {
				return slices.Contains(ana.Components, AnalysisComponent{Kind: kind, Name: name, Provider: provider})
			}
			if common {
				if !has("tokenizer", "edge_ngram", "analysis-common") || !has("char_filter", "html_strip", "analysis-common") || !has("filter", "synonym", "analysis-common") ||
					!has("analyzer", "whitespace", "core") || !reflect.DeepEqual(ana.Files, []string{"analysis/synonyms.txt"}) {
					t.Errorf("content-analysis analysis = %+v", ana)
				}
			} else if !has("tokenizer", "standard", "core") || !has("filter", "stop", "core") || len(ana.Files) != 0 {
				t.Errorf("content-analysis analysis (no analysis-common) = %+v", ana)
			}

			var set, nosrc IndexSettingsGroup
			for _, g := range c.IndexSettings {
				if slices.Contains(g.Indices, "content-analysis") {
					set = g
				}
				if slices.Contains(g.Indices, "content-nosource") {
					nosrc = g
				}
			}
			// Elasticsearch 8 adds include._tier_preference to every new index.
			alloc := slices.DeleteFunc(slices.Clone(set.Allocation), func(a AllocationFilter) bool { return a.Attribute == "_tier_preference" && !os && v.Major >= 8 })
			if set.TotalFieldsLimit == nil || *set.TotalFieldsLimit != 2000 ||
				!reflect.DeepEqual(alloc, []AllocationFilter{{Rule: "exclude", Attribute: "zone", Values: []string{"nowhere"}}}) {
				t.Errorf("content-analysis settings = %+v", set)
			}
			if wantPipe := os || es(6, 5); wantPipe != (set.DefaultPipeline == "content-pipeline") {
				t.Errorf("content-analysis default_pipeline = %q", set.DefaultPipeline)
			}
			if !reflect.DeepEqual(nosrc.Blocks, []string{"write"}) {
				t.Errorf("content-nosource blocks = %v", nosrc.Blocks)
			}

			if c.Templates == nil || !slices.ContainsFunc(c.Templates.Legacy, func(l LegacyTemplate) bool {
				return l.Name == "content-legacy" && reflect.DeepEqual(l.IndexPatterns, []string{"content-legacy-*"}) && l.Order == 3
			}) {
				t.Errorf("templates lack content-legacy: %+v", c.Templates)
			} else if composable := os || es(7, 8); composable != slices.ContainsFunc(c.Templates.Composable, func(ct ComposableTemplate) bool {
				return ct.Name == "content-composable" && reflect.DeepEqual(ct.ComposedOf, []string{"content-component"}) && ct.Priority == 50
			}) || composable != slices.ContainsFunc(c.Templates.Component, func(ct ComponentTemplate) bool {
				return ct.Name == "content-component" && ct.FinalPipeline == "content-pipeline"
			}) {
				t.Errorf("composable/component templates = %+v / %+v", c.Templates.Composable, c.Templates.Component)
			}
			if want := !(v.Major == 5 && !os); want != slices.ContainsFunc(c.Pipelines, func(p Pipeline) bool { return p.Name == "content-pipeline" }) {
				t.Errorf("pipelines = %+v", c.Pipelines)
			}
			if want := modules["lang-mustache"]; want != slices.Contains(c.StoredScripts, StoredScript{ID: "content-search", Lang: "mustache"}) {
				t.Errorf("stored scripts = %+v (lang-mustache module: %v)", c.StoredScripts, want)
			}
			if c.LifecyclePolicies == nil || len(c.LifecyclePolicies) != 0 {
				t.Errorf("lifecycle policies = %+v, want none (no test node has ILM or ISM)", c.LifecyclePolicies)
			}
			if cp := c.Capacity; cp == nil || len(cp.DataNodes) != 1 || cp.DataNodes[0].Shards == 0 || cp.Shards < cp.DataNodes[0].Shards {
				t.Errorf("capacity = %+v", cp)
			} else if d := cp.DataNodes[0]; d.DiskTotalBytes == nil || *d.DiskTotalBytes <= 0 || d.DiskAvailBytes == nil || *d.DiskAvailBytes > *d.DiskTotalBytes {
				t.Errorf("data node disk = %+v", d)
			}
			wantDS := []DataStream{}
			if os {
				wantDS = []DataStream{{Name: "events-app", Template: "events-template", Indices: 1}}
			}
			if !reflect.DeepEqual(c.DataStreams, wantDS) {
				t.Errorf("data streams = %+v, want %+v", c.DataStreams, wantDS)
			}
			if u := unknownFor(c, "deprecations"); u == nil {
				t.Errorf("deprecations known on a node without the deprecation info API: %+v", c.Deprecations)
			}
		})
	}
}

// inGroups counts the indices of a grouped fact.
func inGroups[T any](gs []T, indices func(T) []string) (n int) {
	for _, g := range gs {
		n += len(indices(g))
	}
	return n
}
