package policies

import (
	"fmt"
	"time"

	"github.com/espreflight/espreflight/probe"
)

// Waiver semantics (documented in docs/ci.md):
//
//   - A waiver accepts the findings of one rule (waivers[].rule), optionally
//     only on one cluster role (cluster) and only for indices matching
//     patterns (indices: Elasticsearch-style patterns, "-pattern" excludes; a
//     list of only exclusions starts from "all indices"). A waiver with
//     indices never matches a finding that names no index.
//   - expires is a date (YYYY-MM-DD). The waiver is valid through the whole
//     expiry day in UTC: it applies while the evaluation time, in UTC, is on
//     or before that date, and stops applying at 00:00 UTC the next day.
//   - An expired waiver waives nothing: its findings are reported again, and
//     a notice names the waiver's file:line.
//   - A waiver that matches no finding (stale) is reported as a notice, so
//     that waivers do not outlive what they accepted.
//   - A valid waiver expiring within WaiverExpiryWarningDays days is reported
//     as a notice, so the renewal is not a surprise.
//   - When several waivers match a finding, the first one in the plan is
//     recorded; every matching waiver counts as used (not stale).

// WaiverExpiryWarningDays is how many days before its expiry a waiver is
// reported as expiring soon.
const WaiverExpiryWarningDays = 7

// waiverActive reports whether a waiver expiring on expires (YYYY-MM-DD)
// still applies at now, and the number of whole days left (0 on the expiry
// day itself). An unparsable date never applies.
func waiverActive(expires string, now time.Time) (bool, int, error) {
	d, err := time.Parse("2006-01-02", expires)
	if err != nil {
		return false, 0, err
	}
	n := now.UTC()
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	days := int(d.Sub(today).Hours() / 24)
	return !today.After(d), days, nil
}

// waiverMatcher builds the index matcher of a waiver; nil when it has no
// index patterns.
func waiverMatcher(patterns []string) *probe.Matcher {
	if len(patterns) == 0 {
		return nil
	}
	if p := patterns[0]; len(p) > 1 && p[0] == '-' {
		patterns = append([]string{"*"}, patterns...)
	}
	return probe.NewMatcher(patterns)
}

// applyWaivers marks findings accepted by an unexpired waiver of the plan and
// returns notices for expired waivers, waivers that match nothing and
// waivers about to expire.
func applyWaivers(fs []Finding, p *probe.Plan, now time.Time) []string {
	if p == nil {
		return nil
	}
	var notices []string
	for i, w := range p.Waivers {
		line := p.Line(fmt.Sprintf("waivers[%d]", i))
		active, days, err := waiverActive(w.Expires, now)
		switch {
		case err != nil:
			notices = append(notices, fmt.Sprintf("%s:%d: waiver for %s has an invalid expiry date %q (want YYYY-MM-DD) and does not apply", p.File, line, w.Rule, w.Expires))
			continue
		case !active:
			notices = append(notices, fmt.Sprintf("%s:%d: waiver for %s expired on %s (valid through that day, UTC) and no longer applies; its findings are reported again", p.File, line, w.Rule, w.Expires))
			continue
		}
		m := waiverMatcher(w.Indices)
		matched := 0
		for j := range fs {
			f := &fs[j]
			if f.Rule != w.Rule {
				continue
			}
			if w.Cluster != "" && f.Cluster != w.Cluster {
				continue
			}
			if m != nil && (f.Index == "" || !m.Match(f.Index)) {
				continue
			}
			matched++
			if f.Waived == nil {
				f.Waived = &Waiver{Reason: w.Reason, Expires: w.Expires, Ticket: w.Ticket, ApprovedBy: w.ApprovedBy, Line: line}
			}
		}
		if matched == 0 {
			notices = append(notices, fmt.Sprintf("%s:%d: waiver for %s%s matches no finding (stale); remove it", p.File, line, w.Rule, waiverScope(w)))
			continue
		}
		if days <= WaiverExpiryWarningDays {
			when := fmt.Sprintf("in %d days", days)
			switch days {
			case 0:
				when = "today"
			case 1:
				when = "tomorrow"
			}
			notices = append(notices, fmt.Sprintf("%s:%d: waiver for %s expires %s (%s, end of day UTC); renew it or fix the findings", p.File, line, w.Rule, when, w.Expires))
		}
	}
	return notices
}

func waiverScope(w probe.Waiver) string {
	s := ""
	if w.Cluster != "" {
		s += " on the " + w.Cluster
	}
	if len(w.Indices) > 0 {
		s += fmt.Sprintf(" for indices %v", w.Indices)
	}
	return s
}
