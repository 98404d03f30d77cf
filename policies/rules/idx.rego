# METADATA
# description: |
#   What the selected indices' own state asks of the migration: closed
#   indices the method cannot read (IDX-002) and allocation filters the
#   restoring cluster's nodes cannot satisfy (IDX-001).
package espreflight.rules.idx

import future.keywords.not

import data.espreflight.lib

# closed are the selected source indices whose status is "close" (the
# selection computes them once, in Go).
closed := input.selection.source.closed

# literal are the plan's patterns without a wildcard: an index named in the
# create snapshot request itself, not reached by a wildcard.
literal := {p | some p in input.plan.indices; not contains(p, "*"); p != "_all"}

closed_evidence := {"fact": "selection.source.closed", "value": sprintf("%d closed index(es)", [count(closed)])}

# METADATA
# title: Closed indices in the selection
# description: |
#   A closed index cannot be searched: the reindex API, the Logstash
#   elasticsearch input and elasticsearch-dump read the source with
#   searches and fail on it (index_closed_exception). A snapshot reads the
#   shard files instead, but only from Elasticsearch 7.2, where closed
#   indices keep replicated shards, can a closed index be snapshotted; before
#   7.2 a snapshot that names one fails unless it is partial, and then leaves
#   it out. From 7.2 (and on OpenSearch) a closed index is snapshotted when
#   the request names it, but a wildcard of the request expands to open
#   indices only until Elasticsearch 8.0, so a closed index the plan reaches
#   only through a wildcard is silently left out of the snapshot (a
#   warning; the rest are errors). A restore always brings an index back
#   open.
# related_resources:
#   - ref: https://github.com/elastic/elasticsearch/pull/39644
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/7.17/indices-close.html
#   - ref: https://github.com/opensearch-project/OpenSearch/blob/main/server/src/main/java/org/opensearch/action/admin/cluster/snapshots/create/CreateSnapshotRequest.java
# custom:
#   id: IDX-002
#   severity: warning
#   remediation: |
#     Open the closed indices before the migration (POST <index>/_open) and
#     close them again afterwards, or leave them out of `indices` (a leading
#     `-name`). With a snapshot from Elasticsearch 7.2-7.17 or OpenSearch,
#     name each closed index in the snapshot request (or set
#     `expand_wildcards: all` on it).
#   example: |
#     method: reindex
#     indices: ["logs-*"]   # logs-2019 is closed on the source
warn contains f if {
	some v in closed_reads
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

closed_reads contains v if {
	input.plan.method in lib.copy_methods
	count(closed) > 0
	v := {
		"msg": sprintf("%s reads the source with searches, and a closed index cannot be searched (index_closed_exception): open these indices for the migration or leave them out", [input.plan.method]),
		"severity": "error",
		"cluster": "source",
		"indices": closed,
		"location": "indices",
		"evidence": [closed_evidence],
	}
}

closed_reads contains v if {
	not input.plan.method in lib.copy_methods
	count(closed) > 0
	lib.product_of("source") == "elasticsearch"
	lib.version("source") < [7, 2, 0]
	v := {
		"msg": sprintf("Elasticsearch %s cannot snapshot a closed index (closed indices have no replicated shards before 7.2): the snapshot fails on these indices, or leaves them out when partial; open them before the snapshot", [lib.version_text("source")]),
		"severity": "error",
		"cluster": "source",
		"indices": closed,
		"location": "indices",
		"evidence": [closed_evidence, {"fact": "clusters.source.version", "value": lib.version_text("source")}],
	}
}

closed_reads contains v if {
	not input.plan.method in lib.copy_methods
	count(closed) > 0
	wildcard_only_snapshot
	names := [n | some n in closed; not literal[n]]
	count(names) > 0
	v := {
		"msg": sprintf("a snapshot request's wildcards expand to open indices only on %s %s, so these closed indices, which the plan reaches only through a wildcard, are left out of the snapshot unless the request names them or sets expand_wildcards: all", [lib.product_of("source"), lib.version_text("source")]),
		"cluster": "source",
		"indices": names,
		"location": "indices",
		"evidence": [closed_evidence, {"fact": "clusters.source.version", "value": lib.version_text("source")}],
	}
}

# wildcard_only_snapshot: the source snapshots closed indices it is asked
# for by name, and its create snapshot request expands wildcards to open
# indices only (Elasticsearch 7.2-7.x; OpenSearch's strictExpandOpenHidden).
wildcard_only_snapshot if {
	lib.product_of("source") == "elasticsearch"
	v := lib.version("source")
	v >= [7, 2, 0]
	v[0] == 7
}

wildcard_only_snapshot if lib.product_of("source") == "opensearch"

source_identified if {
	lib.version("source")
	lib.product_of("source")
}

closed_reads contains v if {
	not input.plan.method in lib.copy_methods
	count(closed) > 0
	not source_identified
	v := {
		"msg": sprintf("could not verify that the source can snapshot the selected closed indices: its product or version is unknown (%s)", [lib.why_unknown("source", "version")]),
		"severity": "error",
		"cluster": "source",
		"indices": closed,
		"location": "indices",
		"unverified": true,
		"evidence": [closed_evidence, {"fact": "clusters.source.version", "value": null}],
	}
}

closed_reads contains v if {
	not input.selection.source.known
	v := {
		"msg": sprintf("could not verify that no selected index is closed: the source's indices are unknown (%s)", [lib.why_unknown("source", "indices")]),
		"severity": "error",
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.indices", "value": null}],
	}
}

# ---------------------------------------------------------------------------
# IDX-001

# filtered are the source's settings groups with allocation filters other
# than _tier_preference (checked apart), with their selected indices.
filtered contains {"filters": fs, "indices": names} if {
	lib.restore_target
	some g in input.clusters.source.index_settings
	fs := [f | some f in g.allocation; f.attribute != "_tier_preference"]
	count(fs) > 0
	names := lib.picked(g)
	count(names) > 0
}

data_nodes := [n | some n in input.clusters[lib.restore_target].nodes; lib.data_node(n)]

# hidden_attributes are built-in attributes the probe does not see.
hidden_attributes := {"_ip", "_host_ip", "_publish_ip", "_host", "_id", "_tier"}

# node_value(n, attr) is what node n has for a filter's attribute.
node_value(n, "_name") := n.name

node_value(n, attr) := n.attributes[attr] if not startswith(attr, "_")

# matches(n, f): node n satisfies filter f (values are Regex.simpleMatch
# patterns; include: any, require: all, exclude: none).
matches(n, f) if {
	f.rule == "include"
	some p in f.values
	lib.simple_match(p, node_value(n, f.attribute))
}

matches(n, f) if {
	f.rule == "require"
	every p in f.values {
		lib.simple_match(p, node_value(n, f.attribute))
	}
}

matches(n, f) if {
	f.rule == "exclude"
	not excluded(n, f)
}

excluded(n, f) if {
	some p in f.values
	lib.simple_match(p, node_value(n, f.attribute))
}

fits(n, fs) if {
	every f in fs {
		matches(n, f)
	}
}

# visible(fs): every attribute of the filters is one the probe sees on the
# target's nodes.
visible(fs) if {
	every f in fs {
		not f.attribute in hidden_attributes
	}
	every n in data_nodes {
		is_object(object.get(n, "attributes", null))
	}
}

filters_text(fs) := concat(", ", [sprintf("%s.%s: %s", [f.rule, f.attribute, concat(",", f.values)]) | some f in fs])

target_nodes_evidence := {"fact": sprintf("clusters.%s.nodes", [lib.restore_target]), "value": sprintf("%d data node(s)", [count(data_nodes)])}

# METADATA
# title: Restored indices whose allocation filters no destination node satisfies
# description: |
#   A restore keeps each index's settings, its shard allocation filters
#   (`index.routing.allocation.include/require/exclude.*`) among them. When
#   no data node of the restoring cluster satisfies an index's filters
#   (custom node attributes such as `box_type`, or node names), its primary
#   shards stay unassigned: the index is red and a restore waiting for
#   completion never ends. Built-in attributes the probe cannot see (`_ip`,
#   `_host`, `_id`, `_tier`) and nodes whose attributes are unknown make it unable to
#   verify. A copy writes new indices, which do not inherit the filters.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/current/shard-allocation-filtering.html
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/current/restore-snapshot-api.html
#   - ref: https://docs.opensearch.org/latest/api-reference/index-apis/update-settings/
# custom:
#   id: IDX-001
#   methods: [snapshot, snapshot-reindex]
#   severity: error
#   remediation: |
#     Restore these indices with `index_settings` that reset the filters
#     (for example `"index.routing.allocation.require.box_type": null`) or
#     name attributes the destination's nodes have, or give the destination's
#     data nodes the attributes (`node.attr.*`) the filters ask for.
#   example: |
#     method: snapshot
#     indices: ["logs-*"]   # index.routing.allocation.require.box_type: hot
#     destination: {kind: self-managed, version: "8.19.21"}   # no node has node.attr.box_type
deny contains f if {
	some v in unplaceable
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

unplaceable contains v if {
	lib.known(lib.restore_target, "nodes")
	some g in filtered
	visible(g.filters)
	not some_fit(g.filters)
	v := {
		"msg": sprintf("no data node of the %s satisfies these indices' allocation filters (%s): the restore leaves their primary shards unassigned (red)", [lib.restore_target, filters_text(g.filters)]),
		"cluster": lib.restore_target,
		"indices": g.indices,
		"location": "indices",
		"evidence": [
			{"fact": "clusters.source.index_settings", "value": {"allocation": g.filters, "indices": count(g.indices)}},
			target_nodes_evidence,
		],
	}
}

some_fit(fs) if {
	some n in data_nodes
	fits(n, fs)
}

unplaceable contains v if {
	lib.known(lib.restore_target, "nodes")
	some g in filtered
	not visible(g.filters)
	v := {
		"msg": sprintf("could not verify that a data node of the %s satisfies these indices' allocation filters (%s): a filter names a built-in attribute the probe does not see, or the nodes' attributes are unknown", [lib.restore_target, filters_text(g.filters)]),
		"cluster": lib.restore_target,
		"indices": g.indices,
		"location": "indices",
		"unverified": true,
		"evidence": [
			{"fact": "clusters.source.index_settings", "value": {"allocation": g.filters, "indices": count(g.indices)}},
			target_nodes_evidence,
		],
	}
}

unplaceable contains v if {
	count(filtered) > 0
	not lib.known(lib.restore_target, "nodes")
	v := {
		"msg": sprintf("could not verify that the %s's data nodes satisfy the allocation filters of the selected indices: its nodes are unknown (%s)", [lib.restore_target, lib.why_unknown(lib.restore_target, "nodes")]),
		"cluster": lib.restore_target,
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": sprintf("clusters.%s.nodes", [lib.restore_target]), "value": null}],
	}
}

unplaceable contains v if {
	lib.restore_target
	not lib.known("source", "index_settings")
	v := {
		"msg": sprintf("could not verify the allocation filters of the selected indices: the source's index settings are unknown (%s)", [lib.why_unknown("source", "index_settings")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.index_settings", "value": null}],
	}
}

unplaceable contains v if {
	not input.selection.source.known
	lib.restore_target
	some g in input.clusters.source.index_settings
	some f in g.allocation
	f.attribute != "_tier_preference"
	v := {
		"msg": sprintf("could not verify which indices the plan selects, and some of the source's indices have allocation filters: the source's indices are unknown (%s)", [lib.why_unknown("source", "indices")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "selection.source", "value": null}],
	}
}
