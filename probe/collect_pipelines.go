package probe

import (
	"context"
	"sort"
	"unsafe"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

const (
	pipelinesEndpoint     = "GET /_ingest/pipeline"
	storedScriptsEndpoint = "GET /_cluster/state/metadata"
)

var (
	pipelinesRequest = request{pipelinesEndpoint, esapi.IngestGetPipelineRequest{}}
	// storedScriptsRequest: there is no API that lists stored scripts; the
	// cluster state metadata holds them (and only their language is kept).
	storedScriptsRequest = request{storedScriptsEndpoint, esapi.ClusterStateRequest{Metric: []string{"metadata"}, FilterPath: []string{"metadata.stored_scripts.*.lang"}}}
)

// processorList is a list of processors, each {type: config}.
type processorList []map[string]processorConf

// processorConf is what a processor's config may nest: on_failure
// processors, and the one processor of a foreach.
type processorConf struct {
	OnFailure processorList            `json:"on_failure"`
	Processor map[string]processorConf `json:"processor"`
}

func (l processorList) types(into map[string]bool) {
	for _, p := range l {
		processorTypes(p, into)
	}
}

func processorTypes(p map[string]processorConf, into map[string]bool) {
	for typ, conf := range p {
		into[typ] = true
		conf.OnFailure.types(into)
		processorTypes(conf.Processor, into)
	}
}

// decodePipelines reads GET /_ingest/pipeline: {id: {processors, on_failure}}.
func decodePipelines(dec *decoder) ([]Pipeline, error) {
	out := []Pipeline{}
	err := streamObject(dec, func(id string) error {
		var pl struct {
			Processors processorList `json:"processors"`
			OnFailure  processorList `json:"on_failure"`
		}
		start := dec.InputOffset()
		if err := dec.Decode(&pl); err != nil {
			return err
		}
		if err := dec.keepSince(start, unsafe.Sizeof(Pipeline{}), 2); err != nil {
			return err
		}
		types := map[string]bool{}
		pl.Processors.types(types)
		pl.OnFailure.types(types)
		out = append(out, Pipeline{Name: id, Processors: sortedSet(types)})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

func collectPipelines(ctx context.Context, p *clusterProbe) {
	var pls []Pipeline
	fe := p.c.get(ctx, pipelinesRequest, func(dec *decoder) (err error) {
		pls, err = decodePipelines(dec)
		return err
	})
	if fe != nil && fe.Status == 404 && fe.Type == "" && fe.Reason == describeStatus(404, "", "") {
		// Elasticsearch answers 404 with a bare {} when no pipeline exists.
		fe, pls = nil, []Pipeline{}
	}
	if fe != nil {
		p.fail("pipelines", fe)
		return
	}
	p.cf.Pipelines = pls
	p.source("pipelines", pipelinesEndpoint+p.on())
}

// decodeStoredScripts reads {"metadata":{"stored_scripts":{id:{lang}}}}.
func decodeStoredScripts(dec *decoder) ([]StoredScript, error) {
	out := []StoredScript{}
	err := streamObject(dec, func(key string) error {
		if key != "metadata" {
			return skipValue(dec)
		}
		return streamObject(dec, func(key string) error {
			if key != "stored_scripts" {
				return skipValue(dec)
			}
			return streamObject(dec, func(id string) error {
				var s struct {
					Lang flexString `json:"lang"`
				}
				if err := dec.Decode(&s); err != nil {
					return err
				}
				out = append(out, StoredScript{ID: id, Lang: string(s.Lang)})
				return dec.keepStrings(unsafe.Sizeof(StoredScript{}), id, string(s.Lang))
			})
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

func collectStoredScripts(ctx context.Context, p *clusterProbe) {
	var ss []StoredScript
	fe := p.c.get(ctx, storedScriptsRequest, func(dec *decoder) (err error) {
		ss, err = decodeStoredScripts(dec)
		return err
	})
	if fe != nil {
		p.fail("stored_scripts", fe)
		return
	}
	p.cf.StoredScripts = ss
	p.source("stored_scripts", storedScriptsEndpoint+p.on())
}
