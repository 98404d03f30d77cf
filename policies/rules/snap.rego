# METADATA
# description: |
#   Snapshot restores into the destination: onto its existing indices
#   (SNAP-001), the aliases the restored indices bring along (SNAP-002) and
#   the cluster state a restore with the global state replaces (SNAP-003).
package espreflight.rules.snap

import future.keywords.not

import data.espreflight.lib

# dest_open is the set of open index names on the destination. It is a
# complete rule (a comprehension), so OPA builds it once per evaluation; a
# partial set looked up by key would be scanned for every lookup.
dest_open := {ix.name | lib.restores; some ix in input.clusters.destination.indices; ix.status == "open"}

# Every rule of this package is for the methods that restore a snapshot: the
# lookups over indices are built only then (lib.restores), which matters to
# advise, which evaluates every method.

# conflicts are restored names that are open indices on the destination:
# a set intersection without a rename, one regex per selected index with one.
conflicts := dest_open & lib.selected if {
	lib.rename_pattern == ""
} else := {n |
	some name in lib.selected
	n := lib.restored_name(name)
	dest_open[n]
}

deny_restore_msg := "the restore will fail: the destination already has an open index with this name; close or delete it first, or restore under another name (snapshot.rename_pattern)"

# dest_closed_shards maps each closed destination index to its number of
# primary shards (0 when unknown), built once like dest_open.
dest_closed_shards := {ix.name: ix.primary_shards | lib.restores; some ix in input.clusters.destination.indices; ix.status == "close"}

# closed_pairs holds [source primaries, destination primaries, index] for
# each selected source index restored onto a closed destination index. The
# source's indices are scanned only when the destination has closed ones,
# and without a rename only when a selected name is one of them; each
# index then costs one lookup (a function call per index would cost more
# than everything else this rule does).
closed_pairs contains [ix.primary_shards, d, ix.name] if {
	lib.rename_pattern == ""
	count(closed_selected) > 0
	some ix in input.clusters.source.indices
	d := closed_selected[ix.name]
}

closed_pairs contains [ix.primary_shards, d, ix.name] if {
	lib.rename_pattern != ""
	count(dest_closed_shards) > 0
	some ix in input.clusters.source.indices
	lib.selected[ix.name]
	d := dest_closed_shards[lib.restored_name(ix.name)]
}

# closed_selected maps the selected names that are closed destination
# indices to their destination primaries (the restored name is the name
# when nothing is renamed).
closed_selected := {n: d | some n, d in dest_closed_shards; lib.selected[n]}

# METADATA
# title: Snapshot restore onto existing destination indices
# description: |
#   An incremental migration with snapshots restores a new snapshot over the
#   indices restored before: writes to the source may have to stop while the
#   last snapshot is taken, and the destination indices must be closed before
#   each restore. A restore onto an open index of the same name (after
#   `snapshot.rename_pattern`) fails outright, in full mode too, and so does
#   a restore onto a closed index whose number of primary shards differs from
#   the snapshot's (the one setting a restore cannot change); those indices
#   are reported with a message that the restore will fail.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/current/restore-snapshot-api.html
#   - ref: https://www.elastic.co/docs/deploy-manage/tools/snapshot-and-restore/restore-snapshot
# custom:
#   id: SNAP-001
#   methods: [snapshot, snapshot-reindex]
#   severity: warning
#   remediation: |
#     Plan a write freeze on the source for the final snapshot, and close
#     (POST <index>/_close) or delete the destination indices before every
#     restore; delete (do not just close) a destination index whose number of
#     primary shards differs from the source's; or restore under new names
#     with `snapshot.rename_pattern` and `snapshot.rename_replacement`.
#   example: |
#     method: snapshot
#     mode: incremental
warn contains f if {
	some v in restore_onto_existing
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

restore_onto_existing contains v if {
	input.plan.mode == "incremental"
	v := {
		"msg": "incremental snapshot migration: writes to the source may have to stop for the final snapshot, and the destination indices must be closed before each restore",
		"location": "mode",
		"evidence": [
			{"fact": "plan.method", "value": input.plan.method},
			{"fact": "plan.mode", "value": "incremental"},
		],
	}
}

restore_onto_existing contains v if {
	input.plan.method == "snapshot"
	names := sort([n | some n in conflicts])
	count(names) > 0
	v := {
		"msg": deny_restore_msg,
		"severity": "error",
		"cluster": "destination",
		"indices": names,
		"location": "indices",
		"evidence": [
			{"fact": "clusters.destination.indices", "value": sprintf("%d open index(es) with a restored name", [count(names)])},
			{"fact": "plan.snapshot.rename_pattern", "value": lib.rename_pattern},
		],
	}
}

restore_onto_existing contains v if {
	input.plan.method == "snapshot"
	some [sp, dp] in {[sp, dp] | some [sp, dp, _] in closed_pairs; sp > 0; dp > 0; sp != dp}
	names := sort([p[2] | some p in closed_pairs; p[0] == sp; p[1] == dp])
	v := {
		"msg": sprintf("the restore will fail: the destination has a closed index with this name, but with %d primary shard(s) where the snapshot's index has %d, and a restore cannot change the number of shards; delete the destination index first, or restore under another name (snapshot.rename_pattern)", [dp, sp]),
		"severity": "error",
		"cluster": "destination",
		"indices": names,
		"location": "indices",
		"evidence": [
			{"fact": "clusters.source.indices", "value": sprintf("%d primary shard(s)", [sp])},
			{"fact": "clusters.destination.indices", "value": sprintf("closed, %d primary shard(s)", [dp])},
			{"fact": "plan.snapshot.rename_pattern", "value": lib.rename_pattern},
		],
	}
}

restore_onto_existing contains v if {
	input.plan.method == "snapshot"
	names := sort([p[2] | some p in closed_pairs; 0 in {p[0], p[1]}])
	count(names) > 0
	v := {
		"msg": "could not verify that each selected index restored onto a closed destination index has the same number of primary shards: the shard count of one of the two is unknown",
		"severity": "error",
		"cluster": "destination",
		"indices": names,
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.destination.indices", "value": sprintf("%d closed index(es) with a restored name", [count(names)])}],
	}
}

restore_onto_existing contains v if {
	input.plan.method == "snapshot"
	some role in ["source", "destination"]
	not lib.known(role, "indices")
	v := {
		"msg": sprintf("could not verify that no restored index lands on an open destination index: the %s's indices are unknown (%s)", [role, lib.why_unknown(role, "indices")]),
		"cluster": role,
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": sprintf("clusters.%s.indices", [role]), "value": null}],
	}
}

# ---------------------------------------------------------------------------
# SNAP-002: the aliases a restore brings along.

# restores_aliases: the plan restores snapshots into the destination (method
# snapshot, or the last step of snapshot-reindex) and the restore brings each
# index's aliases: include_aliases is true unless the plan sets it to false,
# as in the restore API.
restores_aliases if {
	include_aliases != false
}

include_aliases := lib.plan_get(["snapshot", "include_aliases"], true)

# The lookups below are complete rules (comprehensions), built once per
# evaluation: each restored alias is checked with a constant number of
# lookups, never by scanning the indices or aliases of a cluster.

# restored_aliases are the alias entries ({name, index, is_write_index}) of
# the selected source indices: what the restore adds to the destination.
restored_aliases := [a | lib.restores; some a in input.clusters.source.aliases; lib.selected[a.index]]

# dest_index(n): the destination has an index named n. Open and closed
# indices are in the lookups SNAP-001 builds; the destination's indices are
# scanned again only when those two do not hold them all.
dest_index(n) if dest_open[n]

dest_index(n) if dest_closed_shards[n]

dest_index(n) if dest_other[n]

dest_other := {ix.name |
	some ix in input.clusters.destination.indices
	not dest_open[ix.name]
	not dest_closed_shards[ix.name]
} if {
	lib.restores
	count(dest_open) + count(dest_closed_shards) < count(input.clusters.destination.indices)
} else := set()

# dest_write maps each destination alias that has a write index to that
# index. object.union_n keeps one entry per alias (the last) where a
# comprehension would fail on facts listing two (a cluster never has two).
dest_write := object.union_n([{a.name: a.index} |
	some a in input.clusters.destination.aliases
	a.is_write_index == true
])

include_aliases_evidence := {"fact": "plan.snapshot.include_aliases", "value": include_aliases}

# METADATA
# title: Restored aliases clash with the destination's aliases or indices
# description: |
#   A snapshot restore brings the aliases of each restored index along unless
#   the restore sets `include_aliases: false` (the restore API's default is
#   true), and the aliases keep their names when the indices are renamed. The
#   restore fails when a restored alias has the name of an index on the
#   destination (an alias and an index cannot share a name), or when a
#   restored index is the write index of an alias (`is_write_index: true`)
#   that already has a write index on the destination ("alias [A] has more
#   than one write index"). A restored index that is not the write index just
#   joins an existing alias of the same name. Checked per selected source
#   index for the restore into the destination (method snapshot; with
#   snapshot-reindex, on the assumption that the reindexed indices carry the
#   source's aliases).
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/current/restore-snapshot-api.html#restore-snapshot-api-request-body
#   - ref: https://docs.opensearch.org/latest/api-reference/snapshots/restore-snapshot/
# custom:
#   id: SNAP-002
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     Restore without the aliases (`snapshot.include_aliases: false`) and
#     recreate them on the destination afterwards (POST _aliases); or, before
#     the restore, remove `is_write_index` from the destination alias (or move
#     it) and rename or delete the destination index that has an alias's name.
#   example: |
#     method: snapshot
#     indices: ["orders-2025"]  # write index of the alias "orders" on both clusters
#     snapshot: {include_aliases: true}
deny contains f if {
	some v in alias_clashes
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

# (a) A restored alias has the name of a destination index.
alias_clashes contains v if {
	restores_aliases
	some a in restored_aliases
	dest_index(a.name)
	v := {
		"msg": sprintf("the restore brings the alias %q of %s (include_aliases), and the destination has an index named %q: an alias cannot have the name of an index, so the restore fails; restore with snapshot.include_aliases: false or rename the destination index", [a.name, a.index, a.name]),
		"cluster": "destination",
		"indices": [a.index],
		"location": "indices",
		"evidence": [
			{"fact": "clusters.source.aliases", "value": a},
			{"fact": "clusters.destination.indices", "value": a.name},
			include_aliases_evidence,
		],
	}
}

# (b) A restored write index joins an alias that has a write index already.
alias_clashes contains v if {
	restores_aliases
	some a in restored_aliases
	a.is_write_index == true
	w := dest_write[a.name]
	w != lib.restored_name(a.index)
	v := {
		"msg": sprintf("%s is the write index of the alias %q, which the restore brings along (include_aliases), and the destination's alias %q already has the write index %s: the restore fails (alias [%s] has more than one write index); restore with snapshot.include_aliases: false or move the destination's write index first", [a.index, a.name, a.name, w, a.name]),
		"cluster": "destination",
		"indices": [a.index],
		"location": "indices",
		"evidence": [
			{"fact": "clusters.source.aliases", "value": a},
			{"fact": "clusters.destination.aliases", "value": {"name": a.name, "index": w, "is_write_index": true}},
			include_aliases_evidence,
		],
	}
}

# Could not verify: the aliases or indices of a cluster are unknown.
alias_clashes contains v if {
	restores_aliases
	some role in ["source", "destination"]
	some fact in ["aliases", "indices"]
	not lib.known(role, fact)
	v := {
		"msg": sprintf("could not verify that the aliases restored with the indices fit the destination: the %s's %s are unknown (%s)", [role, fact, lib.why_unknown(role, fact)]),
		"cluster": role,
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": sprintf("clusters.%s.%s", [role, fact]), "value": null}],
	}
}

# ---------------------------------------------------------------------------
# SNAP-003

# global_kinds are the cluster-state objects a restore with the global state
# brings: the fact that lists them and which of its lists holds the names.
global_kinds := [
	{"list": "templates", "what": "composable templates", "names": "composable"},
	{"list": "templates", "what": "component templates", "names": "component"},
	{"list": "pipelines", "what": "ingest pipelines", "names": ""},
	{"list": "lifecycle_policies", "what": "ILM policies", "names": "ilm"},
	{"list": "stored_scripts", "what": "stored scripts", "names": ""},
]

# names_of(role, k) are the names of kind k on the cluster of role.
names_of(role, k) := {t.name | some t in input.clusters[role].templates[k.names]} if {
	k.list == "templates"
} else := {p.name | some p in input.clusters[role].lifecycle_policies; p.kind == "ilm"} if {
	k.list == "lifecycle_policies"
} else := {x.id | some x in input.clusters[role].stored_scripts} if {
	k.list == "stored_scripts"
} else := {x.name | some x in input.clusters[role][k.list]}

# lost[k.what] are the destination's objects of kind k the snapshot does not
# hold (the source's are what it holds), when both lists are known.
lost[k.what] := sort(names_of("destination", k) - names_of("source", k)) if {
	some k in global_kinds
	lib.known("destination", k.list)
	lib.known("source", k.list)
}

lost_text := concat("; ", [sprintf("%s: %s", [what, lib.names_preview(names)]) |
	some what, names in lost
	count(names) > 0
])

lost_sentence := sprintf(" Gone from the destination: %s.", [lost_text]) if {
	lost_text != ""
} else := " Which of the destination's objects would go could not be listed (the source's or destination's lists are unknown)." if {
	some k in global_kinds
	not lost[k.what]
} else := ""

# METADATA
# title: Restore with the global state replaces the destination's cluster state
# description: |
#   A restore with `include_global_state: true` brings the snapshot's cluster
#   state: Elasticsearch then replaces the destination's persistent cluster
#   settings, composable and component index templates, ingest pipelines,
#   ILM policies and stored scripts with the snapshot's, so what the
#   destination had and the snapshot lacks is gone, and legacy templates of
#   the same name are overwritten (from 8.0 feature states come too). On a
#   destination that already serves other data this is rarely intended: a
#   warning listing what would be lost, where the probe saw both clusters.
# related_resources:
#   - ref: https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-snapshot-restore
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/7.17/snapshots-restore-snapshot.html
#   - ref: https://docs.opensearch.org/latest/tuning-your-cluster/availability-and-recovery/snapshots/snapshot-restore/
# custom:
#   id: SNAP-003
#   methods: [snapshot, snapshot-reindex]
#   severity: warning
#   remediation: |
#     Restore with `include_global_state: false` (the default) and recreate
#     on the destination the templates, pipelines, policies and scripts the
#     migrated indices need (STATE-001 lists them); keep the global state
#     only for a destination that is empty and meant to become a copy of the
#     source.
#   example: |
#     method: snapshot
#     snapshot: {include_global_state: true}
warn contains f if {
	object.get(input.plan, ["snapshot", "include_global_state"], false) == true
	f := lib.finding(rego.metadata.rule(), sprintf("the restore brings the source's cluster state (include_global_state: true), which replaces the destination's persistent settings, templates, ingest pipelines, ILM policies and stored scripts.%s", [lost_sentence]), {
		"cluster": "destination",
		"location": "snapshot.include_global_state",
		"evidence": array.concat(
			[{"fact": "plan.snapshot.include_global_state", "value": true}],
			[{"fact": sprintf("clusters.destination.%s", [k.list]), "value": names} |
				some k in global_kinds
				names := lost[k.what]
				count(names) > 0
			],
		),
	})
}
