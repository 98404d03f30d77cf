package advise

import (
	"fmt"
	"strings"

	"github.com/espreflight/espreflight/probe"
)

// The order of preference is the migration guide's:
// https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution

// preference returns the methods in the guide's order of preference for this
// migration: Logstash first for filtered or incremental sync; otherwise OSS
// snapshots (snapshot + reindex first when an intermediate version is
// needed), then Logstash; the reindex API and elasticsearch-dump only for
// small data. The second result explains the order.
func (a *Advice) preference(needIntermediate bool, p *probe.Plan) ([]string, []string) {
	var order, why []string
	small := a.Volume.Class == "small"
	dumpSmall := small && a.Volume.Bytes <= dumpLimit(p)
	snap := []string{"snapshot", "snapshot-reindex"}
	if needIntermediate {
		snap = []string{"snapshot-reindex", "snapshot"}
	}
	switch {
	case a.Filtered:
		order = []string{"logstash"}
		why = append(why, "only part of the data is migrated: the guide recommends Logstash for filtered data (snapshots move whole indices)")
		if small {
			order = append(order, "reindex")
		}
		return order, why
	case a.Mode == "incremental":
		order = append([]string{"logstash"}, snap...)
		why = append(why, "incremental sync: the guide recommends Logstash (scheduled runs that upsert by document id); snapshots need the destination index closed for each incremental restore")
	default:
		order = append(order, snap...)
		order = append(order, "logstash")
		switch a.Volume.Class {
		case "large":
			why = append(why, fmt.Sprintf("%s of data (%s): the guide recommends OSS snapshots for GB to PB volumes; the reindex API and elasticsearch-dump suit small data only", a.Volume.Human, a.Volume.From))
		case "small":
			why = append(why, fmt.Sprintf("%s of data (%s): small enough for the reindex API%s, but snapshots remain the guide's first choice", a.Volume.Human, a.Volume.From, map[bool]string{true: " and elasticsearch-dump", false: ""}[dumpSmall]))
		default:
			why = append(why, "the data volume is unknown: the advice assumes a large volume, so the reindex API and elasticsearch-dump are not recommended (declare --volume or probe the source)")
		}
		if small {
			order = append(order, "reindex")
			if dumpSmall {
				order = append(order, "elasticsearch-dump")
			}
		}
	}
	if needIntermediate {
		why = append(why, "the destination cannot restore the source's indices directly (more than one major version apart): the guide's path is snapshot + reindex through an intermediate version")
	}
	return order, why
}

func (a *Advice) recommend(p *probe.Plan) {
	needIntermediate := false
	for _, o := range a.Options {
		if o.Method == "snapshot-reindex" && o.Intermediate != nil && o.Intermediate.Fits {
			needIntermediate = true
		}
	}
	order, why := a.preference(needIntermediate, p)
	var best *Option
	var alts []string
	for _, m := range order {
		for i := range a.Options {
			o := &a.Options[i]
			if o.Method != m || o.Mode != a.Mode || !o.Works() {
				continue
			}
			if best == nil {
				best = o
			} else {
				alts = append(alts, o.Title())
			}
		}
	}
	if best == nil {
		a.Notes = append(a.Notes, a.noneWorks(order))
		return
	}
	r := &Recommendation{Key: best.Key(), Method: best.Method, Mode: best.Mode, Variant: best.Variant, Label: best.Title(),
		Verdict: best.Verdict, Intermediate: best.Intermediate, Needs: best.Needs, Alternatives: alts, Plan: best.Plan}
	r.Why = append(r.Why, why...)
	if best.Intermediate != nil {
		r.Why = append(r.Why, "intermediate "+ProductName(best.Intermediate.Product)+" "+best.Intermediate.Version+": "+best.Intermediate.Why)
	}
	// Say why better-ranked options were passed over.
	for _, m := range order {
		if m == best.Method {
			break
		}
		for i := range a.Options {
			o := &a.Options[i]
			if o.Method == m && o.Mode == a.Mode && o.Variant == "" {
				r.Why = append(r.Why, fmt.Sprintf("%s is %s: %s", o.Title(), o.Verdict, firstReason(o)))
			}
		}
	}
	if len(best.Needs) > 0 {
		r.Why = append(r.Why, "needs "+strings.Join(best.Needs, "; "))
	}
	if best.Verdict == VerdictWarnings {
		ids := make([]string, 0, len(best.Warnings))
		for _, w := range best.Warnings {
			ids = append(ids, w.Rule)
		}
		r.Why = append(r.Why, "works with warnings: review "+strings.Join(ids, ", ")+" before migrating")
	}
	a.Recommended = r
}

func (a *Advice) noneWorks(order []string) string {
	var cand *Option
	for _, m := range order {
		for i := range a.Options {
			o := &a.Options[i]
			if o.Method == m && o.Mode == a.Mode && o.Verdict == VerdictCannotTell && cand == nil {
				cand = o
			}
		}
	}
	if cand == nil {
		return fmt.Sprintf("no migration method is known to work for a %s migration", a.Mode)
	}
	return fmt.Sprintf("no migration method is known to work for a %s migration; the most promising is %s, which cannot be told: %s", a.Mode, cand.Title(), firstReason(cand))
}

func firstReason(o *Option) string {
	switch {
	case len(o.Blocking) > 1:
		ids := make([]string, len(o.Blocking))
		for i, r := range o.Blocking {
			ids[i] = r.Rule
		}
		return strings.Join(ids, ", ") + " (" + o.Blocking[0].Rule + ": " + o.Blocking[0].Message + ")"
	case len(o.Blocking) > 0:
		return o.Blocking[0].Rule + " " + o.Blocking[0].Message
	case len(o.Unverified) > 0:
		return o.Unverified[0].Rule + " " + o.Unverified[0].Message
	case o.Note != "":
		return o.Note
	case len(o.Warnings) > 0:
		return o.Warnings[0].Rule + " " + o.Warnings[0].Message
	}
	return "no finding"
}
