package espreflight.rules.fit_test

import future.keywords.not

import data.espreflight.rules.fit

gib := 1073741824

limits := {"reindex_max_bytes": 50 * gib, "dump_max_bytes": 10 * gib, "dump_max_indices": 20}

base := {"method": "reindex", "mode": "full", "indices": ["orders-*"], "volume_bytes": -1, "limits": limits}

unknown_source := {"source": {"indices": null, "unknown": [{"fact": "indices", "endpoint": "", "error": "not probed: no live probe was run"}]}}

sel(bytes, n) := {"source": {"known": true, "primary_store_bytes": bytes, "count": n}}

test_fit001_fires_on_measured_volume if {
	ws := fit.warn with input as {"plan": base, "selection": sel(80 * gib, 3)}
	count(ws) == 1
	some w in ws
	w.rule == "FIT-001"
	contains(w.msg, "80.0 GiB")
	contains(w.msg, "50.0 GiB")
	not w.unverified
}

test_fit001_at_threshold_is_quiet if {
	count(fit.warn) == 0 with input as {"plan": base, "selection": sel(50 * gib, 3)}
}

test_fit001_measured_wins_over_declared if {
	p := object.union(base, {"volume_bytes": 900 * gib})
	count(fit.warn) == 0 with input as {"plan": p, "selection": sel(1 * gib, 3)}
}

test_fit001_declared_volume_for_dump if {
	p := object.union(base, {"method": "elasticsearch-dump", "indices": ["a"], "volume_bytes": 11 * gib})
	ws := fit.warn with input as {"plan": p, "selection": {"source": {"known": false}}}
	ids := {w.rule | some w in ws}
	ids == {"FIT-001"}
	some w in ws
	contains(w.msg, "declared in the plan")
}

test_fit001_not_for_snapshot if {
	p := object.union(base, {"method": "snapshot"})
	count(fit.warn) == 0 with input as {"plan": p, "selection": sel(900 * gib, 3)}
}

test_fit001_unknown_volume_unverified if {
	ws := fit.warn with input as {"plan": base, "selection": {"source": {"known": false}}, "clusters": unknown_source}
	count(ws) == 1
	some w in ws
	w.unverified
	contains(w.msg, "not probed")
}

test_fit002_fires_on_many_selected_indices if {
	p := object.union(base, {"method": "elasticsearch-dump"})
	ws := fit.warn with input as {"plan": p, "selection": sel(gib, 400)}
	some w in ws
	w.rule == "FIT-002"
	contains(w.msg, "400")
	not w.unverified
}

test_fit002_quiet_at_threshold if {
	p := object.union(base, {"method": "elasticsearch-dump"})
	count(fit.warn) == 0 with input as {"plan": p, "selection": sel(gib, 20)}
}

test_fit002_literal_names_without_facts if {
	p := object.union(base, {"method": "elasticsearch-dump", "indices": ["a", "b", "c", "-d"], "volume_bytes": 1, "limits": object.union(limits, {"dump_max_indices": 2})})
	ws := fit.warn with input as {"plan": p, "selection": {"source": {"known": false}}}
	count(ws) == 1
	some w in ws
	w.rule == "FIT-002"
	contains(w.msg, "names 3")
}

test_fit002_wildcards_without_facts_unverified if {
	every pats in [["logs-*"], ["_all"]] {
		dump_unverified(pats)
	}
}

dump_unverified(pats) if {
	p := object.union(base, {"method": "elasticsearch-dump", "indices": pats, "volume_bytes": 1})
	ws := fit.warn with input as {"plan": p, "selection": {"source": {"known": false}}, "clusters": unknown_source}
	count(ws) == 1
	some w in ws
	w.rule == "FIT-002"
	w.unverified
	contains(w.msg, "not probed")
}

test_fit003_fires_for_incremental_reindex_and_dump if {
	every m in ["reindex", "elasticsearch-dump"] {
		incremental_denied(m)
	}
}

incremental_denied(m) if {
	fs := fit.deny with input as {"plan": object.union(base, {"method": m, "mode": "incremental"})}
	count(fs) == 1
	some f in fs
	f.rule == "FIT-003"
	f.location == "mode"
}

test_fit003_quiet_for_logstash_snapshot_and_full if {
	count(fit.deny) == 0 with input as {"plan": object.union(base, {"method": "logstash", "mode": "incremental"})}
	count(fit.deny) == 0 with input as {"plan": object.union(base, {"method": "snapshot", "mode": "incremental"})}
	count(fit.deny) == 0 with input as {"plan": base}
}
