# METADATA
# description: |
#   What the selected indices' own state asks of the migration: closed
#   indices the method cannot read (IDX-002) and allocation filters the
#   destination's nodes cannot satisfy (IDX-001).
package espreflight.rules.idx

import future.keywords.not

import data.espreflight.lib

# copy_methods read the documents through the search API (scroll or
# search_after) and write them again.
copy_methods := {"reindex", "logstash", "elasticsearch-dump"}

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
	input.plan.method in copy_methods
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
	not input.plan.method in copy_methods
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
	not input.plan.method in copy_methods
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
	not input.plan.method in copy_methods
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
