# METADATA
# description: |
#   Helpers shared by the built-in rules. Not a rule package: nothing here is
#   reported. Rules build their findings with finding() so that every finding
#   carries the id of the rule body that produced it.
package espreflight.lib

import future.keywords.not

# finding returns a finding object for the rule whose METADATA is meta (pass
# rego.metadata.rule()). extra may hold cluster, index, indices (one finding
# per index), location (a plan key path such as "source.created"), evidence
# (a list of {fact, value}, fact a path into input such as
# "clusters.destination.version" or "plan.indices[0]") and unverified (true
# when a needed fact is unknown). The engine checks locations and evidence
# facts against the input's types: a path that names nothing is an error.
# It is undefined when the rule does not apply to the plan's method.
finding(meta, msg, extra) := object.union(extra, {"rule": meta.custom.id, "msg": msg}) if applies(meta)

# applies(meta): the rule whose METADATA is meta applies to the plan's
# method. custom.methods lists the methods a rule applies to; a rule without
# it applies to every method. This is the one place a rule's methods are
# decided: the engine reads the same list to report the rule "not
# applicable" (and drops any finding it makes) for a plan of another method.
applies(meta) if not meta.custom.methods

applies(meta) if input.plan.method in meta.custom.methods

# Cluster roles a plan may declare.
roles := {"source", "destination", "intermediate"}

# declared[role]: the plan declares a cluster with this role.
declared contains role if {
	some role in roles
	input.plan[role]
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

# ---------------------------------------------------------------------------
# Plan values

# plan_get(path, fallback) is the plan value at path (an array of keys), or
# fallback when any part of the path is missing or null.
plan_get(path, fallback) := v if {
	v := object.get(input.plan, path, fallback)
	v != null
} else := fallback

# copy_methods read the documents through searches and write them again
# into new indices.
copy_methods := {"reindex", "logstash", "elasticsearch-dump"}

# restores: the method restores the source's snapshot somewhere.
restores if input.plan.method in {"snapshot", "snapshot-reindex"}

# restore_target is the cluster that restores the source's snapshot with the
# indices' own settings and mappings: the destination, or for
# snapshot-reindex the intermediate (its reindex writes new indices).
restore_target := "destination" if input.plan.method == "snapshot"

restore_target := "intermediate" if input.plan.method == "snapshot-reindex"

rename_pattern := plan_get(["snapshot", "rename_pattern"], "")

rename_replacement := plan_get(["snapshot", "rename_replacement"], "")

# restored_name(n) is the name index (or data stream) n gets from a restore.
restored_name(n) := regex.replace(n, rename_pattern, rename_replacement) if {
	rename_pattern != ""
} else := n

# snapshot_steps holds each [from, to] pair of clusters where a snapshot taken
# on `from` is restored on `to`.
snapshot_steps contains ["source", "destination"] if input.plan.method == "snapshot"

snapshot_steps contains ["source", "intermediate"] if input.plan.method == "snapshot-reindex"

snapshot_steps contains ["intermediate", "destination"] if input.plan.method == "snapshot-reindex"

# oss_repository: the snapshot repository is an OSS bucket (type oss, or no
# type given: an Alibaba destination restores from OSS).
oss_repository if plan_get(["snapshot", "repository", "type"], "") in {"oss", ""}

# ---------------------------------------------------------------------------
# Cluster facts

# version(role) is [major, minor, patch] of a cluster whose version is known.
version(role) := [v.major, v.minor, v.patch] if {
	known(role, "version")
	v := input.clusters[role].version
}

# version_text(role) is the version number as reported or declared.
version_text(role) := input.clusters[role].version.number

# product_version(role) is the product's name and the version, as in
# "OpenSearch 2.19.6".
product_version(role) := sprintf("%s %s", [product_names[product_of(role)], version_text(role)])

product_names := {"elasticsearch": "Elasticsearch", "opensearch": "OpenSearch"}

# data_node(n): node n holds data (the data role or a data tier role).
data_node(n) if {
	some r in n.roles
	startswith(r, "data")
}

# product_of(role) is "elasticsearch" or "opensearch"; undefined when unknown.
product_of(role) := p if {
	p := input.clusters[role].product
	p != ""
}

# same_product(a, b): the two clusters run the same product, or a product is
# unknown (then their versions are compared as they are).
same_product(a, b) if product_of(a) == product_of(b)

same_product(a, _) if not product_of(a)

same_product(_, b) if not product_of(b)

# parse_version("7.10.2") is [7, 10, 2]; "7.10" is [7, 10, 0].
parse_version(s) := [to_number(p[0]), to_number(p[1]), 0] if {
	p := split(s, ".")
	count(p) == 2
}

parse_version(s) := [to_number(p[0]), to_number(p[1]), to_number(p[2])] if {
	p := split(s, ".")
	count(p) == 3
}

# node_plugins[role][i] maps plugin names to versions for the i-th node of a
# cluster: one lookup object, built once.
node_plugins[role][i] := {p.name: p.version | some p in n.plugins} if {
	some role, c in input.clusters
	some i, n in c.nodes
}

# plugin_version(role, i, name) is the version of plugin name on node i, or
# "" when the node lacks it.
plugin_version(role, i, name) := node_plugins[role][i][name]

plugin_version(role, i, name) := "" if not node_plugins[role][i][name]

# ---------------------------------------------------------------------------
# Snapshot restore compatibility. Elasticsearch: the index compatibility table
# of https://www.elastic.co/docs/deploy-manage/tools/snapshot-and-restore#snapshot-restore-version-compatibility
# and, for read-only archive indices, https://www.elastic.co/docs/deploy-manage/upgrade/deployment-or-cluster/reading-indices-from-older-elasticsearch-versions
# OpenSearch: https://docs.opensearch.org/latest/upgrade-to/snapshot-migrate/

# restore_verdict(created, target) says whether an index created by
# created = {product, major, minor} can be restored into a cluster
# target = {product, major, minor}: "yes", "archive" (read-only archive index
# only) or "no". A minor of -1 (Elasticsearch 8.11+ detached index versions)
# is taken as 8.11, the earliest release such an id can come from.
restore_verdict(created, target) := "no" if {
	newer_than(created, target)
} else := "yes" if {
	created.product == target.product
	created.major == target.major
} else := v if {
	target.product == "elasticsearch"
	v := es_older_verdict(created, target)
} else := v if {
	target.product == "opensearch"
	v := os_older_verdict(created, target)
} else := "no"

# newer_than(created, target): the index comes from a later release than the
# target runs, so the target cannot read it.
newer_than(created, target) if {
	created.product == target.product
	[created.major, effective_minor(created)] > [target.major, target.minor]
}

# OpenSearch forked from Elasticsearch 7.10.2 and documents restoring
# snapshots of Elasticsearch OSS up to 7.10 only: indices of a later
# Elasticsearch release are newer than every OpenSearch release (an
# Elasticsearch 8.5 repository fails to load in OpenSearch 2.19:
# https://github.com/opensearch-project/OpenSearch/issues/17567).
newer_than(created, target) if {
	created.product == "elasticsearch"
	target.product == "opensearch"
	[created.major, effective_minor(created)] > [7, 10]
}

effective_minor(v) := 11 if {
	v.major == 8
	v.minor < 0
} else := v.minor

# Elasticsearch destination, index from an earlier Elasticsearch major.
es_older_verdict(c, t) := "no" if {
	c.product != "elasticsearch"
} else := "no" if {
	# 6.8 was released after 7.0 and 7.1, which cannot read its indices.
	[c.major, c.minor, t.major] == [6, 8, 7]
	t.minor <= 1
} else := "yes" if {
	c.major == previous_es_major(t.major)
} else := "archive" if {
	t.major == 8
	t.minor >= 3
	c.major in {5, 6}
} else := "archive" if {
	t.major == 9
	c.major in {5, 6, 7}
} else := "no"

previous_es_major(5) := 2

previous_es_major(m) := m - 1 if m != 5

# OpenSearch destination, index from Elasticsearch or an earlier OpenSearch major.
os_older_verdict(c, t) := "yes" if {
	# OpenSearch 1.x reads Elasticsearch 6.x and 7.x indices.
	c.product == "elasticsearch"
	t.major == 1
	c.major in {6, 7}
} else := "yes" if {
	# OpenSearch 2.x needs Elasticsearch 7.0 or later.
	c.product == "elasticsearch"
	t.major == 2
	c.major == 7
} else := "yes" if {
	# OpenSearch N reads indices created by OpenSearch N-1.
	c.product == "opensearch"
	c.major == t.major - 1
} else := "no"

# ---------------------------------------------------------------------------
# Formatting

# human_bytes(n) renders a byte count with the largest binary unit it
# reaches and one decimal, rounded half up ("512 B", "1.5 KiB", "742.0 GiB"):
# the same text as probe.HumanBytes in Go, so that a size in a message reads
# like the same size in the advice and the reports.
human_bytes(n) := sprintf("%d B", [n]) if {
	n < 1024
} else := sprintf("%d.%d %s", [floor(tenths / 10), tenths % 10, unit[0]]) if {
	unit := [u | some u in byte_units; n >= u[1]][0]
	tenths := round((n * 10) / unit[1])
}

byte_units := [
	["PiB", 1125899906842624],
	["TiB", 1099511627776],
	["GiB", 1073741824],
	["MiB", 1048576],
	["KiB", 1024],
]

# names_preview lists up to five names, then "and N more".
names_preview(names) := concat(", ", names) if {
	count(names) <= 5
} else := sprintf("%s and %d more", [concat(", ", array.slice(names, 0, 5)), count(names) - 5])

# simple_match(pattern, s): Elasticsearch's Regex.simpleMatch, the matcher of
# the reindex allowlist entries and of index template patterns: `*` matches
# any run of characters and everything else matches itself, case included.
simple_match(pattern, s) if {
	parts := [esc | some p in split(pattern, "*"); esc := strings.replace_n(regex_meta, p)]
	regex.match(sprintf("^%s$", [concat(".*", parts)]), s)
}

regex_meta := {
	"\\": "\\\\", ".": "\\.", "+": "\\+", "?": "\\?", "(": "\\(", ")": "\\)",
	"[": "\\[", "]": "\\]", "{": "\\{", "}": "\\}", "|": "\\|", "^": "\\^", "$": "\\$",
}

# selected is the set of the selected source index names: one set per
# evaluation for every rule (a set comprehension over 100 000 names costs
# tens of milliseconds, and advise evaluates the rules once per method).
selected := {n | some n in input.selection.source.names}

# every_selected: the plan selects every index of the source (the common
# "*"; the selection is a subset of the source's indices). A group's
# selected indices are then all of its indices, and no set of the selected
# names needs to be built.
every_selected if count(input.selection.source.names) == count(input.clusters.source.indices)

# picked(g) are the selected indices of a group of source indices (a
# mapping, analysis or settings group, which holds sorted names), sorted.
picked(g) := g.indices if {
	every_selected
} else := [n | some n in g.indices; selected[n]]
