package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/espreflight/espreflight/policies"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const goldenDir = "../testdata/golden"

// sarifOutDir is where tests write every SARIF they render, for
// validate-sarif: $ESPREFLIGHT_SARIF_OUT, or "" (only the golden files, which
// live in testdata/golden, are then on disk).
func sarifOutDir() string { return os.Getenv("ESPREFLIGHT_SARIF_OUT") }

// keepSARIF writes a rendered SARIF to $ESPREFLIGHT_SARIF_OUT when set.
func keepSARIF(t *testing.T, name string, data []byte) {
	t.Helper()
	dir := sarifOutDir()
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func render(t *testing.T, format string, res *policies.Result, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, format, res, opts); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name    string
		res     func() *policies.Result
		opts    Options
		formats []string
	}{
		{"report", fixtureResult, Options{Facts: fixtureFacts(), ExitCode: 1}, Formats()},
		{"report-nofacts", fixtureResult, Options{ExitCode: 1, MaxNames: 2}, []string{FormatText, FormatMarkdown}},
		{"custom", customResult, Options{ExitCode: 1}, []string{FormatSARIF, FormatText}},
		{"large", func() *policies.Result { return largeResult(30000) }, Options{ExitCode: 1, SARIFMaxResults: 50}, []string{FormatSARIF, FormatText, FormatJUnit, FormatMarkdown}},
		{"passed", passedResult, Options{ExitCode: 0}, []string{FormatText, FormatMarkdown, FormatJUnit, FormatSARIF}},
		{"failed", failedResult, failedOptions(), Formats()},
		{"unreachable", fixtureResult, unreachableOptions(), Formats()},
	}
	for _, c := range cases {
		for _, format := range c.formats {
			f, _ := LookupFormat(format)
			name := c.name + "." + f.Ext
			t.Run(name, func(t *testing.T) {
				got := render(t, format, c.res(), c.opts)
				if format == FormatSARIF {
					keepSARIF(t, name, got)
				}
				path := filepath.Join(goldenDir, name)
				if *update {
					if err := os.MkdirAll(goldenDir, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run `go test ./report -update` to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the golden file; run `go test ./report -update` and review the diff\n--- got (first 2000 bytes)\n%s", path, truncate(string(got), 2000))
				}
			})
		}
	}
}

// passedResult has no findings at all.
func passedResult() *policies.Result {
	rules := fixtureRules()
	return &policies.Result{ToolVersion: "v0.4.0", PlanFile: "plans/ok plan.yaml", PlanName: "all good", EvaluatedAt: evalTime,
		Rules: rules, Method: fixtureMethod, Summary: summarize(rules, nil)}
}

// failedResult is what the CLI renders for a run that evaluated nothing: the
// plan file, the tool version and the time, no rules.
func failedResult() *policies.Result {
	return &policies.Result{ToolVersion: "v0.4.0", PlanFile: planFile, EvaluatedAt: evalTime}
}

// failedOptions are those of a run whose plan did not load (exit 2): two
// plan errors, one with backticks and markup that no format may interpret.
func failedOptions() Options {
	return Options{ExitCode: 2, Errors: []RunError{
		{Message: planFile + ":6:1: snapshots: unknown key (did you mean \"snapshot\"?)", File: planFile, Line: 6, Column: 1},
		{Message: planFile + ":9: source.endpoint: ```http://<host>:9200``` is not a URL, 100% sure", File: planFile, Line: 9},
	}}
}

// unreachableOptions are those of a run that could not reach the
// destination (exit 3).
func unreachableOptions() Options {
	return Options{Facts: fixtureFacts(), ExitCode: 3, Errors: []RunError{{Message: "could not reach the destination; rules that need the facts of a cluster it cannot reach report that they could not verify"}}}
}
