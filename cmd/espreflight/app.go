package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/report"
)

// Exit codes (README.md and docs/ci.md, "Exit codes"). The output format
// never changes them.
const (
	exitOK          = 0 // no finding at or above --fail-on
	exitFindings    = 1 // findings at or above --fail-on
	exitUsage       = 2 // usage, plan or policy error
	exitUnreachable = 3 // a cluster could not be probed well enough to decide
)

// exitError carries an exit code through urfave/cli without os.Exit.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// exitWith ends a command with a code and no message.
func exitWith(code int) error { return &exitError{code: code} }

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "espreflight",
		Usage:   "check an Elasticsearch migration plan against the real clusters before moving a byte",
		Version: toolVersion(),
		Description: `espreflight reads a migration plan (YAML), probes the source and destination
clusters it names (or reads saved facts), evaluates the rules of every migration
method (OSS snapshot, Logstash, reindex, elasticsearch-dump, snapshot + reindex
through an intermediate version) and reports what would fail, with evidence.

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it,
2 usage, plan or policy error, 3 a cluster could not be probed.

Every flag can also be set in the environment: ESPREFLIGHT_ and the flag's
name in capitals with _ for - (ESPREFLIGHT_FAIL_ON=never for --fail-on never);
--help names each one. A flag on the command line wins. --plan - and
--facts - read standard input; -o - writes to standard output.

Start with:
   espreflight plan init --method snapshot -o migration.yaml
   espreflight check --plan migration.yaml
   espreflight help check

Shell completion: espreflight completion bash|zsh|fish|powershell --help`,
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true, // helpCommand instead: it knows subcommands
		// urfave/cli adds --help only when it adds its help command.
		Flags:                  []cli.Flag{cli.HelpFlag},
		Suggest:                true,
		UseShortOptionHandling: false,
		ExitErrHandler:         func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, isSub bool) error {
			return usageErr("%v (see --help)", err)
		},
		Commands: []*cli.Command{
			checkCommand(),
			probeCommand(),
			adviseCommand(),
			policiesCommand(),
			planCommand(),
			versionCommand(),
			completionCommand(),
			helpCommand(),
		},
	}
	withFlagEnv(app.Commands)
	return app
}

// run is main without os.Exit: it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	app.Metadata = map[string]any{argsKey: args}
	err := app.RunContext(ctx, args)
	if err == nil {
		return exitOK
	}
	// Errors quote plans and clusters: their hidden characters are
	// spelled out, not sent to the terminal.
	stderr = report.VisibleWriter{W: stderr}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "espreflight: %s\n", ee.err)
		}
		return ee.code
	}
	var pe probe.PlanErrors
	if errors.As(err, &pe) {
		for _, e := range pe {
			fmt.Fprintln(stderr, e.Error())
		}
		return exitUsage
	}
	fmt.Fprintf(stderr, "espreflight: %s\n", err)
	return exitUsage
}

// argsKey is where run keeps the command line in the app's Metadata, for
// commandArgs.
const argsKey = "args"

// commandArgs returns the arguments after the named command on the command
// line, for a command whose flags did not parse (urfave/cli keeps none).
func commandArgs(c *cli.Context, name string) []string {
	args, _ := c.App.Metadata[argsKey].([]string)
	for i, a := range args {
		if i > 0 && a == name {
			return args[i+1:]
		}
	}
	return nil
}

// policyFlag is --policy, the user rule folders and bundles of every
// command that loads the rules (check, advise, policies list|show|test).
func policyFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "policy", Usage: "also load the Rego rules in `DIR`, or in an OPA bundle (the .tar.gz of opa build; docs/opa.md); packages under espreflight.custom; repeatable"}
}

// nowFlag lets a run be evaluated as of a fixed date (waiver expiry,
// reproducible reports). A new flag per command: urfave/cli keeps the value
// it read from the environment in the flag.
func nowFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "now",
		Usage: "evaluate as of this date or time (`TIME`: YYYY-MM-DD or RFC 3339) instead of the current time; waivers expire relative to it",
	}
}

func nowFrom(c *cli.Context) (time.Time, error) {
	s := c.String("now")
	if s == "" {
		return time.Now().UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, usageErr("%s %q: want YYYY-MM-DD or RFC 3339", flagRef(c, "now"), s)
}

// splitIDs splits repeated and comma-separated rule ids.
func splitIDs(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				out = append(out, strings.ToUpper(id))
			}
		}
	}
	return out
}

// parseAge reads an age such as 36h, 7d or 2w (a Go duration, or a whole
// number of days or weeks).
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			if v, err := strconv.Atoi(n); err == nil && v >= 0 {
				return time.Duration(v) * unit, nil
			}
			return 0, fmt.Errorf("%q is not an age; write e.g. 36h, 7d or 2w", s)
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not an age; write e.g. 36h, 7d or 2w", s)
	}
	return d, nil
}

// ageWords says an age in the largest whole unit: "9 days", "36 hours".
func ageWords(d time.Duration) string {
	unit := func(n time.Duration, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	switch {
	case d >= 48*time.Hour:
		return unit(d/(24*time.Hour), "day", "days")
	case d >= 2*time.Hour:
		return unit(d/time.Hour, "hour", "hours")
	}
	return unit(d/time.Minute, "minute", "minutes")
}
