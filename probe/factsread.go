package probe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Streaming decoder of facts documents (ReadFacts).
//
// json.Decoder.Decode on the whole document reads all of it into memory and
// scans it once before decoding it; for a facts document of 100 000 indices
// per cluster that is an 80 MB buffer on top of the decoded facts. Here the
// document is read token by token down to clusters.<role>.indices, whose
// elements are decoded one at a time, so the decoder holds one index at a
// time. Everything else (the plan, the tool, the other facts of a cluster) is
// small: its members are collected as raw JSON, re-assembled into one object
// per level and decoded with encoding/json into the same struct, so that
// field matching (exact, then case-insensitive), duplicate keys, nulls,
// unknown keys and type errors behave exactly as encoding/json does on the
// whole document (factsread_test.go compares the two).

// jsonNames are the JSON member names of a struct's fields, in field order,
// as encoding/json derives them (tag name, else the Go name; "-" skipped).
func jsonNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Anonymous {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

var (
	factsNames    = jsonNames(reflect.TypeFor[Facts]())
	clustersNames = jsonNames(reflect.TypeFor[Clusters]())
	clusterNames  = jsonNames(reflect.TypeFor[ClusterFacts]())
)

// memberFor returns the field name encoding/json decodes key into: an exact
// match, else the first field whose name equals key under case folding;
// "" when none.
func memberFor(key string, names []string) string {
	for _, n := range names {
		if n == key {
			return n
		}
	}
	for _, n := range names {
		if strings.EqualFold(n, key) {
			return n
		}
	}
	return ""
}

// rawObject collects members as raw JSON and decodes them in one go.
type rawObject struct {
	buf bytes.Buffer
}

func (o *rawObject) add(dec *json.Decoder, key string) error {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	if o.buf.Len() == 0 {
		o.buf.WriteByte('{')
	} else {
		o.buf.WriteByte(',')
	}
	k, _ := json.Marshal(key)
	o.buf.Write(k)
	o.buf.WriteByte(':')
	o.buf.Write(raw)
	return nil
}

func (o *rawObject) decode(v any) error {
	if o.buf.Len() == 0 {
		return nil
	}
	o.buf.WriteByte('}')
	return json.Unmarshal(o.buf.Bytes(), v)
}

// jsonSpace reports whether c is JSON whitespace.
func jsonSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// readFacts decodes one facts document from r (without the schema check).
func readFacts(r io.Reader) (*Facts, error) {
	// Look at the first byte: anything but an object (null, an array, a
	// syntax error, an empty input) is left to encoding/json, which gives
	// the same result and error as before.
	var head []byte
	one := make([]byte, 1)
	for {
		n, err := r.Read(one)
		if n == 1 {
			head = append(head, one[0])
			if !jsonSpace(one[0]) {
				break
			}
			continue
		}
		if err != nil {
			if err == io.EOF {
				break
			}
			return nil, err
		}
	}
	r = io.MultiReader(bytes.NewReader(head), r)
	if len(head) == 0 || head[len(head)-1] != '{' {
		var f Facts
		if err := json.NewDecoder(r).Decode(&f); err != nil {
			return nil, err
		}
		return &f, nil
	}
	f, err := streamFacts(json.NewDecoder(r))
	if err == io.EOF {
		// The document started but ended early.
		err = io.ErrUnexpectedEOF
	}
	return f, err
}

func streamFacts(dec *json.Decoder) (*Facts, error) {
	var f Facts
	if _, err := dec.Token(); err != nil { // '{'
		return nil, err
	}
	var rest rawObject
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return nil, err
		}
		if memberFor(key, factsNames) == "clusters" {
			if err := readClusters(dec, &f.Clusters); err != nil {
				return nil, err
			}
			continue
		}
		if err := rest.add(dec, key); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, err
	}
	if err := rest.decode(&f); err != nil {
		return nil, err
	}
	return &f, nil
}

func objectKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("expected an object key at offset %d", dec.InputOffset())
	}
	return key, nil
}

// openToken reads the first token of a value that must be an object or an
// array (open), or null; null gives (false, nil). Anything else is the error
// encoding/json gives for that value in that field.
func openToken(dec *json.Decoder, open json.Delim, typ reflect.Type, structName, field string) (bool, error) {
	off := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return false, err
	}
	if tok == nil {
		return false, nil
	}
	if d, ok := tok.(json.Delim); ok && d == open {
		return true, nil
	}
	return false, &json.UnmarshalTypeError{Value: jsonKind(tok), Type: typ, Offset: off, Struct: structName, Field: field}
}

// jsonKind names a value's kind the way encoding/json's type errors do.
func jsonKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case bool:
		return "bool"
	default:
		return "number"
	}
}

func readClusters(dec *json.Decoder, c *Clusters) error {
	ok, err := openToken(dec, '{', reflect.TypeFor[Clusters](), "Facts", "clusters")
	if !ok || err != nil {
		return err // null leaves the struct as it is
	}
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return err
		}
		role := memberFor(key, clustersNames)
		var p **ClusterFacts
		switch role {
		case RoleSource:
			p = &c.Source
		case RoleDestination:
			p = &c.Destination
		case RoleIntermediate:
			p = &c.Intermediate
		default:
			var raw json.RawMessage // unknown member: checked and dropped
			if err := dec.Decode(&raw); err != nil {
				return err
			}
			continue
		}
		if err := readCluster(dec, p, role); err != nil {
			return err
		}
	}
	_, err = dec.Token() // '}'
	return err
}

func readCluster(dec *json.Decoder, p **ClusterFacts, role string) error {
	ok, err := openToken(dec, '{', reflect.TypeFor[ClusterFacts](), "Clusters", "clusters."+role)
	if err != nil {
		return err
	}
	if !ok {
		*p = nil
		return nil
	}
	if *p == nil {
		*p = new(ClusterFacts)
	}
	c := *p
	var rest rawObject
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return err
		}
		if memberFor(key, clusterNames) == "indices" {
			if err := readIndices(dec, &c.Indices, role); err != nil {
				return err
			}
			continue
		}
		if err := rest.add(dec, key); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return err
	}
	if err := rest.decode(c); err != nil {
		return fmt.Errorf("clusters.%s: %w", role, err)
	}
	return nil
}

// readIndices decodes an array of indices element by element, with
// encoding/json's slice semantics: null is a nil slice, [] an empty one, and
// an array decoded over an earlier one (a duplicate key) reuses its elements.
func readIndices(dec *json.Decoder, dst *[]Index, role string) error {
	ok, err := openToken(dec, '[', reflect.TypeFor[[]Index](), "ClusterFacts", "clusters."+role+".indices")
	if err != nil {
		return err
	}
	if !ok {
		*dst = nil
		return nil
	}
	s := *dst
	i := 0
	for ; dec.More(); i++ {
		if i < len(s) {
			// decode over the existing element, as encoding/json does
		} else if i < cap(s) {
			s = s[:i+1]
		} else {
			s = append(s, Index{})
		}
		if err := dec.Decode(&s[i]); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return err
			}
			return fmt.Errorf("clusters.%s.indices[%d]: %w", role, i, err)
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		return err
	}
	switch {
	case i == 0:
		s = []Index{}
	case i < len(s):
		s = s[:i]
	}
	*dst = s
	return nil
}

// ApplyPlan makes p the plan of the facts (a --plan file replaces the plan
// a facts file was saved with) and declares from the plan every cluster the
// facts do not hold, so that its facts are unknown, never absent: the rules
// that need them report that they could not verify.
func (f *Facts) ApplyPlan(p *Plan) {
	f.Plan = p
	for _, role := range p.Roles() {
		if f.Clusters.ByRole(role) == nil {
			f.Clusters.Set(role, DeclaredCluster(p, role))
		}
	}
}
