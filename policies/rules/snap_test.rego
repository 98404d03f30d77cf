package espreflight.rules.snap_test

import future.keywords.not

import data.espreflight.rules.snap

dst_indices := [
	{"name": "orders-2024", "status": "open"},
	{"name": "orders-2025", "status": "close"},
	{"name": "restored_orders-2023", "status": "open"},
]

inp(plan) := {
	"plan": object.union({"method": "snapshot", "mode": "full", "snapshot": null}, plan),
	"clusters": {
		"source": {"indices": [], "unknown": []},
		"destination": {"indices": dst_indices, "unknown": []},
	},
	"selection": {"source": {"known": true, "names": ["orders-2023", "orders-2024", "orders-2025"]}},
}

test_snap001_incremental_warning if {
	ws := snap.warn with input as inp({"mode": "incremental", "indices": ["x"]})
	some w in ws
	w.location == "mode"
	contains(w.msg, "closed before each restore")
}

test_snap001_incremental_snapshot_reindex if {
	ws := snap.warn with input as inp({"method": "snapshot-reindex", "mode": "incremental"})
	count(ws) == 1
}

test_snap001_open_index_conflict if {
	ws := snap.warn with input as inp({})
	count(ws) == 1
	some w in ws
	w.indices == ["orders-2024"]
	w.severity == "error"
	contains(w.msg, "will fail")
}

test_snap001_rename_pattern if {
	p := {"snapshot": {"rename_pattern": "(.+)", "rename_replacement": "restored_$1"}}
	ws := snap.warn with input as inp(p)
	some w in ws
	w.indices == ["restored_orders-2023"]
}

test_snap001_quiet_without_conflict if {
	i := object.union(inp({}), {"selection": {"source": {"names": ["orders-2025"]}}})
	count(snap.warn) == 0 with input as i
	count(snap.warn) == 0 with input as object.union(inp({}), {"plan": {"method": "logstash"}})
}

test_snap001_unknown_destination_indices if {
	i := object.union(inp({}), {"clusters": {"destination": {"indices": null, "unknown": [{"fact": "indices", "endpoint": "GET /_cat/indices", "error": "HTTP 403"}]}}})
	ws := snap.warn with input as i
	count(ws) == 1
	some w in ws
	w.unverified
	w.cluster == "destination"
	contains(w.msg, "HTTP 403")
}

# Closed destination indices and the source indices restored onto them, by
# primary shard count.
shard_inp(src_shards, dst_shards, plan) := object.union(inp(plan), {
	"clusters": {
		"source": {"indices": [{"name": "orders-2025", "status": "open", "primary_shards": src_shards}, {"name": "orders-2023", "status": "open", "primary_shards": 1}]},
		"destination": {"indices": [{"name": "orders-2025", "status": "close", "primary_shards": dst_shards}]},
	},
	"selection": {"source": {"names": ["orders-2023", "orders-2025"]}},
})

test_snap001_closed_index_other_shard_count_fails if {
	ws := snap.warn with input as shard_inp(3, 5, {})
	count(ws) == 1
	some w in ws
	w.severity == "error"
	not w.unverified
	w.indices == ["orders-2025"]
	contains(w.msg, "with 5 primary shard(s) where the snapshot's index has 3")
}

test_snap001_closed_index_same_shard_count_passes if {
	count(snap.warn) == 0 with input as shard_inp(3, 3, {})

	# A rename that moves the restore away from the closed index.
	p := {"snapshot": {"rename_pattern": "(.+)", "rename_replacement": "restored_$1"}}
	count(snap.warn) == 0 with input as shard_inp(3, 5, p)
	count(snap.warn) == 0 with input as object.union(shard_inp(3, 5, {}), {"plan": {"method": "logstash"}})
}

test_snap001_closed_index_renamed_onto_it_fails if {
	# orders-2023 is restored as orders-2025, onto the closed index.
	p := {"snapshot": {"rename_pattern": "2023", "rename_replacement": "2025"}}
	ws := snap.warn with input as shard_inp(1, 3, p)
	count(ws) == 1
	some w in ws
	w.indices == ["orders-2023", "orders-2025"]
	contains(w.msg, "with 3 primary shard(s) where the snapshot's index has 1")
}

test_snap001_closed_index_unknown_shard_count_unverified if {
	ws := snap.warn with input as shard_inp(3, 0, {})
	count(ws) == 1
	some w in ws
	w.unverified
	w.severity == "error"
	w.indices == ["orders-2025"]
}

# The seeded clusters of the ground truth: "orders" over orders-2024 and
# orders-2025 (its write index) on both clusters.
src_aliases := [
	{"name": ".kibana", "index": ".kibana_1", "is_write_index": false},
	{"name": "orders", "index": "orders-2024", "is_write_index": false},
	{"name": "orders", "index": "orders-2025", "is_write_index": true},
	{"name": "sales", "index": "sales-2025", "is_write_index": true},
	{"name": "logs", "index": "logs-app", "is_write_index": false},
]

dst_aliases := [
	{"name": "orders", "index": "orders-2024", "is_write_index": false},
	{"name": "orders", "index": "orders-2025", "is_write_index": true},
	{"name": "sales", "index": "sales-2025", "is_write_index": true},
]

alias_dst_indices := [
	{"name": "orders-2024", "status": "open"},
	{"name": "orders-2025", "status": "open"},
	{"name": "sales-2025", "status": "close"},
	{"name": "logs", "status": "open"},
]

alias_inp(plan, names) := {
	"plan": object.union({"method": "snapshot", "mode": "full", "snapshot": {"rename_pattern": "(.+)", "rename_replacement": "restored-$1"}}, plan),
	"clusters": {
		"source": {"indices": [], "aliases": src_aliases, "unknown": []},
		"destination": {"indices": alias_dst_indices, "aliases": dst_aliases, "unknown": []},
	},
	"selection": {"source": {"known": true, "names": names}},
}

test_snap002_second_write_index if {
	fs := snap.deny with input as alias_inp({}, ["orders-2024", "orders-2025"])
	count(fs) == 1
	some f in fs
	f.rule == "SNAP-002"
	f.indices == ["orders-2025"]
	f.cluster == "destination"
	not f.unverified
	contains(f.msg, "alias [orders] has more than one write index")
	contains(f.msg, "already has the write index orders-2025")
	f.evidence[2] == {"fact": "plan.snapshot.include_aliases", "value": true}
}

test_snap002_snapshot_reindex_and_explicit_true if {
	p := {"method": "snapshot-reindex", "snapshot": {"include_aliases": true}}
	fs := snap.deny with input as alias_inp(p, ["orders-2025"])
	count(fs) == 1
	some f in fs
	f.indices == ["orders-2025"]
	f.evidence[2].value == true
}

test_snap002_alias_named_like_a_destination_index if {
	fs := snap.deny with input as alias_inp({}, ["logs-app"])
	count(fs) == 1
	some f in fs
	f.indices == ["logs-app"]
	contains(f.msg, "has an index named \"logs\"")
}

test_snap002_alias_named_like_a_closed_or_unknown_status_index if {
	# "logs" is a closed destination index, or one whose status is unknown.
	count(snap.deny) == 1 with input as dest_with("logs", {"status": "close", "primary_shards": 1})
	count(snap.deny) == 1 with input as dest_with("logs", {"status": "close"})
	count(snap.deny) == 1 with input as dest_with("logs", {})
	count(snap.deny) == 1 with input as dest_with("logs", {"status": ""})

	# no index of that name, whatever the status of the others
	count(snap.deny) == 0 with input as dest_with("logs-2", {"status": "open"})
	count(snap.deny) == 0 with input as dest_with("logs-2", {})
}

dest_with(name, status) := object.union(alias_inp({}, ["logs-app"]), {"clusters": {"destination": {"indices": [object.union({"name": name}, status)]}}})

test_snap002_quiet_without_aliases if {
	# include_aliases: false restores no alias at all.
	count(snap.deny) == 0 with input as alias_inp({"snapshot": {"include_aliases": false}}, ["orders-2025", "logs-app"])

	# not a snapshot restore
	count(snap.deny) == 0 with input as alias_inp({"method": "reindex"}, ["orders-2025", "logs-app"])
}

test_snap002_non_write_member_joins if {
	# orders-2024 is not the write index: it joins the destination's "orders".
	count(snap.deny) == 0 with input as alias_inp({}, ["orders-2024", ".kibana_1"])
}

test_snap002_no_clash if {
	# the destination's "orders" has no write index, or there is no such alias
	i := object.union(alias_inp({}, ["orders-2025"]), {"clusters": {"destination": {"aliases": [{"name": "orders", "index": "orders-2024", "is_write_index": false}]}}})
	count(snap.deny) == 0 with input as i
	j := object.union(alias_inp({}, ["orders-2025"]), {"clusters": {"destination": {"aliases": []}}})
	count(snap.deny) == 0 with input as j

	# a source version without write indices (is_write_index null)
	k := object.union(alias_inp({}, ["orders-2025"]), {"clusters": {"source": {"aliases": [{"name": "orders", "index": "orders-2025", "is_write_index": null}]}}})
	count(snap.deny) == 0 with input as k
}

test_snap002_restore_over_the_write_index_itself if {
	# The destination's write index of "sales" is the index the restore
	# replaces (no rename): the alias keeps one write index.
	i := object.union(alias_inp({"snapshot": {"rename_pattern": ""}}, ["sales-2025"]), {"plan": {"snapshot": {"rename_replacement": ""}}})
	count(snap.deny) == 0 with input as i

	# renamed: a second write index
	fs := snap.deny with input as alias_inp({}, ["sales-2025"])
	count(fs) == 1
}

test_snap002_unknown_destination_aliases if {
	i := object.union(alias_inp({}, ["orders-2025"]), {"clusters": {"destination": {"aliases": null, "unknown": [{"fact": "aliases", "endpoint": "GET /_cat/aliases", "error": "HTTP 403"}]}}})
	fs := snap.deny with input as i
	count(fs) == 1
	some f in fs
	f.unverified
	f.cluster == "destination"
	contains(f.msg, "the destination's aliases are unknown (HTTP 403)")
}

test_snap002_unknown_source_indices_and_aliases if {
	i := object.union(alias_inp({}, []), {
		"clusters": {"source": {"indices": null, "aliases": null, "unknown": [
			{"fact": "indices", "endpoint": "GET /_cat/indices", "error": "timeout"},
			{"fact": "aliases", "endpoint": "GET /_cat/aliases", "error": "timeout"},
		]}},
		"selection": {"source": {"known": false, "names": []}},
	})
	fs := snap.deny with input as i
	count(fs) == 2
	every f in fs {
		f.unverified
		f.cluster == "source"
	}

	# nothing to verify without restoring aliases
	count(snap.deny) == 0 with input as object.union(i, {"plan": {"snapshot": {"include_aliases": false}}})
}

gs_cluster(templates, pipelines, policies, scripts) := {
	"product": "elasticsearch",
	"unknown": [],
	"templates": {"legacy": [], "composable": [{"name": n} | some n in templates], "component": []},
	"pipelines": [{"name": n, "processors": []} | some n in pipelines],
	"lifecycle_policies": [{"name": n, "kind": "ilm", "actions": []} | some n in policies],
	"stored_scripts": [{"id": n, "lang": "painless"} | some n in scripts],
}

gs_inp(gs, src, dst) := {
	"plan": {"method": "snapshot", "snapshot": {"include_global_state": gs}},
	"clusters": {"source": src, "destination": dst},
}

snap003(i) := {f | some f in snap.warn with input as i; f.rule == "SNAP-003"}

test_snap003_global_state_lists_what_the_destination_loses if {
	src := gs_cluster(["logs"], ["enrich"], ["hot"], [])
	dst := gs_cluster(["logs", "metrics"], ["enrich", "geo"], ["hot", "keep-90d"], ["score"])
	fs := snap003(gs_inp(true, src, dst))
	count(fs) == 1
	some f in fs
	not f.unverified
	contains(f.msg, "composable templates: metrics")
	contains(f.msg, "ingest pipelines: geo")
	contains(f.msg, "ILM policies: keep-90d")
	contains(f.msg, "stored scripts: score")
	count(f.evidence) == 5
}

test_snap003_global_state_with_unknown_lists_still_warns if {
	src := {"product": "elasticsearch", "templates": null, "pipelines": null, "lifecycle_policies": null, "stored_scripts": null, "unknown": [{"fact": "templates", "endpoint": "GET /_index_template", "error": "HTTP 403"}]}
	fs := snap003(gs_inp(true, src, gs_cluster([], [], [], [])))
	count(fs) == 1
	some f in fs
	contains(f.msg, "could not be listed")
}

test_snap003_quiet if {
	c := gs_cluster(["logs"], [], [], [])
	count(snap003(gs_inp(false, c, gs_cluster(["other"], [], [], [])))) == 0
	count(snap003({"plan": {"method": "snapshot"}, "clusters": {"source": c, "destination": c}})) == 0
	i := object.union(gs_inp(true, c, c), {"plan": {"method": "reindex"}})
	count(snap003(i)) == 0
}
