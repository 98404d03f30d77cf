package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/report"
)

// output is one --format of check: a format and where it goes.
type output struct {
	format string
	path   string // "" = the default destination (-o, else standard output)
}

// formatsHelp lists the report formats, one a line, for check --help.
func formatsHelp() string {
	var b strings.Builder
	for _, f := range report.FormatTable() {
		name := f.Name
		if len(f.Aliases) > 0 {
			name += " (" + strings.Join(f.Aliases, ", ") + ")"
		}
		fmt.Fprintf(&b, "   %-14s %s\n", name, f.Description)
	}
	return b.String()
}

// parseFormats reads the --format values. On an unknown format it still
// returns the outputs it could read, so that they get a failed-run report.
func parseFormats(vals []string) ([]output, error) {
	if len(vals) == 0 {
		vals = []string{report.FormatText}
	}
	var outs []output
	var bad []string
	for _, v := range vals {
		name, path, _ := strings.Cut(v, "=")
		f, ok := report.LookupFormat(name)
		if !ok {
			bad = append(bad, fmt.Sprintf("%q", v))
			continue
		}
		outs = append(outs, output{format: f.Name, path: path})
	}
	if len(bad) > 0 {
		return outs, usageErr("--format %s: unknown format; use one of %s", strings.Join(bad, ", "), strings.Join(report.Formats(), ", "))
	}
	return outs, nil
}

// writeOutputs writes each output to its file, and the outputs without a
// path to the file -o names or else to stdout (nil: --quiet, nothing).
func writeOutputs(outs []output, outFile string, stdout io.Writer, res *policies.Result, opts report.Options) error {
	var toDefault []output
	for _, o := range outs {
		if o.path == "" {
			toDefault = append(toDefault, o)
			continue
		}
		if err := writeFileAtomic(o.path, func(w io.Writer) error { return report.Render(w, o.format, res, opts) }); err != nil {
			return err
		}
	}
	if len(toDefault) == 0 {
		return nil
	}
	render := func(w io.Writer) error {
		for _, o := range toDefault {
			if err := report.Render(w, o.format, res, opts); err != nil {
				return err
			}
		}
		return nil
	}
	if outFile != "" {
		return writeFileAtomic(outFile, render)
	}
	if stdout == nil {
		return nil
	}
	return render(stdout)
}

// failedRun is a run of check that evaluated nothing (exit 2): a bad flag,
// plan, facts file or policy, or a report that could not be written.
type failedRun struct {
	outputs []output
	output  string // -o
	res     *policies.Result
	facts   *probe.Facts
}

// write gives every output a failed-run report that says why, so that a CI
// step reading a report after the gate (an upload, a test summary) never
// reads a stale file from an earlier run or finds none. Standard output gets
// the reports of every format but text, whose failed-run report is the
// error on standard error. A report that cannot be written is removed, and
// the error says so on stderr. It returns err, the run's error.
func (r *failedRun) write(stdout, stderr io.Writer, err error) error {
	opts := report.Options{Facts: r.facts, ExitCode: exitUsage, Errors: runErrors(err)}
	var toStdout []output
	for _, o := range r.outputs {
		path := o.path
		if path == "" {
			path = r.output
		}
		if path == "" {
			if o.format != report.FormatText {
				toStdout = append(toStdout, o)
			}
			continue
		}
		werr := writeFileAtomic(path, func(w io.Writer) error { return report.Render(w, o.format, r.res, opts) })
		if werr == nil {
			continue
		}
		if rerr := removeReport(path); rerr == nil || errors.Is(rerr, os.ErrNotExist) {
			fmt.Fprintf(stderr, "espreflight: no %s report: %v\n", o.format, werr)
		} else {
			fmt.Fprintf(stderr, "espreflight: %v; the %s left there is from an earlier run (%v)\n", werr, path, rerr)
		}
	}
	for _, o := range toStdout {
		if rerr := report.Render(stdout, o.format, r.res, opts); rerr != nil {
			fmt.Fprintf(stderr, "espreflight: %v\n", rerr)
		}
	}
	return err
}

// runErrors turns the error of a failed run into the reports' errors: one
// per plan error, with its file and line.
func runErrors(err error) []report.RunError {
	var pe probe.PlanErrors
	if errors.As(err, &pe) {
		out := make([]report.RunError, 0, len(pe))
		for _, e := range pe {
			out = append(out, report.RunError{Message: e.Error(), File: e.File, Line: e.Line, Column: e.Column})
		}
		return out
	}
	var one *probe.PlanError
	if errors.As(err, &one) {
		return []report.RunError{{Message: one.Error(), File: one.File, Line: one.Line, Column: one.Column}}
	}
	return []report.RunError{{Message: err.Error()}}
}

// rescueFlags finds the values of the flags that take one in the arguments
// of a command whose flags could not be parsed (urfave/cli then parses
// none), so that a bad flag still gets its failed-run reports: flag long
// name → values in order. A flag not on the command line takes its
// ESPREFLIGHT_<FLAG> variable, as when the flags parse.
func rescueFlags(flags []cli.Flag, args []string) map[string][]string {
	long := map[string]string{} // every name → the long name, for flags that take a value
	for _, f := range flags {
		df, ok := f.(cli.DocGenerationFlag)
		if !ok || !df.TakesValue() {
			continue
		}
		for _, n := range f.Names() {
			long[n] = f.Names()[0]
		}
	}
	vals := map[string][]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if long[name] == "" {
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				break
			}
			i++
			val = args[i]
		}
		vals[long[name]] = append(vals[long[name]], val)
	}
	for _, name := range long {
		if _, ok := vals[name]; !ok {
			if v, ok := os.LookupEnv(flagEnv(name)); ok && v != "" {
				vals[name] = strings.Split(v, ",")
			}
		}
	}
	return vals
}

// removeReport removes a report that could not be written, so that no
// stale one stays; a device, pipe or socket (-o /dev/null) is left alone.
func removeReport(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return nil
	}
	return os.Remove(path)
}
