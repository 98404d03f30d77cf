package probe

import (
	"context"
	"net/url"
	"sort"
	"strings"
)

// The mappings collector reads every index's mappings and analysis settings
// in one request (the get index API, filtered to those two parts) and
// summarises each index as the response streams by: one index's mapping is
// in memory at a time, never the whole answer.

const mappingsEndpoint = "GET /_all"

// mappingsFilter keeps the mappings and the analysis settings of each index.
var mappingsFilter = []string{"*.mappings", "*.settings.index.analysis"}

// typedMappings: the mapping API keys mappings by type up to Elasticsearch 7
// (with include_type_name=true from 7.0) and OpenSearch 1.x; Elasticsearch
// 8.0 removed include_type_name and OpenSearch 2.0 removed types
// (https://www.elastic.co/guide/en/elasticsearch/reference/7.17/removal-of-types.html,
// https://opensearch.org/docs/latest/breaking-changes/ "Remove mapping types").
func (d *detected) typedMappings() bool {
	if d.isOpenSearch() {
		return d.Version != nil && d.Version.Major < 2
	}
	return !d.esAtLeast(8, 0)
}

// includeTypeName: Elasticsearch 7.x and OpenSearch 1.x answer typeless by
// default and typed with include_type_name=true; 6.x answers typed by
// default and rejects the parameter before 6.7
// (https://github.com/elastic/elasticsearch/pull/37149 for the get index API).
func (d *detected) includeTypeName() bool {
	if d.isOpenSearch() {
		return d.typedMappings()
	}
	return d.esAtLeast(7, 0) && !d.esAtLeast(8, 0)
}

func mappingsRequest(d *detected) request {
	q := url.Values{"expand_wildcards": {"all"}, "filter_path": {strings.Join(mappingsFilter, ",")}}
	if d.includeTypeName() {
		q.Set("include_type_name", "true")
	}
	return request{mappingsEndpoint, rawRequest{Path: "/_all", Query: q}}
}

// fieldMapping is one field of a mapping, as much as the summary reads. The
// names are plain strings (the mapping API never prints them otherwise),
// which encoding/json decodes several times faster than a custom type.
type fieldMapping struct {
	Type                string                   `json:"type"`
	Properties          map[string]*fieldMapping `json:"properties"`
	Fields              map[string]*fieldMapping `json:"fields"`
	Analyzer            string                   `json:"analyzer"`
	SearchAnalyzer      string                   `json:"search_analyzer"`
	SearchQuoteAnalyzer string                   `json:"search_quote_analyzer"`
	Normalizer          string                   `json:"normalizer"`
}

// mappingBody is the mapping of one type (or a typeless mapping).
type mappingBody struct {
	Properties map[string]*fieldMapping `json:"properties"`
	Source     *struct {
		Enabled  flexString `json:"enabled"`
		Includes flexList   `json:"includes"`
		Excludes flexList   `json:"excludes"`
		Mode     flexString `json:"mode"`
	} `json:"_source"`
	All *struct {
		Enabled flexString `json:"enabled"`
	} `json:"_all"`
	Parent *struct {
		Type flexString `json:"type"`
	} `json:"_parent"`
	Routing *struct {
		Required flexString `json:"required"`
	} `json:"_routing"`
	DynamicTemplates []map[string]struct {
		Mapping *fieldMapping `json:"mapping"`
	} `json:"dynamic_templates"`
	Runtime map[string]struct {
		Type string `json:"type"`
	} `json:"runtime"`
}

// compRef is an analysis component referenced by name.
type compRef struct{ kind, name string }

// mappingSummer accumulates the summary of one index over its types.
type mappingSummer struct {
	sum   MappingGroup
	paths map[string]bool
	types map[string]bool
	refs  []compRef
}

func newMappingSummer() *mappingSummer {
	return &mappingSummer{sum: MappingGroup{Types: []string{}, Source: "enabled"}, paths: map[string]bool{}, types: map[string]bool{}}
}

var sourceRank = map[string]int{"disabled": 3, "filtered": 2, "synthetic": 1, "enabled": 0}

// addType adds the mapping of one type (name "" for a typeless mapping).
func (m *mappingSummer) addType(name string, b *mappingBody) {
	if name == "_default_" {
		m.sum.DefaultMapping = true
		return
	}
	m.sum.Types = append(m.sum.Types, name)
	m.walk("", b.Properties)
	for rname, rf := range b.Runtime {
		m.field("runtime:"+rname, rf.Type)
	}
	for _, dt := range b.DynamicTemplates {
		for _, t := range dt {
			if t.Mapping != nil {
				if ty := t.Mapping.Type; ty != "" && !strings.Contains(ty, "{") {
					m.types[ty] = true
				}
				m.refsOf(t.Mapping)
			}
		}
	}
	if s := b.Source; s != nil {
		src := "enabled"
		switch {
		case s.Enabled == "false":
			src = "disabled"
		case len(s.Includes) > 0 || len(s.Excludes) > 0:
			src = "filtered"
		case s.Mode == "synthetic":
			src = "synthetic"
		}
		if sourceRank[src] > sourceRank[m.sum.Source] {
			m.sum.Source = src
		}
	}
	if b.All != nil && b.All.Enabled != "" && m.sum.AllField != "enabled" {
		m.sum.AllField = map[bool]string{true: "enabled", false: "disabled"}[b.All.Enabled == "true"]
	}
	if b.Parent != nil && b.Parent.Type != "" {
		m.sum.Parent = true
	}
	if b.Routing != nil && b.Routing.Required == "true" {
		m.sum.RoutingRequired = true
	}
}

func (m *mappingSummer) walk(prefix string, props map[string]*fieldMapping) {
	for name, f := range props {
		if f == nil {
			continue
		}
		path := prefix + name
		ty := f.Type
		if ty == "" {
			ty = "object"
		}
		m.field(path, ty)
		m.refsOf(f)
		for sub, mf := range f.Fields {
			if mf != nil {
				m.field(path+"."+sub, orDefault(mf.Type, "object"))
				m.refsOf(mf)
			}
		}
		m.walk(path+".", f.Properties)
	}
}

func (m *mappingSummer) field(path, ty string) {
	if !m.paths[path] {
		m.paths[path] = true
		m.sum.FieldCount++
	}
	if ty != "" {
		m.types[ty] = true
	}
}

func (m *mappingSummer) refsOf(f *fieldMapping) {
	for _, a := range []string{f.Analyzer, f.SearchAnalyzer, f.SearchQuoteAnalyzer} {
		if a != "" {
			m.refs = append(m.refs, compRef{"analyzer", a})
		}
	}
	if f.Normalizer != "" {
		m.refs = append(m.refs, compRef{"normalizer", f.Normalizer})
	}
}

func (m *mappingSummer) summary() MappingGroup {
	s := m.sum
	s.FieldTypes = sortedSet(m.types)
	s.Types = append([]string{}, s.Types...)
	sort.Strings(s.Types)
	return s
}

// indexAnalysis is settings.index.analysis of one index: kind (analyzer,
// tokenizer, filter, char_filter, normalizer) -> name -> definition.
type indexAnalysis map[string]map[string]map[string]any

// analysisSummary resolves what the index needs from its analysis
// definitions and the names its mapping references.
func analysisSummary(defs indexAnalysis, refs []compRef) AnalysisGroup {
	comps := map[AnalysisComponent]bool{}
	files, sets := map[string]bool{}, map[string]bool{}
	ref := func(kind, name string) {
		name = strings.TrimSpace(name)
		if name == "" {
			return
		}
		if _, defined := defs[kind][name]; defined {
			return // its definition is added below
		}
		comps[AnalysisComponent{Kind: kind, Name: name, Provider: analysisProvider(kind, name)}] = true
	}
	for kind, byName := range defs {
		for _, def := range byName {
			ty := settingString(def["type"])
			if ty == "" && (kind == "analyzer" || kind == "normalizer") {
				ty = "custom"
			}
			if ty != "" {
				comps[AnalysisComponent{Kind: kind, Name: ty, Provider: analysisProvider(kind, ty)}] = true
			}
			for key, v := range def {
				switch {
				case key == "tokenizer":
					ref("tokenizer", settingString(v))
				case key == "filter" || key == "filters": // custom analyzers, condition, multiplexer
					for _, f := range settingList(v) {
						ref("filter", f)
					}
				case key == "char_filter":
					for _, f := range settingList(v) {
						ref("char_filter", f)
					}
				case key == "synonyms_set":
					sets[settingString(v)] = true
				case strings.HasSuffix(key, "_path") || key == "user_dictionary":
					files[settingString(v)] = true
				}
			}
			if kind == "filter" && ty == "hunspell" {
				for _, k := range []string{"locale", "language", "lang"} {
					if l := settingString(def[k]); l != "" {
						files["hunspell/"+l] = true
					}
				}
			}
		}
	}
	for _, r := range refs {
		ref(r.kind, r.name)
	}
	out := AnalysisGroup{Components: make([]AnalysisComponent, 0, len(comps)), Files: sortedSet(files), SynonymSets: sortedSet(sets)}
	for c := range comps {
		out.Components = append(out.Components, c)
	}
	sortComponents(out.Components)
	return out
}

func sortComponents(cs []AnalysisComponent) {
	less := func(a, b AnalysisComponent) bool {
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Name < b.Name
	}
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && less(cs[j], cs[j-1]); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

// decodeIndexContents streams a GET /_all body (mappings and analysis
// settings per index) into the mapping and analysis groups.
func decodeIndexContents(dec *decoder, typed bool) (mappings []MappingGroup, analysis []AnalysisGroup, err error) {
	var mg Grouper[MappingGroup]
	var ag Grouper[AnalysisGroup]
	err = streamObject(dec, func(index string) error {
		ms := newMappingSummer()
		var defs indexAnalysis
		err := streamObject(dec, func(key string) error {
			switch key {
			case "mappings":
				if !typed {
					var b mappingBody
					if err := dec.Decode(&b); err != nil {
						return err
					}
					if b.Properties != nil || b.Source != nil || b.Runtime != nil || b.DynamicTemplates != nil {
						ms.addType("_doc", &b)
					}
					return nil
				}
				return streamObject(dec, func(typ string) error {
					var b mappingBody
					if err := dec.Decode(&b); err != nil {
						return err
					}
					ms.addType(typ, &b)
					return nil
				})
			case "settings":
				var s struct {
					Index struct {
						Analysis indexAnalysis `json:"analysis"`
					} `json:"index"`
				}
				if err := dec.Decode(&s); err != nil {
					return err
				}
				defs = s.Index.Analysis
				return nil
			}
			return skipValue(dec)
		})
		if err != nil {
			return err
		}
		mg.Add(index, ms.summary())
		ag.Add(index, analysisSummary(defs, ms.refs))
		// The name in both groups; a group's summary is shared.
		return dec.keepStrings(128, index, index)
	})
	mappings = mg.Groups(func(g *MappingGroup, names []string) { g.Indices = names })
	analysis = ag.Groups(func(g *AnalysisGroup, names []string) { g.Indices = names })
	return mappings, analysis, err
}

func collectMappings(ctx context.Context, p *clusterProbe) {
	var (
		mappings []MappingGroup
		analysis []AnalysisGroup
	)
	fe := p.c.get(ctx, mappingsRequest(p.d), func(dec *decoder) (err error) {
		mappings, analysis, err = decodeIndexContents(dec, p.d.typedMappings())
		return err
	})
	if fe != nil {
		p.fail("mappings", fe)
		p.fail("analysis", fe)
		return
	}
	p.cf.Mappings, p.cf.Analysis = mappings, analysis
	src := mappingsEndpoint + p.on()
	if !p.d.typedMappings() {
		src += " (typeless: a custom type name is not shown)"
	}
	p.source("mappings", src)
	p.source("analysis", mappingsEndpoint+p.on())
}
