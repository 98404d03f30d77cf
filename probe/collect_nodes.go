package probe

import (
	"context"
	"sort"
	"unsafe"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

type pluginInfo struct {
	Name    flexString `json:"name"`
	Version flexString `json:"version"`
}

// nodeInfo is one node of GET /_nodes/plugins.
type nodeInfo struct {
	Name       flexString            `json:"name"`
	Version    flexString            `json:"version"`
	Roles      []flexString          `json:"roles"`
	Attributes map[string]flexString `json:"attributes"`
	Plugins    []pluginInfo          `json:"plugins"`
	Modules    []pluginInfo          `json:"modules"`
}

const nodesEndpoint = "GET /_nodes/plugins"

// nodesRequest asks for each node's name, version, roles, plugins, modules
// and attributes (node info has carried attributes since 5.0).
var nodesRequest = request{nodesEndpoint, esapi.NodesInfoRequest{
	Metric: []string{"plugins"},
	FilterPath: []string{"nodes.*.name", "nodes.*.version", "nodes.*.roles", "nodes.*.plugins.name", "nodes.*.plugins.version",
		"nodes.*.modules.name", "nodes.*.modules.version", "nodes.*.attributes"},
}}

// decodeNodes reads a GET /_nodes/plugins body.
func decodeNodes(dec *decoder) ([]Node, error) {
	nodes := []Node{}
	err := streamObject(dec, func(key string) error {
		if key != "nodes" {
			return skipValue(dec)
		}
		return streamObject(dec, func(string) error {
			var ni nodeInfo
			start := dec.InputOffset()
			if err := dec.Decode(&ni); err != nil {
				return err
			}
			n := Node{Name: string(ni.Name), Version: string(ni.Version), Roles: []string{}, Plugins: []Plugin{}, Modules: []Plugin{}, Attributes: map[string]string{}}
			for _, m := range ni.Modules {
				n.Modules = append(n.Modules, Plugin{Name: string(m.Name), Version: string(m.Version)})
			}
			sort.Slice(n.Modules, func(i, j int) bool { return n.Modules[i].Name < n.Modules[j].Name })
			for k, v := range ni.Attributes {
				n.Attributes[k] = string(v)
			}
			for _, r := range ni.Roles {
				n.Roles = append(n.Roles, string(r))
			}
			sort.Strings(n.Roles)
			for _, pl := range ni.Plugins {
				n.Plugins = append(n.Plugins, Plugin{Name: string(pl.Name), Version: string(pl.Version)})
			}
			sort.Slice(n.Plugins, func(i, j int) bool { return n.Plugins[i].Name < n.Plugins[j].Name })
			nodes = append(nodes, n)
			// Each module, plugin and attribute is a value of its own.
			return dec.keepSince(start, unsafe.Sizeof(n)+uintptr(len(n.Modules)+len(n.Plugins)+len(n.Attributes)+len(n.Roles))*48, 2)
		})
	})
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	return nodes, err
}

// fetchNodes sends GET /_nodes/plugins once per cluster (detection may need
// it before the collectors run).
func (p *clusterProbe) fetchNodes(ctx context.Context) ([]Node, *fetchError) {
	p.nodesOnce.Do(func() {
		p.nodesErr = p.c.get(ctx, nodesRequest, func(dec *decoder) (err error) {
			p.nodes, err = decodeNodes(dec)
			return err
		})
	})
	return p.nodes, p.nodesErr
}

func collectNodes(ctx context.Context, p *clusterProbe) {
	nodes, fe := p.fetchNodes(ctx)
	if fe != nil {
		p.fail("nodes", fe)
		return
	}
	if len(nodes) == 0 {
		p.unknown("nodes", nodesEndpoint, "the response lists no node")
		return
	}
	p.cf.Nodes = nodes
	p.source("nodes", nodesEndpoint+p.on())
}
