# METADATA
# description: |
#   The source's deprecation info API: what the source uses that the next
#   major version removes, when the migration goes to that major.
package espreflight.rules.dep

import future.keywords.not

import data.espreflight.lib

# crosses_major: the destination runs a later major of the source's product,
# the major the source's deprecation items are about.
crosses_major if {
	lib.same_product("source", "destination")
	lib.version("destination")[0] > lib.version("source")[0]
}

# major_unknown: a version is unknown, so whether the move crosses a major is.
major_unknown if not lib.version("source")

major_unknown if not lib.version("destination")

# node_scoped: items about the source nodes' own configuration files, which
# no migration method carries to the destination.
node_scoped := {"node"}

# per_index: items whose names are indices or data streams of the source;
# only those about selected ones concern the migration. Every other scope
# (cluster settings, templates, lifecycle policies, machine learning, and a
# scope a later version adds) concerns the whole cluster.
per_index := {"index", "data_streams"}

# concerned[i] is the names item i of the source's deprecations concerns
# ([] for a cluster-wide item); undefined when it concerns nothing selected.
concerned[i] := [] if {
	some i, d in input.clusters.source.deprecations
	not d.scope in node_scoped
	not d.scope in per_index
}

concerned[i] := names if {
	some i, d in input.clusters.source.deprecations
	d.scope == "index"
	names := [n | some n in d.names; lib.selected[n]]
	count(names) > 0
}

concerned[i] := names if {
	some i, d in input.clusters.source.deprecations
	d.scope == "data_streams"
	names := [n | some n in d.names; selected_streams[n]]
	count(names) > 0
}

# selected_streams: the data streams whose backing indices are selected.
selected_streams := {s | some s in input.selection.source.data_streams}

# item_findings(level) are the findings of the source's items of one level.
item_findings(level) := {v |
	lib.known("source", "deprecations")
	some i, names in concerned
	d := input.clusters.source.deprecations[i]
	d.level == level
	v := item_finding(d, names)
}

item_finding(d, names) := object.union(base, {"indices": names}) if {
	d.scope in per_index
	base := item_base(d, names)
} else := item_base(d, names)

item_base(d, names) := v if {
	crosses_major
	v := {
		"msg": sprintf("%s deprecation on the source (%s%s), which %s removes: %s%s (%s)", [d.level, d.scope, names_text(names), lib.version_text("destination"), d.message, details_text(d), d.url]),
		"cluster": "source",
		"location": "destination",
		"evidence": item_evidence(d),
	}
}

item_base(d, names) := v if {
	not crosses_major
	major_unknown
	v := {
		"msg": sprintf("could not verify whether this %s deprecation of the source (%s%s) concerns the destination, a version being unknown: %s%s (%s)", [d.level, d.scope, names_text(names), d.message, details_text(d), d.url]),
		"cluster": "source",
		"location": "destination",
		"unverified": true,
		"evidence": item_evidence(d),
	}
}

item_evidence(d) := [
	{"fact": "clusters.source.deprecations", "value": {"scope": d.scope, "level": d.level, "message": d.message, "url": d.url}},
	version_evidence("source"),
	version_evidence("destination"),
]

version_evidence(role) := {"fact": sprintf("clusters.%s.version", [role]), "value": lib.version_text(role)} if {
	lib.version(role)
} else := {"fact": sprintf("clusters.%s.version", [role]), "value": null}

names_text(names) := sprintf(": %s", [lib.names_preview(names)]) if {
	count(names) > 0
} else := ""

details_text(d) := sprintf(" (%s)", [d.details]) if {
	d.details != ""
} else := ""

# METADATA
# title: The source uses what the destination's major removed
# description: |
#   The deprecation info API of the source (Elasticsearch 5.6 and later,
#   default distribution) lists what the next major version removes, each
#   item with a level. A critical item is one the next major refuses: an
#   index created by a version it cannot read, a setting or mapping it no
#   longer accepts. When the destination runs that later major, each
#   critical item about a selected index, or about the whole cluster, is a
#   failure waiting on the destination. Items about the source nodes' own
#   configuration files are left out: no migration carries them.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/7.17/migration-api-deprecation.html
# custom:
#   id: DEP-001
#   severity: error
#   remediation: |
#     Resolve each critical item on the source before the migration, as its
#     documentation link says (reindex an index created by an old version,
#     change the setting or mapping the next major removed), or leave the
#     indices it names out of `indices:`. Run the Upgrade Assistant or
#     GET _migration/deprecations again to confirm.
#   example: |
#     # the source's deprecation info lists orders-2019 as created before 6.0
#     method: snapshot
#     indices: ["orders-*"]
#     source: {kind: self-managed, version: "6.8.23"}
#     destination: {kind: self-managed, version: "7.10.2"}
deny contains f if {
	some v in item_findings("critical")
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

# METADATA
# title: Deprecation warnings of the source for the destination's major
# description: |
#   Items of the source's deprecation info API of level warning: what the
#   destination's later major still accepts but has deprecated or changed
#   (a setting renamed, a default changed). Also reported here: a move to a
#   later major where the source has no deprecation info API at all
#   (OpenSearch, Elasticsearch before 5.6, OSS builds), so that nothing it
#   uses could be checked against the next major; that is a warning, not a
#   failure, since no API can answer it.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/7.17/migration-api-deprecation.html
# custom:
#   id: DEP-002
#   severity: warning
#   remediation: |
#     Review each item and its documentation link before the migration and
#     change what the destination's major handles differently. Without the
#     API, read the breaking changes of every major between the two versions.
#   example: |
#     source: {kind: self-managed, version: "6.8.23"}
#     destination: {kind: self-managed, version: "7.10.2"}
warn contains f if {
	some v in warnings
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

warnings contains v if {
	some v in item_findings("warning")
}

warnings contains v if {
	not lib.known("source", "deprecations")
	may_cross_major
	v := {
		"msg": sprintf("could not check the source against the deprecations of the destination's major: the source's deprecation info is unknown (%s)", [lib.why_unknown("source", "deprecations")]),
		"cluster": "source",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.deprecations", "value": null}],
	}
}

may_cross_major if crosses_major

may_cross_major if major_unknown
