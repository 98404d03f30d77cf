# METADATA
# description: |
#   Version compatibility: snapshot restore (cluster and per-index created
#   version), the snapshot + reindex path through an intermediate cluster,
#   third-party sources, OpenSearch, and Logstash.
package espreflight.rules.ver

import future.keywords.not

import data.espreflight.lib

# unknown_version(role) is the could-not-verify case for a cluster version.
unknown_version(role, what) := {
	"msg": sprintf("could not verify %s: the version of the %s is unknown (%s)", [what, role, lib.why_unknown(role, "version")]),
	"cluster": role,
	"location": role,
	"unverified": true,
	"evidence": [{"fact": sprintf("clusters.%s.version", [role]), "value": null}],
}

# cluster_created(role) describes a cluster's own version as a creator of
# indices: {product, major, minor}.
cluster_created(role) := {"product": lib.product_of(role), "major": v[0], "minor": v[1]} if {
	v := lib.version(role)
}

cluster_created(role) := {"product": "elasticsearch", "major": v[0], "minor": v[1]} if {
	v := lib.version(role)
	not lib.product_of(role)
}

version_evidence(role) := {"fact": sprintf("clusters.%s.version", [role]), "value": lib.version_text(role)}

# METADATA
# title: Snapshot restored into an older version
# description: |
#   A snapshot can be restored only into a cluster of the same or a later
#   version than the one that took it (major.minor.patch). This applies to a
#   repository shared between clusters too.
# related_resources:
#   - ref: https://www.elastic.co/docs/deploy-manage/tools/snapshot-and-restore#snapshot-restore-version-compatibility
# custom:
#   id: VER-001
#   methods: [snapshot]
#   severity: error
#   remediation: |
#     Upgrade the destination to the source's version or later, or use
#     Logstash, which reads and writes documents and is not bound to the
#     snapshot format.
#   example: |
#     method: snapshot
#     source: {kind: alibaba, version: "7.10.0"}
#     destination: {kind: alibaba, version: "6.8.0"}
deny contains f if {
	some v in older_destination
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

older_destination contains v if {
	input.plan.source.kind != "third-party"
	lib.same_product("source", "destination")
	src := lib.version("source")
	dst := lib.version("destination")
	src > dst
	v := {
		"msg": sprintf("the destination runs %s, older than the source's %s: a snapshot cannot be restored into an earlier version", [lib.version_text("destination"), lib.version_text("source")]),
		"cluster": "destination",
		"location": "destination",
		"evidence": [version_evidence("source"), version_evidence("destination")],
	}
}

older_destination contains unknown_version(role, "that the destination can restore the source's snapshots") if {
	input.plan.source.kind != "third-party"
	some role in ["source", "destination"]
	not lib.version(role)
}

# METADATA
# title: Snapshot across more majors than the destination can read
# description: |
#   Elasticsearch restores, as ordinary writable indices, snapshots of
#   indices from its own major and from the major before it (for 5.x the one
#   before is 2.x: there was no 3.x or 4.x). From further back, 8.3 and later
#   read 5.x and 6.x snapshots, and 9.x reads 5.x to 7.x snapshots, only as
#   read-only archive indices (restored, or mounted as searchable snapshots):
#   search with a limited set of field types and constant scores, no writes,
#   no upgrade to a regular index. Other gaps (such as 6.x into 8.0-8.2, or
#   2.x into 6.x) cannot be restored at all. The guide's path for both is
#   snapshot + reindex through an intermediate cluster of the major in
#   between.
# related_resources:
#   - ref: https://www.elastic.co/docs/deploy-manage/tools/snapshot-and-restore#snapshot-restore-version-compatibility
#   - ref: https://www.elastic.co/docs/deploy-manage/upgrade/deployment-or-cluster/reading-indices-from-older-elasticsearch-versions
# custom:
#   id: VER-002
#   methods: [snapshot]
#   severity: error
#   remediation: |
#     Change the method to `snapshot-reindex`: restore the snapshot into an
#     intermediate cluster of the major in between (e.g. 7.17 for 6.x → 8.x,
#     8.19 for 7.x → 9.x), reindex there so the indices are created by that
#     major, snapshot it and restore that snapshot into the destination.
#     Describe the cluster under `intermediate:`. Keep a read-only archive
#     only if search-only access to the old data is all you need.
#   example: |
#     method: snapshot
#     source: {kind: self-managed, version: "6.8.23"}
#     destination: {kind: alibaba, version: "8.15.1"}
deny contains f if {
	some v in major_gap
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

major_gap contains v if {
	not lib.product_of("source") == "opensearch"
	not lib.product_of("destination") == "opensearch"
	src := lib.version("source")
	dst := lib.version("destination")
	src[0] < lib.previous_es_major(dst[0])
	verdict := lib.restore_verdict(
		{"product": "elasticsearch", "major": src[0], "minor": src[1]},
		{"product": "elasticsearch", "major": dst[0], "minor": dst[1]},
	)
	v := {
		"msg": sprintf("%s; to migrate them as writable indices use snapshot-reindex through an intermediate %d.x cluster", [gap_text[verdict], next_es_major(src[0])]),
		"cluster": "destination",
		"location": "method",
		"evidence": [{"fact": "plan.method", "value": "snapshot"}, version_evidence("source"), version_evidence("destination")],
	}
}

# What happens to a snapshot from more than one major back.
gap_text["archive"] := sprintf("the destination (%s) reads a %d.x snapshot only as read-only archive indices, restored or mounted as searchable snapshots: limited queries, no writes", [lib.version_text("destination"), lib.version("source")[0]])

gap_text["no"] := sprintf("a %d.x snapshot cannot be restored into %s, which reads snapshots of %d.x and %d.x indices only", [src, lib.version_text("destination"), dst, lib.previous_es_major(dst)]) if {
	src := lib.version("source")[0]
	dst := lib.version("destination")[0]
}

# next_es_major(m) is the Elasticsearch major released after m (5 after 2).
next_es_major(2) := 5

next_es_major(m) := m + 1 if m != 2

major_gap contains unknown_version(role, "that the destination can read the source's major version") if {
	some role in ["source", "destination"]
	not lib.version(role)
}

# METADATA
# title: Index created in a version the restoring cluster cannot read
# description: |
#   Whether an index can be restored depends on the version that CREATED it
#   (index.version.created), not on the version of the cluster that took the
#   snapshot: a 5.x index in a 6.x cluster cannot go to 7.x, a 6.8 index cannot
#   go to 7.0 or 7.1, 5.x and 6.x indices reach 8.3+ only as read-only archive
#   indices, and 6.x indices cannot go to 8.0-8.2. OpenSearch 1.x reads
#   Elasticsearch 6.x and 7.x indices, 2.x needs Elasticsearch 7.x or
#   OpenSearch 1.x, 3.x needs OpenSearch 2.x. Checked per selected source
#   index against the destination (snapshot) or the intermediate cluster
#   (snapshot-reindex).
# related_resources:
#   - ref: https://www.elastic.co/docs/deploy-manage/tools/snapshot-and-restore#index-compatibility
#   - ref: https://docs.opensearch.org/latest/upgrade-to/snapshot-migrate/
# custom:
#   id: VER-003
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     Reindex the reported indices on a cluster that can read them (in place
#     on the source, or on an intermediate cluster of the next major) so they
#     are created by a compatible version, then snapshot again; or migrate them
#     with Logstash.
#   example: |
#     method: snapshot
#     source: {kind: self-managed, endpoint: "https://es6:9200"}  # 6.8 cluster holding 5.6-created indices
#     destination: {kind: alibaba, version: "7.10.0"}
deny contains f if {
	some v in unreadable_indices
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

unreadable_indices contains v if {
	target := lib.restore_target
	t := cluster_created(target)
	some g in input.selection.source.by_created
	g.version != ""
	c := {"product": group_product(g), "major": g.major, "minor": g.minor}
	not opensearch_into_elasticsearch(c.product, t.product)
	verdict := lib.restore_verdict(c, t)
	verdict != "yes"
	v := {
		"msg": sprintf("%d index(es) created by %s %s %s: %s", [g.count, c.product, g.version, verdict_text[verdict], target_text(target)]),
		"cluster": target,
		"indices": g.indices,
		"location": "indices",
		"evidence": [
			{"fact": "selection.source.by_created", "value": {"product": c.product, "version": g.version, "count": g.count}},
			version_evidence(target),
		],
	}
}

unreadable_indices contains v if {
	lib.restore_target
	some g in input.selection.source.by_created
	g.version == ""
	v := {
		"msg": sprintf("could not verify that %d selected index(es) can be restored: the version that created them is unknown", [g.count]),
		"cluster": "source",
		"indices": g.indices,
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "selection.source.by_created", "value": {"version": "", "count": g.count}}],
	}
}

unreadable_indices contains v if {
	lib.restore_target
	not input.selection.source.known
	v := {
		"msg": sprintf("could not verify the version that created each selected index: the source's indices are unknown (%s)", [lib.why_unknown("source", "indices")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.indices", "value": null}],
	}
}

unreadable_indices contains unknown_version(lib.restore_target, "that each selected index can be restored") if {
	input.selection.source.known
	not lib.version(lib.restore_target)
}

group_product(g) := g.product if g.product != ""

group_product(g) := "elasticsearch" if g.product == ""

# Left to VER-006.
opensearch_into_elasticsearch("opensearch", "elasticsearch")

verdict_text := {
	"no": "cannot be restored",
	"archive": "can only be restored as read-only archive indices (search only, no writes)",
}

target_text(role) := sprintf("the %s runs %s %s", [role, object.get(input.clusters[role], "product", ""), lib.version_text(role)])

# METADATA
# title: Intermediate cluster cannot bridge the versions
# description: |
#   Snapshot + reindex restores the source's snapshot into an intermediate
#   cluster, reindexes there, and restores the intermediate's snapshot into
#   the destination. The intermediate must be able to restore the source's
#   snapshot (same or next major, not older), and the destination must be able
#   to restore indices created by the intermediate.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
#   - ref: https://www.elastic.co/docs/deploy-manage/tools/snapshot-and-restore#snapshot-restore-version-compatibility
# custom:
#   id: VER-004
#   methods: [snapshot-reindex]
#   severity: error
#   remediation: |
#     Choose an intermediate version that restores the source's snapshots and
#     whose indices the destination restores: for 6.x → 8.x use 7.17 (6.x
#     indices restore into 7.17, 7.17 indices into any 8.x).
#   example: |
#     method: snapshot-reindex
#     source: {kind: self-managed, version: "6.8.23"}
#     intermediate: {kind: self-managed, version: "8.15.0"}
#     destination: {kind: alibaba, version: "8.15.1"}
deny contains f if {
	some v in bad_bridge
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

bad_bridge contains v if {
	some step in lib.snapshot_steps
	[from, to] := step
	downgrade(from, to)
	v := step_finding(from, to, "an earlier version cannot restore a later version's snapshot")
}

bad_bridge contains v if {
	some step in lib.snapshot_steps
	[from, to] := step
	not downgrade(from, to)
	c := cluster_created(from)
	t := cluster_created(to)
	verdict := lib.restore_verdict(c, t)
	verdict != "yes"
	v := step_finding(from, to, sprintf("indices created by %s %s %s", [c.product, lib.version_text(from), verdict_text[verdict]]))
}

bad_bridge contains unknown_version(role, "the snapshot + reindex path") if {
	some role in ["source", "intermediate", "destination"]
	not lib.version(role)
}

downgrade(from, to) if {
	lib.same_product(from, to)
	lib.version(from) > lib.version(to)
}

step_finding(from, to, why) := {
	"msg": sprintf("the %s (%s) cannot restore the %s's snapshot (%s): %s", [to, lib.version_text(to), from, lib.version_text(from), why]),
	"cluster": to,
	"location": to,
	"evidence": [version_evidence(from), version_evidence(to)],
}

# METADATA
# title: Third-party snapshot restored into an older version
# description: |
#   For a source hosted by a third party (Amazon OpenSearch Service, Tencent
#   Cloud, others) the guide requires, for the OSS snapshot method, a
#   destination of the same or a later version than the source: a snapshot
#   does not restore into an earlier version. The guide's elasticsearch-dump
#   row (and Logstash, which reads and writes documents) carries no such
#   constraint, so the rule applies to the snapshot methods only. Compared
#   when both clusters run the same product.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: VER-005
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     Create the destination at the source's version or later, or move the
#     data with elasticsearch-dump or Logstash, which copy documents and are
#     not bound to the snapshot format.
#   example: |
#     method: snapshot
#     source: {kind: third-party, provider: aws-opensearch, product: elasticsearch, version: "7.10.2"}
#     destination: {kind: alibaba, version: "7.7.1"}
deny contains f if {
	some v in third_party_older
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

third_party_older contains v if {
	input.plan.source.kind == "third-party"
	lib.same_product("source", "destination")
	lib.version("source") > lib.version("destination")
	v := {
		"msg": sprintf("the destination runs %s, older than the third-party source's %s: its snapshots do not restore into an earlier version", [lib.version_text("destination"), lib.version_text("source")]),
		"cluster": "destination",
		"location": "destination",
		"evidence": [
			{"fact": "plan.source.kind", "value": "third-party"},
			version_evidence("source"),
			version_evidence("destination"),
		],
	}
}

third_party_older contains unknown_version(role, "that the destination is not older than the third-party source") if {
	input.plan.source.kind == "third-party"
	some role in ["source", "destination"]
	not lib.version(role)
}

# METADATA
# title: OpenSearch snapshot restored into Elasticsearch
# description: |
#   Elasticsearch cannot restore snapshots taken by OpenSearch, nor indices
#   created by OpenSearch (index.version.created carries OpenSearch's marker
#   bit). OpenSearch is recognised by the product the probe detects (or the
#   plan declares) and by the created product of each index, never by the
#   version number: OpenSearch can report itself as 7.10.2.
# related_resources:
#   - ref: https://github.com/opensearch-project/OpenSearch/blob/main/libs/core/src/main/java/org/opensearch/Version.java
# custom:
#   id: VER-006
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     Move the data with a tool that reads and writes documents: Logstash
#     (with the OpenSearch input plugin) or elasticsearch-dump.
#   example: |
#     method: snapshot
#     source: {kind: third-party, provider: aws-opensearch, product: opensearch, version: "2.11.0"}
#     destination: {kind: alibaba, version: "8.15.1"}
deny contains f if {
	some v in opensearch_to_es
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

opensearch_to_es contains v if {
	some [from, to] in lib.snapshot_steps
	lib.product_of(from) == "opensearch"
	lib.product_of(to) == "elasticsearch"
	v := {
		"msg": sprintf("the %s runs OpenSearch and the %s Elasticsearch, which cannot restore OpenSearch snapshots", [from, to]),
		"cluster": to,
		"location": "method",
		"evidence": [
			{"fact": sprintf("clusters.%s.product", [from]), "value": "opensearch"},
			{"fact": sprintf("clusters.%s.product", [to]), "value": "elasticsearch"},
		],
	}
}

# Indices created by OpenSearch on a source whose product is not known.
opensearch_to_es contains v if {
	some [from, to] in lib.snapshot_steps
	from == "source"
	not lib.product_of("source")
	lib.product_of(to) == "elasticsearch"
	some g in input.selection.source.by_created
	g.product == "opensearch"
	v := {
		"msg": sprintf("%d index(es) were created by OpenSearch %s; the %s runs Elasticsearch, which cannot restore them", [g.count, g.version, to]),
		"cluster": to,
		"indices": g.indices,
		"location": "indices",
		"evidence": [{"fact": "selection.source.by_created", "value": {"product": "opensearch", "version": g.version, "count": g.count}}],
	}
}

# Products unknown: cannot tell.
opensearch_to_es contains v if {
	some [from, to] in lib.snapshot_steps
	some role in [from, to]
	not lib.product_of(role)
	not product_settled_by_indices(from, to, role)
	v := {
		"msg": sprintf("could not verify that the %s does not run OpenSearch while the %s runs Elasticsearch: the product of the %s is unknown (%s)", [from, to, role, lib.why_unknown(role, "version")]),
		"cluster": role,
		"location": role,
		"unverified": true,
		"evidence": [{"fact": sprintf("clusters.%s.product", [role]), "value": null}],
	}
}

# An unknown source product does not matter when the target is known not to
# be Elasticsearch, or when every selected index is known to be created by
# Elasticsearch.
product_settled_by_indices(from, to, role) if {
	role == from
	lib.product_of(to) == "opensearch"
}

product_settled_by_indices(_, _, "source") if {
	input.selection.source.known
	every g in input.selection.source.by_created {
		g.product == "elasticsearch"
	}
}

product_settled_by_indices(_, _, "source") if {
	some g in input.selection.source.by_created
	g.product == "opensearch"
}

# An unknown target product does not matter when the source is Elasticsearch.
product_settled_by_indices(from, to, role) if {
	role == to
	lib.product_of(from) == "elasticsearch"
}

# METADATA
# title: OpenSearch cannot read a repository written by Elasticsearch 7.12+
# description: |
#   From 7.12, Elasticsearch writes the repository's own uuid and the writing
#   cluster's uuid (`uuid`, `cluster_id`) into the repository data at its
#   root. OpenSearch forked from 7.10 and its parser of that file rejects
#   fields it does not know (1.x and 2.x, and 3.x's parser still has no such
#   fields), so it cannot even list the snapshots of such a repository
#   ("unknown field [uuid]"), whatever versions created the indices. What
#   matters is the version of the cluster that writes the repository: the
#   source for a snapshot, and for snapshot + reindex the source for the
#   restore into the intermediate and the intermediate for the restore into
#   the destination. Repositories written by Elasticsearch 7.11 or earlier
#   (or by OpenSearch) are not affected.
# related_resources:
#   - ref: https://github.com/opensearch-project/OpenSearch/issues/17567
#   - ref: https://github.com/elastic/elasticsearch/pull/69335
#   - ref: https://github.com/opensearch-project/OpenSearch/blob/main/server/src/main/java/org/opensearch/repositories/RepositoryData.java
#   - ref: https://docs.opensearch.org/latest/upgrade-to/snapshot-migrate/
# custom:
#   id: VER-008
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     Move the documents instead of the snapshot: reindex from remote on the
#     OpenSearch cluster, Logstash, or elasticsearch-dump. A repository that
#     Elasticsearch 7.12+ has written stays unreadable for OpenSearch.
#   example: |
#     method: snapshot
#     source: {kind: self-managed, version: "7.17.29"}
#     destination: {kind: self-managed, product: opensearch, version: "2.19.0"}
deny contains f if {
	some v in repository_uuid
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

# The first Elasticsearch release that writes uuid and cluster_id into the
# repository data.
repository_uuid_version := [7, 12, 0]

repository_uuid contains v if {
	some [from, to] in lib.snapshot_steps
	lib.product_of(to) == "opensearch"
	not lib.product_of(from) == "opensearch"
	lib.version(from) >= repository_uuid_version
	v := {
		"msg": sprintf("the %s (Elasticsearch %s) writes the repository with uuid and cluster_id fields that the %s (OpenSearch %s) cannot parse: it fails to load the repository (unknown field [uuid]) and restores nothing", [from, lib.version_text(from), to, lib.version_text(to)]),
		"cluster": to,
		"location": "method",
		"evidence": [
			version_evidence(from),
			{"fact": sprintf("clusters.%s.product", [to]), "value": "opensearch"},
		],
	}
}

repository_uuid contains v if {
	some [from, to] in lib.snapshot_steps
	lib.product_of(to) == "opensearch"
	not lib.product_of(from) == "opensearch"
	not lib.version(from)
	v := unknown_version(from, sprintf("that the %s (OpenSearch) can read the repository the %s writes (not if Elasticsearch 7.12 or later writes it)", [to, from]))
}

repository_uuid contains v if {
	some [from, to] in lib.snapshot_steps
	not lib.product_of(to)
	not lib.product_of(from) == "opensearch"
	lib.version(from) >= repository_uuid_version
	v := {
		"msg": sprintf("could not verify that the %s can read the repository the %s (Elasticsearch %s) writes: OpenSearch cannot, and the %s's product is unknown (%s)", [to, from, lib.version_text(from), to, lib.why_unknown(to, "version")]),
		"cluster": to,
		"location": to,
		"unverified": true,
		"evidence": [version_evidence(from), {"fact": sprintf("clusters.%s.product", [to]), "value": null}],
	}
}

# METADATA
# title: Logstash or its plugins incompatible with a cluster
# description: |
#   Logstash must be compatible with both clusters. Per Elastic's product
#   compatibility matrix, Logstash works with Elasticsearch of its own major;
#   the last minor of a major also works with the next major (5.6 with 6.x,
#   6.8 with 7.x, 7.17 with 8.x, 8.19 with 9.x), and the last minor of an
#   Elasticsearch major accepts the next Logstash major (6.8 with Logstash 7,
#   7.17 with Logstash 8). For reading, the elasticsearch input also reads a
#   source one major older than Logstash (the guide's 5.x → 6.x/7.x path).
#   From Logstash 7.16 the elasticsearch input and output
#   (logstash-input-elasticsearch 4.12+, logstash-output-elasticsearch 11.2+)
#   check that the cluster is Elasticsearch and refuse OpenSearch, whatever
#   version it reports; before 7.16 OpenSearch is judged as the Elasticsearch
#   7.10 it was forked from. The OpenSearch plugins take any OpenSearch: the
#   opensearch output supports Elasticsearch 7.x up to 7.10.2 (its
#   compatibility matrix), and the opensearch input's client accepts
#   Elasticsearch 6.x and 7.x only. The plan names the plugins in
#   `logstash.input_plugin` and `logstash.output_plugin`; unset, the
#   elasticsearch plugins are assumed for Elasticsearch clusters, and an
#   OpenSearch cluster with Logstash 7.16+ cannot be verified.
# related_resources:
#   - ref: https://www.elastic.co/support/matrix#matrix_compatibility
#   - ref: https://github.com/elastic/logstash/issues/13506
#   - ref: https://github.com/opensearch-project/logstash-output-opensearch/blob/main/COMPATIBILITY.md
#   - ref: https://github.com/opensearch-project/logstash-input-opensearch
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: VER-007
#   methods: [logstash]
#   severity: error
#   remediation: |
#     Pick a Logstash version compatible with both clusters, for example 6.8
#     for 5.x/6.x → 7.x, 7.17 for 7.x → 8.x, and set it as
#     `logstash.version`. For an OpenSearch cluster use the OpenSearch plugin
#     (logstash-output-opensearch to write, logstash-input-opensearch to
#     read; `bin/logstash-plugin install`, or the
#     logstash-oss-with-opensearch-output-plugin distribution) and record it
#     in `logstash.output_plugin` / `logstash.input_plugin`.
#   example: |
#     method: logstash
#     logstash: {version: "8.15.0", output_plugin: logstash-output-elasticsearch}
#     source: {kind: self-managed, version: "7.10.2"}
#     destination: {kind: third-party, provider: aws-opensearch, product: opensearch, version: "2.11.0"}
deny contains f if {
	some v in logstash_mismatch
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

ls_version := lib.parse_version(input.plan.logstash.version)

# The plugin that reads the source and the one that writes the destination
# ("" when the plan does not say), with the plan key that says it.
plugin_of := {
	"source": lib.plan_get(["logstash", "input_plugin"], ""),
	"destination": lib.plan_get(["logstash", "output_plugin"], ""),
}

plugin_key := {"source": "logstash.input_plugin", "destination": "logstash.output_plugin"}

elastic_plugin := {"source": "logstash-input-elasticsearch", "destination": "logstash-output-elasticsearch"}

opensearch_plugin := {"source": "logstash-input-opensearch", "destination": "logstash-output-opensearch"}

plugin_evidence(role) := {"fact": sprintf("plan.%s", [plugin_key[role]]), "value": plugin_of[role]}

# The first Logstash release whose elasticsearch plugins refuse OpenSearch.
product_check_version := [7, 16, 0]

# product_checked(role): the role runs OpenSearch and the elasticsearch
# plugin that would talk to it checks the product.
product_checked(role) if {
	lib.product_of(role) == "opensearch"
	ls_version >= product_check_version
}

# The Elastic matrix, for the elasticsearch plugins.
logstash_mismatch contains v if {
	ls := ls_version
	some role in ["source", "destination"]
	plugin_of[role] != opensearch_plugin[role]
	not product_checked(role)
	es := es_equivalent(role)
	not logstash_ok(ls, es, role)
	v := {
		"msg": sprintf("Logstash %s is not compatible with the %s (%s %s)", [input.plan.logstash.version, role, object.get(input.clusters[role], "product", ""), lib.version_text(role)]),
		"cluster": role,
		"location": "logstash.version",
		"evidence": [{"fact": "plan.logstash.version", "value": input.plan.logstash.version}, version_evidence(role)],
	}
}

plugin_verb := {"source": "reads", "destination": "writes"}

logstash_mismatch contains v if {
	some role in ["source", "destination"]
	product_checked(role)
	plugin_of[role] == elastic_plugin[role]
	v := {
		"msg": sprintf("from Logstash 7.16 the %s checks that the cluster it %s is Elasticsearch, and the %s runs OpenSearch %s: Logstash %s stops with \"Could not connect to a compatible version of Elasticsearch\"; use %s", [plugin_of[role], plugin_verb[role], role, lib.version_text(role), input.plan.logstash.version, opensearch_plugin[role]]),
		"cluster": role,
		"location": plugin_key[role],
		"evidence": [plugin_evidence(role), {"fact": "plan.logstash.version", "value": input.plan.logstash.version}, {"fact": sprintf("clusters.%s.product", [role]), "value": "opensearch"}],
	}
}

logstash_mismatch contains v if {
	some role in ["source", "destination"]
	product_checked(role)
	plugin_of[role] == ""
	v := {
		"msg": sprintf("could not verify that Logstash %s can talk to the %s (OpenSearch %s): from 7.16 %s refuses OpenSearch and %s accepts it, and the plan gives no %s", [input.plan.logstash.version, role, lib.version_text(role), elastic_plugin[role], opensearch_plugin[role], plugin_key[role]]),
		"cluster": role,
		"location": "logstash",
		"unverified": true,
		"evidence": [plugin_evidence(role), {"fact": "plan.logstash.version", "value": input.plan.logstash.version}],
	}
}

# The OpenSearch plugins with an Elasticsearch cluster outside their range.
logstash_mismatch contains v if {
	some role in ["source", "destination"]
	plugin_of[role] == opensearch_plugin[role]
	not lib.product_of(role) == "opensearch"
	ver := lib.version(role)
	not opensearch_plugin_reaches(role, ver)
	v := {
		"msg": sprintf("the %s runs Elasticsearch %s, and %s %s", [role, lib.version_text(role), plugin_of[role], opensearch_plugin_range[role]]),
		"cluster": role,
		"location": plugin_key[role],
		"evidence": [plugin_evidence(role), version_evidence(role)],
	}
}

opensearch_plugin_range := {
	"source": "reads Elasticsearch 6.x and 7.x only (its client refuses other versions)",
	"destination": "supports Elasticsearch 7.x up to 7.10.2 only (its compatibility matrix)",
}

opensearch_plugin_reaches("source", ver) if {
	ver >= [6, 0, 0]
	ver < [8, 0, 0]
}

opensearch_plugin_reaches("destination", ver) if {
	ver >= [7, 0, 0]
	ver <= [7, 10, 2]
}

logstash_mismatch contains v if {
	lib.plan_get(["logstash", "version"], "") == ""
	v := {
		"msg": "could not verify that Logstash is compatible with both clusters: the plan gives no logstash.version",
		"location": "logstash",
		"unverified": true,
		"evidence": [{"fact": "plan.logstash.version", "value": ""}],
	}
}

logstash_mismatch contains unknown_version(role, "that Logstash is compatible with this cluster") if {
	some role in ["source", "destination"]
	not lib.version(role)
}

# es_equivalent(role) is [major, minor] of the Elasticsearch release a
# cluster is judged as for Logstash.
es_equivalent(role) := [7, 10] if {
	lib.product_of(role) == "opensearch"
	lib.version(role)
} else := [v[0], v[1]] if {
	v := lib.version(role)
}

# Last minor of each major.
last_minor := {5: 6, 6: 8, 7: 17, 8: 19}

logstash_ok(ls, es, _) if ls[0] == es[0]

# The last minor of a Logstash major works with the next Elasticsearch major.
logstash_ok(ls, es, _) if {
	es[0] == ls[0] + 1
	ls[1] >= last_minor[ls[0]]
}

# The last minor of an Elasticsearch major accepts the next Logstash major.
logstash_ok(ls, es, _) if {
	es[0] == ls[0] - 1
	es[1] >= last_minor[es[0]]
}

# The elasticsearch input reads a source one major older.
logstash_ok(ls, es, "source") if es[0] == ls[0] - 1
