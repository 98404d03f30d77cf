# METADATA
# description: Snapshot restore onto the destination's existing indices.
package espreflight.rules.snap

import future.keywords.not

import data.espreflight.lib

# dest_open is the set of open index names on the destination. It is a
# complete rule (a comprehension), so OPA builds it once per evaluation; a
# partial set looked up by key would be scanned for every lookup.
dest_open := {ix.name | some ix in input.clusters.destination.indices; ix.status == "open"}

rename_pattern := lib.plan_get(["snapshot", "rename_pattern"], "")

rename_replacement := lib.plan_get(["snapshot", "rename_replacement"], "")

# conflicts are restored names that are open indices on the destination:
# a set intersection without a rename, one regex per selected index with one.
conflicts := dest_open & {n | some n in input.selection.source.names} if {
	rename_pattern == ""
} else := {n |
	some name in input.selection.source.names
	n := regex.replace(name, rename_pattern, rename_replacement)
	dest_open[n]
}

deny_restore_msg := "the restore will fail: the destination already has an open index with this name; close or delete it first, or restore under another name (snapshot.rename_pattern)"

# METADATA
# title: Snapshot restore onto existing destination indices
# description: |
#   An incremental migration with snapshots restores a new snapshot over the
#   indices restored before: writes to the source may have to stop while the
#   last snapshot is taken, and the destination indices must be closed before
#   each restore. A restore onto an open index of the same name (after
#   `snapshot.rename_pattern`) fails outright, in full mode too; those
#   indices are reported one by one with a message that the restore will fail.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/current/restore-snapshot-api.html
# custom:
#   id: SNAP-001
#   severity: warning
#   remediation: |
#     Plan a write freeze on the source for the final snapshot, and close
#     (POST <index>/_close) or delete the destination indices before every
#     restore; or restore under new names with `snapshot.rename_pattern` and
#     `snapshot.rename_replacement`.
#   example: |
#     method: snapshot
#     mode: incremental
warn contains f if {
	some v in restore_onto_existing
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

restore_onto_existing contains v if {
	input.plan.mode == "incremental"
	lib.snapshot_methods[input.plan.method]
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
			{"fact": "plan.snapshot.rename_pattern", "value": lib.plan_get(["snapshot", "rename_pattern"], "")},
		],
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
