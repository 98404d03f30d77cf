package probe

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// generatedExchanges takes a real recording and replaces the _cat/indices and
// _all/_settings bodies by generated ones with n indices of the same shape.
func generatedExchanges(b *testing.B, n int) []exchange {
	dir := filepath.Join(responsesDir, "elasticsearch-7.17.29")
	m := loadManifest(b, dir)
	var cat, set, all bytes.Buffer
	cat.WriteByte('[')
	set.WriteByte('{')
	all.WriteByte('{')
	for i := range n {
		if i > 0 {
			cat.WriteByte(',')
			set.WriteByte(',')
			all.WriteByte(',')
		}
		name := fmt.Sprintf("logs-%06d", i)
		status, docs := "open", fmt.Sprintf(`"%d"`, 1000+i)
		if i%100 == 99 {
			status, docs = "close", "null"
		}
		fmt.Fprintf(&cat, `{"health":"green","status":%q,"index":%q,"uuid":"u%022d","pri":"1","rep":"1","docs.count":%s,"store.size":"%d","pri.store.size":"%d","creation.date":"1795684925295"}`,
			status, name, i, docs, 20000+i, 10000+i)
		fmt.Fprintf(&set, `%q:{"settings":{"index":{"creation_date":"1795684925295","number_of_shards":"1","number_of_replicas":"1","uuid":"u%022d","version":{"created":"6082399"}}}}`, name, i)
		fmt.Fprintf(&all, `%q:{"mappings":{"_doc":{"properties":{"@timestamp":{"type":"date"},"message":{"type":"text"}}}}}`, name)
	}
	cat.WriteByte(']')
	set.WriteByte('}')
	all.WriteByte('}')
	for i := range m.Exchanges {
		switch m.Exchanges[i].Path {
		case "/_cat/indices":
			if m.Exchanges[i].Status == 200 {
				m.Exchanges[i].body = cat.Bytes()
			}
		case "/_all/_settings":
			m.Exchanges[i].body = set.Bytes()
		case "/_all":
			m.Exchanges[i].body = all.Bytes()
		case "/_cluster/state/metadata":
			m.Exchanges[i].body = []byte(`{"metadata":{"indices":{}}}`)
		}
	}
	return m.Exchanges
}

// BenchmarkProbe shows that the number of requests does not grow with the
// number of indices; bytes is what the replay server sent per probe.
func BenchmarkProbe(b *testing.B) {
	if len(recordingDirsOrNil()) == 0 {
		b.Skip("no recordings")
	}
	for _, n := range []int{10, 50000} {
		b.Run(fmt.Sprintf("indices=%d", n), func(b *testing.B) {
			srv, rp := newReplayServer(b, generatedExchanges(b, n))
			opts := testOptions()
			opts.Deadline = time.Minute
			opts.Timeout = 30 * time.Second
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				f, err := Probe(context.Background(), planFor(srv.URL), opts)
				if err != nil {
					b.Fatal(err)
				}
				// The recorded node has no deprecation info API: that fact alone is unknown.
				if c := f.Clusters.Source; len(c.Unknown) != 1 || c.Unknown[0].Fact != "deprecations" || len(c.Indices) != n || len(c.Mappings) != 1 || len(c.Mappings[0].Indices) != n {
					b.Fatalf("got %d indices, %d mapping groups, unknown %+v", len(c.Indices), len(c.Mappings), c.Unknown)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(rp.requests.Load())/float64(b.N), "requests/op")
			b.ReportMetric(float64(rp.bytes.Load())/float64(b.N), "resp-bytes/op")
		})
	}
}
