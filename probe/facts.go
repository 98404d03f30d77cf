// Package probe owns everything espreflight knows before it evaluates a rule:
// the plan file (loaded with line numbers), the facts document (the input
// contract of the policies), the cluster client and its collectors, and
// redaction. It knows nothing about Rego.
package probe

import (
	"fmt"
	"io"
	"os"
	"time"
)

// FactsSchema is the value of the "schema" key of every facts document.
const FactsSchema = "espreflight.facts/v1"

// Cluster roles, as used for keys in Facts.Clusters and in findings.
const (
	RoleSource       = "source"
	RoleDestination  = "destination"
	RoleIntermediate = "intermediate"
)

// Facts is the facts document: one JSON object holding the normalized plan,
// what was learnt about each cluster, and what the machine running espreflight
// could reach. It is what `espreflight probe -o` writes and what the policies
// read as `input` (together with the derived selection, see Derive).
type Facts struct {
	Schema      string    `json:"schema"`
	CollectedAt time.Time `json:"collected_at"`
	Tool        ToolInfo  `json:"tool"`
	Plan        *Plan     `json:"plan"`
	Clusters    Clusters  `json:"clusters"`
	Runner      Runner    `json:"runner"`
}

// ToolInfo names the espreflight build that wrote a facts document.
type ToolInfo struct {
	Version string `json:"version"`
}

// Clusters holds the facts of each cluster the plan names. A role the plan
// does not name is nil.
type Clusters struct {
	Source       *ClusterFacts `json:"source,omitempty"`
	Destination  *ClusterFacts `json:"destination,omitempty"`
	Intermediate *ClusterFacts `json:"intermediate,omitempty"`
}

// ByRole returns the facts of the cluster with the given role, or nil.
func (c *Clusters) ByRole(role string) *ClusterFacts {
	switch role {
	case RoleSource:
		return c.Source
	case RoleDestination:
		return c.Destination
	case RoleIntermediate:
		return c.Intermediate
	}
	return nil
}

// Set stores the facts of the cluster with the given role.
func (c *Clusters) Set(role string, f *ClusterFacts) {
	switch role {
	case RoleSource:
		c.Source = f
	case RoleDestination:
		c.Destination = f
	case RoleIntermediate:
		c.Intermediate = f
	}
}

// Unreachable lists, in role order, the clusters that were probed and could
// not be reached at all.
func (f *Facts) Unreachable() []string {
	var out []string
	for _, role := range []string{RoleSource, RoleDestination, RoleIntermediate} {
		if c := f.Clusters.ByRole(role); c != nil && c.Reachable != nil && !*c.Reachable {
			out = append(out, role)
		}
	}
	return out
}

// Undecided is a probed cluster whose facts are not good enough to decide
// anything about it (Facts.Undecidable).
type Undecided struct {
	Role string
	// Unreachable is true when no request got an answer; otherwise the
	// cluster answered but nothing about it could be collected, and Why
	// says why (the first reason).
	Unreachable bool
	Why         string
}

// Undecidable lists, in role order, the probed clusters whose facts are not
// good enough to decide: the ones that could not be reached, and the ones
// that answered but of which nothing could be collected beyond, at most,
// their version and product (every request failed after the headers: 401,
// 5xx, a login page).
func (f *Facts) Undecidable() []Undecided {
	var out []Undecided
	for _, role := range []string{RoleSource, RoleDestination, RoleIntermediate} {
		c := f.Clusters.ByRole(role)
		switch {
		case c == nil || c.Reachable == nil:
		case !*c.Reachable:
			out = append(out, Undecided{Role: role, Unreachable: true})
		case c.collectedNothing():
			why := "no fact could be collected"
			if len(c.Unknown) > 0 {
				why = c.Unknown[0].Error
			}
			out = append(out, Undecided{Role: role, Why: why})
		}
	}
	return out
}

// collectedNothing reports whether every probed fact but the version and
// the product is unknown.
func (c *ClusterFacts) collectedNothing() bool {
	for _, fact := range ProbedFacts {
		if fact != "version" && fact != "product" && !c.IsUnknown(fact) {
			return false
		}
	}
	return true
}

// Runner describes the machine that ran espreflight. Reachable has a key for
// each cluster whose reachability was tested; a missing key means unknown.
type Runner struct {
	Reachable map[string]bool `json:"reachable"`
}

// ClusterFacts is what is known about one cluster. A fact that could not be
// collected is left null (nil) and listed in Unknown with the request and the
// reason; a fact that is known to be empty is an empty list or object.
type ClusterFacts struct {
	// Endpoint is the base URL without credentials, or "" when the plan gave none.
	Endpoint string `json:"endpoint"`
	// Reachable is nil when the cluster was not probed.
	Reachable *bool `json:"reachable"`
	// Product is "elasticsearch" or "opensearch"; "" when unknown.
	Product      string         `json:"product"`
	Version      *Version       `json:"version"`
	ClusterName  string         `json:"cluster_name"`
	ClusterUUID  string         `json:"cluster_uuid"`
	Health       string         `json:"health"`
	Nodes        []Node         `json:"nodes"`
	Indices      []Index        `json:"indices"`
	Totals       *Totals        `json:"totals"`
	Repositories []Repository   `json:"repositories"`
	Aliases      []Alias        `json:"aliases"`
	Settings     map[string]any `json:"settings"`
	// What is inside the indices and the cluster state (facts_content.go);
	// docs/probe.md says what each holds and when it is unknown.
	IndexSettings     []IndexSettingsGroup `json:"index_settings"`
	DataStreams       []DataStream         `json:"data_streams"`
	Mappings          []MappingGroup       `json:"mappings"`
	Analysis          []AnalysisGroup      `json:"analysis"`
	Templates         *Templates           `json:"templates"`
	Pipelines         []Pipeline           `json:"pipelines"`
	LifecyclePolicies []LifecyclePolicy    `json:"lifecycle_policies"`
	StoredScripts     []StoredScript       `json:"stored_scripts"`
	Capacity          *Capacity            `json:"capacity"`
	Deprecations      []Deprecation        `json:"deprecations"`
	// Sources says where each top-level fact came from, e.g.
	// "version": "GET / on the source" or "version": "plan line 14".
	Sources map[string]string `json:"sources"`
	Unknown []Unknown         `json:"unknown"`
}

// Version is a cluster's version as reported by GET / (or declared in the plan).
type Version struct {
	Number                           string `json:"number"`
	Major                            int    `json:"major"`
	Minor                            int    `json:"minor"`
	Patch                            int    `json:"patch"`
	Distribution                     string `json:"distribution,omitempty"`
	BuildFlavor                      string `json:"build_flavor,omitempty"`
	MinimumIndexCompatibilityVersion string `json:"minimum_index_compatibility_version,omitempty"`
	MinimumWireCompatibilityVersion  string `json:"minimum_wire_compatibility_version,omitempty"`
}

// Node is one node of a cluster.
type Node struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`
	Roles   []string `json:"roles"`
	Plugins []Plugin `json:"plugins"`
	// Modules are the modules the distribution ships (analysis-common,
	// ingest-common, reindex, …): a build can lack one a plugin list never shows.
	Modules []Plugin `json:"modules"`
	// Attributes are the node's custom attributes (node.attr.* in its
	// configuration, plus those the distribution adds), which index
	// allocation filters may name.
	Attributes map[string]string `json:"attributes"`
}

// Plugin is a plugin installed on a node.
type Plugin struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Index is one index of a cluster.
type Index struct {
	Name string `json:"name"`
	// Status is "open" or "close" (the _cat/indices spelling).
	Status string `json:"status"`
	Health string `json:"health"`
	Hidden bool   `json:"hidden"`
	// System is true when the cluster itself marks the index as a system index (ES 7.10+).
	System bool `json:"system"`
	// DataStream is the name of the data stream the index backs, or "".
	DataStream        string `json:"data_stream"`
	DocsCount         int64  `json:"docs_count"`
	StoreBytes        int64  `json:"store_bytes"`
	PrimaryStoreBytes int64  `json:"primary_store_bytes"`
	PrimaryShards     int    `json:"primary_shards"`
	Replicas          int    `json:"replicas"`
	// CreatedVersion is the release that created the index, decoded from
	// index.version.created (e.g. "6.8.23"); for Elasticsearch 8.11+ ids that
	// map to no release it reads like "8.11+ (index version 8537000)" with
	// CreatedMinor = -1. "" when unknown.
	CreatedVersion string `json:"created_version"`
	// CreatedProduct is the product that created the index ("elasticsearch" or "opensearch").
	CreatedProduct string `json:"created_product"`
	CreatedID      int64  `json:"created_id"`
	CreatedMajor   int    `json:"created_major"`
	CreatedMinor   int    `json:"created_minor"`
	// CreationDate is RFC 3339 (UTC), or "" when unknown.
	CreationDate string `json:"creation_date"`
}

// Totals sums the indices of a cluster.
type Totals struct {
	Indices           int   `json:"indices"`
	Docs              int64 `json:"docs"`
	StoreBytes        int64 `json:"store_bytes"`
	PrimaryStoreBytes int64 `json:"primary_store_bytes"`
}

// Alias is one index of an alias: ClusterFacts.Aliases has one entry per
// alias and index (an alias over two indices is two entries).
type Alias struct {
	Name  string `json:"name"`
	Index string `json:"index"`
	// IsWriteIndex is true when the alias sets is_write_index: true for this
	// index, false otherwise; nil when the version has no write index
	// (Elasticsearch before 6.4).
	IsWriteIndex *bool `json:"is_write_index"`
}

// Repository is a registered snapshot repository; Settings never holds secrets.
type Repository struct {
	Name     string            `json:"name"`
	Type     string            `json:"type"`
	Settings map[string]string `json:"settings"`
}

// Unknown records a fact that could not be collected.
type Unknown struct {
	// Fact is the top-level key of ClusterFacts (e.g. "indices", "nodes", "version").
	Fact string `json:"fact"`
	// Endpoint is the request that failed (e.g. "GET /_cat/indices"), or "" when nothing was sent.
	Endpoint string `json:"endpoint"`
	Error    string `json:"error"`
}

// MarkUnknown records that fact could not be collected.
func (c *ClusterFacts) MarkUnknown(fact, endpoint, reason string) {
	c.Unknown = append(c.Unknown, Unknown{Fact: fact, Endpoint: endpoint, Error: reason})
}

// IsUnknown reports whether fact is listed as unknown.
func (c *ClusterFacts) IsUnknown(fact string) bool {
	for _, u := range c.Unknown {
		if u.Fact == fact {
			return true
		}
	}
	return false
}

// SetSource records where a fact came from.
func (c *ClusterFacts) SetSource(fact, source string) {
	if c.Sources == nil {
		c.Sources = map[string]string{}
	}
	c.Sources[fact] = source
}

// ReadFacts decodes a facts document, checks it and derives its derived
// fields (factscheck.go). An error is a *FactsError naming the JSON path or
// the byte offset of the problem.
func ReadFacts(r io.Reader) (*Facts, error) {
	// Streamed: clusters.*.indices element by element (factsread.go).
	f, err := readFacts(r)
	if err != nil {
		return nil, err
	}
	if f.Schema != FactsSchema {
		return nil, pathErr("schema", "%q, want %q: not an espreflight facts document, or one of another format version", f.Schema, FactsSchema)
	}
	if err := checkFacts(f); err != nil {
		return nil, err
	}
	return f, nil
}

// LoadFacts reads a facts document from a file.
func LoadFacts(path string) (*Facts, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	f, err := ReadFacts(fh)
	if err != nil {
		// The exact offset of a syntax error needs the whole document in
		// memory: not for a huge file, whose streamed offset stands.
		if st, serr := fh.Stat(); serr == nil && st.Mode().IsRegular() && st.Size() <= maxExactOffsetBytes {
			if data, rerr := os.ReadFile(path); rerr == nil {
				err = exactOffset(err, data)
			}
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}
