package advise

import (
	"context"
	"fmt"

	"github.com/espreflight/espreflight/probe"
)

// clusterOf summarises the cluster of a role: what the plan declares, the
// network architecture the rules see (for Alibaba, or when the plan says)
// and what the probe found.
func clusterOf(ctx context.Context, e Engine, f *probe.Facts, role string) (Cluster, error) {
	spec := f.Plan.Cluster(role)
	out := Cluster{}
	if spec != nil {
		out.Kind, out.Provider, out.Region, out.Endpoint = spec.Kind, spec.Provider, spec.Region, probe.RedactURL(spec.Endpoint)
		if spec.Kind == "alibaba" || spec.Architecture != "" {
			a, err := e.Architecture(ctx, f.Plan, role)
			if err != nil {
				return out, fmt.Errorf("advise: %w", err)
			}
			out.Architecture = a
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
	return out, nil
}

// volumeOf is the data volume: measured from the selected source indices,
// else declared in the plan, else unknown.
func volumeOf(f *probe.Facts) Volume {
	v := Volume{Bytes: -1, Class: "unknown", Human: "unknown", From: "the source's indices are unknown and no volume was declared"}
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

// dumpLimit is the largest volume elasticsearch-dump is meant for.
func dumpLimit(p *probe.Plan) int64 {
	if p.Limits != nil && p.Limits.DumpMaxBytes > 0 {
		return p.Limits.DumpMaxBytes
	}
	return probe.DefaultDumpMaxBytes
}
