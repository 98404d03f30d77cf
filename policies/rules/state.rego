# METADATA
# description: |
#   Cluster state that the selected indices rely on but that lives outside
#   them: the ingest pipelines and lifecycle policies their settings name and
#   the source's stored scripts (STATE-001). A snapshot restored without the
#   global state, reindex, Logstash and elasticsearch-dump move indices and
#   documents, not this state.
package espreflight.rules.state

import future.keywords.not

import data.espreflight.lib

settings_known if lib.known("source", "index_settings")

# pipeline_settings are the index settings that name an ingest pipeline.
pipeline_settings := ["default_pipeline", "final_pipeline"]

# pipelines_of(g) are the pipelines group g names; "_none" names none.
pipelines_of(g) := {p | some k in pipeline_settings; p := g[k]; not p in {"", "_none"}}

# policies_of(g) are the lifecycle policies group g names, as [kind, name].
policies_of(g) := {["ilm", g.lifecycle_policy] | g.lifecycle_policy != ""} | {["ism", g.ism_policy] | g.ism_policy != ""}

dest_pipelines := {p.name | some p in input.clusters.destination.pipelines}

dest_policies := {[p.kind, p.name] | some p in input.clusters.destination.lifecycle_policies}

# has_pipeline(p), has_policy(x): the destination is known to have it.
has_pipeline(p) if {
	lib.known("destination", "pipelines")
	dest_pipelines[p]
}

has_policy(x) if {
	lib.known("destination", "lifecycle_policies")
	dest_policies[x]
}

# wanting[i] holds, for settings group i with selected indices, the
# pipelines and policies it names that the destination lacks or may lack
# (its facts unknown), and the group's selected indices. Most groups name
# nothing missing and are never picked.
wanting[i] := {"pipelines": ps, "policies": xs, "indices": names} if {
	settings_known
	some i, g in input.clusters.source.index_settings
	ps := {p | some p in pipelines_of(g); not has_pipeline(p)}
	xs := {x | some x in policies_of(g); not has_policy(x)}
	count(ps) + count(xs) > 0
	names := lib.picked(g)
	count(names) > 0
}

# settings_naming(i, p) are the settings of group i that name pipeline p.
settings_naming(i, p) := [sprintf("index.%s", [k]) | some k in pipeline_settings; input.clusters.source.index_settings[i][k] == p]

policy_setting := {"ilm": "index.lifecycle.name", "ism": "the ISM policy_id setting"}

# Stored scripts of the source the destination lacks or may lack.
source_scripts := {s.id | some s in input.clusters.source.stored_scripts}

dest_scripts := {s.id | some s in input.clusters.destination.stored_scripts}

missing_scripts := sort(source_scripts - dest_scripts) if {
	lib.known("source", "stored_scripts")
	lib.known("destination", "stored_scripts")
}

# pipeline_effect is what a missing pipeline does to this plan's writes.
pipeline_effect := "the restored indices keep the setting, so every write into them fails until the pipeline exists" if {
	input.plan.method == "snapshot"
} else := "when the destination index is created with the source's settings, every write into it fails, the copy's included"

# METADATA
# title: Pipelines, lifecycle policies or stored scripts the destination lacks
# description: |
#   Ingest pipelines, ILM and ISM policies and stored scripts are cluster
#   state, not part of an index: a snapshot restored without the global state
#   (the usual restore into a cluster that is already in use) and every copy
#   (reindex, Logstash, elasticsearch-dump) leave them behind. An index whose
#   `index.default_pipeline` or `index.final_pipeline` names a pipeline the
#   cluster does not have rejects every index request. A restored index keeps
#   these settings; a copy's destination index has them only when it is
#   created with the source's settings (elasticsearch-dump of the settings, a
#   template, a hand-made copy), which espreflight cannot see, so this is a
#   warning for every method: when the setting is copied, the copy's writes
#   fail too. For an index whose `index.lifecycle.name` names a missing
#   policy, ILM only notes the missing policy in the index's step info and
#   runs none of its actions (rollover, shrink, delete); ISM's `policy_id`
#   setting likewise manages nothing without its policy.
#   Searches and updates that call a stored script or search template by id
#   fail where it does not exist. Reported for each selected index per
#   pipeline and policy it names, and once for the stored scripts;
#   unknown settings, pipelines, policies or scripts are reported as could
#   not verify.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/current/index-modules.html#index-default-pipeline
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/7.7/snapshots-restore-snapshot.html
#   - ref: https://github.com/elastic/elasticsearch/pull/34206
#   - ref: https://docs.opensearch.org/latest/install-and-configure/configuring-opensearch/index-settings/
#   - ref: https://docs.opensearch.org/latest/im-plugin/ism/index/
# custom:
#   id: STATE-001
#   severity: warning
#   remediation: |
#     Before any write reaches the destination indices, recreate there each
#     listed pipeline (`GET _ingest/pipeline/<id>` on the source, then `PUT`
#     it; its processors' plugins must exist), each lifecycle policy
#     (`GET _ilm/policy/<name>` or `GET _plugins/_ism/policies/<id>`, then
#     `PUT`; translate between ILM and ISM when the products differ) and each
#     stored script (`GET _scripts/<id>`, then `PUT _scripts/<id>`). For a
#     copy, alternatively create the destination indices without the
#     pipeline settings.
#   example: |
#     method: reindex
#     indices: ["products"]   # index.default_pipeline: products-enrich, absent on the destination
warn contains f if {
	some v in missing_state
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

settings_evidence(value) := {"fact": "clusters.source.index_settings", "value": value}

# One finding per settings group and pipeline (or policy): the indices of a
# group are already sorted, and an index is in one group only, so no index
# list is merged or sorted again.
missing_state contains v if {
	lib.known("destination", "pipelines")
	some i, w in wanting
	some p in w.pipelines
	settings := settings_naming(i, p)
	v := {
		"msg": sprintf("these indices name ingest pipeline %s (%s), which the destination does not have and which %s does not carry: %s", [p, concat(", ", settings), carrier_text, pipeline_effect]),
		"cluster": "destination",
		"indices": w.indices,
		"location": "destination",
		"evidence": [
			settings_evidence({"pipeline": p, "settings": settings}),
			{"fact": "clusters.destination.pipelines", "value": count(dest_pipelines)},
		],
	}
}

missing_state contains v if {
	lib.known("destination", "lifecycle_policies")
	some w in wanting
	some x in w.policies
	v := {
		"msg": sprintf("these indices name %s policy %s (%s), which the destination does not have and which %s does not carry: until it exists there, they are not managed (no rollover, shrink or delete)%s", [upper(x[0]), x[1], policy_setting[x[0]], carrier_text, product_text(x[0])]),
		"cluster": "destination",
		"indices": w.indices,
		"location": "destination",
		"evidence": [
			settings_evidence({"policy": x[1], "kind": x[0]}),
			{"fact": "clusters.destination.lifecycle_policies", "value": count(dest_policies)},
		],
	}
}

missing_state contains v if {
	count(missing_scripts) > 0
	v := {
		"msg": sprintf("the source has %d stored script(s) or search template(s) the destination lacks (%s), and %s does not carry them: searches and updates that call them by id fail there", [count(missing_scripts), lib.names_preview(missing_scripts), carrier_text]),
		"cluster": "destination",
		"location": "destination",
		"evidence": [
			{"fact": "clusters.source.stored_scripts", "value": missing_scripts},
			{"fact": "clusters.destination.stored_scripts", "value": count(dest_scripts)},
		],
	}
}

carrier_text := "a restore without the global state" if {
	input.plan.method == "snapshot"
} else := "a restore without the global state and a reindex" if {
	input.plan.method == "snapshot-reindex"
} else := input.plan.method

# ILM exists in Elasticsearch only, ISM in OpenSearch only.
product_text("ilm") := "; the destination runs OpenSearch, which has no ILM: translate the policy into an ISM policy" if {
	lib.product_of("destination") == "opensearch"
} else := ""

product_text("ism") := "; the destination runs Elasticsearch, which has no ISM: translate the policy into an ILM policy" if {
	lib.product_of("destination") == "elasticsearch"
} else := ""

# ---------------------------------------------------------------------------
# What cannot be verified.

missing_state contains v if {
	not lib.known("destination", "pipelines")
	some w in wanting
	count(w.pipelines) > 0
	names := sort(w.pipelines)
	v := {
		"msg": sprintf("could not verify that the destination has the ingest pipelines these indices name (%s): its pipelines are unknown (%s)", [concat(", ", names), lib.why_unknown("destination", "pipelines")]),
		"cluster": "destination",
		"indices": w.indices,
		"location": "destination",
		"unverified": true,
		"evidence": [
			settings_evidence({"pipelines": names}),
			{"fact": "clusters.destination.pipelines", "value": null},
		],
	}
}

missing_state contains v if {
	not lib.known("destination", "lifecycle_policies")
	some w in wanting
	count(w.policies) > 0
	names := sort({x[1] | some x in w.policies})
	v := {
		"msg": sprintf("could not verify that the destination has the lifecycle policies these indices name (%s): its lifecycle policies are unknown (%s)", [concat(", ", names), lib.why_unknown("destination", "lifecycle_policies")]),
		"cluster": "destination",
		"indices": w.indices,
		"location": "destination",
		"unverified": true,
		"evidence": [
			settings_evidence({"policies": names}),
			{"fact": "clusters.destination.lifecycle_policies", "value": null},
		],
	}
}

missing_state contains v if {
	not settings_known
	v := {
		"msg": sprintf("could not verify that the destination has the ingest pipelines and lifecycle policies the selected indices name: the source's index settings are unknown (%s)", [lib.why_unknown("source", "index_settings")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [settings_evidence(null)],
	}
}

missing_state contains v if {
	settings_known
	not input.selection.source.known
	some g in input.clusters.source.index_settings
	count(pipelines_of(g)) + count(policies_of(g)) > 0
	v := {
		"msg": sprintf("could not verify which indices the plan selects, and some of the source's indices name ingest pipelines or lifecycle policies: the source's indices are unknown (%s)", [lib.why_unknown("source", "indices")]),
		"cluster": "source",
		"location": "indices",
		"unverified": true,
		"evidence": [{"fact": "selection.source", "value": null}],
	}
}

missing_state contains v if {
	not lib.known("source", "stored_scripts")
	v := {
		"msg": sprintf("could not verify that the destination has the source's stored scripts and search templates: the source's stored scripts are unknown (%s)", [lib.why_unknown("source", "stored_scripts")]),
		"cluster": "source",
		"location": "source",
		"unverified": true,
		"evidence": [{"fact": "clusters.source.stored_scripts", "value": null}],
	}
}

missing_state contains v if {
	lib.known("source", "stored_scripts")
	count(source_scripts) > 0
	not lib.known("destination", "stored_scripts")
	v := {
		"msg": sprintf("could not verify that the destination has the source's %d stored script(s) or search template(s) (%s): the destination's stored scripts are unknown (%s)", [count(source_scripts), lib.names_preview(sort(source_scripts)), lib.why_unknown("destination", "stored_scripts")]),
		"cluster": "destination",
		"location": "destination",
		"unverified": true,
		"evidence": [
			{"fact": "clusters.source.stored_scripts", "value": sort(source_scripts)},
			{"fact": "clusters.destination.stored_scripts", "value": null},
		],
	}
}
