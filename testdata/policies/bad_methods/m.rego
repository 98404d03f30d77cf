# METADATA
# description: A rule whose custom.methods names no plan method.
package espreflight.custom.badmethods

import data.espreflight.lib

# METADATA
# title: Bad methods
# custom:
#   id: BADM-001
#   severity: error
#   methods: [snapshot, rsync]
#   remediation: none
deny contains f if {
	f := lib.finding(rego.metadata.rule(), "x", {})
}
