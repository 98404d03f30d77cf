package probe

import (
	"sort"
	"strings"
)

// Selection is what the plan's index patterns select on one cluster, grouped
// so that policies iterate over a handful of groups instead of every index.
// It is derived at evaluation time (input.selection.source), never stored in
// a facts document.
type Selection struct {
	Patterns []string `json:"patterns"`
	// Known is false when the cluster's indices are unknown; every other field is then empty.
	Known             bool  `json:"known"`
	Count             int   `json:"count"`
	Docs              int64 `json:"docs"`
	StoreBytes        int64 `json:"store_bytes"`
	PrimaryStoreBytes int64 `json:"primary_store_bytes"`
	// PrimaryShards sums the selected indices' primary shards; Shards their
	// shard copies, primary_shards × (1 + replicas): what a restore that
	// keeps the indices' settings adds to a cluster. An index whose shard
	// count is unknown (0) adds nothing.
	PrimaryShards int64 `json:"primary_shards"`
	Shards        int64 `json:"shards"`
	// Names of the selected indices, sorted.
	Names []string `json:"names"`
	// DotPrefixed are selected names starting with "." other than data-stream backing indices (".ds-").
	DotPrefixed []string `json:"dot_prefixed"`
	// Closed are selected indices whose status is "close".
	Closed []string `json:"closed"`
	// DataStreams are the data streams with a selected backing index, sorted.
	DataStreams []string `json:"data_streams"`
	// ByCreated groups the selected indices by the product and version that created them.
	ByCreated []CreatedGroup `json:"by_created"`
}

// CreatedGroup is a set of indices created by the same product version.
type CreatedGroup struct {
	Product string `json:"product"`
	// Version is Index.CreatedVersion; "" for indices whose created version is unknown.
	Version string   `json:"version"`
	Major   int      `json:"major"`
	Minor   int      `json:"minor"`
	Count   int      `json:"count"`
	Indices []string `json:"indices"`
}

// Derive computes what the plan's index patterns select, keyed by role. The
// patterns name the source's indices, so only the source is selected: applying
// them to the other clusters would mean nothing, and at 100 000 indices each
// extra selection is a 100 000-name list handed to the policies for nothing.
func Derive(f *Facts) map[string]*Selection {
	out := map[string]*Selection{}
	if c := f.Clusters.Source; c != nil {
		var patterns []string
		if f.Plan != nil {
			patterns = f.Plan.Indices
		}
		out[RoleSource] = Select(c.Indices, patterns)
	}
	return out
}

// Select applies index patterns to indices. A nil indices slice means the
// indices are unknown.
func Select(indices []Index, patterns []string) *Selection {
	s := &Selection{Patterns: patterns, Names: []string{}, DotPrefixed: []string{}, Closed: []string{}, DataStreams: []string{}, ByCreated: []CreatedGroup{}}
	if patterns == nil {
		s.Patterns = []string{}
	}
	if indices == nil {
		return s
	}
	s.Known = true
	m := NewMatcher(patterns)
	groups := map[[2]string]*CreatedGroup{}
	streams := map[string]bool{}
	for i := range indices {
		ix := &indices[i]
		if !m.MatchIndex(ix.Name, ix.DataStream) {
			continue
		}
		s.Count++
		s.Docs += ix.DocsCount
		s.StoreBytes += ix.StoreBytes
		s.PrimaryStoreBytes += ix.PrimaryStoreBytes
		s.PrimaryShards += int64(ix.PrimaryShards)
		s.Shards += int64(ix.PrimaryShards) * int64(1+ix.Replicas)
		s.Names = append(s.Names, ix.Name)
		if strings.HasPrefix(ix.Name, ".") && !strings.HasPrefix(ix.Name, ".ds-") {
			s.DotPrefixed = append(s.DotPrefixed, ix.Name)
		}
		if ix.Status == "close" {
			s.Closed = append(s.Closed, ix.Name)
		}
		if ix.DataStream != "" && !streams[ix.DataStream] {
			streams[ix.DataStream] = true
			s.DataStreams = append(s.DataStreams, ix.DataStream)
		}
		key := [2]string{ix.CreatedProduct, ix.CreatedVersion}
		g := groups[key]
		if g == nil {
			g = &CreatedGroup{Product: ix.CreatedProduct, Version: ix.CreatedVersion, Major: ix.CreatedMajor, Minor: ix.CreatedMinor}
			if ix.CreatedVersion == "" {
				g.Major, g.Minor = -1, -1
			}
			groups[key] = g
		}
		g.Count++
		g.Indices = append(g.Indices, ix.Name)
	}
	sort.Strings(s.Names)
	sort.Strings(s.DotPrefixed)
	sort.Strings(s.Closed)
	sort.Strings(s.DataStreams)
	for _, g := range groups {
		sort.Strings(g.Indices)
		s.ByCreated = append(s.ByCreated, *g)
	}
	sort.Slice(s.ByCreated, func(i, j int) bool {
		a, b := s.ByCreated[i], s.ByCreated[j]
		if a.Product != b.Product {
			return a.Product < b.Product
		}
		return a.Version < b.Version
	})
	return s
}

// Matcher applies Elasticsearch-style index patterns in order: a pattern adds
// the names it matches, a pattern starting with "-" removes them again;
// "*" matches any run of characters, and "_all" matches everything.
//
// A pattern that matches a data stream's name selects (or removes) every
// backing index of the stream, as Elasticsearch and OpenSearch resolve
// index expressions: a wildcard expands to the indices, aliases and data
// streams it matches, and a data stream to its backing indices
// (IndexNameExpressionResolver). So ["logs-*"] selects
// .ds-logs-app-2026.01.01-000001 of the data stream logs-app, although the
// backing index's own name does not match. A backing index is also matched
// by its own name. Wildcards match hidden and closed indices too: the
// snapshot API, the migration's default, resolves its indices with
// IndicesOptions.strictExpandHidden (open, closed and hidden), and a plan's
// patterns say what is to be migrated.
type Matcher struct {
	pats []pattern
}

type pattern struct {
	exclude bool
	glob    string
}

// NewMatcher compiles index patterns.
func NewMatcher(patterns []string) *Matcher {
	m := &Matcher{}
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		ex := false
		if strings.HasPrefix(p, "-") && len(p) > 1 {
			ex, p = true, p[1:]
		}
		if p == "_all" {
			p = "*"
		}
		m.pats = append(m.pats, pattern{exclude: ex, glob: p})
	}
	return m
}

// Match reports whether the index name is selected.
func (m *Matcher) Match(name string) bool { return m.MatchIndex(name, "") }

// MatchIndex reports whether an index is selected, given the data stream it
// backs ("" for none): a pattern applies to it when it matches the index's
// name or the data stream's.
func (m *Matcher) MatchIndex(name, dataStream string) bool {
	sel := false
	for _, p := range m.pats {
		if sel != p.exclude {
			// Including what is already in, or removing what is out, changes nothing.
			continue
		}
		if Glob(p.glob, name) || (dataStream != "" && Glob(p.glob, dataStream)) {
			sel = !p.exclude
		}
	}
	return sel
}

// Glob matches name against a pattern where "*" matches any run of characters.
func Glob(pat, name string) bool {
	if !strings.Contains(pat, "*") {
		return pat == name
	}
	parts := strings.Split(pat, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(name, part)
		if i < 0 {
			return false
		}
		name = name[i+len(part):]
	}
	return strings.HasSuffix(name, last)
}
