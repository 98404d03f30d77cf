package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"unsafe"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

const (
	ilmEndpoint = "GET /_ilm/policy"
	ismEndpoint = "GET /_plugins/_ism/policies"
	// ismPageSize is the most ISM policies one request returns: the ISM
	// plugin pages them (20 by default) through a search on its config
	// index, whose result window is 10 000.
	ismPageSize = 10000
)

var (
	// ilmRequest keeps only the policies (not in_use_by, which lists every index).
	ilmRequest = request{ilmEndpoint, esapi.ILMGetLifecycleRequest{FilterPath: []string{"*.policy"}}}
	ismRequest = request{ismEndpoint, rawRequest{Path: "/_plugins/_ism/policies", Query: url.Values{"size": {fmt.Sprint(ismPageSize)}}}}
)

// hasILM: index lifecycle management exists from Elasticsearch 6.6, in the
// default distribution (https://www.elastic.co/guide/en/elasticsearch/reference/6.6/index-lifecycle-management.html).
func (d *detected) hasILM() bool { return d.esAtLeast(6, 6) }

// lifecycleRequests: ILM on Elasticsearch 6.6+, ISM (the index-management
// plugin, https://docs.opensearch.org/latest/im-plugin/ism/api/) on OpenSearch.
func lifecycleRequests(d *detected) []request {
	switch {
	case d.isOpenSearch():
		return []request{ismRequest}
	case d.hasILM():
		return []request{ilmRequest}
	}
	return nil
}

// decodeILM reads GET /_ilm/policy?filter_path=*.policy.
func decodeILM(dec *decoder) ([]LifecyclePolicy, error) {
	out := []LifecyclePolicy{}
	err := streamObject(dec, func(name string) error {
		var body struct {
			Policy struct {
				Phases map[string]struct {
					Actions map[string]struct {
						SnapshotRepository flexString `json:"snapshot_repository"`
					} `json:"actions"`
				} `json:"phases"`
			} `json:"policy"`
		}
		start := dec.InputOffset()
		if err := dec.Decode(&body); err != nil {
			return err
		}
		if err := dec.keepSince(start, unsafe.Sizeof(LifecyclePolicy{}), 2); err != nil {
			return err
		}
		actions, repos := map[string]bool{}, map[string]bool{}
		for _, ph := range body.Policy.Phases {
			for a, conf := range ph.Actions {
				actions[a] = true
				if conf.SnapshotRepository != "" {
					repos[string(conf.SnapshotRepository)] = true
				}
			}
		}
		out = append(out, LifecyclePolicy{Name: name, Kind: "ilm", Actions: sortedSet(actions), Repositories: sortedSet(repos), IndexPatterns: []string{}})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// ismActionMeta are the keys of an ISM action object that are not the action.
var ismActionMeta = map[string]bool{"retry": true, "timeout": true}

// decodeISM reads GET /_plugins/_ism/policies; total is total_policies.
func decodeISM(dec *decoder) (out []LifecyclePolicy, total int64, err error) {
	out = []LifecyclePolicy{}
	err = streamObject(dec, func(key string) error {
		switch key {
		case "total_policies":
			var n flexInt
			err := dec.Decode(&n)
			total = int64(n)
			return err
		case "policies":
			return streamArray(dec, func() error {
				var e struct {
					ID     flexString `json:"_id"`
					Policy struct {
						PolicyID flexString `json:"policy_id"`
						States   []struct {
							Actions []map[string]json.RawMessage `json:"actions"`
						} `json:"states"`
						ISMTemplate json.RawMessage `json:"ism_template"`
					} `json:"policy"`
				}
				start := dec.InputOffset()
				if err := dec.Decode(&e); err != nil {
					return err
				}
				if err := dec.keepSince(start, unsafe.Sizeof(LifecyclePolicy{}), 2); err != nil {
					return err
				}
				actions, repos, pats := map[string]bool{}, map[string]bool{}, map[string]bool{}
				for _, st := range e.Policy.States {
					for _, a := range st.Actions {
						for typ, conf := range a {
							if ismActionMeta[typ] {
								continue
							}
							actions[typ] = true
							var snap struct {
								Repository flexString `json:"repository"`
							}
							if typ == "snapshot" && json.Unmarshal(conf, &snap) == nil && snap.Repository != "" {
								repos[string(snap.Repository)] = true
							}
						}
					}
				}
				// ism_template is one object or a list of them.
				var tmpls []struct {
					IndexPatterns flexList `json:"index_patterns"`
				}
				if json.Unmarshal(e.Policy.ISMTemplate, &tmpls) != nil {
					tmpls = tmpls[:0]
					var one struct {
						IndexPatterns flexList `json:"index_patterns"`
					}
					if json.Unmarshal(e.Policy.ISMTemplate, &one) == nil {
						tmpls = append(tmpls, one)
					}
				}
				for _, t := range tmpls {
					for _, p := range t.IndexPatterns {
						pats[p] = true
					}
				}
				out = append(out, LifecyclePolicy{Name: firstOf(e.Policy.PolicyID, e.ID), Kind: "ism", Actions: sortedSet(actions), Repositories: sortedSet(repos), IndexPatterns: sortedSet(pats)})
				return nil
			})
		}
		return skipValue(dec)
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, total, err
}

// collectLifecycle reads the ILM or ISM policies. A cluster whose API is
// missing (an OSS build, OpenSearch without the index-management plugin:
// HTTP 400, 404 or 405) has none.
func collectLifecycle(ctx context.Context, p *clusterProbe) {
	reqs := lifecycleRequests(p.d)
	if len(reqs) == 0 {
		p.cf.LifecyclePolicies = []LifecyclePolicy{}
		p.source("lifecycle_policies", "none: index lifecycle management exists from Elasticsearch 6.6 ("+p.d.Version.Number+")")
		return
	}
	r := reqs[0]
	var (
		pols  []LifecyclePolicy
		total int64
	)
	fe := p.c.get(ctx, r, func(dec *decoder) (err error) {
		if r.endpoint == ismEndpoint {
			pols, total, err = decodeISM(dec)
		} else {
			pols, err = decodeILM(dec)
		}
		return err
	})
	src := r.endpoint + p.on()
	switch {
	case notSupported(fe):
		src += fmt.Sprintf(" (answered HTTP %d: no lifecycle API, so no policies)", fe.Status)
		pols, fe = []LifecyclePolicy{}, nil
	case fe == nil && int64(len(pols)) < total:
		fe = &fetchError{Endpoint: r.endpoint, Reason: fmt.Sprintf("the cluster has %d ISM policies; one request reads at most %d", total, ismPageSize)}
	}
	if fe != nil {
		p.fail("lifecycle_policies", fe)
		return
	}
	p.cf.LifecyclePolicies = pols
	p.source("lifecycle_policies", src)
}
