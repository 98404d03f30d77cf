# METADATA
# description: |
#   What the selected indices' mappings ask of a copy (reindex, Logstash,
#   elasticsearch-dump, the reindex step of snapshot-reindex): several mapping
#   types (MAP-001) and a `_source` that does not hold the documents (MAP-003).
package espreflight.rules.map

import future.keywords.not

import data.espreflight.lib

# selected is the set of selected source index names, built once.
selected := {n | some n in input.selection.source.names}

# copy_methods read the documents from `_source` through searches and write
# them again into a new index.
copy_methods := {"reindex", "logstash", "elasticsearch-dump"}

# copy_target is the cluster whose new index receives the copied documents:
# the destination, or for snapshot-reindex the intermediate, where the
# restored index is reindexed into a new one.
copy_target := "destination" if {
	input.plan.method in copy_methods
} else := "intermediate" if {
	input.plan.method == "snapshot-reindex"
}

# copies: the plan copies documents through `_source`.
copies if copy_target

mappings_known if lib.known("source", "mappings")

# picked(g) are the selected indices of mapping group g, sorted (groups
# hold sorted names). Called only for the few groups a rule singles out.
picked(g) := [n | some n in g.indices; selected[n]]

# ---------------------------------------------------------------------------
# MAP-001: indices with several mapping types.

# multitype are the mapping groups with more than one type (indices created
# by Elasticsearch 5.x) that hold selected indices, with those indices.
multitype contains {"types": g.types, "indices": names} if {
	copies
	mappings_known
	some g in input.clusters.source.mappings
	count(g.types) > 1
	names := picked(g)
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
	names := picked(g)
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
