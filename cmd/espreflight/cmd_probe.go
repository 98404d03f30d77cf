package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/probe"
)

const probeHelp = `Probes the clusters the plan names (or two URLs given with --source and
--destination) and writes the facts document that 'espreflight check --facts'
evaluates. Nothing is evaluated here.

Credentials come from the plan's auth section (environment variables or
files), never from the command line or the URL.

Exit codes: 0 every cluster with an endpoint answered; 2 usage, plan or
configuration error (e.g. a missing credential variable); 3 a cluster could
not be reached (the facts file is still written and says what is unknown).

Without a plan, credentials come from the environment, never from flags:
ESPREFLIGHT_SOURCE_USER + ESPREFLIGHT_SOURCE_PASSWORD, or ESPREFLIGHT_SOURCE_API_KEY
(and the same with DESTINATION).

Examples:
   espreflight probe --plan migration.yaml -o facts.json
   espreflight probe --source http://10.0.0.5:9200 --destination https://es-cn-x.elasticsearch.aliyuncs.com:9200 -o facts.json`

// probeCommand is `espreflight probe`.
func probeCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "plan", Aliases: []string{"p"}, Usage: "migration plan `FILE` (YAML)"},
		&cli.StringFlag{Name: "source", Usage: "probe the source at `URL` (without a plan)"},
		&cli.StringFlag{Name: "destination", Usage: "probe the destination at `URL` (without a plan)"},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the facts to `FILE` (atomically) instead of standard output"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress on standard error"},
		nowFlag,
	}
	flags = append(flags, urlTLSFlags()...)
	return &cli.Command{
		Name:        "probe",
		Usage:       "probe the clusters a plan names and write the facts document (no rules are evaluated)",
		UsageText:   "espreflight probe (--plan FILE | --source URL [--destination URL]) [-o FILE] [--timeout D] [--deadline D] [--max-response-size SIZE] [--quiet|--progress]",
		Description: probeHelp,
		Flags:       append(flags, probeFlags()...),
		Action:      runProbe,
	}
}

func runProbe(c *cli.Context) error {
	if c.NArg() > 0 {
		return usageErr("probe takes no arguments (got %q); put flags before any value, e.g. --plan FILE", c.Args().First())
	}
	planPath, src, dst := c.String("plan"), c.String("source"), c.String("destination")
	switch {
	case planPath != "" && (src != "" || dst != ""):
		return usageErr("give either --plan FILE or --source/--destination URLs, not both")
	case planPath == "" && src == "" && dst == "":
		return usageErr("give --plan FILE, or --source URL and --destination URL; see 'espreflight probe --help'")
	}
	stderr := c.App.ErrWriter
	var facts *probe.Facts
	if planPath != "" {
		if urlTLS(c) != nil {
			return usageErr("--ca-file and --insecure-skip-verify apply to --source/--destination URLs; a plan sets tls: {ca_file, insecure_skip_verify} per cluster")
		}
		plan, err := probe.LoadPlan(planPath)
		if err != nil {
			return err
		}
		if facts, err = collectFacts(c, plan, stderr); err != nil {
			return err
		}
	} else {
		now, err := nowFrom(c)
		if err != nil {
			return err
		}
		opts, err := probeOptions(c, stderr, now)
		if err != nil {
			return err
		}
		opts.URLTLS = urlTLS(c)
		f, err := probe.ProbeURLs(c.Context, src, dst, opts)
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
	if out := c.String("output"); out != "" {
		if err := writeFileAtomic(out, write); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
	} else if err := write(c.App.Writer); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if unreachable := facts.Unreachable(); len(unreachable) > 0 {
		return &exitError{code: exitUnreachable, err: fmt.Errorf("could not reach the %s (see \"unknown\" in the facts)", strings.Join(unreachable, " and the "))}
	}
	return nil
}
