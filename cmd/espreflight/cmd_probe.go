package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/probe"
)

const probeHelp = `Probes the clusters the plan names (or two URLs given with --source and
--destination) and writes the facts document that 'espreflight check --facts'
evaluates. Nothing is evaluated here.

Credentials come from the plan's auth section (environment variables or
files), never from the command line or the URL.

Exit codes: 0 every cluster with an endpoint answered with facts; 2 usage,
plan or configuration error (e.g. a missing credential variable); 3 a cluster
could not be reached, or answered every request with an error (401, 5xx, a
login page) so that nothing about it is known (the facts file is still
written and says what is unknown).

Without a plan, credentials come from the environment, never from flags:
ESPREFLIGHT_SOURCE_USER + ESPREFLIGHT_SOURCE_PASSWORD, or ESPREFLIGHT_SOURCE_API_KEY
(and the same with DESTINATION).

Examples:
   espreflight probe --plan migration.yaml -o facts.json
   espreflight probe --source http://10.0.0.5:9200 --destination https://es-cn-x.elasticsearch.aliyuncs.com:9200 -o facts.json`

// probeCommand is `espreflight probe`.
func probeCommand() *cli.Command {
	flags := []cli.Flag{
		planFlag("migration plan `FILE` (YAML)"),
		&cli.StringFlag{Name: "source", Aliases: []string{"s"}, Usage: "probe the source at `URL` (without a plan)"},
		&cli.StringFlag{Name: "destination", Aliases: []string{"d"}, Usage: "probe the destination at `URL` (without a plan)"},
		outputFlag("write the facts to `FILE` (atomically) instead of standard output"),
		quietFlag("no progress on standard error"),
		nowFlag(),
	}
	flags = append(flags, urlTLSFlags()...)
	return &cli.Command{
		Name:        "probe",
		Usage:       "probe the clusters a plan names and write the facts document (no rules are evaluated)",
		UsageText:   "espreflight probe (--plan FILE | --source URL [--destination URL]) [-o FILE] [--timeout D] [--deadline D] [--max-response-size SIZE] [--quiet|--progress]",
		Description: probeHelp,
		Flags:       append(flags, probeFlags()...),
		Action: func(c *cli.Context) error {
			o, err := probeOptionsFrom(c)
			if err != nil {
				return err
			}
			return runProbe(c.Context, o, c.App.Writer)
		},
	}
}

// probeCmdOptions are the flags of `espreflight probe`, checked.
type probeCmdOptions struct {
	planPath string // "" when probing URLs
	in       *inputs
	src, dst string
	output   string // "" for standard output
	probe    probe.Options
}

func probeOptionsFrom(c *cli.Context) (*probeCmdOptions, error) {
	if c.NArg() > 0 {
		return nil, usageErr("probe takes no arguments (got %q); put flags before any value, e.g. --plan FILE", c.Args().First())
	}
	o := &probeCmdOptions{planPath: c.String("plan"), src: c.String("source"), dst: c.String("destination"), output: outputPath(c)}
	switch {
	case o.planPath != "" && (o.src != "" || o.dst != ""):
		return nil, usageErr("give either --plan FILE or --source/--destination URLs, not both")
	case o.planPath == "" && o.src == "" && o.dst == "":
		return nil, usageErr("give --plan FILE, or --source URL and --destination URL; see 'espreflight probe --help'")
	case o.planPath != "" && urlTLS(c) != nil:
		return nil, usageErr("--ca-file and --insecure-skip-verify apply to --source/--destination URLs; a plan sets tls: {ca_file, insecure_skip_verify} per cluster")
	}
	var err error
	if o.in, err = newInputs(c, o.planPath, ""); err != nil {
		return nil, err
	}
	if err := refuseInputs([]input{{"-o", o.output}}, []input{{"--plan", o.planPath}}); err != nil {
		return nil, err
	}
	now, err := nowFrom(c)
	if err != nil {
		return nil, err
	}
	if o.probe, err = probeOptions(c, c.App.ErrWriter, now); err != nil {
		return nil, err
	}
	o.probe.URLTLS = urlTLS(c)
	return o, nil
}

// runProbe probes the plan's clusters (or the URLs) and writes the facts.
func runProbe(ctx context.Context, o *probeCmdOptions, stdout io.Writer) error {
	var facts *probe.Facts
	if o.planPath != "" {
		plan, err := o.in.loadPlan()
		if err != nil {
			return err
		}
		if facts, err = collectFacts(ctx, plan, o.probe); err != nil {
			return err
		}
	} else {
		f, err := probe.ProbeURLs(ctx, o.src, o.dst, o.probe)
		if err != nil {
			return probeErr(err)
		}
		facts = f
	}
	write := func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(facts)
	}
	if o.output != "" {
		if err := writeFileAtomic(o.output, write); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
	} else if err := write(stdout); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if bad := facts.Undecidable(); len(bad) > 0 {
		return &exitError{code: exitUnreachable, err: fmt.Errorf("%s (see \"unknown\" in the facts)", undecidableMessage(bad))}
	}
	return nil
}
