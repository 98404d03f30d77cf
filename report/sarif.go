package report

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
)

// ToolURI is the driver's informationUri.
const ToolURI = "https://github.com/espreflight/espreflight"

// SARIF fingerprint keys.
const (
	FingerprintKey = "espreflight/v1"
	lineHashKey    = "primaryLocationLineHash"
	srcRoot        = "%SRCROOT%"
	sarifDescMax   = 1024
	sarifNameMax   = 255
	aggNamesMax    = 100
)

func renderSARIF(w io.Writer, res *policies.Result, opts Options) error {
	rep, indent := buildSARIF(res, opts)
	return writeCleanSARIF(w, rep, indent)
}

// buildSARIF builds the log of a result, and says whether it is small
// enough to be indented.
func buildSARIF(res *policies.Result, opts Options) (*sarif.Report, bool) {
	rep := sarif.NewReport()
	run := sarif.NewRunWithInformationURI("espreflight", ToolURI)
	if v := strings.TrimPrefix(res.ToolVersion, "v"); v != "" {
		run.Tool.Driver.WithVersion(v)
		if semverRe.MatchString(v) {
			run.Tool.Driver.WithSemanticVersion(v)
		}
	}
	run.Tool.Driver.WithFullName("espreflight: Elasticsearch migration preflight")
	var items []item
	if !opts.failed() {
		statuses := ruleStatuses(res)
		// Rules first: results look their ruleIndex up among them.
		for _, s := range statuses {
			addSARIFRule(run, s.Rule)
		}
		items = capItems(statuses, opts.perRuleCap(), MaxSARIFRunResults)
		for _, it := range items {
			addSARIFResult(run, it, res, opts)
		}
	}
	run.WithAutomationDetails(sarif.NewRunAutomationDetails().WithID(automationID(res, opts)))

	inv := sarif.NewInvocation().
		WithExecutionSuccessful(opts.ExitCode == 0 || opts.ExitCode == 1).
		WithExitCode(opts.ExitCode).
		WithExitCodeDescription(exitMeaning(opts.ExitCode))
	for _, e := range opts.Errors {
		n := sarif.NewNotification().WithLevel(sarif.LevelError).WithMessage(sarif.NewTextMessage(strings.TrimSpace(e.Message)))
		if uri := sarifURI(e.File); uri != "" {
			region := sarif.NewRegion().WithStartLine(max(e.Line, 1))
			if e.Column > 0 {
				region.WithStartColumn(e.Column)
			}
			n.AddLocation(sarif.NewLocation().WithPhysicalLocation(sarif.NewPhysicalLocation().
				WithArtifactLocation(sarif.NewSimpleArtifactLocation(uri).WithURIBaseID(srcRoot)).
				WithRegion(region)))
		}
		inv.AddToolExecutionNotification(n)
	}
	if !opts.failed() {
		for _, n := range res.Notices {
			inv.AddToolExecutionNotification(sarif.NewNotification().WithLevel(sarif.LevelWarning).WithMessage(sarif.NewTextMessage(n)))
		}
	}
	run.AddInvocation(inv)
	run.WithProperties(runProperties(res, opts))
	rep.AddRun(run)
	return rep, len(items) <= sarifIndentMax
}

// sarifIndentMax: logs with more results are written without indentation,
// to stay well under the 10 MB the Multitool reads (and GitHub's limits).
const sarifIndentMax = 1000

// sentinelKeys are properties go-sarif writes as -1 when unset; SARIF §3.4
// says -1 means "unset", and the Multitool flags them (SARIF2004).
var sentinelKeys = map[string]bool{"id": true, "index": true, "parentIndex": true, "byteOffset": true, "charOffset": true, "rank": true, "length": true}

// keptEmpty are arrays that must stay even when empty (GitHub requires them).
var keptEmpty = map[string]bool{"runs": true, "results": true, "rules": true}

var semverRe = regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

func level(sev string) string {
	if sev == policies.SeverityError {
		return sarif.LevelError
	}
	return sarif.LevelWarning
}

// resultLevel is the level of a result. When a cluster could not be reached
// (exit 3), a finding that could not be verified is a note: it comes and goes
// with the network, and at the rule's level it would open a code-scanning
// alert on every outage and close it when the network is back. The job
// still fails on the exit code.
func resultLevel(f *policies.Finding, opts Options) string {
	if f.Unverified && opts.ExitCode == exitUnreachable {
		return sarif.LevelNote
	}
	return level(f.Severity)
}

func addSARIFRule(run *sarif.Run, r policies.Rule) {
	full := strings.TrimSpace(r.Description)
	if full == "" {
		full = r.Title
	}
	title := r.Title
	if title == "" {
		title = r.ID
	}
	plain, md := ruleHelp(r, full)
	rd := run.AddRule(r.ID).
		WithName(ruleName(r)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(truncate(title, sarifDescMax))).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(truncate(oneLine(full), sarifDescMax))).
		WithHelp(sarif.NewMultiformatMessageString().WithText(plain).WithMarkdown(md)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level(r.Severity)))
	if r.HelpURI != "" {
		rd.WithHelpURI(r.HelpURI)
	}
	tags := []string{"espreflight", "migration"}
	if area := ruleArea(r); area != "" {
		tags = append(tags, area)
	}
	if r.Custom {
		tags = append(tags, "custom")
	}
	problem := "error"
	if r.Severity != policies.SeverityError {
		problem = "warning"
	}
	props := sarif.NewPropertyBag().Add("precision", "high").Add("problem.severity", problem).WithTags(tags)
	if r.Custom {
		props.Add("custom", true)
	}
	if len(r.Methods) > 0 {
		props.Add("methods", r.Methods)
	}
	rd.WithProperties(props)
}

// ruleHelp is the rule's help as plain text and as Markdown: description,
// remediation, example and primary source.
func ruleHelp(r policies.Rule, desc string) (string, string) {
	var t, m strings.Builder
	t.WriteString(desc)
	m.WriteString(desc)
	if rem := strings.TrimSpace(r.Remediation); rem != "" {
		fmt.Fprintf(&t, "\n\nRemediation: %s", rem)
		fmt.Fprintf(&m, "\n\n**Remediation**\n\n%s", rem)
	}
	if ex := strings.TrimRight(r.Example, "\n "); ex != "" {
		fmt.Fprintf(&t, "\n\nExample that makes the rule fire:\n%s", ex)
		fmt.Fprintf(&m, "\n\n**Example that makes the rule fire**\n\n```yaml\n%s\n```", ex)
	}
	if r.HelpURI != "" {
		fmt.Fprintf(&t, "\n\nSource: %s", r.HelpURI)
		fmt.Fprintf(&m, "\n\n**Source:** <%s>", r.HelpURI)
	}
	fmt.Fprintf(&t, "\n\nRule %s (espreflight)", r.ID)
	fmt.Fprintf(&m, "\n\nRule `%s` (espreflight)", r.ID)
	return t.String(), m.String()
}

// ruleName is a PascalCase name derived from the title ("Plan migrates
// system indices" → "PlanMigratesSystemIndices").
func ruleName(r policies.Rule) string {
	var b strings.Builder
	up := true
	for _, c := range r.Title {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c):
			if up {
				c = unicode.ToUpper(c)
			}
			b.WriteRune(c)
			up = false
		default:
			up = true
		}
	}
	if b.Len() == 0 {
		return r.ID
	}
	return truncate(b.String(), sarifNameMax)
}

// ruleArea is the last package segment ("espreflight.rules.arch" → "arch").
func ruleArea(r policies.Rule) string {
	if r.Package == "" {
		return ""
	}
	return r.Package[strings.LastIndex(r.Package, ".")+1:]
}

var slugRe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// automationID is the run's category: "espreflight/<plan name>/", the name
// made safe ("/" and spaces become "-"), falling back to the plan file name.
// A failed run (exit 2) has its own category, "espreflight/<name>/failed/":
// uploaded under the plan's category, its empty results would mark every
// open alert of the plan fixed, and the next good run would reopen them.
func automationID(res *policies.Result, opts Options) string {
	name := res.PlanName
	if name == "" && res.PlanFile != "" {
		base := path.Base(filepath.ToSlash(res.PlanFile))
		name = strings.TrimSuffix(base, path.Ext(base))
	}
	name = strings.Trim(slugRe.ReplaceAllString(name, "-"), "-")
	if name == "" {
		name = "plan"
	}
	if opts.failed() {
		return "espreflight/" + name + "/failed/"
	}
	return "espreflight/" + name + "/"
}

// sarifURI turns the plan path as given on the command line into a relative
// URI reference (relPath, percent-encoded where needed), so that no absolute
// or file:// URI is ever written.
func sarifURI(p string) string {
	p = relPath(p)
	if p == "" {
		return ""
	}
	u := url.URL{Path: p}
	return u.String()
}

// relPath is the plan path as given on the command line, as CI systems
// resolve it from the repository root: slashes, no "./". An absolute path
// (which the CLI should not pass) is made relative to the working folder
// when it lies below it, else reduced to its base name.
func relPath(p string) string {
	if p == "" {
		return ""
	}
	if filepath.IsAbs(p) {
		if wd, err := filepath.Abs("."); err == nil {
			if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
				p = rel
			} else {
				p = filepath.Base(p)
			}
		} else {
			p = filepath.Base(p)
		}
	}
	p = path.Clean(filepath.ToSlash(p))
	return strings.TrimPrefix(p, "/")
}

func addSARIFResult(run *sarif.Run, it item, res *policies.Result, opts Options) {
	f := it.F
	r := run.CreateResultForRule(f.Rule).
		WithLevel(resultLevel(f, opts)).
		WithMessage(sarif.NewTextMessage(resultMessage(it)))

	file := f.Location.File
	if file == "" {
		file = res.PlanFile
	}
	line := max(f.Location.Line, 1)
	loc := sarif.NewLocation().WithID(0)
	if uri := sarifURI(file); uri != "" {
		al := sarif.NewSimpleArtifactLocation(uri).WithURIBaseID(srcRoot)
		loc.WithPhysicalLocation(sarif.NewPhysicalLocation().
			WithArtifactLocation(al).
			WithRegion(sarif.NewRegion().WithStartLine(line)))
	}
	if ll := logicalLocation(f, it.Agg != nil, opts.Facts); ll != nil {
		loc.AddLogicalLocation(ll)
	}
	r.AddLocation(loc)

	fp := it.Fingerprint
	r.WithPartialFingerprints(map[string]string{
		FingerprintKey: fp,
		lineHashKey:    fp[:16] + ":1",
	})

	props := sarif.NewPropertyBag()
	if f.Cluster != "" {
		props.Add("cluster", f.Cluster)
	}
	if it.Agg == nil && f.Index != "" {
		props.Add("index", f.Index)
	}
	if f.Location.Path != "" {
		props.Add("planPath", f.Location.Path)
	}
	if f.Unverified {
		props.Add("unverified", true)
		props.WithTags([]string{"could-not-verify"})
	}
	if it.Agg != nil {
		idx := findingIndices(it.Agg)
		props.Add("aggregated", true).Add("aggregatedCount", len(it.Agg))
		if len(idx) > 0 {
			props.Add("indices", idx[:min(len(idx), aggNamesMax)])
		}
	}
	r.WithProperties(props)

	if w := f.Waived; w != nil {
		s := sarif.NewSuppression().WithKind("external").WithStatus("accepted").WithJustification(justification(w))
		sp := sarif.NewPropertyBag().Add("expires", w.Expires)
		if w.Ticket != "" {
			sp.Add("ticket", w.Ticket)
		}
		if w.ApprovedBy != "" {
			sp.Add("approvedBy", w.ApprovedBy)
		}
		s.WithProperties(sp)
		if uri := sarifURI(res.PlanFile); uri != "" && w.Line > 0 {
			s.WithLocation(sarif.NewLocation().WithID(0).WithPhysicalLocation(sarif.NewPhysicalLocation().
				WithArtifactLocation(sarif.NewSimpleArtifactLocation(uri).WithURIBaseID(srcRoot)).
				WithRegion(sarif.NewRegion().WithStartLine(w.Line))))
		}
		r.AddSuppression(s)
	}
}

func justification(w *policies.Waiver) string {
	s := oneLine(w.Reason)
	var extra []string
	if w.Ticket != "" {
		extra = append(extra, "ticket "+w.Ticket)
	}
	if w.ApprovedBy != "" {
		extra = append(extra, "approved by "+w.ApprovedBy)
	}
	extra = append(extra, "expires "+w.Expires)
	return s + " (" + strings.Join(extra, ", ") + ")"
}

// resultMessage is the result text: the subject and message first (GitHub
// uses the first sentence as the alert title), then the evidence.
func resultMessage(it item) string {
	f := it.F
	msg := oneLine(f.Message)
	if f.Unverified && !strings.HasPrefix(strings.ToLower(msg), "could not verify") {
		msg = "Could not verify: " + msg
	}
	var b strings.Builder
	switch {
	case it.Agg != nil:
		idx := findingIndices(it.Agg)
		if len(idx) > 0 {
			fmt.Fprintf(&b, "%s (%s on the %s, aggregated into this one result: %s)", msg,
				plural(len(idx), "more index", "more indices"), clusterSubject(f.Cluster), names(idx, DefaultMaxNames))
		} else {
			fmt.Fprintf(&b, "%s (%s aggregated into this one result)", msg, plural(len(it.Agg), "more finding", "more findings"))
		}
	case f.Index != "":
		fmt.Fprintf(&b, "Index %s on the %s: %s", f.Index, clusterSubject(f.Cluster), msg)
	default:
		b.WriteString(msg)
	}
	if len(f.Evidence) > 0 {
		b.WriteString("\n\nEvidence:")
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "\n- %s = %s", e.Fact, formatValue(e.Value, textValueMax))
			if e.Source != "" {
				fmt.Fprintf(&b, " (%s)", e.Source)
			}
		}
	}
	return b.String()
}

// logicalLocation names the cluster (and index) of a finding:
// fullyQualifiedName "clusters/<role>[/indices/<index>]", with the cluster's
// name from the facts as decoratedName when known.
func logicalLocation(f *policies.Finding, agg bool, facts *probe.Facts) *sarif.LogicalLocation {
	if f.Cluster == "" {
		return nil
	}
	fqn := "clusters/" + f.Cluster
	name := f.Cluster
	if f.Index != "" && !agg {
		fqn += "/indices/" + f.Index
		name = f.Index
	}
	ll := sarif.NewLogicalLocation().WithName(name).WithFullyQualifiedName(fqn).WithKind("resource")
	if facts != nil {
		if c := facts.Clusters.ByRole(f.Cluster); c != nil && c.ClusterName != "" {
			d := c.ClusterName
			if f.Index != "" && !agg {
				d += "/" + f.Index
			}
			ll.WithDecoratedName(d)
		}
	}
	return ll
}

// runProperties records the plan, the summary and, with facts, what each
// cluster is.
func runProperties(res *policies.Result, opts Options) *sarif.PropertyBag {
	p := sarif.NewPropertyBag()
	if res.PlanName != "" {
		p.Add("planName", res.PlanName)
	}
	if res.PlanFile != "" {
		p.Add("planFile", sarifURI(res.PlanFile))
	}
	if !res.EvaluatedAt.IsZero() {
		p.Add("evaluatedAt", res.EvaluatedAt.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if !opts.failed() {
		p.Add("summary", res.Summary)
	}
	if na := notApplicableIDs(res); len(na) > 0 {
		// Not applicable rules get no result (GitHub would show any result
		// as an alert); they are listed here and counted in the summary.
		p.Add("method", res.Method)
		p.Add("notApplicableRules", na)
	}
	if fi, ok := factsAge(res); ok {
		p.Add("factsCollectedAt", res.FactsCollectedAt.UTC().Format("2006-01-02T15:04:05Z"))
		p.Add("factsAgeSeconds", fi.AgeSeconds)
	}
	if f := opts.Facts; f != nil {
		if !f.CollectedAt.IsZero() && res.FactsCollectedAt.IsZero() {
			p.Add("factsCollectedAt", f.CollectedAt.UTC().Format("2006-01-02T15:04:05Z"))
		}
		cl := map[string]any{}
		for _, role := range []string{probe.RoleSource, probe.RoleDestination, probe.RoleIntermediate} {
			c := f.Clusters.ByRole(role)
			if c == nil {
				continue
			}
			m := map[string]any{"product": c.Product, "endpoint": c.Endpoint}
			if c.Version != nil {
				m["version"] = c.Version.Number
			}
			if c.ClusterName != "" {
				m["clusterName"] = c.ClusterName
			}
			if c.ClusterUUID != "" {
				m["clusterUuid"] = c.ClusterUUID
			}
			cl[role] = m
		}
		if len(cl) > 0 {
			p.Add("clusters", cl)
		}
	}
	return p
}
