package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/report"
)

const adviseHelp = `Probes the two clusters once (or reads a facts file) and evaluates the rules
for every migration method: OSS snapshot, snapshot + reindex through an
intermediate version, Logstash, the reindex API and elasticsearch-dump, in full
and (where the method has one) incremental mode. No cluster is probed again per
method: each method is the same facts with another plan method.

For each option the verdict is: works, works with warnings, blocked (with the
rule ids and why), cannot tell (a rule could not verify), or not applicable.
When a plan change (OSS cross-region replication, a NAT gateway for Logstash,
PrivateLink for reindex) would unblock an option, the option is shown again
with that change and says what it needs. The recommendation follows the
migration guide: snapshots for large data, snapshot + reindex across two
majors, Logstash for filtered or incremental sync, the reindex API and
elasticsearch-dump for small data only.

The cloud facts that no probe can see (kind, region, account, VPC, Alibaba
creation date) come from the --source-*/--destination-* flags, or from a plan
file with --plan (its method is ignored).

Exit codes: 0 at least one method works (with or without warnings); 1 none
does; 2 usage error; 3 a cluster could not be probed.

Examples:
   espreflight advise --source https://10.0.0.5:9200 --destination https://es-cn-x.elasticsearch.aliyuncs.com:9200 \
       --source-kind self-managed --destination-kind alibaba --destination-created 2021-03-01 \
       --source-region cn-hangzhou --destination-region cn-hangzhou --write-plan migration.yaml

   # offline, from saved facts, as Markdown
   espreflight advise --facts facts.json --plan migration.yaml --format markdown -o advice.md

   # then: a starter plan from the JSON advice
   espreflight advise --facts facts.json --plan migration.yaml --format json -o advice.json
   espreflight plan init --from-advice advice.json -o migration.yaml`

// adviseClusterFlags are the plan-like flags per cluster role: flag suffix → plan key.
var adviseClusterFlags = []struct{ flag, key, usage string }{
	{"kind", "kind", "`KIND` of the %s: alibaba, self-managed or third-party (default self-managed)"},
	{"provider", "provider", "`PROVIDER` of a third-party %s: aws-opensearch, tencent or other"},
	{"region", "region", "`REGION` of the %s (e.g. cn-hangzhou)"},
	{"zone", "zone", "`ZONE` of the %s"},
	{"account", "account", "cloud `ACCOUNT` id of the %s"},
	{"vpc", "vpc", "`VPC` of the %s"},
	{"created", "created", "creation `DATE` (YYYY-MM-DD) of an Alibaba %s: decides its network architecture"},
	{"architecture", "architecture", "network `ARCHITECTURE` of an Alibaba %s (original or new), overriding --%s-created"},
	{"version", "version", "declared `VERSION` of the %s when it is not probed"},
	{"product", "product", "declared `PRODUCT` of the %s when it is not probed: elasticsearch or opensearch"},
	{"user-env", "auth.username_env", "environment `VARIABLE` holding the user name for the %s"},
	{"password-env", "auth.password_env", "environment `VARIABLE` holding the password for the %s"},
	{"api-key-env", "auth.api_key_env", "environment `VARIABLE` holding an API key for the %s"},
}

func adviseCommandOrNil() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "source", Aliases: []string{"s"}, Usage: "source cluster `URL` to probe"},
		&cli.StringFlag{Name: "destination", Aliases: []string{"d"}, Usage: "destination cluster `URL` to probe"},
		&cli.StringFlag{Name: "plan", Aliases: []string{"p"}, Usage: "take the clusters and cloud facts from this plan `FILE` (its method is ignored)"},
		&cli.StringFlag{Name: "facts", Usage: "evaluate this facts `FILE` (from 'espreflight probe -o') instead of probing"},
		&cli.StringSliceFlag{Name: "indices", Aliases: []string{"i"}, Usage: "index `PATTERNS` to migrate (comma-separated or repeated; default \"*\",\"-.*\")"},
		&cli.StringFlag{Name: "volume", Usage: "declared data `SIZE` (e.g. 200gb), used when the source's indices are not probed"},
		&cli.StringFlag{Name: "mode", Value: "full", Usage: "the migration you need: full or incremental (every mode is evaluated; the recommendation is for this one)"},
		&cli.BoolFlag{Name: "filtered", Usage: "only part of the data (a query) is migrated: favours Logstash"},
		&cli.BoolFlag{Name: "crr", Usage: "OSS cross-region replication is configured for the snapshot bucket"},
		&cli.BoolFlag{Name: "privatelink", Usage: "a PrivateLink connection between the VPCs exists"},
		&cli.StringFlag{Name: "name", Value: "migration", Usage: "plan `NAME` for the starter plan"},
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output `FORMAT`: text, json or markdown"},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the advice to `FILE` instead of standard output"},
		&cli.StringFlag{Name: "write-plan", Usage: "also write a starter plan for the recommended method to `FILE` (not overwritten)"},
		policyFlag(),
		&cli.BoolFlag{Name: "no-color", Usage: "no colour in text output (also: NO_COLOR in the environment)"},
		nowFlag,
	}
	for _, role := range []string{probe.RoleSource, probe.RoleDestination} {
		for _, cf := range adviseClusterFlags {
			usage := strings.Replace(cf.usage, "%s", role, 1)
			usage = strings.Replace(usage, "%s", role, 1)
			flags = append(flags, &cli.StringFlag{Name: role + "-" + cf.flag, Usage: usage})
		}
	}
	return &cli.Command{
		Name:        "advise",
		Usage:       "evaluate every migration method for a cluster pair and recommend one",
		UsageText:   "espreflight advise --source URL --destination URL [--source-kind KIND ...] [--plan FILE] [--facts FILE] [--format text|json|markdown] [-o FILE] [--write-plan FILE]",
		Description: adviseHelp,
		Flags:       append(append(flags, probeFlags()...), urlTLSFlags()...),
		Action:      runAdvise,
	}
}

func runAdvise(c *cli.Context) error {
	if c.NArg() > 0 {
		return usageErr("advise takes no arguments (got %q); put flags before any value, e.g. --source URL", c.Args().First())
	}
	format := c.String("format")
	if f, ok := report.LookupFormat(format); ok {
		format = f.Name
	}
	if !contains(report.AdviceFormats(), format) {
		return usageErr("--format %q: advise writes %s", c.String("format"), strings.Join(report.AdviceFormats(), ", "))
	}
	mode := c.String("mode")
	if !contains(probe.Modes, mode) {
		return usageErr("--mode %q: use full or incremental", mode)
	}
	now, err := nowFrom(c)
	if err != nil {
		return err
	}
	if wp := c.String("write-plan"); wp != "" {
		if _, err := os.Stat(wp); err == nil {
			return usageErr("--write-plan %s: the file exists; choose another file or remove it", wp)
		}
	}
	var saved *probe.Facts
	if path := c.String("facts"); path != "" {
		f, err := probe.LoadFacts(path)
		if err != nil {
			return usageErr("%v", err)
		}
		saved = f
	}
	plan, err := advisePlan(c, saved)
	if err != nil {
		return err
	}
	var facts *probe.Facts
	if saved != nil {
		facts = saved
		facts.ApplyPlan(plan)
	} else {
		f, err := collectFacts(c, plan, c.App.ErrWriter)
		if err != nil {
			var ee *exitError
			if errors.As(err, &ee) {
				return err
			}
			return &exitError{code: exitUsage, err: err}
		}
		facts = f
	}
	engine, err := policies.New(c.Context, policies.Options{PolicyDirs: c.StringSlice("policy")})
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	adv, err := engine.Advise(c.Context, facts, now, policies.AdviseOptions{Mode: mode, Filtered: c.Bool("filtered")})
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	code := exitFindings
	for i := range adv.Options {
		if adv.Options[i].Works() {
			code = exitOK
		}
	}
	if len(adv.Unreachable) > 0 {
		warnUnreachable(c.App.ErrWriter, adv.Unreachable)
		code = exitUnreachable
	}
	color := !c.Bool("no-color") && os.Getenv("NO_COLOR") == "" && isTerminal(c.App.Writer) && c.String("output") == ""
	ropts := report.AdviceOptions{Color: color}
	if c.String("write-plan") == "" {
		ropts.Command = "espreflight advise …"
	}
	render := func(w io.Writer) error { return report.RenderAdvice(w, format, adv, ropts) }
	if out := c.String("output"); out != "" {
		if err := writeFileAtomic(out, render); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
	} else if err := render(c.App.Writer); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if wp := c.String("write-plan"); wp != "" {
		text, err := StarterPlanFromAdvice(adv, plan)
		if err != nil {
			fmt.Fprintf(c.App.ErrWriter, "espreflight: no plan written: %v\n", err)
		} else if err := writeFileAtomic(wp, func(w io.Writer) error { _, err := io.WriteString(w, text); return err }); err != nil {
			return &exitError{code: exitUsage, err: err}
		} else {
			fmt.Fprintf(c.App.ErrWriter, "wrote %s (%s); fill in the TODOs, then: espreflight check --plan %s\n", wp, adv.Recommended.Label, wp)
		}
	}
	if code != exitOK {
		return exitWith(code)
	}
	return nil
}

// advisePlanFlagsSet reports whether any plan-like flag was given.
func advisePlanFlagsSet(c *cli.Context) bool {
	for _, n := range []string{"source", "destination", "indices", "volume", "crr", "privatelink"} {
		if c.IsSet(n) {
			return true
		}
	}
	for _, role := range []string{probe.RoleSource, probe.RoleDestination} {
		for _, cf := range adviseClusterFlags {
			if c.IsSet(role + "-" + cf.flag) {
				return true
			}
		}
	}
	return false
}

// advisePlan returns the base plan of the advice: the --plan file, the plan
// inside a facts file, or one built from the plan-like flags.
func advisePlan(c *cli.Context, saved *probe.Facts) (*probe.Plan, error) {
	if path := c.String("plan"); path != "" {
		if advisePlanFlagsSet(c) {
			return nil, usageErr("--plan %s already describes the clusters: drop the --source/--destination/--source-*/--destination-*/--indices/--volume flags, or drop --plan", path)
		}
		return probe.LoadPlan(path)
	}
	if saved != nil && saved.Plan != nil && !advisePlanFlagsSet(c) {
		p := saved.Plan
		if p.Source == nil || p.Destination == nil {
			return nil, usageErr("the plan in %s does not describe both clusters; give --plan FILE or the --source-*/--destination-* flags", c.String("facts"))
		}
		if p.Lines == nil {
			p.Lines = map[string]int{}
		}
		if p.Limits == nil {
			p.Limits = &probe.Limits{ReindexMaxBytes: probe.DefaultReindexMaxBytes, DumpMaxBytes: probe.DefaultDumpMaxBytes, DumpMaxIndices: probe.DefaultDumpMaxIndices}
		}
		if p.Network == nil {
			p.Network = &probe.Network{}
		}
		return p, nil
	}
	p := &probe.Plan{Version: 1, Name: c.String("name"), Method: "snapshot", Mode: "full", Volume: c.String("volume"),
		Indices: splitPatterns(c.StringSlice("indices"))}
	if len(p.Indices) == 0 {
		p.Indices = []string{"*", "-.*"}
	}
	for _, role := range []string{probe.RoleSource, probe.RoleDestination} {
		spec := &probe.ClusterSpec{Kind: "self-managed", Endpoint: c.String(role)}
		if spec.Endpoint != "" {
			spec.TLS = urlTLS(c)
		}
		if spec.Endpoint == "" && saved != nil {
			if cf := saved.Clusters.ByRole(role); cf != nil {
				spec.Endpoint = cf.Endpoint
			}
		}
		auth := &probe.Auth{}
		for _, cf := range adviseClusterFlags {
			v := c.String(role + "-" + cf.flag)
			if v == "" {
				continue
			}
			switch cf.key {
			case "kind":
				spec.Kind = v
			case "provider":
				spec.Provider = v
			case "region":
				spec.Region = v
			case "zone":
				spec.Zone = v
			case "account":
				spec.Account = v
			case "vpc":
				spec.VPC = v
			case "created":
				spec.Created = v
			case "architecture":
				spec.Architecture = v
			case "version":
				spec.Version = v
			case "product":
				spec.Product = v
			case "auth.username_env":
				auth.UsernameEnv = v
			case "auth.password_env":
				auth.PasswordEnv = v
			case "auth.api_key_env":
				auth.APIKeyEnv = v
			}
		}
		if *auth != (probe.Auth{}) {
			spec.Auth = auth
		} else if spec.Endpoint != "" {
			// Same convention as `probe --source URL`: ESPREFLIGHT_<ROLE>_USER/_PASSWORD or _API_KEY.
			spec.Auth = probe.URLAuth(role, os.Getenv)
		}
		if spec.Endpoint == "" && spec.Version == "" && saved == nil {
			return nil, usageErr("give --%s URL to probe the %s (or --%s-version to declare it, or --facts FILE)", role, role, role)
		}
		if role == probe.RoleSource {
			p.Source = spec
		} else {
			p.Destination = spec
		}
	}
	// The method is snapshot until the advice picks one: its section is
	// there, as a plan file of that method has it.
	p.Snapshot = &probe.Snapshot{CrossRegionReplication: c.Bool("crr")}
	if c.Bool("privatelink") {
		p.Network = &probe.Network{PrivateLink: true}
	}
	// Validate through the plan loader, so the flags get the plan's checks.
	parsed, err := probe.ParsePlan("advise flags", probe.WritePlan(p, probe.WriteOptions{}))
	if err != nil {
		var pe probe.PlanErrors
		if errors.As(err, &pe) && len(pe) > 0 {
			return nil, usageErr("%s: %s", adviseFlagFor(pe[0].Path), pe[0].Msg)
		}
		return nil, usageErr("%v", err)
	}
	return parsed, nil
}

// adviseFlagFor names the flag that sets a plan key ("source.created" → --source-created).
func adviseFlagFor(path string) string {
	role, key, ok := strings.Cut(path, ".")
	if !ok {
		return "--" + path
	}
	if role != probe.RoleSource && role != probe.RoleDestination {
		return "--" + strings.ReplaceAll(path, ".", "-")
	}
	if key == "endpoint" {
		return "--" + role
	}
	for _, cf := range adviseClusterFlags {
		if cf.key == key {
			return "--" + role + "-" + cf.flag
		}
	}
	return "--" + role + "-" + strings.ReplaceAll(key, ".", "-")
}

func splitPatterns(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// StarterPlanFromAdvice writes the plan of the advice's recommended option as
// a commented plan file. base, when not nil, supplies what the advice JSON
// does not carry (the credential variable names).
func StarterPlanFromAdvice(a *policies.Advice, base *probe.Plan) (string, error) {
	if a.Recommended == nil || a.Recommended.Plan == nil {
		msg := "the advice recommends no method (none is known to work)"
		if len(a.Notes) > 0 {
			msg += ": " + a.Notes[0]
		}
		return "", errors.New(msg)
	}
	p := a.Recommended.Plan
	if base != nil {
		for _, role := range []string{probe.RoleSource, probe.RoleDestination} {
			if bs, ps := base.Cluster(role), p.Cluster(role); bs != nil && ps != nil && ps.Auth == nil {
				ps.Auth = bs.Auth
			}
		}
	}
	p = fillStarter(p)
	r := a.Recommended
	header := []string{fmt.Sprintf("Written from `espreflight advise` (%s): recommended %s.", a.EvaluatedAt.Format("2006-01-02"), r.Label)}
	for _, why := range r.Why {
		header = append(header, "  - "+why)
	}
	if best := a.Best(); best != nil {
		for _, as := range best.Assumes {
			header = append(header, "  assumed: "+as)
		}
	}
	opts := probe.WriteOptions{Comments: true, Header: header, MeasuredBytes: a.Volume.Bytes}
	if a.Volume.Bytes >= 0 {
		opts.MeasuredBy = "advise"
	}
	return string(probe.WritePlan(p, opts)), nil
}

// fillStarter returns a copy of p with the section its method reads filled
// in where the plan leaves it out, so that the written plan shows every key
// to complete: the snapshot repository (an OSS bucket in the source's region
// when a cluster is on Alibaba Cloud), Logstash, the reindex remote host (the
// source's endpoint) and the elasticsearch-dump runner.
func fillStarter(p *probe.Plan) *probe.Plan {
	c := *p
	switch c.Method {
	case "snapshot", "snapshot-reindex":
		s := probe.Snapshot{}
		if c.Snapshot != nil {
			s = *c.Snapshot
		}
		if s.Repository == nil {
			r := &probe.Repo{Type: "oss", Name: "migration", Region: c.Source.Region, OwnerAccount: c.Source.Account}
			if c.Destination.Kind != "alibaba" && c.Source.Kind != "alibaba" {
				r.Type = ""
			}
			s.Repository = r
		}
		c.Snapshot = &s
	case "logstash":
		if c.Logstash == nil {
			c.Logstash = &probe.Logstash{}
		}
	case "reindex":
		rx := probe.Reindex{}
		if c.Reindex != nil {
			rx = *c.Reindex
		}
		if rx.RemoteHost == "" {
			rx.RemoteHost = remoteHost(c.Source.Endpoint)
		}
		c.Reindex = &rx
	case "elasticsearch-dump":
		d := probe.Dump{}
		if c.Dump != nil {
			d = *c.Dump
		}
		if d.Runner == "" {
			d.Runner = "migration-host"
		}
		c.Dump = &d
	}
	return &c
}

// remoteHost is an endpoint as reindex.remote_host wants it: scheme,
// host and port (the scheme's default port when the URL has none).
func remoteHost(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return endpoint
	}
	if u.Port() == "" {
		port := "443"
		if u.Scheme == "http" {
			port = "80"
		}
		u.Host = u.Host + ":" + port
	}
	u.Path, u.RawQuery, u.Fragment, u.User = "", "", "", nil
	return u.String()
}
