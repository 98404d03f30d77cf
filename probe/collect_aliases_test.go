package probe

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
)

func TestAliasesRequestByVersion(t *testing.T) {
	es := func(major, minor int) *detected {
		return &detected{Product: "elasticsearch", Version: &Version{Major: major, Minor: minor}}
	}
	cases := []struct {
		d    *detected
		want string
	}{
		{es(5, 6), "/_cat/aliases?format=json&h=alias%2Cindex"},
		{es(6, 3), "/_cat/aliases?format=json&h=alias%2Cindex"},
		{es(6, 4), "/_alias"},
		{es(6, 8), "/_alias"},
		{es(7, 3), "/_alias"},
		{es(7, 4), "/_cat/aliases?format=json&h=alias%2Cindex%2Cis_write_index"},
		{es(8, 19), "/_cat/aliases?format=json&h=alias%2Cindex%2Cis_write_index"},
		{&detected{Product: "opensearch", Version: &Version{Major: 1, Minor: 3}}, "/_cat/aliases?format=json&h=alias%2Cindex%2Cis_write_index"},
	}
	for _, c := range cases {
		req := aliasesRequest(c.d).api.(rawRequest)
		got := req.Path
		if q := req.Query.Encode(); q != "" {
			got += "?" + q
		}
		if got != c.want {
			t.Errorf("%s %d.%d: %s, want %s", c.d.Product, c.d.Version.Major, c.d.Version.Minor, got, c.want)
		}
	}
}

func bodyDecoder(body string) *decoder {
	return responseDecoder(strings.NewReader(body), DefaultMaxResponseBytes)
}

func TestDecodeCatAliases(t *testing.T) {
	yes, no := true, false
	body := `[{"alias":"orders","index":"orders-2025","is_write_index":"true"},{"alias":".kibana","index":".kibana_1","is_write_index":"-"},` +
		`{"alias":"orders","index":"orders-2024","is_write_index":"false"},{"alias":"","index":"x"}]`
	got, err := decodeCatAliases(bodyDecoder(body), true)
	if err != nil {
		t.Fatal(err)
	}
	want := []Alias{{".kibana", ".kibana_1", &no}, {"orders", "orders-2024", &no}, {"orders", "orders-2025", &yes}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %s, want %s", aliasesString(got), aliasesString(want))
	}
	// Without the column (Elasticsearch before 6.4): no write-index flag at all.
	got, err = decodeCatAliases(bodyDecoder(`[{"alias":"orders","index":"orders-2025"}]`), false)
	if err != nil || len(got) != 1 || got[0].IsWriteIndex != nil {
		t.Errorf("got %s, %v; want one alias with a nil write flag", aliasesString(got), err)
	}
	if got, err := decodeCatAliases(bodyDecoder(`[]`), true); err != nil || got == nil || len(got) != 0 {
		t.Errorf("empty body: %v, %v; want an empty, non-nil list", got, err)
	}
	if _, err := decodeCatAliases(bodyDecoder(`{"alias":"x"}`), true); err == nil {
		t.Errorf("an object body decoded without error")
	}
}

func TestDecodeGetAliases(t *testing.T) {
	yes, no := true, false
	body := `{".kibana_1":{"aliases":{".kibana":{}}},"logs-app":{"aliases":{}},"orders-2024":{"aliases":{"orders":{"filter":{"term":{"a":1}}}}},` +
		`"orders-2025":{"aliases":{"orders":{"is_write_index":true},"current":{"is_write_index":false}}},"other":{"settings":{}}}`
	got, err := decodeGetAliases(bodyDecoder(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []Alias{{".kibana", ".kibana_1", &no}, {"current", "orders-2025", &no}, {"orders", "orders-2024", &no}, {"orders", "orders-2025", &yes}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %s, want %s", aliasesString(got), aliasesString(want))
	}
	if _, err := decodeGetAliases(bodyDecoder(`[]`)); err == nil {
		t.Errorf("an array body decoded without error")
	}
}

// TestAliasesUnknownOnFailure: a failed alias request makes only the aliases
// unknown, with the request and the reason.
func TestAliasesUnknownOnFailure(t *testing.T) {
	srv := fakeCluster(t, map[string]http.HandlerFunc{
		"/_cat/aliases": status(403, `{"error":{"type":"security_exception","reason":"action [indices:admin/aliases/get] is unauthorized"}}`),
	})
	_, c := probeOne(t, srv.URL, testOptions())
	if c.Aliases != nil {
		t.Errorf("aliases = %+v, want nil (unknown)", c.Aliases)
	}
	wantUnknown(t, c, "aliases", catAliasesEndpoint, "HTTP 403")
	if len(c.Unknown) != 1 {
		t.Errorf("unknown = %+v, want the aliases only", c.Unknown)
	}
	if _, ok := c.Sources["aliases"]; ok {
		t.Errorf("a source is recorded for unknown aliases: %q", c.Sources["aliases"])
	}

	srv = fakeCluster(t, map[string]http.HandlerFunc{"/_cat/aliases": status(200, `{"not":"a list"}`)})
	_, c = probeOne(t, srv.URL, testOptions())
	wantUnknown(t, c, "aliases", catAliasesEndpoint, "malformed response")
}

// TestAliasesOneRequest: the aliases cost one request, whatever the number of
// indices and aliases.
func TestAliasesOneRequest(t *testing.T) {
	for _, n := range []int{1, 2000} {
		var rows []string
		for i := range n {
			rows = append(rows, fmt.Sprintf(`{"alias":"a%d","index":"i%d","is_write_index":"true"}`, i%50, i))
		}
		var calls atomic.Int64
		srv := fakeCluster(t, map[string]http.HandlerFunc{
			"/_cat/aliases": func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				if got := r.URL.Query().Get("h"); got != "alias,index,is_write_index" {
					t.Errorf("h = %q", got)
				}
				status(200, "["+strings.Join(rows, ",")+"]")(w, r)
			},
		})
		_, c := probeOne(t, srv.URL, testOptions())
		if calls.Load() != 1 || len(c.Aliases) != n {
			t.Errorf("%d aliases: %d requests, %d aliases collected; want 1 request", n, calls.Load(), len(c.Aliases))
		}
		if c.Sources["aliases"] != "GET /_cat/aliases on the source" {
			t.Errorf("source = %q", c.Sources["aliases"])
		}
	}
}

// TestAliasesNotProbed: without a probe the aliases are unknown, like every probed fact.
func TestAliasesNotProbed(t *testing.T) {
	p := planFor("")
	c := DeclaredCluster(p, RoleSource)
	if c.Aliases != nil || !c.IsUnknown("aliases") {
		t.Errorf("declared cluster: aliases %+v, unknown %+v; want unknown", c.Aliases, c.Unknown)
	}
}
