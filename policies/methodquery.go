package policies

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/rego"
)

// methodQuery evaluates the rule sets that hold a rule applying to one plan
// method. A set whose every rule does not apply would only give findings
// that Evaluate drops, so it is not evaluated: for a Logstash plan the
// snapshot rules' lookups over every index are never built.
//
// The built-in rule sets are one query; each user policy package is a
// query of its own, so that an evaluation stopped by --eval-timeout, the
// memory guard or a signal names the package (and file) it was in.
type methodQuery struct {
	refs  []ruleSetRef
	parts []queryPart
}

// queryPart is one prepared query of a methodQuery: refs[from:to].
type queryPart struct {
	from, to int
	pq       rego.PreparedEvalQuery
	// policy names a user package and its file; "" for the built-in rules.
	policy string
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
	// Built-in sets first, then the user packages (the catalogue's order
	// already), each package's sets together.
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].policy == "" && refs[j].policy != "" })
	q := &methodQuery{refs: refs}
	for from := 0; from < len(refs); {
		to := from + 1
		for to < len(refs) && refs[to].policy == refs[from].policy {
			to++
		}
		part := queryPart{from: from, to: to, policy: refs[from].policy}
		if from == 0 && to == len(e.refs) && to == len(refs) {
			part.pq = e.pq
		} else {
			paths := make([]string, to-from)
			for i, r := range refs[from:to] {
				paths[i] = r.path
			}
			pq, err := rego.New(rego.Query("["+strings.Join(paths, ", ")+"]"), rego.Compiler(e.compiler)).PrepareForEval(ctx)
			if err != nil {
				return nil, fmt.Errorf("prepare policies for method %s: %w", method, err)
			}
			part.pq = pq
		}
		q.parts = append(q.parts, part)
		from = to
	}
	e.queries.byMethod[method] = q
	return q, nil
}

// EvalError is an evaluation that did not finish: stopped (--eval-timeout,
// the memory guard, a signal: see context.Cause of the context given to
// Evaluate) or failed (a built-in's error in a rule). Policy names the user
// policy package and file it was in; "" is the built-in rules.
type EvalError struct {
	Policy string
	Err    error
}

func (e *EvalError) Error() string {
	where := "the built-in rules"
	if e.Policy != "" {
		where = "user policy " + e.Policy
	}
	return "evaluate " + where + ": " + e.Err.Error()
}

func (e *EvalError) Unwrap() error { return e.Err }
