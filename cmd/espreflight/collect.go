package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/report"
)

// probeFlags are the flags of every command that probes clusters.
func probeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.DurationFlag{Name: "timeout", Value: probe.DefaultTimeout, Usage: "give up on one request after `DURATION`"},
		&cli.DurationFlag{Name: "deadline", Value: probe.DefaultDeadline, Usage: "give up on the whole probe after `DURATION`; what was not collected by then is reported unknown"},
		&cli.StringFlag{Name: "max-response-size", Value: "256mb", Usage: "largest response `SIZE` read from a cluster (e.g. 64mb, 1gb); a larger one, or one that decodes to more than twice it in memory, makes that fact unknown"},
		&cli.BoolFlag{Name: "progress", Usage: "print probe progress on standard error even when it is not a terminal"},
		&cli.StringSliceFlag{Name: "allow-endpoint", Usage: "contact only clusters at this `URL` (scheme, host and port; a path limits to the paths below it; repeatable, or comma-separated): for plans you do not trust, see docs/security.md"},
		&cli.StringSliceFlag{Name: "allow-credential", Usage: "let a plan read credentials only from this environment variable `NAME`, or files under this `PATH` (an entry with a /; repeatable, or comma-separated)"},
	}
}

// probeOptions reads the probe flags. Progress goes to stderr when it is a
// terminal (unless --quiet) or when --progress is given; warnings always do.
func probeOptions(c *cli.Context, stderr io.Writer, now time.Time) (probe.Options, error) {
	opts := probe.Options{
		Timeout:     c.Duration("timeout"),
		Deadline:    c.Duration("deadline"),
		ToolVersion: toolVersion(),
		Now:         func() time.Time { return now },
		Warn:        func(msg string) { fmt.Fprintf(stderr, "espreflight: warning: %s\n", report.Visible(msg)) },
	}
	// Zero would mean "the default" to the probe: refused, so that 0 is
	// never taken for "no limit" or "fail at once".
	for _, d := range []struct {
		flag string
		v    time.Duration
		def  time.Duration
	}{{"timeout", opts.Timeout, probe.DefaultTimeout}, {"deadline", opts.Deadline, probe.DefaultDeadline}} {
		if d.v <= 0 {
			return opts, usageErr("--%s %s: must be more than 0 (e.g. %s, the default); there is no setting for no limit", d.flag, d.v, d.def)
		}
	}
	opts.AllowedEndpoints, opts.AllowedCredentials = splitPatterns(c.StringSlice("allow-endpoint")), splitPatterns(c.StringSlice("allow-credential"))
	for _, e := range opts.AllowedEndpoints {
		if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return opts, usageErr("--allow-endpoint %q: write a URL such as https://es.example.com:9200", e)
		}
	}
	if s := c.String("max-response-size"); s != "" {
		n, err := probe.ParseSize(s)
		if err != nil || n <= 0 {
			return opts, usageErr("%s %q: write a size such as 64mb or 1gb", flagRef(c, "max-response-size"), s)
		}
		opts.MaxResponseBytes = n
	}
	if c.Bool("progress") || (isTerminal(stderr) && !c.Bool("quiet")) {
		opts.Progress = report.VisibleWriter{W: stderr} // lines quote cluster names
	}
	return opts, nil
}

// urlTLSFlags configure TLS for clusters given by URL (probe and advise
// without a plan); a plan has tls: per cluster instead.
func urlTLSFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "ca-file", Usage: "trust the CA certificates (PEM) in `FILE` for clusters given by URL, e.g. the http_ca.crt of an Elasticsearch 8 node"},
		&cli.BoolFlag{Name: "insecure-skip-verify", Usage: "do not verify TLS certificates of clusters given by URL (prints a warning)"},
	}
}

// urlTLS returns the TLS settings of the URL flags, or nil.
func urlTLS(c *cli.Context) *probe.TLS {
	if c.String("ca-file") == "" && !c.Bool("insecure-skip-verify") {
		return nil
	}
	return &probe.TLS{CAFile: c.String("ca-file"), InsecureSkipVerify: c.Bool("insecure-skip-verify")}
}

// collectFacts returns the facts for a plan: a live probe of every cluster
// with an endpoint, the plan's declared facts for the others. A
// configuration problem (a missing credential variable, an unreadable CA
// file) is a usage error (exit 2); an unreachable cluster is not an error
// here: its facts say so and the caller exits 3.
func collectFacts(ctx context.Context, plan *probe.Plan, opts probe.Options) (*probe.Facts, error) {
	f, err := probe.Probe(ctx, plan, opts)
	return f, probeErr(err)
}

// probeErr maps a probe error to the CLI's exit codes: the probe only fails
// on configuration (*probe.ConfigError), which is a usage error (exit 2).
func probeErr(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitUsage, err: err}
}
