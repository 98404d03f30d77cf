package probe

import (
	"errors"
	"strings"
	"testing"
)

func TestGlobDistance(t *testing.T) {
	for _, c := range []struct {
		pat, name string
		want      int
	}{
		{"orders-*", "orders-2024", 0},
		{"order-*", "orders-2024", 1},
		{"ordres-*", "orders-2024", 2},
		{"orders-2024", "orders-2024", 0},
		{"orders-2024", "orders-2025", 1},
		{"*", "anything", 0},
		{"log-*", "logs-app", 1},
		{"abc", "", 3},
		{"", "ab", 2},
	} {
		if got := globDistance(c.pat, c.name); got != c.want {
			t.Errorf("globDistance(%q, %q) = %d, want %d", c.pat, c.name, got, c.want)
		}
		if (globDistance(c.pat, c.name) == 0) != Glob(c.pat, c.name) && c.pat != "" {
			t.Errorf("globDistance(%q, %q) == 0 disagrees with Glob", c.pat, c.name)
		}
	}
}

func selectionFacts(patterns []string, indices []Index) *Facts {
	return &Facts{
		Plan:     &Plan{File: "plan.yaml", Indices: patterns, Lines: map[string]int{"indices": 7}},
		Clusters: Clusters{Source: &ClusterFacts{Endpoint: "https://src:9200", Indices: indices}},
	}
}

var selectionIndices = []Index{
	{Name: "orders-2024"}, {Name: "orders-2025"}, {Name: "invoices-2025"}, {Name: ".kibana_1", Hidden: true},
	{Name: ".ds-logs-app-000001", Hidden: true, DataStream: "logs-app"},
}

// TestCheckSelectionEmpty: patterns that select nothing on a source whose
// indices are known are a plan error at the indices line, naming the
// patterns and the closest names (indices, or data streams).
func TestCheckSelectionEmpty(t *testing.T) {
	for _, c := range []struct {
		patterns []string
		indices  []Index
		want     []string
	}{
		{[]string{"order-*"}, selectionIndices, []string{`plan.yaml:7: indices: the index patterns ["order-*"] select no index on the source (https://src:9200), which has 5 indices`, "the closest names are orders-2024, orders-2025"}},
		{[]string{"log-*"}, selectionIndices, []string{"the closest names are logs-app"}},
		{[]string{"orders-*", "-orders-*"}, selectionIndices, []string{`["orders-*", "-orders-*"]`}},
		{[]string{"zzz-*"}, selectionIndices, []string{"which has 5 indices, e.g. orders-2024, orders-2025, invoices-2025, .kibana_1"}},
		{[]string{"*"}, []Index{}, []string{"which has no index at all"}},
	} {
		err := CheckSelection(selectionFacts(c.patterns, c.indices))
		var pe PlanErrors
		if !errors.As(err, &pe) || len(pe) != 1 || pe[0].Line != 7 {
			t.Errorf("%q: error %v, want one plan error at line 7", c.patterns, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: %q lacks %q", c.patterns, err, w)
			}
		}
	}
	err := CheckSelection(selectionFacts([]string{"order-*", "-orders-2024"}, selectionIndices))
	if err == nil || strings.Contains(err.Error(), "orders-2024,") || !strings.Contains(err.Error(), "orders-2025") {
		t.Errorf("an excluded name is suggested: %v", err)
	}
}

// TestCheckSelectionQuiet: a selection with at least one index, or a source
// whose indices are unknown (left to the rules), is not an error.
func TestCheckSelectionQuiet(t *testing.T) {
	for _, f := range []*Facts{
		selectionFacts([]string{"orders-*"}, selectionIndices),
		selectionFacts([]string{"logs-*"}, selectionIndices),
		selectionFacts([]string{"order-*"}, nil),
		{Plan: &Plan{Indices: []string{"x"}}},
	} {
		if err := CheckSelection(f); err != nil {
			t.Errorf("CheckSelection(%v): %v", f.Plan.Indices, err)
		}
	}
}
