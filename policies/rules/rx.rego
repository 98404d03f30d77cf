# METADATA
# description: Reindex from remote into Alibaba Cloud Elasticsearch.
package espreflight.rules.rx

import data.espreflight.lib

# METADATA
# title: Reindex into a new Alibaba cluster without PrivateLink
# description: |
#   Reindex from an older self-managed major (such as 6.x) into a newer
#   Alibaba Cloud Elasticsearch cluster (such as 8.x), or into any Alibaba
#   cluster on the new network architecture, needs a PrivateLink private
#   connection between the VPCs: the destination cannot reach the source
#   otherwise.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
#   - ref: https://www.alibabacloud.com/help/en/es/user-guide/configure-a-private-connection-for-an-elasticsearch-cluster
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
#     source: {kind: self-managed, version: "6.8.23"}
#     destination: {kind: alibaba, version: "8.15.1", created: 2024-02-01}
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
	src := lib.version("source")
	dst := lib.version("destination")
	src[0] < dst[0]
	why := reason(dst)
	v := {
		"msg": sprintf("reindex from a self-managed %s cluster into an Alibaba cluster %s needs a PrivateLink connection, and the plan declares none", [lib.version_text("source"), why]),
		"cluster": "destination",
		"location": "network",
		"evidence": [
			{"fact": "clusters.source.version", "value": lib.version_text("source")},
			{"fact": "clusters.destination.version", "value": lib.version_text("destination")},
			{"fact": "plan.network.privatelink", "value": false},
		],
	}
}

reason(dst) := sprintf("running %s", [lib.version_text("destination")]) if {
	dst[0] >= 8
} else := "on the new network architecture" if {
	lib.architecture("destination") == "new"
}

needs_privatelink contains v if {
	applies
	some role in ["source", "destination"]
	not lib.version(role)
	v := {
		"msg": sprintf("could not verify whether the reindex needs a PrivateLink connection: the version of the %s is unknown (%s)", [role, lib.why_unknown(role, "version")]),
		"cluster": role,
		"location": role,
		"unverified": true,
		"evidence": [{"fact": sprintf("clusters.%s.version", [role]), "value": null}],
	}
}

needs_privatelink contains v if {
	applies
	src := lib.version("source")
	dst := lib.version("destination")
	src[0] < dst[0]
	dst[0] < 8
	not lib.architecture("destination")
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
