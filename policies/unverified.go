package policies

import (
	"fmt"
	"slices"
	"strings"

	"github.com/espreflight/espreflight/probe"
)

// A finding that could not be verified is not fixed by the rule's
// remediation (that fixes the violation, which may not exist): it is fixed by
// getting the fact the rule lacked. This file says how, from the evidence
// the rule gave and why the facts document says each fact is unknown, and
// groups the findings whose missing facts share one cause (an unreachable
// cluster, say), so that the human reports say it once.

// Cause is one reason why facts are missing, shared by the unverified
// findings it explains.
type Cause struct {
	// ID names the cause in Finding.Cause, e.g. "destination-unreachable".
	ID string `json:"id"`
	// Cluster is the role concerned, or "" for the plan or the runner.
	Cluster string `json:"cluster,omitempty"`
	// Text says what is missing and why, in one sentence.
	Text string `json:"text"`
	// Remediation says how to get the facts.
	Remediation string `json:"remediation"`
	// Rules are the ids of the rules it left unverified, sorted.
	Rules []string `json:"rules"`
}

// Cause kinds, in the order the reports list them.
const (
	causeUnreachable = "unreachable"
	causeAuth        = "access-denied"
	causeNotProbed   = "not-probed"
	causeFailed      = "request-failed"
	causeMissing     = "missing-from-facts"
	causeRunner      = "runner-not-tested"
	causePlan        = "plan"
)

var causeOrder = []string{causeUnreachable, causeAuth, causeNotProbed, causeFailed, causeMissing, causeRunner, causePlan}

// missingFacts are the evidence facts of an unverified finding that it
// lacked: those with a null value, or an empty plan value. When none is
// marked so, every evidence fact.
func missingFacts(ev []Evidence) []string {
	var out []string
	for _, e := range ev {
		s, isStr := e.Value.(string)
		if e.Value == nil || (isStr && s == "" && strings.HasPrefix(e.Fact, "plan.")) {
			out = append(out, e.Fact)
		}
	}
	if len(out) == 0 {
		for _, e := range ev {
			out = append(out, e.Fact)
		}
	}
	return out
}

// factCause explains one missing fact: its cause and how to get the fact.
func factCause(f *probe.Facts, fact string) Cause {
	plan := "the plan"
	if f.Plan != nil && f.Plan.File != "" {
		plan = f.Plan.File
	}
	switch {
	case strings.HasPrefix(fact, "plan."):
		key := strings.TrimPrefix(fact, "plan.")
		line := 1
		if f.Plan != nil {
			line = f.Plan.Line(key)
		}
		return Cause{ID: causePlan + ":" + key, Text: fmt.Sprintf("the plan does not give %s", key),
			Remediation: fmt.Sprintf("Add %s to the plan (%s:%d).", key, plan, line)}
	case strings.HasPrefix(fact, "runner."):
		return Cause{ID: causeRunner, Text: "reachability from the host that runs the migration was not tested",
			Remediation: fmt.Sprintf("Run `espreflight probe --plan %s -o facts.json` on the host that runs the migration, then `espreflight check --plan %s --facts facts.json`.", plan, plan)}
	case strings.HasPrefix(fact, "clusters."), strings.HasPrefix(fact, "selection."):
	default:
		return Cause{ID: causeMissing + ":" + fact, Text: fmt.Sprintf("%s is not known", fact),
			Remediation: "Collect the facts again with `espreflight probe` and pass them with --facts."}
	}
	parts := strings.SplitN(fact, ".", 4)
	if len(parts) < 3 {
		return Cause{ID: causeMissing + ":" + fact, Text: fmt.Sprintf("%s is not known", fact),
			Remediation: "Collect the facts again with `espreflight probe` and pass them with --facts."}
	}
	role, key := parts[1], parts[2]
	if i := strings.IndexAny(key, "[]"); i >= 0 {
		key = key[:i]
	}
	if parts[0] == "selection" {
		key = "indices"
	}
	c := f.Clusters.ByRole(role)
	if c == nil {
		return Cause{ID: causeNotProbed + ":" + role, Cluster: role, Text: fmt.Sprintf("the plan declares no %s", role),
			Remediation: fmt.Sprintf("Describe the %s in the plan (%s).", role, plan)}
	}
	where := "the " + role
	if c.Endpoint != "" {
		where += " (" + c.Endpoint + ")"
	}
	probeElsewhere := fmt.Sprintf("or run `espreflight probe --plan %s -o facts.json` on a host that can, and check with --facts facts.json", plan)
	if c.Reachable != nil && !*c.Reachable {
		reason := ""
		for _, u := range c.Unknown {
			reason = strings.TrimPrefix(u.Error, "cluster not reachable from this machine: ")
			break
		}
		text := where + " could not be reached from this machine"
		if reason != "" {
			text += ": " + reason
		}
		return Cause{ID: role + "-" + causeUnreachable, Cluster: role, Text: text,
			Remediation: fmt.Sprintf("Make %s reachable from the machine that runs espreflight (endpoint, network path, firewall or allow list), %s.", where, probeElsewhere)}
	}
	var u *probe.Unknown
	for i := range c.Unknown {
		if c.Unknown[i].Fact == key {
			u = &c.Unknown[i]
			break
		}
	}
	if u == nil {
		// An unknown product follows from an unknown version.
		for i := range c.Unknown {
			if key == "product" && c.Unknown[i].Fact == "version" {
				u = &c.Unknown[i]
			}
		}
	}
	switch {
	case u == nil:
		return Cause{ID: causeMissing + ":" + role + "." + key, Cluster: role, Text: fmt.Sprintf("the facts document has no %s of the %s", key, role),
			Remediation: fmt.Sprintf("Collect the %s's facts with `espreflight probe --plan %s -o facts.json` and pass them with --facts.", role, plan)}
	case strings.HasPrefix(u.Error, "not probed: the plan gives no endpoint"):
		decl := ""
		if key == "version" || key == "product" {
			decl = fmt.Sprintf(", or declare %s.%s in the plan", role, key)
		}
		return Cause{ID: role + "-" + causeNotProbed, Cluster: role, Text: fmt.Sprintf("the %s was not probed: the plan gives no endpoint for it", role),
			Remediation: fmt.Sprintf("Give the %s an endpoint in the plan so that espreflight can probe it%s, or pass --facts with facts collected by `espreflight probe`.", role, decl)}
	case strings.HasPrefix(u.Error, "not probed"):
		return Cause{ID: role + "-" + causeNotProbed, Cluster: role, Text: fmt.Sprintf("the %s was not probed: the facts hold only what the plan declares for it", role),
			Remediation: fmt.Sprintf("Probe the %s: run check without --facts where it is reachable, %s.", role, probeElsewhere)}
	case strings.HasPrefix(u.Error, "HTTP 401"), strings.HasPrefix(u.Error, "HTTP 403"):
		return Cause{ID: role + "-" + causeAuth, Cluster: role, Text: fmt.Sprintf("%s refused the probe's requests (%s: %s)", where, u.Endpoint, u.Error),
			Remediation: fmt.Sprintf("Give espreflight credentials for the %s (auth: in the plan) of a user with read-only monitoring privileges: cluster `monitor`, and `monitor` and `view_index_metadata` on every index; then probe again.", role)}
	}
	req := u.Endpoint
	if req == "" {
		req = "not requested"
	}
	return Cause{ID: role + "-" + causeFailed + ":" + key, Cluster: role, Text: fmt.Sprintf("the %s of %s could not be collected (%s: %s)", key, where, req, u.Error),
		Remediation: fmt.Sprintf("Fix what stopped the request (see the reason) and probe the %s again, %s.", role, probeElsewhere)}
}

// explainer explains unverified findings, one fact at a time (memoised:
// per-index rules repeat the same facts on thousands of findings).
type explainer struct {
	f    *probe.Facts
	memo map[string]Cause
}

func newExplainer(f *probe.Facts) *explainer {
	return &explainer{f: f, memo: map[string]Cause{}}
}

// causesOf returns the causes of the facts an unverified finding lacked.
func (x *explainer) causesOf(fd *Finding) []Cause {
	var out []Cause
	for _, fact := range missingFacts(fd.Evidence) {
		c, ok := x.memo[fact]
		if !ok {
			c = factCause(x.f, fact)
			x.memo[fact] = c
		}
		if !slices.ContainsFunc(out, func(o Cause) bool { return o.ID == c.ID }) {
			out = append(out, c)
		}
	}
	return out
}

// explain sets the remediation of an unverified finding to how to get the
// facts it lacked, and its Cause when it has only one.
func (x *explainer) explain(fd *Finding) {
	if !fd.Unverified {
		return
	}
	cs := x.causesOf(fd)
	if len(cs) == 0 {
		return
	}
	lines := make([]string, len(cs))
	for i, c := range cs {
		lines[i] = c.Remediation
	}
	fd.Remediation = strings.Join(lines, "\n")
	if len(cs) == 1 {
		fd.Cause = cs[0].ID
	}
}

// causes groups the unwaived unverified findings by cause: each cause with
// the rules it left unverified, in causeOrder.
func (x *explainer) causes(fs []Finding) []Cause {
	byID := map[string]*Cause{}
	var order []string
	seen := map[[2]string]bool{}
	for i := range fs {
		fd := &fs[i]
		if !fd.Unverified || fd.Waived != nil {
			continue
		}
		for _, c := range x.causesOf(fd) {
			if byID[c.ID] == nil {
				cc := c
				cc.Rules = nil
				byID[c.ID] = &cc
				order = append(order, c.ID)
			}
			if k := [2]string{c.ID, fd.Rule}; !seen[k] {
				seen[k] = true
				byID[c.ID].Rules = append(byID[c.ID].Rules, fd.Rule)
			}
		}
	}
	out := make([]Cause, 0, len(order))
	for _, id := range order {
		c := byID[id]
		slices.Sort(c.Rules)
		out = append(out, *c)
	}
	slices.SortStableFunc(out, func(a, b Cause) int { return causeRank(a.ID) - causeRank(b.ID) })
	return out
}

func causeRank(id string) int {
	for i, k := range causeOrder {
		if strings.Contains(id, k) {
			return i
		}
	}
	return len(causeOrder)
}
