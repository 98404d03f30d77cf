package main

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/probe"
)

// envPrefix starts the environment variable of every flag: --fail-on is
// also ESPREFLIGHT_FAIL_ON. A flag on the command line wins over it.
const envPrefix = "ESPREFLIGHT_"

// flagEnv is the environment variable that sets the flag called name.
func flagEnv(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// withFlagEnv gives every flag of the commands (and of their subcommands)
// its ESPREFLIGHT_<FLAG> variable, so that no flag is written with one by
// hand and none is missed. --help shows it after the usage.
func withFlagEnv(cmds []*cli.Command) {
	for _, c := range cmds {
		for _, f := range c.Flags {
			// Every flag type of urfave/cli v2 has an EnvVars []string field.
			v := reflect.ValueOf(f).Elem().FieldByName("EnvVars")
			v.Set(reflect.ValueOf([]string{flagEnv(f.Names()[0])}))
		}
		withFlagEnv(c.Subcommands)
	}
}

// reservedEnv are the ESPREFLIGHT_ variables that are not flags: the
// credentials of clusters given by URL. No flag may be called so.
func reservedEnv() []string {
	var out []string
	for _, role := range []string{probe.RoleSource, probe.RoleDestination} {
		user, password, apiKey := probe.URLAuthEnv(role)
		out = append(out, user, password, apiKey)
	}
	return out
}

// Accepted values of the flags that take one of a list: validation, help
// and shell completion read them here.
var (
	failOnLevels = []string{"error", "warning", "never"}
	// factsMismatchModes are what --facts-mismatch does when the facts were
	// collected from other clusters than the plan names.
	factsMismatchModes = []string{"error", "warn"}
	textOrJSON         = []string{"text", "json"}
)

// quietFlag is --quiet/-q; what it silences depends on the command.
func quietFlag(usage string) cli.Flag {
	return &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: usage}
}

// outputFlag is -o/--output of the commands that write one document.
func outputFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: usage}
}

// planFlag is --plan/-p; "-" reads the plan from standard input.
func planFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "plan", Aliases: []string{"p"}, Usage: usage + "; - reads it from standard input"}
}

// factsFlag is --facts; "-" reads the facts from standard input.
func factsFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "facts", Usage: usage + "; - reads it from standard input"}
}

// stdinName is what a plan or facts document read from standard input is
// called in errors and reports (SARIF's artifact URI, "plan line" notes).
const stdinName = "stdin"

// inputs opens the --plan and --facts of a command: a file, or standard
// input for "-" (for one of them only).
type inputs struct {
	stdin       io.Reader
	plan, facts string
	// read is the facts file being read by prefetchFacts, nil when not.
	read chan loadedFacts
}

type loadedFacts struct {
	f   *probe.Facts
	err error
}

// prefetchFacts starts reading the --facts file, so that it loads while
// the caller does what must come first (compiling the policies, at 10 000
// indices a quarter of a check); loadFacts then takes the result. Standard
// input is read when it is asked for, as before.
func (in *inputs) prefetchFacts() {
	if in.facts == "" || in.facts == "-" || in.read != nil {
		return
	}
	in.read = make(chan loadedFacts, 1)
	go func() {
		f, err := probe.LoadFacts(in.facts)
		in.read <- loadedFacts{f, err}
	}()
}

func newInputs(c *cli.Context, plan, facts string) (*inputs, error) {
	in := &inputs{stdin: c.App.Reader, plan: plan, facts: facts}
	if plan == "-" && facts == "-" {
		return nil, usageErr("--plan - and --facts - both read standard input; give one of them as a file")
	}
	return in, nil
}

// loadPlan reads the --plan file (standard input for "-").
func (in *inputs) loadPlan() (*probe.Plan, error) {
	if in.plan == "-" {
		return probe.ReadPlan(stdinName, in.stdin)
	}
	return probe.LoadPlan(in.plan)
}

// loadFacts reads the --facts file (standard input for "-").
func (in *inputs) loadFacts() (*probe.Facts, error) {
	if in.read != nil {
		r := <-in.read
		in.read = nil
		return r.f, r.err
	}
	if in.facts == "-" {
		f, err := probe.ReadFacts(in.stdin)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", stdinName, err)
		}
		return f, nil
	}
	return probe.LoadFacts(in.facts)
}

// factsName is how messages call the --facts document.
func (in *inputs) factsName() string {
	if in.facts == "-" {
		return stdinName
	}
	return in.facts
}

// outputPath is the -o of a command: "" (and "-") for standard output.
func outputPath(c *cli.Context) string {
	if p := c.String("output"); p != "-" {
		return p
	}
	return ""
}

// writeOutput writes one document to the -o file (atomically), or to stdout
// when path is "".
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" {
		return write(stdout)
	}
	return writeFileAtomic(path, write)
}

// helpCommand is `espreflight help [COMMAND [SUBCOMMAND]]`: the --help of
// that command. urfave/cli's own help command shows the parent's help for a
// subcommand ("help plan init" printed plan's).
func helpCommand() *cli.Command {
	return &cli.Command{
		Name:      "help",
		Aliases:   []string{"h"},
		Usage:     "show the help of a command: espreflight help plan init",
		UsageText: "espreflight help [COMMAND [SUBCOMMAND]]",
		Action: func(c *cli.Context) error {
			args := c.Args().Slice()
			if len(args) == 0 {
				return cli.ShowAppHelp(c)
			}
			cmds := c.App.Commands
			for i, a := range args {
				var found *cli.Command
				var names []string
				for _, cmd := range cmds {
					if cmd.HasName(a) && cmd.Name != "help" {
						found = cmd
					}
					names = append(names, cmd.Name)
				}
				switch {
				case found == nil && len(names) == 0:
					return usageErr("%q has no subcommands: espreflight help %s", strings.Join(args[:i], " "), strings.Join(args[:i], " "))
				case found == nil:
					return usageErr("no command %q; the commands are: %s", strings.Join(args[:i+1], " "), strings.Join(names, ", "))
				}
				cmds = found.Subcommands
			}
			return c.App.RunContext(c.Context, append(append([]string{c.App.Name}, args...), "--help"))
		},
	}
}

// flagRef names a flag in an error about its value: "--fail-on", or
// "ESPREFLIGHT_FAIL_ON" when the value came from the environment, so that a
// bad value in a CI variable is found where it is.
func flagRef(c *cli.Context, name string) string {
	if _, ok := os.LookupEnv(flagEnv(name)); ok && !onCommandLine(c, name) {
		return flagEnv(name)
	}
	return "--" + name
}

// onCommandLine reports whether the flag called name is on the command line
// (in any of its spellings).
func onCommandLine(c *cli.Context, name string) bool {
	names := []string{name}
	for _, f := range c.Command.Flags {
		if f.Names()[0] == name {
			names = f.Names()
		}
	}
	args, _ := c.App.Metadata[argsKey].([]string)
	for _, a := range args {
		if a == "--" {
			break
		}
		a, _, _ = strings.Cut(strings.TrimLeft(a, "-"), "=")
		if contains(names, a) {
			return true
		}
	}
	return false
}
