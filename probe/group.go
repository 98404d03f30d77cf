package probe

import (
	"encoding/json"
	"sort"
)

// Grouper collects index names under the summary they share, so that a
// grouped fact (IndexSettingsGroup, MappingGroup, AnalysisGroup) holds one
// summary per distinct value, however many indices share it. Summaries are
// compared by their JSON encoding, which is what the facts document holds.
// The collectors and the synthetic facts generator group with it.
type Grouper[T any] struct {
	byKey map[string]*groupOf[T]
}

type groupOf[T any] struct {
	v     T
	names []string
}

// Add puts name in the group of v; v must not hold the names itself.
func (g *Grouper[T]) Add(name string, v T) {
	if g.byKey == nil {
		g.byKey = map[string]*groupOf[T]{}
	}
	b, _ := json.Marshal(v) // summaries are plain structs: never fails
	k := string(b)
	e, ok := g.byKey[k]
	if !ok {
		e = &groupOf[T]{v: v}
		g.byKey[k] = e
	}
	e.names = append(e.names, name)
}

// Groups returns the summaries, each given its sorted index names by
// setNames, ordered by their first index name; [] when there is none.
func (g *Grouper[T]) Groups(setNames func(v *T, names []string)) []T {
	list := make([]*groupOf[T], 0, len(g.byKey))
	for _, e := range g.byKey {
		sort.Strings(e.names)
		list = append(list, e)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].names[0] < list[j].names[0] })
	out := make([]T, len(list))
	for i, e := range list {
		out[i] = e.v
		setNames(&out[i], e.names)
	}
	return out
}

// sortedSet returns the distinct strings of set, sorted; [] when empty.
func sortedSet(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
