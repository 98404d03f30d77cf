package probe

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"unsafe"
)

const (
	catAliasesEndpoint = "GET /_cat/aliases"
	getAliasesEndpoint = "GET /_alias"
)

// How the aliases are read depends on the version (one request in every
// case, whatever the number of indices):
//   - Elasticsearch 7.4+ and every OpenSearch: _cat/aliases with the
//     is_write_index column (elastic/elasticsearch#45798);
//   - Elasticsearch 6.4 to 7.3: aliases have a write index, but _cat/aliases
//     has no such column (it silently drops an unknown one), so GET /_alias,
//     whose body carries is_write_index;
//   - Elasticsearch before 6.4: no write index; _cat/aliases, alias and index.
type aliasSource int

const (
	aliasesCatNoWriteIndex aliasSource = iota
	aliasesGetAlias
	aliasesCat
)

func (d *detected) aliasSource() aliasSource {
	switch {
	case d.isOpenSearch() || d.esAtLeast(7, 4):
		return aliasesCat
	case d.esAtLeast(6, 4):
		return aliasesGetAlias
	}
	return aliasesCatNoWriteIndex
}

// aliasesRequest is the request for the aliases of a cluster.
func aliasesRequest(d *detected) request {
	switch d.aliasSource() {
	case aliasesGetAlias:
		return request{getAliasesEndpoint, rawRequest{Path: "/_alias"}}
	case aliasesCat:
		return request{catAliasesEndpoint, rawRequest{Path: "/_cat/aliases", Query: url.Values{"format": {"json"}, "h": {"alias,index,is_write_index"}}}}
	}
	return request{catAliasesEndpoint, rawRequest{Path: "/_cat/aliases", Query: url.Values{"format": {"json"}, "h": {"alias,index"}}}}
}

// catAliasRow is one row of _cat/aliases?format=json. is_write_index is
// "true", "false", or "-" when the alias does not set it.
type catAliasRow struct {
	Alias        flexString `json:"alias"`
	Index        flexString `json:"index"`
	IsWriteIndex flexString `json:"is_write_index"`
}

// decodeCatAliases streams a _cat/aliases?format=json body. With writeIndex
// (the response has the is_write_index column) every alias gets IsWriteIndex: true
// only when the alias sets is_write_index: true for that index ("false" and
// "-" are false); without it IsWriteIndex stays nil. The result is sorted by
// alias, then index.
func decodeCatAliases(dec *decoder, writeIndex bool) ([]Alias, error) {
	out := []Alias{}
	err := streamArray(dec, func() error {
		var r catAliasRow
		start := dec.InputOffset()
		if err := dec.Decode(&r); err != nil {
			return err
		}
		if r.Alias == "" || r.Index == "" {
			return nil
		}
		a := Alias{Name: string(r.Alias), Index: string(r.Index)}
		if writeIndex {
			w := strings.EqualFold(string(r.IsWriteIndex), "true")
			a.IsWriteIndex = &w
		}
		out = append(out, a)
		return dec.keepSince(start, 2*unsafe.Sizeof(a), 1)
	})
	sortAliases(out)
	return out, err
}

// decodeGetAliases streams a GET /_alias body ({"index": {"aliases":
// {"alias": {"is_write_index": true, ...}}}}); indices without an alias are
// skipped. IsWriteIndex is set on every alias (true only when the alias sets
// is_write_index: true). Sorted like decodeCatAliases.
func decodeGetAliases(dec *decoder) ([]Alias, error) {
	out := []Alias{}
	err := streamObject(dec, func(index string) error {
		return streamObject(dec, func(key string) error {
			if key != "aliases" {
				return skipValue(dec)
			}
			return streamObject(dec, func(alias string) error {
				var a struct {
					IsWriteIndex flexString `json:"is_write_index"`
				}
				if err := dec.Decode(&a); err != nil {
					return err
				}
				w := a.IsWriteIndex == "true"
				out = append(out, Alias{Name: alias, Index: index, IsWriteIndex: &w})
				return dec.keepStrings(2*unsafe.Sizeof(Alias{})+8, alias, index)
			})
		})
	})
	sortAliases(out)
	return out, err
}

func sortAliases(out []Alias) {
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Index < out[j].Index
	})
}

func collectAliases(ctx context.Context, p *clusterProbe) {
	var aliases []Alias
	how := p.d.aliasSource()
	req := aliasesRequest(p.d)
	fe := p.c.get(ctx, req, func(dec *decoder) (err error) {
		if how == aliasesGetAlias {
			aliases, err = decodeGetAliases(dec)
		} else {
			aliases, err = decodeCatAliases(dec, how == aliasesCat)
		}
		return err
	})
	if fe != nil {
		p.fail("aliases", fe)
		return
	}
	p.cf.Aliases = aliases
	src := req.endpoint + p.on()
	if how == aliasesCatNoWriteIndex {
		src += " (no write index before Elasticsearch 6.4)"
	}
	p.source("aliases", src)
}
