package espreflight.rules.ver_test

import future.keywords.not

import data.espreflight.lib
import data.espreflight.rules.ver

cl(product, number) := {"product": product, "version": {"number": number, "major": v[0], "minor": v[1], "patch": v[2]}, "unknown": []} if {
	v := lib.parse_version(number)
}

es(number) := cl("elasticsearch", number)

os(number) := cl("opensearch", number)

unknown_cl := {"product": "", "version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "connection refused"}]}

plan(method, kind) := {"method": method, "mode": "full", "source": {"kind": kind}, "destination": {"kind": "alibaba"}, "logstash": {"version": ""}}

inp(method, src, dst) := {"plan": plan(method, "self-managed"), "clusters": {"source": src, "destination": dst}, "selection": {"source": {"known": true, "by_created": []}}}

ids(fs) := {f.rule | some f in fs}

only(fs, id) := {f | some f in fs; f.rule == id}

# --- VER-001

test_ver001_fires_on_older_destination if {
	fs := only(ver.deny, "VER-001") with input as inp("snapshot", es("7.10.2"), es("7.10.0"))
	count(fs) == 1
	some f in fs
	contains(f.msg, "7.10.0")
	not f.unverified
}

test_ver001_quiet_on_same_or_newer if {
	count(only(ver.deny, "VER-001")) == 0 with input as inp("snapshot", es("7.10.0"), es("7.10.0"))
	count(only(ver.deny, "VER-001")) == 0 with input as inp("snapshot", es("7.9.3"), es("7.10.0"))
}

test_ver001_skips_other_products_and_third_party if {
	count(only(ver.deny, "VER-001")) == 0 with input as inp("snapshot", os("2.11.0"), es("7.10.0"))
	i := object.union(inp("snapshot", es("7.10.2"), es("7.10.0")), {"plan": plan("snapshot", "third-party")})
	count(only(ver.deny, "VER-001")) == 0 with input as i
}

test_ver001_unknown_version_unverified if {
	fs := only(ver.deny, "VER-001") with input as inp("snapshot", es("7.10.2"), unknown_cl)
	count(fs) == 1
	some f in fs
	f.unverified
	f.cluster == "destination"
	contains(f.msg, "connection refused")
}

# --- VER-002

test_ver002_six_into_eight_fifteen_archive_only_fails if {
	fs := only(ver.deny, "VER-002") with input as inp("snapshot", es("6.8.23"), es("8.15.1"))
	count(fs) == 1
	some f in fs
	not f.unverified
	contains(f.msg, "read-only archive indices")
	contains(f.msg, "intermediate 7.x")
	not contains(f.msg, "cannot be restored")
}

test_ver002_seven_into_nine_archive_only_fails if {
	fs := only(ver.deny, "VER-002") with input as inp("snapshot", es("7.17.29"), es("9.1.0"))
	some f in fs
	contains(f.msg, "archive")
	contains(f.msg, "intermediate 8.x")
}

test_ver002_six_into_eight_two_cannot_be_restored_fails if {
	fs := only(ver.deny, "VER-002") with input as inp("snapshot", es("6.8.23"), es("8.2.3"))
	some f in fs
	contains(f.msg, "cannot be restored into 8.2.3, which reads snapshots of 8.x and 7.x indices only")
	fs2 := only(ver.deny, "VER-002") with input as inp("snapshot", es("2.4.6"), es("6.8.23"))
	some f2 in fs2
	contains(f2.msg, "intermediate 5.x")
}

# 5.x follows 2.x: a 2.x snapshot restores into 5.x directly, with no
# intermediate (there is no 3.x or 4.x).
test_ver002_two_into_five_passes if {
	count(only(ver.deny, "VER-002")) == 0 with input as inp("snapshot", es("2.4.6"), es("5.6.16"))
}

test_ver002_quiet_one_major_apart if {
	count(only(ver.deny, "VER-002")) == 0 with input as inp("snapshot", es("6.8.23"), es("7.10.0"))
	count(only(ver.deny, "VER-002")) == 0 with input as inp("snapshot", es("8.19.0"), es("9.1.0"))
	count(only(ver.deny, "VER-002")) == 0 with input as inp("snapshot", os("1.3.0"), os("3.0.0"))
	count(only(ver.deny, "VER-002")) == 0 with input as inp("snapshot-reindex", es("6.8.23"), es("8.15.1"))
}

test_ver002_unknown_version_unverified if {
	fs := only(ver.deny, "VER-002") with input as inp("snapshot", unknown_cl, es("8.15.1"))
	count(fs) == 1
	some f in fs
	f.unverified
}

# --- VER-003

group(product, version, major, minor, names) := {"product": product, "version": version, "major": major, "minor": minor, "count": count(names), "indices": names}

with_groups(i, groups) := object.union(i, {"selection": {"source": {"known": true, "by_created": groups}}})

test_ver003_five_x_index_in_six_x_cluster if {
	i := with_groups(inp("snapshot", es("6.8.23"), es("7.10.0")), [
		group("elasticsearch", "5.6.16", 5, 6, ["old-1", "old-2"]),
		group("elasticsearch", "6.8.23", 6, 8, ["new-1"]),
	])
	fs := only(ver.deny, "VER-003") with input as i
	count(fs) == 1
	some f in fs
	f.indices == ["old-1", "old-2"]
	f.cluster == "destination"
	contains(f.msg, "5.6.16")
}

test_ver003_six_eight_into_seven_one if {
	i := with_groups(inp("snapshot", es("6.8.23"), es("7.1.1")), [group("elasticsearch", "6.8.23", 6, 8, ["a"])])
	count(only(ver.deny, "VER-003")) == 1 with input as i
	i2 := with_groups(inp("snapshot", es("6.8.23"), es("7.2.0")), [group("elasticsearch", "6.8.23", 6, 8, ["a"])])
	count(only(ver.deny, "VER-003")) == 0 with input as i2
}

test_ver003_archive_only if {
	i := with_groups(inp("snapshot", es("7.17.0"), es("8.15.1")), [group("", "6.5.0", 6, 5, ["a"])])
	fs := only(ver.deny, "VER-003") with input as i
	some f in fs
	contains(f.msg, "archive")
}

test_ver003_opensearch_destinations if {
	i := with_groups(inp("snapshot", es("7.10.2"), os("2.11.0")), [group("elasticsearch", "6.8.0", 6, 8, ["six"]), group("elasticsearch", "7.10.2", 7, 10, ["seven"])])
	fs := only(ver.deny, "VER-003") with input as i
	count(fs) == 1
	some f in fs
	f.indices == ["six"]
	i3 := with_groups(inp("snapshot", os("2.19.0"), os("3.0.0")), [group("opensearch", "1.3.0", 1, 3, ["one"]), group("opensearch", "2.19.0", 2, 19, ["two"])])
	fs3 := only(ver.deny, "VER-003") with input as i3
	some f3 in fs3
	f3.indices == ["one"]
}

# OpenSearch reads Elasticsearch indices up to the 7.10 fork point only.
test_ver003_es_past_the_fork_into_opensearch if {
	i := with_groups(inp("snapshot", es("7.17.3"), os("2.19.0")), [group("elasticsearch", "7.10.2", 7, 10, ["forked"]), group("elasticsearch", "7.17.3", 7, 17, ["later"])])
	fs := only(ver.deny, "VER-003") with input as i
	count(fs) == 1
	some f in fs
	f.indices == ["later"]
	contains(f.msg, "cannot be restored")
}

test_ver003_opensearch_index_into_es_left_to_ver006 if {
	i := with_groups(inp("snapshot", os("2.11.0"), es("8.15.1")), [group("opensearch", "2.11.0", 2, 11, ["a"])])
	count(only(ver.deny, "VER-003")) == 0 with input as i
}

test_ver003_snapshot_reindex_checks_intermediate if {
	i := object.union(with_groups(inp("snapshot-reindex", es("6.8.23"), es("8.15.1")), [group("elasticsearch", "5.6.0", 5, 6, ["a"])]), {"clusters": {"intermediate": es("7.17.0")}})
	fs := only(ver.deny, "VER-003") with input as i
	some f in fs
	f.cluster == "intermediate"
}

test_ver003_unknown_created_version if {
	i := with_groups(inp("snapshot", es("7.10.0"), es("7.10.0")), [group("", "", -1, -1, ["x"])])
	fs := only(ver.deny, "VER-003") with input as i
	some f in fs
	f.unverified
	f.indices == ["x"]
}

test_ver003_unknown_indices_and_target if {
	i := object.union(inp("snapshot", es("7.10.0"), es("7.10.0")), {"selection": {"source": {"known": false}}})
	fs := only(ver.deny, "VER-003") with input as i
	some f in fs
	f.unverified
	f.cluster == "source"
	i2 := inp("snapshot", es("7.10.0"), unknown_cl)
	fs2 := only(ver.deny, "VER-003") with input as i2
	some f2 in fs2
	f2.unverified
	f2.cluster == "destination"
}

test_ver003_not_for_logstash if {
	i := with_groups(inp("logstash", es("5.6.0"), es("7.10.0")), [group("elasticsearch", "5.6.0", 5, 6, ["a"])])
	count(only(ver.deny, "VER-003")) == 0 with input as i
}

# --- VER-004

bridge(src, mid, dst) := object.union(inp("snapshot-reindex", src, dst), {"clusters": {"intermediate": mid}})

test_ver004_good_bridge if {
	count(only(ver.deny, "VER-004")) == 0 with input as bridge(es("6.8.23"), es("7.17.0"), es("8.15.1"))
}

test_ver004_intermediate_too_new if {
	fs := only(ver.deny, "VER-004") with input as bridge(es("6.8.23"), es("8.15.0"), es("8.15.1"))
	count(fs) == 1
	some f in fs
	f.cluster == "intermediate"
}

test_ver004_intermediate_older_than_source if {
	fs := only(ver.deny, "VER-004") with input as bridge(es("7.10.2"), es("7.10.0"), es("8.15.1"))
	some f in fs
	contains(f.msg, "earlier version")
}

test_ver004_destination_cannot_read_intermediate if {
	fs := only(ver.deny, "VER-004") with input as bridge(es("6.8.23"), es("7.17.0"), es("9.1.0"))
	some f in fs
	f.cluster == "destination"
}

test_ver004_product_unknown_taken_as_elasticsearch if {
	fs := only(ver.deny, "VER-004") with input as bridge(cl("", "6.8.23"), cl("", "8.15.0"), es("8.15.1"))
	count(fs) == 1
}

test_ver004_unknown_intermediate if {
	fs := only(ver.deny, "VER-004") with input as bridge(es("6.8.23"), unknown_cl, es("8.15.1"))
	count(fs) == 1
	some f in fs
	f.unverified
}

# --- VER-005

tp(method, src, dst) := object.union(inp(method, src, dst), {"plan": plan(method, "third-party")})

test_ver005_third_party_snapshot_into_older_fails if {
	fs := only(ver.deny, "VER-005") with input as tp("snapshot", es("7.10.2"), es("7.7.1"))
	count(fs) == 1
	some f in fs
	not f.unverified
	contains(f.msg, "older than the third-party source's 7.10.2")
	count(only(ver.deny, "VER-005")) == 1 with input as tp("snapshot-reindex", es("7.10.2"), es("7.7.1"))
}

# The guide's elasticsearch-dump row, and Logstash, carry no version order:
# both copy documents.
test_ver005_dump_and_logstash_into_older_pass if {
	count(only(ver.deny, "VER-005")) == 0 with input as tp("elasticsearch-dump", es("7.10.2"), es("7.7.1"))
	count(only(ver.deny, "VER-005")) == 0 with input as tp("logstash", es("7.10.2"), es("7.7.1"))
	count(only(ver.deny, "VER-005")) == 0 with input as tp("elasticsearch-dump", unknown_cl, es("7.7.1"))
}

test_ver005_quiet if {
	count(only(ver.deny, "VER-005")) == 0 with input as tp("snapshot", es("7.7.1"), es("7.10.2"))
	count(only(ver.deny, "VER-005")) == 0 with input as tp("snapshot", os("2.11.0"), es("7.10.2"))
	count(only(ver.deny, "VER-005")) == 0 with input as inp("snapshot", es("7.10.2"), es("7.7.1"))
}

test_ver005_unknown_unverified if {
	fs := only(ver.deny, "VER-005") with input as tp("snapshot", unknown_cl, es("7.10.2"))
	some f in fs
	f.unverified
}

# --- VER-006

test_ver006_opensearch_source if {
	fs := only(ver.deny, "VER-006") with input as inp("snapshot", os("2.11.0"), es("8.15.1"))
	count(fs) == 1
	some f in fs
	not f.unverified
}

test_ver006_opensearch_reporting_7_10_2 if {
	# OpenSearch with the compatibility override reports 7.10.2: still OpenSearch.
	fs := only(ver.deny, "VER-006") with input as inp("snapshot", os("7.10.2"), es("7.10.2"))
	count(fs) == 1
}

test_ver006_opensearch_created_indices if {
	i := with_groups(inp("snapshot", unknown_cl, es("8.15.1")), [group("opensearch", "1.3.0", 1, 3, ["os-made"])])
	fs := only(ver.deny, "VER-006") with input as i
	count(fs) == 1
	some f in fs
	f.indices == ["os-made"]
}

test_ver006_elasticsearch_indices_settle_unknown_source if {
	i := with_groups(inp("snapshot", unknown_cl, es("8.15.1")), [group("elasticsearch", "7.10.0", 7, 10, ["a"])])
	count(only(ver.deny, "VER-006")) == 0 with input as i
}

test_ver006_quiet if {
	count(only(ver.deny, "VER-006")) == 0 with input as inp("snapshot", es("7.10.2"), es("8.15.1"))
	count(only(ver.deny, "VER-006")) == 0 with input as inp("snapshot", os("1.3.0"), os("2.11.0"))
	count(only(ver.deny, "VER-006")) == 0 with input as inp("logstash", os("1.3.0"), es("8.15.1"))
	count(only(ver.deny, "VER-006")) == 0 with input as inp("snapshot", unknown_cl, os("2.11.0"))
	count(only(ver.deny, "VER-006")) == 0 with input as inp("snapshot", es("7.10.2"), unknown_cl)
}

test_ver006_unknown_unverified if {
	i := object.union(inp("snapshot", unknown_cl, es("8.15.1")), {"selection": {"source": {"known": false}}})
	fs := only(ver.deny, "VER-006") with input as i
	count(fs) == 1
	some f in fs
	f.unverified
	f.cluster == "source"
	fs2 := only(ver.deny, "VER-006") with input as inp("snapshot", os("2.11.0"), unknown_cl)
	some f2 in fs2
	f2.unverified
	f2.cluster == "destination"
}

# --- VER-008

# Confirmed on real nodes: ES 7.17.29 -> OpenSearch 1.3.14 and 2.19.6 both
# fail with "unknown field [uuid]" (testdata/integration/snap-es717-to-os*).
test_ver008_es717_repository_into_opensearch_fails if {
	some dst in [os("1.3.14"), os("2.19.6"), os("3.1.0")]
	fs := only(ver.deny, "VER-008") with input as inp("snapshot", es("7.17.29"), dst)
	count(fs) == 1
	some f in fs
	not f.unverified
	f.cluster == "destination"
	contains(f.msg, "unknown field [uuid]")
}

# With snapshot + reindex each step's writer counts: an OpenSearch
# intermediate cannot read the source's 7.12+ repository, and an OpenSearch
# destination reads the repository an OpenSearch intermediate writes.
test_ver008_snapshot_reindex_judges_each_writer if {
	i := object.union(inp("snapshot-reindex", es("7.17.29"), os("2.19.6")), {"clusters": {"intermediate": os("1.3.14")}})
	fs := only(ver.deny, "VER-008") with input as i
	count(fs) == 1
	some f in fs
	f.cluster == "intermediate"
	i2 := object.union(inp("snapshot-reindex", es("6.8.23"), os("2.19.6")), {"clusters": {"intermediate": es("7.17.29")}})
	fs2 := only(ver.deny, "VER-008") with input as i2
	some f2 in fs2
	f2.cluster == "destination"
	contains(f2.msg, "the intermediate (Elasticsearch 7.17.29)")
}

test_ver008_older_writer_or_elasticsearch_reader_passes if {
	count(only(ver.deny, "VER-008")) == 0 with input as inp("snapshot", es("7.11.2"), os("1.3.14"))
	count(only(ver.deny, "VER-008")) == 0 with input as inp("snapshot", es("7.10.2"), os("2.19.6"))
	count(only(ver.deny, "VER-008")) == 0 with input as inp("snapshot", os("2.19.6"), os("3.1.0"))
	count(only(ver.deny, "VER-008")) == 0 with input as inp("snapshot", es("7.17.29"), es("8.15.1"))
	count(only(ver.deny, "VER-008")) == 0 with input as inp("logstash", es("7.17.29"), os("2.19.6"))
}

test_ver008_unknown_writer_or_reader_unverified if {
	fs := only(ver.deny, "VER-008") with input as inp("snapshot", unknown_cl, os("2.19.6"))
	count(fs) == 1
	some f in fs
	f.unverified
	f.cluster == "source"
	fs2 := only(ver.deny, "VER-008") with input as inp("snapshot", es("7.17.29"), unknown_cl)
	count(fs2) == 1
	some f2 in fs2
	f2.unverified
	f2.cluster == "destination"
	contains(f2.msg, "connection refused")
}

# --- VER-007

ls(version, src, dst) := object.union(inp("logstash", src, dst), {"plan": {"logstash": {"version": version}}})

test_ver007_compatible_pairs if {
	every c in [
		["6.8.23", "5.6.16", "7.10.0"],
		["7.10.0", "7.4.0", "7.10.0"],
		["7.17.0", "7.10.0", "8.15.1"],
		["8.5.1", "7.17.0", "8.15.1"],
		["7.10.0", "6.8.0", "6.8.23"],
		["7.10.0", "6.3.0", "7.10.0"],
	] {
		count(only(ver.deny, "VER-007")) == 0 with input as ls(c[0], es(c[1]), es(c[2]))
	}
}

test_ver007_incompatible if {
	fs := only(ver.deny, "VER-007") with input as ls("6.8.23", es("7.10.2"), es("8.15.1"))
	count(fs) == 1
	some f in fs
	f.cluster == "destination"
	fs2 := only(ver.deny, "VER-007") with input as ls("6.7.0", es("6.7.0"), es("7.10.0"))
	count(fs2) == 1
	fs3 := only(ver.deny, "VER-007") with input as ls("8.5.1", es("7.10.0"), es("6.8.23"))
	count(fs3) == 1
}

test_ver007_opensearch_as_7_10_before_7_16 if {
	count(only(ver.deny, "VER-007")) == 0 with input as ls("7.10.0", os("2.11.0"), es("7.10.0"))
	count(only(ver.deny, "VER-007")) == 0 with input as ls("7.15.2", es("7.10.2"), os("1.3.14"))
	count(only(ver.deny, "VER-007")) == 1 with input as ls("6.7.0", es("6.7.0"), os("2.11.0"))
}

lsp(version, input_plugin, output_plugin, src, dst) := object.union(inp("logstash", src, dst), {"plan": {"logstash": {"version": version, "input_plugin": input_plugin, "output_plugin": output_plugin}}})

# elastic/logstash#13506: from 7.16 the elasticsearch output refuses
# OpenSearch, whatever version it reports.
test_ver007_logstash_716_elasticsearch_output_into_opensearch_fails if {
	fs := only(ver.deny, "VER-007") with input as lsp("7.17.0", "", "logstash-output-elasticsearch", es("7.10.2"), os("2.19.6"))
	count(fs) == 1
	some f in fs
	not f.unverified
	f.cluster == "destination"
	f.location == "logstash.output_plugin"
	contains(f.msg, "use logstash-output-opensearch")
	fs2 := only(ver.deny, "VER-007") with input as lsp("8.15.0", "logstash-input-elasticsearch", "", os("1.3.14"), es("8.15.1"))
	some f2 in fs2
	f2.cluster == "source"
	contains(f2.msg, "use logstash-input-opensearch")
}

test_ver007_opensearch_plugins_pass if {
	count(only(ver.deny, "VER-007")) == 0 with input as lsp("8.15.0", "", "logstash-output-opensearch", es("8.15.1"), os("2.19.6"))
	count(only(ver.deny, "VER-007")) == 0 with input as lsp("8.15.0", "logstash-input-opensearch", "", os("2.19.6"), es("8.15.1"))
	count(only(ver.deny, "VER-007")) == 0 with input as lsp("8.15.0", "logstash-input-opensearch", "logstash-output-opensearch", es("7.17.29"), es("7.10.2"))
}

test_ver007_opensearch_plugins_out_of_range_fail if {
	fs := only(ver.deny, "VER-007") with input as lsp("8.15.0", "", "logstash-output-opensearch", es("8.15.1"), es("8.15.1"))
	count(fs) == 1
	some f in fs
	f.cluster == "destination"
	contains(f.msg, "up to 7.10.2")
	fs2 := only(ver.deny, "VER-007") with input as lsp("7.10.0", "logstash-input-opensearch", "", es("5.6.16"), es("7.10.2"))
	some f2 in fs2
	f2.cluster == "source"
	contains(f2.msg, "6.x and 7.x only")
}

test_ver007_opensearch_without_plugin_unverified if {
	fs := only(ver.deny, "VER-007") with input as ls("7.17.0", es("7.10.2"), os("2.19.6"))
	count(fs) == 1
	some f in fs
	f.unverified
	f.cluster == "destination"
	contains(f.msg, "logstash.output_plugin")
}

test_ver007_unknowns if {
	fs := only(ver.deny, "VER-007") with input as ls("", es("7.10.0"), es("7.10.0"))
	some f in fs
	f.unverified
	f.location == "logstash"
	fs2 := only(ver.deny, "VER-007") with input as ls("7.10.0", unknown_cl, es("7.10.0"))
	some f2 in fs2
	f2.unverified
	f2.cluster == "source"
}
