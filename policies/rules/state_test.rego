package espreflight.rules.state_test

import future.keywords.not

import data.espreflight.rules.state

sg(indices, dp, fp, ilm, ism) := {
	"indices": indices, "total_fields_limit": null, "soft_deletes": null, "blocks": [], "allocation": [],
	"total_shards_per_node": null, "default_pipeline": dp, "final_pipeline": fp,
	"lifecycle_policy": ilm, "ism_policy": ism,
}

pl(name) := {"name": name, "processors": ["set"]}

pol(kind, name) := {"name": name, "kind": kind, "actions": ["delete"], "repositories": [], "index_patterns": []}

script(id) := {"id": id, "lang": "painless"}

# The source: products enrich through a pipeline, reviews say no pipeline,
# logs are managed by ILM, unselected names a pipeline too.
source := {
	"product": "elasticsearch",
	"unknown": [],
	"indices": [{"name": n} | some n in ["logs-1", "logs-2", "products", "reviews", "unselected"]],
	"index_settings": [
		sg(["logs-1", "logs-2"], "", "", "logs-30d", ""),
		sg(["products"], "products-enrich", "audit-final", "", ""),
		sg(["reviews"], "_none", "", "", ""),
		sg(["unselected"], "other", "", "", ""),
	],
	"stored_scripts": [script("score-recency"), script("search-by-app")],
}

dest_empty := {"product": "elasticsearch", "unknown": [], "pipelines": [], "lifecycle_policies": [], "stored_scripts": []}

dest_full := {
	"product": "elasticsearch",
	"unknown": [],
	"pipelines": [pl("audit-final"), pl("products-enrich")],
	"lifecycle_policies": [pol("ilm", "logs-30d")],
	"stored_scripts": [script("score-recency"), script("search-by-app")],
}

unknown(c, fact, why) := object.union(c, {fact: null, "unknown": [{"fact": fact, "endpoint": "GET /", "error": why}]})

all_names := ["logs-1", "logs-2", "products", "reviews"]

inp(method, src, dst, names) := {
	"plan": {"method": method},
	"clusters": {"source": src, "destination": dst},
	"selection": {"source": {"known": true, "names": names}},
}

state001(i) := fs if {
	fs := {f | some f in state.warn; f.rule == "STATE-001"} with input as i
}

test_state001_missing_pipelines_policies_and_scripts if {
	fs := state001(inp("reindex", source, dest_empty, all_names))
	count(fs) == 4
	every f in fs {
		not f.unverified
		not f.severity
		f.cluster == "destination"
	}
	some enrich in fs
	contains(enrich.msg, "ingest pipeline products-enrich (index.default_pipeline)")
	contains(enrich.msg, "every write into it fails, the copy's included")
	enrich.indices == ["products"]
	some final in fs
	contains(final.msg, "ingest pipeline audit-final (index.final_pipeline)")
	some ilm in fs
	contains(ilm.msg, "ILM policy logs-30d (index.lifecycle.name)")
	ilm.indices == ["logs-1", "logs-2"]
	some scripts in fs
	contains(scripts.msg, "2 stored script(s)")
	not scripts.indices
}

test_state001_snapshot_says_restored_indices if {
	fs := state001(inp("snapshot", source, object.union(dest_full, {"pipelines": []}), ["products"]))
	count(fs) == 2
	every f in fs {
		contains(f.msg, "a restore without the global state does not carry")
		contains(f.msg, "the restored indices keep the setting")
	}
}

test_state001_pipeline_named_by_two_settings_and_groups if {
	src := object.union(source, {"index_settings": [
		sg(["a"], "p", "", "", ""),
		sg(["b", "c"], "", "p", "", ""),
		sg(["d"], "p", "p", "", ""),
	]})
	fs := state001(inp("logstash", src, dest_full, ["a", "b", "c", "d"]))
	count(fs) == 3
	every f in fs {
		contains(f.msg, "ingest pipeline p (")
	}

	# each index once, with the settings of its own group
	{n | some f in fs; some n in f.indices} == {"a", "b", "c", "d"}
	some d in fs
	d.indices == ["d"]
	contains(d.msg, "(index.default_pipeline, index.final_pipeline)")
	some bc in fs
	bc.indices == ["b", "c"]
	contains(bc.msg, "(index.final_pipeline)")
}

test_state001_ism_policy_on_elasticsearch if {
	src := object.union(source, {"index_settings": [sg(["a"], "", "", "", "hot-warm")]})
	dst := object.union(dest_full, {"lifecycle_policies": [pol("ilm", "hot-warm")]})
	fs := state001(inp("snapshot", src, dst, ["a"]))
	count(fs) == 1
	some f in fs
	contains(f.msg, "ISM policy hot-warm")
	contains(f.msg, "which has no ISM")

	os := object.union(dest_full, {"product": "opensearch"})
	some f2 in state001(inp("snapshot", src, os, ["a"]))
	not contains(f2.msg, "which has no")
}

test_state001_quiet if {
	count(state001(inp("reindex", source, dest_full, all_names))) == 0

	# "_none", unselected groups and a source without scripts need nothing
	src := object.union(source, {"stored_scripts": []})
	count(state001(inp("elasticsearch-dump", src, dest_empty, ["reviews"]))) == 0

	# unknown destination facts are not needed when nothing is named
	dst := unknown(unknown(dest_empty, "pipelines", "HTTP 403"), "lifecycle_policies", "HTTP 403")
	count(state001(inp("snapshot", src, dst, ["reviews"]))) == 0
}

test_state001_destination_pipelines_unknown if {
	dst := unknown(dest_full, "pipelines", "HTTP 403")
	fs := state001(inp("reindex", source, dst, all_names))
	count(fs) == 1
	some f in fs
	f.unverified
	f.indices == ["products"]
	contains(f.msg, "audit-final, products-enrich")
	contains(f.msg, "HTTP 403")
}

test_state001_destination_policies_unknown if {
	dst := unknown(dest_full, "lifecycle_policies", "HTTP 500")
	fs := state001(inp("reindex", source, dst, all_names))
	count(fs) == 1
	some f in fs
	f.unverified
	f.indices == ["logs-1", "logs-2"]
	contains(f.msg, "the lifecycle policies these indices name (logs-30d)")
}

test_state001_source_settings_unknown if {
	src := unknown(source, "index_settings", "HTTP 401")
	fs := state001(inp("snapshot", src, dest_full, all_names))
	count(fs) == 1
	some f in fs
	f.unverified
	f.cluster == "source"
	contains(f.msg, "the source's index settings are unknown (HTTP 401)")
}

test_state001_selection_unknown if {
	i := object.union(inp("snapshot", source, dest_full, []), {"selection": {"source": {"known": false, "names": null}}})
	fs := state001(i)
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "could not verify which indices the plan selects")
}

test_state001_scripts_unknown if {
	src := unknown(source, "stored_scripts", "HTTP 403")
	fs := state001(inp("reindex", src, dest_full, all_names))
	count(fs) == 1
	some f in fs
	f.unverified
	f.cluster == "source"

	dst := unknown(dest_full, "stored_scripts", "timeout")
	fs2 := state001(inp("reindex", source, dst, all_names))
	count(fs2) == 1
	some f2 in fs2
	f2.unverified
	f2.cluster == "destination"
	contains(f2.msg, "score-recency, search-by-app")

	# a source without scripts needs nothing of the destination
	count(state001(inp("reindex", object.union(source, {"stored_scripts": []}), dst, all_names))) == 0
}

test_state001_missing_from_the_facts_document if {
	fs := state001(inp("snapshot", {"product": "elasticsearch", "unknown": []}, dest_full, all_names))
	{f.cluster | some f in fs; f.unverified} == {"source"}
	count(fs) == 2
}

test_state001_snapshot_reindex_and_opensearch_destination if {
	dst := object.union(dest_full, {"product": "opensearch", "lifecycle_policies": [pol("ism", "logs-30d")]})
	fs := state001(inp("snapshot-reindex", source, dst, ["logs-1"]))
	count(fs) == 1
	some f in fs
	contains(f.msg, "ILM policy logs-30d")
	contains(f.msg, "a restore without the global state and a reindex does not carry")
	contains(f.msg, "which has no ILM")
}

test_state001_every_index_selected if {
	fs := state001(inp("snapshot", source, dest_full, ["logs-1", "logs-2", "products", "reviews", "unselected"]))
	count(fs) == 1
	some f in fs
	f.indices == ["unselected"]
	contains(f.msg, "ingest pipeline other")
}
