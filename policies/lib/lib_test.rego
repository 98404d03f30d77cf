package espreflight.lib_test

import future.keywords.not

import data.espreflight.lib

test_finding_carries_rule_id if {
	f := lib.finding({"custom": {"id": "X-001"}}, "boom", {"cluster": "source"})
	f == {"rule": "X-001", "msg": "boom", "cluster": "source"}
}

test_declared_roles if {
	lib.declared == {"source", "destination"} with input as {"plan": {"source": {}, "destination": {}}}
}

test_known_and_unknown if {
	inp := {"clusters": {
		"source": {"nodes": [], "indices": null, "unknown": [{"fact": "indices", "endpoint": "GET /_cat/indices", "error": "HTTP 403"}]},
		"destination": {"nodes": null, "unknown": []},
	}}
	lib.known("source", "nodes") with input as inp
	not lib.known("source", "indices") with input as inp
	not lib.known("destination", "nodes") with input as inp
	lib.why_unknown("source", "indices") == "HTTP 403" with input as inp
	lib.why_unknown("destination", "nodes") == "the fact is missing from the facts document" with input as inp
	lib.why_unknown("intermediate", "nodes") == "no facts were collected for this cluster" with input as inp
}

test_regions if {
	lib.date_rule_region("cn-hangzhou")
	lib.date_rule_region("cn-beijing")
	not lib.date_rule_region("cn-zhangjiakou")
	not lib.date_rule_region("cn-hongkong")
	not lib.date_rule_region("ap-southeast-1")
}

test_architecture if {
	p := {"plan": {
		"source": {"architecture": "", "created": "2020-09-30", "region": "cn-hangzhou"},
		"destination": {"architecture": "new", "created": "", "region": "eu-central-1"},
		"intermediate": {"architecture": "", "created": "", "region": ""},
	}}
	lib.architecture("source") == "original" with input as p
	lib.architecture("destination") == "new" with input as p
	not lib.architecture("intermediate") with input as p
	lib.architecture_key("source") == "source.created" with input as p
	lib.architecture_key("destination") == "destination.architecture" with input as p
	lib.architecture_certain("source") with input as p
	lib.architecture_certain("destination") with input as p
	not lib.architecture_certain("intermediate") with input as p
}
