package probe

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// A cluster given by URL takes its credentials from ESPREFLIGHT_<ROLE>_*
// environment variables, and they never appear in the facts.
func TestProbeURLsCredentialsFromEnv(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get("Authorization")] = true
		mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"unauthorized"}`))
	}))
	defer srv.Close()
	env := map[string]string{
		"ESPREFLIGHT_SOURCE_USER":          "probe-user",
		"ESPREFLIGHT_SOURCE_PASSWORD":      "canary-pw-7c1d",
		"ESPREFLIGHT_DESTINATION_API_KEY":  "canary-key-93fa",
		"ESPREFLIGHT_INTERMEDIATE_API_KEY": "unused",
	}
	opts := Options{Getenv: func(k string) string { return env[k] }}
	f, err := ProbeURLs(context.Background(), srv.URL, srv.URL+"/", opts)
	if err != nil {
		t.Fatal(err)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("probe-user:canary-pw-7c1d"))
	apiKey := "ApiKey " + "canary-key-93fa"
	mu.Lock()
	defer mu.Unlock()
	if !seen[basic] {
		t.Errorf("source was not probed with basic auth from the environment; saw %v", authHeaders(seen))
	}
	found := false
	for k := range seen {
		if strings.EqualFold(k, apiKey) || strings.HasSuffix(k, "canary-key-93fa") {
			found = true
		}
	}
	if !found {
		t.Errorf("destination was not probed with the API key from the environment; saw %v", authHeaders(seen))
	}
	data, _ := json.Marshal(f)
	for _, secret := range []string{"canary-pw-7c1d", "canary-key-93fa"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("facts contain %s", secret)
		}
	}
	if f.Plan.Source.AuthKind != "basic" || f.Plan.Destination.AuthKind != "api_key" {
		t.Errorf("auth kinds %q / %q", f.Plan.Source.AuthKind, f.Plan.Destination.AuthKind)
	}
}

func TestURLAuthNone(t *testing.T) {
	if a := URLAuth(RoleSource, func(string) string { return "" }); a != nil {
		t.Errorf("URLAuth without env = %+v", a)
	}
}

func authHeaders(m map[string]bool) []string {
	var out []string
	for k := range m {
		if len(k) > 12 {
			k = k[:12] + "…"
		}
		out = append(out, k)
	}
	return out
}
