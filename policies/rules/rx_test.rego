package espreflight.rules.rx_test

import data.espreflight.lib
import data.espreflight.rules.rx

es(number) := {"product": "elasticsearch", "version": {"number": number, "major": v[0], "minor": v[1], "patch": v[2]}, "unknown": []} if {
	v := lib.parse_version(number)
}

unknown_cl := {"version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "timeout"}]}

inp(src, dst, dst_plan) := {
	"plan": {
		"method": "reindex",
		"source": {"kind": "self-managed"},
		"destination": object.union({"kind": "alibaba", "architecture": "", "created": ""}, dst_plan),
		"network": {"privatelink": false},
	},
	"clusters": {"source": src, "destination": dst},
}

test_rx001_six_to_eight if {
	fs := rx.deny with input as inp(es("6.8.23"), es("8.15.1"), {})
	count(fs) == 1
	some f in fs
	contains(f.msg, "8.15.1")
	not f.unverified
}

test_rx001_new_architecture if {
	fs := rx.deny with input as inp(es("6.8.23"), es("7.10.0"), {"created": "2021-06-01"})
	some f in fs
	contains(f.msg, "new network architecture")
}

test_rx001_quiet if {
	count(rx.deny) == 0 with input as inp(es("6.8.23"), es("7.10.0"), {"created": "2019-06-01"})
	count(rx.deny) == 0 with input as inp(es("8.15.0"), es("8.15.1"), {})
	i := object.union(inp(es("6.8.23"), es("8.15.1"), {}), {"plan": {"network": {"privatelink": true}}})
	count(rx.deny) == 0 with input as i
}

test_rx001_unknowns if {
	fs := rx.deny with input as inp(unknown_cl, es("8.15.1"), {})
	some f in fs
	f.unverified
	contains(f.msg, "timeout")
	fs2 := rx.deny with input as inp(es("6.8.23"), es("7.10.0"), {})
	some f2 in fs2
	f2.unverified
	contains(f2.msg, "architecture")
}
