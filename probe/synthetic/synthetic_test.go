package synthetic

import (
	"encoding/json"
	"flag"
	"sort"
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

// TestGroupedFactsCoverEveryIndex: as a probe gives them, every index of a
// cluster is in exactly one group of each grouped fact, the names of a group
// are sorted and the groups are ordered by their first name.
func TestGroupedFactsCoverEveryIndex(t *testing.T) {
	for _, sh := range Shapes {
		f := Generate(2000, 3, sh.Shape)
		for _, role := range []string{"source", "destination"} {
			c := f.Clusters.ByRole(role)
			check := func(fact string, groups [][]string) {
				t.Helper()
				seen := map[string]int{}
				prev := ""
				for _, names := range groups {
					if len(names) == 0 {
						t.Fatalf("%s %s %s: an empty group", sh.Name, role, fact)
					}
					if !sort.StringsAreSorted(names) || names[0] < prev {
						t.Fatalf("%s %s %s: names or groups out of order", sh.Name, role, fact)
					}
					prev = names[0]
					for _, n := range names {
						seen[n]++
					}
				}
				for _, ix := range c.Indices {
					if seen[ix.Name] != 1 {
						t.Fatalf("%s %s %s: index %s is in %d groups", sh.Name, role, fact, ix.Name, seen[ix.Name])
					}
				}
				if len(seen) != len(c.Indices) {
					t.Fatalf("%s %s %s: %d names for %d indices", sh.Name, role, fact, len(seen), len(c.Indices))
				}
				if len(groups) < 2 || len(groups) > 200 {
					t.Errorf("%s %s %s: %d groups; want a realistic few", sh.Name, role, fact, len(groups))
				}
			}
			var settings, mappings, analysis [][]string
			for _, g := range c.IndexSettings {
				settings = append(settings, g.Indices)
			}
			for _, g := range c.Mappings {
				mappings = append(mappings, g.Indices)
			}
			for _, g := range c.Analysis {
				analysis = append(analysis, g.Indices)
			}
			check("index_settings", settings)
			check("mappings", mappings)
			check("analysis", analysis)
		}
	}
}

// TestShapes checks what the two shapes promise: in the worst one, every
// selectable source index was created by a release the 8.x destination
// cannot restore (or by OpenSearch, or is of unknown origin) and its analysis
// needs a plugin the destination lacks; the typical one has neither and no
// index name on both clusters.
func TestShapes(t *testing.T) {
	worst, typical := Generate(3000, 5, Worst), Generate(3000, 5, Typical)
	hasPlugin := func(c *probe.ClusterFacts, p string) bool {
		for _, n := range c.Nodes {
			for _, x := range n.Plugins {
				if x.Name == p {
					return true
				}
			}
		}
		return false
	}
	for _, ix := range worst.Clusters.Source.Indices {
		if ix.CreatedProduct == "elasticsearch" && ix.CreatedMajor >= 7 {
			t.Fatalf("worst: %s created by %s restores into 8.x", ix.Name, ix.CreatedVersion)
		}
	}
	if hasPlugin(worst.Clusters.Destination, "analysis-ik") || !hasPlugin(worst.Clusters.Source, "analysis-ik") {
		t.Fatal("worst: the destination must lack the analysis plugin the source's indices use")
	}
	if typical.Clusters.Source.Version.Major != 7 || !hasPlugin(typical.Clusters.Destination, "analysis-ik") {
		t.Fatal("typical: want a 7.x source and the analysis plugin on the destination")
	}
	dest := map[string]bool{}
	for _, ix := range typical.Clusters.Destination.Indices {
		dest[ix.Name] = true
	}
	for _, ix := range typical.Clusters.Source.Indices {
		if ix.CreatedMajor < 7 && ix.CreatedVersion != "" {
			t.Fatalf("typical: %s created by %s", ix.Name, ix.CreatedVersion)
		}
		if dest[ix.Name] && !strings.HasPrefix(ix.Name, ".") {
			t.Fatalf("typical: %s is on both clusters", ix.Name)
		}
	}
}
