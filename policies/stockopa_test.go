package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/probe/synthetic"
)

// stockParserOptions are how the stock OPA CLI (opa eval, opa test, opa
// build) parses a module: Rego v1 with annotations, no future keyword.
var stockParserOptions = ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true}

// validPolicy is the example user policy folder.
const validPolicy = "../testdata/policies/valid"

// TestStockParserAgrees: every built-in module (and the example user
// policy) parses to the same module with the stock OPA CLI's options as with
// the engine's, which add the future keyword `not`: each file imports it, so
// that `opa eval` and `opa test` negate the way espreflight does.
func TestStockParserAgrees(t *testing.T) {
	files := map[string][]byte{}
	err := fs.WalkDir(builtinFS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
			return err
		}
		src, err := builtinFS.ReadFile(path)
		files[path] = src
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	user, _ := filepath.Glob(filepath.Join(validPolicy, "*.rego"))
	for _, p := range user {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = src
	}
	if len(files) < 10 {
		t.Fatalf("only %d modules", len(files))
	}
	for name, src := range files {
		ours, err := ast.ParseModuleWithOpts(name, string(src), ParserOptions())
		if err != nil {
			t.Fatal(err)
		}
		stock, err := ast.ParseModuleWithOpts(name, string(src), stockParserOptions)
		if err != nil {
			t.Errorf("%s: the stock OPA CLI cannot parse it: %v", name, err)
			continue
		}
		if !ours.Equal(stock) {
			t.Errorf("%s parses differently with the stock OPA CLI; add `import future.keywords.not` after its package line", name)
		}
		if !strings.Contains(string(src), "\nimport future.keywords.not\n") {
			t.Errorf("%s: add `import future.keywords.not` after its package line, so that stock OPA tools negate as espreflight does", name)
		}
	}
}

// stockCase is an example run: a plan, its facts ("" = the plan's declared
// facts) and the user policy folders; or, with synthetic > 0, the synthetic
// facts of that many indices per cluster (per-index findings by the
// hundred).
type stockCase struct {
	plan, facts string
	policies    []string
	synthetic   int
}

func (c stockCase) String() string {
	if c.synthetic > 0 {
		return fmt.Sprintf("synthetic-%d", c.synthetic)
	}
	return c.plan + "+" + c.facts + strings.Join(c.policies, "+")
}

func stockCases() []stockCase {
	out := []stockCase{
		{plan: "arch-conflict.yaml", facts: "alibaba-pair.facts.json"},
		{plan: "arch-same.yaml", facts: "alibaba-pair.facts.json"},
		{"arch-conflict.yaml", "alibaba-pair.facts.json", []string{validPolicy}, 0},
		{synthetic: 300},
	}
	for _, c := range exampleCases {
		out = append(out, stockCase{plan: c.plan, facts: c.facts})
	}
	return out
}

// dumpInput evaluates a case with the engine and writes the input it
// evaluated (check --dump-input) to a file.
func dumpInput(t *testing.T, c stockCase) (*Result, string) {
	t.Helper()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	dir := filepath.Join("..", "testdata", "examples")
	var f *probe.Facts
	if c.synthetic > 0 {
		f = synthetic.Facts(c.synthetic, 1)
	} else {
		p, err := probe.LoadPlan(filepath.Join(dir, c.plan))
		if err != nil {
			t.Fatal(err)
		}
		f = probe.FromPlan(p, "test", now)
		if c.facts != "" {
			if f, err = probe.LoadFacts(filepath.Join(dir, c.facts)); err != nil {
				t.Fatal(err)
			}
			f.ApplyPlan(p)
		}
	}
	e, err := New(context.Background(), Options{PolicyDirs: c.policies})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Evaluate(context.Background(), f, now)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.WriteInput(&buf, f, now); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "input.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return res, path
}

// engineFindings are the findings of a result, one canonical line each
// (as stockFindings makes them), sorted.
func engineFindings(t *testing.T, res *Result) []string {
	t.Helper()
	var out []string
	for _, f := range res.Findings {
		ev := make([]any, len(f.Evidence))
		for i, e := range f.Evidence {
			ev[i] = map[string]any{"fact": e.Fact, "value": e.Value}
		}
		out = append(out, canonical(t, f.Rule, f.Severity, f.Cluster, f.Index, f.Message, f.Location.Path, f.Unverified, ev))
	}
	sort.Strings(out)
	return out
}

// stockFindings maps the value of data.espreflight (from opa eval) to
// espreflight's findings the way docs/opa.md describes: every element of a
// deny or warn set under espreflight.rules.* or espreflight.custom.* is a
// finding of severity error (deny) or warning (warn, unless the finding says
// "severity": "error"), and one with "indices" is one finding per index.
func stockFindings(t *testing.T, doc map[string]any) []string {
	t.Helper()
	var out []string
	for _, tree := range []string{"rules", "custom"} {
		pkgs, _ := doc[tree].(map[string]any)
		for name, pkg := range pkgs {
			if strings.HasSuffix(name, "_test") {
				continue
			}
			m, _ := pkg.(map[string]any)
			for kind, sev := range map[string]string{"deny": SeverityError, "warn": SeverityWarning} {
				set, _ := m[kind].([]any)
				for _, item := range set {
					f := item.(map[string]any)
					s := sev
					if f["severity"] == SeverityError {
						s = SeverityError
					}
					str := func(k string) string { v, _ := f[k].(string); return v }
					unverified, _ := f["unverified"].(bool)
					ev, _ := f["evidence"].([]any)
					indices, _ := f["indices"].([]any)
					if len(indices) == 0 {
						indices = []any{str("index")}
					}
					for _, ix := range indices {
						out = append(out, canonical(t, str("rule"), s, str("cluster"), ix.(string), str("msg"), str("location"), unverified, ev))
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func canonical(t *testing.T, rule, sev, cluster, index, msg, loc string, unverified bool, evidence []any) string {
	t.Helper()
	data, err := json.Marshal(map[string]any{"rule": rule, "severity": sev, "cluster": cluster, "index": index, "msg": msg,
		"location": loc, "unverified": unverified, "evidence": evidence})
	if err != nil {
		t.Fatal(err)
	}
	// Numbers as one spelling: decode and encode again.
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	data, _ = json.Marshal(v)
	return string(data)
}

func sameFindings(t *testing.T, what string, want, got []string) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("%s: the findings differ\n--- espreflight (%d)\n%s\n--- %s (%d)\n%s", what, len(want), strings.Join(want, "\n"), what, len(got), strings.Join(got, "\n"))
	}
}

// TestStockOPAPackages: OPA's own loader and evaluator, used as `opa eval
// -d policies -i FILE` uses them (the stock parser options, no sandbox),
// yield from the --dump-input file exactly the engine's findings, on every
// example, also with a user policy.
func TestStockOPAPackages(t *testing.T) {
	for _, c := range stockCases() {
		t.Run(c.String(), func(t *testing.T) {
			res, input := dumpInput(t, c)
			if c.synthetic > 0 && len(res.Findings) < c.synthetic {
				t.Fatalf("synthetic facts: only %d findings", len(res.Findings))
			}
			data, err := os.ReadFile(input)
			if err != nil {
				t.Fatal(err)
			}
			var in any
			if err := json.Unmarshal(data, &in); err != nil {
				t.Fatal(err)
			}
			rs, err := rego.New(rego.Query("data.espreflight"), rego.Load(append([]string{"."}, c.policies...), nil), rego.Input(in)).Eval(context.Background())
			if err != nil || len(rs) != 1 {
				t.Fatalf("%v %v", err, rs)
			}
			doc, _ := rs[0].Expressions[0].Value.(map[string]any)
			got := stockFindings(t, jsonRoundTrip(t, doc))
			if len(res.Findings) == 0 && c.facts != "" && c.plan == "arch-conflict.yaml" {
				t.Fatal("the example must have findings")
			}
			sameFindings(t, "OPA's packages", engineFindings(t, res), got)
		})
	}
}

func jsonRoundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// opaCLI is the path of the OPA CLI `go tool opa` runs (`go tool -n opa`,
// built once): each `go tool opa` call would check the build again, 0.3 s
// a call.
var opaCLI = sync.OnceValues(func() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	out, err := exec.Command(goBin, "tool", "-n", "opa").Output()
	if err != nil {
		return "", fmt.Errorf("go tool -n opa: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
})

// goTool runs the OPA CLI of `go tool opa ARGS` (the version go.mod pins,
// also `make opa`) in the policies folder and returns its standard output.
func goTool(t *testing.T, args ...string) []byte {
	t.Helper()
	bin, err := opaCLI()
	if err != nil {
		t.Fatalf("the go command runs the OPA CLI pinned in go.mod: %v", err)
	}
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go tool opa %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// TestStockOPACLI: the OPA CLI itself, run as docs/opa.md says
// (`opa eval -d policies -i FILE 'data.espreflight.rules'`; with a --policy
// folder, -d it too and query both rules and custom), yields the engine's findings
// from the --dump-input file on every example; and a bundle made with
// `opa build` gives, through --policy, the same findings as its folder.
func TestStockOPACLI(t *testing.T) {
	for _, c := range stockCases() {
		t.Run(c.String(), func(t *testing.T) {
			res, input := dumpInput(t, c)
			args := []string{"eval", "--format", "json", "-d", ".", "-i", input}
			for _, p := range c.policies {
				args = append(args, "-d", p)
			}
			custom := len(c.policies) > 0
			if custom {
				args = append(args, "[data.espreflight.rules, data.espreflight.custom]")
			} else {
				args = append(args, "data.espreflight.rules")
			}
			var out struct {
				Result []struct {
					Expressions []struct {
						Value any `json:"value"`
					} `json:"expressions"`
				} `json:"result"`
			}
			dec := json.NewDecoder(bytes.NewReader(goTool(t, args...)))
			dec.UseNumber()
			if err := dec.Decode(&out); err != nil || len(out.Result) != 1 {
				t.Fatalf("opa eval output: %v %+v", err, out)
			}
			doc := map[string]any{"rules": out.Result[0].Expressions[0].Value}
			if custom {
				both, _ := out.Result[0].Expressions[0].Value.([]any)
				if len(both) != 2 {
					t.Fatalf("opa eval: %v", out.Result[0].Expressions[0].Value)
				}
				doc = map[string]any{"rules": both[0], "custom": both[1]}
			}
			sameFindings(t, "opa eval", engineFindings(t, res), stockFindings(t, jsonRoundTrip(t, doc)))
		})
	}

	t.Run("opa test", func(t *testing.T) {
		// The Rego tests pass with the stock runner too.
		if out := goTool(t, "test", "."); !bytes.Contains(out, []byte("PASS: ")) {
			t.Errorf("opa test: %s", out)
		}
	})

	t.Run("opa build bundle", func(t *testing.T) {
		bundlePath := filepath.Join(t.TempDir(), "team.tar.gz")
		goTool(t, "build", "-o", bundlePath, validPolicy, "lib")
		want, _ := dumpInput(t, stockCase{plan: "arch-conflict.yaml", facts: "alibaba-pair.facts.json", policies: []string{validPolicy}})
		got, _ := dumpInput(t, stockCase{plan: "arch-conflict.yaml", facts: "alibaba-pair.facts.json", policies: []string{bundlePath}})
		w, g := engineFindings(t, want), engineFindings(t, got)
		if !strings.Contains(strings.Join(g, "\n"), `"rule":"TEAM-001"`) {
			t.Errorf("the bundle's TEAM-001 does not fire: %v", g)
		}
		sameFindings(t, fmt.Sprintf("--policy %s", filepath.Base(bundlePath)), w, g)
	})
}
