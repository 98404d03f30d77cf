package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/policies"
)

func policiesCommand() *cli.Command {
	return &cli.Command{
		Name:  "policies",
		Usage: "list, show and test the rules",
		Subcommands: []*cli.Command{
			{
				Name:        "list",
				Usage:       "list every rule: id, severity, title",
				UsageText:   "espreflight policies list [--format text|json] [-o FILE] [--policy DIR]...",
				Description: "Examples:\n   espreflight policies list\n   espreflight policies list --format json | jq '.[].id'",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "text or json"},
					outputFlag("write the list to `FILE` instead of standard output"),
					policyFlag(),
				},
				Action: func(c *cli.Context) error {
					e, err := policies.New(c.Context, policies.Options{PolicyDirs: c.StringSlice("policy")})
					if err != nil {
						return &exitError{code: exitUsage, err: err}
					}
					format := c.String("format")
					if !contains(textOrJSON, format) {
						return usageErr("--format %q: use text or json", format)
					}
					return writeOutput(outputPath(c), c.App.Writer, func(w io.Writer) error { return listRules(w, e.Rules(), format) })
				},
			},
			{
				Name:        "show",
				Usage:       "show a rule: description, remediation, source and an example",
				UsageText:   "espreflight policies show [--policy DIR]... ID",
				Description: "Example:\n   espreflight policies show VER-003",
				Flags:       []cli.Flag{policyFlag()},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usageErr("policies show takes one rule id, e.g. 'espreflight policies show ARCH-001'")
					}
					e, err := policies.New(c.Context, policies.Options{PolicyDirs: c.StringSlice("policy")})
					if err != nil {
						return &exitError{code: exitUsage, err: err}
					}
					id := strings.ToUpper(c.Args().First())
					r, ok := e.Rule(id)
					if !ok {
						return usageErr("no rule %q (see 'espreflight policies list')", id)
					}
					showRule(c.App.Writer, r)
					return nil
				},
			},
			{
				Name:        "test",
				Usage:       "run the Rego tests of the built-in rules and of --policy folders (like opa test)",
				UsageText:   "espreflight policies test [--policy DIR]... [--run REGEX] [--verbose|--quiet]",
				Description: "Runs every test_* rule of the *_test.rego files with the same sandbox as 'check'.\nExits 1 when a test fails.\n\nExample:\n   espreflight policies test --policy ./team-policies",
				Flags: []cli.Flag{
					policyFlag(),
					&cli.StringFlag{Name: "run", Usage: "only tests whose name matches `REGEX`"},
					&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every test"},
					quietFlag("print nothing when every test passes"),
				},
				Action: runPolicyTests,
			},
		},
	}
}

func listRules(w io.Writer, rules []policies.Rule, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rules)
	case "text":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE")
		for _, r := range rules {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Title)
		}
		return tw.Flush()
	}
	return fmt.Errorf("internal: policies list --format %q", format)
}

func showRule(w io.Writer, r policies.Rule) {
	fmt.Fprintf(w, "%s  %s  (%s)\n\n", r.ID, r.Title, r.Severity)
	fmt.Fprintf(w, "%s\n\n", strings.TrimSpace(r.Description))
	fmt.Fprintf(w, "What to do:\n%s\n\n", indent(r.Remediation))
	if r.HelpURI != "" {
		fmt.Fprintf(w, "Source: %s\n", r.HelpURI)
	}
	fmt.Fprintf(w, "Defined in: %s:%d (package %s)\n", r.File, r.Line, r.Package)
	if r.Example != "" {
		fmt.Fprintf(w, "\nExample (a plan that makes it fire):\n%s\n", indent(r.Example))
	}
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "   " + l
	}
	return strings.Join(lines, "\n")
}

func runPolicyTests(c *cli.Context) error {
	rep, err := policies.Test(c.Context, policies.Options{PolicyDirs: c.StringSlice("policy")}, c.String("run"))
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	w := c.App.Writer
	for _, r := range rep.Results {
		status := "PASS"
		switch {
		case r.Error != nil:
			status = "ERROR"
		case r.Fail:
			status = "FAIL"
		case r.Skip:
			status = "SKIP"
		}
		if status != "PASS" || c.Bool("verbose") {
			fmt.Fprintf(w, "%-5s %s.%s (%s)\n", status, r.Package, r.Name, r.Location)
			if r.Error != nil {
				fmt.Fprintf(w, "      %v\n", r.Error)
			}
			if len(r.Output) > 0 {
				fmt.Fprintf(w, "%s", indent(string(r.Output)))
				fmt.Fprintln(w)
			}
		}
	}
	if rep.Failed() > 0 || !c.Bool("quiet") {
		fmt.Fprintf(w, "%d passed, %d failed (Rego coverage %.1f%%)\n", rep.Passed(), rep.Failed(), rep.Coverage.Coverage)
	}
	if rep.Failed() > 0 {
		return exitWith(exitFindings)
	}
	return nil
}
