package policies

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The static analysis of the compiled policies that tells Input.Value which
// keys of the index objects to build: IndexFieldsRead walks the rules and
// follows which paths of input each variable may hold.

// IndexFields is the set of keys Input.Value builds in each index object
// (input.clusters[_].indices[_]). The zero value builds every key.
type IndexFields struct {
	pruned bool
	keys   map[string]bool
}

// OnlyIndexFields builds index objects with the given keys only.
func OnlyIndexFields(keys ...string) IndexFields {
	f := IndexFields{pruned: true, keys: map[string]bool{}}
	for _, k := range keys {
		f.keys[k] = true
	}
	return f
}

// All reports whether every key is built.
func (f IndexFields) All() bool { return !f.pruned }

// Has reports whether key is built.
func (f IndexFields) Has(key string) bool { return !f.pruned || f.keys[key] }

// String lists the keys built, or "all".
func (f IndexFields) String() string {
	if !f.pruned {
		return "all"
	}
	keys := slices.Sorted(maps.Keys(f.keys))
	return "[" + strings.Join(keys, " ") + "]"
}

// IndexFieldsRead returns the keys of the index objects
// (input.clusters[_].indices[_]) that the compiled modules can observe: the
// constant keys read from them. It returns all keys (the zero IndexFields)
// as soon as an index object may be observed whole: passed to a function,
// compared, put in a collection or a rule's value, read with a dynamic key,
// counted, or through any construct the walk does not know. The walk
// follows what OPA evaluates: compiled rule bodies, in order, where a
// variable is bound at its first occurrence; it tracks, for each variable,
// which paths of input it may hold.
func IndexFieldsRead(mods map[string]*ast.Module) IndexFields {
	a := &fieldWalk{fields: map[string]bool{}}
	for _, m := range mods {
		for _, r := range m.Rules {
			// else branches share their function's arguments
			for args := r.Head.Args; r != nil && !a.all; r = r.Else {
				a.rule(r, args)
			}
		}
	}
	if a.all {
		return IndexFields{}
	}
	return IndexFields{pruned: true, keys: a.fields}
}

// seg is a step of a path in input: a constant key, or any key (wild).
type seg struct {
	key  string
	wild bool
}

// indexPath is where index objects are: clusters[_].indices[_].
var indexPath = []seg{{key: "clusters"}, {wild: true}, {key: "indices"}, {wild: true}}

type fieldWalk struct {
	all bool
	// why says what made all keys needed, for tests and debugging.
	why    string
	cur    *ast.Rule
	fields map[string]bool
	// paths are the paths of input a variable may hold; seen holds the
	// variables bound so far in the current rule.
	paths map[ast.Var][][]seg
	seen  map[ast.Var]bool
}

// The root documents, as variables.
var (
	inputVar = ast.Var("input")
	dataVar  = ast.Var("data")
)

// onIndexPath reports whether p and indexPath agree on their common length.
func onIndexPath(p []seg) bool {
	for i := 0; i < len(p) && i < len(indexPath); i++ {
		a, b := p[i], indexPath[i]
		if !a.wild && !b.wild && a.key != b.key {
			return false
		}
	}
	return true
}

// field records the key of an index object that p reads, if any.
func (a *fieldWalk) field(p []seg) {
	if len(p) <= len(indexPath) || !onIndexPath(p) {
		return
	}
	if k := p[len(indexPath)]; k.wild {
		a.fallback("an index object read with a dynamic key")
	} else {
		a.fields[k.key] = true
	}
}

// whole: the value at p is observed entirely.
func (a *fieldWalk) whole(p []seg) {
	if len(p) <= len(indexPath) && onIndexPath(p) {
		a.fallback("an index object, or a value holding some, observed whole")
		return
	}
	a.field(p)
}

// exists: only whether the value at p is defined (and not false), or how it
// compares with a scalar, is observed; an object's keys do not matter.
func (a *fieldWalk) exists(p []seg) { a.field(p) }

// counted: the number of members of the value at p is observed.
func (a *fieldWalk) counted(p []seg) {
	if len(p) == len(indexPath) && onIndexPath(p) {
		a.fallback("an index object counted")
		return
	}
	a.field(p)
}

func (a *fieldWalk) fallback(why string) {
	if !a.all {
		a.all = true
		a.why = why
		if a.cur != nil && a.cur.Location != nil {
			a.why = fmt.Sprintf("%s:%d: %s", a.cur.Location.File, a.cur.Location.Row, why)
		}
	}
}

func (a *fieldWalk) rule(r *ast.Rule, args []*ast.Term) {
	a.cur = r
	a.paths = map[ast.Var][][]seg{}
	a.seen = map[ast.Var]bool{}
	for _, t := range append(slices.Clip(args), r.Head.Args...) {
		ast.WalkVars(t, func(v ast.Var) bool { a.seen[v] = true; return false })
	}
	a.body(r.Body)
	for _, t := range []*ast.Term{r.Head.Key, r.Head.Value} {
		if t != nil {
			a.wholeTerm(t)
		}
	}
	if len(r.Head.Reference) > 1 {
		for _, t := range r.Head.Reference[1:] {
			a.wholeTerm(t)
		}
	}
}

func (a *fieldWalk) body(b ast.Body) {
	for _, e := range b {
		a.expr(e)
	}
}

func (a *fieldWalk) expr(e *ast.Expr) {
	for _, w := range e.With {
		a.wholeTerm(w.Value)
	}
	switch ts := e.Terms.(type) {
	case *ast.Term:
		a.exists1(ts)
	case *ast.Every:
		dom := a.pathsOf(ts.Domain)
		for _, p := range dom {
			a.counted(p) // iterated
		}
		if ts.Key != nil {
			a.bind(ts.Key, nil)
		}
		if v, ok := ts.Value.Value.(ast.Var); ok && !a.seen[v] {
			a.bind(ts.Value, extend(dom, seg{wild: true}))
		} else {
			a.fallback("every with a pattern")
		}
		a.body(ts.Body)
	case []*ast.Term:
		a.call(ts[0].String(), ts[1:])
	case *ast.Not:
		a.body(ts.Body)
	case *ast.LogicalAnd:
		a.body(ts.Lhs)
		a.body(ts.Rhs)
	case *ast.LogicalOr:
		// A variable bound on both sides counts as bound on the right:
		// its binding there is taken for a comparison (whole), which only
		// keeps more keys.
		a.body(ts.Lhs)
		a.body(ts.Rhs)
	default:
		a.fallback(fmt.Sprintf("expression %T not followed", ts))
	}
}

func extend(ps [][]seg, s ...seg) [][]seg {
	out := make([][]seg, len(ps))
	for i, p := range ps {
		out[i] = append(slices.Clip(p), s...)
	}
	return out
}

// bind marks t (a variable) as bound to ps.
func (a *fieldWalk) bind(t *ast.Term, ps [][]seg) {
	v, ok := t.Value.(ast.Var)
	if !ok {
		a.wholeTerm(t)
		return
	}
	a.seen[v] = true
	if len(ps) > 0 {
		a.paths[v] = append(a.paths[v], ps...)
	}
}

func scalar(t *ast.Term) bool {
	switch t.Value.(type) {
	case ast.Null, ast.Boolean, ast.Number, ast.String:
		return true
	}
	return false
}

func (a *fieldWalk) unbound(t *ast.Term) bool {
	v, ok := t.Value.(ast.Var)
	return ok && !a.seen[v] && v != inputVar && v != dataVar
}

func (a *fieldWalk) call(op string, args []*ast.Term) {
	switch op {
	case "eq": // unification: binds an unbound side, else compares
		if len(args) != 2 {
			break
		}
		l, r := args[0], args[1]
		switch {
		case a.unbound(l) && !a.unbound(r):
			a.bind(l, a.pathsOf(r))
		case a.unbound(r) && !a.unbound(l):
			a.bind(r, a.pathsOf(l))
		case scalar(l):
			a.exists1(r)
		case scalar(r):
			a.exists1(l)
		default:
			a.wholeTerm(l)
			a.wholeTerm(r)
		}
		return
	case "equal", "neq", "lt", "gt", "lte", "gte":
		if len(args) < 2 {
			break
		}
		l, r := args[0], args[1]
		switch {
		case scalar(l):
			a.exists1(r)
		case scalar(r):
			a.exists1(l)
		default:
			a.wholeTerm(l)
			a.wholeTerm(r)
		}
		for _, t := range args[2:] {
			a.wholeTerm(t)
		}
		return
	case "count":
		if len(args) < 1 {
			break
		}
		for _, p := range a.pathsOf(args[0]) {
			a.counted(p)
		}
		for _, t := range args[1:] {
			a.wholeTerm(t)
		}
		return
	case "object.get":
		if len(args) < 3 {
			break
		}
		ps := a.pathsOf(args[0])
		var key []seg
		switch k := args[1].Value.(type) {
		case ast.String:
			key = []seg{{key: string(k)}}
		case *ast.Array:
			k.Foreach(func(t *ast.Term) {
				if s, ok := t.Value.(ast.String); ok {
					key = append(key, seg{key: string(s)})
				} else {
					key = append(key, seg{wild: true})
				}
			})
		default:
			a.wholeTerm(args[1])
			key = []seg{{wild: true}}
		}
		a.wholeTerm(args[2])
		got := extend(ps, key...)
		if len(args) == 4 && a.unbound(args[3]) {
			a.bind(args[3], got)
			return
		}
		for _, p := range got {
			a.whole(p)
		}
		for _, t := range args[3:] {
			a.wholeTerm(t)
		}
		return
	}
	for _, t := range args {
		a.wholeTerm(t)
	}
}

// exists1 is a term used only for being defined: a bare expression, or
// compared with a scalar.
func (a *fieldWalk) exists1(t *ast.Term) {
	switch t.Value.(type) {
	case ast.Var, ast.Ref:
		for _, p := range a.pathsOf(t) {
			a.exists(p)
		}
	default:
		a.wholeTerm(t)
	}
}

func (a *fieldWalk) wholeTerm(t *ast.Term) {
	for _, p := range a.pathsOf(t) {
		a.whole(p)
	}
}

// pathsOf returns the paths of input t may hold, binding the variables
// that occur first in t; whatever t holds in a collection, comprehension
// or call is observed whole.
func (a *fieldWalk) pathsOf(t *ast.Term) [][]seg {
	switch v := t.Value.(type) {
	case ast.Var:
		if v == inputVar {
			return [][]seg{nil}
		}
		a.seen[v] = true
		return a.paths[v]
	case ast.Ref:
		var base [][]seg
		switch h := v[0].Value.(type) {
		case ast.Var:
			if h == inputVar {
				base = [][]seg{nil}
			} else if h != dataVar {
				a.seen[h] = true
				base = a.paths[h]
			}
		default:
			a.wholeTerm(v[0])
		}
		for _, k := range v[1:] {
			s := seg{wild: true}
			switch kv := k.Value.(type) {
			case ast.String:
				s = seg{key: string(kv)}
			case ast.Var:
				// a bound key is observed whole; an unbound one iterates
				a.wholeTerm(k)
			case ast.Null, ast.Boolean, ast.Number:
			default:
				a.wholeTerm(k)
			}
			if s.wild {
				// A lookup with a variable key, or an iteration, observes
				// which keys there are.
				for _, p := range base {
					a.counted(p)
				}
			}
			base = extend(base, s)
		}
		// A lookup fails when the key is missing, so reading a key
		// observes it, even when the value goes unused.
		for _, p := range base {
			a.field(p)
		}
		return base
	case *ast.Array:
		v.Foreach(a.wholeTerm)
	case ast.Object:
		v.Foreach(func(k, x *ast.Term) { a.wholeTerm(k); a.wholeTerm(x) })
	case ast.Set:
		v.Foreach(a.wholeTerm)
	case *ast.ArrayComprehension:
		a.body(v.Body)
		a.wholeTerm(v.Term)
	case *ast.SetComprehension:
		a.body(v.Body)
		a.wholeTerm(v.Term)
	case *ast.ObjectComprehension:
		a.body(v.Body)
		a.wholeTerm(v.Key)
		a.wholeTerm(v.Value)
	case ast.Call:
		for _, x := range v[1:] {
			a.wholeTerm(x)
		}
	case *ast.Not:
		a.body(v.Body)
	case ast.Null, ast.Boolean, ast.Number, ast.String:
	default:
		a.fallback(fmt.Sprintf("term %T not followed", v))
	}
	return nil
}
