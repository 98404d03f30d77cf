package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/advise"
	"github.com/espreflight/espreflight/docs/schema"
	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
)

func planCommand() *cli.Command {
	return &cli.Command{
		Name:  "plan",
		Usage: "validate a plan, print its JSON Schema, or write a starter plan",
		Subcommands: []*cli.Command{
			{
				Name:        "validate",
				Usage:       "check a plan file for errors (file:line:column) without contacting any cluster",
				UsageText:   "espreflight plan validate [--quiet] [--policy DIR]... --plan FILE",
				Description: "Exits 0 when the plan is valid, 2 with one line per problem otherwise. Waivers must name a\nrule of the catalogue that applies to the plan's method: give the --policy folders whose\nrules the plan waives.\n\nExamples:\n   espreflight plan validate --plan migration.yaml\n   espreflight plan validate --policy ./team-policies --plan migration.yaml\n   generate-plan | espreflight plan validate --plan -",
				Flags: []cli.Flag{
					planFlag("migration plan `FILE`"),
					policyFlag(),
					quietFlag("print nothing when the plan is valid"),
				},
				Action: func(c *cli.Context) error {
					path := c.String("plan")
					if path == "" && c.NArg() == 1 {
						path = c.Args().First()
					}
					if path == "" {
						return usageErr("give the plan: espreflight plan validate --plan FILE")
					}
					in, err := newInputs(c, path, "")
					if err != nil {
						return err
					}
					p, err := in.loadPlan()
					if err != nil {
						return err
					}
					engine, err := policies.New(c.Context, policies.Options{PolicyDirs: c.StringSlice("policy")})
					if err != nil {
						return &exitError{code: exitUsage, err: err}
					}
					if err := engine.CheckPlan(p); err != nil {
						return err
					}
					if !c.Bool("quiet") {
						fmt.Fprintf(c.App.Writer, "%s: valid plan %q (method %s, mode %s, %d index pattern(s))\n", p.File, p.Name, p.Method, p.Mode, len(p.Indices))
					}
					return nil
				},
			},
			{
				Name:      "schema",
				Usage:     "print the JSON Schema of the plan file (for editors and other tools)",
				UsageText: "espreflight plan schema [-o FILE]",
				Description: "Prints docs/schema/" + schema.PlanFile + ", the schema editors use to check and complete a plan.\n" +
					"'plan init' starts each plan with the line that points an editor (VS Code with the\n" +
					"YAML extension, any yaml-language-server client) at it:\n   # yaml-language-server: $schema=" + schema.URL(schema.PlanFile),
				Flags: []cli.Flag{outputFlag("write the schema to `FILE` instead of standard output")},
				Action: func(c *cli.Context) error {
					return writeOutput(outputPath(c), c.App.Writer, func(w io.Writer) error {
						_, err := w.Write(schema.Plan)
						return err
					})
				},
			},
			planInitCommand(),
		},
	}
}

func planInitCommand() *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "write a starter plan for a migration method, with every key the rules read",
		UsageText: "espreflight plan init [--method METHOD | --from-advice ADVICE.json] [-o FILE]",
		Description: "Example:\n   espreflight plan init --method snapshot -o migration.yaml\n   espreflight plan validate --plan migration.yaml\n\n" +
			"From the JSON output of 'espreflight advise', for the recommended method and the advised clusters:\n" +
			"   espreflight advise --facts facts.json --plan draft.yaml --format json -o advice.json\n" +
			"   espreflight plan init --from-advice advice.json -o migration.yaml",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "method", Aliases: []string{"m"}, Value: "snapshot", Usage: "one of " + strings.Join(probe.Methods, ", ")},
			&cli.StringFlag{Name: "from-advice", Usage: "write the plan of the method recommended in this `FILE` (the JSON output of 'espreflight advise')"},
			outputFlag("write the plan to `FILE` (default: standard output); an existing file is not overwritten"),
			quietFlag("no note on standard error about the file written"),
		},
		Action: func(c *cli.Context) error {
			o, err := planInitOptionsFrom(c)
			if err != nil {
				return err
			}
			return runPlanInit(o, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// planInitOptions are the flags of `espreflight plan init`, checked.
type planInitOptions struct {
	method     string // the starter plan's method, "" with fromAdvice
	fromAdvice string // the advice JSON file, "" for a starter plan
	output     string // "" for standard output
	quiet      bool
}

func planInitOptionsFrom(c *cli.Context) (*planInitOptions, error) {
	o := &planInitOptions{fromAdvice: c.String("from-advice"), output: outputPath(c), quiet: c.Bool("quiet")}
	if o.fromAdvice != "" {
		if c.IsSet("method") {
			return nil, usageErr("--from-advice writes the recommended method; drop --method")
		}
		return o, nil
	}
	o.method = c.String("method")
	if !contains(probe.Methods, o.method) {
		return nil, usageErr("%s %q: use one of %s", flagRef(c, "method"), o.method, strings.Join(probe.Methods, ", "))
	}
	return o, nil
}

// runPlanInit writes the starter plan of a method, or of the method an
// advice recommends, to the output; an existing file is not overwritten.
func runPlanInit(o *planInitOptions, stdout, stderr io.Writer) error {
	var text []byte
	if o.fromAdvice != "" {
		data, err := os.ReadFile(o.fromAdvice)
		if err != nil {
			return usageErr("--from-advice: %v", err)
		}
		adv, err := advise.Read(data)
		if err != nil {
			return usageErr("--from-advice %s: %v", o.fromAdvice, err)
		}
		if text, err = advise.StarterPlan(adv, nil); err != nil {
			return &exitError{code: exitFindings, err: fmt.Errorf("--from-advice %s: %v", o.fromAdvice, err)}
		}
	} else {
		text = probe.WritePlan(probe.StarterPlan(o.method), probe.WriteOptions{Comments: true, Optional: true})
	}
	if o.output == "" {
		_, err := stdout.Write(text)
		return err
	}
	if _, err := os.Stat(o.output); err == nil {
		return usageErr("%s exists; choose another file or remove it", o.output)
	}
	if err := writeFileAtomic(o.output, func(w io.Writer) error { _, err := w.Write(text); return err }); err != nil {
		return err
	}
	if !o.quiet {
		fmt.Fprintf(stderr, "wrote %s; fill in the clusters, then: espreflight check --plan %s\n", o.output, o.output)
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
