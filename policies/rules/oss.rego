# METADATA
# description: |
#   OSS snapshot repositories: shared repositories, accounts and AccessKey
#   pairs, regions and cross-region replication, the repository plugin, and
#   snapshots held in Tencent Cloud COS.
package espreflight.rules.oss

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
# title: Snapshot across regions without OSS cross-region replication
# description: |
#   An OSS bucket serves clusters in its own region. To migrate by snapshot
#   between regions, OSS cross-region replication (CRR) must copy the bucket
#   into a bucket in the destination's region. The check compares the
#   clusters' regions, or the bucket's region (`snapshot.repository.region`)
#   with the region of a cluster when the other cluster has none.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
#   - ref: https://www.alibabacloud.com/help/en/oss/user-guide/crr-overview
# custom:
#   id: OSS-004
#   severity: error
#   remediation: |
#     Set up OSS cross-region replication from the source bucket into a bucket
#     in the destination's region, register that bucket on the destination,
#     and set `snapshot.cross_region_replication: true`.
#   example: |
#     method: snapshot
#     source: {kind: alibaba, region: cn-hangzhou}
#     destination: {kind: alibaba, region: cn-beijing}
#     snapshot: {repository: {type: oss}}
deny contains f if {
	some v in cross_region
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

no_crr if not lib.plan_get(["snapshot", "cross_region_replication"], false)

# region_of(role) is [region, plan key] for a cluster: its own region, or the
# bucket's region when the cluster has none.
region_of(role) := [r, sprintf("plan.%s.region", [role])] if {
	r := input.plan[role].region
	r != ""
} else := [r, "plan.snapshot.repository.region"] if {
	r := object.get(repo, "region", "")
	r != ""
}

cross_region contains v if {
	lib.oss_repository
	no_crr
	some [from, to] in lib.snapshot_steps
	[a, ka] := region_of(from)
	[b, kb] := region_of(to)
	a != b
	v := {
		"msg": sprintf("the %s (%s) and the %s (%s) are in different regions and the plan has no OSS cross-region replication", [from, a, to, b]),
		"cluster": to,
		"location": "snapshot",
		"evidence": [
			{"fact": ka, "value": a},
			{"fact": kb, "value": b},
			{"fact": "plan.snapshot.cross_region_replication", "value": false},
		],
	}
}

cross_region contains v if {
	lib.oss_repository
	no_crr
	some step in lib.snapshot_steps
	some role in step
	not region_of(role)
	v := missing_plan_fact(role, "region", "that the clusters (or the bucket) are in one region")
}

# METADATA
# title: OSS repository plugin missing or at different versions
# description: |
#   To migrate from a self-managed cluster to Alibaba Cloud Elasticsearch by
#   OSS snapshot, the elasticsearch-repository-oss plugin must be installed on
#   every node of both clusters, at the same version on both. The plugin
#   version follows the Elasticsearch version it was built for.
# related_resources:
#   - ref: https://github.com/aliyun/elasticsearch-repository-oss
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: OSS-005
#   severity: error
#   remediation: |
#     Install the elasticsearch-repository-oss release matching your
#     Elasticsearch version on every node of the self-managed cluster
#     (`bin/elasticsearch-plugin install <zip>`, then restart each node), at the
#     version the Alibaba cluster runs.
#   example: |
#     method: snapshot
#     source: {kind: self-managed, endpoint: "https://10.0.0.5:9200"}  # a node without the plugin
#     destination: {kind: alibaba, endpoint: "https://es-cn-x.elasticsearch.aliyuncs.com:9200"}
deny contains f if {
	some v in oss_plugin
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

plugin_name := "elasticsearch-repository-oss"

# self_managed_steps are the steps from a self-managed to an Alibaba cluster.
self_managed_steps contains [from, to] if {
	lib.oss_repository
	some [from, to] in lib.snapshot_steps
	input.plan[from].kind == "self-managed"
	lib.alibaba(to)
}

# plugin_nodes[role][version] lists the nodes that have the plugin at a
# version ("" = missing).
plugin_nodes[role][ver] := names if {
	some step in self_managed_steps
	some role in step
	lib.known(role, "nodes")
	some ver in {lib.plugin_version(role, i, plugin_name) | some i, _ in input.clusters[role].nodes}
	names := sort([n.name | some i, n in input.clusters[role].nodes; lib.plugin_version(role, i, plugin_name) == ver])
}

oss_plugin contains v if {
	some role, vers in plugin_nodes
	names := vers[""]
	v := {
		"msg": sprintf("%d node(s) of the %s lack the %s plugin: %s", [count(names), role, plugin_name, lib.names_preview(names)]),
		"cluster": role,
		"location": role,
		"evidence": [{"fact": sprintf("clusters.%s.nodes", [role]), "value": names}],
	}
}

oss_plugin contains v if {
	some [from, to] in self_managed_steps
	versions := {ver | some role in [from, to]; some ver, _ in plugin_nodes[role]; ver != ""}
	count(versions) > 1
	v := {
		"msg": sprintf("the %s plugin differs between the %s (%s) and the %s (%s); it must be the same version on every node of both", [plugin_name, from, versions_text(from), to, versions_text(to)]),
		"cluster": from,
		"location": from,
		"evidence": [
			{"fact": sprintf("clusters.%s.nodes", [from]), "value": versions_text(from)},
			{"fact": sprintf("clusters.%s.nodes", [to]), "value": versions_text(to)},
		],
	}
}

versions_text(role) := concat("; ", [sprintf("%s on %s", [ver, lib.names_preview(names)]) | some ver, names in plugin_nodes[role]; ver != ""])

oss_plugin contains v if {
	some step in self_managed_steps
	some role in step
	not lib.known(role, "nodes")
	v := {
		"msg": sprintf("could not verify that every node of the %s has the %s plugin: its nodes are unknown (%s)", [role, plugin_name, lib.why_unknown(role, "nodes")]),
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
	lib.snapshot_methods[input.plan.method]
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
