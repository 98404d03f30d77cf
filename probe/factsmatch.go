package probe

import (
	"fmt"
	"net/url"
	"strings"
)

// FactsMismatch compares the clusters a plan names with the clusters a facts
// document was collected from, before the plan replaces the document's own
// (ApplyPlan): facts of other clusters would make every verdict about the
// wrong clusters. It returns one line per role whose endpoints differ; a
// role the facts do not hold is fine (it is declared from the plan).
func FactsMismatch(p *Plan, f *Facts) []string {
	var out []string
	for _, role := range p.Roles() {
		c := f.Clusters.ByRole(role)
		if c == nil {
			continue
		}
		want, got := sameEndpoint(p.Cluster(role).Endpoint), sameEndpoint(c.Endpoint)
		switch {
		case want == got:
		case want == "":
			out = append(out, fmt.Sprintf("the plan gives no endpoint for the %s, but the facts were collected from %s", role, c.Endpoint))
		case got == "":
			out = append(out, fmt.Sprintf("the plan's %s is %s, but the facts hold no probe of it (they were written from a plan without its endpoint)", role, RedactURL(p.Cluster(role).Endpoint)))
		default:
			out = append(out, fmt.Sprintf("the plan's %s is %s, but the facts were collected from %s", role, RedactURL(p.Cluster(role).Endpoint), c.Endpoint))
		}
	}
	return out
}

// sameEndpoint normalises an endpoint for comparison: no credentials, query
// or trailing slash, scheme and host in lower case, the default port of the
// scheme left out.
func sameEndpoint(raw string) string {
	s := RedactURL(raw)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return strings.TrimRight(s, "/")
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host + strings.TrimRight(u.Path, "/")
}
