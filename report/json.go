package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/espreflight/espreflight/policies"
)

// FindingsSchema is the value of the "schema" key of the findings document
// (check --format json). v1 had one finding per index, each with its rule's
// title, remediation and help URI: 1.3 KB per index, 150 MB at 100 000
// indices. v2 describes each rule once and lists the indices a finding is
// about in the finding.
const FindingsSchema = "espreflight.findings/v2"

// FindingsDocument is what check --format json writes (docs/ci.md, "What
// each format holds"; docs/schema/findings.schema.json is generated from
// it). Its findings are grouped: the findings that differ
// only in their index are one entry listing those indices, so the document
// grows with the number of distinct findings and index names, not with the
// number of indices times the size of a finding.
type FindingsDocument struct {
	// Schema is FindingsSchema.
	Schema string `json:"schema"`
	// Rules describes each rule that has a finding, by rule id: what the
	// findings of that rule share.
	Rules map[string]RuleInfo `json:"rules"`
	// Findings are in the stable report order: rule, cluster, (first)
	// index, message.
	Findings []FindingEntry `json:"findings"`
	// Summary counts the rules by outcome; zero in a failed run.
	Summary policies.Summary `json:"summary"`
	// Facts says when the facts were collected and how long before the
	// evaluation, when known.
	Facts *FactsInfo `json:"facts,omitempty"`
	// NotApplicable lists the ids of the rules that do not apply to the
	// plan's method; left out when there is none.
	NotApplicable []string `json:"not_applicable,omitempty"`
	// Notices are problems with the evaluation that fail no rule, such as
	// a waiver that matches nothing.
	Notices []string `json:"notices,omitempty"`
	// Errors say why a run failed (exit 2) or what could not be reached
	// (exit 3).
	Errors []RunError `json:"errors,omitempty"`
}

// RuleInfo is what every finding of a rule shares.
type RuleInfo struct {
	// Severity is the rule's: error or warning. A finding may raise it to
	// error (FindingEntry.Severity).
	Severity string `json:"severity"`
	Title    string `json:"title"`
	// Remediation says how to fix a violation of the rule.
	Remediation string `json:"remediation"`
	// HelpURI is the primary source the rule is built on.
	HelpURI string `json:"help_uri"`
}

// FindingEntry is one finding, or the findings of one rule that differ only
// in the index they are about.
type FindingEntry struct {
	Rule string `json:"rule"`
	// Severity is this finding's: error or warning.
	Severity string `json:"severity"`
	Message  string `json:"message"`
	// Cluster is the role of the cluster concerned (source, destination,
	// intermediate) or "".
	Cluster string `json:"cluster"`
	// Indices are the indices the finding is about, in name order; [] for
	// a finding about a whole cluster or the plan.
	Indices  []string            `json:"indices"`
	Evidence []policies.Evidence `json:"evidence"`
	// Remediation is given only when it is not the rule's: a finding that
	// could not be verified says how to get the fact it lacked.
	Remediation string            `json:"remediation,omitempty"`
	Location    policies.Location `json:"location"`
	Waived      *policies.Waiver  `json:"waived"`
	// Unverified is true when the rule could not decide because a fact it
	// needs is unknown.
	Unverified bool `json:"unverified"`
	// Cause names the one cause that left an unverified finding unverified
	// (e.g. destination-unreachable), or "".
	Cause string `json:"cause,omitempty"`
}

// entryKey is what the findings of one entry share: everything but the
// index. Evidence is compared by its JSON, encoded once per backing array
// (the findings a rule expands into per index share one).
type entryKey struct {
	rule, severity, message, cluster, remediation, cause, evidence string
	location                                                       policies.Location
	waiver                                                         policies.Waiver
	waived, unverified, perIndex                                   bool
}

// NewFindingsDocument builds the findings document of a result (a failed
// run when opts says so).
func NewFindingsDocument(res *policies.Result, opts Options) *FindingsDocument {
	doc := &FindingsDocument{Schema: FindingsSchema, Rules: map[string]RuleInfo{}, Findings: []FindingEntry{}, Errors: opts.Errors}
	if fi, ok := factsAge(res); ok {
		doc.Facts = &fi
	}
	if opts.failed() {
		return doc
	}
	doc.Summary, doc.NotApplicable, doc.Notices = res.Summary, notApplicableIDs(res), res.Notices
	rules := make(map[string]*policies.Rule, len(res.Rules))
	for i := range res.Rules {
		rules[res.Rules[i].ID] = &res.Rules[i]
	}
	byKey := map[entryKey]int{}
	evidence := map[*policies.Evidence]string{}
	for _, f := range sortedFindings(res) {
		var rule policies.Rule
		if r, ok := rules[f.Rule]; ok {
			rule = *r
		} else {
			rule = policies.Rule{ID: f.Rule, Severity: f.Severity, Title: f.Title, Remediation: f.Remediation, HelpURI: f.HelpURI}
		}
		if _, ok := doc.Rules[f.Rule]; !ok {
			doc.Rules[f.Rule] = RuleInfo{Severity: rule.Severity, Title: rule.Title, Remediation: rule.Remediation, HelpURI: rule.HelpURI}
		}
		k := entryKey{rule: f.Rule, severity: f.Severity, message: f.Message, cluster: f.Cluster, cause: f.Cause,
			location: f.Location, unverified: f.Unverified, perIndex: f.Index != ""}
		if f.Remediation != rule.Remediation {
			k.remediation = f.Remediation
		}
		if f.Waived != nil {
			k.waived, k.waiver = true, *f.Waived
		}
		if len(f.Evidence) > 0 {
			e, ok := evidence[&f.Evidence[0]]
			if !ok {
				b, err := json.Marshal(f.Evidence)
				e = "=" + string(b)
				if err != nil { // never for values a policy returns; then grouped by array only
					e = fmt.Sprintf("%p", &f.Evidence[0])
				}
				evidence[&f.Evidence[0]] = e
			}
			k.evidence = e
		}
		i, ok := byKey[k]
		if !ok || !k.perIndex {
			i = len(doc.Findings)
			byKey[k] = i
			ev := f.Evidence
			if ev == nil {
				ev = []policies.Evidence{}
			}
			doc.Findings = append(doc.Findings, FindingEntry{Rule: f.Rule, Severity: f.Severity, Message: f.Message, Cluster: f.Cluster,
				Indices: []string{}, Evidence: ev, Remediation: k.remediation, Location: f.Location, Waived: f.Waived,
				Unverified: f.Unverified, Cause: f.Cause})
		}
		if f.Index != "" {
			doc.Findings[i].Indices = append(doc.Findings[i].Indices, f.Index)
		}
	}
	return doc
}

// renderJSON writes the findings document. The bytes are those of
// encoding/json with a two-space indent for the whole FindingsDocument
// (json_test.go), but written one finding entry at a time, so a result
// whose findings do not group (a rule with a message per index) is never
// held twice.
func renderJSON(w io.Writer, res *policies.Result, opts Options) error {
	doc := NewFindingsDocument(res, opts)
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// encode writes v at the given depth of the document, without the
	// trailing newline the encoder adds.
	encode := func(v any, prefix string) error {
		buf.Reset()
		enc.SetIndent(prefix, "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err := bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	}
	field := func(name string, v any, first bool) error {
		if !first {
			bw.WriteString(",")
		}
		bw.WriteString("\n  \"" + name + "\": ")
		return encode(v, "  ")
	}
	bw.WriteString("{")
	if err := field("schema", doc.Schema, true); err != nil {
		return err
	}
	if err := field("rules", doc.Rules, false); err != nil {
		return err
	}
	if len(doc.Findings) == 0 {
		bw.WriteString(",\n  \"findings\": []")
	} else {
		bw.WriteString(",\n  \"findings\": [\n")
		for i, f := range doc.Findings {
			bw.WriteString("    ")
			if err := encode(f, "    "); err != nil {
				return err
			}
			if i < len(doc.Findings)-1 {
				bw.WriteString(",")
			}
			bw.WriteString("\n")
		}
		bw.WriteString("  ]")
	}
	if err := field("summary", doc.Summary, false); err != nil {
		return err
	}
	if doc.Facts != nil {
		if err := field("facts", doc.Facts, false); err != nil {
			return err
		}
	}
	for _, opt := range []struct {
		name string
		v    []string
	}{{"not_applicable", doc.NotApplicable}, {"notices", doc.Notices}} {
		if len(opt.v) > 0 {
			if err := field(opt.name, opt.v, false); err != nil {
				return err
			}
		}
	}
	if len(doc.Errors) > 0 {
		if err := field("errors", doc.Errors, false); err != nil {
			return err
		}
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}
