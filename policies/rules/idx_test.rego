package espreflight.rules.idx_test

import future.keywords.not

import data.espreflight.lib
import data.espreflight.rules.idx

cl(product, number) := {"product": product, "version": {"number": number, "major": v[0], "minor": v[1], "patch": v[2]}, "unknown": []} if {
	v := lib.parse_version(number)
}

sel(closed) := {"known": true, "names": ["closed-logs", "orders-2024"], "closed": closed}

inp(method, src, closed) := {
	"plan": {"method": method, "indices": ["closed-*", "orders-2024"]},
	"clusters": {"source": src, "destination": cl("elasticsearch", "7.17.29")},
	"selection": {"source": sel(closed)},
}

rule(fs, id) := {f | some f in fs; f.rule == id}

test_idx002_copy_methods_fail_on_closed if {
	every m in ["reindex", "logstash", "elasticsearch-dump"] {
		fs := rule(idx.warn, "IDX-002") with input as inp(m, cl("elasticsearch", "7.17.29"), ["closed-logs"])
		count(fs) == 1
		some f in fs
		f.indices == ["closed-logs"]
		f.severity == "error"
		not f.unverified
		contains(f.msg, "index_closed_exception")
	}
}

test_idx002_snapshot_before_72_fails if {
	every m in ["snapshot", "snapshot-reindex"] {
		fs := rule(idx.warn, "IDX-002") with input as inp(m, cl("elasticsearch", "6.8.23"), ["closed-logs"])
		count(fs) == 1
		some f in fs
		f.severity == "error"
		contains(f.msg, "cannot snapshot a closed index")
	}
}

test_idx002_snapshot_wildcard_only_warns if {
	# 7.x and OpenSearch: reached by "closed-*" only.
	every src in [cl("elasticsearch", "7.10.2"), cl("opensearch", "1.3.14")] {
		fs := rule(idx.warn, "IDX-002") with input as inp("snapshot", src, ["closed-logs"])
		count(fs) == 1
		some f in fs
		not f.severity
		f.indices == ["closed-logs"]
	}
}

test_idx002_snapshot_quiet if {
	# Named in the plan (the ground truth snap-os13-to-os219-closed), or 8.x.
	named := object.union(inp("snapshot", cl("opensearch", "1.3.14"), ["closed-logs"]), {"plan": {"indices": ["closed-logs", "orders-2024"]}})
	count(rule(idx.warn, "IDX-002")) == 0 with input as named
	count(rule(idx.warn, "IDX-002")) == 0 with input as inp("snapshot", cl("elasticsearch", "8.19.21"), ["closed-logs"])

	# Nothing closed.
	count(rule(idx.warn, "IDX-002")) == 0 with input as inp("reindex", cl("elasticsearch", "6.8.23"), [])
}

test_idx002_unverified if {
	# Unknown source indices.
	i := object.union(inp("reindex", cl("elasticsearch", "7.10.2"), []), {"selection": {"source": {"known": false}}})
	fs := rule(idx.warn, "IDX-002") with input as i
	count(fs) == 1
	some f in fs
	f.unverified
	f.evidence[0].value == null

	# Unknown source version for a snapshot.
	src := {"version": null, "product": "", "unknown": [{"fact": "version", "endpoint": "GET /", "error": "timeout"}]}
	fs2 := rule(idx.warn, "IDX-002") with input as inp("snapshot", src, ["closed-logs"])
	count(fs2) == 1
	some f2 in fs2
	f2.unverified
	contains(f2.msg, "timeout")
}
