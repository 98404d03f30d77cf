# METADATA
# description: Reindex from remote into Alibaba Cloud Elasticsearch.
package espreflight.rules.rx

import future.keywords.not

import data.espreflight.lib

# METADATA
# title: Reindex into a new-architecture Alibaba cluster without PrivateLink
# description: |
#   An Alibaba Cloud Elasticsearch cluster on the new network architecture
#   (created in or after October 2020) runs in a VPC of the Elasticsearch
#   service account and cannot reach resources in other networks, so reindex
#   from remote cannot pull from a self-managed source without a PrivateLink
#   private connection, whatever the two versions. The guide's example (an
#   older self-managed 6.x into an 8.x cluster) is one case: every 8.x cluster
#   is on the new architecture. A cluster on the original architecture runs
#   in the user's VPC and needs no private connection.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/user-guide/configure-a-private-connection-for-an-elasticsearch-cluster
#   - ref: https://www.alibabacloud.com/help/en/es/product-overview/notice-for-network-architecture-adjustment
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: RX-001
#   methods: [reindex]
#   severity: error
#   remediation: |
#     Set up a PrivateLink private connection from the destination's VPC to
#     the source (an NLB or CLB in front of the self-managed nodes), use its
#     endpoint as `reindex.remote_host`, add it to reindex.remote.whitelist,
#     and set `network.privatelink: true`.
#   example: |
#     method: reindex
#     source: {kind: self-managed, version: "7.10.2"}
#     destination: {kind: alibaba, version: "7.10.0", created: 2024-02-01}
deny contains f if {
	some v in needs_privatelink
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

applies if {
	input.plan.source.kind == "self-managed"
	lib.alibaba("destination")
	not lib.plan_get(["network", "privatelink"], false)
}

needs_privatelink contains v if {
	applies
	some why in new_architecture
	v := {
		"msg": sprintf("reindex from a self-managed cluster into an Alibaba cluster on the new network architecture (%s) needs a PrivateLink connection, and the plan declares none", [why.text]),
		"cluster": "destination",
		"location": "network",
		"evidence": [why.evidence, {"fact": "plan.network.privatelink", "value": false}],
	}
}

# new_architecture says why the destination is on the new architecture: the
# plan's architecture or creation date, or a version only released after the
# cut-over (8.x).
new_architecture contains {"text": sprintf("%s: %s", [key, value]), "evidence": {"fact": sprintf("plan.%s", [key]), "value": value}} if {
	lib.architecture("destination") == "new"
	key := lib.architecture_key("destination")
	value := lib.plan_get(split(key, "."), "")
}

new_architecture contains {"text": sprintf("it runs %s", [lib.version_text("destination")]), "evidence": {"fact": "clusters.destination.version", "value": lib.version_text("destination")}} if {
	not lib.architecture("destination")
	lib.version("destination")[0] >= 8
}

needs_privatelink contains v if {
	applies
	not lib.architecture("destination")
	not lib.version("destination")
	v := {
		"msg": sprintf("could not verify whether the reindex needs a PrivateLink connection: the destination's network architecture is unknown (the plan gives neither destination.created nor destination.architecture) and so is its version (%s)", [lib.why_unknown("destination", "version")]),
		"cluster": "destination",
		"location": "destination",
		"unverified": true,
		"evidence": [
			{"fact": "plan.destination.created", "value": ""},
			{"fact": "plan.destination.architecture", "value": ""},
			{"fact": "clusters.destination.version", "value": null},
		],
	}
}

needs_privatelink contains v if {
	applies
	not lib.architecture("destination")
	lib.version("destination")[0] < 8
	v := {
		"msg": "could not verify whether the reindex needs a PrivateLink connection: the destination's network architecture is unknown (the plan gives neither destination.created nor destination.architecture)",
		"cluster": "destination",
		"location": "destination",
		"unverified": true,
		"evidence": [
			{"fact": "plan.destination.created", "value": ""},
			{"fact": "plan.destination.architecture", "value": ""},
		],
	}
}
