package probe

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"unsafe"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

const (
	legacyTemplatesEndpoint    = "GET /_template"
	composableTemplateEndpoint = "GET /_index_template"
	componentTemplateEndpoint  = "GET /_component_template"
)

var (
	legacyTemplatesRequest    = request{legacyTemplatesEndpoint, esapi.IndicesGetTemplateRequest{}}
	composableTemplateRequest = request{composableTemplateEndpoint, esapi.IndicesGetIndexTemplateRequest{}}
	componentTemplateRequest  = request{componentTemplateEndpoint, esapi.ClusterGetComponentTemplateRequest{}}
)

// hasComposableTemplates: composable index templates and component
// templates exist from Elasticsearch 7.8
// (https://www.elastic.co/guide/en/elasticsearch/reference/7.8/index-templates.html)
// and in every OpenSearch (https://docs.opensearch.org/latest/im-plugin/index-templates/).
func (d *detected) hasComposableTemplates() bool { return d.isOpenSearch() || d.esAtLeast(7, 8) }

func templatesRequests(d *detected) []request {
	out := []request{legacyTemplatesRequest}
	if d.hasComposableTemplates() {
		out = append(out, composableTemplateRequest, componentTemplateRequest)
	}
	return out
}

// refSettings are the settings of a template that name other cluster-state
// objects (nested, as GET returns them).
type refSettings struct {
	Index struct {
		DefaultPipeline flexString `json:"default_pipeline"`
		FinalPipeline   flexString `json:"final_pipeline"`
		Lifecycle       struct {
			Name flexString `json:"name"`
		} `json:"lifecycle"`
	} `json:"index"`
}

func (s *refSettings) refs() TemplateRefs {
	return TemplateRefs{DefaultPipeline: string(s.Index.DefaultPipeline), FinalPipeline: string(s.Index.FinalPipeline), LifecyclePolicy: string(s.Index.Lifecycle.Name)}
}

func stringsOf(l flexList) []string {
	out := append([]string{}, l...)
	sort.Strings(out)
	return out
}

// decodeLegacyTemplates reads GET /_template: {name: {order, index_patterns
// (or template in 5.x), settings, …}}.
func decodeLegacyTemplates(dec *decoder) ([]LegacyTemplate, error) {
	out := []LegacyTemplate{}
	err := streamObject(dec, func(name string) error {
		var t struct {
			Order         flexInt     `json:"order"`
			IndexPatterns flexList    `json:"index_patterns"`
			Template      flexString  `json:"template"`
			Settings      refSettings `json:"settings"`
		}
		start := dec.InputOffset()
		if err := dec.Decode(&t); err != nil {
			return err
		}
		if err := dec.keepSince(start, unsafe.Sizeof(LegacyTemplate{}), 2); err != nil {
			return err
		}
		pats := t.IndexPatterns
		if len(pats) == 0 && t.Template != "" {
			pats = flexList{string(t.Template)}
		}
		out = append(out, LegacyTemplate{Name: name, IndexPatterns: stringsOf(pats), Order: int64(t.Order), TemplateRefs: t.Settings.refs()})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// decodeComposableTemplates reads GET /_index_template.
func decodeComposableTemplates(dec *decoder) ([]ComposableTemplate, error) {
	out := []ComposableTemplate{}
	err := streamObject(dec, func(key string) error {
		if key != "index_templates" {
			return skipValue(dec)
		}
		return streamArray(dec, func() error {
			var t struct {
				Name          flexString `json:"name"`
				IndexTemplate struct {
					IndexPatterns flexList        `json:"index_patterns"`
					Priority      flexInt         `json:"priority"`
					ComposedOf    flexList        `json:"composed_of"`
					DataStream    json.RawMessage `json:"data_stream"`
					Template      struct {
						Settings refSettings `json:"settings"`
					} `json:"template"`
				} `json:"index_template"`
			}
			start := dec.InputOffset()
			if err := dec.Decode(&t); err != nil {
				return err
			}
			if err := dec.keepSince(start, unsafe.Sizeof(ComposableTemplate{}), 2); err != nil {
				return err
			}
			it := &t.IndexTemplate
			ds := len(it.DataStream) > 0 && string(it.DataStream) != "null"
			out = append(out, ComposableTemplate{Name: string(t.Name), IndexPatterns: stringsOf(it.IndexPatterns), Priority: int64(it.Priority),
				ComposedOf: append([]string{}, it.ComposedOf...), DataStream: ds, TemplateRefs: it.Template.Settings.refs()})
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// decodeComponentTemplates reads GET /_component_template.
func decodeComponentTemplates(dec *decoder) ([]ComponentTemplate, error) {
	out := []ComponentTemplate{}
	err := streamObject(dec, func(key string) error {
		if key != "component_templates" {
			return skipValue(dec)
		}
		return streamArray(dec, func() error {
			var t struct {
				Name              flexString `json:"name"`
				ComponentTemplate struct {
					Template struct {
						Settings refSettings `json:"settings"`
					} `json:"template"`
				} `json:"component_template"`
			}
			start := dec.InputOffset()
			if err := dec.Decode(&t); err != nil {
				return err
			}
			if err := dec.keepSince(start, unsafe.Sizeof(ComponentTemplate{}), 2); err != nil {
				return err
			}
			out = append(out, ComponentTemplate{Name: string(t.Name), TemplateRefs: t.ComponentTemplate.Template.Settings.refs()})
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// collectTemplates sends the template requests concurrently; any failure
// makes templates unknown. A cluster without composable templates (before
// 7.8) has none.
func collectTemplates(ctx context.Context, p *clusterProbe) {
	t := &Templates{Composable: []ComposableTemplate{}, Component: []ComponentTemplate{}}
	decoders := map[string]decodeFunc{
		legacyTemplatesEndpoint:    func(dec *decoder) (err error) { t.Legacy, err = decodeLegacyTemplates(dec); return err },
		composableTemplateEndpoint: func(dec *decoder) (err error) { t.Composable, err = decodeComposableTemplates(dec); return err },
		componentTemplateEndpoint:  func(dec *decoder) (err error) { t.Component, err = decodeComponentTemplates(dec); return err },
	}
	if !runAll(ctx, p, "templates", templatesRequests(p.d), decoders) {
		return
	}
	p.cf.Templates = t
	src := []string{}
	for _, r := range templatesRequests(p.d) {
		src = append(src, r.endpoint)
	}
	s := strings.Join(src, " + ") + p.on()
	if !p.d.hasComposableTemplates() {
		s += " (no composable or component templates before Elasticsearch 7.8)"
	}
	p.source("templates", s)
}

// runAll sends reqs concurrently, each decoded by decoders[endpoint]; on any
// failure it marks fact unknown (once per failed request) and returns false.
func runAll(ctx context.Context, p *clusterProbe, fact string, reqs []request, decoders map[string]decodeFunc) bool {
	errs := make([]*fetchError, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Go(func() { errs[i] = p.c.get(ctx, r, decoders[r.endpoint]) })
	}
	wg.Wait()
	ok := true
	for _, fe := range errs {
		if fe != nil {
			p.fail(fact, fe)
			ok = false
		}
	}
	return ok
}
