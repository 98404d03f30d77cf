package probe

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// A facts document is the policies' whole view of the clusters, and it may
// come from anywhere: a probe, another machine, a hand-made example, a
// damaged file. ReadFacts trusts none of it: every key must be a field of
// the contract, every number that counts or measures something must be
// non-negative, every version must read as one, and every field that is
// derived from another (an index's created_major/minor/product from its
// created_id or created_version, a version's major/minor/patch from its
// number, a cluster's totals from its indices) is derived here at load: it
// is filled in when it is missing and must agree when it is given. Errors
// name the JSON path.

// FactsError is a problem in a facts document at a JSON path
// ("clusters.source.indices[3].docs_count") or, for malformed JSON, at a
// byte offset.
type FactsError struct {
	// Path is the JSON path of the value concerned, or "".
	Path string
	// Offset is the byte offset of the problem, or -1.
	Offset int64
	Msg    string
	// syntax: the JSON is malformed; LoadFacts then finds the exact offset
	// in the file (a streaming decoder only knows roughly where it was).
	syntax bool
}

func (e *FactsError) Error() string {
	switch {
	case e.Path != "":
		return e.Path + ": " + e.Msg
	case e.Offset >= 0:
		return fmt.Sprintf("byte %d: %s", e.Offset, e.Msg)
	}
	return e.Msg
}

func pathErr(path, format string, args ...any) *FactsError {
	return &FactsError{Path: path, Offset: -1, Msg: fmt.Sprintf(format, args...)}
}

// indexVersions memoises DecodeIndexVersion: a cluster's indices share a
// handful of created ids.
type indexVersions map[int64]struct {
	v   IndexVersion
	err error
}

func (m indexVersions) decode(id int64) (IndexVersion, error) {
	if r, ok := m[id]; ok {
		return r.v, r.err
	}
	v, err := DecodeIndexVersion(id)
	m[id] = struct {
		v   IndexVersion
		err error
	}{v, err}
	return v, err
}

// detachedVersionID reads the index version id out of the created_version
// the probe writes for ids that map to no release ("8.11+ (index version
// 8537000)", "9.x (index version 9009000)").
func detachedVersionID(s string) (int64, bool) {
	i := strings.Index(s, "(index version ")
	if i < 0 || !strings.HasSuffix(s, ")") {
		return 0, false
	}
	id, err := strconv.ParseInt(s[i+len("(index version "):len(s)-1], 10, 64)
	return id, err == nil
}

// checkIndex checks one index and derives its created_* fields; at is the
// JSON path of the list and i the index's position in it (the path is built
// only for an error: this runs for every index).
func checkIndex(ix *Index, at string, i int, ivs indexVersions) error {
	if ix.Name != "" && ix.DocsCount >= 0 && ix.StoreBytes >= 0 && ix.PrimaryStoreBytes >= 0 && ix.PrimaryShards >= 0 &&
		ix.Replicas >= 0 && ix.CreatedID >= 0 && (ix.Status == "open" || ix.Status == "close" || ix.Status == "") {
		if err := deriveCreated(ix, ivs); err != nil {
			return err.at(fmt.Sprintf("%s[%d]", at, i))
		}
		return nil
	}
	path := fmt.Sprintf("%s[%d]", at, i)
	if ix.Name == "" {
		return pathErr(path, "the index has no name")
	}
	for _, n := range []struct {
		key string
		v   int64
	}{{"docs_count", ix.DocsCount}, {"store_bytes", ix.StoreBytes}, {"primary_store_bytes", ix.PrimaryStoreBytes},
		{"primary_shards", int64(ix.PrimaryShards)}, {"replicas", int64(ix.Replicas)}, {"created_id", ix.CreatedID}} {
		if n.v < 0 {
			return pathErr(path+"."+n.key, "%d is negative; a count, a size or an id is 0 or more (index %s)", n.v, ix.Name)
		}
	}
	if ix.Status != "" && ix.Status != "open" && ix.Status != "close" {
		return pathErr(path+".status", "%q is not an index status; use open or close (index %s)", ix.Status, ix.Name)
	}
	return nil
}

// relErr is an error at a path relative to an index.
type relErr struct {
	rel string // "" or ".created_version", …
	msg string
}

func (e *relErr) at(path string) error { return pathErr(path+e.rel, "%s", e.msg) }

func rel(key, format string, args ...any) *relErr {
	if key != "" {
		key = "." + key
	}
	return &relErr{rel: key, msg: fmt.Sprintf(format, args...)}
}

// deriveCreated derives created_version, created_product, created_major and
// created_minor from created_id (index.version.created), or created_major
// and created_minor from created_version when there is no id. A derived
// field that is given must agree with its source; created_major and
// created_minor are given as a pair (both 0 means not given, as no release
// is 0.0).
func deriveCreated(ix *Index, ivs indexVersions) *relErr {
	id := ix.CreatedID
	from := "created_id"
	if id == 0 && ix.CreatedVersion != "" {
		if d, ok := detachedVersionID(ix.CreatedVersion); ok {
			id, from = d, "created_version"
		}
	}
	pairGiven := ix.CreatedMajor != 0 || ix.CreatedMinor != 0
	disagree := func(key string, given, derived any) *relErr {
		return rel(key, "%v disagrees with %s %v, which says %v (index %s); fix one of them or drop the derived field",
			given, from, map[string]any{"created_id": ix.CreatedID, "created_version": strconv.Quote(ix.CreatedVersion)}[from], derived, ix.Name)
	}
	switch {
	case id != 0:
		v, err := ivs.decode(id)
		if err != nil {
			return rel(from, "%v (index %s)", err, ix.Name)
		}
		if ix.CreatedVersion == "" {
			ix.CreatedVersion = v.Version
		} else if ix.CreatedVersion != v.Version {
			return disagree("created_version", strconv.Quote(ix.CreatedVersion), strconv.Quote(v.Version))
		}
		if ix.CreatedProduct == "" {
			ix.CreatedProduct = v.Product
		} else if ix.CreatedProduct != v.Product {
			return disagree("created_product", strconv.Quote(ix.CreatedProduct), strconv.Quote(v.Product))
		}
		if !pairGiven {
			ix.CreatedMajor, ix.CreatedMinor = v.Major, v.Minor
		} else if ix.CreatedMajor != v.Major || ix.CreatedMinor != v.Minor {
			return disagree("created_major", fmt.Sprintf("created_major %d, created_minor %d", ix.CreatedMajor, ix.CreatedMinor), fmt.Sprintf("%d and %d", v.Major, v.Minor))
		}
		ix.CreatedID = id
	case ix.CreatedVersion != "":
		v, err := ParseVersion(ix.CreatedVersion)
		if err != nil {
			return rel("created_version", "%q is not a version (index %s); write major.minor.patch, e.g. \"6.8.23\"", ix.CreatedVersion, ix.Name)
		}
		if ix.CreatedProduct != "" && ix.CreatedProduct != "elasticsearch" && ix.CreatedProduct != "opensearch" {
			return rel("created_product", "%q is not a product; use elasticsearch or opensearch (index %s)", ix.CreatedProduct, ix.Name)
		}
		if !pairGiven {
			ix.CreatedMajor, ix.CreatedMinor = v.Major, v.Minor
		} else if ix.CreatedMajor != v.Major || ix.CreatedMinor != v.Minor {
			from = "created_version"
			return disagree("created_major", fmt.Sprintf("created_major %d, created_minor %d", ix.CreatedMajor, ix.CreatedMinor), fmt.Sprintf("%d and %d", v.Major, v.Minor))
		}
	case pairGiven || ix.CreatedProduct != "":
		return rel("", "created_major, created_minor and created_product are derived from created_id or created_version, and the index gives neither (index %s); add one, or drop the derived fields", ix.Name)
	}
	return nil
}

// checkVersion checks a cluster version and derives major, minor and patch
// from its number.
func checkVersion(v *Version, path string) error {
	if v == nil {
		return nil
	}
	if v.Number == "" {
		return pathErr(path+".number", "missing; major, minor and patch are derived from it")
	}
	p, err := ParseVersion(v.Number)
	if err != nil {
		return pathErr(path+".number", "%q is not a version; write major.minor.patch, e.g. \"7.10.2\"", v.Number)
	}
	switch {
	case v.Major == 0 && v.Minor == 0 && v.Patch == 0:
		v.Major, v.Minor, v.Patch = p.Major, p.Minor, p.Patch
	case v.Major != p.Major || v.Minor != p.Minor || v.Patch != p.Patch:
		return pathErr(path, "major %d, minor %d, patch %d disagree with number %q; fix one of them or drop the derived fields", v.Major, v.Minor, v.Patch, v.Number)
	}
	return nil
}

// checkCluster checks and derives what is not an index (checked while
// streaming) of one cluster's facts.
func checkCluster(c *ClusterFacts, role string) error {
	path := "clusters." + role
	if c.Product != "" && c.Product != "elasticsearch" && c.Product != "opensearch" {
		return pathErr(path+".product", "%q is not a product; use elasticsearch or opensearch", c.Product)
	}
	if err := checkVersion(c.Version, path+".version"); err != nil {
		return err
	}
	for i, n := range c.Nodes {
		if _, err := ParseVersion(n.Version); err != nil {
			return pathErr(fmt.Sprintf("%s.nodes[%d].version", path, i), "%q is not a version (node %s)", n.Version, n.Name)
		}
	}
	for i, u := range c.Unknown {
		if !knownFact(u.Fact) {
			return pathErr(fmt.Sprintf("%s.unknown[%d].fact", path, i), "%q is not a fact%s; facts are %s", u.Fact, suggest(u.Fact, ProbedFacts), strings.Join(ProbedFacts, ", "))
		}
	}
	if c.Totals != nil {
		for _, n := range []struct {
			key string
			v   int64
		}{{"indices", int64(c.Totals.Indices)}, {"docs", c.Totals.Docs}, {"store_bytes", c.Totals.StoreBytes}, {"primary_store_bytes", c.Totals.PrimaryStoreBytes}} {
			if n.v < 0 {
				return pathErr(path+".totals."+n.key, "%d is negative; a count or a size is 0 or more", n.v)
			}
		}
	}
	if c.Indices == nil {
		if c.Totals != nil {
			return pathErr(path+".totals", "the totals are derived from the indices, which are unknown (null); drop the totals or give the indices")
		}
		return nil
	}
	t := Totals{Indices: len(c.Indices)}
	for i := range c.Indices {
		t.Docs += c.Indices[i].DocsCount
		t.StoreBytes += c.Indices[i].StoreBytes
		t.PrimaryStoreBytes += c.Indices[i].PrimaryStoreBytes
	}
	switch {
	case c.Totals == nil:
		c.Totals = &t
	case *c.Totals != t:
		return pathErr(path+".totals", "%+v disagrees with the sum of the indices, %+v; fix the indices or drop the totals", *c.Totals, t)
	}
	return nil
}

func knownFact(f string) bool {
	for _, p := range ProbedFacts {
		if p == f {
			return true
		}
	}
	return false
}

// checkFacts checks and derives the facts outside the indices (those are
// checked as they are read, see checkIndex).
func checkFacts(f *Facts) error {
	if f.CollectedAt.IsZero() {
		return pathErr("collected_at", "missing; without it the facts' age cannot be told (espreflight probe writes it)")
	}
	for _, role := range []string{RoleSource, RoleDestination, RoleIntermediate} {
		if c := f.Clusters.ByRole(role); c != nil {
			if err := checkCluster(c, role); err != nil {
				return err
			}
		}
	}
	if p := f.Plan; p != nil {
		if p.VolumeBytes < -1 {
			return pathErr("plan.volume_bytes", "%d is negative; -1 means no declared volume", p.VolumeBytes)
		}
		if l := p.Limits; l != nil {
			for _, n := range []struct {
				key string
				v   int64
			}{{"reindex_max_bytes", l.ReindexMaxBytes}, {"dump_max_bytes", l.DumpMaxBytes}, {"dump_max_indices", int64(l.DumpMaxIndices)}} {
				if n.v < 0 {
					return pathErr("plan.limits."+n.key, "%d is negative", n.v)
				}
			}
		}
	}
	return nil
}

// jsonError turns an encoding/json error met at path into a FactsError:
// a type error names the field and what it wants, an unknown key (with
// DisallowUnknownFields) names the key with a did-you-mean; raw and t, when
// given, are the JSON and the type decoded at path, to find where an
// unknown key sits.
func jsonError(path string, err error, raw []byte, t reflect.Type) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		p := path
		if te.Field != "" {
			p = joinJSON(path, te.Field)
		}
		return pathErr(p, "want %s, got a JSON %s", typeName(te.Type), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &FactsError{Offset: se.Offset, Msg: "not valid JSON: " + se.Error(), syntax: true}
	}
	if key, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		key, _ = strconv.Unquote(key)
		if raw != nil && t != nil {
			if p, k, names, ok := findUnknownKey(raw, t, path); ok {
				return pathErr(joinJSON(p, k), "unknown field%s; the fields here are %s", suggest(k, names), strings.Join(names, ", "))
			}
		}
		if t != nil {
			names := jsonNames(derefType(t))
			return pathErr(joinJSON(path, key), "unknown field%s; the fields here are %s", suggest(key, names), strings.Join(names, ", "))
		}
		return pathErr(joinJSON(path, key), "unknown field")
	}
	if path != "" {
		return fmt.Errorf("%s: %w", path, err)
	}
	return err
}

func joinJSON(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// typeName says in words what a Go type holds in JSON.
func typeName(t reflect.Type) string {
	switch derefType(t).Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// findUnknownKey walks raw JSON against type t and returns the path of the
// first object key that no field of the matching struct takes (exactly or
// case-insensitively, as encoding/json matches), with the fields there.
func findUnknownKey(raw []byte, t reflect.Type, path string) (string, string, []string, bool) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "", "", nil, false
	}
	return walkUnknown(v, t, path)
}

func walkUnknown(v any, t reflect.Type, path string) (string, string, []string, bool) {
	t = derefType(t)
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return "", "", nil, false
		}
		names := jsonNames(t)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			name := memberFor(k, names)
			if name == "" {
				return path, k, names, true
			}
			f, _ := fieldByJSON(t, name)
			if p, kk, nn, ok := walkUnknown(obj[k], f.Type, joinJSON(path, k)); ok {
				return p, kk, nn, true
			}
		}
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			return "", "", nil, false
		}
		for i, e := range list {
			if p, k, n, ok := walkUnknown(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, k, n, true
			}
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return "", "", nil, false
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, kk, n, ok := walkUnknown(obj[k], t.Elem(), joinJSON(path, k)); ok {
				return p, kk, n, true
			}
		}
	}
	return "", "", nil, false
}

// fieldByJSON finds the struct field with the given JSON name.
func fieldByJSON(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "" {
			tag = f.Name
		}
		if tag == name && f.IsExported() {
			return f, true
		}
	}
	return reflect.StructField{}, false
}
