# METADATA
# description: |
#   Rules that declare the plan methods they apply to (custom.methods); one
#   builds its finding by hand, without lib.finding.
package espreflight.custom.methods

import data.espreflight.lib

# METADATA
# title: Logstash-only rule built with lib.finding
# custom:
#   id: METH-001
#   severity: error
#   methods: [logstash]
#   remediation: none
deny contains f if {
	f := lib.finding(rego.metadata.rule(), "fires on every plan it applies to", {})
}

# METADATA
# title: Logstash-only rule that builds its finding by hand
# custom:
#   id: METH-002
#   severity: error
#   methods: [logstash]
#   remediation: none
deny contains {"rule": "METH-002", "msg": "fires on every plan"}
