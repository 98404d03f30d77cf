package probe_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/probe/synthetic"
)

// readFactsJSON is the reference for ReadFacts: encoding/json on the whole
// document with unknown keys refused, keys given twice refused at the levels
// ReadFacts streams (top, clusters, a cluster), nothing after the object,
// then the schema and the same checks and derivations.
func readFactsJSON(b []byte) (*probe.Facts, error) {
	if i := bytes.IndexFunc(b, func(r rune) bool { return !strings.ContainsRune(" \t\r\n", r) }); i < 0 || b[i] != '{' {
		return nil, fmt.Errorf("not an object")
	}
	if err := duplicateKeys(b); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f probe.Facts
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode facts: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the document")
	}
	if f.Schema != probe.FactsSchema {
		return nil, fmt.Errorf("facts schema is %q, want %q", f.Schema, probe.FactsSchema)
	}
	if err := probe.CheckFactsWhole(&f); err != nil {
		return nil, err
	}
	return &f, nil
}

// duplicateKeys finds a key given twice (as encoding/json matches keys) in
// the document, in "clusters" or in a cluster.
func duplicateKeys(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	object := func(names []string, inner func(name string) error) error {
		tok, err := dec.Token()
		if err != nil || tok != json.Delim('{') {
			return nil // not an object: left to the decoder
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil
			}
			key, _ := tok.(string)
			name := probe.MemberFor(key, names)
			if name != "" && seen[name] {
				return fmt.Errorf("duplicate key %q", key)
			}
			seen[name] = true
			if err := inner(name); err != nil {
				return err
			}
		}
		dec.Token()
		return nil
	}
	skip := func(string) error { var raw json.RawMessage; dec.Decode(&raw); return nil }
	return object(probe.FactsNames, func(name string) error {
		if name != "clusters" {
			return skip(name)
		}
		return object(probe.ClustersNames, func(role string) error {
			if role == "" {
				return skip(role)
			}
			return object(probe.ClusterNames, skip)
		})
	})
}

// requireSameFacts checks that ReadFacts and the reference agree: the same
// facts (nil and empty slices told apart), or both an error.
func requireSameFacts(t *testing.T, b []byte) {
	t.Helper()
	want, werr := readFactsJSON(b)
	got, gerr := probe.ReadFacts(bytes.NewReader(b))
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("ReadFacts error %v, encoding/json error %v on %.300q", gerr, werr, b)
	}
	if werr != nil {
		return
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("ReadFacts differs from encoding/json on %.300q:\n got %.1000s\nwant %.1000s", b, g, w)
	}
}

func exampleFacts(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, _ := filepath.Glob("../testdata/examples/*.facts.json")
	more, _ := filepath.Glob("../testdata/advice/*.json")
	files = append(files, more...)
	if len(files) == 0 {
		tb.Fatal("no example facts")
	}
	out := map[string][]byte{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		out[file] = b
	}
	return out
}

func TestReadFactsExamples(t *testing.T) {
	for file, b := range exampleFacts(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			requireSameFacts(t, b)
			if _, err := probe.ReadFacts(bytes.NewReader(b)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestReadFactsSynthetic(t *testing.T) {
	for _, n := range []int{0, 1, 7, 300, 3000} {
		for seed := int64(1); seed <= 2; seed++ {
			f := synthetic.Facts(n, seed)
			b, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			requireSameFacts(t, b)
			// Indented, as espreflight probe -o writes it.
			b, _ = json.MarshalIndent(f, "", "  ")
			requireSameFacts(t, b)
		}
	}
}

// TestReadFactsShapes covers what the writers never produce but a hand-made
// or damaged file can hold: nulls, empty lists, unknown, case-folded and
// repeated keys, escapes, odd element values. ReadFacts must agree with the
// whole-document reference on each: the same facts, or both an error.
func TestReadFactsShapes(t *testing.T) {
	const s = `"schema":"espreflight.facts/v1","collected_at":"2026-11-26T12:00:00Z"`
	for _, doc := range []string{
		`{` + s + `}`,
		`{` + s + `,"clusters":null}`,
		`{` + s + `,"clusters":{}}`,
		`{` + s + `,"clusters":{"source":null}}`,
		`{` + s + `,"clusters":{"source":{}}}`,
		`{` + s + `,"clusters":{"source":{"indices":null}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[null,{},{"name":"a"}]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"},{"name":"b","created_id":7100299}]}}}`,
		`{` + s + `,"clusters":{"Source":{"INDICES":[{"Name":"a","docs_count":3}],"Nodes":[]},"other":{"x":[1,{}]}}}`,
		`{` + s + `,"clusters":{"Source":{"INDICES":[{"Name":"a","docs_count":3}],"Nodes":[]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a","status":"open"},{"name":"b"}],"indices":[{"docs_count":1}]}}}`,
		`{` + s + `,"clusters":{"source":{"product":"elasticsearch"},"source":{"endpoint":"e","indices":[{}]}}}`,
		`{` + s + `,"clusters":{"source":{"settings":{"a":1}}},"clusters":{"source":{"settings":{"b":2}}}}`,
		`{` + s + `,"clusters":{"source":{"settings":{"a":1},"Settings":{"b":2}}}}`,
		`{` + s + `,"clu\u0073ters":{"sour\u0063e":{"ind\u0069ces":[{"n\u0061me":"\u00fc\ud83d\ude00<&>"}]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"bad-` + "\xff\xfe" + `"}]}}}`,
		`{"` + "\xff" + `":1,` + s + `,"unknown":{"deep":[[[{}]]]},"tool":{"version":"x"}}`,
		`{` + s + `,"tool":{"version":"x","colour":"red"}}`,
		`{` + s + `,"plan":{"source":{"tls":{"ca_flie":"x"}}}}`,
		"  \n\t{" + s + `}`,
		`{` + s + `,"runner":{"reachable":{"source":true}}}`,
		`{"schema":"espreflight.facts/v1","collected_at":"2026-11-26T12:00:00+02:00"}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a","docs_count":1e3}]}}}`,
		`{` + s + `,"clusters":{"source":{"version":{"number":"7.10.2"},"nodes":[{"name":"n","version":"7.10.2"}]}}}`,
		`{` + s + `,"clusters":{"source":{"version":{"number":"7.10.2","major":6}}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a","store_bytes":5}],"totals":{"indices":1,"store_bytes":5}}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a","store_bytes":5}],"totals":{"indices":1,"store_bytes":6}}}}`,
		`{` + s + `} trailing`,
		`{` + s + `}}`,
		`{` + s + `} {}`,
		`{"schema":"other","collected_at":"2026-11-26T12:00:00Z"}`,
		`null`,
		``,
		`   `,
		`[]`,
		`"x"`,
		`{`,
		`{"schema"`,
		`{` + s + `,"clusters":[]}`,
		`{` + s + `,"clusters":{"source":[]}}`,
		`{` + s + `,"clusters":{"source":"x"}}`,
		`{` + s + `,"clusters":{"source":{"indices":{}}}}`,
		`{` + s + `,"clusters":{"source":{"indices":"x"}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[1]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"docs_count":"1"}]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"docs_count":1.5}]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"},]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"}] "x":1}}}`,
		`{` + s + `,"clusters":{"source":{"nodes":"x"}}}`,
		`{` + s + `,"clusters":{"source":{"nodes":[}}}`,
		`{` + s + `,"plan":7}`,
		`{"schema":"espreflight.facts/v1","collected_at":"yesterday"}`,
		`{` + s + `,1:2}`,
	} {
		requireSameFacts(t, []byte(doc))
	}
}

// TestReadFactsErrors: a malformed document gives an error that says where
// (JSON path or byte offset) and what to do, and never panics.
func TestReadFactsErrors(t *testing.T) {
	const s = `"schema":"espreflight.facts/v1","collected_at":"2026-11-26T12:00:00Z"`
	for doc, want := range map[string]string{
		// Values (item 17): a type, a negative size, a non-numeric version, an unknown field with a did-you-mean.
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"},{"name":"b","docs_count":"1"}]}}}`: `clusters.source.indices[1].docs_count: want a whole number, got a JSON string`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a","store_bytes":-5}]}}}`:              `clusters.source.indices[0].store_bytes: -5 is negative`,
		`{` + s + `,"clusters":{"source":{"version":{"number":"seven"}}}}`:                           `clusters.source.version.number: "seven" is not a version`,
		`{` + s + `,"clusters":{"source":{"nodes":[{"name":"n1","version":"x.y"}]}}}`:                `clusters.source.nodes[0].version: "x.y" is not a version (node n1)`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a","created_version":"abc"}]}}}`:       `clusters.source.indices[0].created_version: "abc" is not a version (index a)`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a","creted_major":6}]}}}`:              `clusters.source.indices[0].creted_major: unknown field (did you mean "created_major"?)`,
		`{` + s + `,"clusters":{"source":{"verison":{"number":"7.10.2"}}}}`:                          `clusters.source.verison: unknown field (did you mean "version"?)`,
		`{` + s + `,"clusters":{"source":{"version":{"number":"7.10.2","minnor":10}}}}`:              `clusters.source.version.minnor: unknown field (did you mean "minor"?)`,
		`{` + s + `,"plan":{"source":{"tls":{"ca_flie":"x"}}}}`:                                      `plan.source.tls.ca_flie: unknown field (did you mean "ca_file"?)`,
		`{` + s + `,"clusters":{"sorce":{}}}`:                                                        `clusters.sorce: unknown field (did you mean "source"?)`,
		`{` + s + `,"colected_at":"x"}`:                                                              `colected_at: unknown field (did you mean "collected_at"?)`,
		`{` + s + `,"clusters":{"source":{"unknown":[{"fact":"indexes"}]}}}`:                         `clusters.source.unknown[0].fact: "indexes" is not a fact (did you mean "indices"?)`,
		`{` + s + `,"clusters":{"source":{"totals":{"indices":-1}}}}`:                                `clusters.source.totals.indices: -1 is negative`,
		`{` + s + `,"clusters":{"destination":{"indices":"x"}}}`:                                     `clusters.destination.indices: want a list, got a JSON string`,
		`{` + s + `,"clusters":{"source":[]}}`:                                                       `clusters.source: want an object, got a JSON array`,
		`{` + s + `,"clusters":{"source":{"product":"es"}}}`:                                         `clusters.source.product: "es" is not a product`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"}],"indices":[]}}}`:                  `clusters.source.indices: given twice`,
		// Derived fields (item 15).
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"orders","created_id":6082399,"created_major":7,"created_minor":10}]}}}`: `clusters.source.indices[0].created_major: created_major 7, created_minor 10 disagrees with created_id 6082399, which says 6 and 8 (index orders)`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"orders","created_id":6082399,"created_version":"7.10.2"}]}}}`:           `clusters.source.indices[0].created_version: "7.10.2" disagrees with created_id 6082399, which says "6.8.23" (index orders)`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"orders","created_version":"6.8.23","created_major":7}]}}}`:              `disagrees with created_version "6.8.23", which says 6 and 8 (index orders)`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"orders","created_major":6}]}}}`:                                         `clusters.source.indices[0]: created_major, created_minor and created_product are derived from created_id or created_version, and the index gives neither (index orders)`,
		`{` + s + `,"clusters":{"source":{"version":{"number":"7.10.2","major":6}}}}`:                                                 `clusters.source.version: major 6, minor 0, patch 0 disagree with number "7.10.2"`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a","store_bytes":5}],"totals":{"indices":1,"store_bytes":6}}}}`:         `clusters.source.totals: {Indices:1 Docs:0 StoreBytes:6 PrimaryStoreBytes:0} disagrees with the sum of the indices`,
		// Empty, truncated, not an object, trailing data: file offsets.
		``:         `empty (0 bytes): not a facts document`,
		"  \n ":    `only white space (4 bytes)`,
		`[]`:       `byte 0: a facts document is a JSON object ({"schema": …}), not a list`,
		"\n  null": `byte 3: a facts document is a JSON object ({"schema": …}), not null`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"}`:      `byte 116: truncated: the document ends before it is complete`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"},]}}}`: `not valid JSON: invalid character ']'`,
		`{` + s + `} {}`: `more data after the facts document`,
		`{"schema":"other","collected_at":"2026-11-26T12:00:00Z"}`: `schema: "other", want "espreflight.facts/v1"`,
		`{"schema":"espreflight.facts/v1"}`:                        `collected_at: missing; without it the facts' age cannot be told`,
	} {
		_, err := probe.ReadFacts(strings.NewReader(doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.80s: error %v, want one mentioning %q", doc, err, want)
		}
	}
}

// TestReadFactsDerives: fields derived from another are filled in at load
// when the document leaves them out (a document valid by the contract), so a
// 6.x index given only its created_version is a 6.x index to the rules.
func TestReadFactsDerives(t *testing.T) {
	const doc = `{"schema":"espreflight.facts/v1","collected_at":"2026-11-26T12:00:00Z","clusters":{"source":{
		"version":{"number":"6.8.23"},
		"indices":[{"name":"a","created_version":"6.8.23","store_bytes":5,"docs_count":2},
		           {"name":"b","created_id":136408427},
		           {"name":"c","created_id":8537000},
		           {"name":"d","created_version":"8.11+ (index version 8512000)"}]}}}`
	f, err := probe.ReadFacts(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Clusters.Source
	if v := c.Version; v.Major != 6 || v.Minor != 8 || v.Patch != 23 {
		t.Errorf("version %+v: major/minor/patch not derived from the number", v)
	}
	want := []probe.Index{
		{Name: "a", CreatedVersion: "6.8.23", CreatedMajor: 6, CreatedMinor: 8, StoreBytes: 5, DocsCount: 2},
		{Name: "b", CreatedID: 136408427, CreatedVersion: "2.19.6", CreatedProduct: "opensearch", CreatedMajor: 2, CreatedMinor: 19},
		{Name: "c", CreatedID: 8537000, CreatedVersion: "8.11+ (index version 8537000)", CreatedProduct: "elasticsearch", CreatedMajor: 8, CreatedMinor: -1},
		{Name: "d", CreatedID: 8512000, CreatedVersion: "8.11+ (index version 8512000)", CreatedProduct: "elasticsearch", CreatedMajor: 8, CreatedMinor: -1},
	}
	if !reflect.DeepEqual(c.Indices, want) {
		t.Errorf("indices\n got %+v\nwant %+v", c.Indices, want)
	}
	if c.Totals == nil || *c.Totals != (probe.Totals{Indices: 4, Docs: 2, StoreBytes: 5}) {
		t.Errorf("totals %+v, want derived from the indices", c.Totals)
	}
}

// TestReadFactsMembers fails when a member of Facts or ClusterFacts folds to
// the name of the member ReadFacts streams (clusters, indices): the
// streaming decoder relies on no other field taking those keys.
func TestReadFactsMembers(t *testing.T) {
	for _, c := range []struct {
		typ    reflect.Type
		stream string
	}{{reflect.TypeFor[probe.Facts](), "clusters"}, {reflect.TypeFor[probe.ClusterFacts](), "indices"}} {
		for i := 0; i < c.typ.NumField(); i++ {
			name, _, _ := strings.Cut(c.typ.Field(i).Tag.Get("json"), ",")
			if name != c.stream && strings.EqualFold(name, c.stream) {
				t.Errorf("%s.%s: json name %q folds to %q", c.typ.Name(), c.typ.Field(i).Name, name, c.stream)
			}
		}
	}
}

func FuzzReadFacts(f *testing.F) {
	for _, b := range exampleFacts(f) {
		f.Add(b)
	}
	small, _ := json.Marshal(synthetic.Facts(3, 1))
	f.Add(small)
	f.Add([]byte(`{"schema":"espreflight.facts/v1","clusters":{"source":{"indices":[{"name":"a"}],"indices":[{}]}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		requireSameFacts(t, b)
	})
}

// TestApplyPlan: the --plan file replaces the saved plan; a cluster the facts
// hold keeps its probed facts, one they lack is declared from the plan with
// every probed fact unknown (fail closed), and its declared version is kept.
func TestApplyPlan(t *testing.T) {
	f, err := probe.LoadFacts(filepath.Join("..", "testdata", "examples", "snapshot.facts.json"))
	if err != nil {
		t.Fatal(err)
	}
	f.Clusters.Intermediate = nil
	probed := f.Clusters.Source
	p, err := probe.ParsePlan("plan.yaml", []byte(`version: 1
method: snapshot-reindex
indices: ["*"]
source: {kind: self-managed, endpoint: "https://src:9200"}
destination: {kind: alibaba, endpoint: "https://dst:9200"}
intermediate: {kind: alibaba, version: "7.17.0"}
`))
	if err != nil {
		t.Fatal(err)
	}
	f.ApplyPlan(p)
	if f.Plan != p {
		t.Fatal("the plan was not replaced")
	}
	if f.Clusters.Source != probed {
		t.Error("the probed source was replaced")
	}
	in := f.Clusters.Intermediate
	if in == nil {
		t.Fatal("the intermediate the plan declares is missing from the facts")
	}
	if in.Version == nil || in.Version.Number != "7.17.0" || in.IsUnknown("version") {
		t.Errorf("declared intermediate version = %+v", in.Version)
	}
	for _, fact := range probe.ProbedFacts {
		if fact != "version" && fact != "product" && !in.IsUnknown(fact) {
			t.Errorf("intermediate fact %s is not unknown", fact)
		}
	}
}

// TestLoadFactsFileErrors: an empty, truncated, malformed or non-object
// facts file is an error naming the file and the byte offset.
func TestLoadFactsFileErrors(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join("..", "testdata", "examples", "snapshot.facts.json"))
	if err != nil {
		t.Fatal(err)
	}
	broken := bytes.Replace(good, []byte(`"health": "green"`), []byte(`"health": green`), 1)
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"empty.json":     {nil, "empty.json: empty (0 bytes)"},
		"truncated.json": {good[:len(good)/2], fmt.Sprintf("truncated.json: byte %d: truncated", len(good)/2)},
		"list.json":      {[]byte("\n[{}]"), "list.json: byte 1: a facts document is a JSON object"},
		"broken.json":    {broken, fmt.Sprintf("broken.json: byte %d: not valid JSON: invalid character 'g'", bytes.Index(broken, []byte(": green"))+2)},
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := probe.LoadFacts(path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
	if !bytes.Contains(good, []byte(`"health": "green"`)) {
		t.Fatal("the example no longer has the line this test breaks")
	}
}

// BenchmarkReadFacts: decoding, checking and deriving a facts document of n
// indices per cluster (docs/performance.md).
func BenchmarkReadFacts(b *testing.B) {
	for _, n := range []int{10000} {
		data, err := json.MarshalIndent(synthetic.Facts(n, 42), "", "  ")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for range b.N {
				if _, err := probe.ReadFacts(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestReadFactsIndexMutations: damaged index arrays and grouped facts (a
// byte replaced, dropped or added anywhere in them) give what encoding/json
// on the whole document gives: the same facts, or both an error. Both are
// read by ReadFacts' own scanner (factsindices.go), so this is where it
// could differ.
func TestReadFactsIndexMutations(t *testing.T) {
	base, err := json.Marshal(synthetic.Facts(4, 3))
	if err != nil {
		t.Fatal(err)
	}
	region := func(key, end string) (int, int) {
		start := bytes.Index(base, []byte(`"`+key+`":`)) + len(key) + 3
		return start, start + bytes.Index(base[start:], []byte(end)) + len(end) - 1
	}
	is, ie := region("indices", "}],")
	ms, me := region("mappings", "}],")
	alphabet := []byte("{}[]\",:\\ \n0123456789-.eEtrufalsn\xffA")
	r := rand.New(rand.NewSource(7))
	for k := 0; k < 1000; k++ {
		start, end := is, ie
		if k%2 == 1 {
			start, end = ms, me
		}
		b := bytes.Clone(base)
		for m := 0; m < 1+r.Intn(3); m++ {
			i := start + r.Intn(end-start)
			c := alphabet[r.Intn(len(alphabet))]
			switch r.Intn(3) {
			case 0:
				b[i] = c
			case 1:
				b = append(b[:i], b[i+1:]...)
			default:
				b = append(b[:i], append([]byte{c}, b[i:]...)...)
			}
		}
		requireSameFacts(t, b)
	}
}

// TestReadFactsSyntaxOffsets: a syntax error inside what ReadFacts' own
// scanner reads (an index, a grouped fact) is reported at the byte
// encoding/json reports for the whole document.
func TestReadFactsSyntaxOffsets(t *testing.T) {
	const s = `"schema":"espreflight.facts/v1","collected_at":"2026-11-26T12:00:00Z"`
	for _, doc := range []string{
		`{` + s + `,"clusters":{"source":{"mappings":[{"indices":["a"],}],"indices":[]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"}],"mappings":[{"indices":["a"] x}]}}}`,
		`{` + s + `,"clusters":{"source":{"mappings" x [{"indices":["a"]}]}}}`,
		`{` + s + `,"clusters":{"source":{"mappings":}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a" "status":"open"}]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"},,{}]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"} {}]}}}`,
	} {
		var v any
		var se *json.SyntaxError
		if !errors.As(json.Unmarshal([]byte(doc), &v), &se) {
			t.Fatalf("%s: not a syntax error", doc)
		}
		want := fmt.Sprintf("byte %d: not valid JSON: %s", se.Offset-1, se.Error())
		if _, err := probe.ReadFacts(strings.NewReader(doc)); err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", doc, err, want)
		}
	}
}
