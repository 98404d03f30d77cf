package policies

import (
	"strings"
	"testing"
	"time"

	"github.com/espreflight/espreflight/probe"
)

func waiverFindings() []Finding {
	return []Finding{
		{Rule: "SYS-001", Severity: "warning", Cluster: "source", Index: ".kibana_1", Message: "m"},
		{Rule: "SYS-001", Severity: "warning", Cluster: "source", Index: ".security-7", Message: "m"},
		{Rule: "SNAP-002", Severity: "error", Cluster: "source", Index: "logs-1", Message: "m"},
		{Rule: "SNAP-002", Severity: "error", Cluster: "source", Index: "logs-keep", Message: "m"},
		{Rule: "SNAP-002", Severity: "error", Cluster: "destination", Index: "logs-2", Message: "m"},
		{Rule: "SNAP-002", Severity: "error", Cluster: "source", Index: "orders-1", Message: "m"},
		{Rule: "ARCH-001", Severity: "error", Cluster: "destination", Message: "m"},
	}
}

func waiverPlan(ws ...probe.Waiver) *probe.Plan {
	p := &probe.Plan{File: "plans/m.yaml", Lines: map[string]int{}, Waivers: ws}
	for i := range ws {
		p.Lines[waiverPath(i)] = 40 + 5*i
	}
	return p
}

func waiverPath(i int) string { return "waivers[" + string(rune('0'+i)) + "]" }

func waivedSet(fs []Finding) map[string]bool {
	out := map[string]bool{}
	for _, f := range fs {
		if f.Waived != nil {
			out[f.Rule+"/"+f.Cluster+"/"+f.Index] = true
		}
	}
	return out
}

var now = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func TestWaiverValid(t *testing.T) {
	fs := waiverFindings()
	p := waiverPlan(probe.Waiver{Rule: "SYS-001", Reason: "Kibana moves too", Expires: "2026-12-31", Ticket: "CHG-1", ApprovedBy: "jane"})
	notices := applyWaivers(fs, p, now)
	if len(notices) != 0 {
		t.Errorf("notices: %v", notices)
	}
	got := waivedSet(fs)
	if !got["SYS-001/source/.kibana_1"] || !got["SYS-001/source/.security-7"] || len(got) != 2 {
		t.Fatalf("waived %v", got)
	}
	w := fs[0].Waived
	if w.Reason != "Kibana moves too" || w.Expires != "2026-12-31" || w.Ticket != "CHG-1" || w.ApprovedBy != "jane" || w.Line != 40 {
		t.Errorf("waiver recorded as %+v", w)
	}
	s := summarize([]Rule{{ID: "SYS-001", Severity: "warning"}, {ID: "SNAP-002", Severity: "error"}, {ID: "ARCH-001", Severity: "error"}, {ID: "X-1", Severity: "error"}}, "snapshot", fs)
	if s != (Summary{Rules: 4, Passed: 1, Failed: 2, Warnings: 0, Waived: 1}) {
		t.Errorf("summary %+v", s)
	}
}

func TestWaiverExpired(t *testing.T) {
	fs := waiverFindings()
	p := waiverPlan(probe.Waiver{Rule: "SYS-001", Reason: "r", Expires: "2026-11-25"})
	notices := applyWaivers(fs, p, now)
	if len(waivedSet(fs)) != 0 {
		t.Errorf("an expired waiver waived %v", waivedSet(fs))
	}
	if len(notices) != 1 || !strings.HasPrefix(notices[0], "plans/m.yaml:40: ") || !strings.Contains(notices[0], "SYS-001 expired on 2026-11-25") {
		t.Errorf("notices: %q", notices)
	}
}

// The waiver is valid through the whole expiry day, UTC.
func TestWaiverExpiryDay(t *testing.T) {
	plus2 := time.FixedZone("UTC+2", 2*3600)
	minus5 := time.FixedZone("UTC-5", -5*3600)
	for _, c := range []struct {
		at     time.Time
		waived bool
	}{
		{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 11, 26, 23, 59, 59, 999, time.UTC), true},
		{time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 11, 27, 1, 30, 0, 0, plus2), true},    // 23:30 UTC on the 26th
		{time.Date(2026, 11, 26, 19, 30, 0, 0, minus5), false}, // 00:30 UTC on the 27th
	} {
		fs := waiverFindings()
		notices := applyWaivers(fs, waiverPlan(probe.Waiver{Rule: "ARCH-001", Reason: "r", Expires: "2026-11-26"}), c.at)
		if got := fs[6].Waived != nil; got != c.waived {
			t.Errorf("at %s: waived=%v, want %v (notices %q)", c.at, got, c.waived, notices)
		}
		if c.waived && (len(notices) != 1 || !strings.Contains(notices[0], "expires today")) {
			t.Errorf("at %s: want an 'expires today' notice, got %q", c.at, notices)
		}
	}
	fs := waiverFindings()
	notices := applyWaivers(fs, waiverPlan(probe.Waiver{Rule: "ARCH-001", Reason: "r", Expires: "2026-11-30"}), now)
	if len(notices) != 1 || !strings.Contains(notices[0], "expires in 4 days") {
		t.Errorf("soon: %q", notices)
	}
}

func TestWaiverStale(t *testing.T) {
	fs := waiverFindings()
	p := waiverPlan(
		probe.Waiver{Rule: "PLUG-001", Reason: "r", Expires: "2027-01-01"},
		probe.Waiver{Rule: "ARCH-001", Cluster: "source", Reason: "r", Expires: "2027-01-01"},
		probe.Waiver{Rule: "SYS-001", Indices: []string{"logs-*"}, Reason: "r", Expires: "2027-01-01"},
	)
	notices := applyWaivers(fs, p, now)
	if len(waivedSet(fs)) != 0 {
		t.Errorf("stale waivers waived %v", waivedSet(fs))
	}
	want := []string{
		"plans/m.yaml:40: waiver for PLUG-001 matches no finding (stale)",
		"plans/m.yaml:45: waiver for ARCH-001 on the source matches no finding (stale)",
		"plans/m.yaml:50: waiver for SYS-001 for indices [logs-*] matches no finding (stale)",
	}
	if len(notices) != len(want) {
		t.Fatalf("notices: %q", notices)
	}
	for i, w := range want {
		if !strings.HasPrefix(notices[i], w) {
			t.Errorf("notice %d = %q, want prefix %q", i, notices[i], w)
		}
	}
}

func TestWaiverScope(t *testing.T) {
	fs := waiverFindings()
	p := waiverPlan(
		// Index patterns with an exclusion, on the source only.
		probe.Waiver{Rule: "SNAP-002", Cluster: "source", Indices: []string{"logs-*", "-logs-keep"}, Reason: "r", Expires: "2027-01-01"},
		// Only an exclusion: every index but orders-1 (here: none left on the destination).
		probe.Waiver{Rule: "SNAP-002", Cluster: "destination", Indices: []string{"-orders-*"}, Reason: "r2", Expires: "2027-01-01"},
		// Indices given: a finding without an index is not matched.
		probe.Waiver{Rule: "ARCH-001", Indices: []string{"*"}, Reason: "r", Expires: "2027-01-01"},
	)
	notices := applyWaivers(fs, p, now)
	got := waivedSet(fs)
	want := map[string]bool{"SNAP-002/source/logs-1": true, "SNAP-002/destination/logs-2": true}
	if len(got) != len(want) {
		t.Errorf("waived %v, want %v", got, want)
	}
	for k := range want {
		if !got[k] {
			t.Errorf("%s not waived", k)
		}
	}
	if fs[4].Waived == nil || fs[4].Waived.Reason != "r2" || fs[4].Waived.Line != 45 {
		t.Errorf("destination finding waived by %+v", fs[4].Waived)
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "ARCH-001") || !strings.Contains(notices[0], "stale") {
		t.Errorf("notices %q", notices)
	}
}

// Two waivers for the same findings: the first is recorded, neither is stale.
func TestWaiverOverlap(t *testing.T) {
	fs := waiverFindings()
	p := waiverPlan(
		probe.Waiver{Rule: "SYS-001", Reason: "first", Expires: "2027-01-01"},
		probe.Waiver{Rule: "SYS-001", Cluster: "source", Reason: "second", Expires: "2027-01-01"},
	)
	if notices := applyWaivers(fs, p, now); len(notices) != 0 {
		t.Errorf("notices %q", notices)
	}
	if fs[0].Waived == nil || fs[0].Waived.Reason != "first" {
		t.Errorf("waived by %+v", fs[0].Waived)
	}
	if n := applyWaivers(waiverFindings(), nil, now); n != nil {
		t.Errorf("nil plan: %v", n)
	}
}
