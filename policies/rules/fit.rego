# METADATA
# description: |
#   Fit of the chosen tool to the data: the reindex API and elasticsearch-dump
#   suit small data volumes (and, for elasticsearch-dump, a small number of
#   indices); neither offers incremental migration.
package espreflight.rules.fit

import future.keywords.not

import data.espreflight.lib

# Methods the guide recommends for small data volumes only, with the limits
# key that holds each threshold.
small_methods := {
	"reindex": "reindex_max",
	"elasticsearch-dump": "dump_max",
}

# volume is the data volume to migrate: measured on the source when its
# indices are known, else the plan's declared volume.
volume := {"bytes": s.primary_store_bytes, "fact": "selection.source.primary_store_bytes", "how": "primary store size of the selected source indices"} if {
	s := input.selection.source
	s.known
} else := {"bytes": input.plan.volume_bytes, "fact": "plan.volume", "how": "volume declared in the plan"} if {
	input.plan.volume_bytes >= 0
}

# METADATA
# title: Tool chosen for a data volume it does not suit
# description: |
#   The reindex API and elasticsearch-dump move documents one batch at a time
#   through a single client and are meant for small data sets; OSS snapshots
#   are the tool for GB to PB volumes. The volume is the primary store size of
#   the selected source indices, or the plan's `volume:` when the source was
#   not probed. Thresholds: `limits.reindex_max_volume` (default 50gb) and
#   `limits.dump_max_volume` (default 10gb).
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: FIT-001
#   methods: [reindex, elasticsearch-dump]
#   severity: warning
#   remediation: |
#     Migrate this volume with OSS snapshots (or Logstash when you need
#     filtering or incremental runs), or split the migration into smaller
#     batches. If the volume is known to be fine, raise the threshold in
#     `limits:` so the plan documents the decision.
#   example: |
#     method: reindex
#     volume: 800gb
warn contains f if {
	some v in large_volume
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

large_volume contains v if {
	key := small_methods[input.plan.method]
	limit := input.plan.limits[sprintf("%s_bytes", [key])]
	volume.bytes > limit
	v := {
		"msg": sprintf("%s is meant for small data sets, but the %s is %s, above the %s threshold of %s", [input.plan.method, volume.how, lib.human_bytes(volume.bytes), input.plan.method, lib.human_bytes(limit)]),
		"cluster": "source",
		"location": "method",
		"evidence": [
			{"fact": "plan.method", "value": input.plan.method},
			{"fact": volume.fact, "value": volume.bytes},
			{"fact": sprintf("plan.limits.%s_volume", [key]), "value": limit},
		],
	}
}

large_volume contains v if {
	small_methods[input.plan.method]
	not volume
	v := {
		"msg": sprintf("could not verify that the data volume suits %s: the source's indices are unknown (%s) and the plan declares no volume", [input.plan.method, lib.why_unknown("source", "indices")]),
		"cluster": "source",
		"location": "method",
		"unverified": true,
		"evidence": [
			{"fact": "plan.method", "value": input.plan.method},
			{"fact": "clusters.source.indices", "value": null},
			{"fact": "plan.volume", "value": null},
		],
	}
}

# METADATA
# title: elasticsearch-dump chosen for many indices
# description: |
#   elasticsearch-dump copies one index per invocation and suits a small number
#   of indices. The count is the number of source indices the plan selects
#   (or, when the source was not probed and every pattern is a plain name, the
#   number of names). Threshold: `limits.dump_max_indices` (default 20).
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: FIT-002
#   methods: [elasticsearch-dump]
#   severity: warning
#   remediation: |
#     Use OSS snapshots or Logstash for this many indices, or split the
#     migration into several plans. If the count is acceptable, raise
#     `limits.dump_max_indices`.
#   example: |
#     method: elasticsearch-dump
#     indices: ["logs-*"]   # selects 400 indices on the source
#     limits: {dump_max_indices: 20}
warn contains f if {
	some v in many_indices
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

many_indices contains v if {
	n := index_count.n
	n > input.plan.limits.dump_max_indices
	v := {
		"msg": sprintf("elasticsearch-dump suits a small number of indices, but the plan %s, above the threshold of %d", [sprintf(index_count.how, [n]), input.plan.limits.dump_max_indices]),
		"cluster": "source",
		"location": "indices",
		"evidence": [
			{"fact": index_count.fact, "value": n},
			{"fact": "plan.limits.dump_max_indices", "value": input.plan.limits.dump_max_indices},
		],
	}
}

many_indices contains v if {
	not index_count
	v := {
		"msg": sprintf("could not verify how many indices elasticsearch-dump would copy: the patterns contain wildcards and the source's indices are unknown (%s)", [lib.why_unknown("source", "indices")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [
			{"fact": "plan.indices", "value": input.plan.indices},
			{"fact": "clusters.source.indices", "value": null},
		],
	}
}

# index_count is the number of indices the plan selects on the source.
index_count := {"n": s.count, "how": "selects %d indices on the source", "fact": "selection.source.count"} if {
	s := input.selection.source
	s.known
} else := {"n": count(names), "how": "names %d indices", "fact": "plan.indices"} if {
	every p in input.plan.indices {
		not contains(p, "*")
		p != "_all"
	}
	names := {p | some p in input.plan.indices; not startswith(p, "-")}
}

# METADATA
# title: Incremental migration with a method that has none
# description: |
#   The guide offers incremental migration with OSS snapshots, Logstash
#   (scheduled runs that upsert by document id) and snapshots plus reindex.
#   The reindex API and elasticsearch-dump copy a point-in-time view and have
#   no incremental mode.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: FIT-003
#   methods: [reindex, elasticsearch-dump]
#   severity: error
#   remediation: |
#     Use Logstash (with document ids preserved and a schedule) or OSS
#     snapshots for incremental migration, or run a full migration in a
#     window where writes to the source are stopped.
#   example: |
#     method: reindex
#     mode: incremental
deny contains f if {
	input.plan.mode == "incremental"
	small_methods[input.plan.method]
	f := lib.finding(
		rego.metadata.rule(),
		sprintf("%s has no incremental mode: it copies what the source holds when it runs, so later writes are not migrated", [input.plan.method]),
		{
			"location": "mode",
			"evidence": [
				{"fact": "plan.method", "value": input.plan.method},
				{"fact": "plan.mode", "value": "incremental"},
			],
		},
	)
}
