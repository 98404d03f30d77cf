package probe

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

const (
	nodeSettingsEndpoint    = "GET /_nodes/settings"
	clusterSettingsEndpoint = "GET /_cluster/settings"
)

var (
	yes = true
	// nodeSettingsRequest: reindex.remote.whitelist (allowlist on OpenSearch)
	// and path.repo as each node's elasticsearch.yml sets them. Both requests
	// ask for nested settings because filter_path does not match flat keys
	// (elastic/elasticsearch#43290: "path.repo" is lost with flat_settings).
	nodeSettingsRequest = request{nodeSettingsEndpoint, esapi.NodesInfoRequest{
		Metric:     []string{"settings"},
		FilterPath: []string{"nodes.*.settings.reindex", "nodes.*.settings.path.repo"},
	}}
	clusterSettingsRequest = request{clusterSettingsEndpoint, esapi.ClusterGetSettingsRequest{
		IncludeDefaults: &yes,
		FilterPath:      []string{"*.cluster.max_shards_per_node", "*.cluster.routing.allocation.disk"},
	}}
)

// reindexTrustKeys are the node settings (elasticsearch.yml, opensearch.yml)
// that make reindex from remote trust a certificate the JDK's own trust
// store does not: a CA list, a trust store, or no verification at all.
var reindexTrustKeys = []string{
	"reindex.ssl.certificate_authorities",
	"reindex.ssl.truststore.path",
	"reindex.ssl.verification_mode",
}

// settingsRequests are the same for every version.
func settingsRequests(*detected) []request {
	return []request{nodeSettingsRequest, clusterSettingsRequest}
}

// listIndexSuffix matches the ".0", ".1" … of list settings as old versions
// print them flat ("path.repo.0").
var listIndexSuffix = regexp.MustCompile(`\.\d+$`)

// decodeNodeSettings reads GET /_nodes/settings and returns, per setting key,
// the union of every node's values.
func decodeNodeSettings(dec *decoder) (map[string][]string, error) {
	out := map[string][]string{}
	err := streamObject(dec, func(key string) error {
		if key != "nodes" {
			return skipValue(dec)
		}
		return streamObject(dec, func(string) error {
			var n struct {
				Settings map[string]any `json:"settings"`
			}
			start := dec.InputOffset()
			if err := dec.Decode(&n); err != nil {
				return err
			}
			if err := dec.keepSince(start, 0, 16); err != nil { // generic maps
				return err
			}
			flattenSettings("", n.Settings, func(k string, v any) {
				k = listIndexSuffix.ReplaceAllString(k, "")
				out[k] = append(out[k], settingList(v)...)
			})
			return nil
		})
	})
	for k, v := range out {
		out[k] = uniqueSorted(v)
	}
	return out, err
}

// decodeClusterSettings reads GET /_cluster/settings and returns the
// effective value of each key (transient over persistent over defaults).
func decodeClusterSettings(dec *decoder) (map[string]any, error) {
	layers := map[string]map[string]any{}
	err := streamObject(dec, func(layer string) error {
		var m map[string]any
		start := dec.InputOffset()
		if err := dec.Decode(&m); err != nil {
			return err
		}
		if err := dec.keepSince(start, 0, 16); err != nil { // generic maps
			return err
		}
		flat := map[string]any{}
		flattenSettings("", m, func(k string, v any) { flat[k] = v })
		layers[layer] = flat
		return nil
	})
	out := map[string]any{}
	for _, layer := range []string{"defaults", "persistent", "transient"} {
		for k, v := range layers[layer] {
			out[k] = v
		}
	}
	return out, err
}

func uniqueSorted(v []string) []string {
	sort.Strings(v)
	out := v[:0]
	for i, s := range v {
		if i == 0 || s != v[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func collectSettings(ctx context.Context, p *clusterProbe) {
	var (
		wg                 sync.WaitGroup
		nodeSet            map[string][]string
		clusterSet         map[string]any
		nodeErr, clusterEr *fetchError
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		nodeErr = p.c.get(ctx, nodeSettingsRequest, func(dec *decoder) (err error) {
			nodeSet, err = decodeNodeSettings(dec)
			return err
		})
	}()
	go func() {
		defer wg.Done()
		clusterEr = p.c.get(ctx, clusterSettingsRequest, func(dec *decoder) (err error) {
			clusterSet, err = decodeClusterSettings(dec)
			return err
		})
	}()
	wg.Wait()
	if nodeErr != nil || clusterEr != nil {
		for _, fe := range []*fetchError{nodeErr, clusterEr} {
			if fe != nil {
				p.fail("settings", fe)
			}
		}
		return
	}
	p.cf.Settings = buildSettings(p.d, nodeSet, clusterSet)
	p.source("settings", nodeSettingsEndpoint+" + "+clusterSettingsEndpoint+p.on())
}

// buildSettings assembles ClusterFacts.Settings:
//   - "reindex.remote.whitelist": the union over nodes of the whitelist (and,
//     on OpenSearch, of reindex.remote.allowlist, which is also kept under its
//     own key); [] when no node sets it, so reindex from remote is refused;
//   - "path.repo" when a node reports it;
//   - the reindex.ssl settings that decide whom reindex from remote trusts
//     (reindexTrustKeys), the union over nodes, when a node sets them;
//   - "cluster.max_shards_per_node" (a number) and the
//     "cluster.routing.allocation.disk.*" settings (as the cluster prints them).
func buildSettings(d *detected, nodeSet map[string][]string, clusterSet map[string]any) map[string]any {
	s := map[string]any{}
	white := append([]string{}, nodeSet["reindex.remote.whitelist"]...)
	if d.isOpenSearch() {
		allow := append([]string{}, nodeSet["reindex.remote.allowlist"]...)
		white = append(white, allow...)
		s["reindex.remote.allowlist"] = uniqueSorted(append(allow, nodeSet["reindex.remote.whitelist"]...))
	}
	s["reindex.remote.whitelist"] = uniqueSorted(white)
	if repo, ok := nodeSet["path.repo"]; ok {
		s["path.repo"] = repo
	}
	for _, k := range reindexTrustKeys {
		if v, ok := nodeSet[k]; ok {
			s[k] = v
		}
	}
	for k, v := range clusterSet {
		switch {
		case k == "cluster.max_shards_per_node":
			if n, err := strconv.ParseInt(settingString(v), 10, 64); err == nil {
				s[k] = n
			} else {
				s[k] = settingString(v)
			}
		case strings.HasPrefix(k, "cluster.routing.allocation.disk."):
			s[k] = settingString(v)
		}
	}
	return s
}
