package espreflight.custom.nosev

# METADATA
# title: Rule without a severity
# custom:
#   id: NOSEV-001
deny contains f if {
	input.plan.method == "reindex"
	f := {"rule": "NOSEV-001", "msg": "reindex"}
}
