package policies

import (
	"context"
	"fmt"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/espreflight/espreflight/probe"
)

// Questions code outside the policies asks of their library (lib.rego), so
// that what the rules know has one home: which release restores which
// snapshot, and which Alibaba network architecture a cluster runs on.

// Release is a product release as the creator or the reader of indices, the
// shape lib.restore_verdict takes.
type Release struct {
	// Product is "elasticsearch" or "opensearch".
	Product string `json:"product"`
	Major   int    `json:"major"`
	// Minor is -1 for an Elasticsearch 8.11+ detached index version.
	Minor int `json:"minor"`
}

// RestorePair asks whether an index created by Created restores into a
// cluster running Target.
type RestorePair struct {
	Created Release `json:"created"`
	Target  Release `json:"target"`
}

// Verdicts of lib.restore_verdict.
const (
	RestoreYes     = "yes"
	RestoreArchive = "archive" // only as a read-only archive index
	RestoreNo      = "no"
)

// restoreQuery evaluates the snapshot compatibility matrix of the policies
// for every pair of the input, in order.
const restoreQuery = "[data.espreflight.lib.restore_verdict(p.created, p.target) | some p in input]"

// RestoreVerdicts answers each pair from the snapshot compatibility matrix
// the version rules use (data.espreflight.lib.restore_verdict), in one
// query, so that code outside the policies never keeps a matrix of its own.
func (e *Engine) RestoreVerdicts(ctx context.Context, pairs []RestorePair) ([]string, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	pq, err := rego.New(rego.Query(restoreQuery), rego.Compiler(e.compiler)).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare the restore query: %w", err)
	}
	rs, err := pq.Eval(ctx, rego.EvalInput(pairs))
	if err != nil {
		return nil, fmt.Errorf("evaluate the restore query: %w", err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("evaluate the restore query: undefined result")
	}
	vals, ok := rs[0].Expressions[0].Value.([]any)
	if !ok || len(vals) != len(pairs) {
		// A pair the matrix has no verdict for drops out of the array.
		return nil, fmt.Errorf("evaluate the restore query: %d verdicts for %d pairs", len(vals), len(pairs))
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		s, ok := v.(string)
		if !ok || (s != RestoreYes && s != RestoreArchive && s != RestoreNo) {
			return nil, fmt.Errorf("evaluate the restore query: verdict %v for %+v", v, pairs[i])
		}
		out[i] = s
	}
	return out, nil
}

// Architecture is the Alibaba network architecture ("original" or "new")
// the rules see for the cluster of a role (lib.architecture): the plan's
// explicit architecture, else the one its creation date gives; "" when it
// cannot be told.
func (e *Engine) Architecture(ctx context.Context, p *probe.Plan, role string) (string, error) {
	pq, err := rego.New(rego.Query("x := data.espreflight.lib.architecture(input.role)"), rego.Compiler(e.compiler)).PrepareForEval(ctx)
	if err != nil {
		return "", fmt.Errorf("prepare the architecture query: %w", err)
	}
	spec := p.Cluster(role)
	if spec == nil {
		return "", nil
	}
	in := map[string]any{"role": role, "plan": map[string]any{role: map[string]string{"architecture": spec.Architecture, "created": spec.Created}}}
	rs, err := pq.Eval(ctx, rego.EvalInput(in))
	if err != nil {
		return "", fmt.Errorf("evaluate the architecture query: %w", err)
	}
	if len(rs) == 0 {
		return "", nil
	}
	a, ok := rs[0].Bindings["x"].(string)
	if !ok {
		return "", fmt.Errorf("evaluate the architecture query: got %v", rs[0].Bindings["x"])
	}
	return a, nil
}
