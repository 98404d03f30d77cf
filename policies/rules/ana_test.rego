package espreflight.rules.ana_test

import future.keywords.not

import data.espreflight.lib
import data.espreflight.rules.ana

cl(product, number) := {"product": product, "version": {"number": number, "major": v[0], "minor": v[1], "patch": v[2]}, "unknown": []} if {
	v := lib.parse_version(number)
}

comp(kind, name, provider) := {"kind": kind, "name": name, "provider": provider}

ag(indices, comps) := {"indices": indices, "components": comps, "files": [], "synonym_sets": []}

# The source: articles use analysis-ik and analysis-common, logs the server
# only, tags a tokenizer of an unknown plugin.
source := object.union(cl("elasticsearch", "7.10.2"), {"analysis": [
	ag(["articles", "unselected"], [comp("analyzer", "custom", "core"), comp("tokenizer", "ik_max_word", "analysis-ik"), comp("filter", "edge_ngram", "analysis-common")]),
	ag(["logs"], [comp("analyzer", "standard", "core")]),
	ag(["tags"], [comp("analyzer", "custom", "core"), comp("tokenizer", "mystery", "")]),
]})

mod(name) := {"name": name, "version": "x"}

node(name, plugins, modules) := {"name": name, "version": "", "plugins": [mod(p) | some p in plugins], "modules": [mod(m) | some m in modules]}

with_nodes(c, nodes) := object.union(c, {"nodes": nodes})

# A destination whose first node has analysis-ik and the second does not.
dst_half := with_nodes(cl("elasticsearch", "8.15.1"), [
	node("d1", ["analysis-ik"], ["analysis-common", "reindex"]),
	node("d2", [], ["analysis-common", "reindex"]),
])

dst_full := with_nodes(cl("elasticsearch", "8.15.1"), [
	node("d1", ["analysis-ik"], ["analysis-common"]),
	node("d2", ["analysis-ik"], ["analysis-common"]),
])

sel(names) := {"known": true, "names": names}

inp(method, src, dst, names) := {
	"plan": {"method": method},
	"clusters": {"source": src, "destination": dst, "intermediate": dst},
	"selection": {"source": sel(names)},
}

rule(fs, id) := {f | some f in fs; f.rule == id}

ana001(i) := fs if {
	fs := rule(ana.warn, "ANA-001") with input as i
}

# --- ANA-001 ---------------------------------------------------------------

test_ana001_plugin_missing_on_a_node if {
	every m in ["snapshot", "reindex", "logstash", "elasticsearch-dump"] {
		fs := ana001(inp(m, source, dst_half, ["articles", "logs"]))
		count(fs) == 1
		some f in fs
		f.severity == "error"
		f.cluster == "destination"
		f.indices == ["articles"]
		not f.unverified
		contains(f.msg, "1 node(s) of the destination lack analysis-ik")
		contains(f.msg, "tokenizer ik_max_word")
		f.evidence[1].value == ["d2"]
	}
}

test_ana001_snapshot_reindex_checks_intermediate_and_destination if {
	i := object.union(inp("snapshot-reindex", source, dst_full, ["articles"]), {"clusters": {"intermediate": dst_half}})
	fs := ana001(i)
	count(fs) == 1
	some f in fs
	f.cluster == "intermediate"

	i2 := object.union(inp("snapshot-reindex", source, dst_half, ["articles"]), {"clusters": {"intermediate": dst_half}})
	{f.cluster | some f in ana001(i2)} == {"intermediate", "destination"}
}

test_ana001_module_missing if {
	dst := with_nodes(cl("opensearch", "2.19.6"), [node("o1", ["analysis-ik"], ["reindex"])])
	fs := ana001(inp("reindex", source, dst, ["articles"]))
	count(fs) == 1
	some f in fs
	f.severity == "error"
	contains(f.msg, "lack analysis-common, which provides filter edge_ngram")
}

test_ana001_quiet if {
	# every node has every provider; only the server's components; ES 5.x
	# has the common components in its server.
	count(ana001(inp("snapshot", source, dst_full, ["articles", "logs"]))) == 0
	count(ana001(inp("snapshot", source, dst_half, ["logs"]))) == 0
	dst5 := with_nodes(cl("elasticsearch", "5.6.16"), [node("f1", ["analysis-ik"], ["reindex"])])
	count(ana001(inp("snapshot", source, dst5, ["articles"]))) == 0

	# nodes unknown, but nothing beyond the server is needed
	dst := object.union(cl("elasticsearch", "8.15.1"), {"nodes": null, "unknown": [{"fact": "nodes", "endpoint": "GET /_nodes/plugins", "error": "HTTP 403"}]})
	count(ana001(inp("snapshot", source, dst, ["logs"]))) == 0
}

test_ana001_unknown_provider if {
	fs := ana001(inp("snapshot", source, dst_full, ["tags"]))
	count(fs) == 1
	some f in fs
	f.unverified
	not f.severity
	f.cluster == "source"
	contains(f.msg, "tokenizer mystery")
}

test_ana001_nodes_unknown if {
	dst := object.union(cl("elasticsearch", "8.15.1"), {"nodes": null, "unknown": [{"fact": "nodes", "endpoint": "GET /_nodes/plugins", "error": "HTTP 403"}]})
	fs := ana001(inp("snapshot", source, dst, ["articles"]))
	count(fs) == 2
	every f in fs {
		f.unverified
		contains(f.msg, "HTTP 403")
	}
}

test_ana001_modules_or_version_unknown if {
	# the node lists no modules: analysis-common cannot be checked
	dst := with_nodes(cl("opensearch", "2.19.6"), [{"name": "o1", "version": "", "plugins": [mod("analysis-ik")], "modules": null}])
	fs := ana001(inp("reindex", source, dst, ["articles"]))
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "has analysis-common")

	# the version is unknown: analysis-common may be in the server (5.x)
	dst2 := {"product": "", "version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "timeout"}], "nodes": [node("o1", ["analysis-ik"], ["reindex"])]}
	fs2 := ana001(inp("reindex", source, dst2, ["articles"]))
	count(fs2) == 1
	some f2 in fs2
	f2.unverified
}

test_ana001_analysis_unknown if {
	src := object.union(cl("elasticsearch", "7.10.2"), {"analysis": null, "unknown": [{"fact": "analysis", "endpoint": "GET /_all", "error": "HTTP 403"}]})
	fs := ana001(inp("snapshot", src, dst_full, ["articles"]))
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "HTTP 403")
}

test_ana001_selection_unknown if {
	i := object.union(inp("snapshot", source, dst_full, []), {"selection": {"source": {"known": false, "names": []}}})
	fs := ana001(i)
	count(fs) == 1
	some f in fs
	f.unverified
	f.evidence[0].fact == "selection.source"
}

# --- ANA-002 ---------------------------------------------------------------

ag_reads(indices, files, sets) := object.union(ag(indices, [comp("analyzer", "custom", "core")]), {"files": files, "synonym_sets": sets})

source_reads := object.union(cl("elasticsearch", "8.15.1"), {"analysis": [
	ag_reads(["products", "unselected"], ["analysis/synonyms.txt"], []),
	ag_reads(["catalog"], ["analysis/stop.txt", "analysis/synonyms.txt"], ["brands"]),
	ag_reads(["plain"], [], []),
]})

ana002(i) := fs if {
	fs := rule(ana.warn, "ANA-002") with input as i
}

test_ana002_files if {
	every m in ["snapshot", "reindex", "logstash", "elasticsearch-dump"] {
		fs := ana002(inp(m, source_reads, dst_full, ["products", "plain"]))
		count(fs) == 1
		some f in fs
		not f.severity
		not f.unverified
		f.cluster == "destination"
		f.indices == ["products"]
		contains(f.msg, "1 file(s) from the nodes' config directory (analysis/synonyms.txt)")
	}

	# snapshot-reindex: the intermediate and the destination
	fs := ana002(inp("snapshot-reindex", source_reads, dst_full, ["products"]))
	{f.cluster | some f in fs} == {"intermediate", "destination"}
}

test_ana002_synonym_sets if {
	fs := ana002(inp("snapshot", source_reads, dst_full, ["catalog"]))
	count(fs) == 2
	sets := [f | some f in fs; f.evidence[0].value.synonym_sets]
	count(sets) == 1
	not sets[0].severity
	contains(sets[0].msg, "synonyms set(s) brands")
	sets[0].indices == ["catalog"]
	files := [f | some f in fs; f.evidence[0].value.files]
	files[0].indices == ["catalog"]
	contains(files[0].msg, "2 file(s)")
}

test_ana002_synonym_sets_without_the_api if {
	every dst in [cl("opensearch", "2.19.6"), cl("elasticsearch", "8.9.2"), {"product": "opensearch", "version": null, "unknown": []}] {
		fs := [f | some f in ana002(inp("snapshot", source_reads, dst, ["catalog"])); f.evidence[0].value.synonym_sets]
		count(fs) == 1
		fs[0].severity == "error"
		contains(fs[0].msg, "has no synonyms API")
	}

	# a destination whose version is unknown: a warning that says what it needs
	dst := {"product": "", "version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "timeout"}]}
	fs := [f | some f in ana002(inp("snapshot", source_reads, dst, ["catalog"])); f.evidence[0].value.synonym_sets]
	count(fs) == 1
	not fs[0].severity
	contains(fs[0].msg, "8.10 or later")
	fs[0].evidence[1].value == null
}

test_ana002_quiet if {
	count(ana002(inp("snapshot", source_reads, dst_full, ["plain"]))) == 0
	count(ana002(inp("snapshot", source, dst_full, ["articles", "logs"]))) == 0
}

test_ana002_analysis_unknown if {
	src := object.union(cl("elasticsearch", "7.10.2"), {"analysis": null, "unknown": [{"fact": "analysis", "endpoint": "GET /_all", "error": "HTTP 403"}]})
	fs := ana002(inp("snapshot", src, dst_full, ["articles"]))
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "HTTP 403")
}

test_merged_unions_sorted_lists if {
	ana.merged([["a", "c"]]) == ["a", "c"]
	ana.merged([["a", "c"], ["b", "c"]]) == ["a", "b", "c"]
}
