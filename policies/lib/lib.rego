# METADATA
# description: |
#   Helpers shared by the built-in rules. Not a rule package: nothing here is
#   reported. Rules build their findings with finding() so that every finding
#   carries the id of the rule body that produced it.
package espreflight.lib

import future.keywords.in
import future.keywords.not

# finding returns a finding object for the rule whose METADATA is meta (pass
# rego.metadata.rule()). extra may hold cluster, index, indices (one finding
# per index), location (a plan key path such as "source.created"), evidence
# (a list of {fact, value}) and unverified (true when a needed fact is unknown).
finding(meta, msg, extra) := object.union(extra, {"rule": meta.custom.id, "msg": msg})

# Cluster roles a plan may declare.
roles := {"source", "destination", "intermediate"}

# declared[role]: the plan declares a cluster with this role.
declared contains role if {
	some role in roles
	input.plan[role]
}

# The methods that run a cross-cluster operation (reindex from remote between
# the two clusters). Snapshot restore and Logstash are not cross-cluster
# operations in the sense of the architecture notice.
cross_cluster_methods := {"reindex"}

cross_cluster if {
	input.plan.method in cross_cluster_methods
}

alibaba(role) if {
	input.plan[role].kind == "alibaba"
}

# unknown_facts[role][fact] is the reason a probed fact is unknown.
unknown_facts[role][fact] := u.error if {
	some role, c in input.clusters
	some u in c.unknown
	fact := u.fact
}

# known(role, fact): the fact was collected for the cluster.
known(role, fact) if {
	input.clusters[role][fact] != null
	not unknown_facts[role][fact]
}

# why_unknown(role, fact) explains why a fact is not known.
why_unknown(role, fact) := unknown_facts[role][fact]

why_unknown(role, fact) := "no facts were collected for this cluster" if {
	not unknown_facts[role][fact]
	not input.clusters[role]
}

why_unknown(role, fact) := "the fact is missing from the facts document" if {
	not unknown_facts[role][fact]
	input.clusters[role]
}

# Regions where Alibaba's architecture cut-over date is certain: the Chinese
# mainland except Zhangjiakou. Hong Kong counts as outside the mainland.
date_rule_region(region) if {
	startswith(region, "cn-")
	not region in {"cn-zhangjiakou", "cn-hongkong"}
}

# Cut-over of Alibaba Cloud Elasticsearch's network architecture.
architecture_cutover := "2020-10-01"

# architecture(role) is "original" or "new"; undefined when it cannot be
# determined. An explicit `architecture:` wins over the creation date.
architecture(role) := a if {
	a := input.plan[role].architecture
	a != ""
} else := "original" if {
	d := input.plan[role].created
	d != ""
	d < architecture_cutover
} else := "new" if {
	d := input.plan[role].created
	d != ""
}

# architecture_key(role) is the plan key the architecture was taken from.
architecture_key(role) := sprintf("%s.architecture", [role]) if {
	input.plan[role].architecture != ""
} else := sprintf("%s.created", [role])

# architecture_certain(role): the architecture is explicit, or derived from the
# date in a region where the cut-over date is known.
architecture_certain(role) if {
	input.plan[role].architecture != ""
}

architecture_certain(role) if {
	input.plan[role].architecture == ""
	input.plan[role].created != ""
	date_rule_region(input.plan[role].region)
}
