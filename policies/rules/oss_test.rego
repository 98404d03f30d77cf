package espreflight.rules.oss_test

import future.keywords.not

import data.espreflight.rules.oss

ali(region, account) := {"kind": "alibaba", "region": region, "account": account, "provider": ""}

splan(src, dst, snapshot) := {"method": "snapshot", "source": src, "destination": dst, "snapshot": snapshot}

repo(r) := {"repository": object.union({"type": "oss", "shared": false, "region": "", "owner_account": "", "access_key_account": {"source": "", "destination": ""}}, r), "cross_region_replication": false, "moved_to_oss": false}

only(fs, id) := {f | some f in fs; f.rule == id}

deny_of(p) := fs if {
	fs := oss.deny with input as {"plan": p, "clusters": {}}
}

test_oss001_oss002_shared_repository if {
	fs := deny_of(splan(ali("cn-hangzhou", "1"), ali("cn-shanghai", "2"), repo({"shared": true})))
	count(only(fs, "OSS-001")) == 1
	count(only(fs, "OSS-002")) == 1
	count(only(fs, "OSS-004")) == 1
}

test_oss001_oss002_quiet_same_region_account if {
	fs := deny_of(splan(ali("cn-hangzhou", "1"), ali("cn-hangzhou", "1"), repo({"shared": true, "region": "cn-hangzhou"})))
	count(fs) == 0
}

test_oss001_oss002_unverified_without_region_account if {
	fs := deny_of(splan(ali("", ""), ali("cn-hangzhou", "1"), repo({"shared": true})))
	some f1 in only(fs, "OSS-001")
	f1.unverified
	some f2 in only(fs, "OSS-002")
	f2.unverified
}

test_oss003_wrong_access_key if {
	fs := deny_of(splan(ali("cn-hangzhou", "1"), ali("cn-hangzhou", "2"), repo({"owner_account": "1", "access_key_account": {"source": "1", "destination": "2"}})))
	found := only(fs, "OSS-003")
	count(found) == 1
	some f in found
	f.cluster == "destination"
	not f.unverified
}

test_oss003_owner_keys_quiet if {
	fs := deny_of(splan(ali("cn-hangzhou", "1"), ali("cn-hangzhou", "2"), repo({"region": "cn-hangzhou", "owner_account": "1", "access_key_account": {"source": "1", "destination": "1"}})))
	count(fs) == 0
}

test_oss003_unknown_keys_unverified if {
	fs := deny_of(splan(ali("cn-hangzhou", "1"), ali("cn-hangzhou", "2"), repo({})))
	found := only(fs, "OSS-003")
	count(found) == 4
	every f in found {
		f.unverified
	}
}

test_oss003_unknown_account_unverified if {
	fs := deny_of(splan(ali("cn-hangzhou", ""), ali("cn-hangzhou", "2"), repo({})))
	found := only(fs, "OSS-003")
	count(found) == 1
	some f in found
	f.cluster == "source"
}

sm(region) := {"kind": "self-managed", "region": region, "account": "", "provider": ""}

oss004(p) := only(deny_of(p), "OSS-004")

# The guide's path: a self-managed source elsewhere reaches the bucket in the
# Alibaba destination's region through the public endpoint.
test_oss004_self_managed_source_elsewhere_passes if {
	count(oss004(splan(sm("cn-shanghai"), ali("cn-hangzhou", "1"), repo({"region": "cn-hangzhou"})))) == 0
	count(oss004(splan(sm(""), ali("cn-hangzhou", "1"), repo({"region": "cn-hangzhou", "oss_endpoint": {"source": "public"}})))) == 0
	count(oss004(splan(sm("cn-hangzhou"), ali("cn-hangzhou", "1"), repo({"region": "cn-hangzhou", "oss_endpoint": {"source": "internal"}})))) == 0
}

test_oss004_bucket_outside_alibaba_region_fails if {
	fs := oss004(splan(sm("cn-shanghai"), ali("cn-hangzhou", "1"), repo({"region": "cn-beijing"})))
	count(fs) == 1
	some f in fs
	not f.unverified
	f.cluster == "destination"
	contains(f.msg, "the OSS bucket is in cn-beijing, but the destination, an Alibaba cluster, is in cn-hangzhou")
}

# Both Alibaba clusters in one region, the bucket in another: both fail,
# where the old check compared only the clusters' regions.
test_oss004_bucket_in_other_region_than_both_alibaba_clusters_fails if {
	fs := oss004(splan(ali("cn-hangzhou", "1"), ali("cn-hangzhou", "1"), repo({"region": "cn-beijing"})))
	{f.cluster | some f in fs} == {"source", "destination"}
}

test_oss004_alibaba_clusters_in_two_regions_fail if {
	fs := oss004(splan(ali("cn-hangzhou", "1"), ali("cn-beijing", "1"), repo({})))
	count(fs) == 1
	some f in fs
	not f.unverified
	contains(f.msg, "different regions")

	# With a bucket region, the cluster outside it is named.
	fs2 := oss004(splan(ali("cn-hangzhou", "1"), ali("cn-beijing", "1"), repo({"region": "cn-hangzhou"})))
	{f2.cluster | some f2 in fs2} == {"destination"}
}

test_oss004_crr_passes if {
	count(oss004(splan(ali("cn-hangzhou", "1"), ali("cn-beijing", "1"), object.union(repo({"region": "cn-hangzhou"}), {"cross_region_replication": true})))) == 0
}

test_oss004_internal_endpoint_from_other_region_fails if {
	p := splan(sm("cn-shanghai"), ali("cn-hangzhou", "1"), repo({"region": "cn-hangzhou", "oss_endpoint": {"source": "internal"}}))
	fs := oss004(p)
	count(fs) == 1
	some f in fs
	not f.unverified
	f.cluster == "source"
	f.location == "snapshot.repository.oss_endpoint.source"
}

test_oss004_unknown_regions_unverified if {
	# No bucket region while the Alibaba clusters share one.
	fs := oss004(splan(sm(""), ali("cn-hangzhou", "1"), repo({})))
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "snapshot.repository.region")

	# An Alibaba cluster without a region.
	fs2 := oss004(splan(sm(""), ali("", "1"), repo({"region": "cn-hangzhou"})))
	some f2 in fs2
	f2.unverified
	f2.cluster == "destination"

	# The internal endpoint from a cluster whose region is not given.
	fs3 := oss004(splan(sm(""), ali("cn-hangzhou", "1"), repo({"region": "cn-hangzhou", "oss_endpoint": {"source": "internal"}})))
	some f3 in fs3
	f3.unverified
	f3.cluster == "source"
	contains(f3.msg, "source.region")
}

test_oss004_not_for_s3 if {
	count(deny_of(splan(ali("cn-hangzhou", "1"), ali("cn-beijing", "1"), repo({"type": "s3"})))) == 0
}

node(name, version, oss_version) := {"name": name, "version": version, "plugins": [{"name": "elasticsearch-repository-oss", "version": oss_version}]}

bare(name, version) := {"name": name, "version": version, "plugins": [{"name": "analysis-ik", "version": version}]}

sm_plan := splan({"kind": "self-managed", "region": "cn-hangzhou", "account": "", "provider": ""}, ali("cn-hangzhou", "1"), repo({}))

plugin_deny_plan(p, src_nodes, dst_nodes) := only(fs, "OSS-005") if {
	fs := oss.deny with input as {"plan": p, "clusters": {
		"source": {"nodes": src_nodes, "unknown": []},
		"destination": {"nodes": dst_nodes, "unknown": []},
	}}
}

plugin_deny(src_nodes, dst_nodes) := plugin_deny_plan(sm_plan, src_nodes, dst_nodes)

test_oss005_node_without_plugin_fails if {
	fs := plugin_deny([node("es-1", "6.8.23", "6.8.23"), bare("es-2", "6.8.23"), bare("es-3", "6.8.23")], [node("a-1", "7.10.0", "7.10.0")])
	count(fs) == 1
	some f in fs
	not f.unverified
	f.cluster == "source"
	contains(f.msg, "2 node(s) of the source")
	contains(f.msg, "es-2, es-3")
}

# The guide's headline migration: each cluster runs the build for its own
# version, and the two versions differ.
test_oss005_cross_version_self_managed_to_alibaba_passes if {
	count(plugin_deny([node("es-1", "6.8.23", "6.8.23"), node("es-2", "6.8.23", "6.8.23")], [node("a-1", "7.10.0", "7.10.0")])) == 0
}

# A rolling upgrade in progress: each node has the build for its own version.
test_oss005_each_node_its_own_build_passes if {
	count(plugin_deny([node("es-1", "7.10.1", "7.10.1"), node("es-2", "7.10.2", "7.10.2")], [])) == 0
}

# The Alibaba cluster has the plugin preinstalled: its nodes are not checked.
test_oss005_alibaba_nodes_not_checked if {
	count(plugin_deny([node("es-1", "6.8.23", "6.8.23")], [bare("a-1", "7.10.0")])) == 0
	p := object.union(sm_plan, {"source": {"kind": "alibaba"}})
	count(plugin_deny_plan(p, [bare("es-1", "6.8.23")], [bare("a-1", "7.10.0")])) == 0
}

# A self-managed destination restoring from OSS needs the plugin too, and an
# S3 repository does not.
test_oss005_self_managed_reader_and_other_repositories if {
	to_sm := object.union(splan(ali("cn-hangzhou", "1"), {"kind": "self-managed", "region": "cn-hangzhou", "account": "", "provider": ""}, repo({})), {})
	fs := plugin_deny_plan(to_sm, [], [bare("d-1", "7.10.2")])
	some f in fs
	f.cluster == "destination"
	s3 := object.union(sm_plan, {"snapshot": repo({"type": "s3"})})
	count(plugin_deny_plan(s3, [bare("es-1", "6.8.23")], [])) == 0
	both_sm := splan({"kind": "self-managed"}, {"kind": "self-managed"}, repo({"type": ""}))
	count(plugin_deny_plan(both_sm, [bare("es-1", "6.8.23")], [bare("d-1", "6.8.23")])) == 0
	untyped := object.union(sm_plan, {"snapshot": repo({"type": ""})})
	count(plugin_deny_plan(untyped, [bare("es-1", "6.8.23")], [])) == 1
}

test_oss005_plugin_version_other_than_node_unverified if {
	fs := plugin_deny([node("es-1", "7.10.2", "7.10.0"), node("es-2", "", "7.10.2")], [])
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "es-1 runs 7.10.2 with plugin 7.10.0")
	contains(f.msg, "es-2 runs an unknown version with plugin 7.10.2")
}

test_oss005_unknown_nodes_unverified if {
	fs := oss.deny with input as {"plan": sm_plan, "clusters": {
		"source": {"nodes": null, "unknown": [{"fact": "nodes", "endpoint": "GET /_nodes/plugins", "error": "HTTP 401"}]},
		"destination": {"nodes": [node("a-1", "7.10.0", "7.10.0")], "unknown": []},
	}}
	found := only(fs, "OSS-005")
	count(found) == 1
	some f in found
	f.unverified
	contains(f.msg, "HTTP 401")
}

tencent := {"kind": "third-party", "provider": "tencent", "region": "ap-guangzhou", "account": ""}

test_oss006_cos_repository if {
	fs := only(deny_of(splan(tencent, ali("ap-guangzhou", "1"), repo({"type": "cos"}))), "OSS-006")
	count(fs) == 1
	some f in fs
	f.location == "snapshot.repository.type"
}

test_oss006_tencent_without_repository_type if {
	p := splan(tencent, ali("ap-guangzhou", "1"), null)
	fs := only(deny_of(p), "OSS-006")
	some f in fs
	f.location == "source.provider"
}

test_oss006_moved_to_oss if {
	p := splan(tencent, ali("ap-guangzhou", "1"), object.union(repo({"type": "cos"}), {"moved_to_oss": true}))
	count(only(deny_of(p), "OSS-006")) == 0
}
