package policies

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
)

// TestRego runs every built-in Rego test and requires full coverage of the
// rule files, so a rule without a test that reaches it fails the build.
func TestRego(t *testing.T) {
	rep, err := Test(context.Background(), Options{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) == 0 {
		t.Fatal("no Rego tests ran")
	}
	for _, r := range rep.Results {
		switch {
		case r.Error != nil:
			t.Errorf("%s.%s: error: %v", r.Package, r.Name, r.Error)
		case r.Fail:
			t.Errorf("%s.%s: FAIL (%s)", r.Package, r.Name, r.Location)
		}
	}
	var files []string
	for f := range rep.Coverage.Files {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.rego") {
			continue
		}
		fr := rep.Coverage.Files[f]
		t.Logf("coverage %-40s %6.2f%%", f, fr.Coverage)
		if fr.Coverage < 100 {
			var lines []string
			for _, r := range fr.NotCovered {
				lines = append(lines, fmt.Sprintf("%d-%d", r.Start.Row, r.End.Row))
			}
			t.Errorf("%s: Rego coverage %.2f%% < 100%%; lines not covered: %s", f, fr.Coverage, strings.Join(lines, ", "))
		}
	}
	t.Logf("rego: %d passed, %d failed; coverage %.2f%%", rep.Passed(), rep.Failed(), rep.Coverage.Coverage)
}

// TestCatalog checks the METADATA contract of every built-in rule.
func TestCatalog(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Rules()) == 0 {
		t.Fatal("empty catalogue")
	}
	for _, r := range e.Rules() {
		if r.Description == "" || r.Remediation == "" || r.HelpURI == "" || r.Title == "" {
			t.Errorf("%s: METADATA needs title, description, custom.remediation and related_resources (got %+v)", r.ID, r)
		}
		if !strings.HasPrefix(r.HelpURI, "https://") {
			t.Errorf("%s: related_resources ref must be an https URL, got %q", r.ID, r.HelpURI)
		}
	}
}

var fmtRego = flag.Bool("fmt", false, "rewrite Rego files in opa fmt style")

// TestRegoFormatted requires every Rego file to be in `opa fmt` style.
func TestRegoFormatted(t *testing.T) {
	mods, err := LoadModules(Options{WithTests: true})
	if err != nil {
		t.Fatal(err)
	}
	for name := range mods {
		src, err := builtinFS.ReadFile(strings.TrimPrefix(name, "builtin/"))
		if err != nil {
			t.Fatal(err)
		}
		out, err := format.SourceWithOpts(name, src, format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(out) != string(src) {
			if *fmtRego {
				if err := os.WriteFile(strings.TrimPrefix(name, "builtin/"), out, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			t.Errorf("%s is not formatted (run `make fmt`)", name)
		}
	}
}

// TestRegoStrict compiles every built-in module, tests included, the way
// `opa check --strict` does (unused arguments, variables and imports,
// shadowed built-ins and keywords, deprecated built-ins are errors), parsed
// with the engine's own ParserOptions. `make lint` runs it.
func TestRegoStrict(t *testing.T) {
	mods, err := LoadModules(Options{WithTests: true})
	if err != nil {
		t.Fatal(err)
	}
	c := ast.NewCompiler().WithCapabilities(Capabilities()).WithStrict(true).WithEnablePrintStatements(true)
	if c.Compile(mods); c.Failed() {
		for _, e := range c.Errors {
			t.Error(e)
		}
	}
}
