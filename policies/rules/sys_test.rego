package espreflight.rules.sys_test

import future.keywords.not

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
