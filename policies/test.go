package policies

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestReport is the outcome of running the Rego tests.
type TestReport struct {
	Results []*tester.Result
	// Coverage is OPA's coverage report of the non-test modules.
	Coverage cover.Report
}

// Failed counts failed or erroring tests.
func (r *TestReport) Failed() int {
	n := 0
	for _, t := range r.Results {
		if t.Fail || t.Error != nil {
			n++
		}
	}
	return n
}

// Passed counts passing tests.
func (r *TestReport) Passed() int {
	n := 0
	for _, t := range r.Results {
		if t.Pass() {
			n++
		}
	}
	return n
}

// Test runs the Rego tests (*_test.rego) of the built-in policies and of the
// user policy folders with the engine's sandboxed capabilities, like `opa
// test --coverage`. filter is a regular expression on test names ("" for all).
func Test(ctx context.Context, opts Options, filter string) (*TestReport, error) {
	opts.WithTests = true
	mods, err := LoadModules(opts)
	if err != nil {
		return nil, err
	}
	cov := cover.New()
	comp := ast.NewCompiler().WithCapabilities(Capabilities()).WithEnablePrintStatements(true)
	runner := tester.NewRunner().
		SetCompiler(comp).
		SetStore(inmem.New()).
		CapturePrintOutput(true).
		SetCoverageQueryTracer(cov).
		SetTimeout(30 * time.Second).
		SetModules(mods).
		Filter(filter)
	// With no transaction each test evaluation opens its own on the empty
	// in-memory store (only bundles would need one).
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("run rego tests: %w", err)
	}
	rep := &TestReport{}
	for r := range ch {
		rep.Results = append(rep.Results, r)
	}
	sort.Slice(rep.Results, func(i, j int) bool {
		a, b := rep.Results[i], rep.Results[j]
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		return a.Name < b.Name
	})
	nonTest := map[string]*ast.Module{}
	for k, m := range mods {
		if !strings.HasSuffix(k, "_test.rego") {
			nonTest[k] = m
		}
	}
	rep.Coverage = cov.Report(nonTest)
	return rep, nil
}
