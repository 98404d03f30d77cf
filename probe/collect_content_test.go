package probe

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// Decoder tests on bodies shaped like the APIs' documented answers, for
// what the test nodes cannot produce (X-Pack's ILM and deprecation API, the
// ISM plugin, analysis plugins); the recordings cover the rest
// (replay_content_test.go).

func decoderFor(t *testing.T, body string) *decoder {
	t.Helper()
	return responseDecoder(strings.NewReader(body), DefaultMaxResponseBytes)
}

func TestDecodeIndexContents(t *testing.T) {
	body := `{
	  "old": {"mappings": {
	    "_default_": {"properties": {"x": {"type": "keyword"}}},
	    "user": {"_all": {"enabled": true}, "properties": {"name": {"type": "string", "analyzer": "ik_smart"}}},
	    "tweet": {"_parent": {"type": "user"}, "_routing": {"required": true},
	      "properties": {"name": {"type": "text"}, "geo": {"properties": {"lat": {"type": "float"}}}}}}},
	  "vec": {"mappings": {"_doc": {"_source": {"enabled": false},
	      "dynamic_templates": [{"s": {"match_mapping_type": "string", "mapping": {"type": "flattened", "analyzer": "pinyin"}}}],
	      "runtime": {"day": {"type": "keyword"}},
	      "properties": {"v": {"type": "dense_vector", "dims": 3}, "t": {"type": "text", "fields": {"k": {"type": "keyword", "normalizer": "lower"}}}}}},
	    "settings": {"index": {"analysis": {
	      "normalizer": {"lower": {"type": "custom", "filter": ["lowercase", "icu_folding"]}},
	      "analyzer": {"default": {"tokenizer": "ik_max_word", "filter": ["py", "syn"], "char_filter": "stc"}},
	      "filter": {"py": {"type": "pinyin"}, "syn": {"type": "synonym_graph", "synonyms_path": "analysis/syn.txt"},
	                 "hs": {"type": "hunspell", "locale": "en_US"}, "set": {"type": "synonym", "synonyms_set": "products"},
	                 "odd": {"type": "hanlp_filter"}},
	      "char_filter": {"stc": {"type": "stconvert"}}}}}},
	  "empty": {"mappings": {}}
	}`
	mappings, analysis, err := decodeIndexContents(decoderFor(t, body), true)
	if err != nil {
		t.Fatal(err)
	}
	wantM := []MappingGroup{
		{Indices: []string{"empty"}, Types: []string{}, FieldTypes: []string{}, Source: "enabled"},
		{Indices: []string{"old"}, Types: []string{"tweet", "user"}, DefaultMapping: true, FieldCount: 3, FieldTypes: []string{"float", "object", "string", "text"},
			Source: "enabled", AllField: "enabled", Parent: true, RoutingRequired: true},
		{Indices: []string{"vec"}, Types: []string{"_doc"}, FieldCount: 4, FieldTypes: []string{"dense_vector", "flattened", "keyword", "text"}, Source: "disabled"},
	}
	if !reflect.DeepEqual(mappings, wantM) {
		t.Errorf("mappings\n got %+v\nwant %+v", mappings, wantM)
	}
	c := func(kind, name, provider string) AnalysisComponent {
		return AnalysisComponent{Kind: kind, Name: name, Provider: provider}
	}
	wantA := []AnalysisGroup{
		{Indices: []string{"empty"}, Components: []AnalysisComponent{}, Files: []string{}, SynonymSets: []string{}},
		{Indices: []string{"old"}, Components: []AnalysisComponent{c("analyzer", "ik_smart", "analysis-ik")}, Files: []string{}, SynonymSets: []string{}},
		{Indices: []string{"vec"}, Components: []AnalysisComponent{
			c("analyzer", "custom", "core"), c("analyzer", "pinyin", "analysis-pinyin"),
			c("char_filter", "stconvert", "analysis-stconvert"),
			c("filter", "hanlp_filter", ""), c("filter", "hunspell", "core"), c("filter", "icu_folding", "analysis-icu"),
			c("filter", "lowercase", "core"), c("filter", "pinyin", "analysis-pinyin"), c("filter", "synonym", "analysis-common"),
			c("filter", "synonym_graph", "analysis-common"),
			c("normalizer", "custom", "core"),
			c("tokenizer", "ik_max_word", "analysis-ik"),
		}, Files: []string{"analysis/syn.txt", "hunspell/en_US"}, SynonymSets: []string{"products"}},
	}
	if !reflect.DeepEqual(analysis, wantA) {
		t.Errorf("analysis\n got %+v\nwant %+v", analysis, wantA)
	}

	// Typeless (Elasticsearch 8+, OpenSearch 2+): the mapping is the body.
	mappings, _, err = decodeIndexContents(decoderFor(t, `{"a":{"mappings":{"properties":{"k":{"type":"knn_vector","dimension":2}}}},"b":{"mappings":{}}}`), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(mappings) != 2 || !reflect.DeepEqual(mappings[0].Types, []string{"_doc"}) || !reflect.DeepEqual(mappings[0].FieldTypes, []string{"knn_vector"}) ||
		len(mappings[1].Types) != 0 {
		t.Errorf("typeless mappings = %+v", mappings)
	}
}

// TestDecodeIndexContentsGroups: indices with the same summary share one group.
func TestDecodeIndexContentsGroups(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 50 {
		if i > 0 {
			b.WriteString(",")
		}
		typ := "keyword"
		if i%10 == 0 {
			typ = "text"
		}
		b.WriteString(`"logs-` + string(rune('a'+i/26)) + string(rune('a'+i%26)) + `":{"mappings":{"properties":{"m":{"type":"` + typ + `"}}}}`)
	}
	b.WriteString("}")
	mappings, analysis, err := decodeIndexContents(decoderFor(t, b.String()), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(mappings) != 2 || len(mappings[0].Indices)+len(mappings[1].Indices) != 50 || len(analysis) != 1 || len(analysis[0].Indices) != 50 {
		t.Fatalf("got %d mapping groups, %d analysis groups: %+v", len(mappings), len(analysis), mappings)
	}
	if mappings[0].Indices[0] != "logs-aa" || mappings[0].FieldTypes[0] != "text" || len(mappings[0].Indices) != 5 {
		t.Errorf("first group = %+v", mappings[0])
	}
}

func TestDecodeIndexContentsMalformed(t *testing.T) {
	for _, body := range []string{`{"a":{"mappings":{"properties":{"x":{"type":{"no":1}}}}}}`, `{"a":{"mappings":[1]}}`, `{"a":`, `[]`} {
		if _, _, err := decodeIndexContents(decoderFor(t, body), false); err == nil {
			t.Errorf("%s: no error", body)
		}
	}
}

func TestIndexMatterSummary(t *testing.T) {
	var body indexSettingsBody
	if err := json.Unmarshal([]byte(`{"settings":{"index":{"mapping":{"total_fields":{"limit":"5000"}},"soft_deletes":{"enabled":"false"},
	  "blocks":{"write":"true","read_only_allow_delete":"false","metadata":"true"},
	  "routing":{"allocation":{"include":{"zone":"a,b"},"require":{"_tier_preference":"data_hot"},"total_shards_per_node":"2","enable":"all"}},
	  "default_pipeline":"p1","final_pipeline":"_none","lifecycle":{"name":"hot-warm"},
	  "opendistro":{"index_state_management":{"policy_id":"old"}}}}}`), &body); err != nil {
		t.Fatal(err)
	}
	got := body.Settings.Index.indexMatter.summary()
	five, two, no := int64(5000), int64(2), false
	want := IndexSettingsGroup{TotalFieldsLimit: &five, SoftDeletes: &no, Blocks: []string{"metadata", "write"},
		Allocation:         []AllocationFilter{{Rule: "include", Attribute: "zone", Values: []string{"a", "b"}}, {Rule: "require", Attribute: "_tier_preference", Values: []string{"data_hot"}}},
		TotalShardsPerNode: &two, DefaultPipeline: "p1", FinalPipeline: "_none", LifecyclePolicy: "hot-warm", ISMPolicy: "old"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestDecodeILMAndISM(t *testing.T) {
	ilm, err := decodeILM(decoderFor(t, `{"logs":{"policy":{"phases":{"hot":{"min_age":"0ms","actions":{"rollover":{"max_size":"50gb"}}},
	  "frozen":{"actions":{"searchable_snapshot":{"snapshot_repository":"found-snapshots"}}},"delete":{"actions":{"wait_for_snapshot":{"policy":"nightly"},"delete":{}}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	wantILM := []LifecyclePolicy{{Name: "logs", Kind: "ilm", Actions: []string{"delete", "rollover", "searchable_snapshot", "wait_for_snapshot"}, Repositories: []string{"found-snapshots"}, IndexPatterns: []string{}}}
	if !reflect.DeepEqual(ilm, wantILM) {
		t.Errorf("ilm = %+v", ilm)
	}
	ism, total, err := decodeISM(decoderFor(t, `{"policies":[
	  {"_id":"p1","policy":{"policy_id":"p1","states":[{"name":"hot","actions":[{"retry":{"count":3},"rollover":{"min_size":"1gb"}}]},
	    {"name":"cold","actions":[{"snapshot":{"repository":"backup","snapshot":"s"}}]}],"ism_template":[{"index_patterns":["logs-*"],"priority":1}]}},
	  {"_id":"p2","policy":{"policy_id":"p2","states":[{"name":"x","actions":[{"delete":{}}]}],"ism_template":{"index_patterns":["tmp-*"]}}},
	  {"_id":"p3","policy":{"policy_id":"p3","states":[],"ism_template":null}}],"total_policies":3}`))
	if err != nil || total != 3 {
		t.Fatalf("err %v total %d", err, total)
	}
	wantISM := []LifecyclePolicy{
		{Name: "p1", Kind: "ism", Actions: []string{"rollover", "snapshot"}, Repositories: []string{"backup"}, IndexPatterns: []string{"logs-*"}},
		{Name: "p2", Kind: "ism", Actions: []string{"delete"}, Repositories: []string{}, IndexPatterns: []string{"tmp-*"}},
		{Name: "p3", Kind: "ism", Actions: []string{}, Repositories: []string{}, IndexPatterns: []string{}},
	}
	if !reflect.DeepEqual(ism, wantISM) {
		t.Errorf("ism = %+v", ism)
	}
}

func TestDecodeDeprecations(t *testing.T) {
	got, err := decodeDeprecations(decoderFor(t, `{"cluster_settings":[{"level":"critical","message":"m1","url":"u1","details":"d1"}],
	  "node_settings":[],"ml_settings":null,"future_flag":true,
	  "index_settings":{"b":[{"level":"warning","message":"m2","url":"u2","details":"index [b]"}],"a":[{"level":"warning","message":"m2","url":"u2","details":"index [a]"},{"level":"critical","message":"m3","url":"u3","details":"same"}],"c":[{"level":"critical","message":"m3","url":"u3","details":"same"}]},
	  "data_streams":{"ds":[{"level":"critical","message":"m4","url":"u4"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Deprecation{
		{Scope: "cluster", Level: "critical", Message: "m1", URL: "u1", Details: "d1", Names: []string{}},
		{Scope: "data_streams", Level: "critical", Message: "m4", URL: "u4", Names: []string{"ds"}},
		{Scope: "index", Level: "critical", Message: "m3", URL: "u3", Details: "same", Names: []string{"a", "c"}},
		{Scope: "index", Level: "warning", Message: "m2", URL: "u2", Details: "", Names: []string{"a", "b"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestDecodeAllocationAndPipelines(t *testing.T) {
	c, err := decodeAllocation(decoderFor(t, `[{"node":"n2","shards":"3","disk.indices":null,"disk.used":null,"disk.avail":null,"disk.total":null},
	  {"node":"n1","shards":"5","disk.indices":"10","disk.used":"100","disk.avail":"900","disk.total":"1000"},{"node":"UNASSIGNED","shards":"2"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Shards != 10 || c.UnassignedShards != 2 || len(c.DataNodes) != 2 || c.DataNodes[0].Node != "n1" || *c.DataNodes[0].DiskAvailBytes != 900 || c.DataNodes[1].DiskTotalBytes != nil {
		t.Errorf("capacity = %+v", c)
	}
	pls, err := decodePipelines(decoderFor(t, `{"p":{"processors":[{"foreach":{"field":"f","processor":{"geoip":{"field":"_ingest._value"}}}},{"set":{"field":"a","value":1,"on_failure":[{"fail":{"message":"x"}}]}}],"on_failure":[{"attachment":{"field":"d"}}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []Pipeline{{Name: "p", Processors: []string{"attachment", "fail", "foreach", "geoip", "set"}}}; !reflect.DeepEqual(pls, want) {
		t.Errorf("pipelines = %+v", pls)
	}
}

func TestFlexList(t *testing.T) {
	for in, want := range map[string][]string{`null`: nil, `"a"`: {"a"}, `["a",1]`: {"a", "1"}, `{"1":"b","0":"a","10":"c"}`: {"a", "b", "c"}} {
		var l flexList
		if err := json.Unmarshal([]byte(in), &l); err != nil || !reflect.DeepEqual([]string(l), want) {
			t.Errorf("%s: %v %v", in, l, err)
		}
	}
}

// TestContentFieldsDocumented: every JSON field of the content facts is
// named in docs/probe.md's section on them (contentFieldsDoc).
func TestContentFieldsDocumented(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[IndexSettingsGroup](), reflect.TypeFor[AllocationFilter](), reflect.TypeFor[DataStream](),
		reflect.TypeFor[MappingGroup](), reflect.TypeFor[AnalysisGroup](), reflect.TypeFor[AnalysisComponent](),
		reflect.TypeFor[Templates](), reflect.TypeFor[TemplateRefs](), reflect.TypeFor[LegacyTemplate](), reflect.TypeFor[ComposableTemplate](),
		reflect.TypeFor[Pipeline](), reflect.TypeFor[LifecyclePolicy](), reflect.TypeFor[StoredScript](),
		reflect.TypeFor[Capacity](), reflect.TypeFor[DataNodeCapacity](), reflect.TypeFor[Deprecation](),
	} {
		for _, name := range jsonNames(typ) {
			if name != "indices" && !strings.Contains(contentFieldsDoc, "`"+name+"`") && !strings.Contains(contentFieldsDoc, "`"+name+",") && !strings.Contains(contentFieldsDoc, " `"+name) {
				t.Errorf("%s.%s (%q) is not described in contentFieldsDoc (probe/probedoc_content.go)", typ.Name(), name, name)
			}
		}
	}
}

// TestMappingsTooLargeFailsClosed: a get-index answer over
// --max-response-size makes mappings and analysis unknown with that reason;
// every other fact is still collected.
func TestMappingsTooLargeFailsClosed(t *testing.T) {
	big := `{"idx":{"mappings":{"_doc":{"properties":{"f":{"type":"keyword","meta":{"pad":"` + strings.Repeat("x", 4000) + `"}}}}}}}`
	opts := testOptions()
	opts.MaxResponseBytes = 3000
	_, c := probeOne(t, fakeCluster(t, map[string]http.HandlerFunc{"/_all": status(200, big)}).URL, opts)
	for _, fact := range []string{"mappings", "analysis"} {
		wantUnknown(t, c, fact, mappingsEndpoint, "larger than the 3000-byte limit")
	}
	if len(c.Unknown) != 2 || c.Indices == nil || c.Templates == nil {
		t.Errorf("unknown = %+v, want mappings and analysis only", c.Unknown)
	}
}
