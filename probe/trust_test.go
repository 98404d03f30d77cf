package probe

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// probeWithAuth probes a plan whose source is endpoint with auth, counting
// the requests the server gets; opts.ReadFile is the real file reader.
func probeWithAuth(t *testing.T, auth *Auth, tls *TLS, opts Options) (int64, error) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		fakeHandler(nil)(w, r)
	}))
	t.Cleanup(srv.Close)
	p := planFor(srv.URL)
	p.Source.Auth, p.Source.TLS = auth, tls
	_, err := Probe(context.Background(), p, opts)
	return n.Load(), err
}

// TestCredentialFiles: a credential file is a regular file of at most
// 64 KiB holding one line. A FIFO blocked the probe forever, /dev/zero ate
// memory until the machine ran out, /proc/self/environ was sent as a
// password; each is now a configuration error before any request.
func TestCredentialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", canaryPassword+"\n")
	cases := []struct {
		file, want string
	}{
		{fifo, "not a regular file (a named pipe)"},
		{"/dev/zero", "not a regular file (a device)"},
		{dir, "not a regular file (a folder)"},
		{write("big", strings.Repeat("x", MaxCredentialFileBytes+1)), "larger than 64.0 KiB"},
		{"/proc/self/environ", "holds a NUL byte"},
		{write("key", "-----BEGIN KEY-----\nabc\n-----END KEY-----\n"), "holds more than one line"},
		{good, ""},
	}
	opts := testOptions()
	for _, c := range cases {
		requests, err := probeWithAuth(t, &Auth{Username: "elastic", PasswordFile: c.file}, nil, opts)
		var ce *ConfigError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.file, err)
		case c.want == "":
		case !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) || requests != 0:
			t.Errorf("%s: err %v (want %q), %d requests", c.file, err, c.want, requests)
		}
	}
	// A CA file is bounded too.
	_, err := probeWithAuth(t, nil, &TLS{CAFile: "/dev/zero"}, opts)
	if err == nil || !strings.Contains(err.Error(), "tls.ca_file /dev/zero: not a regular file (a device)") {
		t.Errorf("ca_file /dev/zero: %v", err)
	}
}

// TestAllowLists: with --allow-endpoint a plan cannot point the probe (and
// its credentials) anywhere else, nor turn off TLS verification; with
// --allow-credential it reads only the variables and files listed. Both are
// checked before any variable, file or request.
func TestAllowLists(t *testing.T) {
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets")
	if err := os.Mkdir(secrets, 0o700); err != nil {
		t.Fatal(err)
	}
	inside := filepath.Join(secrets, "pw")
	outside := filepath.Join(dir, "other")
	link := filepath.Join(secrets, "link")
	for _, f := range []string{inside, outside} {
		if err := os.WriteFile(f, []byte(canaryPassword), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	env := func(k string) string { read[k] = true; return canaryPassword }

	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); fakeHandler(nil)(w, r) }))
	defer srv.Close()
	cases := []struct {
		name      string
		endpoints []string
		creds     []string
		auth      *Auth
		tls       *TLS
		want      string // "" = allowed
	}{
		{"endpoint not listed", []string{"https://es.example.com:9200"}, nil, nil, nil, "is not one the probe may contact (--allow-endpoint: https://es.example.com:9200)"},
		{"other port", []string{strings.Replace(srv.URL, "127.0.0.1:", "127.0.0.1:1", 1)}, nil, nil, nil, "is not one the probe may contact"},
		{"other path", []string{srv.URL + "/es"}, nil, nil, nil, "is not one the probe may contact"},
		{"listed", []string{"https://es.example.com", srv.URL + "/"}, nil, nil, nil, ""},
		{"no verification", []string{srv.URL}, nil, nil, &TLS{InsecureSkipVerify: true}, "tls.insecure_skip_verify is refused while --allow-endpoint is set"},
		{"variable not listed", nil, []string{"ES_PASSWORD"}, &Auth{Username: "elastic", PasswordEnv: "AWS_SECRET_ACCESS_KEY"}, nil, "environment variable AWS_SECRET_ACCESS_KEY is not one the plan may send"},
		{"variable listed", nil, []string{"ES_PASSWORD"}, &Auth{Username: "elastic", PasswordEnv: "ES_PASSWORD"}, nil, ""},
		{"file not listed", nil, []string{secrets + "/"}, &Auth{Username: "elastic", PasswordFile: outside}, nil, "file " + outside + " is not one the plan may read"},
		{"link out of the folder", nil, []string{secrets}, &Auth{Username: "elastic", PasswordFile: link}, nil, "is not one the plan may read"},
		{"file in the folder", nil, []string{secrets}, &Auth{Username: "elastic", PasswordFile: inside}, nil, ""},
		{"variable name is not a path", nil, []string{"pw"}, &Auth{Username: "elastic", PasswordFile: "pw"}, nil, "is not one the plan may read"},
		{"ca file not listed", nil, []string{"ES_PASSWORD"}, nil, &TLS{CAFile: outside}, "file " + outside + " is not one the plan may read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clear(read)
			n.Store(0)
			p := planFor(srv.URL)
			p.Source.Auth, p.Source.TLS = c.auth, c.tls
			opts := testOptions()
			opts.Getenv, opts.AllowedEndpoints, opts.AllowedCredentials = env, c.endpoints, c.creds
			_, err := Probe(context.Background(), p, opts)
			if c.want == "" {
				if err != nil || n.Load() == 0 {
					t.Fatalf("err %v, %d requests", err, n.Load())
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
			if n.Load() != 0 || len(read) != 0 {
				t.Errorf("refused, yet %d requests were sent and %v read", n.Load(), read)
			}
		})
	}
	// Clusters given by URL: their credential variables are espreflight's
	// own, not a plan's, and need no listing.
	opts := testOptions()
	opts.Getenv, opts.AllowedCredentials, opts.AllowedEndpoints = func(k string) string {
		if k == "ESPREFLIGHT_SOURCE_PASSWORD" || k == "ESPREFLIGHT_SOURCE_USER" {
			return canaryPassword
		}
		return ""
	}, []string{"NOTHING"}, []string{srv.URL}
	if _, err := ProbeURLs(context.Background(), srv.URL, "", opts); err != nil {
		t.Errorf("ProbeURLs: %v", err)
	}
}
