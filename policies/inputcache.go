package policies

import (
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/espreflight/espreflight/probe"
)

// WithInputCache returns a copy of the engine that keeps, from one Evaluate
// to the next, the parts of the policy input that do not depend on the
// plan: the value of each cluster (by its *probe.ClusterFacts) and the
// source's selection (by cluster and index patterns). Evaluating many plans
// over the same clusters (advise: every method, mode and variant) then
// builds the large part of the input once. The facts must not change while
// the copy is in use; the copy is safe for concurrent use.
func (e *Engine) WithInputCache() *Engine {
	c := *e
	c.cache = &inputCache{clusters: map[*probe.ClusterFacts]*ast.Term{}, derived: map[derivedKey]map[string]*probe.Selection{},
		selections: map[*probe.Selection]*ast.Term{}}
	return &c
}

// inputCache holds what WithInputCache keeps. A nil cache holds nothing
// and keeps nothing.
type inputCache struct {
	mu         sync.Mutex
	clusters   map[*probe.ClusterFacts]*ast.Term
	derived    map[derivedKey]map[string]*probe.Selection
	selections map[*probe.Selection]*ast.Term
}

type derivedKey struct {
	source   *probe.ClusterFacts
	patterns string
}

// newInput is NewInput, with the selection of the cache when it has one.
func (e *Engine) newInput(f *probe.Facts, now time.Time) *Input {
	c := e.cache
	if c == nil || f.Plan == nil {
		return NewInput(f, now)
	}
	k := derivedKey{source: f.Clusters.Source, patterns: strings.Join(f.Plan.Indices, "\x00")}
	if f.Plan.Indices == nil {
		k.patterns = "\x01" // nil patterns select differently from [""]
	}
	c.mu.Lock()
	sel, ok := c.derived[k]
	c.mu.Unlock()
	if !ok {
		sel = probe.Derive(f)
		c.mu.Lock()
		c.derived[k] = sel
		c.mu.Unlock()
	}
	return &Input{Facts: f, Selection: sel, Eval: evalInfo(now)}
}

func (c *inputCache) cluster(cf *probe.ClusterFacts) *ast.Term {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.clusters[cf]
}

func (c *inputCache) setCluster(cf *probe.ClusterFacts, t *ast.Term) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clusters[cf] = t
}

func (c *inputCache) selection(s *probe.Selection) *ast.Term {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.selections[s]
}

func (c *inputCache) setSelection(s *probe.Selection, t *ast.Term) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.selections[s] = t
}
