# METADATA
# description: System indices (names starting with a period).
package espreflight.rules.sys

import future.keywords.not

import data.espreflight.lib

# METADATA
# title: Plan migrates system indices
# description: |
#   Indices whose names start with a period, such as .kibana, .security or
#   .monitoring-*, belong to Kibana, security and monitoring. Migrating them
#   can break Kibana on the destination. Data-stream backing indices (.ds-*)
#   hold user data and are not system indices.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: SYS-001
#   severity: warning
#   remediation: |
#     Exclude them from `indices:` (add "-.*" after your patterns, or list the
#     user indices explicitly); select data streams by their name instead of a
#     "." prefix. Recreate Kibana objects on the destination with Kibana's
#     saved-objects export and import.
#   example: |
#     indices: ["*"]   # selects .kibana_1, .security-7, ...
warn contains f if {
	some v in system_selected
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

# Indices known: report every selected name with a "." prefix (not .ds-).
system_selected contains v if {
	sel := input.selection.source
	sel.known
	n := count(sel.dot_prefixed)
	n > 0
	v := {
		"msg": sprintf("the index patterns select %d system index(es) on the source (names starting with \".\"): %s", [n, lib.names_preview(sel.dot_prefixed)]),
		"cluster": "source",
		"indices": sel.dot_prefixed,
		"location": "indices",
		"evidence": [
			{"fact": "plan.indices", "value": input.plan.indices},
			{"fact": "selection.source.dot_prefixed", "value": n},
		],
	}
}

# Indices unknown: a pattern that names "."-indices selects system indices.
system_selected contains v if {
	not input.selection.source.known
	some i, p in input.plan.indices
	explicit_system_pattern(p)
	v := {
		"msg": sprintf("index pattern %q selects system indices (names starting with \".\")", [p]),
		"cluster": "source",
		"location": sprintf("indices[%d]", [i]),
		"evidence": [{"fact": sprintf("plan.indices[%d]", [i]), "value": p}],
	}
}

# Indices unknown and a pattern starting with "*" might select system indices.
system_selected contains v if {
	not input.selection.source.known
	some i, p in input.plan.indices
	may_select_all(p)
	v := {
		"msg": sprintf("could not verify: index pattern %q may select system indices, and the source's indices are unknown (%s)", [p, lib.why_unknown("source", "indices")]),
		"cluster": "source",
		"location": sprintf("indices[%d]", [i]),
		"unverified": true,
		"evidence": [
			{"fact": sprintf("plan.indices[%d]", [i]), "value": p},
			{"fact": "clusters.source.indices", "value": null},
		],
	}
}

explicit_system_pattern(p) if {
	startswith(p, ".")
	not startswith(p, ".ds-")
}

may_select_all(p) if {
	startswith(p, "*")
}

may_select_all("_all")

# METADATA
# title: Snapshot restore names a system index (Elasticsearch 8.0+)
# description: |
#   From Elasticsearch 8.0 a restore refuses a system index that its request
#   names: "requested system indices [...], but system indices can only be
#   restored as part of a feature state". The refusal concerns the indices a
#   snapshot records in its feature states, which snapshots of Elasticsearch
#   7.12 and later do. A wildcard that matches a system index does not fail
#   the restore: the index is silently left out (SYS-001 warns of those).
#   System indices are those the source marks so in its cluster state
#   (Elasticsearch 7.10+), not every name with a leading period.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/8.0/snapshot-restore.html#feature-state
#   - ref: https://github.com/elastic/elasticsearch/blob/main/server/src/main/java/org/elasticsearch/snapshots/RestoreService.java
# custom:
#   id: SYS-002
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     Remove the system index names from `indices:` and restore the features
#     that own them with the restore's `feature_states` (GET _features lists
#     them), or leave them out and set the features up afresh on the
#     destination.
#   example: |
#     method: snapshot
#     indices: [".kibana_1"]
#     source: {kind: self-managed, version: "7.17.29"}
#     destination: {kind: self-managed, version: "8.19.21"}
deny contains f if {
	some v in named_system
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

# literal_dot are the plan's patterns that name one index (no wildcard)
# starting with "." (every system index pattern does): a handful at most,
# so each is looked up among the indices on its own.
literal_dot := {p |
	some p in input.plan.indices
	startswith(p, ".")
	not contains(p, "*")
}

named_system_indices := sort([p |
	some p in literal_dot
	p in input.selection.source.names
	some ix in input.clusters.source.indices
	ix.name == p
	ix.system == true
])

# feature_states_kept: the source's snapshots record system indices in
# feature states (Elasticsearch 7.12+).
feature_states_kept if {
	lib.product_of("source") == "elasticsearch"
	lib.version("source") >= [7, 12, 0]
}

# refuses_named: the target refuses system indices by name (Elasticsearch 8+).
refuses_named if {
	lib.product_of(lib.restore_target) == "elasticsearch"
	lib.version(lib.restore_target)[0] >= 8
}

named_system contains v if {
	n := count(named_system_indices)
	n > 0
	feature_states_kept
	refuses_named
	v := {
		"msg": sprintf("the plan names %d system index(es) of the source, which %s restores only as part of a feature state: the restore would fail with \"requested system indices [%s], but system indices can only be restored as part of a feature state\"", [n, lib.version_text(lib.restore_target), concat(", ", named_system_indices)]),
		"cluster": lib.restore_target,
		"indices": named_system_indices,
		"location": "indices",
		"evidence": [
			{"fact": "plan.indices", "value": input.plan.indices},
			{"fact": "clusters.source.indices", "value": named_system_indices},
			{"fact": "clusters.source.version", "value": lib.version_text("source")},
			{"fact": sprintf("clusters.%s.version", [lib.restore_target]), "value": lib.version_text(lib.restore_target)},
		],
	}
}

named_system contains v if {
	count(named_system_indices) > 0
	feature_states_kept
	not lib.version(lib.restore_target)
	v := {
		"msg": sprintf("could not verify that the restore accepts the system index(es) the plan names (%s): the %s's version is unknown (%s)", [concat(", ", named_system_indices), lib.restore_target, lib.why_unknown(lib.restore_target, "version")]),
		"cluster": lib.restore_target,
		"indices": named_system_indices,
		"location": "indices",
		"unverified": true,
		"evidence": [
			{"fact": "plan.indices", "value": input.plan.indices},
			{"fact": sprintf("clusters.%s.version", [lib.restore_target]), "value": null},
		],
	}
}

named_system contains v if {
	not input.selection.source.known
	count(literal_dot) > 0
	not target_accepts_named
	v := {
		"msg": sprintf("could not verify whether %s are system indices, which Elasticsearch 8.0+ restores only as part of a feature state: the source's indices are unknown (%s)", [concat(", ", sort([p | some p in literal_dot])), lib.why_unknown("source", "indices")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [
			{"fact": "plan.indices", "value": input.plan.indices},
			{"fact": "clusters.source.indices", "value": null},
		],
	}
}

# target_accepts_named: the target is known to restore system indices by name.
target_accepts_named if lib.product_of(lib.restore_target) == "opensearch"

target_accepts_named if lib.version(lib.restore_target)[0] < 8
