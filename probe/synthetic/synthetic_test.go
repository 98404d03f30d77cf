package synthetic

import (
	"encoding/json"
	"flag"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/probe"
)

// -update is accepted so that `go test ./... -update` (make golden) runs
// here too; this package has no golden files.
var _ = flag.Bool("update", false, "no effect: no golden files in this package")

func TestFactsDeterministic(t *testing.T) {
	a, _ := json.Marshal(Facts(500, 7))
	b, _ := json.Marshal(Facts(500, 7))
	c, _ := json.Marshal(Facts(500, 8))
	if string(a) != string(b) {
		t.Fatal("same n and seed gave different facts")
	}
	if string(a) == string(c) {
		t.Fatal("different seeds gave the same facts")
	}
}

// TestFactsMix checks that generated facts have what the benchmarks rely on.
func TestFactsMix(t *testing.T) {
	f := Facts(5000, 1)
	if f.Plan.Method != "snapshot" || len(f.Plan.Indices) != 1 || f.Plan.Indices[0] != "*" {
		t.Fatalf("plan: method %q indices %v", f.Plan.Method, f.Plan.Indices)
	}
	seen := map[string]int{}
	for _, c := range []struct {
		role string
		n    int
	}{{"source", len(f.Clusters.Source.Indices)}, {"destination", len(f.Clusters.Destination.Indices)}} {
		if c.n != 5000 {
			t.Fatalf("%s: %d indices, want 5000", c.role, c.n)
		}
	}
	names := map[string]bool{}
	for _, cl := range []string{"source", "destination"} {
		for _, ix := range f.Clusters.ByRole(cl).Indices {
			if names[cl+"/"+ix.Name] {
				t.Fatalf("%s: duplicate index %s", cl, ix.Name)
			}
			names[cl+"/"+ix.Name] = true
			seen["major "+string(rune('0'+ix.CreatedMajor))]++
			seen[ix.CreatedProduct]++
			if ix.Status == "close" {
				seen["closed"]++
			}
			if ix.System || ix.Hidden || strings.HasPrefix(ix.Name, ".") && !strings.HasPrefix(ix.Name, ".ds-") {
				seen["system"]++
			}
			if ix.DataStream != "" {
				seen["data stream"]++
			}
			if ix.CreatedVersion == "" {
				seen["unknown version"]++
			}
		}
	}
	for _, k := range []string{"major 5", "major 6", "major 7", "major 8", "opensearch", "closed", "system", "data stream", "unknown version"} {
		if seen[k] == 0 {
			t.Errorf("no %s index generated", k)
		}
	}
}

// TestFactsEveryProbedFact: each fact a probe collects is generated, with a
// source, or unknown, never silently null; the list is probe.ProbedFacts.
func TestFactsEveryProbedFact(t *testing.T) {
	f := Facts(10, 1)
	for _, role := range []string{"source", "destination"} {
		c := f.Clusters.ByRole(role)
		for _, fact := range probe.ProbedFacts {
			switch {
			case c.IsUnknown(fact) && (c.Has(fact) || c.Sources[fact] != ""):
				t.Errorf("%s: %s is unknown but has a value or a source", role, fact)
			case !c.IsUnknown(fact) && (!c.Has(fact) || !strings.HasSuffix(c.Sources[fact], " on the "+role)):
				t.Errorf("%s: %s has value %v, source %q; want both", role, fact, c.Has(fact), c.Sources[fact])
			}
		}
		if c.Sources["indices"] == "" || c.IsUnknown("indices") {
			t.Errorf("%s: the indices are not generated", role)
		}
	}
}
