package espreflight.custom.dup

# METADATA
# title: My own system index rule
# custom:
#   id: SYS-001
#   severity: warning
warn contains f if {
	some p in input.plan.indices
	startswith(p, ".")
	f := {"rule": "SYS-001", "msg": "system index"}
}
