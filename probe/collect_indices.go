package probe

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

const (
	catIndicesEndpoint    = "GET /_cat/indices"
	indexSettingsEndpoint = "GET /_all/_settings"
	dataStreamEndpoint    = "GET /_data_stream"
	systemFlagEndpoint    = "GET /_cluster/state/metadata"
)

// catIndicesColumns are the _cat/indices columns the probe reads.
var catIndicesColumns = []string{"health", "status", "index", "uuid", "pri", "rep", "docs.count", "store.size", "pri.store.size", "creation.date"}

// indexSettingsFilter keeps only the index settings the probe reads. The
// request is nested (no flat_settings): filter_path does not match flat keys.
var indexSettingsFilter = []string{
	"*.settings.index.version.created", "*.settings.index.hidden", "*.settings.index.creation_date",
	"*.settings.index.number_of_shards", "*.settings.index.number_of_replicas", "*.settings.index.uuid",
	// the settings that matter to a migration (IndexSettingsGroup)
	"*.settings.index.mapping.total_fields.limit", "*.settings.index.soft_deletes.enabled", "*.settings.index.blocks",
	"*.settings.index.routing.allocation", "*.settings.index.default_pipeline", "*.settings.index.final_pipeline",
	"*.settings.index.lifecycle.name", "*.settings.index.plugins.index_state_management.policy_id",
	"*.settings.index.opendistro.index_state_management.policy_id",
}

// catIndicesRequest lists every index with its status and sizes; hidden
// indices need expand_wildcards=all, which ES rejects before 7.7.
func catIndicesRequest(d *detected) request {
	r := esapi.CatIndicesRequest{Format: "json", Bytes: "b", H: catIndicesColumns}
	if d.expandWildcardsAll() {
		r.ExpandWildcards = "all"
	}
	return request{catIndicesEndpoint, r}
}

var (
	// indexSettingsRequest reads the settings of every index. expand_wildcards
	// is a long-standing parameter of GET _settings (unlike on _cat/indices)
	// and without it ES 6.x leaves out closed indices; "all" includes hidden
	// ones from 7.7 and means open+closed before.
	indexSettingsRequest = request{indexSettingsEndpoint, esapi.IndicesGetSettingsRequest{Index: []string{"_all"}, ExpandWildcards: "all", FilterPath: indexSettingsFilter}}
	dataStreamRequest    = request{dataStreamEndpoint, esapi.IndicesGetDataStreamRequest{}}
	systemFlagRequest    = request{systemFlagEndpoint, esapi.ClusterStateRequest{Metric: []string{"metadata"}, FilterPath: []string{"metadata.indices.*.system"}}}
)

// indicesRequests are the index requests for a version, in the order the
// indices' source names them: the data streams where the version has them,
// the system flags where the cluster state carries them.
func indicesRequests(d *detected) []request {
	out := []request{catIndicesRequest(d), indexSettingsRequest}
	if d.hasDataStreams() {
		out = append(out, dataStreamRequest)
	}
	if d.hasSystemFlag() {
		out = append(out, systemFlagRequest)
	}
	return out
}

// catRow is one row of _cat/indices?format=json (values are strings; null
// for closed indices on some versions).
type catRow struct {
	Health       flexString `json:"health"`
	Status       flexString `json:"status"`
	Index        flexString `json:"index"`
	UUID         flexString `json:"uuid"`
	Pri          flexInt    `json:"pri"`
	Rep          flexInt    `json:"rep"`
	DocsCount    flexInt    `json:"docs.count"`
	StoreSize    flexInt    `json:"store.size"`
	PriStoreSize flexInt    `json:"pri.store.size"`
	CreationDate flexInt    `json:"creation.date"`
}

// decodeCatIndices streams a _cat/indices?format=json body into indices
// (without created version; see mergeIndexSettings).
func decodeCatIndices(dec *decoder) ([]Index, error) {
	out := []Index{}
	err := streamArray(dec, func() error {
		var r catRow
		start := dec.InputOffset()
		if err := dec.Decode(&r); err != nil {
			return err
		}
		if r.Index == "" {
			return nil
		}
		out = append(out, Index{
			Name:              string(r.Index),
			Status:            string(r.Status),
			Health:            string(r.Health),
			DocsCount:         int64(r.DocsCount),
			StoreBytes:        int64(r.StoreSize),
			PrimaryStoreBytes: int64(r.PriStoreSize),
			PrimaryShards:     int(r.Pri),
			Replicas:          int(r.Rep),
			CreationDate:      epochMillis(int64(r.CreationDate)),
		})
		// The row, its merged copy, and its place in the facts.
		return dec.keepSince(start, 3*unsafe.Sizeof(Index{}), 1)
	})
	return out, err
}

// indexSetting is what the probe keeps of one index's settings.
type indexSetting struct {
	Created      string
	Hidden       bool
	CreationDate int64
	Shards       int
	Replicas     int
	// Matter is the summary the index_settings fact groups (no Indices).
	Matter IndexSettingsGroup
}

// indexSettingsBody is one index of GET /_all/_settings, nested (as the
// probe asks) or flat (flat_settings=true), decoded without generic maps.
type indexSettingsBody struct {
	Settings struct {
		Index struct {
			Version struct {
				Created flexString `json:"created"`
			} `json:"version"`
			Hidden           flexString `json:"hidden"`
			CreationDate     flexString `json:"creation_date"`
			NumberOfShards   flexString `json:"number_of_shards"`
			NumberOfReplicas flexString `json:"number_of_replicas"`
			indexMatter
		} `json:"index"`
		FlatCreated      flexString `json:"index.version.created"`
		FlatHidden       flexString `json:"index.hidden"`
		FlatCreationDate flexString `json:"index.creation_date"`
		FlatShards       flexString `json:"index.number_of_shards"`
		FlatReplicas     flexString `json:"index.number_of_replicas"`
	} `json:"settings"`
}

func firstOf(a, b flexString) string {
	if a != "" {
		return string(a)
	}
	return string(b)
}

// decodeIndexSettings streams a GET /_all/_settings body (nested or flat).
func decodeIndexSettings(dec *decoder) (map[string]indexSetting, error) {
	out := map[string]indexSetting{}
	err := streamObject(dec, func(name string) error {
		var body indexSettingsBody
		start := dec.InputOffset()
		if err := dec.Decode(&body); err != nil {
			return err
		}
		st, ix := &body.Settings, &body.Settings.Index
		s := indexSetting{
			Created: firstOf(ix.Version.Created, st.FlatCreated),
			Hidden:  firstOf(ix.Hidden, st.FlatHidden) == "true",
		}
		s.CreationDate, _ = strconv.ParseInt(firstOf(ix.CreationDate, st.FlatCreationDate), 10, 64)
		s.Shards, _ = strconv.Atoi(firstOf(ix.NumberOfShards, st.FlatShards))
		s.Replicas, _ = strconv.Atoi(firstOf(ix.NumberOfReplicas, st.FlatReplicas))
		s.Matter = ix.indexMatter.summary()
		out[name] = s
		return dec.keepSince(start, 2*unsafe.Sizeof(s), 2)
	})
	return out, err
}

// decodeDataStreams maps each backing index to its data stream and lists
// the data streams.
func decodeDataStreams(dec *decoder) (map[string]string, []DataStream, error) {
	out := map[string]string{}
	list := []DataStream{}
	err := streamObject(dec, func(key string) error {
		if key != "data_streams" {
			return skipValue(dec)
		}
		return streamArray(dec, func() error {
			var ds struct {
				Name      flexString `json:"name"`
				Template  flexString `json:"template"`
				ILMPolicy flexString `json:"ilm_policy"`
				Indices   []struct {
					IndexName flexString `json:"index_name"`
				} `json:"indices"`
			}
			start := dec.InputOffset()
			if err := dec.Decode(&ds); err != nil {
				return err
			}
			// A map entry for every backing index.
			if err := dec.keepSince(start, unsafe.Sizeof(DataStream{})+uintptr(len(ds.Indices))*64, 1); err != nil {
				return err
			}
			for _, ix := range ds.Indices {
				out[string(ix.IndexName)] = string(ds.Name)
			}
			list = append(list, DataStream{Name: string(ds.Name), Template: string(ds.Template), LifecyclePolicy: string(ds.ILMPolicy), Indices: len(ds.Indices)})
			return nil
		})
	})
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return out, list, err
}

// decodeSystemFlags reads {"metadata":{"indices":{"name":{"system":true}}}}
// and returns the names of the system indices.
func decodeSystemFlags(dec *decoder) (map[string]bool, error) {
	out := map[string]bool{}
	err := streamObject(dec, func(key string) error {
		if key != "metadata" {
			return skipValue(dec)
		}
		return streamObject(dec, func(key string) error {
			if key != "indices" {
				return skipValue(dec)
			}
			return streamObject(dec, func(name string) error {
				var ix struct {
					System flexString `json:"system"`
				}
				if err := dec.Decode(&ix); err != nil {
					return err
				}
				if ix.System == "true" {
					out[name] = true
					return dec.keep(64 + len(name))
				}
				return nil
			})
		})
	})
	return out, err
}

func epochMillis(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

// notSupported reports whether a failure means the API does not exist on
// this cluster (e.g. GET /_data_stream on an OSS build, which parses
// "_data_stream" as an index name and answers 400).
func notSupported(fe *fetchError) bool {
	return fe != nil && (fe.Status == 404 || fe.Status == 400 || fe.Status == 405)
}

// collectIndices sends the index requests concurrently and merges them.
// Any failure makes indices (and totals) unknown: a partial inventory would
// let a rule pass on what it cannot see.
func collectIndices(ctx context.Context, p *clusterProbe) {
	var (
		cat      []Index
		settings map[string]indexSetting
		streams  map[string]string
		dsList   []DataStream
		system   map[string]bool
		notes    []string
	)
	decoders := map[string]decodeFunc{
		catIndicesEndpoint:    func(dec *decoder) (err error) { cat, err = decodeCatIndices(dec); return err },
		indexSettingsEndpoint: func(dec *decoder) (err error) { settings, err = decodeIndexSettings(dec); return err },
		dataStreamEndpoint:    func(dec *decoder) (err error) { streams, dsList, err = decodeDataStreams(dec); return err },
		systemFlagEndpoint:    func(dec *decoder) (err error) { system, err = decodeSystemFlags(dec); return err },
	}
	reqs := indicesRequests(p.d)
	errs := make([]*fetchError, len(reqs))
	sources := make([]string, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		sources[i] = r.endpoint
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.c.get(ctx, r, decoders[r.endpoint])
		}()
	}
	wg.Wait()
	for i, r := range reqs {
		if r.endpoint == dataStreamEndpoint && notSupported(errs[i]) {
			notes = append(notes, fmt.Sprintf("GET /_data_stream answered HTTP %d: no data stream API, so no data streams", errs[i].Status))
			errs[i], streams, dsList = nil, map[string]string{}, []DataStream{}
		}
	}
	if !p.d.hasDataStreams() {
		dsList = []DataStream{}
	}
	if !p.d.hasSystemFlag() {
		notes = append(notes, "the system flag is not reported before Elasticsearch 7.10")
	}

	failed := false
	for _, fe := range errs {
		if fe != nil {
			for _, fact := range []string{"indices", "index_settings", "data_streams"} {
				p.fail(fact, fe)
			}
			failed = true
		}
	}
	if !failed && len(cat) > 0 && len(settings) == 0 {
		for _, fact := range []string{"indices", "index_settings", "data_streams"} {
			p.unknown(fact, indexSettingsEndpoint, "the response holds no index settings although GET /_cat/indices lists indices")
		}
		failed = true
	}
	if failed {
		p.unknown("totals", catIndicesEndpoint, "not computed: the indices are unknown")
		return
	}

	indices := mergeIndices(cat, settings, streams, system)
	p.cf.Indices = indices
	t := &Totals{Indices: len(indices)}
	for _, ix := range indices {
		t.Docs += ix.DocsCount
		t.StoreBytes += ix.StoreBytes
		t.PrimaryStoreBytes += ix.PrimaryStoreBytes
	}
	p.cf.Totals = t
	src := strings.Join(sources, " + ") + p.on()
	if len(notes) > 0 {
		src += " (" + strings.Join(notes, "; ") + ")"
	}
	p.source("indices", src)
	p.source("totals", "sum of the indices: "+catIndicesEndpoint+p.on())

	var g Grouper[IndexSettingsGroup]
	for name, st := range settings {
		g.Add(name, st.Matter)
	}
	p.cf.IndexSettings = g.Groups(func(v *IndexSettingsGroup, names []string) { v.Indices = names })
	p.source("index_settings", indexSettingsEndpoint+p.on())
	p.cf.DataStreams = dsList
	ds := dataStreamEndpoint + p.on()
	if !p.d.hasDataStreams() {
		ds = "none: no data streams before Elasticsearch 7.9 (" + p.d.Version.Number + ")"
	} else if len(notes) > 0 && strings.Contains(notes[0], "no data stream API") {
		ds += " (" + notes[0] + ")"
	}
	p.source("data_streams", ds)
}

// mergeIndices joins the _cat/indices rows with the index settings, data
// streams and system flags; the result is sorted by name. An index that only
// the settings know (cat may omit some on old versions) is kept, status "".
func mergeIndices(cat []Index, settings map[string]indexSetting, streams map[string]string, system map[string]bool) []Index {
	seen := make(map[string]bool, len(cat))
	out := make([]Index, 0, len(cat))
	for _, ix := range cat {
		if seen[ix.Name] {
			continue
		}
		seen[ix.Name] = true
		out = append(out, ix)
	}
	for name := range settings {
		if !seen[name] {
			out = append(out, Index{Name: name})
		}
	}
	for i := range out {
		ix := &out[i]
		if s, ok := settings[ix.Name]; ok {
			ix.Hidden = s.Hidden
			if ix.CreationDate == "" {
				ix.CreationDate = epochMillis(s.CreationDate)
			}
			if ix.PrimaryShards == 0 {
				ix.PrimaryShards = s.Shards
			}
			if ix.Replicas == 0 {
				ix.Replicas = s.Replicas
			}
			if s.Created != "" {
				if v, err := ParseIndexVersion(s.Created); err == nil {
					ix.CreatedID = v.ID
					ix.CreatedVersion = v.Version
					ix.CreatedProduct = v.Product
					ix.CreatedMajor = v.Major
					ix.CreatedMinor = v.Minor
				}
			}
		}
		ix.DataStream = streams[ix.Name]
		ix.System = system[ix.Name]
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
