package probe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// target is the path and query that r sends ("/_cat/indices?format=json"),
// as the cluster receives it; r is built, not sent.
func (r request) target() string {
	var t captureTransport
	_, _ = r.api.Do(context.Background(), &t)
	if t.req == nil {
		return ""
	}
	return t.req.URL.RequestURI()
}

// captureTransport keeps the request it is asked to perform and sends nothing.
type captureTransport struct{ req *http.Request }

var errNotSent = errors.New("not sent")

func (t *captureTransport) Perform(req *http.Request) (*http.Response, error) {
	t.req = req
	return nil, errNotSent
}

var _ esapi.Transport = (*captureTransport)(nil)

// readableTarget is target with the query unescaped, for people.
func (r request) readableTarget() string {
	path, query, ok := strings.Cut(r.target(), "?")
	if !ok {
		return path
	}
	if q, err := url.QueryUnescape(query); err == nil {
		query = q
	}
	return path + "?" + query
}

// docVersion is one product version docs/probe.md tells the requests for.
type docVersion struct {
	product      string
	major, minor int
}

func (v docVersion) detected() *detected {
	return &detected{Product: v.product, Version: &Version{
		Number: fmt.Sprintf("%d.%d.0", v.major, v.minor), Major: v.major, Minor: v.minor,
	}}
}

// lastDocMinor stands for "this minor and every later one" of each major:
// the probe's gates name a major and a minor, so every minor up to it is
// enumerated and runs of versions with the same requests become ranges.
const lastDocMinor = 30

// docProducts are the products and majors docs/probe.md covers: what the
// probe is built for.
var docProducts = []struct {
	product, name string
	first, last   int
}{
	{"elasticsearch", "Elasticsearch", 5, 9},
	{"opensearch", "OpenSearch", 1, 3},
}

// versionRange is a run of versions of one product with the same requests.
type versionRange struct {
	name     string
	from, to docVersion
	last     bool // to is the last enumerated version: "and later"
}

func (r versionRange) String() string {
	from := fmt.Sprintf("%s %d.%d", r.name, r.from.major, r.from.minor)
	switch {
	case r.last:
		return from + " and later"
	case r.from == r.to:
		return from
	case r.to.minor == lastDocMinor:
		return fmt.Sprintf("%s–%d.x", from, r.to.major)
	}
	return fmt.Sprintf("%s–%d.%d", from, r.to.major, r.to.minor)
}

// requestGroup is a list of requests and the versions that get it.
type requestGroup struct {
	targets  []string
	versions []versionRange
}

// requestsByVersion groups the versions of every product by the requests
// the collector sends them, in version order.
func (c collector) requestsByVersion() []requestGroup {
	var groups []requestGroup
	index := map[string]int{}
	for _, p := range docProducts {
		var run *versionRange
		var runKey string
		flush := func() {
			if run == nil {
				return
			}
			i, ok := index[runKey]
			if !ok {
				i = len(groups)
				index[runKey] = i
				var targets []string // none: the versions get no request
				if runKey != "" {
					targets = strings.Split(runKey, "\n")
				}
				groups = append(groups, requestGroup{targets: targets})
			}
			groups[i].versions = append(groups[i].versions, *run)
		}
		for major := p.first; major <= p.last; major++ {
			for minor := 0; minor <= lastDocMinor; minor++ {
				v := docVersion{p.product, major, minor}
				var targets []string
				for _, r := range c.requests(v.detected()) {
					targets = append(targets, r.readableTarget())
				}
				key := strings.Join(targets, "\n")
				if run != nil && key == runKey {
					run.to = v
					continue
				}
				flush()
				run, runKey = &versionRange{name: p.name, from: v, to: v}, key
			}
		}
		run.last = true
		flush()
	}
	return groups
}

// probeMarkdown renders docs/probe.md from collectorTable.
func probeMarkdown() []byte {
	var b bytes.Buffer
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# What the probe collects\n\n")
	w("<!-- Generated from the collector table (probe/collectors.go) by `go test ./probe -run TestProbeDoc -update`; do not edit. -->\n\n")
	w("`espreflight probe`, and `check` or `advise` without `--facts`, ask each cluster that has an endpoint the requests below: ")
	w("GET only, concurrently, and as many for a cluster of 100 000 indices as for one of 10. ")
	w("`GET /` comes first: every other request depends on the product and version it reports, because Elasticsearch refuses ")
	w("a query parameter it does not know (since 5.0, <https://github.com/elastic/elasticsearch/pull/20722>).\n\n")
	w("A fact that cannot be collected stays `null` in the facts document and is listed under the cluster's `unknown` with the ")
	w("request and the reason: a refused, failed or timed-out request (each attempt gets `--timeout`, %ds by default; the whole probe ", int(DefaultTimeout.Seconds()))
	w("`--deadline`, %ds), a body that is not the JSON expected, or one larger than `--max-response-size` (%dmb), that decodes to more than twice that in memory or that holds one value longer than a sixteenth of it. ", int(DefaultDeadline.Seconds()), DefaultMaxResponseBytes>>20)
	w("A rule that needs an unknown fact reports that it could not verify. HTTP 429, 502, 503 and 504, network errors and a connection ")
	w("that fails halfway through a body are retried %d times with backoff; a 429 or 503 with `Retry-After` (seconds or a date) is tried ", DefaultRetries)
	w("again after the wait it asks for if that is at most %ds (and `--timeout`) and ends before `--deadline`, else not at all, and the reason says so. ", int(MaxRetryAfter.Seconds()))
	w("Without a probe (no endpoint, or facts from the plan only) every fact below is unknown except a version ")
	w("and product the plan declares.\n\n")

	w("| Fact | What it is for |\n|---|---|\n")
	for _, c := range collectorTable {
		w("| %s | %s |\n", factList(c.facts), firstSentence(c.purpose))
	}
	for _, c := range collectorTable {
		w("\n## %s\n\n%s\n\n", strings.Join(c.facts, ", "), c.purpose)
		for _, g := range c.requestsByVersion() {
			labels := make([]string, len(g.versions))
			for i, v := range g.versions {
				labels[i] = v.String()
			}
			if len(g.targets) == 0 {
				w("- %s: no request\n", strings.Join(labels, "; "))
				continue
			}
			w("- %s:\n", strings.Join(labels, "; "))
			for _, t := range g.targets {
				w("  - `GET %s`\n", t)
			}
		}
		if c.notes != "" {
			w("\n%s\n", c.notes)
		}
	}

	b.WriteString(contentFieldsDoc)
	w("\n## The other keys of a cluster\n\n| Key | What it holds |\n|---|---|\n")
	for _, c := range collectorTable {
		for _, l := range c.labels {
			w("| `%s` | a label for people, filled with %s when the cluster gives it; never listed as unknown, so no rule relies on it |\n", l, factList(c.facts))
		}
	}
	for _, n := range notCollected {
		w("| `%s` | %s |\n", n.key, n.from)
	}
	return b.Bytes()
}

func factList(facts []string) string {
	parts := make([]string, len(facts))
	for i, f := range facts {
		parts[i] = "`" + f + "`"
	}
	return strings.Join(parts, ", ")
}

// firstSentence is s up to its first ". ", or s.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
