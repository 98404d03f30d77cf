package espreflight.rules.ds_test

import future.keywords.not

import data.espreflight.lib
import data.espreflight.rules.ds

cl(product, number) := {"product": product, "version": {"number": number, "major": v[0], "minor": v[1], "patch": v[2]}, "unknown": []} if {
	v := lib.parse_version(number)
}

logs_tpl := {"name": "logs", "index_patterns": ["logs-*"], "priority": 200, "data_stream": true}

plain_tpl := {"name": "all-logs", "index_patterns": ["logs-*"], "priority": 300, "data_stream": false}

dest(number, templates, streams) := object.union(cl("elasticsearch", number), {
	"templates": {"legacy": [], "composable": templates, "component": []},
	"data_streams": [{"name": n, "template": "logs", "indices": 1} | some n in streams],
})

ds_inp(method, src, dst, selected) := {
	"plan": {"method": method},
	"selection": {"source": {"known": true, "names": [".ds-logs-app-000001"], "data_streams": selected}},
	"clusters": {"source": object.union(src, {"data_streams": [{"name": "logs-app", "template": "logs", "indices": 1}]}), "destination": dst},
}

ds001(method, dst) := {f | some f in ds.warn with input as ds_inp(method, cl("elasticsearch", "7.17.29"), dst, ["logs-app"]); f.rule == "DS-001"}

test_ds001_no_data_stream_template_warns if {
	fs := ds001("snapshot", dest("8.19.21", [], []))
	count(fs) == 1
	some f in fs
	not f.unverified
	f.indices == ["logs-app"]
	contains(f.msg, "cannot roll over")

	# a copy makes a regular index
	some g in ds001("reindex", dest("8.19.21", [], []))
	contains(g.msg, "regular index")

	# the winning template (highest priority) does not create streams
	count(ds001("snapshot", dest("8.19.21", [logs_tpl, plain_tpl], []))) == 1
}

test_ds001_restore_over_an_existing_stream if {
	old := ds001("snapshot", dest("7.10.2", [logs_tpl], ["logs-app"]))
	count(old) == 1
	some f in old
	f.severity == "error"
	contains(f.msg, "refuses to restore a data stream over one of the same name")

	newer := ds001("snapshot", dest("7.17.29", [logs_tpl], ["logs-app"]))
	some g in newer
	not g.severity
	contains(g.msg, "replaces it")

	# a rename avoids the clash, but the template must match the new name
	i := object.union(ds_inp("snapshot", cl("elasticsearch", "7.17.29"), dest("7.10.2", [logs_tpl], ["logs-app"]), ["logs-app"]), {"plan": {"snapshot": {"rename_pattern": "logs-(.+)", "rename_replacement": "old-logs-$1"}}})
	renamed := {f | some f in ds.warn with input as i}
	count(renamed) == 1
	some r in renamed
	contains(r.msg, "old-logs-app")
	contains(r.msg, "cannot roll over")
}

test_ds001_quiet if {
	count(ds001("snapshot", dest("8.19.21", [logs_tpl], []))) == 0
	count(ds001("elasticsearch-dump", dest("8.19.21", [logs_tpl], ["logs-app"]))) == 0

	# no stream selected
	count({f | some f in ds.warn with input as ds_inp("snapshot", cl("elasticsearch", "7.17.29"), dest("8.19.21", [], []), [])}) == 0

	# a source before data streams needs no data_streams fact
	old_src := {f | some f in ds.warn with input as {
		"plan": {"method": "snapshot"},
		"selection": {"source": {"known": true, "names": ["a"], "data_streams": []}},
		"clusters": {"source": cl("elasticsearch", "6.8.23"), "destination": dest("7.10.2", [], [])},
	}}
	count(old_src) == 0
}

test_ds001_unverified if {
	unknown_tpl := object.union(cl("elasticsearch", "8.19.21"), {"templates": null, "data_streams": [], "unknown": [{"fact": "templates", "endpoint": "GET /_index_template", "error": "HTTP 403"}]})
	fs := ds001("snapshot", unknown_tpl)
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "HTTP 403")

	# the source's data streams unknown on a version that has them
	i := {
		"plan": {"method": "snapshot"},
		"selection": {"source": {"known": true, "names": ["a"], "data_streams": []}},
		"clusters": {"source": object.union(cl("opensearch", "2.19.6"), {"data_streams": null, "unknown": [{"fact": "data_streams", "endpoint": "GET /_data_stream", "error": "timeout"}]}), "destination": dest("2.19.6", [], [])},
	}
	us := {f | some f in ds.warn with input as i}
	count(us) == 1
	some u in us
	u.unverified
	contains(u.msg, "timeout")
}

test_ds001_unknown_selection_or_destination_streams_unverified if {
	# nothing known of the source: its version may have data streams
	i := {
		"plan": {"method": "snapshot"},
		"selection": {"source": {"known": false, "names": [], "data_streams": []}},
		"clusters": {"source": {"version": null, "indices": null, "unknown": [{"fact": "indices", "endpoint": "GET /", "error": "refused"}, {"fact": "version", "endpoint": "GET /", "error": "refused"}]}, "destination": dest("8.19.21", [logs_tpl], [])},
	}
	us := {f | some f in ds.warn with input as i}
	count(us) == 1
	some u in us
	u.unverified
	contains(u.msg, "refused")

	# a restore needs the destination's streams
	no_streams := object.union(dest("8.19.21", [logs_tpl], []), {"data_streams": null, "unknown": [{"fact": "data_streams", "endpoint": "GET /_data_stream", "error": "HTTP 500"}]})
	fs := ds001("snapshot", no_streams)
	count(fs) == 1
	some f in fs
	f.unverified
	f.indices == ["logs-app"]
	contains(f.msg, "data streams are unknown (HTTP 500)")
	count(ds001("reindex", no_streams)) == 0
}
