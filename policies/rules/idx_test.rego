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

# --- IDX-001 ---------------------------------------------------------------

node(name, attrs) := {"name": name, "version": "8.19.21", "roles": ["data", "master"], "plugins": [], "attributes": attrs}

alloc_inp(method, filters, nodes) := {
	"plan": {"method": method},
	"selection": {"source": {"known": true, "names": ["logs-1", "logs-2"]}},
	"clusters": {
		"source": object.union(cl("elasticsearch", "7.17.29"), {"index_settings": [
			{"indices": ["logs-1", "logs-2", "other"], "allocation": filters},
			{"indices": ["plain"], "allocation": []},
		]}),
		"destination": object.union(cl("elasticsearch", "8.19.21"), {"nodes": nodes}),
	},
}

idx001(method, filters, nodes) := {f | some f in idx.deny with input as alloc_inp(method, filters, nodes); f.rule == "IDX-001"}

hot := [{"rule": "require", "attribute": "box_type", "values": ["hot"]}]

test_idx001_no_node_satisfies_the_filters_fails if {
	fs := idx001("snapshot", hot, [node("n1", {"box_type": "warm"}), node("n2", {})])
	count(fs) == 1
	some f in fs
	not f.unverified
	f.indices == ["logs-1", "logs-2"]
	contains(f.msg, "require.box_type: hot")
	contains(f.msg, "unassigned")

	# a node name that is not on the destination
	count(idx001("snapshot", [{"rule": "include", "attribute": "_name", "values": ["es-old-*"]}], [node("n1", {})])) == 1

	# every node excluded
	count(idx001("snapshot", [{"rule": "exclude", "attribute": "zone", "values": ["a", "b"]}], [node("n1", {"zone": "a"}), node("n2", {"zone": "b"})])) == 1
}

test_idx001_quiet if {
	count(idx001("snapshot", hot, [node("n1", {"box_type": "warm"}), node("n2", {"box_type": "hot"})])) == 0
	count(idx001("snapshot", [{"rule": "include", "attribute": "_name", "values": ["es-old-*", "n*"]}], [node("n1", {})])) == 0
	count(idx001("snapshot", [{"rule": "exclude", "attribute": "zone", "values": ["a"]}], [node("n1", {"zone": "a"}), node("n2", {})])) == 0

	# _tier_preference is not a filter this rule checks
	count(idx001("snapshot", [{"rule": "include", "attribute": "_tier_preference", "values": ["data_content"]}], [node("n1", {})])) == 0

	# a copy writes new indices without the filters
	count(idx001("reindex", hot, [node("n1", {})])) == 0
}

test_idx001_unverified if {
	fs := idx001("snapshot", [{"rule": "require", "attribute": "_ip", "values": ["10.0.0.5"]}], [node("n1", {})])
	count(fs) == 1
	some f in fs
	f.unverified

	# nodes whose attributes the facts do not hold
	count(idx001("snapshot", hot, [{"name": "n1", "roles": ["data"]}])) == 1

	# nodes unknown
	i := object.union(alloc_inp("snapshot", hot, []), {"clusters": {"destination": {"nodes": null, "unknown": [{"fact": "nodes", "endpoint": "GET /_nodes/plugins", "error": "timeout"}]}}})
	us := {f | some f in idx.deny with input as i; f.rule == "IDX-001"}
	count(us) == 1
	some u in us
	contains(u.msg, "timeout")

	# the source's settings unknown
	j := object.union(alloc_inp("snapshot", hot, []), {"clusters": {"source": {"index_settings": null, "unknown": [{"fact": "index_settings", "endpoint": "GET /_all/_settings", "error": "HTTP 403"}]}}})
	vs := {f | some f in idx.deny with input as j; f.rule == "IDX-001"}
	count(vs) == 1
	some w in vs
	contains(w.msg, "HTTP 403")
}

test_idx001_snapshot_reindex_checks_the_intermediate if {
	i := object.union(alloc_inp("snapshot-reindex", hot, [node("d1", {"box_type": "hot"})]), {"clusters": {"intermediate": object.union(cl("elasticsearch", "7.10.2"), {"nodes": [node("i1", {})]})}})
	fs := {f | some f in idx.deny with input as i; f.rule == "IDX-001"}
	count(fs) == 1
	some f in fs
	f.cluster == "intermediate"
}

test_idx001_unknown_selection_unverified if {
	i := object.union(alloc_inp("snapshot", hot, [node("n1", {"box_type": "hot"})]), {"selection": {"source": {"known": false, "names": []}}})
	fs := {f | some f in idx.deny with input as i; f.rule == "IDX-001"}
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "could not verify which indices the plan selects")

	# _tier_preference alone is nothing to check
	j := object.union(alloc_inp("snapshot", [{"rule": "include", "attribute": "_tier_preference", "values": ["data_content"]}], [node("n1", {})]), {"selection": {"source": {"known": false, "names": []}}})
	count({f | some f in idx.deny with input as j; f.rule == "IDX-001"}) == 0
}

test_idx001_counts_each_data_node_once if {
	tiers := {"name": "n1", "version": "8.19.21", "roles": ["data_content", "data_hot", "master"], "plugins": [], "attributes": {}}
	fs := {f | some f in idx.deny with input as alloc_inp("snapshot", hot, [tiers]); f.rule == "IDX-001"}
	some f in fs
	some e in f.evidence
	e.fact == "clusters.destination.nodes"
	e.value == "1 data node(s)"
}
