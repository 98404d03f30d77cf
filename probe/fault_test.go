package probe

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeCluster answers like a small Elasticsearch 7.17 cluster; override
// replaces the handler of a path.
func fakeCluster(t *testing.T, override map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(fakeHandler(override))
	t.Cleanup(srv.Close)
	return srv
}

func fakeHandler(override map[string]http.HandlerFunc) http.HandlerFunc {
	bodies := map[string]string{
		"/":                        `{"name":"n1","cluster_name":"fake","cluster_uuid":"u1","version":{"number":"7.17.0","build_flavor":"default","minimum_wire_compatibility_version":"6.8.0","minimum_index_compatibility_version":"6.0.0-beta1"},"tagline":"You Know, for Search"}`,
		"/_nodes/plugins":          `{"nodes":{"a":{"name":"n1","version":"7.17.0","roles":["master","data"],"plugins":[{"name":"repository-s3","version":"7.17.0"}]}}}`,
		"/_nodes/settings":         `{"nodes":{"a":{"settings":{"reindex":{"remote":{"whitelist":["h1:9200","h2:9200"]}}}}}}`,
		"/_cluster/settings":       `{"persistent":{"cluster":{"max_shards_per_node":"2000"}},"defaults":{"cluster":{"max_shards_per_node":"1000","routing":{"allocation":{"disk":{"watermark":{"low":"85%"}}}}}}}`,
		"/_cluster/health":         `{"cluster_name":"fake","status":"green"}`,
		"/_cat/indices":            `[{"health":"green","status":"open","index":"orders","pri":"1","rep":"1","docs.count":"10","store.size":"200","pri.store.size":"100","creation.date":"1700000000000"},{"health":"green","status":"open","index":".tasks","pri":"1","rep":"0","docs.count":"1","store.size":"5","pri.store.size":"5","creation.date":"1700000000000"}]`,
		"/_all/_settings":          `{"orders":{"settings":{"index":{"version":{"created":"6082399"}}}},".tasks":{"settings":{"index":{"hidden":"true","version":{"created":"7170099"}}}}}`,
		"/_data_stream":            `{"data_streams":[]}`,
		"/_cluster/state/metadata": `{"metadata":{"indices":{"orders":{"system":false},".tasks":{"system":true}},"stored_scripts":{"s1":{"lang":"painless"}}}}`,
		"/_all":                    `{"orders":{"mappings":{"_doc":{"properties":{"title":{"type":"text","analyzer":"my_ik"}}}},"settings":{"index":{"analysis":{"analyzer":{"my_ik":{"type":"custom","tokenizer":"ik_max_word","filter":["lowercase"]}}}}}},".tasks":{"mappings":{}}}`,
		"/_template":               `{"t1":{"order":0,"index_patterns":["orders-*"],"settings":{"index":{"default_pipeline":"p1"}}}}`,
		"/_index_template":         `{"index_templates":[{"name":"events","index_template":{"index_patterns":["events-*"],"priority":200,"composed_of":[],"data_stream":{}}}]}`,
		"/_component_template":     `{"component_templates":[]}`,
		"/_ingest/pipeline":        `{"p1":{"processors":[{"set":{"field":"a","value":1}}]}}`,
		"/_ilm/policy":             `{"hot-warm":{"policy":{"phases":{"hot":{"actions":{"rollover":{"max_size":"50gb"}}}}}}}`,
		"/_cat/allocation":         `[{"node":"n1","shards":"2","disk.indices":"300","disk.used":"1000","disk.avail":"9000","disk.total":"10000"}]`,
		"/_migration/deprecations": `{"cluster_settings":[],"node_settings":[],"index_settings":{"orders":[{"level":"critical","message":"Index created before 7.0","url":"https://www.elastic.co/guide/en/elasticsearch/reference/8.0/migrating-8.0.html","details":"reindex it"}]},"ml_settings":[]}`,
		"/_snapshot":               `{"s3repo":{"type":"s3","settings":{"bucket":"b","access_key":"AKIAEXAMPLE","secret_key":"shh","client":"default"}}}`,
		"/_cat/aliases":            `[{"alias":"orders-all","index":"orders","is_write_index":"true"}]`,
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if h, ok := override[r.URL.RequestURI()]; ok { // one request of several to a path
			h(w, r)
			return
		}
		if h, ok := override[r.URL.Path]; ok {
			h(w, r)
			return
		}
		body, ok := bodies[r.URL.Path]
		if !ok {
			http.Error(w, `{"error":"no handler"}`, 404)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		fmt.Fprint(w, body)
	}
}

func loginPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprint(w, "<html><body>Please log in</body></html>")
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

func probeOne(t *testing.T, endpoint string, opts Options) (*Facts, *ClusterFacts) {
	t.Helper()
	f, err := Probe(context.Background(), planFor(endpoint), opts)
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	return f, f.Clusters.Source
}

func unknownFor(c *ClusterFacts, fact string) *Unknown {
	for i := range c.Unknown {
		if c.Unknown[i].Fact == fact {
			return &c.Unknown[i]
		}
	}
	return nil
}

func wantUnknown(t *testing.T, c *ClusterFacts, fact, endpoint, reason string) {
	t.Helper()
	u := unknownFor(c, fact)
	if u == nil {
		t.Fatalf("%s not unknown; unknown = %+v", fact, c.Unknown)
	}
	if endpoint != "" && u.Endpoint != endpoint {
		t.Errorf("%s unknown at %q, want %q", fact, u.Endpoint, endpoint)
	}
	if !strings.Contains(u.Error, reason) {
		t.Errorf("%s unknown because %q, want it to mention %q", fact, u.Error, reason)
	}
}

func TestFakeClusterAllFacts(t *testing.T) {
	srv := fakeCluster(t, nil)
	f, c := probeOne(t, srv.URL, testOptions())
	if len(c.Unknown) != 0 {
		t.Fatalf("unknown: %+v", c.Unknown)
	}
	if !f.Runner.Reachable[RoleSource] || c.Version.Number != "7.17.0" || c.Version.BuildFlavor != "default" || c.ClusterUUID != "u1" {
		t.Errorf("cluster = %+v", c)
	}
	if got := c.Nodes[0].Plugins; len(got) != 1 || got[0] != (Plugin{"repository-s3", "7.17.0"}) {
		t.Errorf("plugins = %+v", got)
	}
	if c.Indices[0].Name != ".tasks" || !c.Indices[0].System || !c.Indices[0].Hidden || c.Indices[1].CreatedVersion != "6.8.23" {
		t.Errorf("indices = %+v", c.Indices)
	}
	if c.Settings["cluster.max_shards_per_node"] != int64(2000) {
		t.Errorf("persistent must win over defaults: %v", c.Settings["cluster.max_shards_per_node"])
	}
	if w := c.Settings["reindex.remote.whitelist"]; fmt.Sprint(w) != "[h1:9200 h2:9200]" {
		t.Errorf("whitelist = %v", w)
	}
	s := c.Repositories[0].Settings
	if _, ok := s["access_key"]; ok || s["secret_key"] != "" || s["bucket"] != "b" || s["client"] != "default" {
		t.Errorf("repository settings not redacted: %v", s)
	}
	for _, ix := range c.Indices {
		if ix.CreatedVersion == "" {
			t.Errorf("index %s has no created version", ix.Name)
		}
	}
}

func TestFaults(t *testing.T) {
	slow := func(d time.Duration) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"status":"green"}`)
		}
	}
	tests := []struct {
		name     string
		override map[string]http.HandlerFunc
		opts     func(*Options)
		fact     string
		endpoint string
		reason   string
		also     []string // further facts that must be unknown
	}{
		{name: "401 on GET /", override: map[string]http.HandlerFunc{"/": status(401, `{"error":{"type":"security_exception","reason":"missing authentication credentials"},"status":401}`)},
			fact: "version", endpoint: "GET /", reason: "HTTP 401", also: []string{"nodes", "indices", "settings", "health", "repositories", "totals"}},
		{name: "403 on GET /", override: map[string]http.HandlerFunc{"/": status(403, `{"error":{"type":"security_exception","reason":"action [cluster:monitor/main] is unauthorized"},"status":403}`)},
			fact: "version", endpoint: "GET /", reason: "HTTP 403"},
		{name: "403 on cat indices", override: map[string]http.HandlerFunc{"/_cat/indices": status(403, `{"error":{"type":"security_exception","reason":"unauthorized"},"status":403}`)},
			fact: "indices", endpoint: "GET /_cat/indices", reason: "HTTP 403", also: []string{"totals"}},
		{name: "404 on snapshot", override: map[string]http.HandlerFunc{"/_snapshot": status(404, `{"error":"not found"}`)},
			fact: "repositories", endpoint: "GET /_snapshot", reason: "HTTP 404"},
		{name: "500 on nodes", override: map[string]http.HandlerFunc{"/_nodes/plugins": status(500, `{"error":{"type":"null_pointer_exception","reason":null},"status":500}`)},
			fact: "nodes", endpoint: "GET /_nodes/plugins", reason: "HTTP 500"},
		{name: "timeout", override: map[string]http.HandlerFunc{"/_cluster/health": slow(3 * time.Second)},
			opts: func(o *Options) { o.Timeout = 200 * time.Millisecond; o.Retries = -1 },
			fact: "health", endpoint: "GET /_cluster/health", reason: "timed out after 200ms"},
		{name: "slow body past the deadline", override: map[string]http.HandlerFunc{"/_cat/indices": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `[{"index":"a","status":"open"},`)
			w.(http.Flusher).Flush()
			select {
			case <-time.After(10 * time.Second):
			case <-r.Context().Done():
			}
		}}, opts: func(o *Options) { o.Timeout = 5 * time.Second; o.Deadline = 500 * time.Millisecond },
			fact: "indices", endpoint: "GET /_cat/indices", reason: "probe deadline (500ms) exceeded"},
		{name: "truncated JSON", override: map[string]http.HandlerFunc{"/_cat/indices": status(200, `[{"index":"a","status":"op`)},
			fact: "indices", endpoint: "GET /_cat/indices", reason: "malformed response"},
		{name: "malformed values", override: map[string]http.HandlerFunc{"/_cat/indices": status(200, `[{"index":"a","docs.count":"12kb"}]`)},
			fact: "indices", endpoint: "GET /_cat/indices", reason: "malformed response"},
		{name: "wrong shape", override: map[string]http.HandlerFunc{"/_nodes/plugins": status(200, `["not","an","object"]`)},
			fact: "nodes", endpoint: "GET /_nodes/plugins", reason: "expected a JSON object"},
		{name: "oversize body", override: map[string]http.HandlerFunc{"/_cat/indices": status(200, "["+strings.Repeat(`{"index":"x","status":"open"},`, 200)+`{"index":"y"}]`)},
			opts: func(o *Options) { o.MaxResponseBytes = 1000 },
			fact: "indices", endpoint: "GET /_cat/indices", reason: "larger than the 1000-byte limit"},
		{name: "HTML content type", override: map[string]http.HandlerFunc{"/": loginPage, "/_nodes/plugins": loginPage}, fact: "version", endpoint: "GET /", reason: `content type "text/html", not JSON`},
		{name: "GET / without version", override: map[string]http.HandlerFunc{"/": status(200, `{"hello":"world"}`), "/_nodes/plugins": status(500, `{}`)},
			fact: "version", endpoint: "GET /", reason: "no version.number"},
		{name: "503 forever", override: map[string]http.HandlerFunc{"/_snapshot": status(503, `{"error":"busy"}`)},
			fact: "repositories", endpoint: "GET /_snapshot", reason: "HTTP 503"},
		{name: "system flag rejected", override: map[string]http.HandlerFunc{"/_cluster/state/metadata": status(403, `{"error":{"type":"security_exception","reason":"no"}}`)},
			fact: "indices", endpoint: "GET /_cluster/state/metadata", reason: "HTTP 403"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeCluster(t, tc.override)
			opts := testOptions()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			start := time.Now()
			f, c := probeOne(t, srv.URL, opts)
			if el := time.Since(start); el > opts.Deadline+2*time.Second {
				t.Errorf("probe took %s, past the %s deadline", el, opts.Deadline)
			}
			if !*c.Reachable || !f.Runner.Reachable[RoleSource] {
				t.Errorf("an HTTP response arrived, so the cluster is reachable")
			}
			wantUnknown(t, c, tc.fact, tc.endpoint, tc.reason)
			for _, fact := range tc.also {
				wantUnknown(t, c, fact, "", "")
			}
			if tc.fact == "indices" && (c.Indices != nil || c.Totals != nil) {
				t.Errorf("unknown indices must be null, got %d indices", len(c.Indices))
			}
			if tc.fact != "version" && c.Version == nil {
				t.Errorf("version lost although GET / worked")
			}
			b, _ := json.Marshal(f)
			if _, err := ReadFacts(strings.NewReader(string(b))); err != nil {
				t.Errorf("facts do not round-trip: %v", err)
			}
		})
	}
}

func TestRetries(t *testing.T) {
	for _, code := range []int{429, 502, 503, 504} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			var calls atomic.Int32
			srv := fakeCluster(t, map[string]http.HandlerFunc{"/_cluster/health": func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) <= 2 {
					status(code, `{"error":"busy"}`)(w, r)
					return
				}
				status(200, `{"status":"yellow"}`)(w, r)
			}})
			_, c := probeOne(t, srv.URL, testOptions())
			if c.Health != "yellow" || calls.Load() != 3 {
				t.Errorf("health %q after %d calls, want yellow after 3", c.Health, calls.Load())
			}
		})
	}
	t.Run("no retry on 500", func(t *testing.T) {
		var calls atomic.Int32
		srv := fakeCluster(t, map[string]http.HandlerFunc{"/_cluster/health": func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			status(500, `{}`)(w, r)
		}})
		probeOne(t, srv.URL, testOptions())
		if calls.Load() != 1 {
			t.Errorf("%d calls", calls.Load())
		}
	})
	t.Run("retry budget", func(t *testing.T) {
		var calls atomic.Int32
		srv := fakeCluster(t, map[string]http.HandlerFunc{"/_cluster/health": func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			status(503, `{}`)(w, r)
		}})
		opts := testOptions()
		opts.Retries = 1
		probeOne(t, srv.URL, opts)
		if calls.Load() != 2 {
			t.Errorf("%d calls, want 2 (1 retry)", calls.Load())
		}
	})
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var progress strings.Builder
	opts := testOptions()
	opts.Progress = &progress
	f, c := probeOne(t, "http://"+addr, opts)
	if c.Reachable == nil || *c.Reachable || f.Runner.Reachable[RoleSource] {
		t.Fatalf("reachable = %v / %v, want false", c.Reachable, f.Runner.Reachable)
	}
	for _, fact := range ProbedFacts {
		wantUnknown(t, c, fact, "GET /", "connection refused")
	}
	if c.Version != nil || c.Indices != nil {
		t.Errorf("facts of an unreachable cluster must be null")
	}
	if !strings.Contains(progress.String(), "cannot reach") {
		t.Errorf("progress = %q", progress.String())
	}
	if f.Clusters.Destination == nil || f.Clusters.Destination.Version.Number != "7.10.2" {
		t.Errorf("declared destination lost")
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(fakeHandler(nil))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // expected handshake failures
	srv.StartTLS()
	defer srv.Close()

	t.Run("unknown CA", func(t *testing.T) {
		f, c := probeOne(t, srv.URL, testOptions())
		if *c.Reachable || f.Runner.Reachable[RoleSource] {
			t.Errorf("a TLS failure gets no HTTP response: unreachable")
		}
		wantUnknown(t, c, "version", "GET /", "TLS: certificate signed by an unknown authority")
	})
	t.Run("ca_file", func(t *testing.T) {
		ca := filepath.Join(t.TempDir(), "ca.pem")
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
			t.Fatal(err)
		}
		p := planFor(srv.URL)
		p.Source.TLS = &TLS{CAFile: ca}
		f, err := Probe(context.Background(), p, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		if c := f.Clusters.Source; len(c.Unknown) != 0 || c.Version.Number != "7.17.0" {
			t.Errorf("with ca_file: %+v", c.Unknown)
		}
	})
	t.Run("insecure_skip_verify warns", func(t *testing.T) {
		p := planFor(srv.URL)
		p.Source.TLS = &TLS{InsecureSkipVerify: true}
		var warnings []string
		opts := testOptions()
		opts.Warn = func(m string) { warnings = append(warnings, m) }
		f, err := Probe(context.Background(), p, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Clusters.Source.Unknown) != 0 || len(warnings) != 1 || !strings.Contains(warnings[0], "verification is off") {
			t.Errorf("unknown %+v, warnings %q", f.Clusters.Source.Unknown, warnings)
		}
	})
	t.Run("http endpoint on a TLS server", func(t *testing.T) {
		_, c := probeOne(t, strings.Replace(srv.URL, "https://", "http://", 1), testOptions())
		if u := unknownFor(c, "version"); u == nil {
			t.Errorf("want version unknown")
		}
	})
}

func TestConfigErrors(t *testing.T) {
	srv := fakeCluster(t, nil)
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "bad.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	tests := []struct {
		name string
		spec func(*ClusterSpec)
		want string
	}{
		{"missing password env", func(s *ClusterSpec) { s.Auth = &Auth{Username: "u", PasswordEnv: "NO_SUCH_VAR"} }, "environment variable NO_SUCH_VAR is not set"},
		{"missing api key file", func(s *ClusterSpec) { s.Auth = &Auth{APIKeyFile: filepath.Join(dir, "nope")} }, "api_key: file"},
		{"user without password", func(s *ClusterSpec) { s.Auth = &Auth{Username: "u"} }, "no password"},
		{"unreadable CA", func(s *ClusterSpec) { s.TLS = &TLS{CAFile: filepath.Join(dir, "missing.pem")} }, "tls.ca_file"},
		{"CA without PEM", func(s *ClusterSpec) { s.TLS = &TLS{CAFile: notPEM} }, "holds no PEM certificate"},
		{"bad endpoint", func(s *ClusterSpec) { s.Endpoint = "ftp://x" }, "not an http(s) URL"},
		{"credentials in URL", func(s *ClusterSpec) { s.Endpoint = "http://user:pw@127.0.0.1:1" }, "carries credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := planFor(srv.URL)
			tc.spec(p.Source)
			f, err := Probe(context.Background(), p, testOptions())
			var ce *ConfigError
			if !errors.As(err, &ce) || f != nil {
				t.Fatalf("err = %v (%T), want *ConfigError", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "source: ") {
				t.Errorf("err = %q, want it to mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "pw") {
				t.Errorf("error shows a secret: %q", err)
			}
		})
	}
}

func TestProbeURLs(t *testing.T) {
	src := fakeCluster(t, nil)
	f, err := ProbeURLs(context.Background(), src.URL, "", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if f.Clusters.Source.Version.Number != "7.17.0" || f.Clusters.Destination == nil || f.Clusters.Destination.Reachable != nil {
		t.Errorf("facts = %+v", f.Clusters)
	}
	if _, ok := f.Runner.Reachable[RoleDestination]; ok {
		t.Errorf("destination without endpoint must have no reachability key")
	}
	if f.Plan.Method != "" || f.Schema != FactsSchema {
		t.Errorf("plan = %+v", f.Plan)
	}
}

func TestOpenSearchOverride(t *testing.T) {
	srv := fakeCluster(t, map[string]http.HandlerFunc{
		"/":               status(200, `{"cluster_name":"aws","version":{"number":"7.10.2"},"tagline":"The OpenSearch Project: https://opensearch.org/"}`),
		"/_nodes/plugins": status(200, `{"nodes":{"a":{"name":"n1","version":"1.3.14","roles":["data"]}}}`),
	})
	_, c := probeOne(t, srv.URL, testOptions())
	if c.Product != "opensearch" || c.Version.Number != "1.3.14" || !strings.Contains(c.Sources["version"], "Elasticsearch-compatible 7.10.2") {
		t.Errorf("product %q version %+v source %q", c.Product, c.Version, c.Sources["version"])
	}
}

func TestDeadlineBoundsEverything(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	srv := fakeCluster(t, map[string]http.HandlerFunc{"/": hang})
	opts := testOptions()
	opts.Timeout = time.Minute
	opts.Deadline = 300 * time.Millisecond
	start := time.Now()
	_, c := probeOne(t, srv.URL, opts)
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %s", el)
	}
	wantUnknown(t, c, "version", "GET /", "deadline")
}
