# METADATA
# description: |
#   What the selected indices' analysis settings ask of the clusters that
#   create them again: the plugins and modules that provide their analyzers,
#   tokenizers, filters and char filters (ANA-001), and the files and
#   synonyms sets they read, which no snapshot or copy carries (ANA-002).
package espreflight.rules.ana

import future.keywords.not

import data.espreflight.lib

analysis_known if lib.known("source", "analysis")

# targets are the clusters on which the method creates the selected indices
# with their settings and mappings: the destination (a restore, or the new
# index of a copy), and for snapshot-reindex the intermediate too, where the
# snapshot is restored before the reindex into the destination.
targets := {"intermediate", "destination"} if {
	input.plan.method == "snapshot-reindex"
} else := {"destination"}

# ---------------------------------------------------------------------------
# ANA-001: analysis components from plugins and modules.

# beyond_core(g): group g needs a component the server does not provide.
beyond_core(g) if {
	some c in g.components
	c.provider != "core"
}

# plugin_groups[i] are the selected indices of analysis group i, for the
# groups that need a component from a module or plugin.
plugin_groups[i] := names if {
	analysis_known
	some i, g in input.clusters.source.analysis
	beyond_core(g)
	names := lib.picked(g)
	count(names) > 0
}

# needs[p] is what the selected indices need of provider p: the components
# ("kind name", sorted) and the indices using them (sorted). A handful of
# providers over the groups: no index is visited twice per provider.
needs[p] := {"components": comps, "indices": idx} if {
	some p in {c.provider |
		some i, _ in plugin_groups
		some c in input.clusters.source.analysis[i].components
		c.provider != "core"
	}
	comps := sort({sprintf("%s %s", [c.kind, c.name]) |
		some i, _ in plugin_groups
		some c in input.clusters.source.analysis[i].components
		c.provider == p
	})
	idx := merged([names |
		some i, names in plugin_groups
		uses(input.clusters.source.analysis[i], p)
	])
}

# merged(lists) is the sorted union of sorted lists of names: the list
# itself when there is one (the common case: one group holds them all), so
# 100 000 names are not put in a set and sorted again.
merged(lists) := lists[0] if {
	count(lists) == 1
} else := sort({n | some names in lists; some n in names})

uses(g, p) if {
	some c in g.components
	c.provider == p
}

# in_server(role, p): provider p is part of the server of that cluster.
# Elasticsearch 6.0 moved the common analysis components (edge_ngram,
# synonym, html_strip, the language analyzers, …) out of the server into the
# analysis-common module; 5.x has them in the server.
in_server(role, "analysis-common") if {
	lib.product_of(role) == "elasticsearch"
	lib.version(role)[0] < 6
}

# modules_known(n): the node's answer lists its modules (every distribution
# ships some, so an empty or missing list is one the probe did not get).
modules_known(n) if {
	is_array(n.modules)
	count(n.modules) > 0
}

has(n, p) if {
	some x in n.plugins
	x.name == p
}

has(n, p) if {
	modules_known(n)
	some x in n.modules
	x.name == p
}

# lacking[role][p] are the names of the nodes of role that lack provider p,
# and unsure[role][p] those that lack it as a plugin but whose modules are
# unknown (p may be a module there).
lacking[role][p] := names if {
	some role in targets
	lib.known(role, "nodes")
	some p, _ in needs
	p != ""
	not in_server(role, p)
	names := sort([n.name | some n in input.clusters[role].nodes; not has(n, p); sure_lacks(role, n, p)])
	count(names) > 0
}

unsure[role][p] := names if {
	some role in targets
	lib.known(role, "nodes")
	some p, _ in needs
	p != ""
	not in_server(role, p)
	names := sort([n.name | some n in input.clusters[role].nodes; not has(n, p); not sure_lacks(role, n, p)])
	count(names) > 0
}

# sure_lacks(role, n, p): node n certainly lacks p, which it does not list.
# A plugin shows in the plugin list; analysis-common is a module, which only
# a known module list can be missing, and only on a cluster whose version
# says it is not in the server.
sure_lacks(_, _, p) if p != "analysis-common"

sure_lacks(role, n, "analysis-common") if {
	modules_known(n)
	lib.version(role)
}

need_evidence(p) := {"fact": "clusters.source.analysis", "value": {"provider": p, "components": needs[p].components, "indices": count(needs[p].indices)}}

# METADATA
# title: Analysis plugin or module missing on the cluster that creates the index
# description: |
#   Creating an index builds its analyzers, tokenizers, token filters and
#   char filters from the components the node registers; a component from a
#   plugin (analysis-icu, analysis-ik, analysis-pinyin, …) or from the
#   analysis-common module exists only on nodes that have it, and an index
#   using one cannot be created elsewhere ("Unknown tokenizer type [...]", or
#   a mapping naming an analyzer that "has not been configured"). This holds
#   for a snapshot restore and for every copy that creates the destination
#   index with the source's settings and mappings (reindex, Logstash,
#   elasticsearch-dump), and for both the intermediate and the destination
#   of snapshot-reindex. Elasticsearch 5.x has the common components in the
#   server; 6.0 and later and OpenSearch ship them as the analysis-common
#   module. A component espreflight does not know the provider of cannot be
#   checked.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/plugins/current/analysis.html
#   - ref: https://github.com/elastic/elasticsearch/blob/main/server/src/main/java/org/elasticsearch/index/analysis/AnalysisRegistry.java
#   - ref: https://github.com/elastic/elasticsearch/tree/main/modules/analysis-common
#   - ref: https://github.com/opensearch-project/OpenSearch/tree/main/modules/analysis-common
# custom:
#   id: ANA-001
#   severity: warning
#   remediation: |
#     Install the missing analysis plugin on every node of the reported
#     cluster (`bin/elasticsearch-plugin install <name>`, OpenSearch
#     `bin/opensearch-plugin install <name>`, a build matching the node's
#     version) and restart the nodes one at a time; on a managed service,
#     enable the plugin in its console. Alternatively change the indices'
#     analysis to components the destination has and reindex.
#   example: |
#     method: snapshot
#     indices: ["articles-*"]   # analysis: tokenizer ik_max_word (analysis-ik)
#     destination: {kind: self-managed, endpoint: "https://10.0.0.9:9200"}   # nodes without analysis-ik
warn contains f if {
	some v in missing_providers
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

missing_providers contains v if {
	some role, by_p in lacking
	some p, names in by_p
	v := {
		"msg": sprintf("%d node(s) of the %s lack %s, which provides %s used by these indices: creating them there fails (%s)", [count(names), role, p, concat(", ", needs[p].components), lib.names_preview(names)]),
		"severity": "error",
		"cluster": role,
		"indices": needs[p].indices,
		"location": role,
		"evidence": [need_evidence(p), {"fact": sprintf("clusters.%s.nodes", [role]), "value": names}],
	}
}

missing_providers contains v if {
	some role, by_p in unsure
	some p, names in by_p
	v := {
		"msg": sprintf("could not verify that the %s has %s, which provides %s used by these indices: %d node(s) do not list it and their modules or the cluster's version are unknown (%s)", [role, p, concat(", ", needs[p].components), count(names), lib.names_preview(names)]),
		"cluster": role,
		"indices": needs[p].indices,
		"location": role,
		"unverified": true,
		"evidence": [need_evidence(p), {"fact": sprintf("clusters.%s.nodes", [role]), "value": names}],
	}
}

missing_providers contains v if {
	needs[""]
	v := {
		"msg": sprintf("could not verify that the clusters creating these indices provide %s: espreflight does not know which plugin registers these names", [concat(", ", needs[""].components)]),
		"cluster": "source",
		"indices": needs[""].indices,
		"location": "indices",
		"unverified": true,
		"evidence": [need_evidence("")],
	}
}

missing_providers contains v if {
	some role in targets
	not lib.known(role, "nodes")
	some p, _ in needs
	p != ""
	not in_server(role, p)
	v := {
		"msg": sprintf("could not verify that every node of the %s has %s, which provides %s used by these indices: its nodes are unknown (%s)", [role, p, concat(", ", needs[p].components), lib.why_unknown(role, "nodes")]),
		"cluster": role,
		"indices": needs[p].indices,
		"location": role,
		"unverified": true,
		"evidence": [need_evidence(p), {"fact": sprintf("clusters.%s.nodes", [role]), "value": null}],
	}
}

missing_providers contains v if {
	not analysis_known
	v := {
		"msg": sprintf("could not verify that the clusters creating the selected indices have the analysis plugins and modules those indices use: the source's analysis settings are unknown (%s)", [lib.why_unknown("source", "analysis")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.analysis", "value": null}],
	}
}

missing_providers contains v if {
	analysis_known
	not input.selection.source.known
	some g in input.clusters.source.analysis
	beyond_core(g)
	v := {
		"msg": sprintf("could not verify which indices the plan selects, and some of the source's indices use analysis components from plugins or modules: the source's indices are unknown (%s)", [lib.why_unknown("source", "indices")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "selection.source", "value": null}],
	}
}

# ---------------------------------------------------------------------------
# ANA-002: files and synonyms sets the analysis settings read.

# outside[i] are the selected indices of analysis group i, for the groups
# that read a file or a synonyms set.
outside[i] := names if {
	analysis_known
	some i, g in input.clusters.source.analysis
	count(g.files) + count(g.synonym_sets) > 0
	names := lib.picked(g)
	count(names) > 0
}

# reads[kind] holds the files or synonyms sets (kind "files" or
# "synonym_sets") the selected indices read, and those indices.
reads[kind] := {"names": items, "indices": idx} if {
	some kind in ["files", "synonym_sets"]
	items := sort({x | some i, _ in outside; some x in input.clusters.source.analysis[i][kind]})
	count(items) > 0
	idx := merged([names | some i, names in outside; count(input.clusters.source.analysis[i][kind]) > 0])
}

reads_evidence(kind) := {"fact": "clusters.source.analysis", "value": {kind: reads[kind].names, "indices": count(reads[kind].indices)}}

# synonyms_api(role): the cluster has the synonyms API (Elasticsearch 8.10+).
synonyms_api(role) if {
	lib.product_of(role) == "elasticsearch"
	v := lib.version(role)
	[v[0], v[1]] >= [8, 10]
}

no_synonyms_api(role) if lib.product_of(role) == "opensearch"

no_synonyms_api(role) if {
	lib.product_of(role) == "elasticsearch"
	v := lib.version(role)
	[v[0], v[1]] < [8, 10]
}

# METADATA
# title: Analysis reading files or synonyms sets that a migration does not carry
# description: |
#   Analysis settings may read files from each node's config directory
#   (synonyms_path, stopwords_path, keywords_path, user_dictionary, hunspell
#   dictionaries, …) or, on Elasticsearch 8.10 and later, synonyms sets of the
#   synonyms API (`synonyms_set`), which live in the cluster's own system
#   index. Neither is part of the index: a snapshot does not hold the files,
#   and neither a restore nor a copy brings the files or the sets. Every node
#   of the cluster that creates the index needs each file at the same path,
#   or creating the index fails; a synonyms set must exist before an index
#   that names it is created, or the index is left partly created and
#   unusable. A cluster without the synonyms API (OpenSearch, Elasticsearch
#   before 8.10) cannot create such an index at all: its synonym filter asks
#   for `synonyms` or `synonyms_path`. Checked for the destination, and for
#   the intermediate too in snapshot-reindex.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/8.18/synonyms-apis.html
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/8.17/search-with-synonyms.html
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/7.17/analysis-synonym-tokenfilter.html
#   - ref: https://docs.opensearch.org/latest/analyzers/token-filters/synonym/
# custom:
#   id: ANA-002
#   severity: warning
#   remediation: |
#     Before the migration, copy each listed file to the same path under the
#     config directory of every node of the reported cluster (a managed
#     service has its own upload, such as Alibaba Cloud's synonym dictionary
#     upload), and recreate each synonyms set there with the synonyms API
#     (`PUT _synonyms/<set>`, from `GET _synonyms/<set>` on the source). For a
#     cluster without the synonyms API, change the filter to inline
#     `synonyms` or a `synonyms_path` file before copying the index.
#   example: |
#     method: snapshot
#     indices: ["products"]   # analysis: filter synonym, synonyms_path analysis/synonyms.txt
warn contains f if {
	some v in outside_reads
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

outside_reads contains v if {
	some role in targets
	r := reads.files
	v := {
		"msg": sprintf("these indices read %d file(s) from the nodes' config directory (%s): every node of the %s needs each of them at the same path before the indices are created there, as no snapshot or copy carries them", [count(r.names), lib.names_preview(r.names), role]),
		"cluster": role,
		"indices": r.indices,
		"location": role,
		"evidence": [reads_evidence("files")],
	}
}

outside_reads contains v if {
	some role in targets
	r := reads.synonym_sets
	not no_synonyms_api(role)
	v := {
		"msg": sprintf("these indices use synonyms set(s) %s of the source's synonyms API, which neither a snapshot of the indices nor a copy carries: create them on the %s%s before its indices, or they are left unusable", [lib.names_preview(r.names), role, api_text(role)]),
		"cluster": role,
		"indices": r.indices,
		"location": role,
		"evidence": [reads_evidence("synonym_sets"), target_evidence(role)],
	}
}

outside_reads contains v if {
	some role in targets
	r := reads.synonym_sets
	no_synonyms_api(role)
	v := {
		"msg": sprintf("these indices use synonyms set(s) %s, and the %s (%s) has no synonyms API: its synonym filter needs `synonyms` or `synonyms_path`, so creating the indices there fails", [lib.names_preview(r.names), role, cluster_text(role)]),
		"severity": "error",
		"cluster": role,
		"indices": r.indices,
		"location": role,
		"evidence": [reads_evidence("synonym_sets"), target_evidence(role)],
	}
}

cluster_text(role) := sprintf("%s %s", [lib.product_of(role), lib.version_text(role)]) if {
	lib.version(role)
} else := lib.product_of(role)

api_text(role) := "" if {
	synonyms_api(role)
} else := " (whose version is unknown: it needs Elasticsearch 8.10 or later for the synonyms API)"

target_evidence(role) := {"fact": sprintf("clusters.%s.version", [role]), "value": lib.version_text(role)} if {
	lib.version(role)
} else := {"fact": sprintf("clusters.%s.version", [role]), "value": null}

outside_reads contains v if {
	not analysis_known
	v := {
		"msg": sprintf("could not verify that the selected indices read no file from the nodes' config directory and no synonyms set: the source's analysis settings are unknown (%s)", [lib.why_unknown("source", "analysis")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.analysis", "value": null}],
	}
}
