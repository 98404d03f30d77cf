package probe

import (
	"bytes"
	"errors"
	"testing"
)

// responseDecoders are the decoders of every response body the probe reads
// that has no fuzz target of its own (FuzzDecodeRoot, FuzzDecodeNodes,
// FuzzDecodeCatIndices, FuzzDecodeIndexSettings), by the path they read.
var responseDecoders = []struct {
	path   string
	decode func(dec *decoder) error
}{
	{"/_cat/aliases", func(d *decoder) error { _, err := decodeCatAliases(d, true); return err }},
	{"/_cat/aliases", func(d *decoder) error { _, err := decodeCatAliases(d, false); return err }},
	{"/_alias", func(d *decoder) error { _, err := decodeGetAliases(d); return err }},
	{"/_cat/allocation", func(d *decoder) error { _, err := decodeAllocation(d); return err }},
	{"/_migration/deprecations", func(d *decoder) error { _, err := decodeDeprecations(d); return err }},
	{"/_xpack/migration/deprecations", func(d *decoder) error { _, err := decodeDeprecations(d); return err }},
	{"/_data_stream", func(d *decoder) error { _, _, err := decodeDataStreams(d); return err }},
	{"/_cluster/state/metadata", func(d *decoder) error { _, err := decodeSystemFlags(d); return err }},
	{"/_cluster/state/metadata", func(d *decoder) error { _, err := decodeStoredScripts(d); return err }},
	{"/_ilm/policy", func(d *decoder) error { _, err := decodeILM(d); return err }},
	{"/_plugins/_ism/policies", func(d *decoder) error { _, _, err := decodeISM(d); return err }},
	{"/_all", func(d *decoder) error { _, _, err := decodeIndexContents(d, false); return err }},
	{"/_all", func(d *decoder) error { _, _, err := decodeIndexContents(d, true); return err }},
	{"/_ingest/pipeline", func(d *decoder) error { _, err := decodePipelines(d); return err }},
	{"/_snapshot", func(d *decoder) error { _, err := decodeRepositories(d); return err }},
	{"/_nodes/settings", func(d *decoder) error { _, err := decodeNodeSettings(d); return err }},
	{"/_cluster/settings", func(d *decoder) error { _, err := decodeClusterSettings(d); return err }},
	{"/_template", func(d *decoder) error { _, err := decodeLegacyTemplates(d); return err }},
	{"/_index_template", func(d *decoder) error { _, err := decodeComposableTemplates(d); return err }},
	{"/_component_template", func(d *decoder) error { _, err := decodeComponentTemplates(d); return err }},
	{"/_cluster/health", func(d *decoder) error {
		var h struct {
			Status      flexString `json:"status"`
			ClusterName flexString `json:"cluster_name"`
		}
		return d.Decode(&h)
	}},
}

// FuzzDecodeResponses: no response body makes a decoder panic, and none
// gets past the decoder's memory budget: a small budget fails with the
// budget error or decodes what a large one does.
func FuzzDecodeResponses(f *testing.F) {
	for _, dir := range recordingDirsOrNil() {
		for _, e := range loadManifest(f, dir).Exchanges {
			for i, d := range responseDecoders {
				if d.path == e.Path {
					f.Add(uint8(i), e.body)
				}
			}
		}
	}
	for i := range responseDecoders {
		for _, s := range []string{`{}`, `[]`, `null`, `{"a":{"b":{"c":[1,{"d":null}]}}}`, `[{"a":1},{"b":"x"}]`, `{"a":null,"b":[],"c":"x"}`, `{"a":{"settings":{"index":null}}}`} {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		d := responseDecoders[int(which)%len(responseDecoders)]
		err := d.decode(newDecoder(b))
		small := d.decode(responseDecoder(bytes.NewReader(b), int64(len(b)/4)))
		var be *budgetError
		if small != nil && !errors.As(small, &be) && err == nil {
			t.Fatalf("%s: with a small budget the decoder failed with %v, not the budget error, but decodes with a large one", d.path, small)
		}
	})
}
