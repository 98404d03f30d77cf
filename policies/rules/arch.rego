# METADATA
# description: |
#   Alibaba Cloud Elasticsearch network architecture. Clusters created before
#   October 2020 run on the original network architecture, clusters created
#   since on the new one, and cross-cluster operations (reindex, search,
#   replication) do not work between the two.
package espreflight.rules.arch

import future.keywords.not

import data.espreflight.lib

# METADATA
# title: Cross-cluster operation between different network architectures
# description: |
#   Reindex from remote between two Alibaba Cloud Elasticsearch clusters needs
#   both clusters on the same network architecture. A cluster created before
#   2020-10-01 runs on the original architecture, one created on or after it on
#   the new architecture; `architecture:` in the plan overrides the derivation.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/product-overview/notice-for-network-architecture-adjustment
# custom:
#   id: ARCH-001
#   methods: [reindex]
#   severity: error
#   remediation: |
#     Pick clusters on the same architecture (for example create the
#     destination so that it matches the source), or migrate with a method
#     that is not a cross-cluster operation: OSS snapshots or Logstash.
#   example: |
#     method: reindex
#     source: {kind: alibaba, region: cn-hangzhou, created: 2019-05-01}
#     destination: {kind: alibaba, region: cn-hangzhou, created: 2021-03-01}
deny contains f if {
	lib.alibaba("source")
	lib.alibaba("destination")
	lib.architecture_certain("source")
	lib.architecture_certain("destination")
	src := lib.architecture("source")
	dst := lib.architecture("destination")
	src != dst
	f := lib.finding(
		rego.metadata.rule(),
		sprintf("%s between the source (%s network architecture) and the destination (%s network architecture) cannot work: cross-cluster operations need both clusters on the same architecture", [input.plan.method, src, dst]),
		{
			"location": lib.architecture_key("destination"),
			"evidence": [
				{"fact": "plan.method", "value": input.plan.method},
				{"fact": sprintf("plan.%s", [lib.architecture_key("source")]), "value": object.get(input.plan.source, split(lib.architecture_key("source"), ".")[1], "")},
				{"fact": sprintf("plan.%s", [lib.architecture_key("destination")]), "value": object.get(input.plan.destination, split(lib.architecture_key("destination"), ".")[1], "")},
			],
		},
	)
}

# METADATA
# title: Architecture cut-over date uncertain in this region
# description: |
#   For China (Zhangjiakou) and regions outside the Chinese mainland (Hong Kong
#   included) Alibaba gives no date for the architecture change, so the
#   creation date does not tell which architecture a cluster runs on. A
#   cross-cluster operation there must be confirmed with Alibaba support; record
#   the ticket in `network.connectivity_ticket` once it is confirmed.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/product-overview/notice-for-network-architecture-adjustment
# custom:
#   id: ARCH-002
#   methods: [reindex]
#   severity: warning
#   remediation: |
#     Open a ticket with Alibaba Cloud support asking whether the two clusters
#     can connect, then record it as `network.connectivity_ticket` in the plan.
#   example: |
#     method: reindex
#     source: {kind: alibaba, region: ap-southeast-1, created: 2019-05-01}
#     destination: {kind: alibaba, region: ap-southeast-1, created: 2021-03-01}
warn contains f if {
	some v in uncertain_region
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

# uncertain_region holds the ARCH-002 cases: a known region where the
# cut-over date is uncertain, or no region at all (could not verify).
uncertain_region contains v if {
	some role in ["source", "destination"]
	lib.alibaba(role)
	region := input.plan[role].region
	region != ""
	not lib.date_rule_region(region)
	input.plan[role].architecture == ""
	object.get(input.plan.network, "connectivity_ticket", "") == ""
	v := {
		"msg": sprintf("the %s is in %s, where the date of the network architecture change is uncertain; confirm with Alibaba support that the clusters can connect before running %s", [role, region, input.plan.method]),
		"cluster": role,
		"location": sprintf("%s.region", [role]),
		"evidence": [
			{"fact": sprintf("plan.%s.region", [role]), "value": region},
			{"fact": "plan.network.connectivity_ticket", "value": ""},
		],
	}
}

uncertain_region contains v if {
	some role in ["source", "destination"]
	lib.alibaba(role)
	input.plan[role].region == ""
	input.plan[role].architecture == ""
	object.get(input.plan.network, "connectivity_ticket", "") == ""
	v := {
		"msg": sprintf("could not verify: the %s has no region, so it is unknown whether its creation date tells its network architecture; add %s.region", [role, role]),
		"cluster": role,
		"location": role,
		"unverified": true,
		"evidence": [{"fact": sprintf("plan.%s.region", [role]), "value": ""}],
	}
}

# METADATA
# title: Network architecture of an Alibaba cluster cannot be determined
# description: |
#   A cross-cluster operation with an Alibaba Cloud Elasticsearch cluster whose
#   network architecture is unknown cannot be judged: the plan gives neither
#   its creation date nor an explicit `architecture:`. espreflight fails
#   closed rather than assume.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/product-overview/notice-for-network-architecture-adjustment
# custom:
#   id: ARCH-003
#   methods: [reindex]
#   severity: error
#   remediation: |
#     Add the instance's creation date (`created: YYYY-MM-DD`, from the
#     console or DescribeInstance's createdAt) or `architecture: original|new`
#     to the cluster in the plan.
#   example: |
#     method: reindex
#     source: {kind: alibaba, region: cn-hangzhou}
#     destination: {kind: alibaba, region: cn-hangzhou, created: 2021-03-01}
deny contains f if {
	some role in ["source", "destination"]
	lib.alibaba(role)
	not lib.architecture(role)
	f := lib.finding(
		rego.metadata.rule(),
		sprintf("could not verify: the network architecture of the %s is unknown (the plan gives neither %s.created nor %s.architecture), so it cannot be checked that %s between the clusters works", [role, role, role, input.plan.method]),
		{
			"cluster": role,
			"location": role,
			"unverified": true,
			"evidence": [
				{"fact": sprintf("plan.%s.created", [role]), "value": ""},
				{"fact": sprintf("plan.%s.architecture", [role]), "value": ""},
			],
		},
	)
}
