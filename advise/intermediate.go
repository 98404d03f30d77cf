package advise

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
)

// release is a product release as a creator or reader of indices.
type release struct {
	product      string
	major, minor int
	patch        int
}

func (v release) less(o release) bool {
	if v.major != o.major {
		return v.major < o.major
	}
	if v.minor != o.minor {
		return v.minor < o.minor
	}
	return v.patch < o.patch
}

func (v release) text() string {
	if v.patch > 0 {
		return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch)
	}
	return fmt.Sprintf("%d.%d", v.major, v.minor)
}

// policy is the release as the policies' restore matrix takes it.
func (v release) policy() policies.Release {
	return policies.Release{Product: v.product, Major: v.major, Minor: v.minor}
}

// intermediates are the intermediate releases considered, in order of
// preference: the last minor of each major (the newest release that reads
// the previous major's indices and that the next major reads).
var intermediates = []release{
	{"elasticsearch", 7, 17, 0},
	{"elasticsearch", 6, 8, 0},
	{"elasticsearch", 8, 19, 0},
	{"opensearch", 2, 19, 0},
	{"opensearch", 1, 3, 0},
	{"elasticsearch", 7, 10, 2},
}

// restoreMatrix holds the restore verdicts of the policies for the pairs a
// pick needs, asked in one query.
type restoreMatrix map[[2]policies.Release]string

// askRestores asks the policies for the verdict of every pair, in one query.
func askRestores(ctx context.Context, e Engine, pairs [][2]release) (restoreMatrix, error) {
	m := restoreMatrix{}
	var q []policies.RestorePair
	for _, p := range pairs {
		k := [2]policies.Release{p[0].policy(), p[1].policy()}
		if _, ok := m[k]; !ok {
			m[k] = ""
			q = append(q, policies.RestorePair{Created: k[0], Target: k[1]})
		}
	}
	verdicts, err := e.RestoreVerdicts(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("advise: %w", err)
	}
	for i, p := range q {
		m[[2]policies.Release{p.Created, p.Target}] = verdicts[i]
	}
	return m, nil
}

// restorable reports whether an index created by c restores normally (not
// as a read-only archive) into a cluster running t.
func (m restoreMatrix) restorable(c, t release) bool {
	return m[[2]policies.Release{c.policy(), t.policy()}] == policies.RestoreYes
}

// PickIntermediate picks the intermediate release for snapshot + reindex: one
// that restores every selected source index (by the version that created it)
// and the source's snapshot, and whose own indices the destination restores,
// by the policies' snapshot compatibility matrix. It returns nil when none is
// needed (need false: the destination restores the source's snapshots
// directly) or when the versions are unknown. When no release fits, it
// returns the release of the major before the destination's with Fits false,
// so that the rules show what blocks the path.
func PickIntermediate(ctx context.Context, e Engine, f *probe.Facts) (in *Intermediate, need bool, err error) {
	src, dst := f.Clusters.Source, f.Clusters.Destination
	if src == nil || dst == nil || src.Version == nil || dst.Version == nil {
		return nil, true, nil
	}
	sv := release{productOf(src.Product), src.Version.Major, src.Version.Minor, src.Version.Patch}
	dv := release{productOf(dst.Product), dst.Version.Major, dst.Version.Minor, dst.Version.Patch}
	// What the intermediate must read: every selected index by its created
	// version, and the source cluster's own version (new indices, snapshot format).
	created := []release{sv}
	sel := probe.Derive(f)[probe.RoleSource]
	if sel != nil && sel.Known {
		for _, g := range sel.ByCreated {
			if g.Version == "" {
				continue
			}
			minor := g.Minor
			if minor < 0 {
				// A detached index version (8.11+) is at least x.11.
				minor = 11
			}
			created = append(created, release{productOf(g.Product), g.Major, minor, 0})
		}
	}
	// The candidates as they are tried: one of the source's own major that
	// is older than the source is taken at the source's release. The
	// version order (with patches) is checked here; which majors read which
	// is the matrix's.
	var cands []release
	for _, cand := range intermediates {
		iv := cand
		if iv.product == sv.product && iv.major == sv.major && iv.less(sv) {
			iv = sv
		}
		if iv.product == sv.product && iv.less(sv) || iv.product == dv.product && dv.less(iv) {
			continue
		}
		cands = append(cands, iv)
	}
	var pairs [][2]release
	for _, c := range created {
		pairs = append(pairs, [2]release{c, dv})
	}
	for _, iv := range cands {
		pairs = append(pairs, [2]release{iv, dv})
		for _, c := range created {
			pairs = append(pairs, [2]release{c, iv})
		}
	}
	m, err := askRestores(ctx, e, pairs)
	if err != nil {
		return nil, false, err
	}
	direct := sv.product != dv.product || !dv.less(sv)
	for _, c := range created {
		direct = direct && m.restorable(c, dv)
	}
	if direct {
		return nil, false, nil
	}
	for _, iv := range cands {
		ok := m.restorable(iv, dv)
		for _, c := range created {
			ok = ok && m.restorable(c, iv)
		}
		if !ok {
			continue
		}
		why := fmt.Sprintf("%s %s restores the source's indices (created by %s) and the destination (%s %s) restores the indices it creates",
			ProductName(iv.product), iv.text(), createdText(created), ProductName(dv.product), dst.Version.Number)
		return &Intermediate{Product: iv.product, Version: iv.text(), Fits: true, Why: why}, true, nil
	}
	// Nothing fits: evaluate the release of the major before the destination's.
	fb := release{dv.product, dv.major - 1, 0, 0}
	for _, cand := range intermediates {
		if cand.product == fb.product && cand.major == fb.major {
			fb = cand
			break
		}
	}
	if fb.major < 1 {
		fb = dv
	}
	why := fmt.Sprintf("no release restores the source's indices (created by %s) and is restored by the destination (%s %s); evaluated with %s %s to show what blocks the path",
		createdText(created), ProductName(dv.product), dst.Version.Number, ProductName(fb.product), fb.text())
	return &Intermediate{Product: fb.product, Version: fb.text(), Why: why}, true, nil
}

func createdText(cs []release) string {
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

// productOf is a cluster's product, Elasticsearch when unknown.
func productOf(p string) string {
	if p == "" {
		return "elasticsearch"
	}
	return p
}

// intermediateSpec declares the intermediate cluster: the destination's
// kind, provider, region, zone, account and VPC, the picked version, and (for
// Alibaba) a creation date of today, as a cluster created for the migration.
func intermediateSpec(p *probe.Plan, in *Intermediate, now time.Time) *probe.ClusterSpec {
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
