package probe

// The facts about what is inside a cluster's indices and cluster state: what
// a migration must carry besides the documents. Per-index facts come in
// groups: every index of the cluster (as listed in ClusterFacts.Indices) is
// in exactly one group of each grouped fact, and a group holds the indices
// whose summary is the same. A cluster of 100 000 daily indices made from
// one template is then a handful of groups, not 100 000 copies; a rule
// iterates the groups and intersects each group's indices with the
// selection.
//
// A grouped fact that is null is unknown for every index (see
// ClusterFacts.Unknown for why); there is no per-index unknown. Lists are
// sorted and never null inside a known fact.

// IndexSettingsGroup is a group of indices with the same settings that
// matter to a migration (from GET /_all/_settings). A field that the index
// does not set is its zero value: null, "" or []; the cluster's default
// then applies.
type IndexSettingsGroup struct {
	Indices []string `json:"indices"`
	// TotalFieldsLimit is index.mapping.total_fields.limit; null when not
	// set (the default is 1000).
	TotalFieldsLimit *int64 `json:"total_fields_limit"`
	// SoftDeletes is index.soft_deletes.enabled; null when not set (the
	// setting exists from Elasticsearch 6.5 and defaults to true for indices
	// created by 7.0 or later and by OpenSearch, false before).
	SoftDeletes *bool `json:"soft_deletes"`
	// Blocks are the index.blocks.* set to true: "metadata", "read",
	// "read_only", "read_only_allow_delete", "write".
	Blocks []string `json:"blocks"`
	// Allocation are the index.routing.allocation.{include,exclude,require}.*
	// filters.
	Allocation []AllocationFilter `json:"allocation"`
	// TotalShardsPerNode is index.routing.allocation.total_shards_per_node;
	// null when not set (no limit).
	TotalShardsPerNode *int64 `json:"total_shards_per_node"`
	// DefaultPipeline and FinalPipeline are index.default_pipeline and
	// index.final_pipeline ("" when not set; "_none" means none).
	DefaultPipeline string `json:"default_pipeline"`
	FinalPipeline   string `json:"final_pipeline"`
	// LifecyclePolicy is index.lifecycle.name (ILM); ISMPolicy is the ISM
	// policy id an OpenSearch (or Open Distro) index setting names
	// (index.plugins.index_state_management.policy_id or its older
	// opendistro name). "" when not set. OpenSearch normally attaches ISM
	// policies through the policies' ism_template, which no index setting
	// shows: see LifecyclePolicy.IndexPatterns.
	LifecyclePolicy string `json:"lifecycle_policy"`
	ISMPolicy       string `json:"ism_policy"`
}

// AllocationFilter is one index.routing.allocation.<Rule>.<Attribute>
// setting: the index's shards may only be (include: any of, require: all
// of) or may not be (exclude) on nodes whose Attribute is one of Values.
// Attribute is a custom node attribute (Node.Attributes) or a built-in one
// (_name, _host_ip, _publish_ip, _ip, _host, _id, _tier, _tier_preference).
type AllocationFilter struct {
	Rule      string   `json:"rule"`
	Attribute string   `json:"attribute"`
	Values    []string `json:"values"`
}

// DataStream is one data stream (GET /_data_stream).
type DataStream struct {
	Name string `json:"name"`
	// Template is the composable index template the stream was created from.
	Template string `json:"template"`
	// LifecyclePolicy is the ILM policy of the stream's template ("" when none
	// or not reported).
	LifecyclePolicy string `json:"lifecycle_policy"`
	// Indices is the number of backing indices; ClusterFacts.Indices names
	// them (Index.DataStream).
	Indices int `json:"indices"`
}

// MappingGroup is a group of indices whose mappings summarise the same (from
// the mappings of GET /_all).
type MappingGroup struct {
	Indices []string `json:"indices"`
	// Types are the index's mapping types, `_default_` left out: several
	// only in indices created by Elasticsearch 5.x, one in 6.x (often a
	// custom name such as "doc"), "_doc" from 7.0. Elasticsearch 8+ and
	// OpenSearch 2+ only answer typeless mappings, which cannot show a custom
	// name: there an index with a mapping reports ["_doc"]. [] when the
	// index has no mapping at all.
	Types []string `json:"types"`
	// DefaultMapping is true when the index has a `_default_` mapping (5.x, 6.x).
	DefaultMapping bool `json:"default_mapping"`
	// FieldCount counts the fields the way index.mapping.total_fields.limit
	// does: object, nested and leaf fields, multi-fields, field aliases and
	// runtime fields, each distinct path once across types; metadata fields
	// are not counted.
	FieldCount int `json:"field_count"`
	// FieldTypes are the distinct field types the mapping uses, including
	// "object" (an object field without a type), "nested", multi-field types,
	// runtime field types and the types dynamic templates map to (e.g.
	// "string", "flattened", "dense_vector", "knn_vector").
	FieldTypes []string `json:"field_types"`
	// Source is what `_source` keeps: "enabled" (the default), "disabled"
	// (enabled: false), "filtered" (includes or excludes set) or "synthetic"
	// (mode: synthetic, Elasticsearch 8.4+); with several types, the first
	// of disabled, filtered, synthetic, enabled that any type has.
	Source string `json:"source"`
	// AllField is the `_all` setting: "enabled" or "disabled" when the
	// mapping sets it, "" when it does not (then it is enabled in indices
	// created by 5.x and absent from 6.0 on).
	AllField string `json:"all_field"`
	// Parent is true when a type has a `_parent` field (5.x parent/child).
	Parent bool `json:"parent"`
	// RoutingRequired is true when `_routing` is required.
	RoutingRequired bool `json:"routing_required"`
}

// AnalysisGroup is a group of indices that need the same analysis
// components (from the mappings and settings.index.analysis of GET /_all).
type AnalysisGroup struct {
	Indices []string `json:"indices"`
	// Components are what creating the index (by restore, or by copying its
	// settings and mappings) needs: the type of every component its analysis
	// settings define, and every built-in or plugin component referenced by
	// name from those definitions or from the mapping (analyzer,
	// search_analyzer, search_quote_analyzer, normalizer, also in dynamic
	// templates). A name the settings define is resolved to its definition.
	Components []AnalysisComponent `json:"components"`
	// Files are the paths the analysis settings read from the nodes' config
	// directory (synonyms_path, stopwords_path, user_dictionary, every
	// *_path): they must exist on every destination node.
	Files []string `json:"files"`
	// SynonymSets are the synonyms sets (synonyms_set, Elasticsearch 8.10+)
	// the settings use: cluster state, not carried by a snapshot of the index.
	SynonymSets []string `json:"synonym_sets"`
}

// AnalysisComponent is one analyzer, tokenizer, token filter, char filter or
// normalizer an index needs.
type AnalysisComponent struct {
	// Kind is "analyzer", "tokenizer", "filter", "char_filter" or "normalizer".
	Kind string `json:"kind"`
	// Name is the built-in name or the type (e.g. "custom", "ik_max_word",
	// "pinyin", "edge_ngram").
	Name string `json:"name"`
	// Provider is where the component comes from: "core" (the server),
	// "analysis-common" (the module of that name, Elasticsearch 6.0+ and
	// OpenSearch; Elasticsearch 5.x has these in the server), a plugin
	// name as GET /_nodes/plugins lists it ("analysis-icu", "analysis-ik",
	// "analysis-pinyin", …), or "" when espreflight does not know the name
	// (a plugin it has no list for): then it cannot be verified.
	Provider string `json:"provider"`
}

// Templates are the cluster's index templates.
type Templates struct {
	// Legacy are the templates of GET /_template.
	Legacy []LegacyTemplate `json:"legacy"`
	// Composable are the index templates of GET /_index_template
	// (Elasticsearch 7.8+, OpenSearch); [] before 7.8.
	Composable []ComposableTemplate `json:"composable"`
	// Component are the component templates (Elasticsearch 7.8+, OpenSearch); [] before.
	Component []ComponentTemplate `json:"component"`
}

// TemplateRefs are the cluster-state objects a template's settings name, ""
// when not set: what must exist on the destination for the template to work.
type TemplateRefs struct {
	DefaultPipeline string `json:"default_pipeline"`
	FinalPipeline   string `json:"final_pipeline"`
	LifecyclePolicy string `json:"lifecycle_policy"`
}

// LegacyTemplate is one legacy index template.
type LegacyTemplate struct {
	Name string `json:"name"`
	// IndexPatterns are index_patterns (6.0+) or the single `template`
	// pattern of 5.x.
	IndexPatterns []string `json:"index_patterns"`
	Order         int64    `json:"order"`
	TemplateRefs
}

// ComposableTemplate is one composable index template.
type ComposableTemplate struct {
	Name          string   `json:"name"`
	IndexPatterns []string `json:"index_patterns"`
	Priority      int64    `json:"priority"`
	ComposedOf    []string `json:"composed_of"`
	// DataStream is true when the template creates data streams.
	DataStream bool `json:"data_stream"`
	TemplateRefs
}

// ComponentTemplate is one component template.
type ComponentTemplate struct {
	Name string `json:"name"`
	TemplateRefs
}

// Pipeline is one ingest pipeline.
type Pipeline struct {
	Name string `json:"name"`
	// Processors are the distinct processor types it uses, on_failure and
	// foreach ones included (e.g. "set", "geoip", "attachment"): a processor
	// from a plugin or module the destination lacks makes creating it fail.
	Processors []string `json:"processors"`
}

// LifecyclePolicy is one ILM (Elasticsearch) or ISM (OpenSearch) policy.
type LifecyclePolicy struct {
	Name string `json:"name"`
	// Kind is "ilm" or "ism".
	Kind string `json:"kind"`
	// Actions are the distinct actions of all phases (ILM) or states (ISM),
	// e.g. "rollover", "shrink", "searchable_snapshot", "delete".
	Actions []string `json:"actions"`
	// Repositories are the snapshot repositories the actions name
	// (ILM searchable_snapshot, ISM snapshot).
	Repositories []string `json:"repositories"`
	// IndexPatterns are the patterns of an ISM policy's ism_template: new
	// indices matching them get the policy. [] for ILM.
	IndexPatterns []string `json:"index_patterns"`
}

// StoredScript is one stored script or search template.
type StoredScript struct {
	ID   string `json:"id"`
	Lang string `json:"lang"`
}

// Capacity is what the cluster's data nodes hold and can take (from
// GET /_cat/allocation); the watermarks and cluster.max_shards_per_node are
// in ClusterFacts.Settings.
type Capacity struct {
	// DataNodes are the nodes that can hold shards, by name.
	DataNodes []DataNodeCapacity `json:"data_nodes"`
	// Shards is every shard copy of the cluster, assigned or not.
	Shards int64 `json:"shards"`
	// UnassignedShards are the shard copies on no node.
	UnassignedShards int64 `json:"unassigned_shards"`
}

// DataNodeCapacity is one data node's shards and disk. The disk figures are
// null when the cluster has no disk usage for the node (yet).
type DataNodeCapacity struct {
	Node             string `json:"node"`
	Shards           int64  `json:"shards"`
	DiskTotalBytes   *int64 `json:"disk_total_bytes"`
	DiskUsedBytes    *int64 `json:"disk_used_bytes"`
	DiskAvailBytes   *int64 `json:"disk_avail_bytes"`
	DiskIndicesBytes *int64 `json:"disk_indices_bytes"`
}

// Deprecation is one item of the deprecation info API: something the
// cluster uses that the next major version removes or changes.
type Deprecation struct {
	// Scope is the part of the response it comes from without "_settings":
	// "cluster", "node", "index", "ml", "data_streams", "templates",
	// "ilm_policies", …
	Scope string `json:"scope"`
	// Level is "critical" (the upgrade or a restore into the next major
	// fails), "warning", "info" or "none".
	Level   string `json:"level"`
	Message string `json:"message"`
	URL     string `json:"url"`
	// Details is the item's details, "" when the items grouped here differ
	// in them.
	Details string `json:"details"`
	// Names are the indices (data streams, templates, policies) an item of
	// a per-name scope applies to; [] for cluster and node items.
	Names []string `json:"names"`
}
