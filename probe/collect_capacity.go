package probe

import (
	"context"
	"sort"
	"unsafe"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

const allocationEndpoint = "GET /_cat/allocation"

// allocationColumns exist in _cat/allocation from 5.0
// (https://www.elastic.co/guide/en/elasticsearch/reference/5.6/cat-allocation.html).
var allocationColumns = []string{"node", "shards", "disk.indices", "disk.used", "disk.avail", "disk.total"}

var allocationRequest = request{allocationEndpoint, esapi.CatAllocationRequest{Format: "json", Bytes: "b", H: allocationColumns}}

// optFlexInt is a flexInt that remembers whether it had a value.
type optFlexInt struct {
	v  int64
	ok bool
}

func (o *optFlexInt) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		return nil
	}
	var n flexInt
	if err := n.UnmarshalJSON(b); err != nil {
		return err
	}
	o.v, o.ok = int64(n), true
	return nil
}

func (o optFlexInt) ptr() *int64 {
	if !o.ok {
		return nil
	}
	v := o.v
	return &v
}

// unassignedRow is the node column of _cat/allocation's row for the shards
// on no node.
const unassignedRow = "UNASSIGNED"

// decodeAllocation reads GET /_cat/allocation?format=json&bytes=b.
func decodeAllocation(dec *decoder) (*Capacity, error) {
	c := &Capacity{DataNodes: []DataNodeCapacity{}}
	err := streamArray(dec, func() error {
		var r struct {
			Node        flexString `json:"node"`
			Shards      flexInt    `json:"shards"`
			DiskIndices optFlexInt `json:"disk.indices"`
			DiskUsed    optFlexInt `json:"disk.used"`
			DiskAvail   optFlexInt `json:"disk.avail"`
			DiskTotal   optFlexInt `json:"disk.total"`
		}
		start := dec.InputOffset()
		if err := dec.Decode(&r); err != nil {
			return err
		}
		if err := dec.keepSince(start, 2*unsafe.Sizeof(DataNodeCapacity{})+32, 1); err != nil {
			return err
		}
		c.Shards += int64(r.Shards)
		if r.Node == unassignedRow {
			c.UnassignedShards += int64(r.Shards)
			return nil
		}
		c.DataNodes = append(c.DataNodes, DataNodeCapacity{Node: string(r.Node), Shards: int64(r.Shards),
			DiskTotalBytes: r.DiskTotal.ptr(), DiskUsedBytes: r.DiskUsed.ptr(), DiskAvailBytes: r.DiskAvail.ptr(), DiskIndicesBytes: r.DiskIndices.ptr()})
		return nil
	})
	sort.Slice(c.DataNodes, func(i, j int) bool { return c.DataNodes[i].Node < c.DataNodes[j].Node })
	return c, err
}

func collectCapacity(ctx context.Context, p *clusterProbe) {
	var c *Capacity
	fe := p.c.get(ctx, allocationRequest, func(dec *decoder) (err error) {
		c, err = decodeAllocation(dec)
		return err
	})
	if fe == nil && len(c.DataNodes) == 0 {
		fe = &fetchError{Endpoint: allocationEndpoint, Reason: "the response lists no data node"}
	}
	if fe != nil {
		p.fail("capacity", fe)
		return
	}
	p.cf.Capacity = c
	p.source("capacity", allocationEndpoint+p.on())
}
