package probe

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Tests against misbehaving servers (issue: hostile servers, plans and
// policies). Every server listens on 127.0.0.1 and every wait is bounded by
// the probe's own timeouts.

// credentialPieces are the shortest pieces of the canary credentials that
// must never show: the first minFragment bytes of each form (a cut text
// keeps a prefix, and a text holding a longer prefix holds this one), except
// the user name part of "user:password" as is (the password's own forms
// cover what follows it). Each comes with its whole form.
func credentialPieces(user, password string) [][2]string {
	var out [][2]string
	add := func(form string, from int) {
		if k := from + minFragment; k <= len(form) {
			out = append(out, [2]string{form[:k], form[from:]})
		}
	}
	for _, f := range secretForms(password) {
		add(f, 0)
	}
	pair := secretForms(user + ":" + password)
	add(pair[0], len(user)+1)
	for _, f := range pair[1:5] { // base64: JSON and Go escaping leave "user:" as is
		add(f, 0)
	}
	return out
}

// leakedPiece returns the longest piece of a credential in out, or "".
func leakedPiece(out string, pieces [][2]string) string {
	best := ""
	for _, p := range pieces {
		if !strings.Contains(out, p[0]) {
			continue
		}
		k := len(p[0])
		for k < len(p[1]) && strings.Contains(out, p[1][:k+1]) {
			k++
		}
		if k > len(best) {
			best = p[1][:k]
		}
	}
	return best
}

// probeLeakFree probes endpoint as user with password and fails the test
// when a piece of the credentials shows in the facts or the progress lines,
// which it returns (facts JSON, then progress).
func probeLeakFree(t *testing.T, endpoint, user, password string) (*Facts, string) {
	t.Helper()
	p := planFor(endpoint)
	p.Source.Auth = &Auth{Username: user, PasswordEnv: "PW"}
	opts := testOptions()
	opts.Getenv = func(string) string { return password }
	var progress strings.Builder
	opts.Progress = &progress
	f, err := Probe(context.Background(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(f)
	out := string(b) + progress.String()
	if piece := leakedPiece(out, credentialPieces(user, password)); piece != "" {
		t.Fatalf("a piece of the credentials leaked: %q in\n%s", piece, out)
	}
	return f, out
}

// TestLongErrorReasonLeaksNoFragment: a server echoes the Authorization
// header at the end of a long error reason, with a padding that moves the
// header across the 200-byte cut from one request to the next. Cutting
// before scrubbing kept the first bytes of the header ("Basic ZWxhc3Rp…").
func TestLongErrorReasonLeaksNoFragment(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pad := strings.Repeat("x", 150+int(n.Add(1)%60))
		reason, _ := json.Marshal(pad + " " + r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"error":{"type":"security_exception","reason":%s},"status":401}`, reason)
	}))
	t.Cleanup(srv.Close)
	for range 12 { // 12 probes of 2 requests: every cut position from 150 to 210
		_, out := probeLeakFree(t, srv.URL, "elastic", canaryPassword)
		if !strings.Contains(out, "[REDACTED]") {
			t.Fatalf("the echoed header was not redacted:\n%s", out)
		}
	}
}

// TestSuccessfulBodiesAreScrubbed: a cluster that puts the credentials into
// what a 2xx answer carries (cluster name, node name, index name, alias,
// repository setting, cluster setting) gets them redacted in the facts and
// in the progress lines, in every form.
func TestSuccessfulBodiesAreScrubbed(t *testing.T) {
	pw := canaryPassword
	b64 := base64.StdEncoding.EncodeToString([]byte("elastic:" + pw))
	srv := fakeCluster(t, map[string]http.HandlerFunc{
		"/":                  status(200, `{"name":"n1","cluster_name":"c-`+pw+`","cluster_uuid":"u-`+b64+`","version":{"number":"7.17.0"},"tagline":"You Know, for Search"}`),
		"/_nodes/plugins":    status(200, `{"nodes":{"a":{"name":"node-`+pw+`","version":"7.17.0","roles":["data"],"plugins":[{"name":"p-`+base64.RawURLEncoding.EncodeToString([]byte(pw))+`","version":"1"}]}}}`),
		"/_cat/indices":      status(200, `[{"health":"green","status":"open","index":"ix-`+b64+`","pri":"1","rep":"0","docs.count":"1","store.size":"1","pri.store.size":"1","creation.date":"1700000000000"}]`),
		"/_all/_settings":    status(200, `{"ix-`+b64+`":{"settings":{"index":{"version":{"created":"7170099"}}}}}`),
		"/_cat/aliases":      status(200, `[{"alias":"a-`+pw+`","index":"ix-`+b64+`","is_write_index":"true"}]`),
		"/_snapshot":         status(200, `{"r-`+pw+`":{"type":"fs","settings":{"location":"/mnt/`+pw+`","compress":"`+b64+`"}}}`),
		"/_cluster/settings": status(200, `{"persistent":{"cluster":{"routing":{"allocation":{"disk":{"watermark":{"low":"`+pw+`"}}}}}}}`),
		"/_cluster/health":   status(200, `{"cluster_name":"c-`+pw+`","status":"green"}`),
	})
	f, _ := probeLeakFree(t, srv.URL, "elastic", pw)
	c := f.Clusters.Source
	if c.ClusterName != "c-[REDACTED]" || len(c.Indices) != 1 || c.Indices[0].Name != "ix-[REDACTED]" || c.Indices[0].CreatedVersion != "7.17.0" {
		t.Errorf("cluster %q, indices %+v", c.ClusterName, c.Indices)
	}
	if len(c.Repositories) != 1 || c.Repositories[0].Name != "r-[REDACTED]" || c.Repositories[0].Settings["location"] != "/mnt/[REDACTED]" {
		t.Errorf("repositories %+v", c.Repositories)
	}
}

// TestDecodedMemoryBounded: --max-response-size capped a response's bytes
// but not what they decode to: a 256 MiB _cat/indices of tiny rows took
// over 9 GB before the fact was marked unknown. The decoded budget (twice
// the byte cap) and the limit on one value (a sixteenth of it) now refuse
// such a body early, and the fact is unknown with the reason.
func TestDecodedMemoryBounded(t *testing.T) {
	const limit = 1 << 20
	var rows strings.Builder
	rows.WriteString("[")
	for i := 0; rows.Len() < limit-64; i++ {
		if i > 0 {
			rows.WriteString(",")
		}
		fmt.Fprintf(&rows, `{"index":"i%d"}`, i)
	}
	rows.WriteString("]")
	long := `[{"index":"` + strings.Repeat("x", limit/2) + `"}]`
	for name, c := range map[string]struct{ body, why string }{
		"many tiny rows": {rows.String(), "the response decodes to more than 2.0 MiB in memory after"},
		"one long name":  {long, "the response holds a single value longer than 64.0 KiB"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := fakeCluster(t, map[string]http.HandlerFunc{"/_cat/indices": status(200, c.body)})
			opts := testOptions()
			opts.MaxResponseBytes = limit
			_, cf := probeOne(t, srv.URL, opts)
			if cf.Indices != nil {
				t.Fatalf("%d indices decoded; want the fact unknown", len(cf.Indices))
			}
			var reason string
			for _, u := range cf.Unknown {
				if u.Fact == "indices" {
					reason = u.Error
				}
			}
			if !strings.Contains(reason, c.why) || !strings.Contains(reason, "--max-response-size") {
				t.Errorf("indices unknown because %q; want %q", reason, c.why)
			}
		})
	}
}

// TestRetryAfter: a 429 or 503 with Retry-After is tried again after the
// wait it asks for (seconds, or an HTTP date read against the answer's own
// Date), and one that asks for longer than MaxRetryAfter or past the
// deadline is not waited for at all. Before, the probe retried after its
// own backoff (1 ms in tests) whatever the server asked.
func TestRetryAfter(t *testing.T) {
	skewed := time.Now().Add(-time.Hour).UTC().Truncate(time.Second) // the server's clock is an hour behind
	for _, tc := range []struct {
		name          string
		code          int
		header        map[string]string
		deadline      time.Duration
		health        string // "" when health must be unknown
		reason        string
		calls         int32
		least, most   time.Duration
		progressRetry bool
	}{
		{name: "seconds", code: 429, header: map[string]string{"Retry-After": "1"},
			health: "green", calls: 2, least: 900 * time.Millisecond, most: 3 * time.Second, progressRetry: true},
		{name: "HTTP date, against the answer's Date", code: 503, header: map[string]string{
			"Date": skewed.Format(http.TimeFormat), "Retry-After": skewed.Add(time.Second).Format(http.TimeFormat)},
			health: "green", calls: 2, least: 900 * time.Millisecond, most: 3 * time.Second, progressRetry: true},
		{name: "absurd", code: 429, header: map[string]string{"Retry-After": "86400"},
			reason: "HTTP 429 Too Many Requests: busy (the server asks to retry after 24h0m0s, more than the 5s the probe waits)",
			calls:  1, most: time.Second},
		{name: "absurd date", code: 503, header: map[string]string{"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"},
			reason: "more than the 5s the probe waits", calls: 1, most: time.Second},
		{name: "past the deadline", code: 503, header: map[string]string{"Retry-After": "4"}, deadline: 2 * time.Second,
			reason: "(the server asks to retry after 4s, past the probe deadline (2s))", calls: 1, most: 1500 * time.Millisecond},
		{name: "not a number nor a date: the backoff", code: 429, header: map[string]string{"Retry-After": "soon"},
			health: "green", calls: 2, most: 900 * time.Millisecond, progressRetry: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := fakeCluster(t, map[string]http.HandlerFunc{"/_cluster/health": func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 || tc.health == "" {
					for k, v := range tc.header {
						w.Header().Set(k, v)
					}
					status(tc.code, `{"error":"busy"}`)(w, r)
					return
				}
				status(200, `{"status":"green"}`)(w, r)
			}})
			opts := testOptions()
			if tc.deadline > 0 {
				opts.Deadline = tc.deadline
			}
			var progress strings.Builder
			opts.Progress = &progress
			start := time.Now()
			_, c := probeOne(t, srv.URL, opts)
			el := time.Since(start)
			if tc.health != "" && c.Health != tc.health {
				t.Errorf("health %q, want %q; unknown %+v", c.Health, tc.health, c.Unknown)
			}
			if tc.health == "" {
				wantUnknown(t, c, "health", "GET /_cluster/health", tc.reason)
			}
			if calls.Load() != tc.calls {
				t.Errorf("%d calls, want %d", calls.Load(), tc.calls)
			}
			if el < tc.least || el > tc.most {
				t.Errorf("took %s, want between %s and %s", el, tc.least, tc.most)
			}
			if got := strings.Contains(progress.String(), "1 of them retries"); got != tc.progressRetry {
				t.Errorf("progress counts the retry: %v, want %v:\n%s", got, tc.progressRetry, progress.String())
			}
		})
	}
}

// resetMidBody answers with the headers and the first half of body, then
// resets the connection (SO_LINGER 0 makes Close send an RST).
func resetMidBody(t *testing.T, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:len(body)/2])
		_ = buf.Flush()
		time.Sleep(50 * time.Millisecond) // let the client read the headers and start on the body
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		conn.Close()
	}
}

// TestMidBodyReset: a connection reset halfway through a body is retried
// (a GET may be sent again) and the retry counted; when every attempt is
// reset the fact is unknown with that reason and no credential. Before, it
// was not retried, and the reason was the socket error text.
func TestMidBodyReset(t *testing.T) {
	health := `{"cluster_name":"fake","status":"green","number_of_nodes":1,"padding":"` + strings.Repeat("x", 200) + `"}`
	for _, tc := range []struct {
		name   string
		resets int32 // how many attempts are reset
		calls  int32
		want   string // "" when health must be collected
	}{
		{name: "once, then whole", resets: 1, calls: 2},
		{name: "every time", resets: 100, calls: 3, want: "the connection was reset after "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			reset := resetMidBody(t, health)
			srv := fakeCluster(t, map[string]http.HandlerFunc{"/_cluster/health": func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) <= tc.resets {
					reset(w, r)
					return
				}
				status(200, health)(w, r)
			}})
			f, out := probeLeakFree(t, srv.URL, "elastic", canaryPassword)
			c := f.Clusters.Source
			if calls.Load() != tc.calls {
				t.Errorf("%d calls, want %d", calls.Load(), tc.calls)
			}
			if tc.want == "" {
				if c.Health != "green" {
					t.Errorf("health %q; unknown %+v", c.Health, c.Unknown)
				}
				if !strings.Contains(out, "1 of them retries") {
					t.Errorf("the retry is not counted in the progress lines")
				}
				return
			}
			wantUnknown(t, c, "health", "GET /_cluster/health", tc.want)
			wantUnknown(t, c, "health", "", "bytes of the response (after 3 attempts)")
			if u := unknownFor(c, "health"); u != nil && strings.Contains(u.Error, "127.0.0.1") {
				t.Errorf("the reason names the socket: %q", u.Error)
			}
			if !strings.Contains(out, "2 of them retries") {
				t.Errorf("the retries are not counted in the progress lines")
			}
		})
	}
}
