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
