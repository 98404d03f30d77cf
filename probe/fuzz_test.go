package probe

import (
	"bytes"
	"testing"
)

// seedFromRecordings adds every recorded body of path as a fuzz seed.
func seedFromRecordings(f *testing.F, path string, extra ...string) {
	for _, dir := range recordingDirsOrNil() {
		m := loadManifest(f, dir)
		for _, e := range m.Exchanges {
			if e.Path == path {
				f.Add(e.body)
			}
		}
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

func newDecoder(b []byte) *decoder {
	return responseDecoder(bytes.NewReader(b), DefaultMaxResponseBytes)
}

func FuzzDecodeRoot(f *testing.F) {
	seedFromRecordings(f, "/", `{"version":{"number":"7.10.2"},"tagline":"The OpenSearch Project"}`, `{"version":{"number":""}}`, `null`, `[]`)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRoot(newDecoder(b))
		if err != nil {
			return
		}
		d, err := detect(r)
		if err != nil {
			return
		}
		if d.Version == nil || (d.Product != "elasticsearch" && d.Product != "opensearch") {
			t.Fatalf("detect gave %+v", d)
		}
		_ = d.expandWildcardsAll() || d.hasDataStreams() || d.hasSystemFlag()
	})
}

func FuzzDecodeNodes(f *testing.F) {
	seedFromRecordings(f, "/_nodes/plugins", `{"nodes":{"a":{"name":1,"roles":null,"plugins":[{}]}}}`, `{"nodes":null}`, `{"nodes":[]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		nodes, err := decodeNodes(newDecoder(b))
		if err != nil {
			return
		}
		for _, n := range nodes {
			if n.Roles == nil || n.Plugins == nil {
				t.Fatalf("node %+v has nil lists", n)
			}
		}
		_, _ = detectFromNodes(nodes, false)
	})
}

func FuzzDecodeCatIndices(f *testing.F) {
	seedFromRecordings(f, "/_cat/indices", `[{"index":"a","docs.count":null,"pri":"1.0"}]`, `[1,2]`, `[{"index":{"x":1}}]`, `null`)
	f.Fuzz(func(t *testing.T, b []byte) {
		cat, err := decodeCatIndices(newDecoder(b))
		if err != nil {
			return
		}
		// The merge must cope with whatever the decoder accepted.
		settings, _ := decodeIndexSettings(newDecoder(b))
		out := mergeIndices(cat, settings, nil, nil)
		if len(out) < len(cat)-countDuplicates(cat) {
			t.Fatalf("merge lost indices")
		}
	})
}

// FuzzDecodeIndexSettings covers the other large body.
func FuzzDecodeIndexSettings(f *testing.F) {
	seedFromRecordings(f, "/_all/_settings", `{"a":{"settings":{"index.version.created":"99999999999999999999"}}}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		settings, err := decodeIndexSettings(newDecoder(b))
		if err != nil {
			return
		}
		mergeIndices(nil, settings, map[string]string{}, map[string]bool{})
	})
}

func countDuplicates(ix []Index) int {
	seen := map[string]bool{}
	n := 0
	for _, i := range ix {
		if seen[i.Name] {
			n++
		}
		seen[i.Name] = true
	}
	return n
}
