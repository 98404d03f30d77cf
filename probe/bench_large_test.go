package probe

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// A cluster of n indices whose answers are generated while they are sent,
// so that the test process never holds a whole answer: what the probe needs
// in memory is what the benchmark measures. Every other request is answered
// from the Elasticsearch 7.17 recording.

// largeMapping writes the mapping and analysis settings of index i: about
// 5 KB, 106 to 205 fields, a custom analyzer; 100 variants (i % 100 extra
// fields) so the facts hold 100 groups, as a cluster of 100 templates would.
func largeMapping(w *bufio.Writer, i int) {
	fmt.Fprintf(w, `{"mappings":{"_doc":{"_source":{"excludes":["raw_%d"]},"dynamic_templates":[{"strings":{"match_mapping_type":"string","mapping":{"type":"keyword","ignore_above":256}}}],"properties":{`, i%100)
	for f := range 60 {
		if f > 0 {
			w.WriteByte(',')
		}
		switch f % 4 {
		case 0:
			fmt.Fprintf(w, `"message_%02d":{"type":"text","analyzer":"content","fields":{"keyword":{"type":"keyword","ignore_above":256}}}`, f)
		case 1:
			fmt.Fprintf(w, `"count_%02d":{"type":"long","doc_values":true,"index":true,"store":false}`, f)
		case 2:
			fmt.Fprintf(w, `"when_%02d":{"type":"date","format":"strict_date_optional_time||epoch_millis"}`, f)
		default:
			fmt.Fprintf(w, `"host_%02d":{"properties":{"name":{"type":"keyword"},"ip":{"type":"ip"}}}`, f)
		}
	}
	for x := range i % 100 {
		fmt.Fprintf(w, `,"extra_%02d":{"type":"keyword"}`, x)
	}
	fmt.Fprintf(w, `,"variant_%02d":{"type":"keyword"}}}},"settings":{"index":{"analysis":{"analyzer":{"content":{"type":"custom","tokenizer":"standard","filter":["lowercase","asciifolding"]}}}}}}`, i%100)
}

// largeHandler serves the generated answers for n indices and counts the
// requests and the bytes it sent.
type largeHandler struct {
	n        int
	fallback http.Handler
	requests atomic.Int64
	bytes    atomic.Int64
}

type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func (h *largeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.requests.Add(1)
	var each func(bw *bufio.Writer, i int)
	open, sep, closing := "{", ",", "}"
	switch r.URL.Path {
	case "/_cat/indices":
		open, closing = "[", "]"
		each = func(bw *bufio.Writer, i int) {
			fmt.Fprintf(bw, `{"health":"green","status":"open","index":"logs-%06d","uuid":"u%022d","pri":"1","rep":"1","docs.count":"%d","store.size":"%d","pri.store.size":"%d","creation.date":"1795684925295"}`, i, i, 1000+i, 20000+i, 10000+i)
		}
	case "/_all/_settings":
		each = func(bw *bufio.Writer, i int) {
			fmt.Fprintf(bw, `"logs-%06d":{"settings":{"index":{"creation_date":"1795684925295","number_of_shards":"1","number_of_replicas":"1","uuid":"u%022d","version":{"created":"7172999"},"lifecycle":{"name":"logs-%d"}}}}`, i, i, i%10)
		}
	case "/_all":
		each = func(bw *bufio.Writer, i int) {
			fmt.Fprintf(bw, `"logs-%06d":`, i)
			largeMapping(bw, i)
		}
	case "/_cluster/state/metadata":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"metadata":{"indices":{},"stored_scripts":{}}}`)
		return
	default:
		h.fallback.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(countingWriter{w, &h.bytes}, 64<<10)
	bw.WriteString(open)
	for i := range h.n {
		if i > 0 {
			bw.WriteString(sep)
		}
		each(bw, i)
	}
	bw.WriteString(closing)
	bw.Flush()
}

// peakHeap samples the heap in use until stop is closed.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// BenchmarkProbeLargeCluster probes a generated cluster of
// ESPREFLIGHT_PROBE_BENCH_INDICES indices (100 000 by default, with a
// _mapping answer of about 500 MB) and reports the requests, the bytes
// received and the peak heap; `/usr/bin/time -v` around the test binary
// gives the peak RSS (docs/performance.md).
func BenchmarkProbeLargeCluster(b *testing.B) {
	n := 100000
	if s := os.Getenv("ESPREFLIGHT_PROBE_BENCH_INDICES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("ESPREFLIGHT_PROBE_BENCH_INDICES: %v", err)
		}
	}
	m := loadManifest(b, responsesDir+"/elasticsearch-7.10.2")
	_, fallback := newReplayServer(b, m.Exchanges)
	h := &largeHandler{n: n, fallback: fallback}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	opts := testOptions()
	opts.Deadline, opts.Timeout = 10*time.Minute, 5*time.Minute
	opts.MaxResponseBytes = 2 << 30
	b.ReportAllocs()
	b.ResetTimer()
	var peak uint64
	for range b.N {
		stop := make(chan struct{})
		res := peakHeap(stop)
		f, err := Probe(context.Background(), planFor(srv.URL), opts)
		close(stop)
		peak = max(peak, <-res)
		if err != nil {
			b.Fatal(err)
		}
		c := f.Clusters.Source
		if len(c.Indices) != n || len(c.Mappings) != min(n, 100) || len(c.Analysis) != 1 || len(c.Unknown) != 1 {
			b.Fatalf("got %d indices, %d mapping groups, %d analysis groups; unknown %+v", len(c.Indices), len(c.Mappings), len(c.Analysis), c.Unknown)
		}
		if c.Mappings[0].FieldCount != 106 { // 60 fields, 15 multi-fields, 15 objects of 2, the variant
			b.Fatalf("field count %d", c.Mappings[0].FieldCount)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(h.requests.Load())/float64(b.N), "requests/op")
	b.ReportMetric(float64(h.bytes.Load())/float64(b.N)/1e6, "generated-MB/op")
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
}
