package espreflight.rules.ls_test

import future.keywords.not

import data.espreflight.rules.ls

lsp(patch) := {
	"method": "logstash",
	"mode": "full",
	"source": {"vpc": "vpc-a", "account": "1", "region": "cn-hangzhou"},
	"destination": {"vpc": "vpc-a", "account": "1", "region": "cn-hangzhou"},
	"logstash": object.union({"version": "7.10.0", "vpc": "vpc-a", "nat_gateway": false, "document_id": "%{[@metadata][_id]}", "docinfo": true, "schedule": "*/5 * * * *"}, patch),
}

test_ls001_same_vpc_quiet if {
	count(ls.deny) == 0 with input as {"plan": lsp({})}
}

test_ls001_different_vpc_fires if {
	fs := ls.deny with input as {"plan": lsp({"vpc": "vpc-b"})}
	count(fs) == 1
	some f in fs
	f.rule == "LS-001"
	not f.unverified
}

test_ls001_cross_account_region_named if {
	p := object.union(lsp({}), {"destination": {"vpc": "vpc-z", "account": "2", "region": "cn-beijing"}})
	fs := ls.deny with input as {"plan": p}
	some f in fs
	contains(f.msg, "different accounts")
	contains(f.msg, "different regions")
}

test_ls001_nat_gateway_ok if {
	count(ls.deny) == 0 with input as {"plan": lsp({"vpc": "vpc-b", "nat_gateway": true})}
}

test_ls001_missing_vpc_unverified if {
	fs := ls.deny with input as {"plan": lsp({"vpc": ""})}
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "logstash.vpc")
}

test_ls001_no_logstash_section if {
	p := object.union(lsp({}), {"logstash": null})
	fs := ls.deny with input as {"plan": p}
	count(fs) == 1
}

test_ls002_fires_without_document_id if {
	p := object.union(lsp({"document_id": ""}), {"mode": "incremental"})
	fs := ls.deny with input as {"plan": p}
	{f.rule | some f in fs} == {"LS-002"}
}

test_ls002_fires_without_docinfo if {
	p := object.union(lsp({"docinfo": false}), {"mode": "incremental"})
	fs := ls.deny with input as {"plan": p}
	some f in fs
	contains(f.msg, "docinfo is off")
}

test_ls002_ls003_quiet_when_complete_or_full if {
	count(ls.deny) == 0 with input as {"plan": object.union(lsp({}), {"mode": "incremental"})}
	count(ls.deny) == 0 with input as {"plan": lsp({"document_id": "", "schedule": ""})}
}

# Logstash 8 turns ECS v8 on: docinfo lands under [@metadata][input][elasticsearch]
# and "%{[@metadata][_id]}" stays literal.
test_ls002_logstash8_ecs_default_with_metadata_id_fails if {
	p := object.union(lsp({"version": "8.15.0"}), {"mode": "incremental"})
	fs := ls.deny with input as {"plan": p}
	count(fs) == 1
	some f in fs
	f.rule == "LS-002"
	not f.unverified
	f.location == "logstash.document_id"
	contains(f.msg, "[@metadata][input][elasticsearch] (the input's default with ecs_compatibility v8, Logstash 8.15.0's default)")
	contains(f.msg, `use "%{[@metadata][input][elasticsearch][_id]}"`)

	# A literal id overwrites documents in full mode too.
	count(ls.deny) == 1 with input as {"plan": lsp({"version": "8.15.0"})}

	# Declared ECS on a Logstash 7, and the OpenSearch input's own target.
	fs2 := ls.deny with input as {"plan": lsp({"ecs_compatibility": "v1", "input_plugin": "logstash-input-opensearch"})}
	some f2 in fs2
	contains(f2.msg, "[@metadata][input][opensearch]")
}

test_ls002_logstash8_id_from_docinfo_target_passes if {
	count(ls.deny) == 0 with input as {"plan": lsp({"version": "8.15.0", "docinfo_target": "[@metadata]"})}
	count(ls.deny) == 0 with input as {"plan": lsp({"version": "8.15.0", "docinfo_target": "@metadata"})}
	count(ls.deny) == 0 with input as {"plan": lsp({"version": "8.15.0", "ecs_compatibility": "disabled"})}
	count(ls.deny) == 0 with input as {"plan": lsp({"version": "8.15.0", "document_id": "%{[@metadata][input][elasticsearch][_id]}"})}
	count(ls.deny) == 0 with input as {"plan": lsp({"version": "7.17.0"})}
}

test_ls002_docinfo_target_unknown_unverified if {
	fs := ls.deny with input as {"plan": lsp({"version": ""})}
	count(fs) == 1
	some f in fs
	f.rule == "LS-002"
	f.unverified
	contains(f.msg, "logstash.docinfo_target")
}

test_ls003_fires_without_schedule if {
	p := object.union(lsp({"schedule": ""}), {"mode": "incremental"})
	fs := ls.deny with input as {"plan": p}
	{f.rule | some f in fs} == {"LS-003"}
}
