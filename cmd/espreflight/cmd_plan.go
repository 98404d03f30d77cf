package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/advise"
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
				UsageText:   "espreflight plan validate --plan FILE",
				Description: "Exits 0 when the plan is valid, 2 with one line per problem otherwise.\n\nExample:\n   espreflight plan validate --plan migration.yaml",
				Flags:       []cli.Flag{&cli.StringFlag{Name: "plan", Aliases: []string{"p"}, Usage: "migration plan `FILE`"}},
				Action: func(c *cli.Context) error {
					path := c.String("plan")
					if path == "" && c.NArg() == 1 {
						path = c.Args().First()
					}
					if path == "" {
						return usageErr("give the plan: espreflight plan validate --plan FILE")
					}
					p, err := probe.LoadPlan(path)
					if err != nil {
						return err
					}
					fmt.Fprintf(c.App.Writer, "%s: valid plan %q (method %s, mode %s, %d index pattern(s))\n", path, p.Name, p.Method, p.Mode, len(p.Indices))
					return nil
				},
			},
			{
				Name:        "schema",
				Usage:       "print the JSON Schema of the plan file (for editors and other tools)",
				UsageText:   "espreflight plan schema > plan.schema.json",
				Description: "Example (VS Code, YAML extension): add\n   # yaml-language-server: $schema=plan.schema.json\nat the top of the plan.",
				Action: func(c *cli.Context) error {
					enc := json.NewEncoder(c.App.Writer)
					enc.SetIndent("", "  ")
					return enc.Encode(probe.PlanSchema())
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
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the plan to `FILE` (default: standard output); an existing file is not overwritten"},
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
}

func planInitOptionsFrom(c *cli.Context) (*planInitOptions, error) {
	o := &planInitOptions{fromAdvice: c.String("from-advice"), output: c.String("output")}
	if o.fromAdvice != "" {
		if c.IsSet("method") {
			return nil, usageErr("--from-advice writes the recommended method; drop --method")
		}
		return o, nil
	}
	o.method = c.String("method")
	if !contains(probe.Methods, o.method) {
		return nil, usageErr("--method %q: use one of %s", o.method, strings.Join(probe.Methods, ", "))
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
	fmt.Fprintf(stderr, "wrote %s; fill in the clusters, then: espreflight check --plan %s\n", o.output, o.output)
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
