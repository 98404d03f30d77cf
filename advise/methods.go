package advise

import "github.com/espreflight/espreflight/probe"

// The migration methods the advice evaluates, with what the guide says of
// each: https://www.alibabacloud.com/help/en/es/use-cases/select-a-data-migration-solution

// methodOrder is the order of the matrix rows (the guide's table order).
var methodOrder = []string{"snapshot", "snapshot-reindex", "logstash", "reindex", "elasticsearch-dump"}

// modes lists the modes each method offers: OSS snapshots, Logstash and
// snapshot + reindex support incremental migration; the reindex API and
// elasticsearch-dump copy a point in time (FIT-003).
var modes = map[string][]string{
	"snapshot":           {"full", "incremental"},
	"snapshot-reindex":   {"full", "incremental"},
	"logstash":           {"full", "incremental"},
	"reindex":            {"full"},
	"elasticsearch-dump": {"full"},
}

var methodLabels = map[string]string{
	"snapshot":           "OSS snapshot",
	"snapshot-reindex":   "snapshot + reindex",
	"logstash":           "Logstash",
	"reindex":            "reindex API",
	"elasticsearch-dump": "elasticsearch-dump",
}

// label is how an option is named, without its mode.
func label(method, variant string) string {
	l, ok := methodLabels[method]
	if !ok {
		l = method
	}
	if variant != "" {
		l += " + " + variant
	}
	return l
}

// variant is a plan change that can unblock an option, tried when the
// option is blocked as planned.
type variant struct {
	key, label, need string
	methods          map[string]bool
	// rules are the findings the variant answers: it is tried only when one
	// of them blocks the option.
	rules   []string
	applies func(p *probe.Plan) bool
	apply   func(p *probe.Plan)
}

var variants = []variant{
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
func (v *variant) blockedBy(o *Option) bool {
	for _, r := range append(append([]Reason{}, o.Blocking...), o.Unverified...) {
		for _, id := range v.rules {
			if r.Rule == id {
				return true
			}
		}
	}
	return false
}

// keepSections drops the method sections of the plan that belong to
// another method (the plan loader rejects them, and they say nothing about
// this method).
func keepSections(p *probe.Plan) {
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

// clonePlan deep-copies the parts of a plan that the advice changes.
func clonePlan(p *probe.Plan) *probe.Plan {
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
	if p.Reindex != nil {
		r := *p.Reindex
		c.Reindex = &r
	}
	if p.Dump != nil {
		d := *p.Dump
		c.Dump = &d
	}
	c.Indices = append([]string(nil), p.Indices...)
	c.Lines = make(map[string]int, len(p.Lines))
	for k, v := range p.Lines {
		c.Lines[k] = v
	}
	return &c
}
