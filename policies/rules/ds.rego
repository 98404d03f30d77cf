# METADATA
# description: |
#   Data streams in the selection: what the destination needs for a data
#   stream to arrive as one and keep working (DS-001).
package espreflight.rules.ds

import future.keywords.not

import data.espreflight.lib

# streams are the data streams with a selected backing index, sorted (the
# selection computes them once, in Go).
streams := input.selection.source.data_streams

# arriving(s) is the name stream s has on the destination: a restore renames
# data streams with snapshot.rename_pattern as it renames indices; a copy
# writes into the stream's own name.
arriving(s) := lib.restored_name(s) if lib.restores

arriving(s) := s if not lib.restores

# composable are the destination's composable index templates; legacy
# templates cannot create data streams.
composable := object.get(input.clusters.destination, ["templates", "composable"], [])

# winner_is_stream(name): the template the destination would apply to a new
# index or stream called name (the matching composable template of the
# highest priority) creates data streams.
winner_is_stream(name) if {
	matching := [t | some t in composable; some p in t.index_patterns; lib.simple_match(p, name)]
	top := max([object.get(t, "priority", 0) | some t in matching])
	some t in matching
	object.get(t, "priority", 0) == top
	t.data_stream == true
}

dest_streams := {d.name | some d in input.clusters.destination.data_streams}

# may_have_streams: the source's version can hold data streams
# (Elasticsearch 7.9+, every OpenSearch), or its version is unknown.
may_have_streams if not lib.version("source")

may_have_streams if lib.product_of("source") == "opensearch"

may_have_streams if {
	lib.product_of("source") != "opensearch"
	v := lib.version("source")
	[v[0], v[1]] >= [7, 9]
}

# before_replace: an Elasticsearch destination older than 7.12.1, which
# refuses to restore a data stream over one of the same name.
before_replace if {
	lib.product_of("destination") == "elasticsearch"
	lib.version("destination") < [7, 12, 1]
}

# METADATA
# title: Data streams without a data-stream template on the destination, or restored over an existing stream
# description: |
#   A data stream lives by its index template: the destination creates new
#   backing indices (rollover) and the stream itself only through a matching
#   composable template with `data_stream` enabled, the one of the highest
#   priority among those whose patterns match. A restored stream without
#   such a template cannot roll over or create backing indices, and a copy
#   (reindex, Logstash, elasticsearch-dump) into the stream's name creates a
#   regular index instead of a stream: a warning naming the streams. A
#   restore over a stream of the same name on the destination fails on
#   Elasticsearch before 7.12.1 (an error) and from 7.12.1 replaces the
#   destination's stream, leaving its other backing indices outside any
#   stream (a warning, as on OpenSearch). The snapshot carries the template
#   only with the global state.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/7.12/restore-snapshot-api.html
#   - ref: https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-snapshot-restore
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/current/set-up-a-data-stream.html
#   - ref: https://github.com/elastic/elasticsearch/issues/74319
#   - ref: https://docs.opensearch.org/latest/im-plugin/data-streams/
# custom:
#   id: DS-001
#   severity: warning
#   remediation: |
#     Before the migration, create on the destination a composable index
#     template whose `index_patterns` match each stream and that has
#     `data_stream: {}` (and the priority to win over other matching
#     templates); copy methods must also write with `op_type: create`. Delete
#     or rename (snapshot.rename_pattern) a destination stream of the same
#     name before restoring over it.
#   example: |
#     method: snapshot
#     indices: ["logs-*"]   # the source's data stream logs-app
#     source: {kind: self-managed, version: "7.17.29"}
#     destination: {kind: self-managed, version: "8.19.21"}
warn contains f if {
	some v in stream_findings
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

templates_evidence := {"fact": "clusters.destination.templates", "value": sprintf("%d composable template(s)", [count(composable)])}

streams_evidence := {"fact": "selection.source.data_streams", "value": streams}

stream_findings contains v if {
	lib.known("destination", "templates")
	missing := [s | some s in streams; not winner_is_stream(arriving(s))]
	count(missing) > 0
	v := {
		"msg": sprintf("no composable template of the destination with data_stream matches %s: %s", [lib.names_preview([arriving(s) | some s in missing]), missing_effect]),
		"cluster": "destination",
		"location": "indices",
		"indices": missing,
		"evidence": [streams_evidence, templates_evidence],
	}
}

missing_effect := "a restored stream cannot roll over or create backing indices" if {
	lib.restores
} else := "the copy creates a regular index of that name, not a data stream"

stream_findings contains v if {
	lib.restores
	lib.known("destination", "data_streams")
	clash := [s | some s in streams; arriving(s) in dest_streams]
	count(clash) > 0
	v := object.union(clash_verdict, {
		"cluster": "destination",
		"location": "indices",
		"indices": clash,
		"evidence": [
			streams_evidence,
			{"fact": "clusters.destination.data_streams", "value": sort([arriving(s) | some s in clash])},
			{"fact": "clusters.destination.version", "value": lib.version_text("destination")},
		],
		"msg": sprintf("the destination already has data stream(s) %s: %s", [lib.names_preview([arriving(s) | some s in clash]), clash_verdict.effect]),
	})
}

clash_verdict := {"severity": "error", "effect": sprintf("Elasticsearch %s refuses to restore a data stream over one of the same name (allowed from 7.12.1)", [lib.version_text("destination")])} if {
	before_replace
} else := {"effect": "the restore replaces it, and its backing indices that are not in the snapshot stay behind as indices outside any stream"}

# Could not verify.

stream_findings contains v if {
	may_have_streams
	not input.selection.source.known
	v := {
		"msg": sprintf("could not verify the data streams of the selection: the source's indices are unknown (%s)", [lib.why_unknown("source", "indices")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.indices", "value": null}],
	}
}

stream_findings contains v if {
	may_have_streams
	input.selection.source.known
	not lib.known("source", "data_streams")
	v := {
		"msg": sprintf("could not verify whether the selection holds data streams: the source's data streams are unknown (%s)", [lib.why_unknown("source", "data_streams")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.data_streams", "value": null}],
	}
}

stream_findings contains v if {
	count(streams) > 0
	not lib.known("destination", "templates")
	v := unknown_dest("templates")
}

stream_findings contains v if {
	count(streams) > 0
	lib.restores
	not lib.known("destination", "data_streams")
	v := unknown_dest("data_streams")
}

unknown_dest(fact) := {
	"msg": sprintf("could not verify what the destination has for the data streams %s: its %s are unknown (%s)", [lib.names_preview(streams), replace(fact, "_", " "), lib.why_unknown("destination", fact)]),
	"cluster": "destination",
	"location": "indices",
	"indices": streams,
	"unverified": true,
	"evidence": [streams_evidence, {"fact": sprintf("clusters.destination.%s", [fact]), "value": null}],
}
