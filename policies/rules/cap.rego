# METADATA
# description: |
#   Whether the migrated indices fit the clusters that receive them: the
#   cluster shard limit (CAP-001) and the disk under the high watermark
#   (CAP-002). Every figure is a total computed once (the selection's sums,
#   the few data nodes): nothing here iterates indices.
package espreflight.rules.cap

import future.keywords.not

import data.espreflight.lib

# targets are the clusters that receive the selected indices: the
# destination, and with snapshot-reindex the intermediate the snapshot is
# restored into first when its capacity was collected (an intermediate that
# was not probed is usually one still to be set up for the migration, as
# `advise` proposes it, and is sized for it).
targets contains "destination"

targets contains "intermediate" if {
	input.plan.method == "snapshot-reindex"
	lib.known("intermediate", "capacity")
}

sel := input.selection.source

# added_shards: the shard copies the migration creates. A restore keeps each
# index's number of shards and replicas; the copy methods are taken to
# create the destination indices with the source's layout.
added_shards := sel.shards

# setting(role, key) is a cluster setting as the probe read it.
setting(role, key) := input.clusters[role].settings[key]

# number(v) reads a setting that is a number or a string holding one.
number(v) := v if is_number(v)

number(v) := to_number(v) if {
	is_string(v)
	regex.match(`^[0-9]+(\.[0-9]+)?$`, v)
}

# data_nodes[role] is the number of data nodes that count towards the shard
# limit: every node of _cat/allocation but those whose only data role is
# data_frozen (counted by cluster.max_shards_per_node.frozen instead).
data_nodes[role] := count(input.clusters[role].capacity.data_nodes) - count(frozen) if {
	some role in targets
	lib.known(role, "capacity")
	frozen := [n |
		some n in object.get(input.clusters[role], "nodes", [])
		"data_frozen" in n.roles
		not other_data_role(n.roles)
	]
}

other_data_role(roles) if {
	some r in roles
	r != "data_frozen"
	startswith(r, "data")
}

# limit_enforced(role): the cluster refuses to create, restore or open
# indices beyond the limit (Elasticsearch 7.0 and later; 6.5-6.8 only log a
# deprecation warning; every OpenSearch).
limit_enforced(role) if {
	lib.product_of(role) == "elasticsearch"
	lib.version(role)[0] >= 7
}

limit_enforced(role) if lib.product_of(role) == "opensearch"

# over_limit_roles are the targets whose current shard copies (every copy
# of _cat/allocation, assigned or not) plus the added ones exceed the
# limit. The copies of closed indices, which _cat/allocation lists from
# 7.2 (and in OpenSearch) but the limit does not count, are not taken off:
# finding them would scan every index of the cluster (docs/performance.md),
# and the count errs high, towards the limit.
over_limit_roles contains role if {
	some role in targets
	limit := shard_limit[role]
	input.clusters[role].capacity.shards + added_shards > limit
}

shard_limit[role] := number(setting(role, "cluster.max_shards_per_node")) * data_nodes[role] if {
	some role in targets
}

# METADATA
# title: Destination shard limit
# description: |
#   From Elasticsearch 7.0 (and in OpenSearch) a cluster refuses to create,
#   restore or open indices when the shards of its open indices, primaries
#   and replicas, would exceed `cluster.max_shards_per_node` times its data
#   nodes (frozen nodes aside). The shards the migration adds are the
#   selected indices' primaries times one plus their replicas: what a restore
#   brings, and what the copy methods create when the destination indices
#   keep the source's layout. The destination's current count is every shard
#   copy `_cat/allocation` lists, assigned or not; from 7.2 that includes the
#   copies of closed indices, which the limit leaves out, so the count errs
#   high. With
#   snapshot-reindex the intermediate is checked too when it was probed.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/8.7/misc-cluster-settings.html#cluster-shard-limit
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/6.5/misc-cluster.html
#   - ref: https://artifacts.elastic.co/javadoc/org/elasticsearch/elasticsearch/7.17.9/org/elasticsearch/indices/ShardLimitValidator.html
# custom:
#   id: CAP-001
#   severity: error
#   remediation: |
#     Raise `cluster.max_shards_per_node` on the destination (PUT
#     _cluster/settings) for the migration, add data nodes, delete or shrink
#     indices there first, or migrate fewer indices (or with fewer replicas:
#     restore with `index_settings: {"index.number_of_replicas": 0}` and add
#     them afterwards).
#   example: |
#     method: snapshot
#     indices: ["logs-*"]   # 2 400 shard copies; the destination holds 800 of 3 x 1000
deny contains f if {
	some v in over_limit
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

over_limit contains v if {
	some role in over_limit_roles
	limit_enforced(role)
	current := input.clusters[role].capacity.shards
	per_node := number(setting(role, "cluster.max_shards_per_node"))
	v := {
		"msg": sprintf("the migration adds %d shard copies (%d primaries and their replicas) to the %s's %d (every copy _cat/allocation lists, closed indices' included), above its shard limit of %d (cluster.max_shards_per_node %d x %d data node(s)): creating or restoring the indices fails once the limit is reached", [added_shards, sel.primary_shards, role, current, shard_limit[role], per_node, data_nodes[role]]),
		"cluster": role,
		"location": "indices",
		"evidence": [
			{"fact": "selection.source.shards", "value": added_shards},
			{"fact": sprintf("clusters.%s.capacity.shards", [role]), "value": input.clusters[role].capacity.shards},
			{"fact": sprintf("clusters.%s.settings", [role]), "value": {"cluster.max_shards_per_node": per_node}},
			{"fact": sprintf("clusters.%s.capacity.data_nodes", [role]), "value": data_nodes[role]},
		],
	}
}

over_limit contains v if {
	some role in targets
	some fact in ["capacity", "settings", "version"]
	not lib.known(role, fact)
	v := {
		"msg": sprintf("could not verify that the migrated shards fit the %s's shard limit: its %s is unknown (%s)", [role, fact, lib.why_unknown(role, fact)]),
		"cluster": role,
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": sprintf("clusters.%s.%s", [role, fact]), "value": null}],
	}
}

over_limit contains v if {
	some role in targets
	lib.known(role, "settings")
	limit_enforced(role)
	not number(setting(role, "cluster.max_shards_per_node"))
	v := {
		"msg": sprintf("could not verify that the migrated shards fit the %s's shard limit: its settings hold no readable cluster.max_shards_per_node", [role]),
		"cluster": role,
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": sprintf("clusters.%s.settings", [role]), "value": null}],
	}
}

over_limit contains v if {
	not sel.known
	v := {
		"msg": sprintf("could not verify that the migrated shards fit the destination's shard limit: the source's indices are unknown (%s)", [lib.why_unknown("source", "indices")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.indices", "value": null}],
	}
}

# ---------------------------------------------------------------------------
# CAP-002: disk.

disk_key(k) := sprintf("cluster.routing.allocation.disk.%s", [k])

# watermarks_apply(role): the disk allocation decider enforces the
# watermarks: threshold_enabled is not false, and a single data node is not
# exempt (enable_for_single_data_node false, the default before
# Elasticsearch 8.0 and in OpenSearch).
watermarks_apply(role) if {
	not setting(role, disk_key("threshold_enabled")) in {"false", false}
	not single_node_exempt(role)
}

single_node_exempt(role) if {
	count(input.clusters[role].capacity.data_nodes) == 1
	setting(role, disk_key("watermark.enable_for_single_data_node")) in {"false", false}
}

# size_bytes("50gb") is a byte size as Elasticsearch reads it (binary units).
size_bytes(s) := round(to_number(m[1]) * unit_bytes[m[2]]) if {
	m := regex.find_all_string_submatch_n(`^([0-9]+(?:\.[0-9]+)?)\s*(b|kb|mb|gb|tb|pb)?$`, lower(trim_space(s)), 1)[0]
}

unit_bytes := {"": 1, "b": 1, "kb": 1024, "mb": 1048576, "gb": 1073741824, "tb": 1099511627776, "pb": 1125899906842624}

# high_reserve(role, total) is the free space the high watermark keeps on a
# node of total bytes: (1 - ratio) x total for a percentage or ratio (capped
# by high.max_headroom where the cluster has it, Elasticsearch 8.5+), or the
# byte size itself.
high_reserve(role, total) := r if {
	w := trim_space(setting(role, disk_key("watermark.high")))
	endswith(w, "%")
	r := reserve_capped(role, total * (1 - (to_number(trim_suffix(w, "%")) / 100)))
} else := r if {
	w := trim_space(setting(role, disk_key("watermark.high")))
	regex.match(`^(0(\.[0-9]+)?|1(\.0+)?)$`, w)
	r := reserve_capped(role, total * (1 - to_number(w)))
} else := size_bytes(setting(role, disk_key("watermark.high")))

reserve_capped(role, r) := min([r, h]) if {
	h := size_bytes(setting(role, disk_key("watermark.high.max_headroom")))
	h >= 0
} else := r

# room[role] sums over the data nodes the bytes that can still be written
# before each reaches the high watermark (or its disk fills up, when the
# watermarks do not apply); undefined when a node's disk or the watermark
# cannot be read.
room[role] := sum([b | some n in nodes; b := max([0, n.disk_avail_bytes - reserve(role, n.disk_total_bytes)])]) if {
	some role in targets
	lib.known(role, "capacity")
	lib.known(role, "settings")
	nodes := input.clusters[role].capacity.data_nodes
	count(nodes) > 0
	every n in nodes {
		is_number(n.disk_avail_bytes)
		is_number(n.disk_total_bytes)
		reserve(role, n.disk_total_bytes)
	}
}

reserve(role, total) := high_reserve(role, total) if watermarks_apply(role)

reserve(role, _) := 0 if not watermarks_apply(role)

room_how(role) := "free disk under the high watermark" if watermarks_apply(role)

room_how(role) := "free disk (the disk watermarks do not apply there)" if not watermarks_apply(role)

# METADATA
# title: Destination disk space
# description: |
#   A shard is not allocated to a node whose disk would go above the high
#   disk watermark (`cluster.routing.allocation.disk.watermark.high`, 90% by
#   default, or a byte size of free space to keep), and writes stop at the
#   flood stage. The selected indices' store, primaries and all copies, is
#   compared with the space the destination's data nodes have left under
#   the high watermark, summed over the nodes. Primaries that do not fit are
#   an error (and so is a figure that cannot be read): the restore or copy
#   cannot complete. Replicas that do not fit are a warning: they stay
#   unassigned and the indices yellow. The source's
#   store is what a restore writes; a copy method rewrites the documents and
#   its size may differ. With snapshot-reindex the intermediate is checked
#   too when it was probed.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/7.4/disk-allocator.html
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/5.3/disk-allocator.html
#   - ref: https://github.com/elastic/elasticsearch/pull/88639
# custom:
#   id: CAP-002
#   severity: warning
#   remediation: |
#     Free or add disk on the destination's data nodes, add data nodes, or
#     migrate fewer indices at a time; restore without replicas
#     (`index_settings: {"index.number_of_replicas": 0}`) and add them once
#     there is room.
#   example: |
#     method: snapshot
#     indices: ["logs-*"]   # 2 TB of primaries; 800 GB left under the high watermark
warn contains f if {
	some v in disk_short
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

disk_short contains v if {
	some role in targets
	r := room[role]
	sel.primary_store_bytes > r
	v := {
		"msg": sprintf("the selected indices hold %s of primaries, more than the %s's %s (%s over its data nodes): the migration cannot complete", [lib.human_bytes(sel.primary_store_bytes), role, room_how(role), lib.human_bytes(r)]),
		"severity": "error",
		"cluster": role,
		"location": "indices",
		"evidence": disk_evidence(role, "selection.source.primary_store_bytes", sel.primary_store_bytes),
	}
}

disk_short contains v if {
	some role in targets
	r := room[role]
	sel.primary_store_bytes <= r
	sel.store_bytes > r
	v := {
		"msg": sprintf("the selected indices hold %s with their replicas, more than the %s's %s (%s over its data nodes): the primaries fit, but some replicas will stay unassigned", [lib.human_bytes(sel.store_bytes), role, room_how(role), lib.human_bytes(r)]),
		"cluster": role,
		"location": "indices",
		"evidence": disk_evidence(role, "selection.source.store_bytes", sel.store_bytes),
	}
}

disk_evidence(role, fact, bytes) := [
	{"fact": fact, "value": bytes},
	{"fact": sprintf("clusters.%s.capacity.data_nodes", [role]), "value": count(input.clusters[role].capacity.data_nodes)},
	{"fact": sprintf("clusters.%s.settings", [role]), "value": {disk_key("watermark.high"): object.get(input.clusters[role].settings, disk_key("watermark.high"), null)}},
]

disk_short contains v if {
	some role in targets
	some fact in ["capacity", "settings"]
	not lib.known(role, fact)
	v := {
		"msg": sprintf("could not verify that the migrated indices fit the %s's disk: its %s is unknown (%s)", [role, fact, lib.why_unknown(role, fact)]),
		"severity": "error",
		"cluster": role,
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": sprintf("clusters.%s.%s", [role, fact]), "value": null}],
	}
}

disk_short contains v if {
	some role in targets
	lib.known(role, "capacity")
	lib.known(role, "settings")
	not room[role]
	v := {
		"msg": sprintf("could not verify that the migrated indices fit the %s's disk: a data node reports no disk figures, or the high watermark setting cannot be read", [role]),
		"severity": "error",
		"cluster": role,
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": sprintf("clusters.%s.capacity.data_nodes", [role]), "value": null}],
	}
}

disk_short contains v if {
	not sel.known
	v := {
		"msg": sprintf("could not verify that the migrated indices fit the destination's disk: the source's indices are unknown (%s)", [lib.why_unknown("source", "indices")]),
		"severity": "error",
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.indices", "value": null}],
	}
}
