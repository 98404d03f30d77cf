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
