package team.migrations

# METADATA
# title: Wrong package
# custom:
#   id: WRONG-001
#   severity: error
deny contains f if {
	input.plan.method == "reindex"
	f := {"rule": "WRONG-001", "msg": "reindex"}
}
