package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/advise"
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

// adviseClusterFlags are the plan-like flags per cluster role: flag suffix,
// the plan key it sets (named in errors) and how.
var adviseClusterFlags = []struct {
	flag, key, usage string
	set              func(s *probe.ClusterSpec, a *probe.Auth, v string)
}{
	{"kind", "kind", "`KIND` of the %s: alibaba, self-managed or third-party (default self-managed)", func(s *probe.ClusterSpec, _ *probe.Auth, v string) { s.Kind = v }},
	{"provider", "provider", "`PROVIDER` of a third-party %s: aws-opensearch, tencent or other", func(s *probe.ClusterSpec, _ *probe.Auth, v string) { s.Provider = v }},
	{"region", "region", "`REGION` of the %s (e.g. cn-hangzhou)", func(s *probe.ClusterSpec, _ *probe.Auth, v string) { s.Region = v }},
	{"zone", "zone", "`ZONE` of the %s", func(s *probe.ClusterSpec, _ *probe.Auth, v string) { s.Zone = v }},
	{"account", "account", "cloud `ACCOUNT` id of the %s", func(s *probe.ClusterSpec, _ *probe.Auth, v string) { s.Account = v }},
	{"vpc", "vpc", "`VPC` of the %s", func(s *probe.ClusterSpec, _ *probe.Auth, v string) { s.VPC = v }},
	{"created", "created", "creation `DATE` (YYYY-MM-DD) of an Alibaba %s: decides its network architecture", func(s *probe.ClusterSpec, _ *probe.Auth, v string) { s.Created = v }},
	{"architecture", "architecture", "network `ARCHITECTURE` of an Alibaba %s (original or new), overriding --%s-created", func(s *probe.ClusterSpec, _ *probe.Auth, v string) { s.Architecture = v }},
	{"version", "version", "declared `VERSION` of the %s when it is not probed", func(s *probe.ClusterSpec, _ *probe.Auth, v string) { s.Version = v }},
	{"product", "product", "declared `PRODUCT` of the %s when it is not probed: elasticsearch or opensearch", func(s *probe.ClusterSpec, _ *probe.Auth, v string) { s.Product = v }},
	{"user-env", "auth.username_env", "environment `VARIABLE` holding the user name for the %s", func(_ *probe.ClusterSpec, a *probe.Auth, v string) { a.UsernameEnv = v }},
	{"password-env", "auth.password_env", "environment `VARIABLE` holding the password for the %s", func(_ *probe.ClusterSpec, a *probe.Auth, v string) { a.PasswordEnv = v }},
	{"api-key-env", "auth.api_key_env", "environment `VARIABLE` holding an API key for the %s", func(_ *probe.ClusterSpec, a *probe.Auth, v string) { a.APIKeyEnv = v }},
}

func adviseCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "source", Aliases: []string{"s"}, Usage: "source cluster `URL` to probe"},
		&cli.StringFlag{Name: "destination", Aliases: []string{"d"}, Usage: "destination cluster `URL` to probe"},
		planFlag("take the clusters and cloud facts from this plan `FILE` (its method is ignored)"),
		factsFlag("evaluate this facts `FILE` (from 'espreflight probe -o') instead of probing"),
		&cli.StringSliceFlag{Name: "indices", Aliases: []string{"i"}, Usage: "index `PATTERNS` to migrate (comma-separated or repeated; default \"*\",\"-.*\")"},
		&cli.StringFlag{Name: "volume", Usage: "declared data `SIZE` (e.g. 200gb), used when the source's indices are not probed"},
		&cli.StringFlag{Name: "mode", Value: "full", Usage: "the migration you need: full or incremental (every mode is evaluated; the recommendation is for this one)"},
		&cli.BoolFlag{Name: "filtered", Usage: "only part of the data (a query) is migrated: favours Logstash"},
		&cli.BoolFlag{Name: "crr", Usage: "OSS cross-region replication is configured for the snapshot bucket"},
		&cli.BoolFlag{Name: "privatelink", Usage: "a PrivateLink connection between the VPCs exists"},
		&cli.StringFlag{Name: "name", Value: "migration", Usage: "plan `NAME` for the starter plan"},
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output `FORMAT`: " + strings.Join(report.AdviceFormats(), ", ")},
		outputFlag("write the advice to `FILE` instead of standard output"),
		&cli.StringFlag{Name: "write-plan", Usage: "also write a starter plan for the recommended method to `FILE` (not overwritten)"},
		policyFlag(),
		&cli.BoolFlag{Name: "no-color", Usage: "no colour in text output (also: NO_COLOR in the environment)"},
		quietFlag("no progress and no note about the --write-plan file on standard error"),
		nowFlag(),
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
		Flags:       append(append(append(flags, evalFlags()...), probeFlags()...), urlTLSFlags()...),
		Action: func(c *cli.Context) error {
			o, err := adviseOptionsFrom(c)
			if err != nil {
				return err
			}
			return runAdvise(c.Context, o, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// adviseOptions are the flags of `espreflight advise`, checked.
type adviseOptions struct {
	format    string // one of report.AdviceFormats()
	output    string // "" for standard output
	writePlan string // "" for no starter plan
	factsPath string
	planPath  string
	clusters  adviseClusters
	goal      advise.Goal
	now       time.Time
	policies  policies.Options
	eval      evalLimits // --eval-timeout, --eval-memory
	noColor   bool
	quiet     bool
	in        *inputs
	probe     probe.Options
}

// adviseClusters are the flags that describe the clusters without a plan
// file (--source, --destination, --source-*, --destination-*, ...).
type adviseClusters struct {
	// given is true when any of them is set.
	given            bool
	name, volume     string
	indices          []string
	crr, privatelink bool
	// urls and values are per role: the URL, and flag suffix → value.
	urls   map[string]string
	values map[string]map[string]string
	tls    *probe.TLS
}

func adviseOptionsFrom(c *cli.Context) (*adviseOptions, error) {
	if c.NArg() > 0 {
		return nil, usageErr("advise takes no arguments (got %q); put flags before any value, e.g. --source URL", c.Args().First())
	}
	o := &adviseOptions{output: outputPath(c), writePlan: c.String("write-plan"), factsPath: c.String("facts"),
		planPath: c.String("plan"), noColor: c.Bool("no-color"), quiet: c.Bool("quiet"),
		goal:     advise.Goal{Mode: c.String("mode"), Filtered: c.Bool("filtered")},
		policies: policies.Options{PolicyDirs: c.StringSlice("policy")}}
	f, ok := report.LookupFormat(c.String("format"))
	if !ok || !contains(report.AdviceFormats(), f.Name) {
		return nil, usageErr("%s %q: advise writes %s", flagRef(c, "format"), c.String("format"), strings.Join(report.AdviceFormats(), ", "))
	}
	o.format = f.Name
	if !contains(probe.Modes, o.goal.Mode) {
		return nil, usageErr("%s %q: use %s", flagRef(c, "mode"), o.goal.Mode, strings.Join(probe.Modes, " or "))
	}
	var err error
	if o.in, err = newInputs(c, o.planPath, o.factsPath); err != nil {
		return nil, err
	}
	if err := refuseInputs([]input{{"-o", o.output}, {"--write-plan", o.writePlan}}, []input{{"--plan", o.planPath}, {"--facts", o.factsPath}}); err != nil {
		return nil, err
	}
	if o.now, err = nowFrom(c); err != nil {
		return nil, err
	}
	if o.eval, err = evalLimitsFrom(c); err != nil {
		return nil, err
	}
	if o.writePlan != "" {
		if _, err := os.Stat(o.writePlan); err == nil {
			return nil, usageErr("--write-plan %s: the file exists; choose another file or remove it", o.writePlan)
		}
	}
	if o.probe, err = probeOptions(c, c.App.ErrWriter, o.now); err != nil {
		return nil, err
	}
	cl := adviseClusters{name: c.String("name"), volume: c.String("volume"), indices: splitPatterns(c.StringSlice("indices")),
		crr: c.Bool("crr"), privatelink: c.Bool("privatelink"), tls: urlTLS(c),
		urls: map[string]string{}, values: map[string]map[string]string{}}
	for _, n := range []string{"source", "destination", "indices", "volume", "crr", "privatelink"} {
		cl.given = cl.given || c.IsSet(n)
	}
	for _, role := range []string{probe.RoleSource, probe.RoleDestination} {
		cl.urls[role] = c.String(role)
		cl.values[role] = map[string]string{}
		for _, cf := range adviseClusterFlags {
			if v := c.String(role + "-" + cf.flag); v != "" {
				cl.values[role][cf.flag] = v
			}
			cl.given = cl.given || c.IsSet(role+"-"+cf.flag)
		}
	}
	o.clusters = cl
	return o, nil
}

// runAdvise probes (or reads the facts) once, evaluates every method and
// writes the advice, and the starter plan with --write-plan.
func runAdvise(ctx context.Context, o *adviseOptions, stdout, stderr io.Writer) error {
	defer limitMemory(o.factsPath)()
	compiled := compilePolicies(ctx, o.policies)
	var saved *probe.Facts
	if o.factsPath != "" {
		f, err := o.in.loadFacts()
		if err != nil {
			return usageErr("%v", err)
		}
		saved = f
	}
	plan, err := o.basePlan(saved)
	if err != nil {
		return err
	}
	facts := saved
	if facts != nil {
		facts.ApplyPlan(plan)
	} else if facts, err = collectFacts(ctx, plan, o.probe); err != nil {
		return err
	}
	engine, err := compiled()
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	// Every method is the same clusters with another plan: their part of
	// the policy input is built once.
	var adv *advise.Advice
	err = o.eval.run(ctx, func(ctx context.Context) (err error) {
		adv, err = advise.Run(ctx, engine.WithInputCache(), facts, o.now, o.goal)
		return err
	})
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			return err
		}
		return &exitError{code: exitUsage, err: err}
	}
	code := exitFindings
	for i := range adv.Options {
		if adv.Options[i].Works() {
			code = exitOK
		}
	}
	if len(adv.Unreachable) > 0 {
		warnUnreachable(stderr, adv.Unreachable)
		code = exitUnreachable
	}
	ropts := report.AdviceOptions{Color: !o.noColor && os.Getenv("NO_COLOR") == "" && isTerminal(stdout) && o.output == ""}
	if o.writePlan == "" {
		ropts.Command = "espreflight advise …"
	}
	render := func(w io.Writer) error { return report.RenderAdvice(w, o.format, adv, ropts) }
	if o.output != "" {
		err = writeFileAtomic(o.output, render)
	} else {
		err = render(stdout)
	}
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if o.writePlan != "" {
		text, err := advise.StarterPlan(adv, plan)
		if err != nil {
			fmt.Fprintf(stderr, "espreflight: no plan written: %v\n", err)
		} else if err := writeFileAtomic(o.writePlan, func(w io.Writer) error { _, err := w.Write(text); return err }); err != nil {
			return &exitError{code: exitUsage, err: err}
		} else if !o.quiet {
			fmt.Fprintf(stderr, "wrote %s (%s); fill in the TODOs, then: espreflight check --plan %s\n", o.writePlan, adv.Recommended.Label, o.writePlan)
		}
	}
	if code != exitOK {
		return exitWith(code)
	}
	return nil
}

// basePlan returns the base plan of the advice: the --plan file, the plan
// inside a facts file, or one built from the plan-like flags.
func (o *adviseOptions) basePlan(saved *probe.Facts) (*probe.Plan, error) {
	if o.planPath != "" {
		if o.clusters.given {
			return nil, usageErr("--plan %s already describes the clusters: drop the --source/--destination/--source-*/--destination-*/--indices/--volume flags, or drop --plan", o.planPath)
		}
		return o.in.loadPlan()
	}
	if saved != nil && saved.Plan != nil && !o.clusters.given {
		p := saved.Plan
		if p.Source == nil || p.Destination == nil {
			return nil, usageErr("the plan in %s does not describe both clusters; give --plan FILE or the --source-*/--destination-* flags", o.in.factsName())
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
	return o.clusters.plan(saved)
}

// plan builds the plan the flags describe and checks it with the plan
// loader, so the flags get the plan's checks (named by flag).
func (cl adviseClusters) plan(saved *probe.Facts) (*probe.Plan, error) {
	p := &probe.Plan{Version: 1, Name: cl.name, Method: "snapshot", Mode: "full", Volume: cl.volume, Indices: cl.indices}
	if len(p.Indices) == 0 {
		p.Indices = []string{"*", "-.*"}
	}
	for _, role := range []string{probe.RoleSource, probe.RoleDestination} {
		spec := &probe.ClusterSpec{Kind: "self-managed", Endpoint: cl.urls[role]}
		if spec.Endpoint != "" {
			spec.TLS = cl.tls
		}
		if spec.Endpoint == "" && saved != nil {
			if cf := saved.Clusters.ByRole(role); cf != nil {
				spec.Endpoint = cf.Endpoint
			}
		}
		auth := &probe.Auth{}
		for _, cf := range adviseClusterFlags {
			if v := cl.values[role][cf.flag]; v != "" {
				cf.set(spec, auth, v)
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
	p.Snapshot = &probe.Snapshot{CrossRegionReplication: cl.crr}
	if cl.privatelink {
		p.Network = &probe.Network{PrivateLink: true}
	}
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
