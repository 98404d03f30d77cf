package probe

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// Probe probes every cluster of the plan that has an endpoint, concurrently,
// and returns the facts document. Clusters without an endpoint get the facts
// the plan declares (DeclaredCluster). The facts are returned even when a
// cluster is unreachable or answers badly: what could not be collected is
// listed under each cluster's "unknown". The only error is a *ConfigError
// (missing credential variable, unreadable CA file, …), returned before any
// request is sent.
func Probe(ctx context.Context, plan *Plan, opts Options) (*Facts, error) {
	if plan == nil {
		return nil, &ConfigError{Msg: "no plan"}
	}
	opts = opts.withDefaults()
	out := &syncWriter{w: opts.Progress}
	warn := opts.Warn
	if warn == nil {
		warn = func(msg string) { out.printf("warning: %s", msg) }
	}

	f := FromPlan(plan, opts.ToolVersion, opts.Now())
	// The deadline covers reading the credential files too.
	ctx, cancel := context.WithTimeout(ctx, opts.Deadline)
	defer cancel()
	clients := map[string]*client{}
	var problems []string
	var firstRole string
	for _, role := range plan.Roles() {
		spec := plan.Cluster(role)
		if spec == nil || spec.Endpoint == "" {
			continue
		}
		err := checkAllowed(role, spec, opts)
		var c *client
		var warnings []string
		if err == nil {
			c, warnings, err = newClient(ctx, role, spec, opts)
		}
		if err != nil {
			if len(problems) == 0 {
				firstRole = role
			}
			problems = append(problems, err.Error())
			continue
		}
		for _, w := range warnings {
			warn(w)
		}
		clients[role] = c
	}
	switch len(problems) {
	case 0:
	case 1:
		return nil, &ConfigError{Role: firstRole, Msg: strings.TrimPrefix(problems[0], firstRole+": ")}
	default:
		return nil, &ConfigError{Msg: strings.Join(problems, "; ")}
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	for role, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cf := probeCluster(ctx, c, out)
			mu.Lock()
			f.Clusters.Set(role, cf)
			f.Runner.Reachable[role] = *cf.Reachable
			mu.Unlock()
		}()
	}
	wg.Wait()
	return f, nil
}

// ProbeURLs probes a source and a destination given by URL alone (either may
// be ""), for a quick look without a plan file. The plan in the facts is a
// minimal one with no method.
func ProbeURLs(ctx context.Context, source, destination string, opts Options) (*Facts, error) {
	opts = opts.withDefaults()
	// The TLS settings and credential variables come from the command
	// line and from espreflight, not from a plan.
	opts.urlTLS, opts.trustedEnv = true, map[string]bool{}
	for _, role := range []string{RoleSource, RoleDestination} {
		user, password, apiKey := URLAuthEnv(role)
		opts.trustedEnv[user], opts.trustedEnv[password], opts.trustedEnv[apiKey] = true, true, true
	}
	p := &Plan{
		Version:     1,
		Name:        "ad-hoc",
		VolumeBytes: -1,
		Lines:       map[string]int{},
		Indices:     []string{},
	}
	for role, url := range map[string]string{RoleSource: source, RoleDestination: destination} {
		spec := &ClusterSpec{Endpoint: url, AuthKind: "none"}
		if url != "" {
			spec.Auth = URLAuth(role, opts.Getenv)
			spec.TLS = opts.URLTLS
		}
		switch {
		case spec.Auth == nil:
		case spec.Auth.APIKeyEnv != "":
			spec.AuthKind = "api_key"
		default:
			spec.AuthKind = "basic"
		}
		p.setCluster(role, spec)
	}
	return Probe(ctx, p, opts)
}

// URLAuth returns the credentials for a cluster given by URL only: the
// environment variables ESPREFLIGHT_<ROLE>_USER and _PASSWORD, or
// ESPREFLIGHT_<ROLE>_API_KEY (ROLE is SOURCE or DESTINATION), referenced the
// same way a plan's *_env keys are, so secrets never sit on a command line.
func URLAuth(role string, getenv func(string) string) *Auth {
	user, password, apiKey := URLAuthEnv(role)
	switch {
	case getenv(apiKey) != "":
		return &Auth{APIKeyEnv: apiKey}
	case getenv(user) != "" || getenv(password) != "":
		return &Auth{UsernameEnv: user, PasswordEnv: password}
	}
	return nil
}

// URLAuthEnv names the environment variables URLAuth reads for a role:
// ESPREFLIGHT_<ROLE>_USER, _PASSWORD and _API_KEY.
func URLAuthEnv(role string) (user, password, apiKey string) {
	prefix := "ESPREFLIGHT_" + strings.ToUpper(role) + "_"
	return prefix + "USER", prefix + "PASSWORD", prefix + "API_KEY"
}

func (p *Plan) setCluster(role string, c *ClusterSpec) {
	switch role {
	case RoleSource:
		p.Source = c
	case RoleDestination:
		p.Destination = c
	}
}

// clusterProbe is the state of probing one cluster.
type clusterProbe struct {
	c   *client
	d   *detected
	out *syncWriter

	mu sync.Mutex
	cf *ClusterFacts

	nodesOnce sync.Once
	nodes     []Node
	nodesErr  *fetchError

	healthClusterName string
}

// on is the suffix of every source description ("GET / on the source").
func (p *clusterProbe) on() string { return " on the " + p.c.role }

func (p *clusterProbe) unknown(fact, endpoint, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cf.MarkUnknown(fact, endpoint, p.c.scrub.clean(reason))
}

func (p *clusterProbe) source(fact, s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cf.SetSource(fact, s)
}

// printf writes a progress line, cleaned of the credentials in use (it may
// quote what the cluster said: its name, a reason).
func (p *clusterProbe) printf(format string, a ...any) {
	if p.out == nil || p.out.w == nil {
		return
	}
	p.out.printf("%s", p.c.scrub.clean(fmt.Sprintf(format, a...)))
}

// fail records a fetch failure for a fact.
func (p *clusterProbe) fail(fact string, fe *fetchError) {
	p.unknown(fact, fe.Endpoint, fe.Reason)
}

// probeCluster collects every fact of one cluster; it never fails.
func probeCluster(ctx context.Context, c *client, out *syncWriter) *ClusterFacts {
	cf := &ClusterFacts{Endpoint: c.endpoint, Sources: map[string]string{}, Unknown: []Unknown{}}
	p := &clusterProbe{c: c, cf: cf, out: out}
	// Everything the cluster said is cleaned of the credentials in use
	// before it leaves: names, settings and reasons alike.
	defer c.scrub.scrubFacts(cf)
	start := time.Now()

	var root *rootInfo
	fe := c.get(ctx, rootRequest, func(dec *decoder) error {
		r, err := decodeRoot(dec)
		root = r
		return err
	})
	reachable := c.responded.Load()
	cf.Reachable = &reachable
	if fe != nil && !reachable {
		if fe.dropped && c.h2.speaksHTTP2Only(ctx, c.opts.Timeout) {
			fe.Reason = http2Hint + " (" + fe.Reason + ")"
		}
		p.printf("%s: cannot reach %s: %s", c.role, c.endpoint, fe.Reason)
		for _, fact := range ProbedFacts {
			p.unknown(fact, rootEndpoint, "cluster not reachable from this machine: "+fe.Reason)
		}
		return cf
	}
	if fe == nil {
		d, err := detect(root)
		if err != nil {
			fe = &fetchError{Endpoint: rootEndpoint, Reason: err.Error()}
		} else {
			p.d = d
		}
	}
	versionSource := "GET /" + p.on()
	if fe != nil && fe.Status != 401 && fe.Status != 403 {
		// GET / is missing (404/405: some builds lack the root action, e.g.
		// the Elasticsearch 8 integ-test-zip) or unreadable: the nodes say it too.
		nodes, nfe := p.fetchNodes(ctx)
		if nfe == nil {
			if d, err := detectFromNodes(nodes, c.esProduct.Load()); err == nil {
				p.d = d
				versionSource = nodesEndpoint + p.on() + " (GET / failed: " + fe.Reason + ")"
				fe = nil
			}
		}
	}
	if fe != nil {
		p.printf("%s: connected to %s but cannot detect the version: %s", c.role, c.endpoint, fe.Reason)
		p.unknown("version", rootEndpoint, "cannot detect the version: "+fe.Reason)
		p.unknown("product", rootEndpoint, "cannot detect the product: "+fe.Reason)
		for _, fact := range ProbedFacts {
			if fact != "version" && fact != "product" {
				p.unknown(fact, "", "not collected: the version is unknown (GET / failed), so the requests cannot be chosen")
			}
		}
		return cf
	}
	cf.Product = p.d.Product
	cf.Version = p.d.Version
	cf.ClusterName = p.d.ClusterName
	cf.ClusterUUID = p.d.ClusterUUID
	cf.SetSource("version", versionSource)
	cf.SetSource("product", versionSource)
	p.printf("%s: connected to %s: %s %s, cluster %q", c.role, c.endpoint, cf.Product, cf.Version.Number, cf.ClusterName)

	var wg sync.WaitGroup
	for _, col := range collectorTable {
		if col.collect == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			col.collect(ctx, p)
		}()
	}
	wg.Wait()
	for _, fact := range ProbedFacts {
		if !cf.IsUnknown(fact) && (!cf.Has(fact) || cf.Sources[fact] == "") {
			// A collector must give each of its facts a value and a source or
			// say why not; one that did neither fails closed.
			p.unknown(fact, "", "not collected: the collector gave it no value with a source and no reason (a bug in espreflight; please report it)")
		}
	}

	p.fixOverriddenVersion()
	if cf.ClusterName == "" {
		cf.ClusterName = p.healthClusterName
	}
	sort.SliceStable(cf.Unknown, func(i, j int) bool { return factOrder(cf.Unknown[i].Fact) < factOrder(cf.Unknown[j].Fact) })

	var parts []string
	if cf.Nodes != nil {
		parts = append(parts, fmt.Sprintf("%d nodes", len(cf.Nodes)))
	}
	if cf.Indices != nil {
		parts = append(parts, fmt.Sprintf("%d indices", len(cf.Indices)))
	}
	if cf.Repositories != nil {
		parts = append(parts, fmt.Sprintf("%d repositories", len(cf.Repositories)))
	}
	if len(cf.Unknown) > 0 {
		parts = append(parts, fmt.Sprintf("%d facts unknown", len(cf.Unknown)))
	}
	retried := ""
	if n := c.retries.Load(); n > 0 {
		retried = fmt.Sprintf(", %d of them retries", n)
	}
	p.printf("%s: %s (%d requests%s, %s)", c.role, strings.Join(parts, ", "), c.requests.Load(), retried, time.Since(start).Round(time.Millisecond))
	for _, u := range cf.Unknown {
		p.printf("%s: unknown %s: %s: %s", c.role, u.Fact, u.Endpoint, u.Error)
	}
	return cf
}

// fixOverriddenVersion replaces the Elasticsearch-compatible number that an
// OpenSearch cluster with compatibility.override_main_response_version gives
// on GET / (7.10.2) by the version its nodes report (the lowest, as in a
// mixed cluster); GET /_nodes reports the real one
// (https://docs.opensearch.org/latest/install-and-configure/upgrade-opensearch/rolling-upgrade/).
// When the nodes are unknown, or say no OpenSearch version either, the
// version is unknown: "opensearch 7.10.2" is no release, and a rule judging
// it would judge a number the cluster made up.
func (p *clusterProbe) fixOverriddenVersion() {
	if p.d == nil || !p.d.VersionOverridden {
		return
	}
	compat := p.d.Version.Number
	var why string
	switch d, err := detectFromNodes(p.cf.Nodes, false); {
	case len(p.cf.Nodes) == 0:
		why = "the nodes are unknown"
		for _, u := range p.cf.Unknown {
			if u.Fact == "nodes" {
				why = u.Endpoint + " failed: " + u.Error
				break
			}
		}
	case err != nil:
		why = "the nodes' versions cannot be read: " + err.Error()
	case d.Version.Major >= 7:
		why = "the nodes report " + d.Version.Number + " too"
	default:
		v := d.Version
		v.Distribution = "opensearch"
		p.cf.Version = v
		p.cf.SetSource("version", nodesEndpoint+p.on()+" (GET / reports the Elasticsearch-compatible "+compat+")")
		return
	}
	p.cf.Version = nil
	delete(p.cf.Sources, "version")
	p.cf.MarkUnknown("version", nodesEndpoint, p.c.scrub.clean(fmt.Sprintf(
		"the real version is unknown: GET / reports the Elasticsearch-compatible %s (compatibility.override_main_response_version) and %s", compat, why)))
}

func factOrder(fact string) int {
	for i, f := range ProbedFacts {
		if f == fact {
			return i
		}
	}
	return len(ProbedFacts)
}

// syncWriter serialises progress lines from concurrent cluster probes.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) printf(format string, a ...any) {
	if s == nil || s.w == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.w, format+"\n", a...)
}
