package probe

import (
	"fmt"
	"strings"
)

// rootInfo is what GET / says about a cluster.
type rootInfo struct {
	Name        string `json:"name"`
	ClusterName string `json:"cluster_name"`
	ClusterUUID string `json:"cluster_uuid"`
	Version     struct {
		Number                           string `json:"number"`
		Distribution                     string `json:"distribution"`
		BuildFlavor                      string `json:"build_flavor"`
		MinimumWireCompatibilityVersion  string `json:"minimum_wire_compatibility_version"`
		MinimumIndexCompatibilityVersion string `json:"minimum_index_compatibility_version"`
	} `json:"version"`
	Tagline string `json:"tagline"`
}

// detected is a cluster's product and version, as the collectors gate on it.
type detected struct {
	Product string // "elasticsearch" | "opensearch"
	Version *Version
	// VersionOverridden is true for OpenSearch answering with the Elasticsearch
	// compatibility number (compatibility.override_main_response_version).
	VersionOverridden bool
	ClusterName       string
	ClusterUUID       string
}

const rootEndpoint = "GET /"

// rootRequest is sent first; everything else is chosen by its answer.
var rootRequest = request{rootEndpoint, rawRequest{Path: "/"}}

// decodeRoot reads a GET / body.
func decodeRoot(dec *decoder) (*rootInfo, error) {
	var r rootInfo
	if err := dec.Decode(&r); err != nil {
		return nil, err
	}
	return &r, nil
}

// detect derives product and version from GET /.
func detect(r *rootInfo) (*detected, error) {
	if r == nil || r.Version.Number == "" {
		return nil, fmt.Errorf("GET / has no version.number: not Elasticsearch or OpenSearch?")
	}
	v, err := ParseVersion(r.Version.Number)
	if err != nil {
		return nil, fmt.Errorf("GET / version.number: %s", truncate(err.Error(), 100))
	}
	v.Distribution = r.Version.Distribution
	v.BuildFlavor = r.Version.BuildFlavor
	v.MinimumIndexCompatibilityVersion = r.Version.MinimumIndexCompatibilityVersion
	v.MinimumWireCompatibilityVersion = r.Version.MinimumWireCompatibilityVersion
	d := &detected{Product: "elasticsearch", Version: v, ClusterName: r.ClusterName, ClusterUUID: r.ClusterUUID}
	if strings.EqualFold(r.Version.Distribution, "opensearch") || strings.Contains(strings.ToLower(r.Tagline), "opensearch") {
		d.Product = "opensearch"
		// OpenSearch 1.x with the override (and AWS domains) answer 7.10.2 and
		// no distribution; the real version then comes from the nodes.
		d.VersionOverridden = r.Version.Distribution == "" && v.Major == 7
	}
	return d, nil
}

// atLeast reports whether an Elasticsearch cluster is at least major.minor;
// it is false for OpenSearch.
func (d *detected) esAtLeast(major, minor int) bool {
	if d == nil || d.Product != "elasticsearch" || d.Version == nil {
		return false
	}
	return d.Version.Major > major || (d.Version.Major == major && d.Version.Minor >= minor)
}

func (d *detected) isOpenSearch() bool { return d != nil && d.Product == "opensearch" }

// The version gates of the requests (docs/probe.md lists the requests per
// version). Elasticsearch answers 400 to a query parameter it does not know
// since 5.0 (https://github.com/elastic/elasticsearch/pull/20722), so every
// optional parameter is gated.

// expandWildcardsAll: _cat/indices takes expand_wildcards (all: hidden
// indices too) from ES 7.7 (https://github.com/elastic/elasticsearch/pull/56964,
// the 7.7 docs of the parameter) and on every OpenSearch.
func (d *detected) expandWildcardsAll() bool { return d.isOpenSearch() || d.esAtLeast(7, 7) }

// hasDataStreams: GET /_data_stream exists from ES 7.9, default distribution
// (https://www.elastic.co/guide/en/elasticsearch/reference/7.9/data-streams.html),
// and on every OpenSearch (https://docs.opensearch.org/latest/api-reference/data-stream/index/).
func (d *detected) hasDataStreams() bool { return d.isOpenSearch() || d.esAtLeast(7, 9) }

// hasSystemFlag: the cluster state marks system indices from ES 7.10 (the
// 7.10 release highlights, https://github.com/elastic/elasticsearch/pull/63468).
func (d *detected) hasSystemFlag() bool { return d.esAtLeast(7, 10) }

// detectFromNodes derives product and version from GET /_nodes/plugins when
// GET / is unavailable. The version is the lowest node version (the binding
// one in a mixed cluster). The product is Elasticsearch when a response
// carried X-Elastic-Product (ES 7.14+) or the major is 5 or more; OpenSearch
// nodes report 1.x–3.x and no such header.
func detectFromNodes(nodes []Node, esHeader bool) (*detected, error) {
	var low *Version
	for _, n := range nodes {
		v, err := ParseVersion(n.Version)
		if err != nil {
			return nil, fmt.Errorf("node %s version: %s", truncate(n.Name, 60), err)
		}
		if low == nil || v.Major < low.Major || (v.Major == low.Major && (v.Minor < low.Minor || (v.Minor == low.Minor && v.Patch < low.Patch))) {
			low = v
		}
	}
	if low == nil {
		return nil, fmt.Errorf("no node")
	}
	d := &detected{Product: "elasticsearch", Version: low}
	if !esHeader && low.Major < 5 {
		d.Product = "opensearch"
		low.Distribution = "opensearch"
	}
	return d, nil
}
