package probe

import (
	"context"
	"reflect"
	"strings"
)

// A collector fills one or more facts of a cluster. collectorTable is the one
// list of them: probeCluster runs its collectors, ProbedFacts (what a cluster
// without a probe marks unknown), the synthetic generator's facts and
// docs/probe.md are derived from it, and a test fails when a ClusterFacts
// field has no row here and is not in notCollected.
//
// To add a collector: write collect_<name>.go with its requests, decoders and
// collect function, add the field(s) to ClusterFacts, add a row below, then
// run `go test ./probe -run TestProbeDoc -update` and add the requests to
// testdata/responses/requests.txt (TestReplayRequestsListed says which).
type collector struct {
	// facts are the top-level keys of ClusterFacts (JSON names) the collector
	// fills. It must give each a value and a source (SetSource) or mark it
	// unknown with the request and the reason; probeCluster marks a fact that
	// got neither unknown, so a forgetful collector fails closed.
	facts []string
	// labels are keys the collector fills when it can but never marks
	// unknown: names shown to people, which no rule may rely on.
	labels []string
	// purpose says what the facts hold and what they are for (docs/probe.md).
	purpose string
	// notes explain fallbacks and gates that the request list does not show
	// (docs/probe.md).
	notes string
	// requests lists every request the collector sends to a cluster of the
	// detected product and version; the collector sends exactly these
	// (TestCollectorRequestsSent) and docs/probe.md lists them per version.
	requests func(d *detected) []request
	// collect runs the requests and records the facts; nil for the
	// detection of version and product, which probeCluster runs first
	// because every other request depends on it.
	collect func(ctx context.Context, p *clusterProbe)
}

// collectorTable is in the order of ProbedFacts (and so of each cluster's
// "unknown" list).
var collectorTable = []collector{
	{
		facts:  []string{"version", "product"},
		labels: []string{"cluster_name", "cluster_uuid"},
		purpose: "The product (Elasticsearch or OpenSearch) and version, with the minimum wire and index compatibility versions the cluster reports: what can be restored, reindexed or read where. " +
			"The probe chooses every other request by them.",
		notes: "When `GET /` fails with anything but 401 or 403 (some builds lack it), the version is the lowest node version of `GET /_nodes/plugins`, the nodes request, which is then sent only once. " +
			"OpenSearch with `compatibility.override_main_response_version` answers 7.10.2 on `GET /`; the version then comes from the nodes too, and is unknown when they cannot be read (7.10.2 is no OpenSearch release). " +
			"The cluster name falls back to the one `GET /_cluster/health` gives.",
		requests: func(*detected) []request { return []request{rootRequest} },
	},
	{
		facts:    []string{"nodes"},
		purpose:  "Each node's name, version, roles and plugins: whether a plugin the migration needs (a snapshot repository plugin, say) is on every node, and at which version.",
		requests: func(*detected) []request { return []request{nodesRequest} },
		collect:  collectNodes,
	},
	{
		facts: []string{"indices", "totals", "index_settings", "data_streams"},
		purpose: "Every index, hidden, closed and system ones included, with its status, health, document count, sizes, shard counts, creation date, the version that created it, its data stream and whether it is a system index; `totals` sums them. " +
			"They decide which indices the plan selects, whether the destination can read them and whether they fit. " +
			"`index_settings` groups the indices by the settings a migration must honour (field limit, soft deletes, blocks, allocation filters, pipelines, lifecycle policy); `data_streams` lists the data streams with their template and backing index count.",
		notes: "Elasticsearch before 7.7 rejects `expand_wildcards` on `_cat/indices`; from 7.7 `all` adds the hidden indices. " +
			"A data stream request answered with 400, 404 or 405 means the cluster has no data stream API (an OSS build): no index is then a backing index and `data_streams` is empty, as it is before Elasticsearch 7.9. " +
			"Any other failure of any of these requests makes all four facts unknown: a partial inventory is never used.",
		requests: indicesRequests,
		collect:  collectIndices,
	},
	{
		facts:    []string{"repositories"},
		purpose:  "The registered snapshot repositories with their type and settings, secret settings dropped: whether both clusters see the repository a snapshot migration goes through.",
		requests: func(*detected) []request { return []request{repositoriesRequest} },
		collect:  collectRepositories,
	},
	{
		facts: []string{"settings"},
		purpose: "The hosts the cluster may reindex from (`reindex.remote.whitelist`, and `reindex.remote.allowlist` on OpenSearch), the `reindex.ssl` trust settings and `path.repo` as the nodes' configuration files set them, " +
			"and the effective `cluster.max_shards_per_node` and disk allocation settings: whether the destination may reindex from the source and trusts its certificate, where a shared file system repository may live, how many shards it takes.",
		requests: settingsRequests,
		collect:  collectSettings,
	},
	{
		facts:    []string{"health"},
		purpose:  "The cluster health status (green, yellow or red): a cluster that is not green may stall a restore or a reindex.",
		requests: func(*detected) []request { return []request{healthRequest} },
		collect:  collectHealth,
	},
	{
		facts:    []string{"aliases"},
		purpose:  "Every alias with its index and, where the version has write indices (Elasticsearch 6.4 and later, OpenSearch), whether that index is the alias's write index: whether the aliases a restore brings along collide with the destination's.",
		notes:    "Elasticsearch 6.4 to 7.3 has write indices but `_cat/aliases` has no `is_write_index` column there (elastic/elasticsearch#45798), so the probe reads `GET /_alias` instead.",
		requests: func(d *detected) []request { return []request{aliasesRequest(d)} },
		collect:  collectAliases,
	},
	{
		facts: []string{"mappings", "analysis"},
		purpose: "Each index's mappings and analysis settings, summarised and grouped: the mapping types, the field count and field types, what `_source` and `_all` keep (`mappings`), " +
			"and the analyzers, tokenizers, filters, char filters and normalizers creating the index needs with the module or plugin that provides each, and the files they read (`analysis`): " +
			"whether the destination can create the index and whether reindex can read its documents.",
		notes: "One request for every index: the get index API filtered to the mappings and `settings.index.analysis`, decoded index by index as it streams, so memory holds one index's mapping, not the answer. " +
			"Elasticsearch 7.x and OpenSearch 1.x are asked with `include_type_name=true` so that custom type names show (the parameter of the get index API from 6.7, <https://github.com/elastic/elasticsearch/pull/37149>); " +
			"Elasticsearch 8+ and OpenSearch 2+ only answer typeless (<https://www.elastic.co/guide/en/elasticsearch/reference/7.17/removal-of-types.html>). " +
			"A failure makes both facts unknown.",
		requests: func(d *detected) []request { return []request{mappingsRequest(d)} },
		collect:  collectMappings,
	},
	{
		facts:    []string{"templates"},
		purpose:  "The legacy index templates, and from Elasticsearch 7.8 (every OpenSearch) the composable and component templates, with their patterns, priority or order, whether they create data streams and the pipelines and lifecycle policy their settings name: what the destination needs for new indices and data streams.",
		notes:    "Composable and component templates exist from Elasticsearch 7.8 (<https://www.elastic.co/guide/en/elasticsearch/reference/7.8/index-templates.html>) and in every OpenSearch. Any failure makes the fact unknown.",
		requests: templatesRequests,
		collect:  collectTemplates,
	},
	{
		facts:    []string{"pipelines"},
		purpose:  "The ingest pipelines with the processor types each uses: what a `default_pipeline` or `final_pipeline` of a migrated index needs on the destination.",
		notes:    "The get pipeline API exists from Elasticsearch 5.0 (<https://www.elastic.co/guide/en/elasticsearch/reference/5.0/get-pipeline-api.html>). Elasticsearch answers 404 with an empty body when there is no pipeline: that is an empty list.",
		requests: func(*detected) []request { return []request{pipelinesRequest} },
		collect:  collectPipelines,
	},
	{
		facts:   []string{"lifecycle_policies"},
		purpose: "The index lifecycle policies, ILM on Elasticsearch 6.6+ and ISM on OpenSearch, with their actions, the snapshot repositories they name and (ISM) the index patterns they attach to: what an `index.lifecycle.name` of a migrated index needs on the destination.",
		notes: "ILM exists from Elasticsearch 6.6 in the default distribution (<https://www.elastic.co/guide/en/elasticsearch/reference/6.6/index-lifecycle-management.html>); ISM is the OpenSearch index-management plugin (<https://docs.opensearch.org/latest/im-plugin/ism/api/>). " +
			"An answer of 400, 404 or 405 means the cluster has no lifecycle API (an OSS build, OpenSearch without the plugin): no policies. ISM pages its policies (20 by default); one request asks for 10 000, and more makes the fact unknown.",
		requests: lifecycleRequests,
		collect:  collectLifecycle,
	},
	{
		facts:    []string{"stored_scripts"},
		purpose:  "The stored scripts and search templates, by id and language: cluster state that a snapshot without the global state does not carry.",
		notes:    "No API lists stored scripts; the metadata of the cluster state API holds them (<https://www.elastic.co/guide/en/elasticsearch/reference/7.17/cluster-state.html>), and only their language is read.",
		requests: func(*detected) []request { return []request{storedScriptsRequest} },
		collect:  collectStoredScripts,
	},
	{
		facts:    []string{"capacity"},
		purpose:  "Each data node's shard count and disk (total, used, available, held by indices) and the unassigned shards: whether the migrated indices fit under the disk watermarks and `cluster.max_shards_per_node` (both in `settings`).",
		notes:    "The columns exist from Elasticsearch 5.0 (<https://www.elastic.co/guide/en/elasticsearch/reference/5.6/cat-allocation.html>). A response without a data node makes the fact unknown.",
		requests: func(*detected) []request { return []request{allocationRequest} },
		collect:  collectCapacity,
	},
	{
		facts:   []string{"deprecations"},
		purpose: "The items of the deprecation info API (Elasticsearch 5.6+ default distribution): what the cluster uses that the next major removes, each with its level, message and documentation URL and the indices it concerns.",
		notes: "The API is `/_xpack/migration/deprecations` from 5.6 (<https://www.elastic.co/guide/en/elasticsearch/reference/5.6/migration-api-deprecation.html>) and `/_migration/deprecations` from 7.0 (<https://www.elastic.co/guide/en/elasticsearch/reference/7.0/migration-api-deprecation.html>). " +
			"OpenSearch, Elasticsearch before 5.6 and OSS builds (an answer of 400, 404 or 405) have no such API: the fact is then unknown with that reason, never empty. It is asked of every cluster with the API; the rules read the source's.",
		requests: deprecationsRequests,
		collect:  collectDeprecations,
	},
}

// notCollected are the keys of ClusterFacts that no collector fills, with
// where they come from.
var notCollected = []struct{ key, from string }{
	{"endpoint", "the plan's endpoint for the cluster, without credentials, query or fragment"},
	{"reachable", "whether any request to the cluster got an HTTP response; null when the cluster was not probed"},
	{"sources", "where each fact came from: a request (`GET / on the source`) or a plan line"},
	{"unknown", "each fact that could not be collected, with the request that failed and the reason"},
}

// ProbedFacts lists the top-level facts of a cluster that only a probe can
// collect, in the order of collectorTable; without a probe they are recorded
// as unknown.
var ProbedFacts = probedFacts()

func probedFacts() []string {
	var out []string
	for _, c := range collectorTable {
		out = append(out, c.facts...)
	}
	return out
}

// Endpoints returns the requests ("GET /_cat/indices") a probe of a cluster
// of the given product and version sends to collect fact, in the order it
// names them in sources; nil for a fact no collector fills.
func Endpoints(fact, product string, v *Version) []string {
	d := &detected{Product: product, Version: v}
	for _, c := range collectorTable {
		for _, f := range c.facts {
			if f != fact {
				continue
			}
			var out []string
			for _, r := range c.requests(d) {
				out = append(out, r.endpoint)
			}
			return out
		}
	}
	return nil
}

// clusterFactFields maps each JSON key of ClusterFacts to its field index.
var clusterFactFields = func() map[string]int {
	t := reflect.TypeFor[ClusterFacts]()
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = i
	}
	return m
}()

// Has reports whether the cluster has a value for the top-level fact (a JSON
// key of ClusterFacts): a non-nil list, object or pointer, a non-empty
// string. An empty list is a value (known to be empty).
func (c *ClusterFacts) Has(fact string) bool {
	i, ok := clusterFactFields[fact]
	return ok && c != nil && !reflect.ValueOf(c).Elem().Field(i).IsZero()
}
