# METADATA
# description: |
#   OSS snapshot repositories: shared repositories, accounts and AccessKey
#   pairs, regions and cross-region replication, the repository plugin, and
#   snapshots held in Tencent Cloud COS.
package espreflight.rules.oss

import future.keywords.not

import data.espreflight.lib

repo := r if {
	r := input.plan.snapshot.repository
	is_object(r)
} else := {}

shared if repo.shared == true

# alibaba_steps are the snapshot steps between two Alibaba clusters.
alibaba_steps contains [from, to] if {
	some [from, to] in lib.snapshot_steps
	lib.alibaba(from)
	lib.alibaba(to)
}

# METADATA
# title: Shared OSS repository across regions
# description: |
#   A shared OSS repository (one repository registered on both Alibaba Cloud
#   Elasticsearch clusters) works only for clusters in the same region.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/user-guide/configure-a-shared-oss-repository
# custom:
#   id: OSS-001
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     Put both clusters in one region, or give each cluster its own repository
#     and replicate the bucket into the destination's region with OSS
#     cross-region replication (`snapshot.cross_region_replication: true`).
#   example: |
#     method: snapshot
#     source: {kind: alibaba, region: cn-hangzhou}
#     destination: {kind: alibaba, region: cn-shanghai}
#     snapshot: {repository: {type: oss, shared: true}}
deny contains f if {
	some v in shared_regions
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

shared_regions contains v if {
	shared
	lib.oss_repository
	some [from, to] in alibaba_steps
	a := input.plan[from].region
	b := input.plan[to].region
	a != ""
	b != ""
	a != b
	v := {
		"msg": sprintf("a shared OSS repository needs both clusters in one region, but the %s is in %s and the %s in %s", [from, a, to, b]),
		"cluster": to,
		"location": "snapshot.repository.shared",
		"evidence": [
			{"fact": "plan.snapshot.repository.shared", "value": true},
			{"fact": sprintf("plan.%s.region", [from]), "value": a},
			{"fact": sprintf("plan.%s.region", [to]), "value": b},
		],
	}
}

shared_regions contains v if {
	shared
	lib.oss_repository
	some step in alibaba_steps
	some role in step
	input.plan[role].region == ""
	v := missing_plan_fact(role, "region", "that the clusters sharing the OSS repository are in one region")
}

missing_plan_fact(role, key, what) := {
	"msg": sprintf("could not verify %s: the plan gives no %s.%s", [what, role, key]),
	"cluster": role,
	"location": role,
	"unverified": true,
	"evidence": [{"fact": sprintf("plan.%s.%s", [role, key]), "value": ""}],
}

# METADATA
# title: Shared OSS repository across accounts
# description: |
#   A shared OSS repository works only for clusters under the same Alibaba
#   Cloud account (or RAM user). Between accounts, register a repository on
#   each cluster with the AccessKey pair of the bucket owner instead.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/user-guide/configure-a-shared-oss-repository
# custom:
#   id: OSS-002
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     Set `snapshot.repository.shared: false` and register the bucket as a
#     manual snapshot repository on both clusters with the bucket owner's
#     AccessKey pair (see OSS-003).
#   example: |
#     method: snapshot
#     source: {kind: alibaba, account: "1111"}
#     destination: {kind: alibaba, account: "2222"}
#     snapshot: {repository: {type: oss, shared: true}}
deny contains f if {
	some v in shared_accounts
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

shared_accounts contains v if {
	shared
	lib.oss_repository
	some [from, to] in alibaba_steps
	a := input.plan[from].account
	b := input.plan[to].account
	a != ""
	b != ""
	a != b
	v := {
		"msg": sprintf("a shared OSS repository needs both clusters under one account, but the %s belongs to %s and the %s to %s", [from, a, to, b]),
		"cluster": to,
		"location": "snapshot.repository.shared",
		"evidence": [
			{"fact": "plan.snapshot.repository.shared", "value": true},
			{"fact": sprintf("plan.%s.account", [from]), "value": a},
			{"fact": sprintf("plan.%s.account", [to]), "value": b},
		],
	}
}

shared_accounts contains v if {
	shared
	lib.oss_repository
	some step in alibaba_steps
	some role in step
	input.plan[role].account == ""
	v := missing_plan_fact(role, "account", "that the clusters sharing the OSS repository are under one account")
}

# METADATA
# title: Cross-account snapshot without the bucket owner's AccessKey pair
# description: |
#   When the two Alibaba clusters belong to different accounts, both must
#   register the OSS repository with the AccessKey pair of the account that
#   owns the bucket. The plan states the owner in
#   `snapshot.repository.owner_account` and whose AccessKey each cluster uses
#   in `snapshot.repository.access_key_account.<role>`.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: OSS-003
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     Register the repository on every cluster with an AccessKey pair of the
#     bucket owner's account (a RAM user of that account with OSS access),
#     and record it in `snapshot.repository.access_key_account`.
#   example: |
#     method: snapshot
#     source: {kind: alibaba, account: "1111"}
#     destination: {kind: alibaba, account: "2222"}
#     snapshot:
#       repository:
#         type: oss
#         owner_account: "1111"
#         access_key_account: {source: "1111", destination: "2222"}
deny contains f if {
	some v in wrong_access_key
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

# cross_account_steps are Alibaba steps whose clusters' accounts differ.
cross_account_steps contains [from, to] if {
	some [from, to] in alibaba_steps
	input.plan[from].account != ""
	input.plan[to].account != ""
	input.plan[from].account != input.plan[to].account
}

access_key_account(role) := lib.plan_get(["snapshot", "repository", "access_key_account", role], "")

wrong_access_key contains v if {
	lib.oss_repository
	some step in cross_account_steps
	owner := object.get(repo, "owner_account", "")
	owner != ""
	some role in step
	access_key_account(role) != ""
	access_key_account(role) != owner
	v := {
		"msg": sprintf("cross-account snapshot: the %s registers the repository with the AccessKey pair of account %s, but the bucket belongs to %s", [role, access_key_account(role), owner]),
		"cluster": role,
		"location": sprintf("snapshot.repository.access_key_account.%s", [role]),
		"evidence": [
			{"fact": "plan.snapshot.repository.owner_account", "value": owner},
			{"fact": sprintf("plan.snapshot.repository.access_key_account.%s", [role]), "value": access_key_account(role)},
		],
	}
}

wrong_access_key contains v if {
	lib.oss_repository
	some step in cross_account_steps
	some role in step
	some key in unknown_access_keys(role)
	v := {
		"msg": sprintf("could not verify that the %s uses the bucket owner's AccessKey pair for this cross-account snapshot: the plan gives no %s", [role, key]),
		"cluster": role,
		"location": "snapshot.repository",
		"unverified": true,
		"evidence": [{"fact": sprintf("plan.%s", [key]), "value": ""}],
	}
}

unknown_access_keys(role) := {k |
	some [k, v] in [
		["snapshot.repository.owner_account", object.get(repo, "owner_account", "")],
		[sprintf("snapshot.repository.access_key_account.%s", [role]), access_key_account(role)],
	]
	v == ""
}

# Cross-account and cross-region need checks for Alibaba clusters only; a
# step with an unknown account cannot be judged.
wrong_access_key contains v if {
	lib.oss_repository
	not shared
	some step in alibaba_steps
	some role in step
	input.plan[role].account == ""
	v := missing_plan_fact(role, "account", "whether the snapshot crosses accounts (then both clusters need the bucket owner's AccessKey pair)")
}

# METADATA
# title: OSS bucket outside the region of an Alibaba cluster that uses it
# description: |
#   Alibaba Cloud Elasticsearch registers OSS repositories of its own region
#   only (through the region's internal endpoint), so the bucket
#   (`snapshot.repository.region`) must be in the region of every Alibaba
#   cluster that writes or restores the snapshots, and two Alibaba clusters in
#   different regions cannot share one bucket: OSS cross-region replication
#   (CRR) must copy it into a bucket in the other region
#   (`snapshot.cross_region_replication: true`, then the regions are not
#   compared). A self-managed cluster may be anywhere: it reaches the bucket
#   through the public endpoint; only one that the plan says uses the
#   internal endpoint (`snapshot.repository.oss_endpoint.<role>: internal`)
#   must be in the bucket's region, as internal endpoints serve ECS instances
#   of that region only.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/user-guide/create-manual-snapshots-and-restore-data-from-manual-snapshots
#   - ref: https://www.alibabacloud.com/help/en/oss/user-guide/regions-and-endpoints
#   - ref: https://www.alibabacloud.com/help/en/oss/user-guide/crr-overview
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: OSS-004
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     Use a bucket in the region of the Alibaba cluster(s) and record it as
#     `snapshot.repository.region`. Between Alibaba clusters in two regions,
#     set up OSS cross-region replication from the source's bucket into a
#     bucket in the destination's region, register that bucket on the
#     destination, and set `snapshot.cross_region_replication: true`. A
#     self-managed cluster outside the bucket's region registers the
#     repository with the bucket's public endpoint (oss-<region>.aliyuncs.com).
#   example: |
#     method: snapshot
#     source: {kind: self-managed, region: cn-shanghai}
#     destination: {kind: alibaba, region: cn-hangzhou}
#     snapshot: {repository: {type: oss, region: cn-beijing}}
deny contains f if {
	some v in cross_region
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

no_crr if not lib.plan_get(["snapshot", "cross_region_replication"], false)

bucket_region := object.get(repo, "region", "")

# step_roles are the clusters that write or restore the snapshots.
step_roles contains role if {
	some step in lib.snapshot_steps
	some role in step
}

region_checked if {
	lib.oss_repository
	no_crr
}

region_evidence(role) := {"fact": sprintf("plan.%s.region", [role]), "value": input.plan[role].region}

bucket_evidence := {"fact": "plan.snapshot.repository.region", "value": bucket_region}

# An Alibaba cluster in another region than the bucket.
cross_region contains v if {
	region_checked
	bucket_region != ""
	some role in step_roles
	lib.alibaba(role)
	r := input.plan[role].region
	r != ""
	r != bucket_region
	v := {
		"msg": sprintf("the OSS bucket is in %s, but the %s, an Alibaba cluster, is in %s: Alibaba Cloud Elasticsearch uses buckets of its own region only, and the plan has no OSS cross-region replication", [bucket_region, role, r]),
		"cluster": role,
		"location": "snapshot.repository.region",
		"evidence": [bucket_evidence, region_evidence(role), {"fact": "plan.snapshot.cross_region_replication", "value": false}],
	}
}

# Two Alibaba clusters in different regions: no bucket serves both.
cross_region contains v if {
	region_checked
	bucket_region == ""
	some [from, to] in lib.snapshot_steps
	lib.alibaba(from)
	lib.alibaba(to)
	a := input.plan[from].region
	b := input.plan[to].region
	a != ""
	b != ""
	a != b
	v := {
		"msg": sprintf("the %s (%s) and the %s (%s) are Alibaba clusters in different regions, and each uses OSS buckets of its own region only: the plan needs OSS cross-region replication", [from, a, to, b]),
		"cluster": to,
		"location": "snapshot",
		"evidence": [region_evidence(from), region_evidence(to), {"fact": "plan.snapshot.cross_region_replication", "value": false}],
	}
}

# The bucket's region is unknown while the Alibaba clusters share one.
cross_region contains v if {
	region_checked
	bucket_region == ""
	regions := {r | some role in step_roles; lib.alibaba(role); r := input.plan[role].region; r != ""}
	count(regions) == 1
	some r in regions
	v := {
		"msg": sprintf("could not verify that the OSS bucket is in %s, the region of the Alibaba cluster(s) that use it: the plan gives no snapshot.repository.region", [r]),
		"location": "snapshot.repository",
		"unverified": true,
		"evidence": [bucket_evidence],
	}
}

cross_region contains v if {
	region_checked
	some role in step_roles
	lib.alibaba(role)
	input.plan[role].region == ""
	v := missing_plan_fact(role, "region", "that the OSS bucket is in the region of this Alibaba cluster")
}

oss_endpoint(role) := lib.plan_get(["snapshot", "repository", "oss_endpoint", role], "")

# A cluster that reaches the bucket through the internal endpoint from
# another region (or from a region the plan does not give).
cross_region contains v if {
	lib.oss_repository
	some role in step_roles
	not lib.alibaba(role)
	oss_endpoint(role) == "internal"
	r := input.plan[role].region
	r != ""
	bucket_region != ""
	r != bucket_region
	v := {
		"msg": sprintf("the %s (in %s) registers the repository with the OSS internal endpoint, which serves only ECS instances of the bucket's region (%s): use the public endpoint", [role, r, bucket_region]),
		"cluster": role,
		"location": sprintf("snapshot.repository.oss_endpoint.%s", [role]),
		"evidence": [
			{"fact": sprintf("plan.snapshot.repository.oss_endpoint.%s", [role]), "value": "internal"},
			region_evidence(role),
			bucket_evidence,
		],
	}
}

cross_region contains v if {
	lib.oss_repository
	some role in step_roles
	not lib.alibaba(role)
	oss_endpoint(role) == "internal"
	some key in [sprintf("%s.region", [role]), "snapshot.repository.region"]
	lib.plan_get(split(key, "."), "") == ""
	v := {
		"msg": sprintf("could not verify that the %s can reach the bucket through the OSS internal endpoint, which serves only ECS instances of the bucket's region: the plan gives no %s", [role, key]),
		"cluster": role,
		"location": sprintf("snapshot.repository.oss_endpoint.%s", [role]),
		"unverified": true,
		"evidence": [{"fact": sprintf("plan.%s", [key]), "value": ""}],
	}
}

# METADATA
# title: OSS repository plugin missing or built for another version
# description: |
#   A self-managed cluster reads and writes an OSS snapshot repository
#   through the elasticsearch-repository-oss plugin, which must be installed
#   on every node. Each release of the plugin is built for one Elasticsearch
#   version and carries that version as its own (release vX.Y.Z is built for
#   Elasticsearch X.Y.Z); Elasticsearch refuses to load a plugin built for
#   another version, so every node needs the build for its own version. The
#   two clusters of a migration need not run the same plugin version: each
#   runs the build for its own Elasticsearch. Alibaba Cloud Elasticsearch
#   clusters have the plugin preinstalled and are not checked. Checked for
#   each self-managed cluster of a snapshot step through an OSS repository.
# related_resources:
#   - ref: https://github.com/aliyun/elasticsearch-repository-oss
#   - ref: https://www.alibabacloud.com/help/en/es/user-guide/configure-a-shared-oss-repository
#   - ref: https://www.elastic.co/docs/reference/elasticsearch/command-line-tools/elasticsearch-plugin
# custom:
#   id: OSS-005
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     On each reported node, install the elasticsearch-repository-oss build
#     for that node's exact Elasticsearch version (the plugin's releases are
#     tagged with the Elasticsearch version they are built for):
#     `bin/elasticsearch-plugin install <zip>`, then restart the node, one
#     node at a time; `plugin.mandatory: elasticsearch-repository-oss` in
#     elasticsearch.yml keeps a node without it from starting. The Alibaba
#     cluster needs nothing: it has the plugin.
#   example: |
#     method: snapshot
#     source: {kind: self-managed, endpoint: "https://10.0.0.5:9200"}  # a node without the plugin
#     destination: {kind: alibaba, endpoint: "https://es-cn-x.elasticsearch.aliyuncs.com:9200"}
deny contains f if {
	some v in oss_plugin
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

plugin_name := "elasticsearch-repository-oss"

# plugin_clusters are the self-managed clusters that read or write the OSS
# repository of a snapshot step: a repository of type oss, or of no type
# when the other cluster of the step is an Alibaba cluster (which restores
# from OSS).
plugin_clusters contains role if {
	some step in lib.snapshot_steps
	some i, role in step
	input.plan[role].kind == "self-managed"
	oss_step(step[1 - i])
}

oss_step(_) if lib.plan_get(["snapshot", "repository", "type"], "") == "oss"

oss_step(other) if {
	lib.plan_get(["snapshot", "repository", "type"], "") == ""
	lib.alibaba(other)
}

# node_plugin[role] lists, per node of a cluster that needs the plugin,
# {name, version, plugin}: the node's own version and its plugin's version
# ("" when the node lacks it).
node_plugin[role] := [{"name": n.name, "version": n.version, "plugin": lib.plugin_version(role, i, plugin_name)} |
	some i, n in input.clusters[role].nodes
] if {
	some role in plugin_clusters
	lib.known(role, "nodes")
}

oss_plugin contains v if {
	some role, nodes in node_plugin
	names := sort([n.name | some n in nodes; n.plugin == ""])
	count(names) > 0
	v := {
		"msg": sprintf("%d node(s) of the %s lack the %s plugin, which every node needs to read and write the OSS repository: %s", [count(names), role, plugin_name, lib.names_preview(names)]),
		"cluster": role,
		"location": role,
		"evidence": [{"fact": sprintf("clusters.%s.nodes", [role]), "value": names}],
	}
}

# A running node has a plugin build for its own version: Elasticsearch
# refuses to start with one built for another. A plugin that reports another
# version, or a node whose version is unknown, cannot be matched to the
# plugin's versioning (release X.Y.Z for Elasticsearch X.Y.Z).
oss_plugin contains v if {
	some role, nodes in node_plugin
	odd := sort([node_text(n) |
		some n in nodes
		n.plugin != ""
		n.plugin != n.version
	])
	count(odd) > 0
	v := {
		"msg": sprintf("could not verify that the %s plugin of %d node(s) of the %s is the build for the node's own Elasticsearch version (the plugin's releases carry the Elasticsearch version they are built for): %s", [plugin_name, count(odd), role, lib.names_preview(odd)]),
		"cluster": role,
		"location": role,
		"unverified": true,
		"evidence": [{"fact": sprintf("clusters.%s.nodes", [role]), "value": odd}],
	}
}

node_text(n) := sprintf("%s runs an unknown version with plugin %s", [n.name, n.plugin]) if {
	n.version == ""
} else := sprintf("%s runs %s with plugin %s", [n.name, n.version, n.plugin])

oss_plugin contains v if {
	some role in plugin_clusters
	not lib.known(role, "nodes")
	v := {
		"msg": sprintf("could not verify that every node of the %s has the %s plugin built for its version: its nodes are unknown (%s)", [role, plugin_name, lib.why_unknown(role, "nodes")]),
		"cluster": role,
		"location": role,
		"unverified": true,
		"evidence": [{"fact": sprintf("clusters.%s.nodes", [role]), "value": null}],
	}
}

# METADATA
# title: Snapshots in Tencent Cloud COS not moved to OSS
# description: |
#   Alibaba Cloud Elasticsearch restores from OSS. Snapshots held in a Tencent
#   Cloud COS bucket must first be copied into an OSS bucket with Alibaba's
#   Data Online Migration service; the plan says so with
#   `snapshot.moved_to_oss: true`.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: OSS-006
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     Copy the snapshot files from COS to an OSS bucket in the destination's
#     region with Data Online Migration, register that bucket as an OSS
#     repository on the destination, and set `snapshot.moved_to_oss: true`.
#   example: |
#     method: snapshot
#     source: {kind: third-party, provider: tencent}
#     snapshot: {repository: {type: cos}}
deny contains f if {
	some v in cos_snapshots
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

cos_snapshots contains v if {
	not lib.plan_get(["snapshot", "moved_to_oss"], false)
	some why in cos_store
	v := {
		"msg": sprintf("%s, but the plan does not say the snapshots are moved to OSS first", [why.msg]),
		"cluster": "source",
		"location": why.key,
		"evidence": [
			{"fact": sprintf("plan.%s", [why.key]), "value": why.value},
			{"fact": "plan.snapshot.moved_to_oss", "value": false},
		],
	}
}

cos_store contains {"msg": "the snapshots are in a Tencent Cloud COS bucket", "key": "snapshot.repository.type", "value": "cos"} if {
	repo.type == "cos"
}

cos_store contains {"msg": "the source is on Tencent Cloud, whose snapshots are kept in COS", "key": "source.provider", "value": "tencent"} if {
	input.plan.source.provider == "tencent"
	object.get(repo, "type", "") == ""
}
