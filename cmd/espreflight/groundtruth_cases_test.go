package main

// The ground-truth cases (testdata/integration/*.yaml): each file is a
// migration plan that espreflight reads as it is, and the lines starting with
// "#gt " hold, as YAML, what the case runs on the real nodes and what the real
// engines do. The real-node run is TestGroundTruth (build tag integration,
// testdata/nodes/integration.sh); TestGroundTruthCases below checks, in
// `make test`, that every case is well formed and belongs to one phase.

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// Outcomes of a migration, predicted or real.
const (
	outWorks    = "works"
	outBlocked  = "blocked"
	outCantTell = "cannot tell"
)

// gtCase is one ground-truth case: a plan file and its "#gt" block.
type gtCase struct {
	Name string `yaml:"-"` // the file name without .yaml; the subtest name
	File string `yaml:"-"`
	Plan gtPlan `yaml:"-"`

	Phase string `yaml:"phase"` // the phase of testdata/nodes/phases.conf that runs it
	Nodes struct {
		Source       string `yaml:"source"`
		Destination  string `yaml:"destination"`
		Intermediate string `yaml:"intermediate"`
	} `yaml:"nodes"`
	// Down names roles whose node is deliberately not running in the phase
	// (a cluster the migration cannot reach).
	Down   []string            `yaml:"down"`
	Setup  []gtSetup           `yaml:"setup"`
	Expect map[string]gtExpect `yaml:"expect"` // every index the plan selects on the source
}

// gtExpect is the real outcome of one index, as the engines decide it.
type gtExpect struct {
	Real  string `yaml:"real"`  // works | blocked
	Error string `yaml:"error"` // blocked: a regular expression the engine's own error matches
	// Rule is the rule whose error finding predicts the failure. Empty on a
	// blocked index means only that some error finding must predict it.
	Rule string `yaml:"rule"`
}

// gtSetup prepares a cluster before anything is read: what the verdict sees
// is what the migration meets.
type gtSetup struct {
	On string `yaml:"on"` // source | destination | intermediate

	// Create an index with generated documents.
	Create         string   `yaml:"create"`
	Kind           string   `yaml:"kind"` // logs (default) | orders
	Docs           int      `yaml:"docs"`
	Shards         int      `yaml:"shards"`
	Types          []string `yaml:"types"` // 5.x: one mapping type per name, documents spread over them
	SourceDisabled bool     `yaml:"source_disabled"`
	Closed         bool     `yaml:"closed"`
	// LabelsType adds a field "labels" of that type (e.g. flat_object),
	// each document giving it a small object.
	LabelsType string `yaml:"labels_type"`
	// Fields adds that many keyword fields f0001… to the mapping and to
	// every document, raising the index's total_fields limit to fit them.
	Fields int `yaml:"fields"`

	// Legacy restores Index of node From (snapshot there) on the cluster as
	// As, which keeps the creating version of From.
	Legacy *struct {
		From  string `yaml:"from"`
		Index string `yaml:"index"`
		As    string `yaml:"as"`
	} `yaml:"legacy"`

	// ShardLimit "exhausted" sets cluster.max_shards_per_node (transient,
	// reset after the case) to the shards the cluster already holds.
	ShardLimit string `yaml:"shard_limit"`
}

// gtPlan holds the plan keys the real migration follows.
type gtPlan struct {
	Method      string   `yaml:"method"`
	Indices     []string `yaml:"indices"`
	Source      gtEnd    `yaml:"source"`
	Destination gtEnd    `yaml:"destination"`
	Intermed    gtEnd    `yaml:"intermediate"`
	Snapshot    struct {
		RenamePattern     string `yaml:"rename_pattern"`
		RenameReplacement string `yaml:"rename_replacement"`
		IncludeAliases    *bool  `yaml:"include_aliases"`
	} `yaml:"snapshot"`
	Reindex struct {
		RemoteHost string `yaml:"remote_host"`
	} `yaml:"reindex"`
}

type gtEnd struct {
	Endpoint string `yaml:"endpoint"`
}

// gtPhases reads testdata/nodes/phases.conf: phase name -> node names.
func gtPhases(t *testing.T) (map[string][]string, []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "nodes", "phases.conf"))
	if err != nil {
		t.Fatal(err)
	}
	phases, order := map[string][]string{}, []string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) < 2 || len(f) > 4 {
			t.Fatalf("phases.conf: %q: want a phase name and one to three nodes", sc.Text())
		}
		phases[f[0]] = f[1:]
		order = append(order, f[0])
	}
	return phases, order
}

// loadGTCases reads every case of testdata/integration.
func loadGTCases(t *testing.T) []*gtCase {
	t.Helper()
	files, err := filepath.Glob(testdata("integration", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no ground-truth case under testdata/integration (%v)", err)
	}
	sort.Strings(files)
	var cases []*gtCase
	for _, f := range files {
		c, err := parseGTCase(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cases = append(cases, c)
	}
	return cases
}

func parseGTCase(file string) (*gtCase, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var gt bytes.Buffer
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "#gt "); ok {
			gt.WriteString(rest + "\n")
		} else if line == "#gt" {
			gt.WriteString("\n")
		}
	}
	if gt.Len() == 0 {
		return nil, fmt.Errorf(`no "#gt " lines: say what the case runs and what the real engines do`)
	}
	c := &gtCase{File: file, Name: strings.TrimSuffix(filepath.Base(file), ".yaml")}
	if err := yaml.UnmarshalWithOptions(gt.Bytes(), c, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("the #gt block: %v", err)
	}
	if err := yaml.Unmarshal(b, &c.Plan); err != nil {
		return nil, fmt.Errorf("the plan: %v", err)
	}
	return c, nil
}

// nodeNames are the case's nodes, source and destination first.
func (c *gtCase) nodeNames() []string {
	out := []string{c.Nodes.Source, c.Nodes.Destination}
	if c.Nodes.Intermediate != "" {
		out = append(out, c.Nodes.Intermediate)
	}
	for _, s := range c.Setup {
		if s.Legacy != nil && !slices.Contains(out, s.Legacy.From) {
			out = append(out, s.Legacy.From)
		}
	}
	return out
}

// isDown says whether the case's node is deliberately not running.
func (c *gtCase) isDown(node string) bool {
	for _, r := range c.Down {
		if c.roleNode(r) == node {
			return true
		}
	}
	return false
}

// roleNode is the node of a plan role.
func (c *gtCase) roleNode(role string) string {
	switch role {
	case "source":
		return c.Nodes.Source
	case "destination":
		return c.Nodes.Destination
	case "intermediate":
		return c.Nodes.Intermediate
	}
	return ""
}

// validate checks the case against its phase and its plan.
func (c *gtCase) validate(phases map[string][]string, known map[string]string) []string {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	pn, ok := phases[c.Phase]
	if !ok {
		bad("phase %q is not in testdata/nodes/phases.conf", c.Phase)
	}
	for _, n := range c.nodeNames() {
		switch _, ok := known[n]; {
		case !ok:
			bad("node %q is not in testdata/nodes/nodes.conf", n)
		case pn == nil:
		case c.isDown(n) && slices.Contains(pn, n):
			bad("node %s is down in the case but started in phase %s", n, c.Phase)
		case !c.isDown(n) && !slices.Contains(pn, n):
			bad("node %s is not started in phase %s (%s)", n, c.Phase, strings.Join(pn, " "))
		}
	}
	for _, r := range c.Down {
		if c.roleNode(r) == "" || r == "source" {
			bad("down: %q is not a role of the case other than the source", r)
		}
	}
	if c.Nodes.Source == "" || c.Nodes.Destination == "" {
		bad("nodes.source and nodes.destination are required")
	}
	if (c.Plan.Method == "snapshot-reindex") != (c.Nodes.Intermediate != "") {
		bad("nodes.intermediate is for method snapshot-reindex only (and required there)")
	}
	for role, end := range map[string]gtEnd{"source": c.Plan.Source, "destination": c.Plan.Destination, "intermediate": c.Plan.Intermed} {
		n := c.roleNode(role)
		if n == "" {
			continue
		}
		if want := known[n]; want != "" && end.Endpoint != want {
			bad("plan %s.endpoint %q, but node %s listens on %s", role, end.Endpoint, n, want)
		}
	}
	switch c.Plan.Method {
	case "snapshot", "snapshot-reindex", "elasticsearch-dump":
	case "reindex":
		if c.Plan.Reindex.RemoteHost == "" {
			bad("method reindex: the plan needs reindex.remote_host (the case sends it as source.remote.host)")
		}
	default:
		bad("method %q has no real migration in the harness", c.Plan.Method)
	}
	if len(c.Expect) == 0 {
		bad("expect: list every index the plan selects and its real outcome")
	}
	for ix, e := range c.Expect {
		switch e.Real {
		case outWorks:
			if e.Error != "" || e.Rule != "" {
				bad("expect %s: error and rule are for blocked indices", ix)
			}
		case outBlocked:
			if e.Error == "" {
				bad("expect %s: a blocked index states the engine's error (a regular expression)", ix)
			} else if _, err := regexp.Compile(e.Error); err != nil {
				bad("expect %s: error: %v", ix, err)
			}
		default:
			bad("expect %s: real %q, want works or blocked", ix, e.Real)
		}
	}
	for i, s := range c.Setup {
		n := 0
		for _, set := range []bool{s.Create != "", s.Legacy != nil, s.ShardLimit != ""} {
			if set {
				n++
			}
		}
		if n != 1 {
			bad("setup %d: one of create, legacy, shard_limit", i+1)
		}
		if c.roleNode(s.On) == "" {
			bad("setup %d: on %q is not a role of the case", i+1, s.On)
		}
		if s.ShardLimit != "" && s.ShardLimit != "exhausted" {
			bad("setup %d: shard_limit %q, want exhausted", i+1, s.ShardLimit)
		}
		if s.Create != "" && s.Kind != "" && s.Kind != "logs" && s.Kind != "orders" {
			bad("setup %d: kind %q, want logs or orders", i+1, s.Kind)
		}
	}
	return errs
}

// knownNodes reads testdata/nodes/nodes.conf: name -> http://127.0.0.1:PORT.
func knownNodes(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "nodes", "nodes.conf"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || strings.HasPrefix(f[0], "#") {
			continue
		}
		out[f[0]] = "http://127.0.0.1:" + f[3]
	}
	return out
}

// TestGroundTruthCases checks every case file without nodes: the plan is
// valid for espreflight, the #gt block is complete, the case runs in a phase
// that starts its nodes, and each phase has a case.
func TestGroundTruthCases(t *testing.T) {
	phases, order := gtPhases(t)
	known := knownNodes(t)
	used := map[string]int{}
	methods := map[string]int{}
	for _, c := range loadGTCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			if code, _, stderr := espreflight(t, "plan", "validate", "--plan", c.File); code != exitOK {
				t.Errorf("plan validate: exit %d: %s", code, stderr)
			}
			for _, e := range c.validate(phases, known) {
				t.Error(e)
			}
		})
		used[c.Phase]++
		methods[c.Plan.Method]++
	}
	for _, p := range order {
		if used[p] == 0 {
			t.Errorf("phase %s runs no case", p)
		}
	}
	for m, min := range map[string]int{"snapshot": 1, "reindex": 1, "elasticsearch-dump": 1, "snapshot-reindex": 1} {
		if methods[m] < min {
			t.Errorf("method %s: %d case(s), want at least %d", m, methods[m], min)
		}
	}
}
