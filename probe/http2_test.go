package probe

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHTTP2OnlyEndpoint: an endpoint that serves HTTP/2 alone (h2c with
// prior knowledge, or TLS offering only h2) drops the probe's HTTP/1.1
// requests; the reason says it speaks HTTP/2 only and what to do, where it
// used to say "connection reset by peer" or "connection closed before a
// response". An endpoint that drops connections without speaking HTTP/2
// keeps the plain reason.
func TestHTTP2OnlyEndpoint(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{}`)) })
	start := map[string]func(t *testing.T) (string, *TLS){
		"h2c": func(t *testing.T) (string, *TLS) {
			srv := httptest.NewUnstartedServer(h)
			var p http.Protocols
			p.SetUnencryptedHTTP2(true)
			srv.Config.Protocols = &p
			srv.Start()
			t.Cleanup(srv.Close)
			return srv.URL, nil
		},
		"tls h2": func(t *testing.T) (string, *TLS) {
			srv := httptest.NewUnstartedServer(h)
			var p http.Protocols
			p.SetHTTP2(true)
			srv.EnableHTTP2 = true
			srv.Config.Protocols = &p
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes the probe gives up on
			srv.StartTLS()
			t.Cleanup(srv.Close)
			return srv.URL, &TLS{InsecureSkipVerify: true}
		},
		"closes": func(t *testing.T) (string, *TLS) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					buf := make([]byte, 4096)
					_, _ = c.Read(buf)
					c.Close()
				}
			}()
			return "http://" + ln.Addr().String(), nil
		},
	}
	for name, want := range map[string]bool{"h2c": true, "tls h2": true, "closes": false} {
		t.Run(name, func(t *testing.T) {
			endpoint, tlsSpec := start[name](t)
			p := planFor(endpoint)
			p.Source.TLS = tlsSpec
			f, err := Probe(context.Background(), p, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			u := f.Clusters.Source.Unknown
			if len(u) == 0 {
				t.Fatal("no unknown facts")
			}
			got := strings.Contains(u[0].Error, "speaks HTTP/2 only")
			if got != want {
				t.Fatalf("HTTP/2 hint = %v, want %v: %s", got, want, u[0].Error)
			}
			if want && !strings.Contains(u[0].Error, "accepts HTTP/1.1") {
				t.Errorf("the reason does not say what to do: %s", u[0].Error)
			}
			t.Log(u[0].Error)
		})
	}
}
