package probe

import (
	"bufio"
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
// elements are decoded one at a time (and checked, see checkIndex), so the
// decoder holds one index at a time. Everything else (the plan, the tool,
// the other facts of a cluster) is small: its members are collected as raw
// JSON, re-assembled into one object per level and decoded with
// encoding/json into the same struct, so that field matching (exact, then
// case-insensitive), nulls and type errors behave as encoding/json does on
// the whole document (factsread_test.go compares the two). Unlike plain
// encoding/json, a key that is no field of the contract is an error (with a
// did-you-mean), so is a key given twice at the levels read here (top,
// clusters, a cluster), and so is anything after the document.

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

// memberKey checks an object key read at path against the fields there: it
// returns the field it decodes into, or an error for an unknown key or one
// given twice.
func memberKey(key, path string, names []string, seen map[string]bool) (string, error) {
	name := memberFor(key, names)
	if name == "" {
		return "", pathErr(joinJSON(path, key), "unknown field%s; the fields here are %s", suggest(key, names), strings.Join(names, ", "))
	}
	if seen[name] {
		return "", pathErr(joinJSON(path, key), "given twice; keep one")
	}
	seen[name] = true
	return name, nil
}

// rawObject collects members as raw JSON and decodes them in one go.
type rawObject struct {
	buf bytes.Buffer
	// spans map the members added unchecked (addRaw) back to the
	// document, for the offset of a syntax error in them.
	spans []rawSpan
}

type rawSpan struct{ buf, doc int64 }

func (o *rawObject) add(dec *factsDecoder, key string) error {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	o.addRaw(key, raw, -1)
	return nil
}

// addRaw adds a member; at is the offset of its value in the document
// when the value is not checked yet (readRawMember), else -1.
func (o *rawObject) addRaw(key string, raw []byte, at int64) {
	if o.buf.Len() == 0 {
		o.buf.WriteByte('{')
	} else {
		o.buf.WriteByte(',')
	}
	k, _ := json.Marshal(key)
	o.buf.Write(k)
	o.buf.WriteByte(':')
	if at >= 0 {
		o.spans = append(o.spans, rawSpan{buf: int64(o.buf.Len()), doc: at})
	} else if len(o.spans) > 0 && o.spans[len(o.spans)-1].doc >= 0 {
		o.spans = append(o.spans, rawSpan{buf: int64(o.buf.Len()), doc: -1})
	}
	o.buf.Write(raw)
}

// docOffset is the document offset of a syntax error at off in buf, when
// it is in a member added unchecked; -1 otherwise.
func (o *rawObject) docOffset(off int64) int64 {
	for i := len(o.spans) - 1; i >= 0; i-- {
		if s := o.spans[i]; s.buf <= off {
			if s.doc < 0 {
				return -1
			}
			return s.doc + off - s.buf
		}
	}
	return -1
}

// decode decodes the collected members into v, which is at path; an unknown
// key anywhere below is an error.
func (o *rawObject) decode(v any, path string) error {
	if o.buf.Len() == 0 {
		return nil
	}
	o.buf.WriteByte('}')
	dec := json.NewDecoder(bytes.NewReader(o.buf.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		err = jsonError(path, err, o.buf.Bytes(), reflect.TypeOf(v))
		if fe := (*FactsError)(nil); errors.As(err, &fe) && fe.syntax {
			// Only members added unchecked can hold one; say where it is
			// in the document.
			fe.Offset = o.docOffset(fe.Offset - 1) // the byte read last, as exactOffset says

		}
		return err
	}
	return nil
}

// jsonSpace reports whether c is JSON whitespace.
func jsonSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// jsonKindOf names the JSON value a byte starts.
func jsonKindOf(c byte) string {
	switch {
	case c == '[':
		return "a list"
	case c == '"':
		return "a string"
	case c == 'n':
		return "null"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	}
	return fmt.Sprintf("%q, which starts no JSON value", c)
}

// readFacts decodes one facts document from r (without the schema check and
// checkFacts).
func readFacts(r io.Reader) (*Facts, error) {
	// Read through a buffer (leading white space was read a byte per
	// call) and with long white-space runs cut (the decoder would buffer
	// them whole); offsets are mapped back to the input's.
	sq := &squeezeReader{r: r}
	br := bufio.NewReaderSize(sq, 64<<10)
	var lead int64 // white space before the document, as passed on
	first, err := br.ReadByte()
	for err == nil && jsonSpace(first) {
		lead++
		first, err = br.ReadByte()
	}
	at := func(off int64) int64 { return sq.rawOffset(lead + off) }
	// The first byte that is not white space must open an object.
	switch {
	case err != nil && err != io.EOF:
		return nil, err
	case err != nil && sq.n == 0:
		return nil, &FactsError{Offset: -1, Msg: "empty (0 bytes): not a facts document; write one with `espreflight probe -o FILE`"}
	case err != nil:
		return nil, &FactsError{Offset: -1, Msg: fmt.Sprintf("only white space (%d bytes): not a facts document", sq.n)}
	case first != '{':
		return nil, &FactsError{Offset: at(0), Msg: "a facts document is a JSON object ({\"schema\": …}), not " + jsonKindOf(first)}
	}
	_ = br.UnreadByte()
	dec := newFactsDecoder(br)
	f, err := streamFacts(dec)
	if err == nil {
		// Nothing may follow the document.
		if _, terr := dec.Token(); terr != io.EOF {
			return nil, &FactsError{Offset: at(dec.InputOffset()), Msg: "more data after the facts document; a facts file holds one JSON object"}
		}
		return f, nil
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, &FactsError{Offset: sq.n, Msg: "truncated: the document ends before it is complete"}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return nil, &FactsError{Offset: at(dec.InputOffset()), Msg: "not valid JSON: " + se.Error(), syntax: true}
	}
	if fe := (*FactsError)(nil); errors.As(err, &fe) && fe.Offset >= 0 {
		fe.Offset = at(fe.Offset) // objectKey's and the indices reader's, in the decoder's offsets
	}
	return nil, err
}

// exactOffset replaces the offset of a syntax error found while streaming
// by the one encoding/json finds in the whole document.
func exactOffset(err error, data []byte) error {
	var fe *FactsError
	if !errors.As(err, &fe) || !fe.syntax {
		return err
	}
	var v any
	var se *json.SyntaxError
	if errors.As(json.Unmarshal(data, &v), &se) {
		return &FactsError{Offset: se.Offset - 1, Msg: "not valid JSON: " + se.Error(), syntax: true}
	}
	return err
}

func streamFacts(dec *factsDecoder) (*Facts, error) {
	var f Facts
	if _, err := dec.Token(); err != nil { // '{'
		return nil, err
	}
	var rest rawObject
	seen := map[string]bool{}
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return nil, err
		}
		name, err := memberKey(key, "", factsNames, seen)
		if err != nil {
			return nil, err
		}
		if name == "clusters" {
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
	if err := rest.decode(&f, ""); err != nil {
		return nil, err
	}
	return &f, nil
}

func objectKey(dec *factsDecoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", &FactsError{Offset: dec.InputOffset(), Msg: "expected an object key"}
	}
	return key, nil
}

// openToken reads the first token of a value that must be an object or an
// array (open), or null; null gives (false, nil). Anything else is an error
// at path.
func openToken(dec *factsDecoder, open json.Delim, path string) (bool, error) {
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
	want := "an object"
	if open == '[' {
		want = "a list"
	}
	return false, pathErr(path, "want %s, got a JSON %s", want, jsonKind(tok))
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

func readClusters(dec *factsDecoder, c *Clusters) error {
	ok, err := openToken(dec, '{', "clusters")
	if !ok || err != nil {
		return err // null leaves the struct as it is
	}
	seen := map[string]bool{}
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return err
		}
		role, err := memberKey(key, "clusters", clustersNames, seen)
		if err != nil {
			return err
		}
		var p **ClusterFacts
		switch role {
		case RoleSource:
			p = &c.Source
		case RoleDestination:
			p = &c.Destination
		case RoleIntermediate:
			p = &c.Intermediate
		}
		if err := readCluster(dec, p, role); err != nil {
			return err
		}
	}
	_, err = dec.Token() // '}'
	return err
}

func readCluster(dec *factsDecoder, p **ClusterFacts, role string) error {
	path := "clusters." + role
	ok, err := openToken(dec, '{', path)
	if err != nil {
		return err
	}
	if !ok {
		*p = nil
		return nil
	}
	*p = new(ClusterFacts)
	c := *p
	var rest rawObject
	seen := map[string]bool{}
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return err
		}
		name, err := memberKey(key, path, clusterNames, seen)
		if err != nil {
			return err
		}
		if name == "indices" {
			if err := readIndices(dec, &c.Indices, path+".indices"); err != nil {
				return err
			}
			continue
		}
		if bulkMembers[name] {
			raw, at, err := readRawMember(dec)
			if err != nil {
				return err
			}
			rest.addRaw(key, raw, at)
			continue
		}
		if err := rest.add(dec, key); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return err
	}
	if err := rest.decode(c, path); err != nil {
		return err
	}
	shareIndexNames(c)
	return nil
}

// readIndices decodes an array of indices element by element, checking and
// deriving each (checkIndex): null is a nil slice (unknown), [] an empty one.
func readIndices(dec *factsDecoder, dst *[]Index, path string) error {
	ok, err := openToken(dec, '[', path)
	if err != nil {
		return err
	}
	if !ok {
		*dst = nil
		return nil
	}
	s, err := readIndexArray(dec, path)
	if err != nil {
		return err
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
