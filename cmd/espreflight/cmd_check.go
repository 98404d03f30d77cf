package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/report"
)

var checkHelp = `Probes the clusters the plan names (or reads a facts file saved by
'espreflight probe'), evaluates every rule and reports the findings.

--format takes a format, or FORMAT=PATH to write that format to a file; repeat
it to write several formats in one run. A format without a path goes to -o
(default: standard output). Formats:
` + formatsHelp() + `
Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it;
2 usage, plan or policy error; 3 a cluster could not be probed.

Examples:
   # offline, from saved facts
   espreflight check --plan testdata/examples/arch-conflict.yaml --facts testdata/examples/alibaba-pair.facts.json

   # CI gate: text on the console, SARIF for code scanning, Markdown for the review
   espreflight check --plan migration.yaml --format text --format sarif=espreflight.sarif --format markdown=report.md

   # fail on warnings too, and skip a rule
   espreflight check --plan migration.yaml --fail-on warning --skip SYS-001

   # keep the exact policy input, to reproduce the findings with the OPA CLI (docs/opa.md)
   espreflight check --plan migration.yaml --dump-input input.json
   opa eval -d policies -i input.json 'data.espreflight.rules'`

func checkCommand() *cli.Command {
	flags := []cli.Flag{
		planFlag("migration plan `FILE` (YAML)"),
		factsFlag("evaluate this facts `FILE` (from 'espreflight probe -o') instead of probing; with --plan, the plan file replaces the plan inside it"),
		&cli.StringSliceFlag{Name: "format", Aliases: []string{"f"}, Usage: "output `FORMAT[=PATH]`: " + strings.Join(report.Formats(), ", ") + " (repeatable)"},
		outputFlag("write formats given without a path to `FILE` instead of standard output"),
		&cli.StringFlag{Name: "fail-on", Value: "error", Usage: "exit 1 when a finding of this severity or worse remains: " + strings.Join(failOnLevels, ", ")},
		policyFlag(),
		&cli.StringSliceFlag{Name: "only", Usage: "evaluate only these rule `IDS` (comma-separated or repeated)"},
		&cli.StringSliceFlag{Name: "skip", Usage: "do not report these rule `IDS`"},
		quietFlag("print nothing on standard output when the exit code is 0, and no progress (files are still written)"),
		&cli.BoolFlag{Name: "no-color", Usage: "no colour in text output (also: NO_COLOR in the environment)"},
		&cli.IntFlag{Name: "max-names", Value: 10, Usage: "index names listed per finding in text and markdown (-1: all)"},
		&cli.StringFlag{Name: "dump-input", Usage: "also write the exact input the rules evaluate (facts, selection, evaluation time) to `FILE`, to reproduce the findings with `opa eval -d policies -i FILE 'data.espreflight.rules'` (docs/opa.md)"},
		&cli.StringFlag{Name: "facts-mismatch", Value: "error", Usage: "when --facts were collected from other clusters than --plan names: " + strings.Join(factsMismatchModes, " (exit 2) or ")},
		&cli.StringFlag{Name: "max-facts-age", Value: "7d", Usage: "warn when the facts are older than `AGE` (e.g. 36h, 7d, 2w) at the evaluation time (--now)"},
		nowFlag(),
	}
	return &cli.Command{
		Name:        "check",
		Usage:       "evaluate a migration plan against the clusters and report what would fail",
		UsageText:   "espreflight check --plan FILE [--facts FILE] [--format FORMAT[=PATH]]... [-o FILE] [--fail-on error|warning|never] [--policy DIR]...",
		Description: checkHelp,
		Flags:       append(append(flags, evalFlags()...), probeFlags()...),
		Action: func(c *cli.Context) error {
			o, err := checkOptionsFrom(c)
			if err != nil {
				return o.failed(nil).write(c.App.Writer, c.App.ErrWriter, err)
			}
			return runCheck(c.Context, o, c.App.Writer, c.App.ErrWriter)
		},
		// A flag that does not parse still gets its failed-run reports.
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			vals := rescueFlags(c.Command.Flags, commandArgs(c, "check"))
			last := func(name string) string {
				if v := vals[name]; len(v) > 0 {
					return v[len(v)-1]
				}
				return ""
			}
			o := &checkOptions{planPath: last("plan"), factsPath: last("facts"), output: last("output"),
				policies: policies.Options{PolicyDirs: vals["policy"]}}
			if o.output == "-" {
				o.output = ""
			}
			o.outputs, _ = parseFormats(vals["format"])
			o.outputs, o.output, _ = o.safeOutputs()
			return o.failed(nil).write(c.App.Writer, c.App.ErrWriter, usageErr("%v (see 'espreflight check --help')", err))
		},
	}
}

// checkOptions are the flags of `espreflight check`, checked.
type checkOptions struct {
	planPath, factsPath string
	in                  *inputs // opens planPath and factsPath
	outputs             []output
	output              string // -o: where outputs without a path go; "" for standard output
	failOn              string // error | warning | never
	only, skip          []string
	quiet, noColor      bool
	maxNames            int
	dumpInput           string        // --dump-input FILE, or ""
	factsMismatchWarn   bool          // --facts-mismatch=warn
	mismatch            string        // the mismatch --facts-mismatch=warn let through
	maxFactsAge         time.Duration // --max-facts-age
	now                 time.Time
	policies            policies.Options
	eval                evalLimits // --eval-timeout, --eval-memory
	probe               probe.Options
}

func checkOptionsFrom(c *cli.Context) (*checkOptions, error) {
	o := &checkOptions{planPath: c.String("plan"), factsPath: c.String("facts"), output: outputPath(c),
		failOn: c.String("fail-on"), only: splitIDs(c.StringSlice("only")), skip: splitIDs(c.StringSlice("skip")),
		quiet: c.Bool("quiet"), noColor: c.Bool("no-color"), maxNames: c.Int("max-names"), dumpInput: c.String("dump-input"),
		policies: policies.Options{PolicyDirs: c.StringSlice("policy")}}
	var err error
	// The outputs first: every later error gets its failed-run reports.
	o.outputs, err = parseFormats(c.StringSlice("format"))
	// A report never replaces an input, nor shares a file with another format.
	var perr error
	if o.outputs, o.output, perr = o.safeOutputs(); perr != nil {
		return o, perr
	}
	if err := o.checkDumpInput(); err != nil {
		return o, err
	}
	if err != nil {
		return o, err
	}
	if c.NArg() > 0 {
		return o, usageErr("check takes no arguments (got %q); put flags before any value, e.g. --plan FILE", c.Args().First())
	}
	if !contains(failOnLevels, o.failOn) {
		return o, usageErr("%s %q: use one of %s", flagRef(c, "fail-on"), o.failOn, strings.Join(failOnLevels, ", "))
	}
	if m := c.String("facts-mismatch"); !contains(factsMismatchModes, m) {
		return o, usageErr("%s %q: use one of %s", flagRef(c, "facts-mismatch"), m, strings.Join(factsMismatchModes, ", "))
	} else {
		o.factsMismatchWarn = m == "warn"
	}
	if o.maxFactsAge, err = parseAge(c.String("max-facts-age")); err != nil {
		return o, usageErr("%s: %v", flagRef(c, "max-facts-age"), err)
	}
	if o.now, err = nowFrom(c); err != nil {
		return o, err
	}
	if o.eval, err = evalLimitsFrom(c); err != nil {
		return o, err
	}
	if o.in, err = newInputs(c, o.planPath, o.factsPath); err != nil {
		return o, err
	}
	if o.planPath == "" && o.factsPath == "" {
		return o, usageErr("give --plan FILE (and optionally --facts FILE); see 'espreflight check --help'")
	}
	if o.probe, err = probeOptions(c, c.App.ErrWriter, o.now); err != nil {
		return o, err
	}
	return o, nil
}

// checkDumpInput refuses a --dump-input file that would replace an input,
// land in a --policy folder or share a file with a report.
func (o *checkOptions) checkDumpInput() error {
	p := o.dumpInput
	if p == "" {
		return nil
	}
	if in := overwrites(p, []input{{"--plan", o.planPath}, {"--facts", o.factsPath}}); in != "" {
		return usageErr("--dump-input %s would overwrite the input %s; choose another file", p, in)
	}
	for _, d := range o.policies.PolicyDirs {
		if inside(p, d) {
			return usageErr("--dump-input %s would write into the --policy %s; choose another file", p, d)
		}
	}
	for _, out := range o.outputs {
		if path := cmp.Or(out.path, o.output); path != "" && sameFile(p, path) {
			return usageErr("--dump-input %s is also where the %s report goes; choose another file", p, out.format)
		}
	}
	return nil
}

// runCheck evaluates the rules over the facts and writes every output. A
// run that fails before its reports are written (exit 2) writes failed-run
// reports instead.
func runCheck(ctx context.Context, o *checkOptions, stdout, stderr io.Writer) error {
	defer limitMemory(o.factsPath)()
	o.in.prefetchFacts()
	// The rule catalogue first: rule ids on the command line and in the
	// plan's waivers are checked before anything is probed.
	engine, err := policies.New(ctx, o.policies)
	if err != nil {
		return o.failed(nil).write(stdout, stderr, &exitError{code: exitUsage, err: err})
	}
	if err := engine.CheckRuleIDs(o.only, o.skip); err != nil {
		return o.failed(nil).write(stdout, stderr, usageErr("%v", err))
	}
	facts, err := o.loadFacts(ctx, engine)
	if err != nil {
		return o.failed(nil).write(stdout, stderr, err)
	}
	fail := func(err error) error {
		return o.failed(facts).write(stdout, stderr, &exitError{code: exitUsage, err: err})
	}
	if err := probe.CheckSelection(facts); err != nil {
		// Nothing to migrate: a plan error, not a pass.
		return o.failed(facts).write(stdout, stderr, err)
	}
	if o.dumpInput != "" {
		if err := writeFileAtomic(o.dumpInput, func(w io.Writer) error { return engine.WriteInput(w, facts, o.now) }); err != nil {
			return fail(fmt.Errorf("--dump-input: %w", err))
		}
	}
	var res *policies.Result
	err = o.eval.run(ctx, func(ctx context.Context) (err error) {
		res, err = engine.Evaluate(ctx, facts, o.now)
		return err
	})
	// The policy input, as large as the facts, is garbage now: collect it
	// before the reports are rendered, so that they reuse its memory rather
	// than grow the heap (peak RSS 380 -> 315 MB at 100 000 indices per
	// cluster, docs/performance.md), at no cost in time.
	runtime.GC()
	if err != nil {
		return fail(err)
	}
	res.ToolVersion = toolVersion()
	if err := res.Filter(o.only, o.skip); err != nil {
		return fail(err)
	}
	res.Notices = append(res.Notices, o.factsNotices(facts, stderr)...)
	code := exitCode(res, o.failOn)
	var runErrs []report.RunError
	if bad := facts.Undecidable(); len(bad) > 0 {
		msg := undecidableMessage(bad) + "; rules that need the facts of such a cluster report that they could not verify"
		if len(bad) == len(facts.Unreachable()) {
			msg = unreachableMessage(facts.Unreachable())
		}
		fmt.Fprintf(stderr, "espreflight: %s\n", msg)
		runErrs = append(runErrs, report.RunError{Message: msg})
		code = exitUnreachable
	}
	color := !o.noColor && os.Getenv("NO_COLOR") == "" && isTerminal(stdout) && o.output == ""
	ropts := report.Options{Facts: facts, Color: color, MaxNames: o.maxNames, ExitCode: code, FailOn: o.failOn, Errors: runErrs}
	var def io.Writer = stdout
	if code == exitOK && o.quiet {
		def = nil
	}
	if err := writeOutputs(o.outputs, o.output, def, res, ropts); err != nil {
		// No report may say the run passed when it did not finish.
		return fail(err)
	}
	if code != exitOK {
		return exitWith(code)
	}
	return nil
}

// failed is the failed run of these options, over the facts when they
// loaded (nil when not).
func (o *checkOptions) failed(facts *probe.Facts) *failedRun {
	res := &policies.Result{ToolVersion: toolVersion(), PlanFile: o.planPath, EvaluatedAt: o.now}
	if facts != nil && facts.Plan != nil {
		res.PlanName = facts.Plan.Name
		if facts.Plan.File != "" {
			res.PlanFile = facts.Plan.File
		}
	}
	return &failedRun{outputs: o.outputs, output: o.output, res: res, facts: facts}
}

// loadFacts returns the facts to evaluate: a facts file (with the plan file
// replacing its plan) or the plan's clusters, probed.
func (o *checkOptions) loadFacts(ctx context.Context, engine *policies.Engine) (*probe.Facts, error) {
	var plan *probe.Plan
	if o.planPath != "" {
		p, err := o.in.loadPlan()
		if err != nil {
			return nil, err
		}
		if err := engine.CheckPlan(p); err != nil {
			return nil, err
		}
		plan = p
	}
	if o.factsPath == "" {
		return collectFacts(ctx, plan, o.probe)
	}
	f, err := o.in.loadFacts()
	if err != nil {
		return nil, usageErr("%v", err)
	}
	if plan == nil && f.Plan == nil {
		return nil, usageErr("%s holds no plan; give the plan with --plan FILE", o.in.factsName())
	}
	if plan == nil {
		if err := engine.CheckPlan(f.Plan); err != nil {
			return nil, err
		}
	}
	if plan != nil {
		if mm := probe.FactsMismatch(plan, f); len(mm) > 0 {
			msg := fmt.Sprintf("%s were collected from other clusters than %s names: %s", o.in.factsName(), plan.File, strings.Join(mm, "; "))
			if !o.factsMismatchWarn {
				return nil, usageErr("%s; probe the plan's clusters again, or pass --facts-mismatch=warn to evaluate these facts anyway", msg)
			}
			o.mismatch = msg + " (--facts-mismatch=warn)"
		}
		f.ApplyPlan(plan)
	}
	return f, nil
}

// factsNotices are the report notices (also said on stderr) about the
// facts: collected from other clusters (--facts-mismatch=warn), older than
// --max-facts-age, or dated after the evaluation time.
func (o *checkOptions) factsNotices(f *probe.Facts, stderr io.Writer) []string {
	var out []string
	if o.mismatch != "" {
		out = append(out, o.mismatch)
	}
	if age := o.now.Sub(f.CollectedAt); o.factsPath != "" && !f.CollectedAt.IsZero() {
		switch {
		case age > o.maxFactsAge:
			out = append(out, fmt.Sprintf("the facts were collected on %s, %s before this evaluation: older than --max-facts-age %s, so the clusters may have changed since; probe them again",
				f.CollectedAt.UTC().Format("2006-01-02 15:04 UTC"), ageWords(age), ageWords(o.maxFactsAge)))
		case age < -time.Minute:
			out = append(out, fmt.Sprintf("the facts were collected on %s, %s after the evaluation time (--now %s); the verdict is about a later state of the clusters",
				f.CollectedAt.UTC().Format("2006-01-02 15:04 UTC"), ageWords(-age), o.now.UTC().Format(time.RFC3339)))
		}
	}
	for _, n := range out {
		fmt.Fprintf(stderr, "espreflight: warning: %s\n", n)
	}
	return out
}

// warnUnreachable says on stderr which clusters could not be reached.
func warnUnreachable(w io.Writer, roles []string) {
	fmt.Fprintf(w, "espreflight: %s\n", unreachableMessage(roles))
}

// unreachableMessage says which clusters could not be reached and what that
// means for the verdict.
func unreachableMessage(roles []string) string {
	return fmt.Sprintf("could not reach the %s; rules that need the facts of a cluster it cannot reach report that they could not verify", strings.Join(roles, " and the "))
}

// undecidableMessage says which clusters could not be probed well enough to
// decide (exit 3), and why.
func undecidableMessage(bad []probe.Undecided) string {
	var unreachable, parts []string
	for _, u := range bad {
		if u.Unreachable {
			unreachable = append(unreachable, u.Role)
		}
	}
	if len(unreachable) > 0 {
		parts = append(parts, "could not reach the "+strings.Join(unreachable, " and the "))
	}
	for _, u := range bad {
		if !u.Unreachable {
			parts = append(parts, fmt.Sprintf("the %s answered, but nothing about it could be collected (%s)", u.Role, u.Why))
		}
	}
	return strings.Join(parts, "; ")
}

// exitCode applies --fail-on to the findings (policies.Finding.Fails: a
// finding that could not be verified counts like a failure of its severity,
// so the gate fails closed).
func exitCode(res *policies.Result, failOn string) int {
	for i := range res.Findings {
		if res.Findings[i].Fails(failOn) {
			return exitFindings
		}
	}
	return exitOK
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
