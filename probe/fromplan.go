package probe

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FromPlan builds the facts that the plan alone gives: declared products and
// versions. Every fact that needs a probe is recorded as unknown, with the
// reason, so rules that need it report that they could not verify.
func FromPlan(p *Plan, toolVersion string, now time.Time) *Facts {
	f := &Facts{
		Schema:      FactsSchema,
		CollectedAt: now.UTC().Truncate(time.Second),
		Tool:        ToolInfo{Version: toolVersion},
		Plan:        p,
		Runner:      Runner{Reachable: map[string]bool{}},
	}
	for _, role := range p.Roles() {
		f.Clusters.Set(role, DeclaredCluster(p, role))
	}
	return f
}

// DeclaredCluster returns the facts of one cluster as the plan declares them,
// with every probed fact marked unknown ("not probed").
func DeclaredCluster(p *Plan, role string) *ClusterFacts {
	spec := p.Cluster(role)
	c := &ClusterFacts{Endpoint: RedactURL(spec.Endpoint), Sources: map[string]string{}, Unknown: []Unknown{}}
	reason := "not probed: the plan gives no endpoint for the " + role
	if spec.Endpoint != "" {
		reason = "not probed: no live probe was run (facts come from the plan only)"
	}
	if spec.Product != "" {
		c.Product = spec.Product
		c.SetSource("product", fmt.Sprintf("plan line %d", p.Line(role+".product")))
	}
	if spec.Version != "" {
		if v, err := ParseVersion(spec.Version); err == nil {
			c.Version = v
			c.SetSource("version", fmt.Sprintf("plan line %d", p.Line(role+".version")))
			if c.Product == "" {
				// The product follows from the version where only one product
				// has it, or from the provider; an ambiguous version without a
				// product is a plan error (validateCluster), so a plan that
				// got here unvalidated leaves the product unknown.
				if prod, why, err := declaredProduct(spec); err == nil && prod != "" {
					c.Product = prod
					c.SetSource("product", fmt.Sprintf("plan line %d (%s)", p.Line(role+".version"), why))
				}
			}
		}
	}
	for _, fact := range ProbedFacts {
		if fact == "version" && c.Version != nil || fact == "product" && c.Product != "" {
			continue
		}
		c.MarkUnknown(fact, "", reason)
	}
	return c
}

// ParseVersion parses "7.10.2", "6.8" or "8.0.0-rc1" into a Version.
func ParseVersion(s string) (*Version, error) {
	core := s
	if i := strings.IndexAny(core, "-+_ "); i >= 0 {
		core = core[:i]
	}
	parts := strings.Split(core, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, fmt.Errorf("version %q: want major.minor[.patch]", s)
	}
	nums := [3]int{}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("version %q: %q is not a number", s, p)
		}
		nums[i] = n
	}
	return &Version{Number: s, Major: nums[0], Minor: nums[1], Patch: nums[2]}, nil
}

// RedactURL removes user info, query and fragment from a URL so it can be shown.
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	i := strings.Index(raw, "://")
	rest := raw
	scheme := ""
	if i >= 0 {
		scheme, rest = raw[:i+3], raw[i+3:]
	}
	if at := strings.LastIndex(strings.SplitN(rest, "/", 2)[0], "@"); at >= 0 {
		rest = rest[at+1:]
	}
	if q := strings.IndexAny(rest, "?#"); q >= 0 {
		rest = rest[:q]
	}
	return scheme + rest
}
