package advise

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/espreflight/espreflight/probe"
)

// StarterPlan writes the plan of the advice's recommended option as a
// commented plan file (advise --write-plan, plan init --from-advice): the
// recommendation and its reasons in the header, the section of the method
// filled in, and TODOs for what the rules read and the advice could not
// know. base, when not nil, supplies what the advice JSON does not carry
// (the credential variable names). It is an error when nothing is
// recommended.
func StarterPlan(a *Advice, base *probe.Plan) ([]byte, error) {
	if a.Recommended == nil || a.Recommended.Plan == nil {
		msg := "the advice recommends no method (none is known to work)"
		if len(a.Notes) > 0 {
			msg += ": " + a.Notes[0]
		}
		return nil, errors.New(msg)
	}
	p := clonePlan(a.Recommended.Plan)
	if base != nil {
		for _, role := range []string{probe.RoleSource, probe.RoleDestination} {
			if bs, ps := base.Cluster(role), p.Cluster(role); bs != nil && ps != nil && ps.Auth == nil {
				ps.Auth = bs.Auth
			}
		}
	}
	fillMethodSection(p)
	r := a.Recommended
	header := []string{fmt.Sprintf("Written from `espreflight advise` (%s): recommended %s.", a.EvaluatedAt.Format("2006-01-02"), r.Label)}
	for _, why := range r.Why {
		header = append(header, "  - "+why)
	}
	if best := a.Best(); best != nil {
		for _, as := range best.Assumes {
			header = append(header, "  assumed: "+as)
		}
	}
	opts := probe.WriteOptions{Comments: true, Header: header, MeasuredBytes: a.Volume.Bytes}
	if a.Volume.Bytes >= 0 {
		opts.MeasuredBy = "advise"
	}
	return probe.WritePlan(p, opts), nil
}

// fillMethodSection fills in the section the plan's method reads where the
// plan leaves it out, so that the written plan shows every key to complete:
// the snapshot repository (an OSS bucket in the source's region when a
// cluster is on Alibaba Cloud), Logstash, the reindex remote host (the
// source's endpoint) and the elasticsearch-dump runner.
func fillMethodSection(p *probe.Plan) {
	switch p.Method {
	case "snapshot", "snapshot-reindex":
		if p.Snapshot == nil {
			p.Snapshot = &probe.Snapshot{}
		}
		if p.Snapshot.Repository == nil {
			region, _ := bucketRegion(p)
			r := &probe.Repo{Type: "oss", Name: "migration", Region: region, OwnerAccount: p.Source.Account}
			if p.Destination.Kind != "alibaba" && p.Source.Kind != "alibaba" {
				r.Type = ""
			}
			p.Snapshot.Repository = r
		}
	case "logstash":
		if p.Logstash == nil {
			p.Logstash = &probe.Logstash{}
		}
	case "reindex":
		if p.Reindex == nil {
			p.Reindex = &probe.Reindex{}
		}
		if p.Reindex.RemoteHost == "" {
			p.Reindex.RemoteHost = remoteHost(p.Source.Endpoint)
		}
	case "elasticsearch-dump":
		if p.Dump == nil {
			p.Dump = &probe.Dump{}
		}
		if p.Dump.Runner == "" {
			p.Dump.Runner = "migration-host"
		}
	}
}

// remoteHost is an endpoint as reindex.remote_host wants it: scheme, host
// and port (the scheme's default port when the URL has none).
func remoteHost(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return endpoint
	}
	if u.Port() == "" {
		port := "443"
		if u.Scheme == "http" {
			port = "80"
		}
		u.Host = u.Host + ":" + port
	}
	u.Path, u.RawQuery, u.Fragment, u.User = "", "", "", nil
	return u.String()
}

// bucketRegion is the region of the OSS bucket the advice assumes for a
// snapshot, and the role whose region it is: Alibaba Cloud Elasticsearch
// uses buckets of its own region only (OSS-004), so the region of the
// Alibaba source, else of the Alibaba destination, else the source's.
func bucketRegion(p *probe.Plan) (string, string) {
	for _, role := range []string{probe.RoleSource, probe.RoleDestination} {
		if c := p.Cluster(role); c != nil && c.Kind == "alibaba" && c.Region != "" {
			return c.Region, role
		}
	}
	return p.Source.Region, probe.RoleSource
}

// snapshotDefaults gives a snapshot plan whose repository has no region the
// bucket region the advice assumes, when an Alibaba cluster decides it. It
// returns what it assumed.
func snapshotDefaults(p *probe.Plan) []string {
	region, role := bucketRegion(p)
	if c := p.Cluster(role); region == "" || c.Kind != "alibaba" {
		return nil
	}
	if p.Snapshot == nil {
		p.Snapshot = &probe.Snapshot{}
	}
	if p.Snapshot.Repository == nil {
		p.Snapshot.Repository = &probe.Repo{}
	}
	if p.Snapshot.Repository.Region != "" {
		return nil
	}
	p.Snapshot.Repository.Region = region
	return []string{fmt.Sprintf("an OSS bucket in %s, the region of the Alibaba %s", region, role)}
}
