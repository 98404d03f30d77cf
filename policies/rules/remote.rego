# METADATA
# description: |
#   Reindex from remote: whether the destination may and can pull from the
#   source (the remote allowlist, TLS trust, Alibaba Cloud placement, the
#   direction between major versions).
package espreflight.rules.remote

import future.keywords.not

import data.espreflight.lib

plan_remote_host := lib.plan_get(["reindex", "remote_host"], "")

# remote_host is the plan's reindex.remote_host; without one, the source's
# endpoint (what `advise` assumes too), "" when there is neither.
remote_host := plan_remote_host if {
	plan_remote_host != ""
} else := object.get(input.clusters, ["source", "endpoint"], "")

# remote_fact is the evidence path of remote_host.
remote_fact := "plan.reindex.remote_host" if {
	plan_remote_host != ""
} else := "clusters.source.endpoint"

# remote is remote_host parsed: scheme, host and port (the scheme's default
# port when an endpoint has none; the plan loader requires one in
# remote_host). The host keeps the brackets of an IPv6 address, as
# Elasticsearch's RemoteInfo does.
remote := {"scheme": m[1], "host": m[2], "port": port} if {
	some m in regex.find_all_string_submatch_n(`^(https?)://(\[[^\]/]*\]|[^/?#@:\[\]]*)(?::([0-9]+))?`, remote_host, 1)
	port := default_port(m[1], m[3])
}

default_port(_, p) := p if p != ""

default_port("https", "") := "443"

default_port("http", "") := "80"

# ---------------------------------------------------------------------------
# RX-002

# allowlist_key is the node setting the destination reads its remote
# allowlist from: reindex.remote.allowlist on OpenSearch (its deprecated
# reindex.remote.whitelist is the fallback, and the probe merges the two
# under the new name), reindex.remote.whitelist on Elasticsearch.
allowlist_key := "reindex.remote.allowlist" if {
	lib.product_of("destination") == "opensearch"
} else := "reindex.remote.whitelist"

# allowlist is the destination's list; a missing setting is the engine's
# default, the empty list, which allows no remote at all.
allowlist := object.get(input.clusters.destination.settings, allowlist_key, [])

# engine_error is the text the destination answers a refused remote with
# (ReindexValidator.checkRemoteWhitelist / checkRemoteAllowlist).
engine_error(check) := sprintf("[%s] not allowlisted in reindex.remote.allowlist", [check]) if {
	lib.product_of("destination") == "opensearch"
} else := sprintf("[%s] not whitelisted in reindex.remote.whitelist", [check])

# METADATA
# title: Remote host not in the destination's reindex allowlist
# description: |
#   The destination refuses to reindex from a remote whose host:port does not
#   match an entry of its remote allowlist: `reindex.remote.whitelist` on
#   Elasticsearch, `reindex.remote.allowlist` on OpenSearch (which still reads
#   the deprecated whitelist when the allowlist is unset). Entries are
#   host:port patterns where `*` matches any characters; the scheme and path
#   of the remote are not part of the match. The setting is a static node
#   setting of elasticsearch.yml (opensearch.yml) and is empty by default, so
#   a cluster that never set it allows no remote.
# related_resources:
#   - ref: https://github.com/elastic/elasticsearch/blob/main/modules/reindex/src/main/java/org/elasticsearch/reindex/ReindexValidator.java
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/7.17/docs-reindex.html#reindex-from-remote
#   - ref: https://docs.opensearch.org/latest/api-reference/document-apis/reindex/
# custom:
#   id: RX-002
#   methods: [reindex]
#   severity: error
#   remediation: |
#     Add the remote's host:port (as `reindex.remote_host` names it, without
#     the scheme) to reindex.remote.whitelist (OpenSearch:
#     reindex.remote.allowlist) in the configuration file of every node of the
#     destination that coordinates the reindex, then restart those nodes.
#   example: |
#     method: reindex
#     destination: {kind: self-managed, version: "7.10.2"}
#     reindex: {remote_host: "https://10.0.0.5:9200"}
deny contains f if {
	some v in not_allowlisted
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

not_allowlisted contains v if {
	lib.known("destination", "settings")
	check := sprintf("%s:%s", [remote.host, remote.port])
	not allowed(check)
	v := {
		"msg": sprintf("the destination's %s (%s) does not allow %s%s: the reindex would fail with %q", [allowlist_key, entries_text, check, assumed_text, engine_error(check)]),
		"cluster": "destination",
		"location": "reindex.remote_host",
		"evidence": [
			{"fact": remote_fact, "value": remote_host},
			{"fact": "clusters.destination.settings", "value": {allowlist_key: allowlist}},
		],
	}
}

not_allowlisted contains v if {
	not lib.known("destination", "settings")
	remote
	v := {
		"msg": sprintf("could not verify that the destination allows reindexing from %s:%s: its node settings are unknown (%s)", [remote.host, remote.port, lib.why_unknown("destination", "settings")]),
		"cluster": "destination",
		"location": "reindex.remote_host",
		"unverified": true,
		"evidence": [
			{"fact": remote_fact, "value": remote_host},
			{"fact": "clusters.destination.settings", "value": null},
		],
	}
}

not_allowlisted contains v if {
	remote_host == ""
	v := {
		"msg": "could not verify that the destination allows the remote: the plan gives neither reindex.remote_host nor the source's endpoint",
		"cluster": "destination",
		"location": "reindex",
		"unverified": true,
		"evidence": [{"fact": "plan.reindex.remote_host", "value": ""}],
	}
}

assumed_text := "" if {
	plan_remote_host != ""
} else := " (the source's endpoint: the plan gives no reindex.remote_host)"

allowed(check) if {
	some pattern in allowlist
	lib.simple_match(pattern, check)
}

entries_text := "empty: no remote is allowed" if {
	count(allowlist) == 0
} else := concat(", ", allowlist)

# ---------------------------------------------------------------------------
# RX-003

# private_trust is how the plan makes the probe trust the source's
# certificate, which the system's certificate authorities do not: a CA file
# or no verification. Undefined when the source endpoint is not https or the
# plan needs neither (then the probe verified the source against the
# system's authorities, as the JDK of the destination will).
private_trust := {"fact": "plan.source.tls.ca_file", "value": ca} if {
	startswith(object.get(input.plan, ["source", "endpoint"], ""), "https://")
	ca := object.get(input.plan, ["source", "tls", "ca_file"], "")
	ca != ""
} else := {"fact": "plan.source.tls.insecure_skip_verify", "value": true} if {
	startswith(object.get(input.plan, ["source", "endpoint"], ""), "https://")
	object.get(input.plan, ["source", "tls", "insecure_skip_verify"], false) == true
}

# trust_keys are the destination's node settings that let reindex from
# remote trust a certificate outside the JDK's trust store.
trust_keys := ["reindex.ssl.certificate_authorities", "reindex.ssl.truststore.path", "reindex.ssl.verification_mode"]

trust_settings := {k: v | some k in trust_keys; v := object.get(input.clusters.destination.settings, k, [])}

trusts_remote if {
	some k in ["reindex.ssl.certificate_authorities", "reindex.ssl.truststore.path"]
	count(trust_settings[k]) > 0
}

trusts_remote if "none" in trust_settings["reindex.ssl.verification_mode"]

# METADATA
# title: Reindex from an https remote whose certificate the destination does not trust
# description: |
#   Reindex from remote connects to an https remote with the destination's
#   own HTTP client, which trusts the certificate authorities of its JDK
#   unless the `reindex.ssl.*` settings of every coordinating node's
#   configuration file (elasticsearch.yml, opensearch.yml) say otherwise; the
#   reindex request itself cannot carry a CA. When the probe needed the
#   plan's `tls.ca_file` (or `insecure_skip_verify`) to reach the source, its
#   certificate comes from a private CA or is self-signed, and a destination
#   with neither `reindex.ssl.certificate_authorities` nor
#   `reindex.ssl.truststore.path` (nor `verification_mode: none`) refuses the
#   connection ("PKIX path building failed").
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/7.17/docs-reindex.html#reindex-ssl
#   - ref: https://www.elastic.co/docs/manage-data/migrate/migrate-from-a-self-managed-cluster-with-a-self-signed-certificate-using-remote-reindex
#   - ref: https://docs.opensearch.org/latest/api-reference/document-apis/reindex/
# custom:
#   id: RX-003
#   methods: [reindex]
#   severity: error
#   remediation: |
#     Copy the CA certificate that signed the source's certificate to every
#     destination node that coordinates the reindex, point
#     `reindex.ssl.certificate_authorities` at it in the node's configuration
#     file (or add it to a trust store named by `reindex.ssl.truststore.path`),
#     and restart those nodes. Keep `reindex.ssl.verification_mode` at `full`.
#   example: |
#     method: reindex
#     source: {kind: self-managed, endpoint: "https://es-old:9200", tls: {ca_file: ca.pem}}
#     destination: {kind: self-managed, version: "8.19.0"}
#     reindex: {remote_host: "https://es-old:9200"}
deny contains f if {
	some v in untrusted_remote
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

untrusted_remote contains v if {
	remote.scheme == "https"
	private_trust
	lib.known("destination", "settings")
	not trusts_remote
	v := {
		"msg": sprintf("the source's certificate needs %s to be trusted, and no node of the destination sets reindex.ssl.certificate_authorities or reindex.ssl.truststore.path: the destination's reindex client trusts its JDK's authorities only, so the connection to %s would fail (PKIX path building failed)", [trust_text, remote_host]),
		"cluster": "destination",
		"location": "reindex.remote_host",
		"evidence": [
			private_trust,
			{"fact": remote_fact, "value": remote_host},
			{"fact": "clusters.destination.settings", "value": trust_settings},
		],
	}
}

untrusted_remote contains v if {
	remote.scheme == "https"
	private_trust
	not lib.known("destination", "settings")
	v := {
		"msg": sprintf("could not verify that the destination trusts the source's certificate (the probe needed %s): its node settings are unknown (%s)", [trust_text, lib.why_unknown("destination", "settings")]),
		"cluster": "destination",
		"location": "reindex.remote_host",
		"unverified": true,
		"evidence": [private_trust, {"fact": "clusters.destination.settings", "value": null}],
	}
}

trust_text := sprintf("the plan's tls.ca_file (%s)", [private_trust.value]) if {
	private_trust.fact == "plan.source.tls.ca_file"
} else := "tls.insecure_skip_verify"

# ---------------------------------------------------------------------------
# RX-004

# METADATA
# title: Reindex between Alibaba Cloud clusters in different regions or zones
# description: |
#   Alibaba Cloud documents reindex from remote between two Alibaba Cloud
#   Elasticsearch clusters only when both are in the same region and the same
#   zone: the destination reaches the source over the private network, which
#   does not span zones for this service.
# related_resources:
#   - ref: https://www.alibabacloud.com/help/en/es/user-guide/migrate-data-through-reindex-api
# custom:
#   id: RX-004
#   methods: [reindex]
#   severity: error
#   remediation: |
#     Create the destination in the source's region and zone, or migrate with
#     an OSS snapshot (cross-region replication of the bucket for another
#     region) or with Logstash.
#   example: |
#     method: reindex
#     source: {kind: alibaba, region: cn-hangzhou, zone: cn-hangzhou-i}
#     destination: {kind: alibaba, region: cn-hangzhou, zone: cn-hangzhou-h}
deny contains f if {
	some v in placement
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

placement_keys := ["region", "zone"]

placement contains v if {
	lib.alibaba("source")
	lib.alibaba("destination")
	some key in placement_keys
	a := object.get(input.plan.source, key, "")
	b := object.get(input.plan.destination, key, "")
	a != ""
	b != ""
	a != b
	v := {
		"msg": sprintf("reindex between Alibaba Cloud clusters needs both in one %s; the source is in %s and the destination in %s", [key, a, b]),
		"cluster": "destination",
		"location": sprintf("destination.%s", [key]),
		"evidence": [
			{"fact": sprintf("plan.source.%s", [key]), "value": a},
			{"fact": sprintf("plan.destination.%s", [key]), "value": b},
		],
	}
}

placement contains v if {
	lib.alibaba("source")
	lib.alibaba("destination")
	some key in placement_keys
	some role in ["source", "destination"]
	object.get(input.plan[role], key, "") == ""
	v := {
		"msg": sprintf("could not verify that both Alibaba Cloud clusters are in one %s: the plan does not give %s.%s", [key, role, key]),
		"cluster": role,
		"location": role,
		"unverified": true,
		"evidence": [{"fact": sprintf("plan.%s.%s", [role, key]), "value": ""}],
	}
}

# ---------------------------------------------------------------------------
# RX-005

# METADATA
# title: Reindex from a newer major version into an older one
# description: |
#   Reindex from remote reads the remote with the destination's own client,
#   which knows the answers of the versions before it and not those after:
#   Elasticsearch documents that it has no forward compatibility across
#   major versions ("you cannot reindex from a 7.x cluster into a 6.x
#   cluster"). For example 7.0 changed `hits.total` into an object, which the
#   6.x remote reader parses as a number, and 8.0 search hits no longer carry
#   the `_type` that the 7.x reader requires. Between the two products the
#   same `_type` boundary holds: Elasticsearch 8+ and OpenSearch 2+ (which
#   removed mapping types) answer hits without `_type`, and the readers of
#   Elasticsearch 7.x and earlier and of OpenSearch 1.x (forked from 7.10.2)
#   refuse them ("Required [_type]", seen on real 2.19 -> 7.10 nodes). Other
#   cross-product pairs are left to the other rules.
# related_resources:
#   - ref: https://www.elastic.co/guide/en/elasticsearch/reference/7.17/reindex-upgrade-remote.html
#   - ref: https://github.com/elastic/elasticsearch/pull/35849
#   - ref: https://github.com/elastic/elasticsearch/blob/v7.10.2/modules/reindex/src/main/java/org/elasticsearch/index/reindex/remote/RemoteResponseParsers.java
#   - ref: https://opensearch.org/docs/latest/breaking-changes/
# custom:
#   id: RX-005
#   methods: [reindex]
#   severity: error
#   remediation: |
#     Reindex into a destination of the source's major version or a later
#     one. To go back to an older major, export and import the documents with
#     a tool that speaks both versions (Logstash, elasticsearch-dump) and
#     recreate the mappings for the older version.
#   example: |
#     method: reindex
#     source: {kind: self-managed, version: "7.10.2"}
#     destination: {kind: self-managed, version: "6.8.23"}
deny contains f if {
	some v in downgrade
	f := lib.finding(rego.metadata.rule(), v.msg, v)
}

downgrade contains v if {
	lib.same_product("source", "destination")
	s := lib.version("source")
	d := lib.version("destination")
	s[0] > d[0]
	v := {
		"msg": sprintf("reindex from %s into the older major %s: the destination's remote reader does not understand the answers of a newer major", [lib.version_text("source"), lib.version_text("destination")]),
		"cluster": "destination",
		"location": "destination",
		"evidence": [
			{"fact": "clusters.source.version", "value": lib.version_text("source")},
			{"fact": "clusters.destination.version", "value": lib.version_text("destination")},
		],
	}
}

# typeless_hits(role): the role's search hits carry no `_type`
# (Elasticsearch 8+, OpenSearch 2+).
typeless_hits(role) if {
	lib.product_of(role) == "elasticsearch"
	lib.version(role)[0] >= 8
}

typeless_hits(role) if {
	lib.product_of(role) == "opensearch"
	lib.version(role)[0] >= 2
}

# typed_reader(role): the role's remote reader requires `_type` in every hit
# (Elasticsearch 7.x and earlier, OpenSearch 1.x).
typed_reader(role) if {
	lib.product_of(role) == "elasticsearch"
	lib.version(role)[0] <= 7
}

typed_reader(role) if {
	lib.product_of(role) == "opensearch"
	lib.version(role)[0] == 1
}

downgrade contains v if {
	not lib.same_product("source", "destination")
	typeless_hits("source")
	typed_reader("destination")
	src := lib.product_version("source")
	dst := lib.product_version("destination")
	v := {
		"msg": sprintf("reindex from %s into %s: the source's search hits carry no _type and the destination's remote reader requires one, so the first batch is refused (Required [_type])", [src, dst]),
		"cluster": "destination",
		"location": "destination",
		"evidence": [
			{"fact": "clusters.source.product", "value": lib.product_of("source")},
			{"fact": "clusters.source.version", "value": lib.version_text("source")},
			{"fact": "clusters.destination.product", "value": lib.product_of("destination")},
			{"fact": "clusters.destination.version", "value": lib.version_text("destination")},
		],
	}
}

downgrade contains v if {
	some role in ["source", "destination"]
	not lib.version(role)
	v := {
		"msg": sprintf("could not verify that the source's major version is not newer than the destination's: the %s's version is unknown (%s)", [role, lib.why_unknown(role, "version")]),
		"cluster": role,
		"location": role,
		"unverified": true,
		"evidence": [{"fact": sprintf("clusters.%s.version", [role]), "value": null}],
	}
}
