package espreflight.rules.remote_test

import future.keywords.not

import data.espreflight.lib
import data.espreflight.rules.remote

es(number) := {"product": "elasticsearch", "version": {"number": number, "major": v[0], "minor": v[1], "patch": v[2]}, "unknown": []} if {
	v := lib.parse_version(number)
}

os(number) := object.union(es(number), {"product": "opensearch"})

unknown_cl(fact) := {fact: null, "unknown": [{"fact": fact, "endpoint": "GET /_nodes/settings", "error": "timeout"}]}

with_settings(cl, s) := object.union(cl, {"settings": s})

rx_inp(host, src, dst) := {
	"plan": {
		"method": "reindex",
		"source": {"kind": "self-managed"},
		"destination": {"kind": "self-managed"},
		"reindex": {"remote_host": host},
	},
	"clusters": {"source": src, "destination": dst},
}

rx002(host, dst) := {f | some f in remote.deny with input as rx_inp(host, es("7.10.2"), dst); f.rule == "RX-002"}

test_rx002_host_not_allowlisted if {
	fs := rx002("https://10.0.0.5:9200", with_settings(es("7.10.2"), {"reindex.remote.whitelist": ["10.0.0.6:9200", "other:*"]}))
	count(fs) == 1
	some f in fs
	not f.unverified
	contains(f.msg, `"[10.0.0.5:9200] not whitelisted in reindex.remote.whitelist"`)
	contains(f.msg, "10.0.0.6:9200, other:*")
}

test_rx002_empty_allowlist_allows_nothing if {
	fs := rx002("http://127.0.0.1:9200", with_settings(es("8.19.21"), {"reindex.remote.whitelist": []}))
	some f in fs
	contains(f.msg, "empty: no remote is allowed")

	# a setting missing from the facts is the default, empty
	fs2 := rx002("http://127.0.0.1:9200", with_settings(es("8.19.21"), {}))
	count(fs2) == 1
}

test_rx002_opensearch_reads_the_allowlist if {
	dst := with_settings(os("2.19.6"), {"reindex.remote.whitelist": ["a:1"], "reindex.remote.allowlist": ["a:1"]})
	fs := rx002("http://b:9200", dst)
	some f in fs
	contains(f.msg, `"[b:9200] not allowlisted in reindex.remote.allowlist"`)
	count(rx002("http://a:1", dst)) == 0
}

test_rx002_patterns_match_like_elasticsearch if {
	dst := with_settings(es("7.10.2"), {"reindex.remote.whitelist": ["127.0.0.1:*", "*.example.com:9200", "[::1]:9200", "a.b:92?0"]})
	count(rx002("http://127.0.0.1:9268", dst)) == 0
	count(rx002("https://es.prod.example.com:9200/prefix", dst)) == 0
	count(rx002("https://[::1]:9200", dst)) == 0

	# "." and "?" match themselves only; case counts; the port must match
	count(rx002("https://axb:9200", dst)) == 1
	count(rx002("https://a.b:9200", dst)) == 1
	count(rx002("https://ES.EXAMPLE.COM:9200", dst)) == 1
	count(rx002("https://es.example.com:9201", dst)) == 1
	count(rx002("https://[::2]:9200", dst)) == 1
}

test_rx002_unverified if {
	fs := rx002("http://127.0.0.1:9200", unknown_cl("settings"))
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "timeout")
	fs2 := rx002("", with_settings(es("7.10.2"), {"reindex.remote.whitelist": ["127.0.0.1:*"]}))
	count(fs2) == 1
	some f2 in fs2
	f2.unverified
	contains(f2.msg, "reindex.remote_host")
}

# Without remote_host, the source's endpoint stands for it.
test_rx002_source_endpoint_without_remote_host if {
	dst := with_settings(es("7.10.2"), {"reindex.remote.whitelist": ["src.example:443", "[::1]:9200"]})
	i := rx_inp("", object.union(es("7.10.2"), {"endpoint": "https://src.example"}), dst)
	count({f | some f in remote.deny with input as i; f.rule == "RX-002"}) == 0
	i2 := rx_inp("", object.union(es("7.10.2"), {"endpoint": "http://src.example"}), dst)
	fs := {f | some f in remote.deny with input as i2; f.rule == "RX-002"}
	some f in fs
	contains(f.msg, "src.example:80 (the source's endpoint")
	f.evidence[0].fact == "clusters.source.endpoint"
	i3 := rx_inp("", object.union(es("7.10.2"), {"endpoint": "http://[::1]:9200"}), dst)
	count({f | some f in remote.deny with input as i3; f.rule == "RX-002"}) == 0
}

ali_inp(src, dst) := {
	"plan": {
		"method": "reindex",
		"source": object.union({"kind": "alibaba"}, src),
		"destination": object.union({"kind": "alibaba"}, dst),
	},
	"clusters": {},
}

rx004(src, dst) := {f | some f in remote.deny with input as ali_inp(src, dst); f.rule == "RX-004"}

test_rx004_other_zone_or_region if {
	fs := rx004({"region": "cn-hangzhou", "zone": "cn-hangzhou-i"}, {"region": "cn-hangzhou", "zone": "cn-hangzhou-h"})
	count(fs) == 1
	some f in fs
	f.location == "destination.zone"
	not f.unverified
	fs2 := rx004({"region": "cn-hangzhou", "zone": "cn-hangzhou-i"}, {"region": "cn-shanghai", "zone": "cn-shanghai-b"})
	count(fs2) == 2
}

test_rx004_quiet if {
	count(rx004({"region": "cn-hangzhou", "zone": "cn-hangzhou-i"}, {"region": "cn-hangzhou", "zone": "cn-hangzhou-i"})) == 0
	i := object.union(ali_inp({}, {}), {"plan": {"source": {"kind": "self-managed"}}})
	count({f | some f in remote.deny with input as i; f.rule == "RX-004"}) == 0
}

test_rx004_unverified if {
	fs := rx004({"region": "cn-hangzhou", "zone": "cn-hangzhou-i"}, {"region": "cn-hangzhou"})
	count(fs) == 1
	some f in fs
	f.unverified
	f.location == "destination"
}

rx005(src, dst) := {f | some f in remote.deny with input as rx_inp("http://h:9200", src, dst); f.rule == "RX-005"}

test_rx005_newer_major_into_older if {
	fs := rx005(es("7.10.2"), es("6.8.23"))
	count(fs) == 1
	some f in fs
	not f.unverified
	contains(f.msg, "7.10.2 into the older major 6.8.23")
	count(rx005(es("8.19.21"), es("7.17.29"))) == 1
	count(rx005(os("2.19.6"), os("1.3.14"))) == 1
}

test_rx005_quiet if {
	count(rx005(es("6.8.23"), es("7.10.2"))) == 0
	count(rx005(es("7.17.29"), es("7.10.2"))) == 0

	# between the products only the _type boundary counts
	count(rx005(es("7.10.2"), os("2.19.6"))) == 0
	count(rx005(os("1.3.14"), es("7.10.2"))) == 0
	count(rx005(es("7.10.2"), os("1.3.14"))) == 0
	count(rx005(os("2.19.6"), es("8.19.21"))) == 0
	count(rx005(es("8.19.21"), os("2.19.6"))) == 0
}

test_rx005_typeless_hits_into_a_typed_reader if {
	fs := rx005(os("2.19.6"), es("7.10.2"))
	count(fs) == 1
	some f in fs
	not f.unverified
	contains(f.msg, "OpenSearch 2.19.6 into Elasticsearch 7.10.2")
	contains(f.msg, "Required [_type]")
	count(rx005(es("8.19.21"), os("1.3.14"))) == 1
	count(rx005(os("3.0.0"), es("6.8.23"))) == 1
}

test_rx005_unverified if {
	fs := rx005(es("7.10.2"), {"version": null, "unknown": [{"fact": "version", "endpoint": "GET /", "error": "refused"}]})
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "refused")
}

rx003_inp(src_tls, dst) := object.union(rx_inp("https://es-old:9200", es("7.17.29"), dst), {"plan": {"source": {"endpoint": "https://es-old:9200", "tls": src_tls}}})

rx003(src_tls, dst) := {f | some f in remote.deny with input as rx003_inp(src_tls, dst); f.rule == "RX-003"}

test_rx003_private_ca_not_trusted_fails if {
	fs := rx003({"ca_file": "/ci/ca.pem"}, with_settings(es("8.19.21"), {"reindex.remote.whitelist": ["es-old:9200"]}))
	count(fs) == 1
	some f in fs
	not f.unverified
	contains(f.msg, "tls.ca_file (/ci/ca.pem)")
	contains(f.msg, "PKIX path building failed")

	# a self-signed source the probe reached without verification
	count(rx003({"insecure_skip_verify": true}, with_settings(os("2.19.6"), {}))) == 1
}

test_rx003_trusted_or_public_quiet if {
	ca := with_settings(es("8.19.21"), {"reindex.ssl.certificate_authorities": ["/etc/es/old-ca.pem"]})
	count(rx003({"ca_file": "/ci/ca.pem"}, ca)) == 0
	ts := with_settings(es("8.19.21"), {"reindex.ssl.truststore.path": ["/etc/es/trust.p12"]})
	count(rx003({"ca_file": "/ci/ca.pem"}, ts)) == 0
	none := with_settings(es("8.19.21"), {"reindex.ssl.verification_mode": ["none"]})
	count(rx003({"insecure_skip_verify": true}, none)) == 0

	# the probe trusted the source through the system's authorities
	count(rx003({}, with_settings(es("8.19.21"), {}))) == 0

	# an http remote needs no trust
	i := rx_inp("http://es-old:9200", es("7.17.29"), with_settings(es("8.19.21"), {}))
	count({f | some f in remote.deny with input as i; f.rule == "RX-003"}) == 0
}

test_rx003_unknown_settings_unverified if {
	fs := rx003({"ca_file": "/ci/ca.pem"}, object.union(es("8.19.21"), unknown_cl("settings")))
	count(fs) == 1
	some f in fs
	f.unverified
	contains(f.msg, "timeout")
}
