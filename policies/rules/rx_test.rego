package espreflight.rules.rx_test

import future.keywords.not

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
	contains(f.msg, "it runs 8.15.1")
	not f.unverified
}

# Same major, new architecture: the destination still cannot reach the
# source's network.
test_rx001_same_major_into_new_architecture_fails if {
	fs := rx.deny with input as inp(es("7.10.2"), es("7.10.0"), {"created": "2021-06-01"})
	count(fs) == 1
	some f in fs
	not f.unverified
	contains(f.msg, "new network architecture (destination.created: 2021-06-01)")
	fs2 := rx.deny with input as inp(es("8.15.1"), es("8.15.1"), {})
	count(fs2) == 1
	fs3 := rx.deny with input as inp(es("7.10.2"), es("7.10.0"), {"architecture": "new"})
	some f3 in fs3
	contains(f3.msg, "destination.architecture: new")
}

# An unknown destination version does not matter once the plan says the
# architecture is new.
test_rx001_new_architecture_unknown_version_fails if {
	fs := rx.deny with input as inp(es("6.8.23"), unknown_cl, {"created": "2021-06-01"})
	count(fs) == 1
	some f in fs
	not f.unverified
}

test_rx001_original_architecture_or_privatelink_passes if {
	count(rx.deny) == 0 with input as inp(es("6.8.23"), es("7.10.0"), {"created": "2019-06-01"})
	count(rx.deny) == 0 with input as inp(es("7.10.2"), es("7.10.0"), {"architecture": "original"})
	i := object.union(inp(es("6.8.23"), es("8.15.1"), {}), {"plan": {"network": {"privatelink": true}}})
	count(rx.deny) == 0 with input as i
}

test_rx001_unknown_architecture_unverified if {
	fs := rx.deny with input as inp(es("6.8.23"), es("7.10.0"), {})
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "architecture")
	fs2 := rx.deny with input as inp(es("6.8.23"), unknown_cl, {})
	count(fs2) == 1
	some f2 in fs2
	f2.unverified
	contains(f2.msg, "timeout")
}
