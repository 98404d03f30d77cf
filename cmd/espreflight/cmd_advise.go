package main

import (
	"encoding/json"
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
	if c.Bool("crr") {
		p.Snapshot = &probe.Snapshot{CrossRegionReplication: true}
	}
	if c.Bool("privatelink") {
		p.Network = &probe.Network{PrivateLink: true}
	}
	// Validate through the plan loader, so the flags get the plan's checks.
	text := renderPlanYAML(p, nil, false)
	parsed, err := probe.ParsePlan("advise flags", []byte(text))
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
	return renderPlanYAML(p, a, true), nil
}

// adviseRemoteHost is an endpoint as reindex.remote_host wants it: scheme,
// host and port (the scheme's default port when the URL has none).
func adviseRemoteHost(endpoint string) string {
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

// yq quotes a string for YAML (a JSON string is a YAML double-quoted scalar).
func yq(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// renderPlanYAML renders a plan as a plan file. With comments it is a
// starter plan: every key the rules read, with what to fill in; a nil advice
// gives no advice header.
func renderPlanYAML(p *probe.Plan, a *policies.Advice, comments bool) string {
	var b strings.Builder
	cm := func(s string) string {
		if !comments || s == "" {
			return ""
		}
		return "   # " + s
	}
	line := func(indent int, key, value, comment string) {
		fmt.Fprintf(&b, "%s%s: %s%s\n", strings.Repeat("  ", indent), key, value, cm(comment))
	}
	if comments {
		b.WriteString("# espreflight migration plan: see docs/plan.md for every key.\n")
		if a != nil && a.Recommended != nil {
			r := a.Recommended
			fmt.Fprintf(&b, "# Written from `espreflight advise` (%s): recommended %s.\n", a.EvaluatedAt.Format("2006-01-02"), r.Label)
			for _, why := range r.Why {
				fmt.Fprintf(&b, "#   - %s\n", why)
			}
			if best := a.Best(); best != nil {
				for _, as := range best.Assumes {
					fmt.Fprintf(&b, "#   assumed: %s\n", as)
				}
			}
		}
		b.WriteString("# Check it with: espreflight plan validate --plan FILE; then espreflight check --plan FILE\n")
	}
	line(0, "version", "1", "")
	line(0, "name", yq(p.Name), "")
	line(0, "method", p.Method, "snapshot | logstash | reindex | elasticsearch-dump | snapshot-reindex")
	line(0, "mode", p.Mode, "full | incremental")
	pats := make([]string, len(p.Indices))
	for i, s := range p.Indices {
		pats[i] = yq(s)
	}
	line(0, "indices", "["+strings.Join(pats, ", ")+"]", `patterns to migrate; "-pattern" excludes`)
	switch {
	case p.Volume != "":
		line(0, "volume", yq(p.Volume), "declared data volume, used when the source cannot be probed")
	case comments && a != nil && a.Volume.Bytes >= 0:
		fmt.Fprintf(&b, "# volume: %dgb   # measured by advise: %s; declare it when the source cannot be probed\n", (a.Volume.Bytes+(1<<30)-1)>>30, a.Volume.Human)
	}
	for _, role := range []string{probe.RoleSource, probe.RoleDestination, probe.RoleIntermediate} {
		spec := p.Cluster(role)
		if spec == nil {
			continue
		}
		b.WriteString("\n")
		switch {
		case role == probe.RoleIntermediate && comments:
			fmt.Fprintf(&b, "%s:%s\n", role, cm("the cluster to create for snapshot + reindex; add its endpoint once it exists"))
		default:
			fmt.Fprintf(&b, "%s:\n", role)
		}
		line(1, "kind", spec.Kind, "alibaba | self-managed | third-party")
		if spec.Provider != "" {
			line(1, "provider", spec.Provider, "aws-opensearch | tencent | other")
		}
		if spec.Endpoint != "" {
			line(1, "endpoint", yq(spec.Endpoint), "")
		}
		if a := spec.Auth; a != nil && *a != (probe.Auth{}) {
			var parts []string
			for _, kv := range [][2]string{{"username", a.Username}, {"username_env", a.UsernameEnv}, {"username_file", a.UsernameFile},
				{"password_env", a.PasswordEnv}, {"password_file", a.PasswordFile}, {"api_key_env", a.APIKeyEnv}, {"api_key_file", a.APIKeyFile}} {
				if kv[1] != "" {
					parts = append(parts, kv[0]+": "+yq(kv[1]))
				}
			}
			line(1, "auth", "{"+strings.Join(parts, ", ")+"}", "never write secrets inline")
		} else if comments && spec.Endpoint != "" {
			prefix := map[string]string{probe.RoleSource: "SRC", probe.RoleDestination: "DST", probe.RoleIntermediate: "MID"}[role]
			fmt.Fprintf(&b, "  # auth: {username_env: %s_USER, password_env: %s_PASSWORD}   # if the cluster needs credentials\n", prefix, prefix)
		}
		if spec.Product != "" || spec.Version != "" {
			if spec.Product != "" {
				line(1, "product", spec.Product, "")
			}
			if spec.Version != "" {
				line(1, "version", yq(spec.Version), "declared version (used when there is no endpoint to probe)")
			}
		}
		for _, kv := range [][3]string{
			{"region", spec.Region, "e.g. cn-hangzhou"},
			{"zone", spec.Zone, ""},
			{"account", spec.Account, "cloud account id"},
			{"vpc", spec.VPC, "the VPC the cluster is in"},
		} {
			switch {
			case kv[1] != "":
				line(1, kv[0], yq(kv[1]), "")
			case comments && kv[0] != "zone":
				line(1, kv[0], `""`, "TODO: "+kv[2]+" (rules that need it report that they could not verify)")
			}
		}
		if spec.Kind == "alibaba" || spec.Created != "" {
			if spec.Created != "" {
				line(1, "created", spec.Created, "Alibaba instance creation date: decides the network architecture")
			} else if comments {
				fmt.Fprintf(&b, "  # created: YYYY-MM-DD   # TODO: Alibaba instance creation date (decides the network architecture)\n")
			}
		}
		if spec.Architecture != "" {
			line(1, "architecture", spec.Architecture, "original | new")
		}
	}
	m := p.Method
	if m == "snapshot" || m == "snapshot-reindex" {
		s := p.Snapshot
		if s == nil {
			s = &probe.Snapshot{}
		}
		if s.Repository != nil || comments {
			b.WriteString("\nsnapshot:\n")
			r := s.Repository
			if r == nil {
				r = &probe.Repo{Type: "oss", Name: "migration", Region: p.Source.Region, OwnerAccount: p.Source.Account}
				if p.Destination.Kind != "alibaba" && p.Source.Kind != "alibaba" {
					r.Type = ""
				}
			}
			b.WriteString("  repository:\n")
			if r.Type != "" {
				line(2, "type", r.Type, "oss | fs | s3 | cos | hdfs | azure | gcs")
			}
			line(2, "name", yq(r.Name), "")
			line(2, "shared", fmt.Sprint(r.Shared), "true when one repository is registered on both clusters")
			if r.Bucket != "" {
				line(2, "bucket", yq(r.Bucket), "")
			} else if comments {
				line(2, "bucket", `""`, "TODO: the OSS bucket")
			}
			line(2, "region", yq(r.Region), "region of the bucket")
			line(2, "owner_account", yq(r.OwnerAccount), "account that owns the bucket")
			if ak := r.AccessKeyAccount; ak != nil {
				line(2, "access_key_account", fmt.Sprintf("{source: %s, destination: %s}", yq(ak.Source), yq(ak.Destination)), "whose AccessKey pair registers the repository")
			}
		} else {
			b.WriteString("\nsnapshot:\n")
		}
		line(1, "cross_region_replication", fmt.Sprint(s.CrossRegionReplication), "OSS CRR copies the bucket into the destination region")
		if s.MovedToOSS {
			line(1, "moved_to_oss", "true", "")
		}
		if s.RenamePattern != "" {
			line(1, "rename_pattern", yq(s.RenamePattern), "")
			line(1, "rename_replacement", yq(s.RenameReplacement), "")
		}
	}
	if m == "logstash" {
		l := p.Logstash
		if l == nil {
			l = &probe.Logstash{}
		}
		b.WriteString("\nlogstash:\n")
		if l.Version != "" {
			line(1, "version", yq(l.Version), "compatible with both clusters")
		} else if comments {
			line(1, "version", `""`, "TODO: the Logstash version")
		}
		if l.VPC != "" {
			line(1, "vpc", yq(l.VPC), "")
		} else if comments {
			line(1, "vpc", `""`, "TODO: the VPC Logstash runs in")
		}
		line(1, "nat_gateway", fmt.Sprint(l.NATGateway), "NAT gateways let Logstash reach clusters in other VPCs")
		line(1, "docinfo", fmt.Sprint(l.Docinfo), "")
		line(1, "document_id", yq(l.DocumentID), "keep the source _id")
		if l.Schedule != "" {
			line(1, "schedule", yq(l.Schedule), "incremental runs")
		}
	}
	if m == "reindex" {
		b.WriteString("\nreindex:\n")
		host := ""
		if p.Reindex != nil {
			host = p.Reindex.RemoteHost
		}
		if host == "" {
			host = adviseRemoteHost(p.Source.Endpoint)
		}
		line(1, "remote_host", yq(host), "the source as the destination reaches it (add it to reindex.remote.whitelist)")
	}
	if m == "elasticsearch-dump" {
		runner := "migration-host"
		if p.Dump != nil && p.Dump.Runner != "" {
			runner = p.Dump.Runner
		}
		b.WriteString("\ndump:\n")
		line(1, "runner", yq(runner), "the host that runs elasticsearch-dump; run espreflight probe there")
	}
	if n := p.Network; n != nil && (n.PrivateLink || n.ConnectivityTicket != "" || (comments && m == "reindex")) {
		b.WriteString("\nnetwork:\n")
		line(1, "privatelink", fmt.Sprint(n.PrivateLink), "a PrivateLink connection between the VPCs")
		if n.ConnectivityTicket != "" {
			line(1, "connectivity_ticket", yq(n.ConnectivityTicket), "")
		}
	}
	if l := p.Limits; l != nil && (l.ReindexMaxVolume != "" || l.DumpMaxVolume != "" || (l.DumpMaxIndices != 0 && l.DumpMaxIndices != probe.DefaultDumpMaxIndices)) {
		b.WriteString("\nlimits:\n")
		if l.ReindexMaxVolume != "" {
			line(1, "reindex_max_volume", yq(l.ReindexMaxVolume), "")
		}
		if l.DumpMaxVolume != "" {
			line(1, "dump_max_volume", yq(l.DumpMaxVolume), "")
		}
		if l.DumpMaxIndices != 0 && l.DumpMaxIndices != probe.DefaultDumpMaxIndices {
			line(1, "dump_max_indices", fmt.Sprint(l.DumpMaxIndices), "")
		}
	}
	if len(p.Waivers) > 0 {
		b.WriteString("\nwaivers:\n")
		for _, w := range p.Waivers {
			fmt.Fprintf(&b, "  - rule: %s\n    reason: %s\n    expires: %s\n", w.Rule, yq(w.Reason), w.Expires)
			for _, kv := range [][2]string{{"cluster", w.Cluster}, {"ticket", w.Ticket}, {"approved_by", w.ApprovedBy}} {
				if kv[1] != "" {
					fmt.Fprintf(&b, "    %s: %s\n", kv[0], yq(kv[1]))
				}
			}
			if len(w.Indices) > 0 {
				q := make([]string, len(w.Indices))
				for i, s := range w.Indices {
					q[i] = yq(s)
				}
				fmt.Fprintf(&b, "    indices: [%s]\n", strings.Join(q, ", "))
			}
		}
	} else if comments {
		b.WriteString(`
# waivers:                # accept a finding for a while, with a reason
#   - rule: SYS-001
#     reason: ".kibana is migrated on purpose; Kibana is rebuilt after cut-over"
#     expires: 2027-01-31
`)
	}
	return b.String()
}
