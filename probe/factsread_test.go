package probe_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/probe/synthetic"
)

// readFactsJSON is ReadFacts as it was before streaming: encoding/json on
// the whole document, then the schema check. It is the reference.
func readFactsJSON(b []byte) (*probe.Facts, error) {
	var f probe.Facts
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&f); err != nil {
		return nil, fmt.Errorf("decode facts: %w", err)
	}
	if f.Schema != probe.FactsSchema {
		return nil, fmt.Errorf("facts schema is %q, want %q", f.Schema, probe.FactsSchema)
	}
	return &f, nil
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
// or damaged file can hold: nulls, empty lists, unknown and case-folded
// keys, duplicate keys, escapes, odd element values.
func TestReadFactsShapes(t *testing.T) {
	const s = `"schema":"espreflight.facts/v1"`
	for _, doc := range []string{
		`{` + s + `}`,
		`{` + s + `,"clusters":null}`,
		`{` + s + `,"clusters":{}}`,
		`{` + s + `,"clusters":{"source":null}}`,
		`{` + s + `,"clusters":{"source":{}}}`,
		`{` + s + `,"clusters":{"source":{"indices":null}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[null,{},{"name":"a"}]}}}`,
		`{` + s + `,"clusters":{"Source":{"INDICES":[{"Name":"a","docs_count":3}],"Nodes":[]},"other":{"x":[1,{}]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a","status":"open"},{"name":"b"}],"indices":[{"docs_count":1}]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"}],"indices":[]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"},{"name":"b"}],"indices":[{"status":"x"}],"indices":[{},{},{}]}}}`,
		`{` + s + `,"clusters":{"source":{"product":"elasticsearch"},"source":{"endpoint":"e","indices":[{}]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{}]},"source":null,"source":{"health":"red"}}}`,
		`{` + s + `,"clusters":{"source":{"settings":{"a":1}}},"clusters":{"source":{"settings":{"b":2}}}}`,
		`{` + s + `,"clu\u0073ters":{"sour\u0063e":{"ind\u0069ces":[{"n\u0061me":"\u00fc\ud83d\ude00<&>"}]}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"bad-` + "\xff\xfe" + `"}]}}}`,
		`{"` + "\xff" + `":1,` + s + `,"unknown":{"deep":[[[{}]]]},"tool":{"version":"x"}}`,
		"  \n\t{" + s + `}`,
		`{` + s + `,"collected_at":"2026-11-26T12:00:00+02:00","runner":{"reachable":{"source":true}}}`,
		`{` + s + `,"clusters":{"source":{"indices":[{"docs_count":1e3}]}}}`,
		`{` + s + `} trailing`,
		`{"schema":"other"}`,
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
		`{` + s + `,"collected_at":"yesterday"}`,
		`{` + s + `,1:2}`,
	} {
		requireSameFacts(t, []byte(doc))
	}
}

// TestReadFactsErrors checks that malformed documents give errors that say
// where, and never panic.
func TestReadFactsErrors(t *testing.T) {
	const s = `"schema":"espreflight.facts/v1"`
	for doc, want := range map[string]string{
		`{` + s + `,"clusters":{"source":{"indices":[{},{"docs_count":"1"}]}}}`: "clusters.source.indices[1]",
		`{` + s + `,"clusters":{"destination":{"indices":"x"}}}`:                "clusters.destination.indices",
		`{` + s + `,"clusters":{"source":{"nodes":"x"}}}`:                       "clusters.source",
		`{` + s + `,"clusters":{"source":[]}}`:                                  "clusters.source",
		`{` + s + `,"clusters":{"source":{"indices":[{"name":"a"}`:              "unexpected EOF",
		`{"schema":"other"}`: `facts schema is "other"`,
	} {
		_, err := probe.ReadFacts(strings.NewReader(doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one mentioning %q", doc, err, want)
		}
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
