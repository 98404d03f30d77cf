package probe

import (
	"context"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

const healthEndpoint = "GET /_cluster/health"

var healthRequest = request{healthEndpoint, esapi.ClusterHealthRequest{}}

func collectHealth(ctx context.Context, p *clusterProbe) {
	var h struct {
		Status      flexString `json:"status"`
		ClusterName flexString `json:"cluster_name"`
	}
	fe := p.c.get(ctx, healthRequest, func(dec *decoder) error {
		return dec.Decode(&h)
	})
	if fe == nil && h.Status == "" {
		fe = &fetchError{Endpoint: healthEndpoint, Reason: "the response has no status"}
	}
	if fe != nil {
		p.fail("health", fe)
		return
	}
	p.cf.Health = string(h.Status)
	p.healthClusterName = string(h.ClusterName)
	p.source("health", healthEndpoint+p.on())
}
