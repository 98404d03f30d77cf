package espreflight.rules.map_test

import future.keywords.not

import data.espreflight.lib
import data.espreflight.rules.map

cl(product, number) := {"product": product, "version": {"number": number, "major": v[0], "minor": v[1], "patch": v[2]}, "unknown": []} if {
	v := lib.parse_version(number)
}

mg(indices, types, source) := {
	"indices": indices, "types": types, "default_mapping": false, "field_count": 3,
	"field_types": ["keyword"], "source": source, "all_field": "", "parent": false, "routing_required": false,
}

# The source: a 5.6 cluster with a multi-type index (tweets), one without
# _source (metrics), one with a filtered _source (audit) and a plain one.
source_56 := object.union(cl("elasticsearch", "5.6.16"), {"mappings": [
	mg(["tweets", "unselected-multi"], ["tweet", "user"], "enabled"),
	mg(["metrics"], ["doc"], "disabled"),
	mg(["audit"], ["doc"], "filtered"),
	mg(["plain"], ["doc"], "enabled"),
]})

sel(names) := {"known": true, "names": names, "by_created": [{"product": "elasticsearch", "version": "5.6.16", "major": 5, "minor": 6, "count": count(names), "indices": names}]}

inp(method, src, dst, names) := {
	"plan": {"method": method},
	"clusters": {"source": src, "destination": dst, "intermediate": dst},
	"selection": {"source": sel(names)},
}

rule(fs, id) := {f | some f in fs; f.rule == id}

# --- MAP-001 ---------------------------------------------------------------

test_map001_into_6x_fails if {
	every m in ["reindex", "elasticsearch-dump", "snapshot-reindex"] {
		fs := rule(map.warn, "MAP-001") with input as inp(m, source_56, cl("elasticsearch", "6.8.23"), ["tweets", "plain"])
		count(fs) == 1
		some f in fs
		f.severity == "error"
		f.indices == ["tweets"]
		not f.unverified
		contains(f.msg, "tweet, user")
		contains(f.msg, "more than 1 type")
	}
}

test_map001_logstash_into_6x_warns if {
	fs := rule(map.warn, "MAP-001") with input as inp("logstash", source_56, cl("elasticsearch", "6.8.23"), ["tweets"])
	count(fs) == 1
	some f in fs
	not f.severity
	contains(f.msg, "document_type")
}

test_map001_into_7x_and_opensearch_warns if {
	# Ground truth: rx- and dump-es56-multitype-to-es710 work.
	every dst in [cl("elasticsearch", "7.10.2"), cl("elasticsearch", "8.19.21"), cl("opensearch", "2.19.6")] {
		fs := rule(map.warn, "MAP-001") with input as inp("reindex", source_56, dst, ["tweets"])
		count(fs) == 1
		some f in fs
		not f.severity
		contains(f.msg, "same _id")
	}
}

test_map001_quiet if {
	# No multi-type index selected; a 5.x target; a snapshot (VER-003's).
	count(rule(map.warn, "MAP-001")) == 0 with input as inp("reindex", source_56, cl("elasticsearch", "6.8.23"), ["plain", "metrics"])
	count(rule(map.warn, "MAP-001")) == 0 with input as inp("reindex", source_56, cl("elasticsearch", "5.6.16"), ["tweets"])
	count(rule(map.warn, "MAP-001")) == 0 with input as inp("snapshot", source_56, cl("elasticsearch", "6.8.23"), ["tweets"])

	# Mappings unknown, but every selected index was created by 6.x.
	src := object.union(cl("elasticsearch", "6.8.23"), {"mappings": null, "unknown": [{"fact": "mappings", "endpoint": "GET /_all", "error": "HTTP 403"}]})
	i := object.union(inp("reindex", src, cl("elasticsearch", "7.10.2"), ["plain"]), {"selection": {"source": {"by_created": [{"product": "elasticsearch", "version": "6.8.23", "major": 6, "minor": 8, "count": 1, "indices": ["plain"]}]}}})
	count(rule(map.warn, "MAP-001")) == 0 with input as i
}

test_map001_unverified if {
	# The target's version is unknown.
	dst := {"product": "", "version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "timeout"}]}
	fs := rule(map.warn, "MAP-001") with input as inp("reindex", source_56, dst, ["tweets"])
	count(fs) == 1
	some f in fs
	f.unverified
	f.severity == "error"
	contains(f.msg, "timeout")

	# The source's mappings are unknown and the indices may be 5.x ones.
	src := object.union(source_56, {"mappings": null, "unknown": [{"fact": "mappings", "endpoint": "GET /_all", "error": "HTTP 403"}]})
	fs2 := rule(map.warn, "MAP-001") with input as inp("reindex", src, cl("elasticsearch", "6.8.23"), ["tweets"])
	count(fs2) == 1
	some f2 in fs2
	f2.unverified
	f2.evidence[0] == {"fact": "clusters.source.mappings", "value": null}
}

# --- MAP-003 ---------------------------------------------------------------

test_map003_disabled_source_fails if {
	every m in ["reindex", "logstash", "elasticsearch-dump", "snapshot-reindex"] {
		fs := rule(map.warn, "MAP-003") with input as inp(m, source_56, cl("elasticsearch", "6.8.23"), ["metrics", "plain"])
		count(fs) == 1
		some f in fs
		f.severity == "error"
		f.indices == ["metrics"]
		contains(f.msg, "do not store _source")
	}
}

test_map003_filtered_source_warns if {
	fs := rule(map.warn, "MAP-003") with input as inp("reindex", source_56, cl("elasticsearch", "6.8.23"), ["audit"])
	count(fs) == 1
	some f in fs
	not f.severity
	f.indices == ["audit"]
}

test_map003_quiet if {
	count(rule(map.warn, "MAP-003")) == 0 with input as inp("reindex", source_56, cl("elasticsearch", "6.8.23"), ["plain", "tweets"])
	count(rule(map.warn, "MAP-003")) == 0 with input as inp("snapshot", source_56, cl("elasticsearch", "6.8.23"), ["metrics", "audit"])
}

test_map003_unverified if {
	src := object.union(source_56, {"mappings": null, "unknown": [{"fact": "mappings", "endpoint": "GET /_all", "error": "HTTP 403"}]})
	fs := rule(map.warn, "MAP-003") with input as inp("logstash", src, cl("elasticsearch", "7.10.2"), ["metrics"])
	count(fs) == 1
	some f in fs
	f.unverified
	f.severity == "error"
	contains(f.msg, "HTTP 403")
}

test_map001_unverified_created_unknown if {
	src := object.union(source_56, {"mappings": null, "unknown": [{"fact": "mappings", "endpoint": "GET /_all", "error": "HTTP 403"}]})
	base := inp("reindex", src, cl("elasticsearch", "7.10.2"), ["tweets"])

	# The created version of a selected index is unknown.
	i1 := object.union(base, {"selection": {"source": {"by_created": [{"product": "", "version": "", "major": 0, "minor": 0, "count": 1, "indices": ["tweets"]}]}}})
	count({f | some f in rule(map.warn, "MAP-001"); f.unverified}) == 1 with input as i1

	# The source's indices are unknown.
	i2 := object.union(base, {"selection": {"source": {"known": false, "names": [], "by_created": []}}})
	count({f | some f in rule(map.warn, "MAP-001"); f.unverified}) == 1 with input as i2
}

# --- MAP-002 ---------------------------------------------------------------

# fg is a mapping group with the given field count and types.
fg(indices, n, field_types) := object.union(mg(indices, ["_doc"], "enabled"), {"field_count": n, "field_types": field_types})

with_mappings(c, groups) := object.union(c, {"mappings": groups})

source_710 := with_mappings(cl("elasticsearch", "7.10.2"), [
	fg(["events"], 40, ["flattened", "keyword", "wildcard"]),
	fg(["vectors"], 5, ["dense_vector", "keyword", "sparse_vector"]),
	fg(["plain"], 12, ["date", "keyword", "murmur3", "text"]),
])

test_map002_copy_into_opensearch_warns if {
	every m in ["reindex", "logstash", "elasticsearch-dump"] {
		fs := rule(map.warn, "MAP-002") with input as inp(m, source_710, cl("opensearch", "2.19.1"), ["events", "vectors", "plain"])
		count(fs) == 2
		{f.indices | some f in fs} == {["events"], ["vectors"]}
		every f in fs {
			f.cluster == "destination"
			not f.unverified
			contains(f.msg, "the destination (OpenSearch 2.19.1)")
			contains(f.msg, "No handler for type")
		}

		# wildcard exists from OpenSearch 2.15; sparse_vector from 3.3.
		some f in fs
		f.indices == ["events"]
		contains(f.msg, "type flattened, which")
	}

	fs := rule(map.warn, "MAP-002") with input as inp("reindex", source_710, cl("opensearch", "2.11.0"), ["events", "vectors"])
	some f in fs
	f.indices == ["events"]
	contains(f.msg, "flattened, wildcard")
	some f2 in fs
	f2.indices == ["vectors"]
	contains(f2.msg, "dense_vector, sparse_vector")
}

test_map002_string_and_opensearch_types_into_elasticsearch if {
	src := with_mappings(cl("elasticsearch", "5.6.16"), [fg(["legacy"], 3, ["string"])])
	fs := rule(map.warn, "MAP-002") with input as inp("elasticsearch-dump", src, cl("elasticsearch", "6.8.23"), ["legacy"])
	count(fs) == 1
	some f in fs
	contains(f.msg, "type string")
	count(rule(map.warn, "MAP-002")) == 0 with input as inp("elasticsearch-dump", src, cl("elasticsearch", "5.6.16"), ["legacy"])

	os := with_mappings(cl("opensearch", "2.19.1"), [fg(["embeddings"], 3, ["flat_object", "keyword", "knn_vector"])])
	fs2 := rule(map.warn, "MAP-002") with input as inp("reindex", os, cl("elasticsearch", "8.15.1"), ["embeddings"])
	count(fs2) == 1
	some f2 in fs2
	contains(f2.msg, "flat_object, knn_vector")
}

test_map002_sparse_vector_gap if {
	# sparse_vector: removed in 8.0, back in 8.11.
	count(rule(map.warn, "MAP-002")) == 1 with input as inp("reindex", source_710, cl("elasticsearch", "8.5.3"), ["vectors"])
	count(rule(map.warn, "MAP-002")) == 0 with input as inp("reindex", source_710, cl("elasticsearch", "8.11.0"), ["vectors"])
}

test_map002_snapshot_restore if {
	# Into OpenSearch the restore fails on an Elasticsearch-only type.
	fs := rule(map.warn, "MAP-002") with input as inp("snapshot", source_710, cl("opensearch", "2.19.1"), ["events"])
	count(fs) == 1
	some f in fs
	contains(f.msg, "the restore reads these mappings there")

	# Into a later Elasticsearch the restored index keeps its types.
	count(rule(map.warn, "MAP-002")) == 0 with input as inp("snapshot", source_710, cl("elasticsearch", "8.5.3"), ["vectors"])
}

test_map002_snapshot_reindex_checks_both_clusters if {
	i := object.union(inp("snapshot-reindex", source_710, cl("elasticsearch", "8.5.3"), ["vectors"]), {"clusters": {"intermediate": cl("elasticsearch", "7.10.2")}})
	fs := rule(map.warn, "MAP-002") with input as i
	count(fs) == 1
	some f in fs
	f.cluster == "destination"
	contains(f.msg, "sparse_vector")
}

test_map002_quiet if {
	# Types every target has, and murmur3, which the table does not list.
	count(rule(map.warn, "MAP-002")) == 0 with input as inp("reindex", source_710, cl("opensearch", "1.3.20"), ["plain"])

	# Unselected indices.
	count(rule(map.warn, "MAP-002")) == 0 with input as inp("reindex", source_710, cl("opensearch", "2.19.1"), ["nothing"])

	# Mappings unknown, but the target has every type of the source's release.
	src := object.union(cl("elasticsearch", "6.8.23"), {"mappings": null, "unknown": [{"fact": "mappings", "endpoint": "GET /_all", "error": "HTTP 403"}]})
	count(rule(map.warn, "MAP-002")) == 0 with input as inp("reindex", src, cl("elasticsearch", "7.10.2"), ["plain"])
	count(rule(map.warn, "MAP-002")) == 0 with input as inp("snapshot", src, cl("elasticsearch", "7.10.2"), ["plain"])
}

test_map002_unverified if {
	# The target's version is unknown.
	dst := {"product": "", "version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "timeout"}]}
	fs := rule(map.warn, "MAP-002") with input as inp("reindex", source_710, dst, ["events", "plain"])
	count(fs) == 1
	some f in fs
	f.unverified
	f.indices == ["events"]
	contains(f.msg, "flattened, wildcard")
	contains(f.msg, "timeout")

	# The source's mappings are unknown, and OpenSearch lacks types that
	# Elasticsearch 7.10 has.
	src := object.union(cl("elasticsearch", "7.10.2"), {"mappings": null, "unknown": [{"fact": "mappings", "endpoint": "GET /_all", "error": "HTTP 403"}]})
	every m in ["snapshot", "reindex"] {
		fs2 := rule(map.warn, "MAP-002") with input as inp(m, src, cl("opensearch", "2.19.1"), ["events"])
		count(fs2) == 1
		some f2 in fs2
		f2.unverified
		contains(f2.msg, "HTTP 403")
		f2.evidence[0] == {"fact": "clusters.source.mappings", "value": null}
	}

	# Both unknown: one finding per cluster that creates the indices.
	fs3 := rule(map.warn, "MAP-002") with input as inp("snapshot-reindex", src, dst, ["events"])
	count(fs3) == 2
	unknown_src := object.union(src, {"version": null, "product": ""})
	count(rule(map.warn, "MAP-002")) == 1 with input as inp("reindex", unknown_src, cl("opensearch", "2.19.1"), ["events"])

	# A restore whose target or source product is unknown may cross products.
	fs4 := rule(map.warn, "MAP-002") with input as inp("snapshot", source_710, dst, ["events"])
	count(fs4) == 1
	count(rule(map.warn, "MAP-002")) == 1 with input as inp("snapshot", unknown_src, cl("opensearch", "2.19.1"), ["events"])
}

# --- MAP-004 ---------------------------------------------------------------

# sg is an index settings group with the given total_fields_limit.
sg(indices, limit) := {
	"indices": indices, "total_fields_limit": limit, "soft_deletes": null, "blocks": [], "allocation": [],
	"total_shards_per_node": null, "default_pipeline": "", "final_pipeline": "", "lifecycle_policy": "", "ism_policy": "",
}

source_big := object.union(source_710, {
	"mappings": [fg(["catalog", "catalog-old"], 1500, ["keyword"]), fg(["small"], 900, ["keyword"])],
	"index_settings": [sg(["catalog"], 2000), sg(["catalog-old", "small"], null)],
})

test_map004_copy_fails if {
	every m in ["reindex", "logstash", "elasticsearch-dump"] {
		fs := rule(map.deny, "MAP-004") with input as inp(m, source_big, cl("elasticsearch", "8.15.1"), ["catalog", "catalog-old", "small"])
		count(fs) == 1
		some f in fs
		f.indices == ["catalog", "catalog-old"]
		f.cluster == "destination"
		not f.unverified
		contains(f.msg, "map 1500 fields, more than the 1000 an index without a limit of its own allows")
		contains(f.msg, "raised index.mapping.total_fields.limit to 2000 for them; ")
		contains(f.msg, "Limit of total fields [1000] has been exceeded")
		f.evidence[1] == {"fact": "clusters.source.index_settings", "value": [2000]}
	}

	fs1 := rule(map.deny, "MAP-004") with input as inp("elasticsearch-dump", source_big, cl("elasticsearch", "8.15.1"), ["catalog"])
	some f1 in fs1
	contains(f1.msg, "only when --type=settings runs before --type=mapping")
	fs2 := rule(map.deny, "MAP-004") with input as inp("reindex", source_big, cl("elasticsearch", "8.15.1"), ["catalog"])
	some f2 in fs2
	contains(f2.msg, "a new index does not inherit it")

	# The reindex step of snapshot-reindex, on the intermediate.
	fs := rule(map.deny, "MAP-004") with input as inp("snapshot-reindex", source_big, cl("elasticsearch", "7.10.2"), ["catalog-old"])
	count(fs) == 1
	some f in fs
	f.cluster == "intermediate"
	not contains(f.msg, "raised")
	contains(f.msg, "the reindex step fails")
}

test_map004_existing_destination_index if {
	# catalog exists with a limit of 1200, catalog-old without one (the
	# default, as a new index), small is not there.
	dst := object.union(cl("opensearch", "2.19.1"), {"index_settings": [sg(["catalog"], 1200), sg(["catalog-old", "other"], null)]})
	fs := rule(map.deny, "MAP-004") with input as inp("reindex", source_big, dst, ["catalog", "catalog-old"])
	count(fs) == 2
	some f1 in fs
	f1.indices == ["catalog"]
	contains(f1.msg, "already exist on the destination with index.mapping.total_fields.limit 1200")
	f1.evidence[2] == {"fact": "clusters.destination.index_settings", "value": 1200}
	some f2 in fs
	f2.indices == ["catalog-old"]
	contains(f2.msg, "more than the 1000 an index without a limit of its own allows on the destination")

	# A limit high enough on the existing index.
	dst2 := object.union(dst, {"index_settings": [sg(["catalog"], 5000)]})
	fs2 := rule(map.deny, "MAP-004") with input as inp("reindex", source_big, dst2, ["catalog", "catalog-old"])
	count(fs2) == 1
	some f3 in fs2
	f3.indices == ["catalog-old"]
	contains(f3.msg, "unless the index is created there first")
}

test_map004_quiet if {
	# Under the limit; a snapshot keeps the index's settings (not applicable).
	count(rule(map.deny, "MAP-004")) == 0 with input as inp("reindex", source_big, cl("elasticsearch", "8.15.1"), ["small"])
	count(rule(map.deny, "MAP-004")) == 0 with input as inp("snapshot", source_big, cl("elasticsearch", "8.15.1"), ["catalog"])

	# Elasticsearch before 5.0 has no limit.
	count(rule(map.deny, "MAP-004")) == 0 with input as inp("reindex", source_big, cl("elasticsearch", "2.4.6"), ["catalog"])

	# The source's settings unknown: the finding stays, without the note.
	src := object.union(source_big, {"index_settings": null})
	fs := rule(map.deny, "MAP-004") with input as inp("reindex", src, cl("elasticsearch", "8.15.1"), ["catalog"])
	count(fs) == 1
	some f in fs
	not contains(f.msg, "raised")
	count(f.evidence) == 2
}

test_map004_unverified if {
	# The source's mappings are unknown.
	src := object.union(source_big, {"mappings": null, "unknown": [{"fact": "mappings", "endpoint": "GET /_all", "error": "HTTP 403"}]})
	fs := rule(map.deny, "MAP-004") with input as inp("elasticsearch-dump", src, cl("elasticsearch", "8.15.1"), ["catalog"])
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "HTTP 403")

	# The target's version is unknown: every release with the limit defaults
	# to 1000, so the copy fails all the same.
	dst := {"product": "", "version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "timeout"}]}
	fs2 := rule(map.deny, "MAP-004") with input as inp("reindex", source_big, dst, ["catalog"])
	count(fs2) == 1
	some f2 in fs2
	not f2.unverified
	f2.evidence[2] == {"fact": "clusters.destination.version", "value": null}
	f2.evidence[1] == {"fact": "clusters.source.index_settings", "value": [2000]}
}

test_map002_copies_warn_restores_fail if {
	# A restore into OpenSearch reads the mapping as it is: an error.
	restore := rule(map.warn, "MAP-002") with input as inp("snapshot", source_710, cl("opensearch", "2.19.1"), ["events"])
	count(restore) == 1
	every f in restore {
		f.severity == "error"
		contains(f.msg, "the restore reads these mappings there")
	}

	# Copies write documents into an index made by dynamic mapping or a
	# template: the fields change type, nothing fails (elasticdump's mapping
	# step fails silently, as on real 2.19 -> 7.10 nodes).
	every m in ["reindex", "logstash", "elasticsearch-dump"] {
		fs := rule(map.warn, "MAP-002") with input as inp(m, source_710, cl("opensearch", "2.19.1"), ["events"])
		count(fs) == 1
		every f in fs {
			not f.severity
			contains(f.msg, "dynamic mapping")
		}
	}
	some d in rule(map.warn, "MAP-002") with input as inp("elasticsearch-dump", source_710, cl("opensearch", "2.19.1"), ["events"])
	contains(d.msg, "mapping step fails there without a word")
}

# unknown_selection replaces inp's selection with one that is unknown (the
# source's indices could not be listed, its mappings could).
unknown_selection(i) := object.union(i, {"selection": {"source": {"known": false, "names": [], "by_created": []}}})

test_map002_map004_unknown_selection_unverified if {
	wide := object.union(source_big, {"mappings": array.concat(source_big.mappings, [fg(["events"], 40, ["flattened", "keyword"])])})
	i := unknown_selection(inp("reindex", wide, cl("opensearch", "2.19.1"), []))
	limits := rule(map.deny, "MAP-004") with input as i
	count(limits) == 1
	every f in limits {
		f.unverified
		contains(f.msg, "could not verify which indices the plan selects")
	}
	types := rule(map.warn, "MAP-002") with input as i
	count(types) == 1
	every f in types {
		f.unverified
		contains(f.msg, "could not verify which indices the plan selects")
	}

	# quiet when no group could fail
	small := object.union(source_710, {"mappings": [fg(["plain"], 12, ["date", "keyword", "text"])]})
	j := unknown_selection(inp("reindex", small, cl("opensearch", "2.19.1"), []))
	count(rule(map.deny, "MAP-004")) == 0 with input as j
	count(rule(map.warn, "MAP-002")) == 0 with input as j
}
