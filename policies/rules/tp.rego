# METADATA
# description: Sources hosted by third-party providers.
package espreflight.rules.tp

import future.keywords.not

import data.espreflight.lib

# Methods the guide lists for third-party sources.
third_party_methods := {"snapshot", "elasticsearch-dump"}

# METADATA
# title: Method not listed for third-party sources
# description: |
#   For a source hosted by a third-party provider (Amazon OpenSearch Service,
#   Tencent Cloud, others) the guide lists only OSS snapshots and
#   elasticsearch-dump. Other methods may need network paths or versions the
#   provider does not offer.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution
# custom:
#   id: TP-001
#   severity: warning
#   remediation: |
#     Use OSS snapshots (copy the snapshots into an OSS bucket first) or, for
#     small data, elasticsearch-dump; or confirm that the provider allows the
#     chosen method and waive this finding with that reason.
#   example: |
#     method: reindex
#     source: {kind: third-party, provider: aws-opensearch}
warn contains f if {
	input.plan.source.kind == "third-party"
	not input.plan.method in third_party_methods
	f := lib.finding(
		rego.metadata.rule(),
		sprintf("the guide lists only OSS snapshots and elasticsearch-dump for third-party sources, not %s", [input.plan.method]),
		{
			"cluster": "source",
			"location": "method",
			"evidence": [
				{"fact": "plan.source.kind", "value": "third-party"},
				{"fact": "plan.source.provider", "value": input.plan.source.provider},
				{"fact": "plan.method", "value": input.plan.method},
			],
		},
	)
}
