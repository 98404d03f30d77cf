package espreflight.custom.noid

# METADATA
# title: Rule without an id
# custom:
#   severity: error
deny contains f if {
	input.plan.method == "reindex"
	f := {"rule": "", "msg": "reindex"}
}
