package espreflight.rules.sys_test

import future.keywords.not

import data.espreflight.lib
import data.espreflight.rules.sys

known_sel(dot) := {"source": {"known": true, "dot_prefixed": dot, "count": 10}}

test_sys001_fires_on_selected_system_indices if {
	ws := sys.warn with input as {"plan": {"indices": ["*"]}, "selection": known_sel([".kibana_1", ".security-7"])}
	count(ws) == 1
	some w in ws
	w.rule == "SYS-001"
	w.indices == [".kibana_1", ".security-7"]
	contains(w.msg, "2 system index")
}

test_sys001_quiet_without_system_indices if {
	ws := sys.warn with input as {"plan": {"indices": ["*"]}, "selection": known_sel([])}
	count(ws) == 0
}

test_sys001_preview_truncates if {
	names := [".a", ".b", ".c", ".d", ".e", ".f", ".g"]
	ws := sys.warn with input as {"plan": {"indices": ["*"]}, "selection": known_sel(names)}
	some w in ws
	contains(w.msg, "and 2 more")
}

test_sys001_explicit_pattern_without_facts if {
	inp := {"plan": {"indices": ["orders-*", ".kibana"]}, "selection": {"source": {"known": false}}}
	ws := sys.warn with input as inp
	count(ws) == 1
	some w in ws
	w.location == "indices[1]"
	not w.unverified
}

test_sys001_data_stream_backing_pattern_is_user_data if {
	inp := {"plan": {"indices": [".ds-logs-*"]}, "selection": {"source": {"known": false}}}
	count(sys.warn) == 0 with input as inp
}

test_sys001_wildcard_without_facts_unverified if {
	every pat in ["*", "_all", "*-2024"] {
		unverified_for(pat)
	}
}

unverified_for(pat) if {
	inp := {
		"plan": {"indices": [pat]},
		"selection": {"source": {"known": false}},
		"clusters": {"source": {"indices": null, "unknown": [{"fact": "indices", "endpoint": "", "error": "not probed"}]}},
	}
	ws := sys.warn with input as inp
	count(ws) == 1
	some w in ws
	w.unverified
	contains(w.msg, "not probed")
}

test_sys001_user_pattern_without_facts_quiet if {
	inp := {"plan": {"indices": ["orders-*", "-.kibana"]}, "selection": {"source": {"known": false}}}
	count(sys.warn) == 0 with input as inp
}

es(number) := {"product": "elasticsearch", "version": {"number": number, "major": v[0], "minor": v[1], "patch": v[2]}, "unknown": []} if {
	v := lib.parse_version(number)
}

sys_inp(method, patterns, src, target, names) := {
	"plan": {"method": method, "indices": patterns},
	"selection": {"source": {"known": true, "names": names, "dot_prefixed": [n | some n in names; startswith(n, ".")]}},
	"clusters": {
		"source": object.union(src, {"indices": [
			{"name": ".kibana_1", "system": true},
			{"name": ".my-dot-index", "system": false},
			{"name": "orders", "system": false},
		]}),
		"destination": target,
		"intermediate": target,
	},
}

test_sys002_named_system_index_into_eight_fails if {
	fs := sys.deny with input as sys_inp("snapshot", ["orders", ".kibana_1", ".my-dot-index"], es("7.17.29"), es("8.19.21"), ["orders", ".kibana_1", ".my-dot-index"])
	count(fs) == 1
	some f in fs
	f.rule == "SYS-002"
	f.indices == [".kibana_1"]
	f.cluster == "destination"
	not f.unverified
	contains(f.msg, "requested system indices [.kibana_1]")

	# snapshot-reindex: the first restore is on the intermediate cluster.
	fs2 := sys.deny with input as sys_inp("snapshot-reindex", [".kibana_1"], es("7.17.29"), es("8.19.21"), [".kibana_1"])
	some f2 in fs2
	f2.cluster == "intermediate"
}

test_sys002_quiet if {
	names := [".kibana_1", "orders"]

	# a wildcard leaves the system index out without failing
	count(sys.deny) == 0 with input as sys_inp("snapshot", ["*"], es("7.17.29"), es("8.19.21"), names)

	# before 8.0 a system index restores by name
	count(sys.deny) == 0 with input as sys_inp("snapshot", [".kibana_1"], es("7.17.29"), es("7.17.29"), names)

	# a snapshot of 7.10 has no feature states
	count(sys.deny) == 0 with input as sys_inp("snapshot", [".kibana_1"], es("7.10.2"), es("8.19.21"), names)

	# a dot name that is no system index
	count(sys.deny) == 0 with input as sys_inp("snapshot", [".my-dot-index"], es("7.17.29"), es("8.19.21"), [".my-dot-index"])

	# excluded again by a later pattern
	count(sys.deny) == 0 with input as sys_inp("snapshot", [".kibana_1", "orders", "-.kibana_1"], es("7.17.29"), es("8.19.21"), ["orders"])

	# OpenSearch has no feature states
	os := {"product": "opensearch", "version": {"number": "2.19.6", "major": 2, "minor": 19, "patch": 6}, "unknown": []}
	count(sys.deny) == 0 with input as sys_inp("snapshot", [".kibana_1"], es("7.17.29"), os, names)
}

test_sys002_unverified if {
	unknown := {"version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "timeout"}]}
	fs := sys.deny with input as sys_inp("snapshot", [".kibana_1"], es("7.17.29"), unknown, [".kibana_1"])
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "timeout")

	# the source's indices unknown: a dot name may be a system index
	inp := {
		"plan": {"method": "snapshot", "indices": [".kibana_1"]},
		"selection": {"source": {"known": false}},
		"clusters": {"source": {"indices": null, "unknown": [{"fact": "indices", "endpoint": "GET /_cat/indices", "error": "refused"}]}, "destination": es("8.19.21")},
	}
	fs2 := sys.deny with input as inp
	count(fs2) == 1
	some f2 in fs2
	f2.unverified
	contains(f2.msg, "refused")

	# ... unless the target restores them by name anyway
	count(sys.deny) == 0 with input as object.union(inp, {"clusters": {"destination": es("7.17.29")}})
	os := {"product": "opensearch", "version": {"number": "2.19.6", "major": 2, "minor": 19, "patch": 6}, "unknown": []}
	count(sys.deny) == 0 with input as object.union(inp, {"clusters": {"destination": os}})
}
