package espreflight.rules.tp_test

import future.keywords.not

import data.espreflight.rules.tp

tp_plan(method) := {"method": method, "source": {"kind": "third-party", "provider": "aws-opensearch"}}

test_tp001_fires_for_logstash_and_reindex if {
	every m in ["logstash", "reindex", "snapshot-reindex"] {
		tp_warned(m)
	}
}

tp_warned(m) if {
	ws := tp.warn with input as {"plan": tp_plan(m)}
	count(ws) == 1
	some w in ws
	w.rule == "TP-001"
	contains(w.msg, m)
}

test_tp001_quiet_for_listed_methods if {
	every m in ["snapshot", "elasticsearch-dump"] {
		count(tp.warn) == 0 with input as {"plan": tp_plan(m)}
	}
}

test_tp001_quiet_for_self_managed if {
	count(tp.warn) == 0 with input as {"plan": {"method": "reindex", "source": {"kind": "self-managed", "provider": ""}}}
}
