package probe

import (
	"strings"
	"testing"
)

func matchPlan(src, dst string) *Plan {
	return &Plan{Source: &ClusterSpec{Endpoint: src}, Destination: &ClusterSpec{Endpoint: dst}}
}

func matchFacts(src, dst string) *Facts {
	return &Facts{Clusters: Clusters{Source: &ClusterFacts{Endpoint: src}, Destination: &ClusterFacts{Endpoint: dst}}}
}

// TestFactsMismatch: facts collected from other clusters than the plan
// names are reported, role by role.
func TestFactsMismatch(t *testing.T) {
	got := FactsMismatch(matchPlan("https://10.0.0.5:9200", "https://es-a:9200"), matchFacts("https://10.0.0.6:9200", "https://es-a:9200"))
	if len(got) != 1 || got[0] != "the plan's source is https://10.0.0.5:9200, but the facts were collected from https://10.0.0.6:9200" {
		t.Errorf("got %q", got)
	}
	if got := FactsMismatch(matchPlan("", "https://es-a:9200"), matchFacts("https://10.0.0.6:9200", "https://es-a:9200")); len(got) != 1 || !strings.Contains(got[0], "the plan gives no endpoint for the source") {
		t.Errorf("declared in the plan, probed in the facts: %q", got)
	}
	if got := FactsMismatch(matchPlan("https://a:9200", "https://b:9200"), matchFacts("", "")); len(got) != 2 {
		t.Errorf("probed in the plan, declared in the facts: %q", got)
	}
}

// TestFactsMismatchQuiet: the same endpoints, however written, match; a role
// the facts lack is declared from the plan, not a mismatch.
func TestFactsMismatchQuiet(t *testing.T) {
	for _, c := range [][2]string{
		{"https://ES-A:9200/", "https://es-a:9200"},
		{"https://es-a", "https://es-a:443"},
		{"https://user@es-a:9200", "https://es-a:9200"},
		{"", ""},
	} {
		if got := FactsMismatch(matchPlan(c[0], ""), matchFacts(c[1], "")); len(got) != 0 {
			t.Errorf("%q vs %q: %q", c[0], c[1], got)
		}
	}
	f := matchFacts("https://a:9200", "")
	f.Clusters.Destination = nil
	if got := FactsMismatch(matchPlan("https://a:9200", "https://b:9200"), f); len(got) != 0 {
		t.Errorf("a role the facts lack: %q", got)
	}
}
