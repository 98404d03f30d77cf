# METADATA
# description: |
#   What the selected indices' mappings ask of a copy (reindex, Logstash,
#   elasticsearch-dump, the reindex step of snapshot-reindex) and of the
#   clusters that create them again: several mapping types (MAP-001), field
#   types the target does not have (MAP-002), a `_source` that does not hold
#   the documents (MAP-003) and more fields than a new index allows (MAP-004).
package espreflight.rules.map

import future.keywords.not

import data.espreflight.lib

# copy_target is the cluster whose new index receives the copied documents:
# the destination, or for snapshot-reindex the intermediate, where the
# restored index is reindexed into a new one.
copy_target := "destination" if {
	input.plan.method in lib.copy_methods
} else := "intermediate" if {
	input.plan.method == "snapshot-reindex"
}

# copies: the plan copies documents through `_source`.
copies if copy_target

mappings_known if lib.known("source", "mappings")

# ---------------------------------------------------------------------------
# MAP-001: indices with several mapping types.

# multitype are the mapping groups with more than one type (indices created
# by Elasticsearch 5.x) that hold selected indices, with those indices.
multitype contains {"types": g.types, "indices": names} if {
	copies
	mappings_known
	some g in input.clusters.source.mappings
	count(g.types) > 1
	names := lib.picked(g)
	count(names) > 0
}

# single_type_target: an index the copy creates on the target holds one
# mapping type only (Elasticsearch 6.x); 7.x+ and OpenSearch drop `_type`.
single_type_target if {
	lib.product_of(copy_target) == "elasticsearch"
	lib.version(copy_target)[0] == 6
}

typeless_target if lib.version(copy_target)[0] >= 7

typeless_target if lib.product_of(copy_target) == "opensearch"

target_evidence := {"fact": sprintf("clusters.%s.version", [copy_target]), "value": lib.version_text(copy_target)} if {
	lib.version(copy_target)
} else := {"fact": sprintf("clusters.%s.version", [copy_target]), "value": null}

types_evidence(m) := {"fact": "clusters.source.mappings", "value": {"types": m.types, "indices": count(m.indices)}}

# maybe_5x: a selected index may have been created by Elasticsearch 5.x
# (the only version whose indices can have several types): its created
# version is 5.x or unknown, or the selection is unknown.
maybe_5x if not input.selection.source.known

maybe_5x if {
	some g in input.selection.source.by_created
	g.version == ""
}

maybe_5x if {
	some g in input.selection.source.by_created
	g.product == "elasticsearch"
	g.major < 6
}

# METADATA
# title: Multi-type indices copied into a single-type index
# description: |
#   Indices created by Elasticsearch 5.x may have several mapping types; an
#   index created by 6.x holds one type only. Reindex from remote and
#   elasticsearch-dump keep each document's `_type`, so copying a multi-type
#   index into a new index on a 6.x cluster fails ("Rejecting mapping update
#   ... as the final mapping would have more than 1 type"); Logstash fails the
#   same way when its output sets `document_type` from the source's `_type`,
#   and otherwise writes every document under one type. Into 7.x and later
#   and OpenSearch the copy works (the type is dropped), but `_id` was unique
#   per type only: documents of different types with the same `_id` overwrite
#   each other (a warning). Checked for the copy's target: the destination,
#   or the intermediate of snapshot-reindex (snapshot restores are VER-003's).
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/6.8/removal-of-types.html
#   - ref: https://www.elastic.co/guide/en/logstash/6.2/upgrading-logstash-6.0.html
# custom:
#   id: MAP-001
#   methods: [reindex, logstash, elasticsearch-dump, snapshot-reindex]
#   severity: warning
#   remediation: |
#     Split each multi-type index into one index per type (reindex with a
#     query on `_type` into separate destination indices), or copy into a
#     7.x or later destination; when types share `_id` values, make them
#     unique during the copy (a reindex script such as
#     `ctx._id = ctx._type + '-' + ctx._id`, keeping the type in a field).
#   example: |
#     method: reindex
#     source: {kind: self-managed, endpoint: "http://es5:9200"}   # 5.6, index with types tweet and user
#     destination: {kind: self-managed, endpoint: "http://es6:9200"}   # 6.8
warn contains f if {
	some v in multitype_copies
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

multitype_copies contains v if {
	single_type_target
	input.plan.method != "logstash"
	some m in multitype
	v := {
		"msg": sprintf("these indices have %d mapping types (%s), and an index created by Elasticsearch %s holds one type only: %s keeps each document's _type, so the copy fails (more than 1 type)", [count(m.types), concat(", ", m.types), lib.version_text(copy_target), copy_text]),
		"severity": "error",
		"cluster": "source",
		"indices": m.indices,
		"location": "indices",
		"evidence": [types_evidence(m), target_evidence],
	}
}

copy_text := "the reindex step" if {
	input.plan.method == "snapshot-reindex"
} else := input.plan.method

multitype_copies contains v if {
	single_type_target
	input.plan.method == "logstash"
	some m in multitype
	v := {
		"msg": sprintf("these indices have %d mapping types (%s), and an index created by Elasticsearch %s holds one type only: the copy fails if the Logstash output sets document_type from the source's _type; with one document_type, documents of different types that share an _id overwrite each other", [count(m.types), concat(", ", m.types), lib.version_text(copy_target)]),
		"cluster": "source",
		"indices": m.indices,
		"location": "indices",
		"evidence": [types_evidence(m), target_evidence],
	}
}

multitype_copies contains v if {
	typeless_target
	some m in multitype
	v := {
		"msg": sprintf("these indices have %d mapping types (%s): the copy into %s %s drops _type and works, but _id was unique per type only, so documents of different types with the same _id overwrite each other", [count(m.types), concat(", ", m.types), lib.product_of(copy_target), lib.version_text(copy_target)]),
		"cluster": "source",
		"indices": m.indices,
		"location": "indices",
		"evidence": [types_evidence(m), target_evidence],
	}
}

multitype_copies contains v if {
	not lib.version(copy_target)
	some m in multitype
	v := {
		"msg": sprintf("could not verify that the copy's target can hold these indices' %d mapping types (%s): the %s's version is unknown (%s)", [count(m.types), concat(", ", m.types), copy_target, lib.why_unknown(copy_target, "version")]),
		"severity": "error",
		"cluster": copy_target,
		"indices": m.indices,
		"location": "indices",
		"unverified": true,
		"evidence": [types_evidence(m), target_evidence],
	}
}

multitype_copies contains v if {
	copies
	not mappings_known
	maybe_5x
	not lib.version(copy_target)[0] < 6
	v := {
		"msg": sprintf("could not verify that no selected index has several mapping types: the source's mappings are unknown (%s)", [lib.why_unknown("source", "mappings")]),
		"severity": "error",
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.mappings", "value": null}],
	}
}

# ---------------------------------------------------------------------------
# MAP-003: `_source` disabled or filtered.

# partial_source are the mapping groups whose `_source` is disabled or
# filtered and that hold selected indices.
partial_source contains {"source": g.source, "indices": names} if {
	copies
	mappings_known
	some g in input.clusters.source.mappings
	g.source in {"disabled", "filtered"}
	names := lib.picked(g)
	count(names) > 0
}

# METADATA
# title: Documents without a full _source copied by reindex, Logstash or dump
# description: |
#   Reindex, the Logstash elasticsearch input and elasticsearch-dump read each
#   document from its `_source`. An index whose mapping disables `_source`
#   has no document to read: reindex fails on it ("didn't store _source") and
#   the other tools cannot copy its data; only a snapshot moves such an index.
#   An index whose `_source` has `includes` or `excludes` keeps the left-out
#   fields indexed but not in `_source`, so the copy loses them (a warning).
#   The reindex step of snapshot-reindex reads `_source` too.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/7.17/mapping-source-field.html
#   - ref: https://docs.opensearch.org/latest/field-types/metadata-fields/source/
# custom:
#   id: MAP-003
#   methods: [reindex, logstash, elasticsearch-dump, snapshot-reindex]
#   severity: warning
#   remediation: |
#     Migrate indices whose `_source` is disabled with a snapshot and restore
#     (method snapshot), or reindex them from the application's own copy of
#     the data; for a filtered `_source`, accept the loss of the left-out
#     fields or move those indices with a snapshot too.
#   example: |
#     method: reindex
#     indices: ["metrics-*"]   # mappings: {"_source": {"enabled": false}}
warn contains f if {
	some v in source_copies
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

source_copies contains v if {
	some p in partial_source
	p.source == "disabled"
	v := {
		"msg": sprintf("these indices do not store _source, and %s reads documents from _source: the data cannot be copied this way (reindex fails with \"didn't store _source\"); only a snapshot moves it", [copy_text]),
		"severity": "error",
		"cluster": "source",
		"indices": p.indices,
		"location": "indices",
		"evidence": [{"fact": "clusters.source.mappings", "value": {"source": "disabled", "indices": count(p.indices)}}],
	}
}

source_copies contains v if {
	some p in partial_source
	p.source == "filtered"
	v := {
		"msg": sprintf("these indices keep only part of each document in _source (includes or excludes), and %s copies _source: the fields left out of it do not reach the destination", [copy_text]),
		"cluster": "source",
		"indices": p.indices,
		"location": "indices",
		"evidence": [{"fact": "clusters.source.mappings", "value": {"source": "filtered", "indices": count(p.indices)}}],
	}
}

source_copies contains v if {
	copies
	not mappings_known
	v := {
		"msg": sprintf("could not verify that every selected index stores its full _source, which %s reads: the source's mappings are unknown (%s)", [copy_text, lib.why_unknown("source", "mappings")]),
		"severity": "error",
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.mappings", "value": null}],
	}
}

# ---------------------------------------------------------------------------
# MAP-002: field types the target does not have.

# field_types lists, for the field types that some release of Elasticsearch
# or OpenSearch lacks, the releases of each product that have it: ranges
# [first, end) of [major, minor], end [999, 0] for "still there". A type not
# listed here is not checked. Sources, per entry: the type's page in the
# Elastic reference of the first version that has it
# (https://www.elastic.co/guide/en/elasticsearch/reference/<version>/<type>.html)
# and the "Introduced" label of its page in the OpenSearch documentation
# (https://docs.opensearch.org/latest/mappings/supported-field-types/).
field_types := {
	# Replaced by text and keyword in 5.0 (a new 5.x index rewrites it into
	# one of them), gone in 6.0 ("No handler for type [string]"):
	# https://www.elastic.co/guide/en/elasticsearch/reference/5.6/breaking_50_mapping_changes.html
	"string": {"elasticsearch": [[[0, 0], [6, 0]]], "opensearch": []},
	# Elastic's X-Pack types, which no OpenSearch release has.
	"flattened": {"elasticsearch": [[[7, 3], [999, 0]]], "opensearch": []},
	"dense_vector": {"elasticsearch": [[[7, 0], [999, 0]]], "opensearch": []},
	"histogram": {"elasticsearch": [[[7, 6], [999, 0]]], "opensearch": []},
	"aggregate_metric_double": {"elasticsearch": [[[7, 11], [999, 0]]], "opensearch": []},
	"semantic_text": {"elasticsearch": [[[8, 15], [999, 0]]], "opensearch": []},
	# sparse_vector: Elasticsearch 7.x, removed in 8.0 and back in 8.11
	# (https://www.elastic.co/guide/en/elasticsearch/reference/8.11/sparse-vector.html);
	# OpenSearch 3.3 (neural sparse ANN).
	"sparse_vector": {"elasticsearch": [[[7, 0], [8, 0]], [[8, 11], [999, 0]]], "opensearch": [[[3, 3], [999, 0]]]},
	# In both, later in OpenSearch.
	"constant_keyword": {"elasticsearch": [[[7, 7], [999, 0]]], "opensearch": [[[2, 14], [999, 0]]]},
	"wildcard": {"elasticsearch": [[[7, 9], [999, 0]]], "opensearch": [[[2, 15], [999, 0]]]},
	"version": {"elasticsearch": [[[7, 10], [999, 0]]], "opensearch": [[[3, 2], [999, 0]]]},
	"unsigned_long": {"elasticsearch": [[[7, 10], [999, 0]]], "opensearch": [[[2, 8], [999, 0]]]},
	"match_only_text": {"elasticsearch": [[[7, 14], [999, 0]]], "opensearch": [[[2, 12], [999, 0]]]},
	# OpenSearch's own types, which no Elasticsearch release has (knn_vector
	# comes with the k-NN plugin of the OpenSearch distribution).
	"flat_object": {"elasticsearch": [], "opensearch": [[[2, 7], [999, 0]]]},
	"knn_vector": {"elasticsearch": [], "opensearch": [[[1, 0], [999, 0]]]},
}

# has_type(t, product, v): release v = [major, minor, ...] of product has
# field type t.
has_type(t, product, v) if {
	some r in field_types[t][product]
	not before(v, r[0])
	before(v, r[1])
}

before(v, e) if v[0] < e[0]

before(v, e) if {
	v[0] == e[0]
	v[1] < e[1]
}

# type_targets are the clusters on which the method creates the selected
# indices with their mappings: the destination (a restore, or the new index
# of a copy), and for snapshot-reindex the intermediate too, where the
# snapshot is restored and reindexed.
type_targets := {"intermediate", "destination"} if {
	input.plan.method == "snapshot-reindex"
} else := {"destination"}

# checked(role): the cluster of that role reads the indices' mappings anew.
# A copy creates a new index there. A restore keeps the index as the
# source's product wrote it: a newer release of the same product still reads
# the types an older one wrote (a restored 7.x sparse_vector field stays
# readable in 8.0), so only a restore into the other product is checked.
checked(_) if copies

checked(role) if {
	lib.product_of("source")
	lib.product_of(role) != lib.product_of("source")
}

# maybe_checked(role): checked, or a product is unknown.
maybe_checked(role) if checked(role)

maybe_checked(role) if not lib.product_of(role)

maybe_checked(_) if not lib.product_of("source")

lacking_types contains {"role": role, "types": missing, "indices": names} if {
	mappings_known
	some role in type_targets
	checked(role)
	p := lib.product_of(role)
	v := lib.version(role)
	some g in input.clusters.source.mappings
	missing := sort([t | some t in g.field_types; field_types[t]; not has_type(t, p, v)])
	count(missing) > 0
	names := lib.picked(g)
	count(names) > 0
}

# unsure_types: the target's product or version is unknown and a selected
# mapping group uses a type of the table.
unsure_types contains {"role": role, "types": listed, "indices": names} if {
	mappings_known
	some role in type_targets
	not target_known(role)
	maybe_checked(role)
	some g in input.clusters.source.mappings
	listed := sort([t | some t in g.field_types; field_types[t]])
	count(listed) > 0
	names := lib.picked(g)
	count(names) > 0
}

target_known(role) if {
	lib.product_of(role)
	lib.version(role)
}

# may_lose_types(role): with the mappings unknown, a type the source's
# release can hold may be missing on the target's release (or a release is
# unknown).
may_lose_types(role) if not target_known(role)

may_lose_types(_) if not target_known("source")

may_lose_types(role) if {
	some t, _ in field_types
	has_type(t, lib.product_of("source"), lib.version("source"))
	not has_type(t, lib.product_of(role), lib.version(role))
}

types_target_evidence(role) := {"fact": sprintf("clusters.%s.version", [role]), "value": lib.version_text(role)} if {
	lib.version(role)
} else := {"fact": sprintf("clusters.%s.version", [role]), "value": null}

product_text(role) := sprintf("the %s (%s)", [role, lib.product_version(role)])

# METADATA
# title: Field types the cluster that creates the index does not have
# description: |
#   Creating an index parses every field of its mapping with the mapper of
#   the field's type; a type the node does not know fails the creation ("No
#   handler for type [flattened] declared on field [labels]"). Elasticsearch
#   6.0 dropped `string` for new indices; `flattened`, `dense_vector`,
#   `histogram`, `aggregate_metric_double` and `semantic_text` exist in
#   Elasticsearch only (OpenSearch has `flat_object` and `knn_vector`
#   instead, which Elasticsearch lacks); `constant_keyword`, `wildcard`,
#   `version`, `unsigned_long` and `match_only_text` came to OpenSearch
#   releases later than to Elasticsearch. A copy does not fail on them:
#   reindex and Logstash copy documents only, and elasticsearch-dump's
#   mapping step fails silently on a type the target lacks (seen on real
#   OpenSearch 2.19 -> Elasticsearch 7.10 nodes: exit 0, no write) before its
#   data step goes on, so the index the documents go into maps those fields
#   by dynamic mapping or a template under other types (a warning: queries
#   and aggregations on them change); a snapshot restored into OpenSearch fails
#   (an error) when the mapping has an Elasticsearch-only type ("unable to upgrade the
#   mappings for the index"), while a restore into a later Elasticsearch
#   keeps the types its indices were created with. Types espreflight has no
#   entry for are not checked.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-types.html
#   - ref: https://docs.opensearch.org/latest/mappings/supported-field-types/
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/5.6/breaking_50_mapping_changes.html
#   - ref: https://github.com/opensearch-project/opensearch-migrations/issues/455
#   - ref: https://github.com/opensearch-project/OpenSearch/issues/1018
# custom:
#   id: MAP-002
#   methods: [snapshot, reindex, logstash, elasticsearch-dump, snapshot-reindex]
#   severity: warning
#   remediation: |
#     Create the destination index first with a mapping that replaces each
#     reported type with one the destination has (flattened → flat_object,
#     dense_vector → knn_vector on OpenSearch, string → text or keyword,
#     wildcard or constant_keyword → keyword before OpenSearch 2.15/2.14),
#     then copy into it (reindex, Logstash or elasticsearch-dump with
#     `--type=data`); a snapshot cannot change a mapping, so copy those
#     indices instead of restoring them.
#   example: |
#     method: reindex
#     indices: ["events-*"]   # mappings: {"labels": {"type": "flattened"}}
#     destination: {kind: self-managed, endpoint: "https://10.0.0.9:9200"}   # OpenSearch 2.19
warn contains f if {
	some v in missing_types
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

missing_types contains v if {
	some m in lacking_types
	carries_mappings
	v := {
		"msg": sprintf("these indices map fields of type %s, which %s does not have: %s, so it fails (\"No handler for type [%s] declared on field\")", [concat(", ", m.types), product_text(m.role), "the restore reads these mappings there", m.types[0]]),
		"severity": "error",
		"cluster": m.role,
		"indices": m.indices,
		"location": "indices",
		"evidence": [
			{"fact": "clusters.source.mappings", "value": {"field_types": m.types, "indices": count(m.indices)}},
			types_target_evidence(m.role),
		],
	}
}

# A copy by reindex or Logstash does not carry the mappings: the index it
# writes into is created from the documents (dynamic mapping) or by a
# template or by hand, so these fields arrive under other types (a warning),
# and only creating that index with the source's mapping would fail.
missing_types contains v if {
	some m in lacking_types
	not carries_mappings
	v := {
		"msg": sprintf("these indices map fields of type %s, which %s does not have: %s, so the index the documents go into maps these fields by dynamic mapping or by your template under other types (creating it with the source's mapping fails: \"No handler for type [%s] declared on field\")", [concat(", ", m.types), product_text(m.role), no_mapping_text, m.types[0]]),
		"cluster": m.role,
		"indices": m.indices,
		"location": "indices",
		"evidence": [
			{"fact": "clusters.source.mappings", "value": {"field_types": m.types, "indices": count(m.indices)}},
			types_target_evidence(m.role),
		],
	}
}

# carries_mappings: the method creates the indices with the source's own
# mappings: a restore.
carries_mappings if not copies

no_mapping_text := "elasticsearch-dump's mapping step fails there without a word (elasticdump exits 0, 0 writes) and its data step goes on" if {
	input.plan.method == "elasticsearch-dump"
} else := sprintf("%s copies documents, not mappings", [copy_text])

missing_types contains v if {
	some m in unsure_types
	v := {
		"msg": sprintf("could not verify that the %s has the field types %s that these indices map: its product or version is unknown (%s)", [m.role, concat(", ", m.types), lib.why_unknown(m.role, "version")]),
		"cluster": m.role,
		"indices": m.indices,
		"location": "indices",
		"unverified": true,
		"evidence": [
			{"fact": "clusters.source.mappings", "value": {"field_types": m.types, "indices": count(m.indices)}},
			types_target_evidence(m.role),
		],
	}
}

missing_types contains v if {
	not mappings_known
	some role in type_targets
	maybe_checked(role)
	may_lose_types(role)
	v := {
		"msg": sprintf("could not verify that the %s has every field type the selected indices map: the source's mappings are unknown (%s)", [role, lib.why_unknown("source", "mappings")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.mappings", "value": null}],
	}
}

# ---------------------------------------------------------------------------
# MAP-004: more fields than the index the copy creates allows.

# default_fields_limit is index.mapping.total_fields.limit of an index that
# does not set it (Elasticsearch 5.0 and later, OpenSearch).
default_fields_limit := 1000

# crowded are the mapping groups with more fields than the default limit
# that hold selected indices, with those indices.
crowded contains {"fields": g.field_count, "indices": names} if {
	copies
	mappings_known
	some g in input.clusters.source.mappings
	g.field_count > default_fields_limit
	names := lib.picked(g)
	count(names) > 0
}

# crowded_names are the indices of crowded, built once (few groups).
crowded_names := {n | some c in crowded; some n in c.indices}

# source_limits maps the indices of crowded to the limit each sets on the
# source: the settings groups that set no limit are skipped whole, so this
# visits the few indices with a limit of their own, once. (An object
# comprehension, evaluated once: a partial rule looked up by key would run
# its body again for every index.)
source_limits := {n: g.total_fields_limit |
	count(crowded_names) > 0
	some g in input.clusters.source.index_settings
	is_number(g.total_fields_limit)
	some n in g.indices
	crowded_names[n]
}

# held_limits maps the indices of crowded that already exist on the
# destination (created beforehand) with a limit of their own to that limit:
# one pass over the destination's settings groups that set a limit (an
# existing index without one has the default, as a new index has), only
# when some selected index has too many fields. The reindex step of
# snapshot-reindex writes an index of another name, which the facts cannot
# tell.
held_limits := {n: g.total_fields_limit |
	count(crowded_names) > 0
	copy_target == "destination"
	some g in input.clusters.destination.index_settings
	is_number(g.total_fields_limit)
	some n in g.indices
	crowded_names[n]
}

# unlimited_target: Elasticsearch before 5.0 has no field limit.
unlimited_target if {
	lib.product_of(copy_target) == "elasticsearch"
	lib.version(copy_target)[0] < 5
}

# over_limit are the indices of each crowded group that get a limit below
# their field count on the target, by that limit: those that do not exist
# there with a limit of their own get the default (when no index does,
# no index is looked up), the others theirs.
over_limit contains {"fields": c.fields, "limit": default_fields_limit, "held": false, "indices": names} if {
	not unlimited_target
	some c in crowded
	names := fresh_names(c)
	count(names) > 0
}

over_limit contains {"fields": c.fields, "limit": l, "held": true, "indices": names} if {
	not unlimited_target
	count(held_limits) > 0
	some c in crowded
	held := [n | some n in c.indices; held_limits[n]]
	some l in {held_limits[n] | some n in held}
	l < c.fields
	names := [n | some n in held; held_limits[n] == l]
}

fresh_names(c) := c.indices if count(held_limits) == 0

fresh_names(c) := [n | some n in c.indices; not held_limits[n]] if count(held_limits) > 0

source_limit_note(names) := "" if {
	count({source_limits[n] | some n in names}) == 0
} else := sprintf(" (the source raised index.mapping.total_fields.limit to %s for them; %s)", [
	concat(", ", [sprintf("%d", [l]) | some l in {source_limits[n] | some n in names}]),
	inherit_text,
])

# inherit_text: elasticsearch-dump --type=settings creates the index with
# the source index's settings (a PUT of the index with them); no other copy
# carries them.
inherit_text := "elasticsearch-dump carries it only when --type=settings runs before --type=mapping" if {
	input.plan.method == "elasticsearch-dump"
} else := "a new index does not inherit it"

# fields_evidence(o): the field count, and the limits the source indices
# set when the source's settings are known.
fields_evidence(o) := array.concat(
	[{"fact": "clusters.source.mappings", "value": {"field_count": o.fields, "indices": count(o.indices)}}],
	[{"fact": "clusters.source.index_settings", "value": sort({source_limits[n] | some n in o.indices})} | lib.known("source", "index_settings")],
)

# METADATA
# title: More fields than the index the copy creates allows
# description: |
#   index.mapping.total_fields.limit caps the fields of an index's mapping
#   (objects, leaves, multi-fields, aliases and runtime fields count); an
#   index that does not set it gets 1000 in every Elasticsearch since 5.0
#   and in OpenSearch. A copy (reindex, Logstash, elasticsearch-dump, the
#   reindex step of snapshot-reindex) writes into a new index on its target,
#   which does not inherit the source index's settings (elasticsearch-dump
#   only with `--type=settings` before `--type=mapping`): when a selected
#   index has more fields than that index allows, creating it with the
#   source's mapping, or the dynamic mapping of the copied documents, fails
#   with "Limit of total fields [1000] has been exceeded". An index that
#   already exists on the destination keeps its own limit, which is checked
#   instead. A snapshot restore keeps each index's settings, limit included,
#   so this rule does not apply to it.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-settings-limit.html
#   - ref: https://docs.opensearch.org/latest/mappings/mapping-explosion/
#   - ref: https://github.com/elastic/elasticsearch/pull/17357
#   - ref: https://github.com/elasticsearch-dump/elasticsearch-dump/blob/master/lib/transports/__es__/_setting.js
# custom:
#   id: MAP-004
#   methods: [reindex, logstash, elasticsearch-dump, snapshot-reindex]
#   severity: error
#   remediation: |
#     Create the destination index before the copy with
#     `"index.mapping.total_fields.limit"` at or above the reported field
#     count (in the index creation request or in an index template that
#     matches it), then copy into it (elasticsearch-dump: `--type=settings`
#     first when the source index sets a high enough limit); or reduce the
#     mapping (a flattened or flat_object field for objects with many keys).
#   example: |
#     method: elasticsearch-dump
#     indices: ["catalog-*"]   # 1500 fields, index.mapping.total_fields.limit: 2000 on the source
deny contains f if {
	some v in field_limit
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

field_limit contains v if {
	some o in over_limit
	not o.held
	v := {
		"msg": sprintf("these indices map %d fields, more than the %d an index without a limit of its own allows on the %s%s: %s fails (\"Limit of total fields [%d] has been exceeded\") unless the index is created there first with a higher limit", [o.fields, o.limit, copy_target, source_limit_note(o.indices), copy_text, o.limit]),
		"cluster": copy_target,
		"indices": o.indices,
		"location": "indices",
		"evidence": array.concat(fields_evidence(o), [target_evidence]),
	}
}

field_limit contains v if {
	some o in over_limit
	o.held
	v := {
		"msg": sprintf("these indices map %d fields and already exist on the destination with index.mapping.total_fields.limit %d: %s into them fails (\"Limit of total fields [%d] has been exceeded\")", [o.fields, o.limit, copy_text, o.limit]),
		"cluster": "destination",
		"indices": o.indices,
		"location": "indices",
		"evidence": array.concat(fields_evidence(o), [{"fact": "clusters.destination.index_settings", "value": o.limit}]),
	}
}

field_limit contains v if {
	copies
	not mappings_known
	not unlimited_target
	v := {
		"msg": sprintf("could not verify that no selected index has more fields than the %d a new index allows: the source's mappings are unknown (%s)", [default_fields_limit, lib.why_unknown("source", "mappings")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.mappings", "value": null}],
	}
}

field_limit contains v if {
	copies
	mappings_known
	not input.selection.source.known
	some g in input.clusters.source.mappings
	g.field_count > default_fields_limit
	v := {
		"msg": sprintf("could not verify which indices the plan selects, and some of the source's indices map more than the %d fields a new index allows: the source's indices are unknown (%s)", [default_fields_limit, lib.why_unknown("source", "indices")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "selection.source", "value": null}],
	}
}

missing_types contains v if {
	mappings_known
	not input.selection.source.known
	some role in type_targets
	maybe_checked(role)
	some g in input.clusters.source.mappings
	some t in g.field_types
	field_types[t]
	v := {
		"msg": sprintf("could not verify which indices the plan selects, and some of the source's indices map field types that not every release of Elasticsearch and OpenSearch has: the source's indices are unknown (%s)", [lib.why_unknown("source", "indices")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "selection.source", "value": null}],
	}
}
