//go:build integration

// The probe against the nodes: `espreflight probe --plan` must report what
// the test reads from each node itself (through other endpoints than the
// probe's where it can), so that a verdict rests on true facts.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// probedFacts is the part of the facts document (the public JSON contract,
// `espreflight probe -o`) the test compares.
type probedFacts struct {
	Clusters map[string]struct {
		Product string `json:"product"`
		Version *struct {
			Number string `json:"number"`
		} `json:"version"`
		Indices []probedIndex `json:"indices"`
		Aliases []struct {
			Name         string `json:"name"`
			Index        string `json:"index"`
			IsWriteIndex *bool  `json:"is_write_index"`
		} `json:"aliases"`
		Unknown []struct {
			Fact     string `json:"fact"`
			Endpoint string `json:"endpoint"`
			Error    string `json:"error"`
		} `json:"unknown"`
	} `json:"clusters"`
}

type probedIndex struct {
	Name           string `json:"name"`
	Status         string `json:"status"`
	CreatedVersion string `json:"created_version"`
	CreatedProduct string `json:"created_product"`
	CreatedID      int64  `json:"created_id"`
}

// probeAndCompare writes the probed facts to out and compares them with the
// nodes: product and version of every cluster of the plan, created version
// and status of every selected source index, and the aliases.
func probeAndCompare(t *testing.T, c *gtCase, n nodes, out string, indices []string) {
	t.Helper()
	code, _, stderr := espreflight(t, "probe", "--plan", c.File, "-o", out, "--quiet")
	want := exitOK
	if len(c.Down) > 0 {
		want = exitUnreachable
	}
	if code != want {
		t.Errorf("probe --plan: exit %d, want %d: %s", code, want, strings.TrimSpace(stderr))
		if code != exitUnreachable && code != exitOK {
			t.FailNow()
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("probe wrote no facts: %v", err)
	}
	var got probedFacts
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("probe wrote unreadable facts: %v", err)
	}
	for _, role := range []string{"source", "destination", "intermediate"} {
		name := c.roleNode(role)
		if name == "" {
			continue
		}
		nd, have := n[name], got.Clusters[role]
		if nd.down {
			continue
		}
		for _, u := range have.Unknown {
			t.Logf("probe: %s: unknown %s (%s): %s", role, u.Fact, u.Endpoint, u.Error)
		}
		product, ver := nd.productVersion(t)
		if have.Product != product {
			t.Errorf("probe: %s product %q, %s says %q", role, have.Product, nd.name, product)
		}
		if have.Version == nil || have.Version.Number != ver {
			t.Errorf("probe: %s version %+v, %s says %s", role, have.Version, nd.name, ver)
		}
		var aliases []string
		for _, a := range have.Aliases {
			if role != "source" || slices.Contains(indices, a.Index) {
				aliases = append(aliases, aliasText(a.Name, a.Index, a.IsWriteIndex))
			}
		}
		sort.Strings(aliases)
		if want := nd.aliases(t, role, indices, product, ver); strings.Join(aliases, ", ") != want {
			t.Errorf("probe: %s aliases [%s], %s says [%s]", role, strings.Join(aliases, ", "), nd.name, want)
		}
		if role != "source" {
			continue
		}
		for _, ix := range indices {
			i := slices.IndexFunc(have.Indices, func(x probedIndex) bool { return x.Name == ix })
			if i < 0 {
				t.Errorf("probe: source index %s missing from the probed facts", ix)
				continue
			}
			h := have.Indices[i]
			id := nd.createdID(t, ix)
			p, v, _, _ := decodeCreated(id)
			status := nd.status(t, ix) // the facts keep _cat/indices' spelling: "open" or "close"
			if h.CreatedProduct != p || h.CreatedVersion != v || h.CreatedID != id || h.Status != status {
				t.Errorf("probe: source index %s: created %s %s (id %d), %s; %s says %s %s (id %d), %s",
					ix, h.CreatedProduct, h.CreatedVersion, h.CreatedID, h.Status, nd.name, p, v, id, status)
			}
		}
	}
}

func aliasText(name, index string, write *bool) string {
	w := "-"
	if write != nil {
		w = strconv.FormatBool(*write)
	}
	return fmt.Sprintf("%s->%s (write %s)", name, index, w)
}

func (n *node) productVersion(t *testing.T) (string, string) {
	t.Helper()
	product, number, _, _ := n.release(t)
	return product, number
}

// aliases reads the aliases with GET /_alias (not the probe's _cat/aliases):
// on the source those of the selected indices, elsewhere all; is_write_index
// is "-" before Elasticsearch 6.4, which has no write index.
func (n *node) aliases(t *testing.T, role string, indices []string, product, version string) string {
	t.Helper()
	var resp map[string]struct {
		Aliases map[string]struct {
			IsWriteIndex *bool `json:"is_write_index"`
		} `json:"aliases"`
	}
	mustJSON(t, n.must(t, "GET", "/_alias", ""), &resp)
	var major, minor int
	fmt.Sscanf(version, "%d.%d", &major, &minor)
	writeIndex := product == "opensearch" || major > 6 || major == 6 && minor >= 4
	var out []string
	for index, ix := range resp {
		if role == "source" && !slices.Contains(indices, index) {
			continue
		}
		for name, a := range ix.Aliases {
			var w *bool
			if writeIndex {
				v := a.IsWriteIndex != nil && *a.IsWriteIndex
				w = &v
			}
			out = append(out, aliasText(name, index, w))
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// decodeCreated decodes index.version.created independently of the probe:
// OpenSearch ids carry the 0x08000000 mask; Elasticsearch ids up to 8.10 are
// major*1e6 + minor*1e4 + revision*100 + build; 8.11+ ids (>= 8_500_000) map
// to no release ("8.x" style, minor -1).
func decodeCreated(id int64) (product, version string, major, minor int) {
	product = "elasticsearch"
	if id >= 0x08000000 {
		product, id = "opensearch", id^0x08000000
	}
	if product == "elasticsearch" && id >= 8_500_000 {
		major = int(id / 1_000_000)
		return product, fmt.Sprintf("%d.x", major), major, -1
	}
	major, minor, rev := int(id/1_000_000), int(id/10_000%100), int(id/100%100)
	return product, fmt.Sprintf("%d.%d.%d", major, minor, rev), major, minor
}

func TestDecodeCreated(t *testing.T) {
	for id, want := range map[int64]string{
		6082399:   "elasticsearch 6.8.23",
		7100299:   "elasticsearch 7.10.2",
		135249227: "opensearch 1.3.14", // 1_031_499 ^ 0x08000000
		136408427: "opensearch 2.19.6",
		8_512_000: "elasticsearch 8.x",
	} {
		p, v, _, _ := decodeCreated(id)
		if got := p + " " + v; got != want {
			t.Errorf("decodeCreated(%d) = %q, want %q", id, got, want)
		}
	}
}
