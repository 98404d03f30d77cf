package advise

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
)

// Schema is the value of the "schema" key of the advice document.
const Schema = "espreflight.advice/v1"

// Verdicts of one migration option.
const (
	VerdictWorks         = "works"
	VerdictWarnings      = "works with warnings"
	VerdictBlocked       = "blocked"
	VerdictCannotTell    = "cannot tell"
	VerdictNotApplicable = "not applicable"
)

// Goal says what the migration must achieve.
type Goal struct {
	// Mode is the mode the migration needs: "full" (default) or "incremental".
	// Every option is evaluated; the recommendation is chosen among this mode.
	Mode string
	// Filtered is true when only part of the data (a query) is migrated.
	Filtered bool
}

// Advice is the outcome of Run: every migration method (× mode) evaluated
// over the same facts, and the recommended one.
type Advice struct {
	Schema      string    `json:"schema"`
	EvaluatedAt time.Time `json:"evaluated_at"`
	Source      Cluster   `json:"source"`
	Destination Cluster   `json:"destination"`
	Volume      Volume    `json:"volume"`
	// Mode and Filtered repeat the goal the recommendation honours.
	Mode     string `json:"mode"`
	Filtered bool   `json:"filtered"`
	// Options has one entry per method × mode (and per plan variant such as
	// OSS cross-region replication), in the guide's order.
	Options []Option `json:"options"`
	// Recommended is the option to use; nil when no option is known to work.
	Recommended *Recommendation `json:"recommended"`
	// Notes explain the advice as a whole (unknown volume, nothing works, ...).
	Notes []string `json:"notes,omitempty"`
	// Unreachable lists the clusters that could not be probed.
	Unreachable []string `json:"unreachable,omitempty"`
}

// Cluster summarises one cluster for the advice.
type Cluster struct {
	Kind     string `json:"kind"`
	Provider string `json:"provider,omitempty"`
	Product  string `json:"product"`
	Version  string `json:"version"`
	Region   string `json:"region,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	// Architecture is the Alibaba network architecture (original | new), "" when not Alibaba or unknown.
	Architecture string `json:"architecture,omitempty"`
}

// Volume is the data volume the advice is based on.
type Volume struct {
	// Bytes is -1 when unknown.
	Bytes int64  `json:"bytes"`
	Human string `json:"human"`
	// From says where the figure comes from.
	From string `json:"from"`
	// Class is "small" (at most the reindex threshold), "large" or "unknown".
	Class   string `json:"class"`
	Indices int    `json:"indices"`
}

// Option is one evaluated migration option: a row of the matrix.
type Option struct {
	Method string `json:"method"`
	Mode   string `json:"mode"`
	// Variant names a plan change the option needs ("crr"), "" for none.
	Variant string `json:"variant,omitempty"`
	// Label is how the option is shown ("snapshot + OSS CRR").
	Label string `json:"label"`
	// Intermediate is the intermediate cluster chosen for snapshot-reindex.
	Intermediate *Intermediate `json:"intermediate,omitempty"`
	Verdict      string        `json:"verdict"`
	// Blocking are the error findings, one per rule; Unverified the error
	// findings that could not be verified; Warnings the warnings.
	Blocking   []Reason `json:"blocking"`
	Unverified []Reason `json:"unverified"`
	Warnings   []Reason `json:"warnings"`
	// Needs says what the plan must provide for this option (variants).
	Needs []string `json:"needs,omitempty"`
	// Assumes lists the plan choices the evaluation made on the user's behalf.
	Assumes []string `json:"assumes,omitempty"`
	// Note explains a verdict that no rule produced (not applicable).
	Note    string           `json:"note,omitempty"`
	Summary policies.Summary `json:"summary"`
	// Plan is the plan the option was evaluated with (in JSON only for the
	// recommended option, as Recommendation.Plan).
	Plan *probe.Plan `json:"-"`
}

// Key identifies an option: "method/mode" or "method/mode/variant".
func (o *Option) Key() string {
	k := o.Method + "/" + o.Mode
	if o.Variant != "" {
		k += "/" + o.Variant
	}
	return k
}

// Works reports whether the option works (with or without warnings).
func (o *Option) Works() bool {
	return o.Verdict == VerdictWorks || o.Verdict == VerdictWarnings
}

// Title is the option's label with its mode ("OSS snapshot (full)").
func (o *Option) Title() string { return o.Label + " (" + o.Mode + ")" }

// Reason is one rule's findings, reduced to a line.
type Reason struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Title    string `json:"title"`
	Message  string `json:"message"`
	// Count is the number of findings of the rule (one per index or cluster).
	Count int `json:"count"`
	// More is the number of further distinct messages of the rule.
	More int `json:"more"`
}

// Intermediate is the intermediate cluster picked for snapshot-reindex.
type Intermediate struct {
	Product string `json:"product"`
	Version string `json:"version"`
	// Fits is false when no release bridges the versions and Version is only
	// the release the path was evaluated with.
	Fits bool   `json:"fits"`
	Why  string `json:"why"`
}

// Recommendation names the option to use and why.
type Recommendation struct {
	Key          string        `json:"key"`
	Method       string        `json:"method"`
	Mode         string        `json:"mode"`
	Variant      string        `json:"variant,omitempty"`
	Label        string        `json:"label"`
	Verdict      string        `json:"verdict"`
	Intermediate *Intermediate `json:"intermediate,omitempty"`
	Why          []string      `json:"why"`
	Needs        []string      `json:"needs,omitempty"`
	// Alternatives are the labels of the other options that work, best first.
	Alternatives []string `json:"alternatives,omitempty"`
	// Plan is the plan the recommended option was evaluated with: the base of
	// `espreflight plan init --from-advice`.
	Plan *probe.Plan `json:"plan"`
}

// Best returns the recommended option of the advice, or nil.
func (a *Advice) Best() *Option {
	if a.Recommended == nil {
		return nil
	}
	for i := range a.Options {
		if a.Options[i].Key() == a.Recommended.Key {
			return &a.Options[i]
		}
	}
	return nil
}

// Read decodes an advice document (the JSON output of advise).
func Read(data []byte) (*Advice, error) {
	var a Advice
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("decode advice: %w", err)
	}
	if a.Schema != Schema {
		return nil, fmt.Errorf("advice schema is %q, want %q (write it with 'espreflight advise --format json')", a.Schema, Schema)
	}
	return &a, nil
}

// ProductName is the display name of a product ("elasticsearch" → "Elasticsearch").
func ProductName(p string) string {
	switch p {
	case "opensearch":
		return "OpenSearch"
	case "elasticsearch", "":
		return "Elasticsearch"
	}
	return p
}
