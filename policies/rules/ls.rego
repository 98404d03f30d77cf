# METADATA
# description: Logstash network path and incremental runs.
package espreflight.rules.ls

import future.keywords.not

import data.espreflight.lib

ls := l if {
	l := input.plan.logstash
	is_object(l)
} else := {}

incremental if input.plan.mode == "incremental"

# METADATA
# title: Logstash without a network path to both clusters
# description: |
#   The source cluster, the Logstash cluster and the destination cluster must
#   be in one VPC. When they are in different VPCs (including cross-account
#   and cross-region migrations), the Logstash cluster needs a NAT gateway to
#   reach the clusters over the Internet.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: LS-001
#   methods: [logstash]
#   severity: error
#   remediation: |
#     Create the Logstash cluster in the VPC of both clusters, or configure a
#     NAT gateway for it (and allow its public IP in both clusters' public
#     access whitelists); then set `logstash.vpc` or `logstash.nat_gateway: true`.
#   example: |
#     method: logstash
#     source: {kind: self-managed, vpc: vpc-a}
#     destination: {kind: alibaba, vpc: vpc-b}
#     logstash: {version: "7.10.0", vpc: vpc-b}
deny contains f if {
	some v in no_network_path
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

vpcs := {"source": input.plan.source.vpc, "logstash": object.get(ls, "vpc", ""), "destination": input.plan.destination.vpc}

nat if object.get(ls, "nat_gateway", false) == true

no_network_path contains v if {
	not nat
	every _, x in vpcs {
		x != ""
	}
	count({x | some x in vpcs}) > 1
	v := {
		"msg": sprintf("the source (%s), Logstash (%s) and destination (%s) are not in one VPC%s, and Logstash has no NAT gateway", [vpcs.source, vpcs.logstash, vpcs.destination, apart_text]),
		"location": "logstash",
		"evidence": [
			{"fact": "plan.source.vpc", "value": vpcs.source},
			{"fact": "plan.logstash.vpc", "value": vpcs.logstash},
			{"fact": "plan.destination.vpc", "value": vpcs.destination},
			{"fact": "plan.logstash.nat_gateway", "value": false},
		],
	}
}

no_network_path contains v if {
	not nat
	some who, x in vpcs
	x == ""
	key := vpc_key[who]
	v := {
		"msg": sprintf("could not verify that the source, Logstash and destination share a VPC: the plan gives no %s (or set logstash.nat_gateway: true)", [key]),
		"location": "logstash",
		"unverified": true,
		"evidence": [{"fact": sprintf("plan.%s", [key]), "value": ""}],
	}
}

vpc_key := {"source": "source.vpc", "logstash": "logstash.vpc", "destination": "destination.vpc"}

# apart_text names what else separates the clusters (accounts, regions).
apart_text := concat("", [sprintf(" (different %ss)", [k]) |
	some k in ["account", "region"]
	input.plan.source[k] != ""
	input.plan.destination[k] != ""
	input.plan.source[k] != input.plan.destination[k]
])

# METADATA
# title: Logstash run without the source's document ids
# description: |
#   Incremental Logstash runs re-read documents that changed; only when each
#   destination document keeps its source `_id` does a re-read update the
#   document instead of adding a duplicate. That needs `docinfo => true` on
#   the input and `document_id` on the output read from where the input puts
#   the docinfo: its `docinfo_target`, which defaults to `@metadata` without
#   ECS compatibility and to `[@metadata][input][elasticsearch]` with it
#   (`[@metadata][input][opensearch]` for the OpenSearch input). Logstash 8
#   turns ECS compatibility on (v8) by default, so "%{[@metadata][_id]}" there
#   names a field that does not exist and stays literal: every document gets
#   that one id and overwrites the one before, in full mode too. The id
#   reference is judged against `logstash.docinfo_target`, else
#   `logstash.ecs_compatibility`, else the Logstash major.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/logstash/current/plugins-inputs-elasticsearch.html#plugins-inputs-elasticsearch-docinfo_target
#   - ref: https://www.elastic.co/guide/en/logstash/current/ecs-ls.html
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: LS-002
#   methods: [logstash]
#   severity: error
#   remediation: |
#     Set `docinfo => true` on the input and `document_id` on the output from
#     the input's docinfo_target: "%{[@metadata][_id]}" with
#     `docinfo_target => "[@metadata]"` (or ECS compatibility disabled), or
#     "%{[@metadata][input][elasticsearch][_id]}" with ECS on; record
#     docinfo, docinfo_target (or ecs_compatibility) and document_id in the
#     plan's logstash section.
#   example: |
#     method: logstash
#     mode: incremental
#     logstash: {version: "8.15.0", docinfo: true, document_id: "%{[@metadata][_id]}"}
deny contains f if {
	some v in ids_not_kept
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

document_id := object.get(ls, "document_id", "")

ids_not_kept contains v if {
	incremental
	not contains(document_id, "_id")
	v := {
		"msg": "incremental Logstash migration without document ids preserved: logstash.document_id does not take the source _id, so every run adds duplicates",
		"location": "logstash",
		"evidence": [{"fact": "plan.logstash.document_id", "value": document_id}],
	}
}

ids_not_kept contains v if {
	incremental
	contains(document_id, "_id")
	not object.get(ls, "docinfo", false)
	v := {
		"msg": "incremental Logstash migration: document_id refers to the source _id but the input's docinfo is off, so the metadata is empty and ids are not preserved",
		"location": "logstash",
		"evidence": [
			{"fact": "plan.logstash.document_id", "value": ls.document_id},
			{"fact": "plan.logstash.docinfo", "value": false},
		],
	}
}

# The id reference reads another field than the one docinfo fills.
ids_not_kept contains v if {
	id_from_docinfo
	[target, why] := docinfo_target
	not contains(document_id, sprintf("%s[_id]", [target]))
	v := {
		"msg": sprintf("document_id %q does not read the source _id from where the input puts it, %s (%s): the reference stays literal, so every document gets the same id and overwrites the one before; use \"%%{%s[_id]}\"", [document_id, target, why.text, target]),
		"location": "logstash.document_id",
		"evidence": array.concat([{"fact": "plan.logstash.document_id", "value": document_id}], why.evidence),
	}
}

ids_not_kept contains v if {
	id_from_docinfo
	not docinfo_target
	v := {
		"msg": "could not verify that document_id reads the source _id from where the input puts it: that depends on the input's docinfo_target and ECS compatibility, and the plan gives neither logstash.docinfo_target, logstash.ecs_compatibility nor logstash.version",
		"location": "logstash",
		"unverified": true,
		"evidence": [
			{"fact": "plan.logstash.docinfo_target", "value": ""},
			{"fact": "plan.logstash.ecs_compatibility", "value": ""},
			{"fact": "plan.logstash.version", "value": ""},
		],
	}
}

# id_from_docinfo: the output takes its document id from the input's docinfo.
id_from_docinfo if {
	object.get(ls, "docinfo", false) == true
	contains(document_id, "[_id]")
}

# docinfo_target is [field reference, why] of the field docinfo fills: the
# plan's docinfo_target, else the input's default for the ECS mode.
docinfo_target := [field_ref(t), {"text": "logstash.docinfo_target", "evidence": [{"fact": "plan.logstash.docinfo_target", "value": t}]}] if {
	t := object.get(ls, "docinfo_target", "")
	t != ""
} else := [ecs_target[ecs], {"text": sprintf("the input's default with ecs_compatibility %s%s", [ecs, ecs_why]), "evidence": ecs_evidence}] if {
	[ecs, ecs_why, ecs_evidence] := ecs_mode
}

# field_ref("@metadata") is "[@metadata]": a bare name as a bracketed reference.
field_ref(t) := t if startswith(t, "[")

else := sprintf("[%s]", [t])

opensearch_input if object.get(ls, "input_plugin", "") == "logstash-input-opensearch"

ecs_target := {
	"disabled": "[@metadata]",
	"v1": ecs_metadata,
	"v8": ecs_metadata,
}

ecs_metadata := "[@metadata][input][opensearch]" if opensearch_input

else := "[@metadata][input][elasticsearch]"

# ecs_mode is [mode, why, evidence]: the plan's ecs_compatibility, else the
# default of the Logstash major (v8 from 8, disabled before).
ecs_mode := [m, "", [{"fact": "plan.logstash.ecs_compatibility", "value": m}]] if {
	m := object.get(ls, "ecs_compatibility", "")
	m != ""
} else := [m, sprintf(", Logstash %s's default", [ls.version]), [{"fact": "plan.logstash.version", "value": ls.version}]] if {
	v := lib.parse_version(object.get(ls, "version", ""))
	m := default_ecs(v[0])
}

default_ecs(major) := "v8" if major >= 8

else := "disabled"

# METADATA
# title: Incremental Logstash run without a schedule
# description: |
#   An incremental Logstash migration runs the elasticsearch input on a
#   schedule (cron syntax), each run querying what changed since the last;
#   without a schedule the pipeline reads once and stops.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
#   - ref: https://www.elastic.co/guide/en/logstash/current/plugins-inputs-elasticsearch.html
# custom:
#   id: LS-003
#   methods: [logstash]
#   severity: error
#   remediation: |
#     Set `schedule => "*/5 * * * *"` (or another cron expression) on the
#     input with a query on an update timestamp, and record it as
#     `logstash.schedule`.
#   example: |
#     method: logstash
#     mode: incremental
#     logstash: {version: "7.10.0", docinfo: true, document_id: "%{[@metadata][_id]}"}
deny contains f if {
	incremental
	object.get(ls, "schedule", "") == ""
	f := lib.finding(
		rego.metadata.rule(),
		"incremental Logstash migration without a schedule: the pipeline would read the source once and stop",
		{
			"location": "logstash",
			"evidence": [
				{"fact": "plan.mode", "value": "incremental"},
				{"fact": "plan.logstash.schedule", "value": ""},
			],
		},
	)
}
