package policies

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
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
	return &Input{Facts: f, Selection: probe.Derive(f), Eval: evalInfo(now)}
}

func evalInfo(now time.Time) EvalInfo {
	now = now.UTC()
	return EvalInfo{Time: now.Format(time.RFC3339), Date: now.Format("2006-01-02")}
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
	return in.value(fields, nil)
}

// value is Value, taking the clusters and selections cache holds (and
// adding those it does not) when cache is not nil.
func (in *Input) value(fields IndexFields, cache *inputCache) (ast.Value, error) {
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
		if t := cache.cluster(c); t != nil {
			terms[i] = t
			continue
		}
		wg.Go(func() {
			terms[i], errs[i] = newBuilder().cluster(c, fields)
			if errs[i] == nil {
				cache.setCluster(c, terms[i])
			}
		})
	}
	sel := ast.NullTerm()
	if in.Selection != nil {
		b := newBuilder()
		pairs := make([][2]*ast.Term, 0, len(in.Selection))
		for role, s := range in.Selection {
			t := cache.selection(s)
			if t == nil {
				t = b.selection(s)
				cache.setSelection(s, t)
			}
			pairs = append(pairs, [2]*ast.Term{b.str(role), t})
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
	kPrimaryShards, kReplicas, kShards                       = key("primary_shards"), key("replicas"), key("shards")
	kCreatedVersion, kCreatedProduct, kCreatedID             = key("created_version"), key("created_product"), key("created_id")
	kCreatedMajor, kCreatedMinor, kCreationDate              = key("created_major"), key("created_minor"), key("creation_date")
	kPatterns, kKnown, kCount, kDocs, kNames, kDot, kClosed  = key("patterns"), key("known"), key("count"), key("docs"), key("names"), key("dot_prefixed"), key("closed")
	kByCreated, kProduct, kVersion, kMajor, kMinor, kIndices = key("by_created"), key("product"), key("version"), key("major"), key("minor"), key("indices")
	kDataStreams                                             = key("data_streams")
)

func key(s string) *ast.Term { return ast.InternedTerm(s) }

// indexFields and friends list the JSON keys built by hand; the test
// compares them with the structs' json tags.
var (
	indexFields        = []*ast.Term{kName, kStatus, kHealth, kHidden, kSystem, kDataStream, kDocsCount, kStoreBytes, kPrimaryStoreBytes, kPrimaryShards, kReplicas, kCreatedVersion, kCreatedProduct, kCreatedID, kCreatedMajor, kCreatedMinor, kCreationDate}
	selectionFields    = []*ast.Term{kPatterns, kKnown, kCount, kDocs, kStoreBytes, kPrimaryStoreBytes, kPrimaryShards, kShards, kNames, kDot, kClosed, kDataStreams, kByCreated}
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
	// names are the terms of the cluster's index names (by name), while
	// the facts that list them again are built.
	names map[string]*ast.Term
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
	rest.Indices, rest.IndexSettings, rest.Mappings, rest.Analysis, rest.Deprecations = nil, nil, nil, nil, nil
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
		// The grouped facts name every index again: they get the terms of
		// the indices' names.
		if len(keep) > 0 && keep[0] == 0 && (c.IndexSettings != nil || c.Mappings != nil || c.Analysis != nil) {
			b.names = make(map[string]*ast.Term, len(c.Indices))
			for i, t := range ts {
				b.names[c.Indices[i].Name] = t.Value.(ast.Object).Get(kName)
			}
		}
	}
	with := map[string]*ast.Term{"indices": indices}
	var errs [4]error
	with["index_settings"], errs[0] = groupTerms(b, c.IndexSettings, "indices", func(x *probe.IndexSettingsGroup) *[]string { return &x.Indices })
	with["mappings"], errs[1] = groupTerms(b, c.Mappings, "indices", func(x *probe.MappingGroup) *[]string { return &x.Indices })
	with["analysis"], errs[2] = groupTerms(b, c.Analysis, "indices", func(x *probe.AnalysisGroup) *[]string { return &x.Indices })
	with["deprecations"], errs[3] = groupTerms(b, c.Deprecations, "names", func(x *probe.Deprecation) *[]string { return &x.Names })
	b.names = nil
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	return ast.NewTerm(replace(o, with)), nil
}

// groupTerms converts a fact whose elements list index names under key (a
// grouped fact, or deprecations): each element through JSON but for that
// list, whose terms are the indices' own where a name is an index's.
func groupTerms[G any](b *builder, gs []G, key string, names func(*G) *[]string) (*ast.Term, error) {
	if gs == nil {
		return ast.NullTerm(), nil
	}
	ts := make([]*ast.Term, len(gs))
	for i := range gs {
		g := gs[i]
		list := *names(&g)
		*names(&g) = nil
		o, err := jsonObject(&g)
		if err != nil {
			return nil, err
		}
		ts[i] = ast.NewTerm(replace(o, map[string]*ast.Term{key: b.strings(list, b.indexName)}))
	}
	return ast.NewTerm(ast.NewArray(ts...)), nil
}

// indexName returns the term of an index name: the index's own when the
// cluster has that index, else a new one.
func (b *builder) indexName(s string) *ast.Term {
	if t, ok := b.names[s]; ok {
		return t
	}
	return b.name(s)
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
		[2]*ast.Term{kPrimaryShards, b.int(s.PrimaryShards)},
		[2]*ast.Term{kShards, b.int(s.Shards)},
		[2]*ast.Term{kNames, namesTerm},
		[2]*ast.Term{kDot, b.subset(s.DotPrefixed, s.Names, names)},
		[2]*ast.Term{kClosed, b.subset(s.Closed, s.Names, names)},
		[2]*ast.Term{kDataStreams, b.strings(s.DataStreams, b.str)},
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
