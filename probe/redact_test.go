package probe

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

const (
	canaryPassword = "Canary-Pa55word-7f3e9c"
	canaryAPIKey   = "canaryKeyId:canary-api-key-b41d2e"
)

// canaryForms are the ways a canary could leak: raw, base64 (as in an
// Authorization header) and the user:password pair.
func canaryForms() []string {
	var out []string
	for _, s := range []string{canaryPassword, canaryAPIKey, "elastic:" + canaryPassword, "canary-api-key-b41d2e"} {
		out = append(out, s, base64.StdEncoding.EncodeToString([]byte(s)))
	}
	return out
}

// echoingServer answers 401 with the Authorization header and its decoded
// value in the error reason, the worst a proxy could do.
func echoingServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := r.Header.Get("Authorization")
		dec := ""
		if i := strings.IndexByte(a, ' '); i > 0 {
			b, _ := base64.StdEncoding.DecodeString(a[i+1:])
			dec = string(b)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		reason, _ := json.Marshal(fmt.Sprintf("bad credentials %s (%s) for %s", a, dec, r.URL.Path))
		fmt.Fprintf(w, `{"error":{"type":"security_exception","reason":%s},"status":401}`, reason)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRedactionCanary(t *testing.T) {
	env := map[string]string{"SRC_USER": "elastic", "SRC_PASSWORD": canaryPassword, "DST_API_KEY": canaryAPIKey}
	refused := func() string {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		return "http://" + addr
	}()
	var replayURL string
	if dirs := recordingDirsOrNil(); len(dirs) > 0 {
		m := loadManifest(t, dirs[0])
		srv, rp := newReplayServer(t, m.Exchanges)
		replayURL = srv.URL
		t.Cleanup(func() {
			if len(rp.auth) == 0 {
				t.Errorf("the replay server saw no Authorization header: auth not sent")
			}
		})
	} else {
		replayURL = fakeCluster(t, nil).URL
	}
	echo := echoingServer(t).URL
	failing := fakeCluster(t, map[string]http.HandlerFunc{
		"/_cat/indices": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			fmt.Fprintf(w, `{"error":{"type":"x","reason":"header was %s"}}`, r.Header.Get("Authorization"))
		},
		"/_snapshot": status(200, `{"r":{"type":"s3","settings":{"password":"`+canaryPassword+`","url":"https://elastic:`+canaryPassword+`@h/"}}}`),
	}).URL

	pairs := [][2]string{{replayURL, echo}, {failing, refused}, {echo, failing}}
	for i, pair := range pairs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			p := planFor(pair[0])
			p.Source.Auth = &Auth{UsernameEnv: "SRC_USER", PasswordEnv: "SRC_PASSWORD"}
			p.Destination = &ClusterSpec{Endpoint: pair[1], Auth: &Auth{APIKeyEnv: "DST_API_KEY"}}
			var progress strings.Builder
			opts := testOptions()
			opts.Getenv = func(k string) string { return env[k] }
			opts.Progress = &progress
			f, err := Probe(context.Background(), p, opts)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(f)
			out := string(b) + "\n" + progress.String()
			for _, form := range canaryForms() {
				if strings.Contains(out, form) {
					t.Errorf("canary %q leaked:\n%s", form, out)
				}
			}
			if !strings.Contains(out, "HTTP 401") && i != 1 {
				t.Errorf("expected an authentication failure to be reported")
			}
		})
	}

	t.Run("config errors", func(t *testing.T) {
		p := planFor(replayURL)
		p.Source.Auth = &Auth{Username: "elastic", PasswordFile: filepath.Join(t.TempDir(), canaryPassword)}
		_, err := Probe(context.Background(), p, testOptions())
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("err = %v", err)
		}
		// The file path is configuration, not a secret; but the env value must never show.
		p.Source.Auth = &Auth{Username: "elastic", PasswordEnv: "SRC_PASSWORD", PasswordFile: "x"}
		opts := testOptions()
		opts.Getenv = func(k string) string { return env[k] }
		_, err = Probe(context.Background(), p, opts)
		if err == nil || strings.Contains(err.Error(), canaryPassword) {
			t.Errorf("err = %v", err)
		}
	})
}

func recordingDirsOrNil() []string {
	var dirs []string
	matches, _ := filepath.Glob(filepath.Join(responsesDir, "*", "manifest.json"))
	for _, m := range matches {
		dirs = append(dirs, filepath.Dir(m))
	}
	return dirs
}

func TestScrubber(t *testing.T) {
	s := &scrubber{}
	s.basic("elastic", canaryPassword)
	s.add(canaryAPIKey)
	in := "a " + canaryPassword + " b " + base64.StdEncoding.EncodeToString([]byte("elastic:"+canaryPassword)) + " c " + canaryAPIKey
	got := s.clean(in)
	for _, f := range canaryForms() {
		if strings.Contains(got, f) {
			t.Errorf("%q left in %q", f, got)
		}
	}
}

// TestNoCompatibilityHeader: ELASTIC_CLIENT_APIVERSIONING must have no effect
// (the replay server fails the test on a compatible-with header).
func TestNoCompatibilityHeader(t *testing.T) {
	t.Setenv("ELASTIC_CLIENT_APIVERSIONING", "true")
	var accept []string
	srv := fakeCluster(t, map[string]http.HandlerFunc{"/": func(w http.ResponseWriter, r *http.Request) {
		accept = append(accept, r.Header.Get("Accept"), r.Header.Get("Content-Type"), r.Header.Get("X-Elastic-Client-Meta"))
		fakeHandler(nil)(w, r)
	}})
	probeOne(t, srv.URL, testOptions())
	for _, h := range accept {
		if strings.Contains(h, "compatible-with") || strings.Contains(h, "es=") {
			t.Errorf("header %q sent", h)
		}
	}
}
