package probe

import (
	"reflect"
	"strings"
	"testing"
)

func TestGlob(t *testing.T) {
	cases := []struct {
		pat, name string
		want      bool
	}{
		{"*", ".kibana", true},
		{"orders-*", "orders-2024", true},
		{"orders-*", "orders", false},
		{"*-2024", "logs-2024", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "acb", false},
		{"ab*ba", "aba", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"*kib*", ".kibana_1", true},
	}
	for _, c := range cases {
		if got := Glob(c.pat, c.name); got != c.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", c.pat, c.name, got, c.want)
		}
	}
}

func TestMatcherOrder(t *testing.T) {
	m := NewMatcher([]string{"logs-*", "-logs-debug*", "logs-debug-keep"})
	for name, want := range map[string]bool{"logs-app": true, "logs-debug-1": false, "logs-debug-keep": true, "orders": false} {
		if got := m.Match(name); got != want {
			t.Errorf("Match(%q) = %v, want %v", name, got, want)
		}
	}
	if !NewMatcher([]string{"_all"}).Match("x") {
		t.Error("_all does not match")
	}
}

func TestSelect(t *testing.T) {
	idx := []Index{
		{Name: "orders-1", Status: "open", PrimaryStoreBytes: 10, StoreBytes: 20, DocsCount: 3, CreatedVersion: "6.8.23", CreatedProduct: "elasticsearch", CreatedMajor: 6, CreatedMinor: 8},
		{Name: "orders-2", Status: "close", PrimaryStoreBytes: 5, StoreBytes: 5, CreatedVersion: "7.10.2", CreatedProduct: "elasticsearch", CreatedMajor: 7, CreatedMinor: 10},
		{Name: ".kibana_1", Status: "open", CreatedVersion: "6.8.23", CreatedProduct: "elasticsearch", CreatedMajor: 6, CreatedMinor: 8},
		{Name: ".ds-logs-000001", Status: "open", DataStream: "logs", CreatedVersion: "7.10.2", CreatedProduct: "elasticsearch", CreatedMajor: 7, CreatedMinor: 10},
		{Name: "tmp", Status: "open"},
	}
	s := Select(idx, []string{"*", "-tmp"})
	if !s.Known || s.Count != 4 || s.PrimaryStoreBytes != 15 || s.StoreBytes != 25 || s.Docs != 3 {
		t.Errorf("totals: %+v", s)
	}
	if !reflect.DeepEqual(s.DotPrefixed, []string{".kibana_1"}) || !reflect.DeepEqual(s.Closed, []string{"orders-2"}) {
		t.Errorf("classes: dot %v closed %v", s.DotPrefixed, s.Closed)
	}
	want := []CreatedGroup{
		{Product: "elasticsearch", Version: "6.8.23", Major: 6, Minor: 8, Count: 2, Indices: []string{".kibana_1", "orders-1"}},
		{Product: "elasticsearch", Version: "7.10.2", Major: 7, Minor: 10, Count: 2, Indices: []string{".ds-logs-000001", "orders-2"}},
	}
	if !reflect.DeepEqual(s.ByCreated, want) {
		t.Errorf("by_created = %+v", s.ByCreated)
	}
	u := Select(idx, []string{"tmp"})
	if len(u.ByCreated) != 1 || u.ByCreated[0].Major != -1 || u.ByCreated[0].Version != "" {
		t.Errorf("unknown created version group: %+v", u.ByCreated)
	}
	if unk := Select(nil, []string{"*"}); unk.Known || unk.Count != 0 || unk.Names == nil {
		t.Errorf("unknown indices: %+v", unk)
	}
}

// dataStreamIndices: logs-app is a data stream with two hidden backing
// indices; orders-1 is a plain index.
var dataStreamIndices = []Index{
	{Name: ".ds-logs-app-2026.01.01-000001", Status: "open", Hidden: true, DataStream: "logs-app", PrimaryStoreBytes: 7},
	{Name: ".ds-logs-app-2026.02.01-000002", Status: "open", Hidden: true, DataStream: "logs-app", PrimaryStoreBytes: 9},
	{Name: ".ds-metrics-db-2026.01.01-000001", Status: "open", Hidden: true, DataStream: "metrics-db"},
	{Name: "orders-1", Status: "open"},
}

// TestSelectDataStreams: a pattern that matches a data stream's name selects
// its backing indices, as Elasticsearch resolves index expressions; an
// exclusion that matches the stream removes them.
func TestSelectDataStreams(t *testing.T) {
	both := []string{".ds-logs-app-2026.01.01-000001", ".ds-logs-app-2026.02.01-000002"}
	for _, c := range []struct {
		patterns []string
		want     []string
	}{
		{[]string{"logs-*"}, both},
		{[]string{"logs-app"}, both},
		{[]string{"*-app"}, both},
		{[]string{"*", "-logs-*"}, []string{".ds-metrics-db-2026.01.01-000001", "orders-1"}},
		{[]string{"*", "-logs-app"}, []string{".ds-metrics-db-2026.01.01-000001", "orders-1"}},
		{[]string{"logs-*", "-.ds-logs-app-2026.01.01-000001"}, both[1:]},
	} {
		s := Select(dataStreamIndices, c.patterns)
		if !reflect.DeepEqual(s.Names, c.want) {
			t.Errorf("Select(%q) = %v, want %v", c.patterns, s.Names, c.want)
		}
	}
	if s := Select(dataStreamIndices, []string{"logs-*"}); s.PrimaryStoreBytes != 16 || len(s.DotPrefixed) != 0 {
		t.Errorf("logs-* totals %d bytes, dot-prefixed %v: backing indices are data, not system indices", s.PrimaryStoreBytes, s.DotPrefixed)
	}
	// the streams of the selected backing indices, each once
	for pats, want := range map[string][]string{"logs-*": {"logs-app"}, "*": {"logs-app", "metrics-db"}, "orders-*": {}} {
		if got := Select(dataStreamIndices, []string{pats}).DataStreams; !reflect.DeepEqual(got, want) {
			t.Errorf("Select(%q).DataStreams = %v, want %v", pats, got, want)
		}
	}
}

// TestSelectDataStreamsQuiet: patterns that match neither a stream nor a
// backing index select none of them.
func TestSelectDataStreamsQuiet(t *testing.T) {
	for _, pats := range [][]string{{"orders-*"}, {"log-*"}, {"logs-app-*"}, {"logs"}} {
		for _, n := range Select(dataStreamIndices, pats).Names {
			if strings.HasPrefix(n, ".ds-") {
				t.Errorf("Select(%q) selects %s", pats, n)
			}
		}
	}
}
