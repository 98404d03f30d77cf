package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unsafe"
)

const (
	deprecationsEndpoint      = "GET /_migration/deprecations"
	xpackDeprecationsEndpoint = "GET /_xpack/migration/deprecations"
	// maxDetails bounds the details kept of one deprecation item.
	maxDetails = 500
)

var (
	deprecationsRequest      = request{deprecationsEndpoint, rawRequest{Path: "/_migration/deprecations"}}
	xpackDeprecationsRequest = request{xpackDeprecationsEndpoint, rawRequest{Path: "/_xpack/migration/deprecations"}}
)

// deprecationsRequests: the deprecation info API of the default
// distribution (X-Pack) is /_xpack/migration/deprecations from 5.6 to 6.x
// (https://www.elastic.co/guide/en/elasticsearch/reference/5.6/migration-api-deprecation.html)
// and /_migration/deprecations from 7.0
// (https://www.elastic.co/guide/en/elasticsearch/reference/7.0/migration-api-deprecation.html).
// OpenSearch has none.
func deprecationsRequests(d *detected) []request {
	switch {
	case d.esAtLeast(7, 0):
		return []request{deprecationsRequest}
	case d.esAtLeast(5, 6):
		return []request{xpackDeprecationsRequest}
	}
	return nil
}

type deprecationItem struct {
	Level   flexString `json:"level"`
	Message flexString `json:"message"`
	URL     flexString `json:"url"`
	Details flexString `json:"details"`
}

type deprecationKey struct{ scope, level, message, url string }

// decodeDeprecations reads the deprecation info response: lists of items
// (cluster_settings, node_settings, ml_settings) and objects of name ->
// items (index_settings, data_streams, templates, ilm_policies). Items that
// differ only in the name they apply to are merged into one with Names.
func decodeDeprecations(dec *decoder) ([]Deprecation, error) {
	byKey := map[deprecationKey]*Deprecation{}
	add := func(scope, name string, it deprecationItem) error {
		if err := dec.keepStrings(unsafe.Sizeof(Deprecation{})+unsafe.Sizeof(deprecationKey{}), name, string(it.Message), string(it.URL), truncate(string(it.Details), maxDetails)); err != nil {
			return err
		}
		k := deprecationKey{scope, string(it.Level), string(it.Message), string(it.URL)}
		details := truncate(string(it.Details), maxDetails)
		d, ok := byKey[k]
		if !ok {
			d = &Deprecation{Scope: scope, Level: k.level, Message: k.message, URL: k.url, Details: details, Names: []string{}}
			byKey[k] = d
		} else if d.Details != details {
			d.Details = ""
		}
		if name != "" {
			d.Names = append(d.Names, name)
		}
		return nil
	}
	items := func(scope, name string) error {
		return streamArray(dec, func() error {
			var it deprecationItem
			if err := dec.Decode(&it); err != nil {
				return err
			}
			return add(scope, name, it)
		})
	}
	err := streamObject(dec, func(key string) error {
		scope := strings.TrimSuffix(key, "_settings")
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('['):
			for dec.More() {
				var it deprecationItem
				if err := dec.Decode(&it); err != nil {
					return err
				}
				if err := add(scope, "", it); err != nil {
					return err
				}
			}
		case json.Delim('{'):
			for dec.More() {
				t, err := dec.Token()
				if err != nil {
					return err
				}
				name, _ := t.(string)
				if err := items(scope, name); err != nil {
					return err
				}
			}
		default: // null or a scalar a later version may add: nothing to read
			return nil
		}
		_, err = dec.Token()
		return err
	})
	out := make([]Deprecation, 0, len(byKey))
	for _, d := range byKey {
		sort.Strings(d.Names)
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Scope != b.Scope {
			return a.Scope < b.Scope
		}
		if a.Level != b.Level {
			return a.Level < b.Level
		}
		return a.Message < b.Message
	})
	return out, err
}

// collectDeprecations asks the deprecation info API. Where the cluster has
// none (OpenSearch, Elasticsearch before 5.6, an OSS build: HTTP 400, 404 or
// 405) the fact is unknown with that reason: no rule may take "no answer"
// for "nothing deprecated".
func collectDeprecations(ctx context.Context, p *clusterProbe) {
	reqs := deprecationsRequests(p.d)
	if len(reqs) == 0 {
		why := "OpenSearch has no deprecation info API"
		if !p.d.isOpenSearch() {
			why = "the deprecation info API exists from Elasticsearch 5.6 (" + p.d.Version.Number + ")"
		}
		p.unknown("deprecations", "", "not available: "+why)
		return
	}
	var items []Deprecation
	fe := p.c.get(ctx, reqs[0], func(dec *decoder) (err error) {
		items, err = decodeDeprecations(dec)
		return err
	})
	if notSupported(fe) {
		p.unknown("deprecations", fe.Endpoint, fmt.Sprintf("not available: %s (the deprecation info API is part of the default distribution; an OSS build has none)", fe.Reason))
		return
	}
	if fe != nil {
		p.fail("deprecations", fe)
		return
	}
	p.cf.Deprecations = items
	p.source("deprecations", reqs[0].endpoint+p.on())
}
