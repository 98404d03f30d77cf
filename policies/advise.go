package policies

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/espreflight/espreflight/probe"
)

// AdviceSchema is the value of the "schema" key of the advice document.
const AdviceSchema = "espreflight.advice/v1"

// Verdicts of one migration option.
const (
	VerdictWorks         = "works"
	VerdictWarnings      = "works with warnings"
	VerdictBlocked       = "blocked"
	VerdictCannotTell    = "cannot tell"
	VerdictNotApplicable = "not applicable"
)

// AdviseOptions say what the migration must achieve.
type AdviseOptions struct {
	// Mode is the mode the migration needs: "full" (default) or "incremental".
	// Every option is evaluated; the recommendation is chosen among this mode.
	Mode string
	// Filtered is true when only part of the data (a query) is migrated.
	Filtered bool
}

// Advice is the outcome of Advise: every migration method (× mode) evaluated
// over the same facts, and the recommended one.
type Advice struct {
	Schema      string        `json:"schema"`
	EvaluatedAt time.Time     `json:"evaluated_at"`
	Source      AdviceCluster `json:"source"`
	Destination AdviceCluster `json:"destination"`
	Volume      AdviceVolume  `json:"volume"`
	// Mode and Filtered repeat the options the recommendation honours.
	Mode     string `json:"mode"`
	Filtered bool   `json:"filtered"`
	// Options has one entry per method × mode (and per plan variant such as
	// OSS cross-region replication), in the guide's order.
	Options []AdviceOption `json:"options"`
	// Recommended is the option to use; nil when no option is known to work.
	Recommended *Recommendation `json:"recommended"`
	// Notes explain the advice as a whole (unknown volume, nothing works, ...).
	Notes []string `json:"notes,omitempty"`
	// Unreachable lists the clusters that could not be probed.
	Unreachable []string `json:"unreachable,omitempty"`
}

// AdviceCluster summarises one cluster for the advice.
type AdviceCluster struct {
	Kind     string `json:"kind"`
	Provider string `json:"provider,omitempty"`
	Product  string `json:"product"`
	Version  string `json:"version"`
	Region   string `json:"region,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	// Architecture is the Alibaba network architecture (original | new), "" when not Alibaba or unknown.
	Architecture string `json:"architecture,omitempty"`
}

// AdviceVolume is the data volume the advice is based on.
type AdviceVolume struct {
	// Bytes is -1 when unknown.
	Bytes int64  `json:"bytes"`
	Human string `json:"human"`
	// From says where the figure comes from.
	From string `json:"from"`
	// Class is "small" (at most the reindex threshold), "large" or "unknown".
	Class   string `json:"class"`
	Indices int    `json:"indices"`
}

// AdviceOption is one evaluated migration option: a row of the matrix.
type AdviceOption struct {
	Method string `json:"method"`
	Mode   string `json:"mode"`
	// Variant names a plan change the option needs ("crr"), "" for none.
	Variant string `json:"variant,omitempty"`
	// Label is how the option is shown ("snapshot + OSS CRR").
	Label string `json:"label"`
	// Intermediate is the intermediate cluster chosen for snapshot-reindex.
	Intermediate *Intermediate `json:"intermediate,omitempty"`
	Verdict      string        `json:"verdict"`
	// Blocking are the error findings, one per rule; Unverified the error
	// findings that could not be verified; Warnings the warnings.
	Blocking   []Reason `json:"blocking"`
	Unverified []Reason `json:"unverified"`
	Warnings   []Reason `json:"warnings"`
	// Needs says what the plan must provide for this option (variants).
	Needs []string `json:"needs,omitempty"`
	// Assumes lists the plan choices the evaluation made on the user's behalf.
	Assumes []string `json:"assumes,omitempty"`
	// Note explains a verdict that no rule produced (not applicable).
	Note    string  `json:"note,omitempty"`
	Summary Summary `json:"summary"`
	// Plan is the plan the option was evaluated with (in JSON only for the
	// recommended option, as Recommendation.Plan).
	Plan *probe.Plan `json:"-"`
	// Result is the full evaluation.
	Result *Result `json:"-"`
}

// Key identifies an option: "method/mode" or "method/mode/variant".
func (o *AdviceOption) Key() string {
	k := o.Method + "/" + o.Mode
	if o.Variant != "" {
		k += "/" + o.Variant
	}
	return k
}

// Works reports whether the option works (with or without warnings).
func (o *AdviceOption) Works() bool {
	return o.Verdict == VerdictWorks || o.Verdict == VerdictWarnings
}

// Reason is one rule's findings, reduced to a line.
type Reason struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Title    string `json:"title"`
	Message  string `json:"message"`
	// Count is the number of findings of the rule (one per index or cluster).
	Count int `json:"count"`
	// More is the number of further distinct messages of the rule.
	More int `json:"more"`
}

// Intermediate is the intermediate cluster picked for snapshot-reindex.
type Intermediate struct {
	Product string `json:"product"`
	Version string `json:"version"`
	// Fits is false when no release bridges the versions and Version is only
	// the release the path was evaluated with.
	Fits bool   `json:"fits"`
	Why  string `json:"why"`
}

// Recommendation names the option to use and why.
type Recommendation struct {
	Key          string        `json:"key"`
	Method       string        `json:"method"`
	Mode         string        `json:"mode"`
	Variant      string        `json:"variant,omitempty"`
	Label        string        `json:"label"`
	Verdict      string        `json:"verdict"`
	Intermediate *Intermediate `json:"intermediate,omitempty"`
	Why          []string      `json:"why"`
	Needs        []string      `json:"needs,omitempty"`
	// Alternatives are the labels of the other options that work, best first.
	Alternatives []string `json:"alternatives,omitempty"`
	// Plan is the plan the recommended option was evaluated with: the base of
	// `espreflight plan init --from-advice`.
	Plan *probe.Plan `json:"plan"`
}

// Best returns the recommended option of the advice, or nil.
func (a *Advice) Best() *AdviceOption {
	if a.Recommended == nil {
		return nil
	}
	for i := range a.Options {
		if a.Options[i].Key() == a.Recommended.Key {
			return &a.Options[i]
		}
	}
	return nil
}

// advModes lists the modes each method offers (the guide: OSS snapshots,
// Logstash and snapshot + reindex support incremental migration; the reindex
// API and elasticsearch-dump copy a point in time, see FIT-003).
var advModes = map[string][]string{
	"snapshot":           {"full", "incremental"},
	"snapshot-reindex":   {"full", "incremental"},
	"logstash":           {"full", "incremental"},
	"reindex":            {"full"},
	"elasticsearch-dump": {"full"},
}

// advMethodOrder is the order of the matrix rows (the guide's table order).
var advMethodOrder = []string{"snapshot", "snapshot-reindex", "logstash", "reindex", "elasticsearch-dump"}

var advMethodLabel = map[string]string{
	"snapshot":           "OSS snapshot",
	"snapshot-reindex":   "snapshot + reindex",
	"logstash":           "Logstash",
	"reindex":            "reindex API",
	"elasticsearch-dump": "elasticsearch-dump",
}

// MethodLabel is the human name of a method.
func MethodLabel(m string) string {
	if l, ok := advMethodLabel[m]; ok {
		return l
	}
	return m
}

// advVariant is a plan change that can unblock an option, tried when the
// option is blocked as planned.
type advVariant struct {
	key, label, need string
	methods          map[string]bool
	// rules are the findings the variant answers: it is tried only when one
	// of them blocks the option.
	rules   []string
	applies func(p *probe.Plan) bool
	apply   func(p *probe.Plan)
}

var advVariants = []advVariant{
	{
		key:     "crr",
		label:   "OSS CRR",
		need:    "OSS cross-region replication (CRR) of the snapshot bucket into the destination region (snapshot.cross_region_replication: true)",
		methods: map[string]bool{"snapshot": true, "snapshot-reindex": true},
		rules:   []string{"OSS-004", "OSS-001"},
		applies: func(p *probe.Plan) bool {
			s, d := p.Source.Region, p.Destination.Region
			return s != "" && d != "" && s != d && (p.Snapshot == nil || !p.Snapshot.CrossRegionReplication)
		},
		apply: func(p *probe.Plan) {
			if p.Snapshot == nil {
				p.Snapshot = &probe.Snapshot{}
			}
			p.Snapshot.CrossRegionReplication = true
			if p.Snapshot.Repository != nil {
				r := *p.Snapshot.Repository
				// The replica bucket lives in the destination region.
				r.Region = p.Destination.Region
				r.Shared = false
				p.Snapshot.Repository = &r
			}
		},
	},
	{
		key:     "nat",
		label:   "NAT gateway",
		need:    "NAT gateways for the Logstash cluster, so that it reaches clusters in other VPCs over the Internet (logstash.nat_gateway: true)",
		methods: map[string]bool{"logstash": true},
		rules:   []string{"LS-001"},
		applies: func(p *probe.Plan) bool { return p.Logstash == nil || !p.Logstash.NATGateway },
		apply: func(p *probe.Plan) {
			if p.Logstash == nil {
				p.Logstash = &probe.Logstash{}
			}
			p.Logstash.NATGateway = true
		},
	},
	{
		key:     "privatelink",
		label:   "PrivateLink",
		need:    "a PrivateLink private connection from the destination's VPC to the source (network.privatelink: true)",
		methods: map[string]bool{"reindex": true},
		rules:   []string{"RX-001"},
		applies: func(p *probe.Plan) bool { return p.Network == nil || !p.Network.PrivateLink },
		apply: func(p *probe.Plan) {
			if p.Network == nil {
				p.Network = &probe.Network{}
			}
			p.Network.PrivateLink = true
		},
	},
}

// blockedBy reports whether one of the variant's rules blocks the option
// or could not be verified for it.
func (v *advVariant) blockedBy(o *AdviceOption) bool {
	for _, r := range append(append([]Reason{}, o.Blocking...), o.Unverified...) {
		for _, id := range v.rules {
			if r.Rule == id {
				return true
			}
		}
	}
	return false
}

// Advise evaluates the rules for every migration method (and mode) over the
// same facts, without probing again: each option clones the plan with another
// method and mode; snapshot-reindex gets a declared intermediate cluster of a
// version picked from the snapshot compatibility matrix. The verdict of each
// option comes from its findings only.
func (e *Engine) Advise(ctx context.Context, f *probe.Facts, now time.Time, opts AdviseOptions) (*Advice, error) {
	if f == nil || f.Plan == nil {
		return nil, fmt.Errorf("advise: the facts hold no plan")
	}
	if f.Plan.Source == nil || f.Plan.Destination == nil {
		return nil, fmt.Errorf("advise: the plan must describe the source and the destination")
	}
	if opts.Mode == "" {
		opts.Mode = "full"
	}
	if opts.Mode != "full" && opts.Mode != "incremental" {
		return nil, fmt.Errorf("advise: mode %q: use full or incremental", opts.Mode)
	}
	adv := &Advice{
		Schema:      AdviceSchema,
		EvaluatedAt: now.UTC().Truncate(time.Second),
		Source:      advCluster(f, probe.RoleSource),
		Destination: advCluster(f, probe.RoleDestination),
		Volume:      advVolumeOf(f),
		Mode:        opts.Mode,
		Filtered:    opts.Filtered,
		Options:     []AdviceOption{},
	}
	adv.Unreachable = f.Unreachable()
	inter, needInter := PickIntermediate(f)
	lsVersion := ""
	for _, method := range advMethodOrder {
		for _, mode := range advModes[method] {
			base := advClonePlan(f.Plan)
			base.Method, base.Mode = method, mode
			advKeepSections(base)
			var assumes []string
			if method == "snapshot-reindex" {
				if !needInter {
					adv.Options = append(adv.Options, AdviceOption{
						Method: method, Mode: mode, Label: advLabel(method, mode, ""),
						Verdict: VerdictNotApplicable, Note: "not needed: the destination restores the source's snapshots directly",
						Blocking: []Reason{}, Unverified: []Reason{}, Warnings: []Reason{},
					})
					continue
				}
				base.Intermediate = advIntermediateSpec(f.Plan, inter, now)
				if inter != nil {
					assumes = append(assumes, fmt.Sprintf("an intermediate %s %s cluster (same kind, region and account as the destination)", ProductName(inter.Product), inter.Version))
				}
			} else {
				base.Intermediate = nil
			}
			if method == "logstash" {
				a, err := e.advLogstashDefaults(ctx, f, base, now, &lsVersion)
				if err != nil {
					return nil, err
				}
				assumes = append(assumes, a...)
			}
			opt, err := e.advEvaluate(ctx, f, base, now)
			if err != nil {
				return nil, err
			}
			opt.Label = advLabel(method, mode, "")
			opt.Assumes = assumes
			if method == "snapshot-reindex" {
				opt.Intermediate = inter
			}
			adv.Options = append(adv.Options, *opt)
			if opt.Works() {
				continue
			}
			for i := range advVariants {
				v := &advVariants[i]
				if !v.methods[method] || !v.applies(base) || !v.blockedBy(opt) {
					continue
				}
				vp := advClonePlan(base)
				v.apply(vp)
				vopt, err := e.advEvaluate(ctx, f, vp, now)
				if err != nil {
					return nil, err
				}
				if vopt.Verdict == VerdictBlocked {
					// Still blocked: the variant does not help and is not shown.
					continue
				}
				vopt.Variant, vopt.Label = v.key, advLabel(method, mode, v.label)
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

// advEvaluate evaluates one plan over the facts (the clusters stay as
// probed; a declared intermediate is added when the plan has one).
func (e *Engine) advEvaluate(ctx context.Context, f *probe.Facts, p *probe.Plan, now time.Time) (*AdviceOption, error) {
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
		return nil, fmt.Errorf("advise %s/%s: %w", p.Method, p.Mode, err)
	}
	opt := &AdviceOption{Method: p.Method, Mode: p.Mode, Plan: p, Result: res, Summary: res.Summary}
	opt.Blocking, opt.Unverified, opt.Warnings = advReasons(res.Findings)
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
	return opt, nil
}

// advReasons groups the unwaived findings by rule: verified errors, unverified
// errors, and warnings (verified or not).
func advReasons(fs []Finding) (blocking, unverified, warnings []Reason) {
	blocking, unverified, warnings = []Reason{}, []Reason{}, []Reason{}
	type key struct {
		rule  string
		class int
	}
	idx := map[key]int{}
	msgs := map[key]map[string]bool{}
	add := func(list *[]Reason, class int, f *Finding) {
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
		case f.Severity == SeverityError && !f.Unverified:
			add(&blocking, 0, f)
		case f.Severity == SeverityError:
			add(&unverified, 1, f)
		default:
			add(&warnings, 2, f)
		}
	}
	return blocking, unverified, warnings
}

// advLabel is how an option is named, without its mode.
func advLabel(method, mode, variant string) string {
	l := MethodLabel(method)
	if variant != "" {
		l += " + " + variant
	}
	return l
}

// Title is the option's label with its mode ("OSS snapshot (full)").
func (o *AdviceOption) Title() string { return o.Label + " (" + o.Mode + ")" }

// advKeepSections drops the method sections of the plan that belong to
// another method (the plan loader rejects them, and they say nothing about
// this method).
func advKeepSections(p *probe.Plan) {
	if p.Method != "snapshot" && p.Method != "snapshot-reindex" {
		p.Snapshot = nil
	}
	if p.Method != "logstash" {
		p.Logstash = nil
	}
	if p.Method != "reindex" {
		p.Reindex = nil
	}
	if p.Method != "elasticsearch-dump" {
		p.Dump = nil
	}
}

// advClonePlan deep-copies the parts of a plan that Advise changes.
func advClonePlan(p *probe.Plan) *probe.Plan {
	c := *p
	cp := func(s *probe.ClusterSpec) *probe.ClusterSpec {
		if s == nil {
			return nil
		}
		x := *s
		return &x
	}
	c.Source, c.Destination, c.Intermediate = cp(p.Source), cp(p.Destination), cp(p.Intermediate)
	if p.Snapshot != nil {
		s := *p.Snapshot
		if s.Repository != nil {
			r := *s.Repository
			s.Repository = &r
		}
		c.Snapshot = &s
	}
	if p.Logstash != nil {
		l := *p.Logstash
		c.Logstash = &l
	}
	if p.Network != nil {
		n := *p.Network
		c.Network = &n
	}
	c.Indices = append([]string(nil), p.Indices...)
	c.Lines = make(map[string]int, len(p.Lines))
	for k, v := range p.Lines {
		c.Lines[k] = v
	}
	return &c
}

// ---------------------------------------------------------------------------
// Logstash version

// advLogstashCandidates are the Logstash releases tried, newest first: the
// last minor of each major (the ones Elastic's matrix pairs across majors).
var advLogstashCandidates = []string{"8.19", "7.17", "6.8", "5.6"}

// advLogstashDefaults fills the Logstash section the rules read when the plan
// has none: the newest Logstash release that the rules accept for both
// clusters (picked by evaluating the candidates), docinfo on and the document
// id taken from the source _id. It returns what it assumed.
func (e *Engine) advLogstashDefaults(ctx context.Context, f *probe.Facts, p *probe.Plan, now time.Time, cache *string) ([]string, error) {
	var assumes []string
	if p.Logstash == nil {
		p.Logstash = &probe.Logstash{Docinfo: true, DocumentID: "%{[@metadata][_id]}"}
		assumes = append(assumes, `Logstash with docinfo on and document_id "%{[@metadata][_id]}" (ids preserved)`)
		if p.Destination.VPC != "" {
			p.Logstash.VPC = p.Destination.VPC
			assumes = append(assumes, "Logstash runs in the destination's VPC "+p.Destination.VPC)
		}
	}
	if p.Mode == "incremental" && p.Logstash.Schedule == "" {
		p.Logstash.Schedule = "*/5 * * * *"
		assumes = append(assumes, `a schedule of "*/5 * * * *" for the incremental runs`)
	}
	if p.Logstash.Version != "" {
		return assumes, nil
	}
	if *cache == "" {
		*cache = advLogstashCandidates[0]
		for _, v := range advLogstashCandidates {
			tp := advClonePlan(p)
			tp.Logstash.Version = v
			opt, err := e.advEvaluate(ctx, f, tp, now)
			if err != nil {
				return nil, err
			}
			if !advHasVerified(opt.Result.Findings, "VER-007") {
				*cache = v
				break
			}
		}
	}
	p.Logstash.Version = *cache
	assumes = append(assumes, "Logstash "+*cache+" (the newest release compatible with both clusters)")
	return assumes, nil
}

func advHasVerified(fs []Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule && !f.Unverified {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Intermediate version (snapshot + reindex)

// advVer is a product release as a creator or reader of indices.
type advVer struct {
	product      string
	major, minor int
	patch        int
}

func (v advVer) less(o advVer) bool {
	if v.major != o.major {
		return v.major < o.major
	}
	if v.minor != o.minor {
		return v.minor < o.minor
	}
	return v.patch < o.patch
}

// advIntermediates are the intermediate releases considered, in order of
// preference: the last minor of each major (the newest release that reads
// the previous major's indices and that the next major reads).
var advIntermediates = []advVer{
	{"elasticsearch", 7, 17, 0},
	{"elasticsearch", 6, 8, 0},
	{"elasticsearch", 8, 19, 0},
	{"opensearch", 2, 19, 0},
	{"opensearch", 1, 3, 0},
	{"elasticsearch", 7, 10, 2},
}

// advRestorable reports whether an index created by c restores (normally,
// not as a read-only archive) into a cluster running t: the matrix of
// domain-rules.md §1.3 (Elasticsearch) and §1.4 (OpenSearch).
func advRestorable(c, t advVer) bool {
	if c.product == t.product {
		if c.less(t) || c == t {
			switch {
			case c.major == t.major:
				return true
			case t.product == "opensearch":
				return c.major == t.major-1
			case c.major == 6 && c.minor == 8 && t.major == 7:
				return t.minor >= 2
			case t.major == 6:
				return c.major == 5
			case t.major == 8 && c.major == 7, t.major == 9 && c.major == 8, t.major == 7 && c.major == 6:
				return true
			}
		}
		return false
	}
	// OpenSearch reads Elasticsearch indices up to the 7.10 fork point.
	if t.product == "opensearch" && c.product == "elasticsearch" && (c.major < 7 || c.major == 7 && c.minor <= 10) {
		switch t.major {
		case 1:
			return c.major == 6 || c.major == 7
		case 2:
			return c.major == 7
		}
	}
	return false
}

// PickIntermediate picks the intermediate release for snapshot + reindex from
// the snapshot compatibility matrix: one that restores every selected source
// index (by the version that created it) and the source's snapshot, and whose
// own indices the destination restores. It returns nil when none is needed
// (need false: the destination restores the source's snapshots directly) or
// when the versions are unknown. When no release fits, it returns the release
// of the major before the destination's with Fits false, so that the rules
// show what blocks the path.
func PickIntermediate(f *probe.Facts) (in *Intermediate, need bool) {
	src, dst := f.Clusters.Source, f.Clusters.Destination
	if src == nil || dst == nil || src.Version == nil || dst.Version == nil {
		return nil, true
	}
	sv := advVer{advProduct(src.Product), src.Version.Major, src.Version.Minor, src.Version.Patch}
	dv := advVer{advProduct(dst.Product), dst.Version.Major, dst.Version.Minor, dst.Version.Patch}
	// What the intermediate must read: every selected index by its created
	// version, and the source cluster's own version (new indices, snapshot format).
	created := []advVer{sv}
	sel := probe.Derive(f)[probe.RoleSource]
	if sel != nil && sel.Known {
		for _, g := range sel.ByCreated {
			if g.Version == "" {
				continue
			}
			minor := g.Minor
			if minor < 0 {
				minor = 11
			}
			created = append(created, advVer{advProduct(g.Product), g.Major, minor, 0})
		}
	}
	direct := sv.product != dv.product || !dv.less(sv)
	for _, c := range created {
		direct = direct && advRestorable(c, dv)
	}
	if direct {
		return nil, false
	}
	for _, cand := range advIntermediates {
		iv := cand
		if iv.product == sv.product && iv.major == sv.major && iv.less(sv) {
			iv = advVer{iv.product, sv.major, sv.minor, sv.patch}
		}
		if iv.product == sv.product && iv.less(sv) {
			continue
		}
		if iv.product == dv.product && dv.less(iv) {
			continue
		}
		ok := advRestorable(iv, dv)
		for _, c := range created {
			ok = ok && advRestorable(c, iv)
		}
		if !ok {
			continue
		}
		why := fmt.Sprintf("%s %s restores the source's indices (created by %s) and the destination (%s %s) restores the indices it creates",
			ProductName(iv.product), advVerText(iv), advCreatedText(created), ProductName(dv.product), dst.Version.Number)
		return &Intermediate{Product: iv.product, Version: advVerText(iv), Fits: true, Why: why}, true
	}
	// Nothing fits: evaluate the release of the major before the destination's.
	fb := advVer{dv.product, dv.major - 1, 0, 0}
	for _, cand := range advIntermediates {
		if cand.product == fb.product && cand.major == fb.major {
			fb = cand
			break
		}
	}
	if fb.major < 1 {
		fb = dv
	}
	why := fmt.Sprintf("no release restores the source's indices (created by %s) and is restored by the destination (%s %s); evaluated with %s %s to show what blocks the path",
		advCreatedText(created), ProductName(dv.product), dst.Version.Number, ProductName(fb.product), advVerText(fb))
	return &Intermediate{Product: fb.product, Version: advVerText(fb), Why: why}, true
}

func advVerText(v advVer) string {
	if v.patch > 0 {
		return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch)
	}
	return fmt.Sprintf("%d.%d", v.major, v.minor)
}

func advCreatedText(cs []advVer) string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		s := fmt.Sprintf("%s %d.%d", ProductName(c.product), c.major, c.minor)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func advProduct(p string) string {
	if p == "" {
		return "elasticsearch"
	}
	return p
}

// ProductName is the display name of a product ("elasticsearch" → "Elasticsearch").
func ProductName(p string) string {
	switch p {
	case "opensearch":
		return "OpenSearch"
	case "elasticsearch", "":
		return "Elasticsearch"
	}
	return p
}

// advIntermediateSpec declares the intermediate cluster: the destination's
// kind, provider, region, zone, account and VPC, the picked version, and (for
// Alibaba) a creation date of today, as a cluster created for the migration.
func advIntermediateSpec(p *probe.Plan, in *Intermediate, now time.Time) *probe.ClusterSpec {
	d := p.Destination
	s := &probe.ClusterSpec{Kind: d.Kind, Provider: d.Provider, Region: d.Region, Zone: d.Zone, Account: d.Account,
		VPC: d.VPC, AuthKind: "none"}
	if in != nil {
		s.Version, s.Product = in.Version, in.Product
	}
	if d.Kind == "alibaba" {
		s.Created = now.UTC().Format("2006-01-02")
	}
	return s
}

// ---------------------------------------------------------------------------
// Clusters and volume

func advCluster(f *probe.Facts, role string) AdviceCluster {
	spec := f.Plan.Cluster(role)
	out := AdviceCluster{}
	if spec != nil {
		out.Kind, out.Provider, out.Region, out.Endpoint = spec.Kind, spec.Provider, spec.Region, probe.RedactURL(spec.Endpoint)
		out.Architecture = spec.Architecture
		if out.Architecture == "" && spec.Kind == "alibaba" && spec.Created != "" {
			out.Architecture = "new"
			if spec.Created < "2020-10-01" {
				out.Architecture = "original"
			}
		}
	}
	if c := f.Clusters.ByRole(role); c != nil {
		out.Product = c.Product
		if c.Version != nil {
			out.Version = c.Version.Number
		}
		if out.Endpoint == "" {
			out.Endpoint = c.Endpoint
		}
	}
	return out
}

func advVolumeOf(f *probe.Facts) AdviceVolume {
	v := AdviceVolume{Bytes: -1, Class: "unknown", Human: "unknown", From: "the source's indices are unknown and no volume was declared"}
	sel := probe.Derive(f)[probe.RoleSource]
	switch {
	case sel != nil && sel.Known:
		v.Bytes, v.Indices = sel.PrimaryStoreBytes, sel.Count
		v.From = fmt.Sprintf("primary store size of the %d selected source indices", sel.Count)
	case f.Plan.VolumeBytes >= 0:
		v.Bytes = f.Plan.VolumeBytes
		v.From = "volume declared in the plan"
	default:
		return v
	}
	v.Human = probe.HumanBytes(v.Bytes)
	limit := int64(probe.DefaultReindexMaxBytes)
	if f.Plan.Limits != nil && f.Plan.Limits.ReindexMaxBytes > 0 {
		limit = f.Plan.Limits.ReindexMaxBytes
	}
	v.Class = "large"
	if v.Bytes <= limit {
		v.Class = "small"
	}
	return v
}

// ---------------------------------------------------------------------------
// Recommendation

// preference returns the methods in the guide's order of preference for this
// migration: Logstash first for filtered or incremental sync; otherwise OSS
// snapshots (snapshot + reindex first when an intermediate version is
// needed), then Logstash; the reindex API and elasticsearch-dump only for
// small data. The second result explains the order.
func (a *Advice) preference(needIntermediate bool, p *probe.Plan) ([]string, []string) {
	var order, why []string
	small := a.Volume.Class == "small"
	dumpSmall := small && a.Volume.Bytes <= advDumpLimit(p)
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

func advDumpLimit(p *probe.Plan) int64 {
	if p.Limits != nil && p.Limits.DumpMaxBytes > 0 {
		return p.Limits.DumpMaxBytes
	}
	return probe.DefaultDumpMaxBytes
}

func (a *Advice) recommend(p *probe.Plan) {
	needIntermediate := false
	for _, o := range a.Options {
		if o.Method == "snapshot-reindex" && o.Intermediate != nil && o.Intermediate.Fits {
			needIntermediate = true
		}
	}
	order, why := a.preference(needIntermediate, p)
	var best *AdviceOption
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
				r.Why = append(r.Why, fmt.Sprintf("%s is %s: %s", o.Title(), o.Verdict, advFirstReason(o)))
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
	var cand *AdviceOption
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
	return fmt.Sprintf("no migration method is known to work for a %s migration; the most promising is %s, which cannot be told: %s", a.Mode, cand.Title(), advFirstReason(cand))
}

func advFirstReason(o *AdviceOption) string {
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

// ReadAdvice decodes an advice document (the JSON output of advise).
func ReadAdvice(data []byte) (*Advice, error) {
	var a Advice
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("decode advice: %w", err)
	}
	if a.Schema != AdviceSchema {
		return nil, fmt.Errorf("advice schema is %q, want %q (write it with 'espreflight advise --format json')", a.Schema, AdviceSchema)
	}
	return &a, nil
}
