# METADATA
# description: elasticsearch-dump.
package espreflight.rules.dump

import future.keywords.not

import data.espreflight.lib

# METADATA
# title: elasticsearch-dump host cannot reach a cluster
# description: |
#   elasticsearch-dump runs on one host that reads from the source and writes
#   to the destination, so that host needs network access to both. espreflight
#   tests reachability from the machine it runs on (`runner.reachable`): run
#   `espreflight probe` on the elasticsearch-dump host. Unknown reachability
#   fails closed.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: DUMP-001
#   methods: [elasticsearch-dump]
#   severity: error
#   remediation: |
#     Run elasticsearch-dump (and espreflight) on a host that reaches both
#     clusters: an ECS instance in the destination's VPC with access to the
#     source, and add its IP to both clusters' access whitelists.
#   example: |
#     method: elasticsearch-dump
#     source: {kind: self-managed, endpoint: "https://10.0.0.5:9200"}
deny contains f if {
	some v in unreachable
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

unreachable contains v if {
	some role in ["source", "destination"]
	input.runner.reachable[role] == false
	v := {
		"msg": sprintf("the host that ran espreflight cannot reach the %s, so elasticsearch-dump cannot run there", [role]),
		"cluster": role,
		"location": sprintf("%s.endpoint", [role]),
		"evidence": [{"fact": sprintf("runner.reachable.%s", [role]), "value": false}],
	}
}

unreachable contains v if {
	some role in ["source", "destination"]
	not is_boolean(object.get(input, ["runner", "reachable", role], null))
	v := {
		"msg": sprintf("could not verify that the elasticsearch-dump host reaches the %s: reachability was not tested (run `espreflight probe` on that host)", [role]),
		"cluster": role,
		"location": sprintf("%s.endpoint", [role]),
		"unverified": true,
		"evidence": [{"fact": sprintf("runner.reachable.%s", [role]), "value": null}],
	}
}
