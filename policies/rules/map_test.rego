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

test_map002_copy_into_opensearch_fails if {
	every m in ["reindex", "logstash", "elasticsearch-dump"] {
		fs := rule(map.deny, "MAP-002") with input as inp(m, source_710, cl("opensearch", "2.19.1"), ["events", "vectors", "plain"])
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

	fs := rule(map.deny, "MAP-002") with input as inp("reindex", source_710, cl("opensearch", "2.11.0"), ["events", "vectors"])
	some f in fs
	f.indices == ["events"]
	contains(f.msg, "flattened, wildcard")
	some f2 in fs
	f2.indices == ["vectors"]
	contains(f2.msg, "dense_vector, sparse_vector")
}

test_map002_string_and_opensearch_types_into_elasticsearch if {
	src := with_mappings(cl("elasticsearch", "5.6.16"), [fg(["legacy"], 3, ["string"])])
	fs := rule(map.deny, "MAP-002") with input as inp("elasticsearch-dump", src, cl("elasticsearch", "6.8.23"), ["legacy"])
	count(fs) == 1
	some f in fs
	contains(f.msg, "type string")
	count(rule(map.deny, "MAP-002")) == 0 with input as inp("elasticsearch-dump", src, cl("elasticsearch", "5.6.16"), ["legacy"])

	os := with_mappings(cl("opensearch", "2.19.1"), [fg(["embeddings"], 3, ["flat_object", "keyword", "knn_vector"])])
	fs2 := rule(map.deny, "MAP-002") with input as inp("reindex", os, cl("elasticsearch", "8.15.1"), ["embeddings"])
	count(fs2) == 1
	some f2 in fs2
	contains(f2.msg, "flat_object, knn_vector")
}

test_map002_sparse_vector_gap if {
	# sparse_vector: removed in 8.0, back in 8.11.
	count(rule(map.deny, "MAP-002")) == 1 with input as inp("reindex", source_710, cl("elasticsearch", "8.5.3"), ["vectors"])
	count(rule(map.deny, "MAP-002")) == 0 with input as inp("reindex", source_710, cl("elasticsearch", "8.11.0"), ["vectors"])
}

test_map002_snapshot_restore if {
	# Into OpenSearch the restore fails on an Elasticsearch-only type.
	fs := rule(map.deny, "MAP-002") with input as inp("snapshot", source_710, cl("opensearch", "2.19.1"), ["events"])
	count(fs) == 1
	some f in fs
	contains(f.msg, "the restore reads these mappings there")

	# Into a later Elasticsearch the restored index keeps its types.
	count(rule(map.deny, "MAP-002")) == 0 with input as inp("snapshot", source_710, cl("elasticsearch", "8.5.3"), ["vectors"])
}

test_map002_snapshot_reindex_checks_both_clusters if {
	i := object.union(inp("snapshot-reindex", source_710, cl("elasticsearch", "8.5.3"), ["vectors"]), {"clusters": {"intermediate": cl("elasticsearch", "7.10.2")}})
	fs := rule(map.deny, "MAP-002") with input as i
	count(fs) == 1
	some f in fs
	f.cluster == "destination"
	contains(f.msg, "sparse_vector")
}

test_map002_quiet if {
	# Types every target has, and murmur3, which the table does not list.
	count(rule(map.deny, "MAP-002")) == 0 with input as inp("reindex", source_710, cl("opensearch", "1.3.20"), ["plain"])

	# Unselected indices.
	count(rule(map.deny, "MAP-002")) == 0 with input as inp("reindex", source_710, cl("opensearch", "2.19.1"), ["nothing"])

	# Mappings unknown, but the target has every type of the source's release.
	src := object.union(cl("elasticsearch", "6.8.23"), {"mappings": null, "unknown": [{"fact": "mappings", "endpoint": "GET /_all", "error": "HTTP 403"}]})
	count(rule(map.deny, "MAP-002")) == 0 with input as inp("reindex", src, cl("elasticsearch", "7.10.2"), ["plain"])
	count(rule(map.deny, "MAP-002")) == 0 with input as inp("snapshot", src, cl("elasticsearch", "7.10.2"), ["plain"])
}

test_map002_unverified if {
	# The target's version is unknown.
	dst := {"product": "", "version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "timeout"}]}
	fs := rule(map.deny, "MAP-002") with input as inp("reindex", source_710, dst, ["events", "plain"])
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
		fs2 := rule(map.deny, "MAP-002") with input as inp(m, src, cl("opensearch", "2.19.1"), ["events"])
		count(fs2) == 1
		some f2 in fs2
		f2.unverified
		contains(f2.msg, "HTTP 403")
		f2.evidence[0] == {"fact": "clusters.source.mappings", "value": null}
	}

	# Both unknown: one finding per cluster that creates the indices.
	fs3 := rule(map.deny, "MAP-002") with input as inp("snapshot-reindex", src, dst, ["events"])
	count(fs3) == 2
	unknown_src := object.union(src, {"version": null, "product": ""})
	count(rule(map.deny, "MAP-002")) == 1 with input as inp("reindex", unknown_src, cl("opensearch", "2.19.1"), ["events"])

	# A restore whose target or source product is unknown may cross products.
	fs4 := rule(map.deny, "MAP-002") with input as inp("snapshot", source_710, dst, ["events"])
	count(fs4) == 1
	count(rule(map.deny, "MAP-002")) == 1 with input as inp("snapshot", unknown_src, cl("opensearch", "2.19.1"), ["events"])
}
