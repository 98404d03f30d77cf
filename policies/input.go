package policies

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/espreflight/espreflight/probe"
)

// Input is the document the policies read as `input`: the facts document plus
// the derived selection and the evaluation time (policies have no clock).
type Input struct {
	*probe.Facts
	Selection map[string]*probe.Selection `json:"selection"`
	Eval      EvalInfo                    `json:"eval"`
}

// EvalInfo tells policies when the evaluation happens.
type EvalInfo struct {
	// Time is RFC 3339 UTC; Date is its YYYY-MM-DD.
	Time string `json:"time"`
	Date string `json:"date"`
}

// NewInput builds the policy input for facts evaluated at now.
func NewInput(f *probe.Facts, now time.Time) *Input {
	now = now.UTC()
	return &Input{Facts: f, Selection: probe.Derive(f), Eval: EvalInfo{Time: now.Format(time.RFC3339), Date: now.Format("2006-01-02")}}
}

// Value converts the input into an OPA value once, without a JSON round trip
// for the parts that grow with the cluster: every index of every cluster and
// the selection are built as ast values straight from the typed structs, with
// shared key terms, interned repeated values (status, versions, created ids,
// small numbers), one term per name in the selection's lists, and slab
// allocation of scalar terms. Clusters are built in parallel. The small,
// rarely-changing rest (plan, nodes, settings, …) still goes through
// encoding/json so that the shape the policies see is, by construction, the
// facts document's JSON. The result equals jsonValue(in) (input_test.go), and
// a test fails when a field is added to probe.Index, probe.Selection or
// probe.CreatedGroup without being added here.
//
// Index objects get only the keys in fields (Engine.Evaluate passes the
// keys its compiled policies read, see IndexFieldsRead); a rule cannot tell
// the difference, as it never reads the others. With the zero IndexFields,
// every key.
func (in *Input) Value(fields IndexFields) (ast.Value, error) {
	if in.Facts == nil {
		return jsonValue(in)
	}
	// Everything but the clusters and the selection, through JSON.
	rest := *in.Facts
	rest.Clusters = probe.Clusters{}
	top, err := jsonObject(&Input{Facts: &rest, Eval: in.Eval})
	if err != nil {
		return nil, err
	}
	// The clusters are built in parallel (one builder each: builders share
	// nothing), the selection meanwhile on this goroutine.
	roles := []string{probe.RoleSource, probe.RoleDestination, probe.RoleIntermediate}
	terms := make([]*ast.Term, len(roles))
	errs := make([]error, len(roles))
	var wg sync.WaitGroup
	for i, role := range roles {
		c := in.Clusters.ByRole(role)
		if c == nil {
			continue
		}
		wg.Go(func() {
			terms[i], errs[i] = newBuilder().cluster(c, fields)
		})
	}
	sel := ast.NullTerm()
	if in.Selection != nil {
		b := newBuilder()
		pairs := make([][2]*ast.Term, 0, len(in.Selection))
		for role, s := range in.Selection {
			pairs = append(pairs, [2]*ast.Term{b.str(role), b.selection(s)})
		}
		sel = ast.NewTerm(ast.NewObject(pairs...))
	}
	wg.Wait()
	clusters := make([][2]*ast.Term, 0, len(roles))
	for i, role := range roles {
		if errs[i] != nil {
			return nil, fmt.Errorf("encode input: clusters.%s: %w", role, errs[i])
		}
		if terms[i] != nil {
			clusters = append(clusters, [2]*ast.Term{ast.InternedTerm(role), terms[i]})
		}
	}
	return replace(top, map[string]*ast.Term{
		"clusters":  ast.NewTerm(ast.NewObject(clusters...)),
		"selection": sel,
	}), nil
}

// jsonValue is the reference conversion: the input's JSON encoding decoded
// the way OPA decodes JSON input (numbers kept as written).
func jsonValue(x any) (ast.Value, error) {
	data, err := json.Marshal(x)
	if err != nil {
		return nil, fmt.Errorf("encode input: %w", err)
	}
	var v any
	if err := util.UnmarshalJSON(data, &v); err != nil {
		return nil, fmt.Errorf("decode input: %w", err)
	}
	return ast.InterfaceToValue(v)
}

func jsonObject(x any) (ast.Object, error) {
	v, err := jsonValue(x)
	if err != nil {
		return nil, err
	}
	o, ok := v.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("encode input: %T is not a JSON object", x)
	}
	return o, nil
}

// replace returns a copy of o with the values of the given keys replaced
// (objects are built in one go so that their hashes stay right).
func replace(o ast.Object, with map[string]*ast.Term) ast.Object {
	pairs := make([][2]*ast.Term, 0, o.Len())
	o.Foreach(func(k, v *ast.Term) {
		if s, ok := k.Value.(ast.String); ok {
			if r, ok := with[string(s)]; ok {
				v = r
			}
		}
		pairs = append(pairs, [2]*ast.Term{k, v})
	})
	return ast.NewObject(pairs...)
}

// Key terms, shared by every object built here.
var (
	kName, kStatus, kHealth, kHidden, kSystem, kDataStream   = key("name"), key("status"), key("health"), key("hidden"), key("system"), key("data_stream")
	kDocsCount, kStoreBytes, kPrimaryStoreBytes              = key("docs_count"), key("store_bytes"), key("primary_store_bytes")
	kPrimaryShards, kReplicas                                = key("primary_shards"), key("replicas")
	kCreatedVersion, kCreatedProduct, kCreatedID             = key("created_version"), key("created_product"), key("created_id")
	kCreatedMajor, kCreatedMinor, kCreationDate              = key("created_major"), key("created_minor"), key("creation_date")
	kPatterns, kKnown, kCount, kDocs, kNames, kDot, kClosed  = key("patterns"), key("known"), key("count"), key("docs"), key("names"), key("dot_prefixed"), key("closed")
	kByCreated, kProduct, kVersion, kMajor, kMinor, kIndices = key("by_created"), key("product"), key("version"), key("major"), key("minor"), key("indices")
)

func key(s string) *ast.Term { return ast.InternedTerm(s) }

// indexFields and friends list the JSON keys built by hand; the test
// compares them with the structs' json tags.
var (
	indexFields        = []*ast.Term{kName, kStatus, kHealth, kHidden, kSystem, kDataStream, kDocsCount, kStoreBytes, kPrimaryStoreBytes, kPrimaryShards, kReplicas, kCreatedVersion, kCreatedProduct, kCreatedID, kCreatedMajor, kCreatedMinor, kCreationDate}
	selectionFields    = []*ast.Term{kPatterns, kKnown, kCount, kDocs, kStoreBytes, kPrimaryStoreBytes, kNames, kDot, kClosed, kByCreated}
	createdGroupFields = []*ast.Term{kProduct, kVersion, kMajor, kMinor, kCount, kIndices}
)

// builder builds ast values, sharing the terms of repeated strings (status,
// versions, …) and of created ids.
type builder struct {
	strs map[string]*ast.Term
	ids  map[int64]*ast.Term
	// slab is carved into terms, so an index costs one allocation for all
	// of its scalar terms instead of one per field.
	slab []ast.Term
}

func (b *builder) term(v ast.Value) *ast.Term {
	if len(b.slab) == 0 {
		b.slab = make([]ast.Term, 4096)
	}
	t := &b.slab[0]
	b.slab = b.slab[1:]
	t.Value = v
	return t
}

// str returns a shared term for a string that repeats across indices.
func (b *builder) str(s string) *ast.Term {
	if t, ok := b.strs[s]; ok {
		return t
	}
	t := ast.StringTerm(jsonString(s))
	b.strs[s] = t
	return t
}

func newBuilder() *builder {
	return &builder{strs: map[string]*ast.Term{}, ids: map[int64]*ast.Term{}}
}

// name returns a new term for an index name.
func (b *builder) name(s string) *ast.Term {
	return b.term(ast.String(jsonString(s)))
}

// subset returns the terms of names, a sorted subsequence of the sorted
// list whose terms are all: a name is one term wherever the selection lists
// it. A name not found that way gets a term of its own.
func (b *builder) subset(names, all []string, terms []*ast.Term) *ast.Term {
	if names == nil {
		return ast.NullTerm()
	}
	ts := make([]*ast.Term, len(names))
	j := 0
	for i, s := range names {
		for j < len(all) && all[j] < s {
			j++
		}
		if j < len(all) && all[j] == s {
			ts[i] = terms[j]
		} else {
			ts[i] = b.name(s)
		}
	}
	return ast.NewTerm(ast.NewArray(ts...))
}

func (b *builder) int(i int64) *ast.Term {
	if i >= -1 && i <= 512 {
		return ast.InternedTerm(int(i))
	}
	return b.term(ast.Number(strconv.FormatInt(i, 10)))
}

func (b *builder) id(i int64) *ast.Term {
	if t, ok := b.ids[i]; ok {
		return t
	}
	t := ast.IntNumberTerm(int(i))
	b.ids[i] = t
	return t
}

func (b *builder) strings(ss []string, shared func(string) *ast.Term) *ast.Term {
	if ss == nil {
		return ast.NullTerm()
	}
	ts := make([]*ast.Term, len(ss))
	for i, s := range ss {
		ts[i] = shared(s)
	}
	return ast.NewTerm(ast.NewArray(ts...))
}

// cluster converts one cluster: the indices by hand (with the keys in
// fields), the rest through JSON.
func (b *builder) cluster(c *probe.ClusterFacts, fields IndexFields) (*ast.Term, error) {
	rest := *c
	rest.Indices = nil
	o, err := jsonObject(&rest)
	if err != nil {
		return nil, err
	}
	indices := ast.NullTerm()
	if c.Indices != nil {
		var keep []int // positions in indexFields
		for i, k := range indexFields {
			if fields.Has(string(k.Value.(ast.String))) {
				keep = append(keep, i)
			}
		}
		b.slab = make([]ast.Term, len(c.Indices)*(min(len(keep), 5)+1)+64)
		ts := make([]*ast.Term, len(c.Indices))
		pairs := make([][2]*ast.Term, len(keep))
		for i := range c.Indices {
			ts[i] = b.term(ast.NewObject(b.index(pairs, keep, &c.Indices[i])...))
		}
		indices = ast.NewTerm(ast.NewArray(ts...))
	}
	return ast.NewTerm(replace(o, map[string]*ast.Term{"indices": indices})), nil
}

// index fills pairs (len(keep)) with the fields of ix at the positions keep
// of indexFields, in that order.
func (b *builder) index(pairs [][2]*ast.Term, keep []int, ix *probe.Index) [][2]*ast.Term {
	for i, j := range keep {
		pairs[i] = [2]*ast.Term{indexFields[j], b.indexValue(j, ix)}
	}
	return pairs
}

// indexValue is the value of ix for indexFields[j].
func (b *builder) indexValue(j int, ix *probe.Index) *ast.Term {
	switch j {
	case 0:
		return b.name(ix.Name)
	case 1:
		return b.str(ix.Status)
	case 2:
		return b.str(ix.Health)
	case 3:
		return ast.InternedTerm(ix.Hidden)
	case 4:
		return ast.InternedTerm(ix.System)
	case 5:
		return b.str(ix.DataStream)
	case 6:
		return b.int(ix.DocsCount)
	case 7:
		return b.int(ix.StoreBytes)
	case 8:
		return b.int(ix.PrimaryStoreBytes)
	case 9:
		return b.int(int64(ix.PrimaryShards))
	case 10:
		return b.int(int64(ix.Replicas))
	case 11:
		return b.str(ix.CreatedVersion)
	case 12:
		return b.str(ix.CreatedProduct)
	case 13:
		return b.id(ix.CreatedID)
	case 14:
		return b.int(int64(ix.CreatedMajor))
	case 15:
		return b.int(int64(ix.CreatedMinor))
	case 16:
		return b.term(ast.String(jsonString(ix.CreationDate)))
	}
	panic(fmt.Sprintf("index field %d", j))
}

func (b *builder) selection(s *probe.Selection) *ast.Term {
	if s == nil {
		return ast.NullTerm()
	}
	// Names is sorted, and every other list of names is a sorted subset of
	// it (see probe.Select), so their terms are found by a merge, no map.
	var names []*ast.Term
	namesTerm := ast.NullTerm()
	if s.Names != nil {
		b.slab = make([]ast.Term, len(s.Names)+64)
		names = make([]*ast.Term, len(s.Names))
		for i, n := range s.Names {
			names[i] = b.name(n)
		}
		namesTerm = ast.NewTerm(ast.NewArray(slices.Clone(names)...))
	}
	groups := ast.NullTerm()
	if s.ByCreated != nil {
		ts := make([]*ast.Term, len(s.ByCreated))
		for i := range s.ByCreated {
			g := &s.ByCreated[i]
			ts[i] = ast.NewTerm(ast.NewObject(
				[2]*ast.Term{kProduct, b.str(g.Product)},
				[2]*ast.Term{kVersion, b.str(g.Version)},
				[2]*ast.Term{kMajor, b.int(int64(g.Major))},
				[2]*ast.Term{kMinor, b.int(int64(g.Minor))},
				[2]*ast.Term{kCount, b.int(int64(g.Count))},
				[2]*ast.Term{kIndices, b.subset(g.Indices, s.Names, names)},
			))
		}
		groups = ast.NewTerm(ast.NewArray(ts...))
	}
	return ast.NewTerm(ast.NewObject(
		[2]*ast.Term{kPatterns, b.strings(s.Patterns, b.str)},
		[2]*ast.Term{kKnown, ast.InternedTerm(s.Known)},
		[2]*ast.Term{kCount, b.int(int64(s.Count))},
		[2]*ast.Term{kDocs, b.int(s.Docs)},
		[2]*ast.Term{kStoreBytes, b.int(s.StoreBytes)},
		[2]*ast.Term{kPrimaryStoreBytes, b.int(s.PrimaryStoreBytes)},
		[2]*ast.Term{kNames, namesTerm},
		[2]*ast.Term{kDot, b.subset(s.DotPrefixed, s.Names, names)},
		[2]*ast.Term{kClosed, b.subset(s.Closed, s.Names, names)},
		[2]*ast.Term{kByCreated, groups},
	))
}

// jsonString returns s as encoding/json writes it: invalid UTF-8 bytes
// become U+FFFD, one per byte.
func jsonString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		out = append(out, r) // RuneError for an invalid byte, n == 1
		i += n
	}
	return string(out)
}

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
