package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/espreflight/espreflight/policies"
)

// item is one SARIF result or JUnit test case: a single finding, or an
// aggregate of the findings of one rule beyond the per-rule cap.
type item struct {
	// F is the finding, or the first finding of the aggregate.
	F *policies.Finding
	// Agg holds every finding of an aggregate; nil for a single finding.
	Agg []*policies.Finding
	// Fingerprint is the stable identity of the item (see fingerprint).
	Fingerprint string
}

// maxAggregatesPerRule bounds the aggregates of one rule: beyond it the rest
// is aggregated per cluster only, whatever the messages.
const maxAggregatesPerRule = 100

// capItems turns the findings of every rule into items: at most perRule
// single findings per rule (unwaived ones first, then in report order), the
// rest aggregated into one item per message, cluster, waiver and
// verification state. When the items would exceed total, the per-rule cap is
// lowered until they fit.
func capItems(statuses []*ruleStatus, perRule, total int) []item {
	ordered := make([][]*policies.Finding, len(statuses))
	all := 0
	for i, s := range statuses {
		fs := append([]*policies.Finding(nil), s.Findings...)
		sort.SliceStable(fs, func(a, b int) bool { return fs[a].Waived == nil && fs[b].Waived != nil })
		ordered[i] = fs
		all += len(fs)
	}
	build := func(c int) []item {
		var out []item
		for _, fs := range ordered {
			n := min(c, len(fs))
			for _, f := range fs[:n] {
				out = append(out, item{F: f})
			}
			out = append(out, aggregate(fs[n:])...)
		}
		return out
	}
	if all <= total && perRule >= all {
		return withFingerprints(build(all))
	}
	c := perRule
	if items := build(c); len(items) <= total {
		return withFingerprints(items)
	}
	// Largest cap that fits: the count grows with c, so search.
	lo, hi := 0, c
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(build(mid)) <= total {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return withFingerprints(build(lo))
}

// aggregate groups the findings of one rule.
func aggregate(fs []*policies.Finding) []item {
	if len(fs) == 0 {
		return nil
	}
	byKey := func(withMsg bool) []item {
		var out []item
		idx := map[string]int{}
		for _, f := range fs {
			wl := -1
			if f.Waived != nil {
				wl = f.Waived.Line
			}
			k := fmt.Sprintf("%s\x00%d\x00%t", f.Cluster, wl, f.Unverified)
			if withMsg {
				k += "\x00" + f.Message
			}
			i, ok := idx[k]
			if !ok {
				i = len(out)
				idx[k] = i
				out = append(out, item{F: f})
			}
			out[i].Agg = append(out[i].Agg, f)
		}
		return out
	}
	out := byKey(true)
	if len(out) > maxAggregatesPerRule {
		out = byKey(false)
	}
	return out
}

// fingerprint is the stable identity of a finding: a hash of rule id,
// cluster, index and plan location path. It does not depend on the message,
// the line or the order of findings, so an alert keeps its identity when the
// wording or the plan layout changes.
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func itemKey(it item) []string {
	f := it.F
	if it.Agg == nil {
		return []string{f.Rule, f.Cluster, f.Index, f.Location.Path}
	}
	state := "open"
	if f.Waived != nil {
		state = "waived"
	}
	if f.Unverified {
		state += "+unverified"
	}
	return []string{f.Rule, f.Cluster, "*aggregate*", f.Location.Path, state}
}

// withFingerprints sets the fingerprint of every item; items that would
// share one (same rule, cluster, index and path) get an ordinal suffix in
// report order.
func withFingerprints(items []item) []item {
	seen := map[string]int{}
	for i := range items {
		key := itemKey(items[i])
		fp := fingerprint(key...)
		if n := seen[fp]; n > 0 {
			items[i].Fingerprint = fingerprint(append(key, fmt.Sprint(n))...)
		} else {
			items[i].Fingerprint = fp
		}
		seen[fp]++
	}
	return items
}

func findingIndices(fs []*policies.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Index != "" {
			out = append(out, f.Index)
		}
	}
	return out
}
