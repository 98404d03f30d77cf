package probe

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// CheckSelection fails when the plan's index patterns select no index on a
// source whose indices are known (probed, or read from a facts file): a typo
// such as "order-*" for "orders-*" would otherwise pass every per-index rule
// on nothing. The error is a PlanErrors at the plan's indices line and names
// the patterns, what the source holds and the closest names. A source whose
// indices are unknown is left to the rules, which then could not verify.
func CheckSelection(f *Facts) error {
	if f == nil || f.Plan == nil || f.Clusters.Source == nil || f.Clusters.Source.Indices == nil {
		return nil
	}
	c := f.Clusters.Source
	m := NewMatcher(f.Plan.Indices)
	for i := range c.Indices {
		if m.MatchIndex(c.Indices[i].Name, c.Indices[i].DataStream) {
			return nil
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the index patterns %s select no index on the source", quoteList(f.Plan.Indices))
	if c.Endpoint != "" {
		fmt.Fprintf(&b, " (%s)", c.Endpoint)
	}
	if len(c.Indices) == 0 {
		b.WriteString(", which has no index at all; check the source's endpoint, or that the probe's user may see its indices")
	} else {
		fmt.Fprintf(&b, ", which has %s", countNoun(len(c.Indices), "index", "indices"))
		if near := closestNames(f.Plan.Indices, c.Indices, 3); len(near) > 0 {
			fmt.Fprintf(&b, "; the closest names are %s (a typo in a pattern?)", strings.Join(near, ", "))
		} else {
			fmt.Fprintf(&b, ", e.g. %s; fix the patterns", strings.Join(someNames(c.Indices, 5), ", "))
		}
	}
	return PlanErrors{{File: f.Plan.File, Line: f.Plan.Line("indices"), Path: "indices", Msg: b.String()}}
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// closestNames returns up to n index or data stream names nearest to the
// including patterns (globDistance), nearest first, within a distance that
// grows with the pattern's length; names an exclusion of the patterns
// removes are left out.
func closestNames(patterns []string, indices []Index, n int) []string {
	type cand struct {
		name string
		dist int
	}
	var excl []string
	for _, p := range patterns {
		if p = strings.TrimSpace(p); len(p) > 1 && p[0] == '-' {
			excl = append(excl, p[1:])
		}
	}
	seen := map[string]bool{}
	var cs []cand
	consider := func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		for _, x := range excl {
			if Glob(x, name) {
				return
			}
		}
		best := -1
		for _, p := range patterns {
			p = strings.TrimSpace(p)
			if p == "" || strings.HasPrefix(p, "-") {
				continue
			}
			limit := max(2, len(strings.ReplaceAll(p, "*", ""))/3)
			if d := globDistance(p, name); d <= limit && (best < 0 || d < best) {
				best = d
			}
		}
		if best >= 0 {
			cs = append(cs, cand{name, best})
		}
	}
	for i := range indices {
		if ds := indices[i].DataStream; ds != "" {
			consider(ds)
			continue // a backing index is reached through its stream
		}
		consider(indices[i].Name)
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].dist != cs[j].dist {
			return cs[i].dist < cs[j].dist
		}
		return cs[i].name < cs[j].name
	})
	var out []string
	for _, c := range cs {
		if len(out) == n {
			break
		}
		out = append(out, c.name)
	}
	return out
}

// someNames returns up to n index names, visible ones (no "." prefix) first.
func someNames(indices []Index, n int) []string {
	var vis, dot []string
	for i := range indices {
		name := indices[i].Name
		if strings.HasPrefix(name, ".") {
			dot = append(dot, name)
		} else {
			vis = append(vis, name)
		}
	}
	all := append(vis, dot...)
	if len(all) > n {
		all = all[:n]
	}
	return all
}

// globDistance is the edit distance between a name and the closest name the
// pattern matches: insertions, deletions and substitutions of one character
// cost 1, and "*" matches any run at no cost. Glob(p, name) is true exactly
// when it is 0.
func globDistance(pat, name string) int {
	// prev[j] is the distance between pat[:i] and name[:j].
	prev := make([]int, len(name)+1)
	cur := make([]int, len(name)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(pat); i++ {
		pc := pat[i-1]
		if pc == '*' {
			cur[0] = prev[0]
			for j := 1; j <= len(name); j++ {
				cur[j] = min(prev[j], cur[j-1])
			}
		} else {
			cur[0] = prev[0] + 1
			for j := 1; j <= len(name); j++ {
				sub := prev[j-1]
				if pc != name[j-1] {
					sub++
				}
				cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(name)]
}
