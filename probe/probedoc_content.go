package probe

// contentFieldsDoc is the part of docs/probe.md that says what each field of
// the content facts (facts_content.go) means; TestContentFieldsDocumented
// fails when a field of those types is missing here.
const contentFieldsDoc = `
## What the content facts hold

` + "`index_settings`, `mappings` and `analysis`" + ` are lists of groups: each group has ` + "`indices`" + ` (sorted names) and a
summary those indices share, and every index of the cluster is in exactly one group of each. A
rule iterates the groups and intersects ` + "`indices`" + ` with the selection. A fact that is ` + "`null`" + ` is
unknown for every index; inside a known fact a list is never ` + "`null`" + `.

| Fact | Field | Meaning |
|---|---|---|
| ` + "`index_settings`" + ` | ` + "`total_fields_limit`" + ` | ` + "`index.mapping.total_fields.limit`" + `; null when not set (the default is 1000) |
| | ` + "`soft_deletes`" + ` | ` + "`index.soft_deletes.enabled`" + `; null when not set (true by default for indices created by 7.0+ and OpenSearch, false before; the setting exists from 6.5) |
| | ` + "`blocks`" + ` | the ` + "`index.blocks.*`" + ` set to true (` + "`read_only`, `read_only_allow_delete`, `read`, `write`, `metadata`" + `) |
| | ` + "`allocation`" + ` | the ` + "`index.routing.allocation.{include,exclude,require}.<attribute>`" + ` filters: ` + "`rule`, `attribute`, `values`" + ` |
| | ` + "`total_shards_per_node`" + ` | ` + "`index.routing.allocation.total_shards_per_node`" + `; null when not set |
| | ` + "`default_pipeline`, `final_pipeline`" + ` | the ingest pipelines the index runs (` + "`\"\"`" + ` when not set, ` + "`_none`" + ` for none) |
| | ` + "`lifecycle_policy`, `ism_policy`" + ` | ` + "`index.lifecycle.name`" + ` (ILM) and the ISM policy id an index setting names (OpenSearch usually attaches ISM policies through their ` + "`ism_template`" + ` instead) |
| ` + "`data_streams`" + ` | ` + "`name`, `template`, `lifecycle_policy`, `indices`" + ` | each data stream, the composable template it came from, its ILM policy and its number of backing indices; ` + "`[]`" + ` before Elasticsearch 7.9 or without a data stream API |
| ` + "`mappings`" + ` | ` + "`types`" + ` | the mapping types, ` + "`_default_`" + ` left out: several only in indices created by 5.x; a custom name such as ` + "`doc`" + ` in 6.x (and 7.x, asked with ` + "`include_type_name`" + `); Elasticsearch 8+ and OpenSearch 2+ answer typeless, so an index with a mapping shows ` + "`_doc`" + `; ` + "`[]`" + ` without a mapping |
| | ` + "`default_mapping`" + ` | the index has a ` + "`_default_`" + ` mapping |
| | ` + "`field_count`" + ` | fields as ` + "`index.mapping.total_fields.limit`" + ` counts them: objects, nested and leaf fields, multi-fields, aliases and runtime fields, each path once |
| | ` + "`field_types`" + ` | the distinct field types, with ` + "`object`" + `, multi-field, runtime and dynamic-template types (` + "`string`, `flattened`, `dense_vector`, `knn_vector`" + ` …) |
| | ` + "`source`" + ` | what ` + "`_source`" + ` keeps: ` + "`enabled`, `disabled`, `filtered`" + ` (includes or excludes) or ` + "`synthetic`" + ` |
| | ` + "`all_field`" + ` | ` + "`_all`" + ` as the mapping sets it, ` + "`enabled` or `disabled`; `\"\"`" + ` when not set (enabled by default in indices created by 5.x) |
| | ` + "`parent`, `routing_required`" + ` | a type has a ` + "`_parent`" + ` field; ` + "`_routing`" + ` is required |
| ` + "`analysis`" + ` | ` + "`components`" + ` | what creating the index needs: the type of every analyzer, tokenizer, filter, char filter and normalizer its settings define, and each built-in or plugin component its mapping or those definitions name; each with ` + "`kind`, `name`" + ` and ` + "`provider`" + ` (` + "`core`, `analysis-common`" + `, a plugin name, or ` + "`\"\"`" + ` when unknown) |
| | ` + "`files`" + ` | the files the analysis settings read from each node's config directory (` + "`synonyms_path`" + `, every ` + "`*_path`" + `, ` + "`user_dictionary`" + `, ` + "`hunspell/<locale>`" + `) |
| | ` + "`synonym_sets`" + ` | the synonyms sets (Elasticsearch 8.10+) the settings use |
| ` + "`templates`" + ` | ` + "`legacy`, `composable`, `component`" + ` | the templates with ` + "`name`, `index_patterns`" + `, ` + "`order`" + ` (legacy) or ` + "`priority`, `composed_of`, `data_stream`" + ` (composable), and the ` + "`default_pipeline`, `final_pipeline`, `lifecycle_policy`" + ` their settings name |
| ` + "`pipelines`" + ` | ` + "`name`, `processors`" + ` | each pipeline and the processor types it uses, ` + "`on_failure`" + ` and ` + "`foreach`" + ` ones included |
| ` + "`lifecycle_policies`" + ` | ` + "`name`, `kind`, `actions`, `repositories`, `index_patterns`" + ` | each ILM (` + "`ilm`" + `) or ISM (` + "`ism`" + `) policy, its actions, the snapshot repositories they name and the ISM template patterns |
| ` + "`stored_scripts`" + ` | ` + "`id`, `lang`" + ` | each stored script or search template |
| ` + "`capacity`" + ` | ` + "`data_nodes`" + ` | per data node: ` + "`node`, `shards`, `disk_total_bytes`, `disk_used_bytes`, `disk_avail_bytes`, `disk_indices_bytes`" + ` (disk figures null when the cluster has none yet) |
| | ` + "`shards`, `unassigned_shards`" + ` | every shard copy of the cluster, and those on no node |
| ` + "`deprecations`" + ` | ` + "`scope`, `level`, `message`, `url`, `details`, `names`" + ` | each deprecation item: the part of the answer (` + "`cluster`, `node`, `index`, `data_streams`" + ` …), ` + "`critical`, `warning`, `info` or `none`" + `, its text and link, and the indices (or other names) it applies to; items that differ only in the name are one, and ` + "`details`" + ` is ` + "`\"\"`" + ` when theirs differ |
| ` + "`nodes`" + ` | ` + "`modules`, `attributes`" + ` | each node's modules and custom attributes (what allocation filters name) |
`
