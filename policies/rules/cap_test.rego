package espreflight.rules.cap_test

import future.keywords.not

import data.espreflight.lib
import data.espreflight.rules.cap

gib := 1073741824

node(name, total, avail) := {"node": name, "shards": 10, "disk_total_bytes": total, "disk_avail_bytes": avail, "disk_used_bytes": total - avail, "disk_indices_bytes": 0}

settings := {
	"cluster.max_shards_per_node": 1000,
	"cluster.routing.allocation.disk.threshold_enabled": "true",
	"cluster.routing.allocation.disk.watermark.high": "90%",
	"cluster.routing.allocation.disk.watermark.enable_for_single_data_node": "false",
}

# Two data nodes of 100 GiB with 50 GiB free: 40 GiB each under 90%.
dst(shards, extra) := object.union(
	{
		"product": "elasticsearch",
		"version": {"number": "7.17.29", "major": 7, "minor": 17, "patch": 29},
		"nodes": [{"name": "a", "roles": ["data"]}, {"name": "b", "roles": ["data"]}],
		"indices": [{"name": "old", "status": "close", "primary_shards": 5, "replicas": 1}],
		"settings": settings,
		"capacity": {"data_nodes": [node("a", 100 * gib, 50 * gib), node("b", 100 * gib, 50 * gib)], "shards": shards, "unassigned_shards": 0},
		"unknown": [],
	},
	extra,
)

inp(method, d, s) := {
	"plan": {"method": method},
	"clusters": {"source": {"unknown": []}, "destination": d},
	"selection": {"source": object.union({"known": true, "count": 10, "primary_shards": 100, "shards": 200, "primary_store_bytes": 30 * gib, "store_bytes": 60 * gib}, s)},
}

rule(fs, id) := {f | some f in fs; f.rule == id}

test_cap001_over_limit if {
	# 1 900 + 200 > 2 x 1000.
	fs := rule(cap.deny, "CAP-001") with input as inp("snapshot", dst(1900, {}), {})
	count(fs) == 1
	some f in fs
	f.cluster == "destination"
	not f.unverified
	contains(f.msg, "adds 200 shard copies (100 primaries and their replicas) to the destination's 1900 (every copy _cat/allocation lists, closed indices' included), above its shard limit of 2000")
}

test_cap001_quiet if {
	count(rule(cap.deny, "CAP-001")) == 0 with input as inp("reindex", dst(1000, {}), {})

	# 1 800 + 200 = 2 000: at the limit, not above.
	count(rule(cap.deny, "CAP-001")) == 0 with input as inp("snapshot", dst(1800, {}), {})

	# 6.x does not enforce the limit.
	six := dst(1900, {"version": {"number": "6.8.23", "major": 6, "minor": 8, "patch": 23}})
	count(rule(cap.deny, "CAP-001")) == 0 with input as inp("snapshot", six, {})
}

test_cap001_frozen_nodes_do_not_count if {
	d := dst(1100, {"nodes": [{"name": "a", "roles": ["data_hot", "data_content"]}, {"name": "b", "roles": ["data_frozen"]}]})
	fs := rule(cap.deny, "CAP-001") with input as inp("snapshot", d, {})
	some f in fs
	contains(f.msg, "1000 x 1 data node(s)")
}

test_cap001_unverified if {
	d := dst(0, {"capacity": null, "unknown": [{"fact": "capacity", "endpoint": "GET /_cat/allocation", "error": "HTTP 403"}]})
	fs := rule(cap.deny, "CAP-001") with input as inp("snapshot", d, {})
	count(fs) == 1
	some f in fs
	f.unverified
	f.evidence[0] == {"fact": "clusters.destination.capacity", "value": null}
	contains(f.msg, "HTTP 403")

	fs2 := rule(cap.deny, "CAP-001") with input as inp("snapshot", dst(0, {}), {"known": false})
	count(fs2) == 1
	some f2 in fs2
	f2.unverified
}

test_cap001_snapshot_reindex_checks_intermediate if {
	i := object.union(inp("snapshot-reindex", dst(0, {}), {}), {"clusters": {"intermediate": dst(1900, {})}})
	fs := rule(cap.deny, "CAP-001") with input as i
	count(fs) == 1
	some f in fs
	f.cluster == "intermediate"
}

test_cap002_primaries_do_not_fit if {
	fs := rule(cap.warn, "CAP-002") with input as inp("snapshot", dst(0, {}), {"primary_store_bytes": 90 * gib, "store_bytes": 180 * gib})
	count(fs) == 1
	some f in fs
	f.severity == "error"
	contains(f.msg, "90.0 GiB of primaries")
	contains(f.msg, "80.0 GiB over its data nodes")
}

test_cap002_replicas_do_not_fit_warns if {
	fs := rule(cap.warn, "CAP-002") with input as inp("reindex", dst(0, {}), {"primary_store_bytes": 50 * gib, "store_bytes": 100 * gib})
	count(fs) == 1
	some f in fs
	not f.severity
}

test_cap002_quiet if {
	count(rule(cap.warn, "CAP-002")) == 0 with input as inp("snapshot", dst(0, {}), {})

	# Watermark as a byte size of free space to keep: 45 GiB each under 5gb.
	d := dst(0, {"settings": object.union(settings, {"cluster.routing.allocation.disk.watermark.high": "5gb"})})
	count(rule(cap.warn, "CAP-002")) == 0 with input as inp("snapshot", d, {"primary_store_bytes": 45 * gib, "store_bytes": 90 * gib})
}

test_cap002_headroom_and_single_node if {
	# 8.x max_headroom 1gb caps the 10% reserve: 49 GiB each.
	h := dst(0, {"settings": object.union(settings, {"cluster.routing.allocation.disk.watermark.high.max_headroom": "1gb"})})
	count(rule(cap.warn, "CAP-002")) == 0 with input as inp("snapshot", h, {"primary_store_bytes": 49 * gib, "store_bytes": 98 * gib})

	# One data node, enable_for_single_data_node false: the whole 50 GiB free.
	one := dst(0, {"capacity": {"data_nodes": [node("a", 100 * gib, 50 * gib)], "shards": 0, "unassigned_shards": 0}})
	count(rule(cap.warn, "CAP-002")) == 0 with input as inp("snapshot", one, {"primary_store_bytes": 45 * gib, "store_bytes": 45 * gib})
	fs := rule(cap.warn, "CAP-002") with input as inp("snapshot", one, {"primary_store_bytes": 55 * gib, "store_bytes": 55 * gib})
	some f in fs
	contains(f.msg, "watermarks do not apply")
}

test_cap002_unverified if {
	d := dst(0, {"settings": null, "unknown": [{"fact": "settings", "endpoint": "GET /_cluster/settings", "error": "HTTP 403"}]})
	fs := rule(cap.warn, "CAP-002") with input as inp("snapshot", d, {})
	count(fs) == 1
	some f in fs
	f.unverified

	nodisk := dst(0, {"capacity": {"data_nodes": [{"node": "a", "shards": 0, "disk_total_bytes": null, "disk_avail_bytes": null}], "shards": 0, "unassigned_shards": 0}})
	fs2 := rule(cap.warn, "CAP-002") with input as inp("snapshot", nodisk, {})
	count(fs2) == 1
	some f2 in fs2
	f2.unverified

	fs3 := rule(cap.warn, "CAP-002") with input as inp("snapshot", dst(0, {}), {"known": false})
	count(fs3) == 1
	some f3 in fs3
	f3.unverified
	f3.cluster == "source"
}

test_cap_size_bytes if {
	cap.size_bytes("5gb") == 5 * gib
	cap.size_bytes("512MB") == 536870912
	cap.size_bytes("1.5tb") == 1649267441664
	lib.human_bytes(gib) == "1.0 GiB"
}

test_cap001_versions_and_setting_forms if {
	# OpenSearch, the setting as a string, a node with data_frozen and data_hot.
	os := dst(1900, {
		"product": "opensearch",
		"version": {"number": "2.19.6", "major": 2, "minor": 19, "patch": 6},
		"nodes": [{"name": "a", "roles": ["data"]}, {"name": "b", "roles": ["data_frozen", "data_hot"]}],
		"settings": object.union(settings, {"cluster.max_shards_per_node": "1000"}),
	})
	fs := rule(cap.deny, "CAP-001") with input as inp("snapshot", os, {})
	some f in fs
	contains(f.msg, "to the destination's 1900 (every copy _cat/allocation lists, closed indices' included), above its shard limit of 2000")

	# 7.0 enforces the limit.
	v70 := dst(1805, {"version": {"number": "7.0.1", "major": 7, "minor": 0, "patch": 1}})
	fs2 := rule(cap.deny, "CAP-001") with input as inp("snapshot", v70, {})
	some f2 in fs2
	contains(f2.msg, "to the destination's 1805")
}

test_cap001_unreadable_setting_unverified if {
	d := dst(0, {"settings": {"cluster.max_shards_per_node": "lots"}})
	fs := rule(cap.deny, "CAP-001") with input as inp("snapshot", d, {})
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "no readable cluster.max_shards_per_node")
}

test_cap002_ratio_watermark if {
	d := dst(0, {"settings": object.union(settings, {"cluster.routing.allocation.disk.watermark.high": "0.9"})})
	count(rule(cap.warn, "CAP-002")) == 0 with input as inp("snapshot", d, {"primary_store_bytes": 40 * gib, "store_bytes": 80 * gib})
	count(rule(cap.warn, "CAP-002")) == 1 with input as inp("snapshot", d, {"primary_store_bytes": 40 * gib, "store_bytes": 81 * gib})
}
