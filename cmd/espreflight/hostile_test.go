package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/espreflight/espreflight/policies"
)

// hostilePlan writes a plan whose source is endpoint and whose destination
// is declared.
func hostilePlan(t *testing.T, endpoint string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.yaml")
	plan := "version: 1\nmethod: snapshot\nindices: [\"*\"]\nsource: {kind: self-managed, endpoint: \"" + endpoint + "\"}\ndestination: {kind: alibaba, version: \"7.10\"}\n"
	if err := os.WriteFile(path, []byte(plan), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAnsweredButUndecidable: a cluster that answers every request with an
// error after the headers (401, 503, a login page) gives facts that decide
// nothing; probe exited 0 and check 1 (rules could not verify). Both now
// exit 3 and say why, and the facts are still written. So does a cluster
// that answers GET / and nothing else.
func TestAnsweredButUndecidable(t *testing.T) {
	cases := map[string]struct {
		handler http.HandlerFunc
		why     string
	}{
		"401": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":{"type":"security_exception","reason":"missing authentication credentials"},"status":401}`)
		}, "HTTP 401 (authentication failed: check the credentials): security_exception"},
		"503": {func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":"busy"}`, http.StatusServiceUnavailable)
		}, "HTTP 503 Service Unavailable"},
		"only GET /": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path == "/" {
				fmt.Fprint(w, `{"cluster_name":"c","version":{"number":"7.17.0"},"tagline":"You Know, for Search"}`)
				return
			}
			w.WriteHeader(403)
			fmt.Fprint(w, `{"error":{"type":"security_exception","reason":"no permissions"},"status":403}`)
		}, "HTTP 403 (forbidden"},
		"login page": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>sign in</html>")
		}, `HTTP 200 with content type "text/html", not JSON`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			plan := hostilePlan(t, srv.URL)
			out := filepath.Join(t.TempDir(), "facts.json")
			code, _, stderr := espreflight(t, "probe", "--plan", plan, "-o", out, "--timeout", "5s", "--deadline", "20s")
			if code != exitUnreachable || !strings.Contains(stderr, "the source answered, but nothing about it could be collected") || !strings.Contains(stderr, c.why) {
				t.Errorf("probe: exit %d, stderr:\n%s", code, stderr)
			}
			if _, err := os.Stat(out); err != nil {
				t.Errorf("probe wrote no facts: %v", err)
			}
			code, _, stderr = espreflight(t, "check", "--plan", plan, "--timeout", "5s", "--deadline", "20s")
			if code != exitUnreachable || !strings.Contains(stderr, "the source answered, but nothing about it could be collected") {
				t.Errorf("check: exit %d, stderr:\n%s", code, stderr)
			}
		})
	}
}

// TestZeroTimeoutRefused: --timeout 0 and --deadline 0 silently meant the
// defaults; they are usage errors, from the command line or the environment.
func TestZeroTimeoutRefused(t *testing.T) {
	plan := hostilePlan(t, "http://127.0.0.1:9")
	for _, args := range [][]string{
		{"probe", "--plan", plan, "--timeout", "0"},
		{"probe", "--plan", plan, "--deadline", "0s"},
		{"check", "--plan", plan, "--timeout", "-1s"},
	} {
		code, _, stderr := espreflight(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "must be more than 0") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	t.Setenv("ESPREFLIGHT_DEADLINE", "0")
	if code, _, stderr := espreflight(t, "probe", "--plan", plan); code != exitUsage || !strings.Contains(stderr, "--deadline 0s: must be more than 0") {
		t.Errorf("ESPREFLIGHT_DEADLINE=0: exit %d, stderr %q", code, stderr)
	}
}

// TestStderrSpellsOutHiddenCharacters: progress lines and errors quote what
// a cluster said; an escape sequence in an error reason reached the terminal
// raw.
func TestStderrSpellsOutHiddenCharacters(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/" {
			fmt.Fprint(w, `{"cluster_name":"c","version":{"number":"7.17.0"},"tagline":"You Know, for Search"}`)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":{"type":"security_exception","reason":"no \u001b[2J\u001b]0;pwned\u0007 \u202eright"},"status":403}`)
	}))
	defer srv.Close()
	_, _, stderr := espreflight(t, "probe", "--plan", hostilePlan(t, srv.URL), "-o", filepath.Join(t.TempDir(), "f.json"), "--progress")
	if strings.ContainsAny(stderr, "\x1b\x07\u202e") || !strings.Contains(stderr, `no \u001b[2J\u001b]0;pwned\u0007 \u202eright`) {
		t.Errorf("stderr:\n%q", stderr)
	}
}

// TestAllowEndpointFromCI: the allow-list comes from the command line or
// the CI's environment, never from the plan; a plan pointing elsewhere is a
// usage error (exit 2) and nothing is contacted.
func TestAllowEndpointFromCI(t *testing.T) {
	hits := 0
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer evil.Close()
	plan := hostilePlan(t, evil.URL)
	code, _, stderr := espreflight(t, "check", "--plan", plan, "--allow-endpoint", "https://es.example.com:9200")
	if code != exitUsage || !strings.Contains(stderr, "is not one the probe may contact (--allow-endpoint: https://es.example.com:9200)") {
		t.Errorf("flag: exit %d, stderr %q", code, stderr)
	}
	t.Setenv("ESPREFLIGHT_ALLOW_ENDPOINT", "https://a.example.com,https://b.example.com:9243")
	t.Setenv("ESPREFLIGHT_ALLOW_CREDENTIAL", "ES_PASSWORD")
	code, _, stderr = espreflight(t, "probe", "--plan", plan)
	if code != exitUsage || !strings.Contains(stderr, "https://a.example.com, https://b.example.com:9243") {
		t.Errorf("environment: exit %d, stderr %q", code, stderr)
	}
	if hits != 0 {
		t.Errorf("%d requests reached the plan's endpoint", hits)
	}
	if code, _, stderr := espreflight(t, "probe", "--plan", plan, "--allow-endpoint", "es.example.com"); code != exitUsage || !strings.Contains(stderr, "write a URL") {
		t.Errorf("bad URL: exit %d, stderr %q", code, stderr)
	}
}

// slowPolicy writes a user policy whose rule never finishes in time:
// numbers.range(1, 1e9) builds a billion numbers.
func slowPolicy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	rule := `package espreflight.custom.slow

import data.espreflight.lib

# METADATA
# title: Counts to a billion
# custom:
#   id: SLOW-001
#   severity: error
deny contains f if {
	count(numbers.range(1, 1e9)) > 0
	f := lib.finding(rego.metadata.rule(), "never", {})
}
`
	if err := os.WriteFile(filepath.Join(dir, "slow.rego"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestEvalTimeout: a user policy with numbers.range(1, 1e9) ran until the
// job was killed. --eval-timeout stops it: exit 2, and the message names
// the policy's package and file and the flag; so does advise.
func TestEvalTimeout(t *testing.T) {
	dir := slowPolicy(t)
	code, _, stderr := espreflight(t, "check", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", testdata("examples", "alibaba-pair.facts.json"),
		"--now", "2026-11-26", "--policy", dir, "--eval-timeout", "1s")
	want := "evaluating user policy package espreflight.custom.slow (" + filepath.Join(dir, "slow.rego") + ") timed out after 1s (--eval-timeout)"
	if code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("check: exit %d, stderr %q; want %q", code, stderr, want)
	}
	t.Setenv("ESPREFLIGHT_EVAL_TIMEOUT", "1s")
	code, _, stderr = espreflight(t, adviseArgs("same-version-small", "--policy", dir)...)
	if code != exitUsage || !strings.Contains(stderr, "timed out after 1s (--eval-timeout)") || !strings.Contains(stderr, "espreflight.custom.slow") {
		t.Errorf("advise: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := espreflight(t, "check", "--plan", "x.yaml", "--eval-timeout", "0"); code != exitUsage || !strings.Contains(stderr, "must be more than 0") {
		t.Errorf("--eval-timeout 0: exit %d, stderr %q", code, stderr)
	}
}

// TestEvalMemoryLimit: the same policy under a memory limit a little above
// what the process holds now is stopped by the memory guard before the
// timeout, with its own message.
func TestEvalMemoryLimit(t *testing.T) {
	sample := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(sample)
	limit := int64(sample[0].Value.Uint64()) + 256<<20
	code, _, stderr := espreflight(t, "check", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", testdata("examples", "alibaba-pair.facts.json"),
		"--now", "2026-11-26", "--policy", slowPolicy(t), "--eval-timeout", "5m", "--eval-memory", strconv.FormatInt(limit, 10))
	if code != exitUsage || !strings.Contains(stderr, "evaluating user policy package espreflight.custom.slow") || !strings.Contains(stderr, "stopped at the memory limit") ||
		!strings.Contains(stderr, "(--eval-memory)") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestEvalStopCauses: a timeout, the memory guard and a signal each say
// what stopped the evaluation; an evaluation error that is none of them is
// passed on as it is.
func TestEvalStopCauses(t *testing.T) {
	stopped := func(ctx context.Context) error {
		<-ctx.Done()
		return &policies.EvalError{Policy: "package espreflight.custom.x (x.rego)", Err: ctx.Err()}
	}
	l := evalLimits{timeout: 50 * time.Millisecond}
	err := l.run(context.Background(), stopped)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage || err.Error() != "evaluating user policy package espreflight.custom.x (x.rego) timed out after 50ms (--eval-timeout)" {
		t.Errorf("timeout: %v", err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(interrupted{os.Interrupt})
	err = evalLimits{timeout: time.Minute}.run(ctx, stopped)
	if errors.As(err, &ee) || err.Error() != "evaluating user policy package espreflight.custom.x (x.rego): cancelled by SIGINT" {
		t.Errorf("signal: %v", err)
	}
	err = evalLimits{timeout: time.Minute, memory: 1}.run(context.Background(), func(ctx context.Context) error {
		<-ctx.Done()
		return &policies.EvalError{Err: ctx.Err()}
	})
	if !strings.HasPrefix(err.Error(), "evaluating the built-in rules stopped at the memory limit: the heap grew past ") {
		t.Errorf("memory: %v", err)
	}
	plain := errors.New("evaluate user policy x: division by zero")
	if err := (evalLimits{timeout: time.Minute}).run(context.Background(), func(context.Context) error { return plain }); err != plain {
		t.Errorf("plain error: %v", err)
	}
}
