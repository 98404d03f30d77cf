package espreflight.rules.dep_test

import future.keywords.not

import data.espreflight.lib
import data.espreflight.rules.dep

es(number) := {"product": "elasticsearch", "version": {"number": number, "major": v[0], "minor": v[1], "patch": v[2]}, "unknown": []} if {
	v := lib.parse_version(number)
}

os(number) := object.union(es(number), {"product": "opensearch"})

items := [
	{"scope": "index", "level": "critical", "message": "Index created before 7.0", "url": "https://example.test/reindex", "details": "", "names": ["old-1", "old-2", "other"]},
	{"scope": "index", "level": "critical", "message": "Not selected", "url": "https://example.test/x", "details": "", "names": ["other"]},
	{"scope": "cluster", "level": "critical", "message": "Cluster setting removed", "url": "https://example.test/c", "details": "set in persistent", "names": []},
	{"scope": "node", "level": "critical", "message": "Node setting removed", "url": "https://example.test/n", "details": "", "names": []},
	{"scope": "templates", "level": "warning", "message": "Template uses a removed field", "url": "https://example.test/t", "details": "", "names": ["tpl"]},
	{"scope": "data_streams", "level": "warning", "message": "Backing index of an old version", "url": "https://example.test/d", "details": "", "names": ["logs-app", "logs-other"]},
	{"scope": "index", "level": "info", "message": "Informational", "url": "https://example.test/i", "details": "", "names": ["old-1"]},
]

dep_inp(src, dst) := {
	"plan": {"method": "snapshot"},
	"selection": {"source": {"known": true, "names": ["old-1", "old-2", ".ds-logs-app-000001"], "data_streams": ["logs-app"]}},
	"clusters": {
		"source": object.union(src, {"indices": [
			{"name": "old-1", "data_stream": ""},
			{"name": "old-2", "data_stream": ""},
			{"name": "other", "data_stream": ""},
			{"name": ".ds-logs-app-000001", "data_stream": "logs-app"},
			{"name": ".ds-logs-other-000001", "data_stream": "logs-other"},
		]}),
		"destination": dst,
	},
}

with_items(cl) := object.union(cl, {"deprecations": items})

test_dep001_critical_items_for_the_next_major if {
	fs := dep.deny with input as dep_inp(with_items(es("7.17.29")), es("8.19.21"))
	count(fs) == 2
	some f in fs
	f.rule == "DEP-001"
	f.indices == ["old-1", "old-2"]
	contains(f.msg, "Index created before 7.0")
	contains(f.msg, "https://example.test/reindex")
	contains(f.msg, "8.19.21 removes")
	not f.unverified
	some c in fs
	not c.indices
	contains(c.msg, "Cluster setting removed (set in persistent)")
}

test_dep002_warning_items if {
	ws := dep.warn with input as dep_inp(with_items(es("6.8.23")), es("7.10.2"))
	count(ws) == 2
	some w in ws
	w.indices == ["logs-app"]
	some t in ws
	contains(t.msg, "templates")
}

test_dep_quiet_within_a_major_or_across_products if {
	count(dep.deny) == 0 with input as dep_inp(with_items(es("7.10.2")), es("7.17.29"))
	count(dep.warn) == 0 with input as dep_inp(with_items(es("7.10.2")), es("7.17.29"))
	count(dep.deny) == 0 with input as dep_inp(with_items(es("7.10.2")), os("2.19.6"))

	# the fact unknown is quiet too when no major is crossed
	no_api := object.union(es("7.10.2"), {"deprecations": null, "unknown": [{"fact": "deprecations", "endpoint": "GET /_migration/deprecations", "error": "HTTP 405"}]})
	count(dep.warn) == 0 with input as dep_inp(no_api, es("7.17.29"))
}

test_dep_unverified if {
	# no API on the source: a warning, never a failure
	no_api := object.union(os("1.3.14"), {"deprecations": null, "unknown": [{"fact": "deprecations", "endpoint": "", "error": "OpenSearch has no deprecation info API"}]})
	count(dep.deny) == 0 with input as dep_inp(no_api, os("2.19.6"))
	ws := dep.warn with input as dep_inp(no_api, os("2.19.6"))
	count(ws) == 1
	some w in ws
	w.unverified
	contains(w.msg, "OpenSearch has no deprecation info API")

	# items known, the destination's version unknown
	unknown := {"version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "timeout"}]}
	fs := dep.deny with input as dep_inp(with_items(es("7.17.29")), unknown)
	count(fs) == 2
	every f in fs {
		f.unverified
		contains(f.msg, "could not verify")
	}
	ws2 := dep.warn with input as dep_inp(with_items(es("7.17.29")), unknown)
	count(ws2) == 2
}

test_dep_unverified_versions if {
	unknown := {"version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "timeout"}]}

	# the source's version unknown, its items known
	src := object.union(unknown, {"deprecations": items})
	fs := dep.deny with input as dep_inp(src, es("8.19.21"))
	count(fs) == 2

	# neither the deprecations nor the destination's version known
	no_api := object.union(es("7.17.29"), {"deprecations": null, "unknown": [{"fact": "deprecations", "endpoint": "GET /_migration/deprecations", "error": "HTTP 405"}]})
	ws := dep.warn with input as dep_inp(no_api, unknown)
	count(ws) == 1
}
