package policies

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/rego"
)

// methodQuery evaluates the rule sets that hold a rule applying to one plan
// method. A set whose every rule does not apply would only give findings
// that Evaluate drops, so it is not evaluated: for a Logstash plan the
// snapshot rules' lookups over every index are never built.
type methodQuery struct {
	refs []ruleSetRef
	pq   rego.PreparedEvalQuery
}

type methodQueries struct {
	mu       sync.Mutex
	byMethod map[string]*methodQuery
}

// queryFor returns the query for a plan method, prepared on first use.
func (e *Engine) queryFor(ctx context.Context, method string) (*methodQuery, error) {
	e.queries.mu.Lock()
	defer e.queries.mu.Unlock()
	if q, ok := e.queries.byMethod[method]; ok {
		return q, nil
	}
	var refs []ruleSetRef
	for _, r := range e.refs {
		for id := range r.ids {
			if e.byID[id].AppliesTo(method) {
				refs = append(refs, r)
				break
			}
		}
	}
	q := &methodQuery{refs: refs}
	switch {
	case len(refs) == len(e.refs):
		q.pq = e.pq
	case len(refs) > 0:
		parts := make([]string, len(refs))
		for i, r := range refs {
			parts[i] = r.path
		}
		pq, err := rego.New(rego.Query("["+strings.Join(parts, ", ")+"]"), rego.Compiler(e.compiler)).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare policies for method %s: %w", method, err)
		}
		q.pq = pq
	}
	e.queries.byMethod[method] = q
	return q, nil
}
