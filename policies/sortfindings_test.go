package policies

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// byKey is the report order written independently of compareFindings:
// the key fields joined by a byte no field holds.
func byKey(a, b Finding) int {
	k := func(f Finding) string { return strings.Join([]string{f.Rule, f.Cluster, f.Index, f.Message}, "\x00") }
	return strings.Compare(k(a), k(b))
}

// TestSortFindings: the in-place permutation sort gives the report order
// (FindingLess) and keeps findings with equal keys in their first order,
// exactly as a stable sort does, already sorted input included.
func TestSortFindings(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 7, 100, 5000} {
		for round := range 3 {
			fs := make([]Finding, n)
			for i := range fs {
				fs[i] = Finding{
					Rule:    fmt.Sprintf("R-%d", r.IntN(4)),
					Cluster: []string{"source", "destination"}[r.IntN(2)],
					Index:   fmt.Sprintf("i%d", r.IntN(8)),
					Message: "m",
					Title:   fmt.Sprint(i), // tells equal keys apart: their order must stay
				}
			}
			if round == 2 {
				slices.SortStableFunc(fs, byKey)
			}
			want := slices.Clone(fs)
			slices.SortStableFunc(want, byKey)
			sortFindings(fs)
			for i := range fs {
				if fs[i].Title != want[i].Title {
					t.Fatalf("n=%d round %d: position %d holds finding %s, want %s", n, round, i, fs[i].Title, want[i].Title)
				}
			}
		}
	}
}
