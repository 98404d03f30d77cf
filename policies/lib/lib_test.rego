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

test_plan_get if {
	lib.plan_get(["snapshot", "repository", "type"], "x") == "oss" with input as {"plan": {"snapshot": {"repository": {"type": "oss"}}}}
	lib.plan_get(["snapshot", "repository", "type"], "x") == "x" with input as {"plan": {"snapshot": null}}
	lib.plan_get(["snapshot", "rename_pattern"], "x") == "x" with input as {"plan": {"snapshot": {"rename_pattern": null}}}
}

test_snapshot_steps if {
	lib.snapshot_steps == {["source", "destination"]} with input as {"plan": {"method": "snapshot"}}
	lib.snapshot_steps == {["source", "intermediate"], ["intermediate", "destination"]} with input as {"plan": {"method": "snapshot-reindex"}}
	count(lib.snapshot_steps) == 0 with input as {"plan": {"method": "logstash"}}
}

test_oss_repository if {
	lib.oss_repository with input as {"plan": {"snapshot": null}}
	lib.oss_repository with input as {"plan": {"snapshot": {"repository": {"type": "oss"}}}}
	not lib.oss_repository with input as {"plan": {"snapshot": {"repository": {"type": "s3"}}}}
}

test_version_and_product if {
	inp := {"clusters": {
		"source": {"product": "opensearch", "version": {"number": "2.11.0", "major": 2, "minor": 11, "patch": 0}, "unknown": []},
		"destination": {"product": "", "version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "timeout"}]},
	}}
	lib.version("source") == [2, 11, 0] with input as inp
	not lib.version("destination") with input as inp
	lib.version_text("source") == "2.11.0" with input as inp
	lib.product_of("source") == "opensearch" with input as inp
	not lib.product_of("destination") with input as inp
	lib.same_product("source", "destination") with input as inp
	lib.same_product("destination", "source") with input as inp
	lib.same_product("source", "source") with input as inp
}

test_parse_version if {
	lib.parse_version("7.10") == [7, 10, 0]
	lib.parse_version("6.8.23") == [6, 8, 23]
	not lib.parse_version("7")
}

test_plugin_version if {
	inp := {"clusters": {"source": {"nodes": [
		{"name": "a", "plugins": [{"name": "elasticsearch-repository-oss", "version": "6.8.23"}]},
		{"name": "b", "plugins": null},
	]}}}
	lib.plugin_version("source", 0, "elasticsearch-repository-oss") == "6.8.23" with input as inp
	lib.plugin_version("source", 1, "elasticsearch-repository-oss") == "" with input as inp
}

es(major, minor) := {"product": "elasticsearch", "major": major, "minor": minor}

os(major, minor) := {"product": "opensearch", "major": major, "minor": minor}

# Elastic's index compatibility table, row by row (see lib.rego for the sources).
test_restore_matrix_elasticsearch if {
	lib.restore_verdict(es(5, 6), es(6, 8)) == "yes"
	lib.restore_verdict(es(5, 6), es(7, 17)) == "no"
	lib.restore_verdict(es(5, 6), es(8, 2)) == "no"
	lib.restore_verdict(es(5, 6), es(8, 3)) == "archive"
	lib.restore_verdict(es(5, 6), es(9, 0)) == "archive"
	lib.restore_verdict(es(6, 7), es(7, 0)) == "yes"
	lib.restore_verdict(es(6, 8), es(7, 1)) == "no"
	lib.restore_verdict(es(6, 8), es(7, 2)) == "yes"
	lib.restore_verdict(es(6, 8), es(8, 2)) == "no"
	lib.restore_verdict(es(6, 0), es(8, 15)) == "archive"
	lib.restore_verdict(es(7, 0), es(6, 8)) == "no"
	lib.restore_verdict(es(7, 1), es(7, 0)) == "no"
	lib.restore_verdict(es(7, 10), es(8, 0)) == "yes"
	lib.restore_verdict(es(7, 17), es(9, 0)) == "archive"
	lib.restore_verdict(es(8, 5), es(9, 0)) == "yes"
	lib.restore_verdict(es(8, -1), es(8, 10)) == "no"
	lib.restore_verdict(es(8, -1), es(8, 15)) == "yes"
	lib.restore_verdict(es(2, 4), es(5, 6)) == "yes"
	lib.restore_verdict(es(9, 1), es(10, 0)) == "yes"
	lib.restore_verdict(es(2, 4), es(6, 8)) == "no"
	lib.restore_verdict(os(1, 3), es(7, 10)) == "no"
	lib.restore_verdict({"product": "x", "major": 1, "minor": 0}, {"product": "y", "major": 2, "minor": 0}) == "no"
}

# OpenSearch destinations (see lib.rego for the sources).
test_restore_matrix_opensearch if {
	lib.restore_verdict(es(5, 6), os(1, 3)) == "no"
	lib.restore_verdict(es(6, 8), os(1, 3)) == "yes"
	lib.restore_verdict(es(7, 10), os(1, 3)) == "yes"
	lib.restore_verdict(es(6, 8), os(2, 11)) == "no"
	lib.restore_verdict(es(7, 10), os(2, 11)) == "yes"
	lib.restore_verdict(os(1, 3), os(2, 11)) == "yes"
	lib.restore_verdict(es(7, 10), os(3, 0)) == "no"
	lib.restore_verdict(os(1, 3), os(3, 0)) == "no"
	lib.restore_verdict(os(2, 19), os(3, 0)) == "yes"
	lib.restore_verdict(os(2, 19), os(2, 11)) == "no"
	lib.restore_verdict(es(8, 0), os(2, 11)) == "no"
	lib.restore_verdict(es(7, 11), os(1, 3)) == "no"
	lib.restore_verdict(es(7, 17), os(2, 19)) == "no"
}

test_human_bytes if {
	lib.human_bytes(2199023255552) == "2.0 TiB"
	lib.human_bytes(53687091200) == "50.0 GiB"
	lib.human_bytes(1572864) == "1.5 MiB"
	lib.human_bytes(512) == "512 B"
}

test_names_preview if {
	lib.names_preview(["a", "b"]) == "a, b"
	lib.names_preview(["a", "b", "c", "d", "e", "f", "g"]) == "a, b, c, d, e and 2 more"
}
