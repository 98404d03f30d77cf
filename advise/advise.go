// Package advise evaluates every migration method for one cluster pair and
// recommends one. It decides nothing itself: each option is the same facts
// with another plan, and its verdict comes from the rule engine's findings
// only; which release can restore which snapshot is asked of the policies'
// snapshot compatibility matrix. What it adds is the order of preference
// of the migration guide, the plan variants that can unblock an option and
// the starter plan of the recommended one. It prints nothing: report
// renders an Advice.
package advise

import (
	"context"
	"fmt"
	"time"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
)

// Engine is what the advice asks of the rules (a *policies.Engine).
type Engine interface {
	// Evaluate runs every rule over the facts.
	Evaluate(ctx context.Context, f *probe.Facts, now time.Time) (*policies.Result, error)
	// RestoreVerdicts answers, per pair, whether an index created by one
	// release restores into another (lib.restore_verdict).
	RestoreVerdicts(ctx context.Context, pairs []policies.RestorePair) ([]string, error)
	// Architecture is the Alibaba network architecture the rules see for
	// the cluster of a role (lib.architecture), "" when unknown.
	Architecture(ctx context.Context, p *probe.Plan, role string) (string, error)
}

// Run evaluates the rules for every migration method (and mode) over the
// same facts, without probing again: each option clones the plan with another
// method and mode; snapshot-reindex gets a declared intermediate cluster of a
// version picked by PickIntermediate. The verdict of each option comes from
// its findings only.
func Run(ctx context.Context, e Engine, f *probe.Facts, now time.Time, goal Goal) (*Advice, error) {
	if f == nil || f.Plan == nil {
		return nil, fmt.Errorf("advise: the facts hold no plan")
	}
	if f.Plan.Source == nil || f.Plan.Destination == nil {
		return nil, fmt.Errorf("advise: the plan must describe the source and the destination")
	}
	if goal.Mode == "" {
		goal.Mode = "full"
	}
	if goal.Mode != "full" && goal.Mode != "incremental" {
		return nil, fmt.Errorf("advise: mode %q: use full or incremental", goal.Mode)
	}
	src, err := clusterOf(ctx, e, f, probe.RoleSource)
	if err != nil {
		return nil, err
	}
	dst, err := clusterOf(ctx, e, f, probe.RoleDestination)
	if err != nil {
		return nil, err
	}
	adv := &Advice{
		Schema:      Schema,
		EvaluatedAt: now.UTC().Truncate(time.Second),
		Source:      src,
		Destination: dst,
		Volume:      volumeOf(f),
		Mode:        goal.Mode,
		Filtered:    goal.Filtered,
		Options:     []Option{},
	}
	adv.Unreachable = f.Unreachable()
	inter, needInter, err := PickIntermediate(ctx, e, f)
	if err != nil {
		return nil, err
	}
	lsVersion := ""
	for _, method := range methodOrder {
		for _, mode := range modes[method] {
			base := clonePlan(f.Plan)
			base.Method, base.Mode = method, mode
			keepSections(base)
			var assumes []string
			if method == "snapshot-reindex" {
				if !needInter {
					adv.Options = append(adv.Options, Option{
						Method: method, Mode: mode, Label: label(method, ""),
						Verdict: VerdictNotApplicable, Note: "not needed: the destination restores the source's snapshots directly",
						Blocking: []Reason{}, Unverified: []Reason{}, Warnings: []Reason{},
					})
					continue
				}
				base.Intermediate = intermediateSpec(f.Plan, inter, now)
				if inter != nil {
					assumes = append(assumes, fmt.Sprintf("an intermediate %s %s cluster (same kind, region and account as the destination)", ProductName(inter.Product), inter.Version))
				}
			} else {
				base.Intermediate = nil
			}
			if method == "snapshot" || method == "snapshot-reindex" {
				assumes = append(assumes, snapshotDefaults(base)...)
			}
			if method == "logstash" {
				a, err := logstashDefaults(ctx, e, f, base, now, &lsVersion)
				if err != nil {
					return nil, err
				}
				assumes = append(assumes, a...)
			}
			opt, _, err := evaluate(ctx, e, f, base, now)
			if err != nil {
				return nil, err
			}
			opt.Label = label(method, "")
			opt.Assumes = assumes
			if method == "snapshot-reindex" {
				opt.Intermediate = inter
			}
			adv.Options = append(adv.Options, *opt)
			if opt.Works() {
				continue
			}
			for i := range variants {
				v := &variants[i]
				if !v.methods[method] || !v.applies(base) || !v.blockedBy(opt) {
					continue
				}
				vp := clonePlan(base)
				v.apply(vp)
				vopt, _, err := evaluate(ctx, e, f, vp, now)
				if err != nil {
					return nil, err
				}
				if vopt.Verdict == VerdictBlocked {
					// Still blocked: the variant does not help and is not shown.
					continue
				}
				vopt.Variant, vopt.Label = v.key, label(method, v.label)
				vopt.Needs = []string{v.need}
				vopt.Assumes = assumes
				vopt.Intermediate = opt.Intermediate
				adv.Options = append(adv.Options, *vopt)
			}
		}
	}
	adv.recommend(f.Plan)
	return adv, nil
}

// evaluate evaluates one plan over the facts (the clusters stay as
// probed; a declared intermediate is added when the plan has one). The
// option keeps what the advice shows, not the findings: at 100 000 indices
// each evaluation has 100 000 of them.
func evaluate(ctx context.Context, e Engine, f *probe.Facts, p *probe.Plan, now time.Time) (*Option, *policies.Result, error) {
	ff := *f
	ff.Plan = p
	ff.Clusters = probe.Clusters{Source: f.Clusters.Source, Destination: f.Clusters.Destination}
	if ff.Clusters.Source == nil {
		ff.Clusters.Source = probe.DeclaredCluster(p, probe.RoleSource)
	}
	if ff.Clusters.Destination == nil {
		ff.Clusters.Destination = probe.DeclaredCluster(p, probe.RoleDestination)
	}
	if p.Intermediate != nil {
		ff.Clusters.Intermediate = probe.DeclaredCluster(p, probe.RoleIntermediate)
	}
	res, err := e.Evaluate(ctx, &ff, now)
	if err != nil {
		return nil, nil, fmt.Errorf("advise %s/%s: %w", p.Method, p.Mode, err)
	}
	opt := &Option{Method: p.Method, Mode: p.Mode, Plan: p, Summary: res.Summary}
	opt.Blocking, opt.Unverified, opt.Warnings = reasons(res.Findings)
	switch {
	case len(opt.Blocking) > 0:
		opt.Verdict = VerdictBlocked
	case len(opt.Unverified) > 0:
		opt.Verdict = VerdictCannotTell
	case len(opt.Warnings) > 0:
		opt.Verdict = VerdictWarnings
	default:
		opt.Verdict = VerdictWorks
	}
	return opt, res, nil
}

// reasons groups the unwaived findings by rule: verified errors, unverified
// errors, and warnings (verified or not).
func reasons(fs []policies.Finding) (blocking, unverified, warnings []Reason) {
	blocking, unverified, warnings = []Reason{}, []Reason{}, []Reason{}
	type key struct {
		rule  string
		class int
	}
	idx := map[key]int{}
	msgs := map[key]map[string]bool{}
	add := func(list *[]Reason, class int, f *policies.Finding) {
		k := key{f.Rule, class}
		if i, ok := idx[k]; ok {
			(*list)[i].Count++
			if !msgs[k][f.Message] {
				msgs[k][f.Message] = true
				(*list)[i].More++
			}
			return
		}
		msgs[k] = map[string]bool{f.Message: true}
		idx[k] = len(*list)
		*list = append(*list, Reason{Rule: f.Rule, Severity: f.Severity, Title: f.Title, Message: f.Message, Count: 1})
	}
	for i := range fs {
		f := &fs[i]
		if f.Waived != nil {
			continue
		}
		switch {
		case f.Severity == policies.SeverityError && !f.Unverified:
			add(&blocking, 0, f)
		case f.Severity == policies.SeverityError:
			add(&unverified, 1, f)
		default:
			add(&warnings, 2, f)
		}
	}
	return blocking, unverified, warnings
}

// logstashCandidates are the Logstash releases tried, newest first: the
// last minor of each major (the ones Elastic's matrix pairs across majors).
var logstashCandidates = []string{"8.19", "7.17", "6.8", "5.6"}

// logstashDefaults fills the Logstash section the rules read when the plan
// has none: the newest Logstash release that the rules accept for both
// clusters (picked by evaluating the candidates), docinfo on and the document
// id taken from the source _id. It returns what it assumed.
func logstashDefaults(ctx context.Context, e Engine, f *probe.Facts, p *probe.Plan, now time.Time, cache *string) ([]string, error) {
	var assumes []string
	if p.Logstash == nil {
		p.Logstash = &probe.Logstash{Docinfo: true, DocinfoTarget: "[@metadata]", DocumentID: "%{[@metadata][_id]}"}
		assumes = append(assumes, `Logstash with docinfo on into docinfo_target "[@metadata]" and document_id "%{[@metadata][_id]}" (ids preserved)`)
		if p.Destination.VPC != "" {
			p.Logstash.VPC = p.Destination.VPC
			assumes = append(assumes, "Logstash runs in the destination's VPC "+p.Destination.VPC)
		}
	}
	// The elasticsearch plugins refuse OpenSearch from Logstash 7.16 (VER-007):
	// an OpenSearch cluster is read or written with the OpenSearch plugin.
	if f.Clusters.Source != nil && f.Clusters.Source.Product == "opensearch" && p.Logstash.InputPlugin == "" {
		p.Logstash.InputPlugin = "logstash-input-opensearch"
		assumes = append(assumes, "the source is read with logstash-input-opensearch")
	}
	if f.Clusters.Destination != nil && f.Clusters.Destination.Product == "opensearch" && p.Logstash.OutputPlugin == "" {
		p.Logstash.OutputPlugin = "logstash-output-opensearch"
		assumes = append(assumes, "the destination is written with logstash-output-opensearch")
	}
	if p.Mode == "incremental" && p.Logstash.Schedule == "" {
		p.Logstash.Schedule = "*/5 * * * *"
		assumes = append(assumes, `a schedule of "*/5 * * * *" for the incremental runs`)
	}
	if p.Logstash.Version != "" {
		return assumes, nil
	}
	if *cache == "" {
		*cache = logstashCandidates[0]
		for _, v := range logstashCandidates {
			tp := clonePlan(p)
			tp.Logstash.Version = v
			_, res, err := evaluate(ctx, e, f, tp, now)
			if err != nil {
				return nil, err
			}
			if !hasVerified(res.Findings, "VER-007") {
				*cache = v
				break
			}
		}
	}
	p.Logstash.Version = *cache
	assumes = append(assumes, "Logstash "+*cache+" (the newest release compatible with both clusters)")
	return assumes, nil
}

func hasVerified(fs []policies.Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule && !f.Unverified {
			return true
		}
	}
	return false
}
