package espreflight.custom.flag

# METADATA
# title: No reindex
# custom:
#   id: FLAG-001
#   severity: error
deny if {
	input.plan.method == "reindex"
}
