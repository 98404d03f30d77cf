# METADATA
# description: |
#   Example user policy (espreflight check --policy testdata/policies/valid).
#   User packages live under espreflight.custom and follow the same METADATA
#   contract as the built-in rules.
package espreflight.custom.team

import future.keywords.not

import data.espreflight.lib

# METADATA
# title: Orders indices must be migrated with a snapshot
# description: |
#   Team rule: the orders indices are too large and too busy for reindex,
#   Logstash or elasticsearch-dump; they are only moved with a snapshot.
# related_resources:
#   - ref: https://wiki.example.com/elasticsearch/migrations
# custom:
#   id: TEAM-001
#   severity: error
#   methods: [logstash, reindex, elasticsearch-dump, snapshot-reindex]
#   remediation: "Use `method: snapshot`, or move the orders indices in a separate plan."
deny contains f if {
	some i, p in input.plan.indices
	startswith(p, "orders")
	f := lib.finding(
		rego.metadata.rule(),
		sprintf("index pattern %q selects orders indices, which must be migrated with a snapshot (method is %s)", [p, input.plan.method]),
		{
			"cluster": "source",
			"location": sprintf("indices[%d]", [i]),
			"evidence": [
				{"fact": sprintf("plan.indices[%d]", [i]), "value": p},
				{"fact": "plan.method", "value": input.plan.method},
			],
		},
	)
}
