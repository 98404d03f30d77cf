package probe

import (
	"strings"
	"testing"
)

func TestDecodeIndexVersion(t *testing.T) {
	tests := []struct {
		id      int64
		product string
		version string
		major   int
		minor   int
	}{
		// Elasticsearch release ids (Version.java / IndexVersions.java).
		{5061699, "elasticsearch", "5.6.16", 5, 6},
		{6082399, "elasticsearch", "6.8.23", 6, 8},
		{6000026, "elasticsearch", "6.0.0-beta1", 6, 0},
		{6000001, "elasticsearch", "6.0.0-alpha1", 6, 0},
		{7000051, "elasticsearch", "7.0.0-rc1", 7, 0},
		{7100299, "elasticsearch", "7.10.2", 7, 10},
		{7172999, "elasticsearch", "7.17.29", 7, 17},
		{8100099, "elasticsearch", "8.10.0", 8, 10},
		// Detached ids: FIRST_DETACHED_INDEX_VERSION = 8_500_000; 8.19 writes 8_537_000 (recorded).
		{8500000, "elasticsearch", "8.11+ (index version 8500000)", 8, -1},
		{8537000, "elasticsearch", "8.11+ (index version 8537000)", 8, -1},
		{9000000, "elasticsearch", "9.x (index version 9000000)", 9, -1},
		{9039000, "elasticsearch", "9.x (index version 9039000)", 9, -1},
		// OpenSearch: legacy id ^ 0x08000000 (Version.java MASK); recorded from real nodes.
		{135249227, "opensearch", "1.3.14", 1, 3},
		{136408427, "opensearch", "2.19.6", 2, 19},
		{2190599 ^ 0x08000000, "opensearch", "2.19.5", 2, 19},
		{1000099 ^ 0x08000000, "opensearch", "1.0.0", 1, 0},
		{2190099 ^ 0x08000000, "opensearch", "2.19.0", 2, 19},
		{137307827, "opensearch", "3.9.0", 3, 9},
	}
	for _, tc := range tests {
		v, err := DecodeIndexVersion(tc.id)
		if err != nil {
			t.Errorf("%d: %v", tc.id, err)
			continue
		}
		if v.Product != tc.product || v.Version != tc.version || v.Major != tc.major || v.Minor != tc.minor || v.ID != tc.id {
			t.Errorf("%d = %+v, want %s %s %d.%d", tc.id, v, tc.product, tc.version, tc.major, tc.minor)
		}
	}
	for _, bad := range []int64{0, -5, 999, 0x08000000, 0x08000000 + 9_000_000} {
		if v, err := DecodeIndexVersion(bad); err == nil {
			t.Errorf("%d decoded to %+v, want an error", bad, v)
		}
	}
	if _, err := ParseIndexVersion("abc"); err == nil {
		t.Errorf("want an error for a non-number")
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		body, product, number string
		overridden            bool
	}{
		{`{"version":{"number":"7.10.2","distribution":"opensearch"},"tagline":"The OpenSearch Project: https://opensearch.org/"}`, "opensearch", "7.10.2", false},
		{`{"version":{"number":"7.10.2"},"tagline":"The OpenSearch Project: https://opensearch.org/"}`, "opensearch", "7.10.2", true},
		{`{"version":{"number":"2.19.0","distribution":"opensearch"},"tagline":"x"}`, "opensearch", "2.19.0", false},
		{`{"version":{"number":"5.6.16"},"tagline":"You Know, for Search"}`, "elasticsearch", "5.6.16", false},
		{`{"version":{"number":"8.0.0-rc1","build_flavor":"default"},"tagline":"You Know, for Search"}`, "elasticsearch", "8.0.0-rc1", false},
	}
	for _, tc := range tests {
		r, err := decodeRoot(responseDecoder(strings.NewReader(tc.body), 0))
		if err != nil {
			t.Fatal(err)
		}
		d, err := detect(r)
		if err != nil || d.Product != tc.product || d.Version.Number != tc.number || d.VersionOverridden != tc.overridden {
			t.Errorf("%s: %+v %v", tc.body, d, err)
		}
	}
	for _, bad := range []string{`{}`, `{"version":{"number":"x.y"}}`} {
		r, _ := decodeRoot(responseDecoder(strings.NewReader(bad), 0))
		if _, err := detect(r); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func TestGates(t *testing.T) {
	es := func(maj, min int) *detected {
		return &detected{Product: "elasticsearch", Version: &Version{Major: maj, Minor: min}}
	}
	os := &detected{Product: "opensearch", Version: &Version{Major: 1, Minor: 0}}
	cases := []struct {
		d                      *detected
		expand, streams, sysfl bool
	}{
		{es(5, 6), false, false, false},
		{es(6, 8), false, false, false},
		{es(7, 6), false, false, false},
		{es(7, 7), true, false, false},
		{es(7, 9), true, true, false},
		{es(7, 10), true, true, true},
		{es(8, 0), true, true, true},
		{os, true, true, false},
	}
	for _, c := range cases {
		if c.d.expandWildcardsAll() != c.expand || c.d.hasDataStreams() != c.streams || c.d.hasSystemFlag() != c.sysfl {
			t.Errorf("%s %d.%d: gates %v %v %v", c.d.Product, c.d.Version.Major, c.d.Version.Minor,
				c.d.expandWildcardsAll(), c.d.hasDataStreams(), c.d.hasSystemFlag())
		}
	}
}

func TestDetectFromNodes(t *testing.T) {
	d, err := detectFromNodes([]Node{{Name: "a", Version: "8.19.21"}, {Name: "b", Version: "8.18.0"}}, true)
	if err != nil || d.Product != "elasticsearch" || d.Version.Number != "8.18.0" {
		t.Errorf("%+v %v", d, err)
	}
	d, err = detectFromNodes([]Node{{Name: "a", Version: "2.19.6"}}, false)
	if err != nil || d.Product != "opensearch" {
		t.Errorf("%+v %v", d, err)
	}
	if _, err := detectFromNodes(nil, false); err == nil {
		t.Errorf("no nodes: want an error")
	}
}

func TestSettingsHelpers(t *testing.T) {
	var got []string
	flattenSettings("", map[string]any{"a": map[string]any{"b.c": "1", "d": []any{"x", "y"}}}, func(k string, v any) {
		got = append(got, k+"="+settingString(v))
	})
	if strings.Join(sortStrings(got), ";") != "a.b.c=1;a.d=x,y" {
		t.Errorf("flatten = %v", got)
	}
	if l := settingList(" h1:9200, h2:9200 ,"); len(l) != 2 || l[1] != "h2:9200" {
		t.Errorf("settingList = %q", l)
	}
	for k, want := range map[string]bool{"access_key": true, "secret_key": true, "client.password": true, "session_token": true, "credentials_file": true, "bucket": false, "base_path": false, "endpoint": false} {
		if IsSecretSettingKey(k) != want {
			t.Errorf("IsSecretSettingKey(%q) != %v", k, want)
		}
	}
	if got := RedactText(`url is https://u:p@host:9200/x and http://host`); got != "url is https://host:9200/x and http://host" {
		t.Errorf("RedactText = %q", got)
	}
}

func sortStrings(s []string) []string {
	out := append([]string{}, s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
