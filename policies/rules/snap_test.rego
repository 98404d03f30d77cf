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
