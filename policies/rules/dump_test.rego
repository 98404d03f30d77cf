package espreflight.rules.dump_test

import future.keywords.not

import data.espreflight.rules.dump

dplan := {"method": "elasticsearch-dump"}

test_dump001_fires_when_unreachable if {
	fs := dump.deny with input as {"plan": dplan, "runner": {"reachable": {"source": false, "destination": true}}}
	count(fs) == 1
	some f in fs
	f.rule == "DUMP-001"
	f.cluster == "source"
	not f.unverified
}

test_dump001_quiet_when_both_reachable if {
	count(dump.deny) == 0 with input as {"plan": dplan, "runner": {"reachable": {"source": true, "destination": true}}}
}

test_dump001_unknown_fails_closed if {
	fs := dump.deny with input as {"plan": dplan, "runner": {"reachable": {"source": true}}}
	count(fs) == 1
	some f in fs
	f.unverified
	f.cluster == "destination"
	fs2 := dump.deny with input as {"plan": dplan, "runner": null}
	count(fs2) == 2
}

test_dump001_not_for_other_methods if {
	count(dump.deny) == 0 with input as {"plan": {"method": "reindex"}, "runner": {"reachable": {}}}
}
