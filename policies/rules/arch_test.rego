package espreflight.rules.arch_test

import future.keywords.not

import data.espreflight.rules.arch

base := {
	"method": "reindex",
	"network": {"privatelink": false, "connectivity_ticket": ""},
	"source": {"kind": "alibaba", "region": "cn-hangzhou", "created": "2019-05-01", "architecture": ""},
	"destination": {"kind": "alibaba", "region": "cn-hangzhou", "created": "2021-03-01", "architecture": ""},
}

plan(patch) := object.union(base, patch)

ids(set) := {f.rule | some f in set}

test_arch001_fires_on_different_architectures if {
	fs := arch.deny with input as {"plan": base}
	ids(fs) == {"ARCH-001"}
	some f in fs
	f.location == "destination.created"
	contains(f.msg, "original")
}

test_arch001_cutover_day_is_new if {
	p := plan({"source": object.union(base.source, {"created": "2020-10-01"})})
	fs := arch.deny with input as {"plan": p}
	count(fs) == 0
}

test_arch001_day_before_cutover_is_original if {
	p := plan({"destination": object.union(base.destination, {"created": "2020-09-30"})})
	fs := arch.deny with input as {"plan": p}
	count(fs) == 0
}

test_arch001_override_wins_over_date if {
	p := plan({"source": object.union(base.source, {"architecture": "new"})})
	fs := arch.deny with input as {"plan": p}
	count(fs) == 0
	p2 := plan({"destination": object.union(base.destination, {"architecture": "original", "created": ""})})
	fs2 := arch.deny with input as {"plan": p2}
	count(fs2) == 0
}

test_arch001_not_for_snapshot if {
	fs := arch.deny with input as {"plan": plan({"method": "snapshot"})}
	count(fs) == 0
}

test_arch001_not_for_self_managed_source if {
	p := plan({"source": {"kind": "self-managed", "region": "", "created": "", "architecture": ""}})
	fs := arch.deny with input as {"plan": p}
	count(fs) == 0
}

test_arch001_uncertain_region_left_to_arch002 if {
	p := plan({"source": object.union(base.source, {"region": "cn-zhangjiakou"})})
	count(arch.deny) == 0 with input as {"plan": p}
	ws := arch.warn with input as {"plan": p}
	ids(ws) == {"ARCH-002"}
}

test_arch002_fires_outside_mainland_and_hongkong if {
	every region in ["ap-southeast-1", "cn-hongkong", "cn-zhangjiakou", "us-west-1"] {
		uncertain_in(region)
	}
}

uncertain_in(region) if {
	p := plan({"destination": object.union(base.destination, {"region": region})})
	ws := arch.warn with input as {"plan": p}
	count(ws) == 1
	some w in ws
	w.cluster == "destination"
	not w.unverified
}

test_arch002_silenced_by_ticket if {
	p := plan({
		"destination": object.union(base.destination, {"region": "ap-southeast-1"}),
		"network": {"connectivity_ticket": "T-123"},
	})
	count(arch.warn) == 0 with input as {"plan": p}
}

test_arch002_silenced_by_explicit_architecture if {
	p := plan({"destination": object.union(base.destination, {"region": "ap-southeast-1", "architecture": "new"})})
	count(arch.warn) == 0 with input as {"plan": p}
}

test_arch002_mainland_is_quiet if {
	count(arch.warn) == 0 with input as {"plan": base}
}

test_arch002_missing_region_unverified if {
	p := plan({"source": object.union(base.source, {"region": ""})})
	ws := arch.warn with input as {"plan": p}
	count(ws) == 1
	some w in ws
	w.unverified
	w.cluster == "source"
}

test_arch003_fails_closed_without_date if {
	p := plan({"source": object.union(base.source, {"created": ""})})
	fs := arch.deny with input as {"plan": p}
	ids(fs) == {"ARCH-003"}
	some f in fs
	f.unverified
	f.cluster == "source"
}

test_arch003_quiet_with_architecture if {
	p := plan({"source": object.union(base.source, {"created": "", "architecture": "new"})})
	fs := arch.deny with input as {"plan": p}
	count({f | some f in fs; f.rule == "ARCH-003"}) == 0
}

test_arch003_not_for_non_cross_cluster if {
	p := plan({"method": "logstash", "source": object.union(base.source, {"created": ""})})
	count(arch.deny) == 0 with input as {"plan": p}
}
