package probe

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The indices of a cluster are most of a facts document: at 100 000
// indices per cluster, 80 % of its bytes. json.Decoder reads each element
// twice (once to find its end, once to decode it by reflection), which made
// decoding the facts cost as much as decoding the whole file into any. So
// readIndices takes the array over from the decoder: it finds each
// element's end itself and reads the usual shape of an index (a flat object
// of the Index keys, spelled exactly, with plain strings and whole numbers)
// in one pass; anything else in an element (another spelling of a key, an
// escape, a fraction, a nested value, invalid UTF-8, a syntax error) is
// decoded by encoding/json as before, so the result and the errors stay
// those of encoding/json (factsread_test.go compares them on whole
// documents, factsindices_test.go element by element). After the array a
// new json.Decoder goes on with the rest of the document.

// factsDecoder is the json.Decoder of the facts document, replaced after
// each indices array (readIndices); base makes InputOffset an offset in
// the document.
type factsDecoder struct {
	*json.Decoder
	src  io.Reader // what the decoder reads from
	base int64
}

func newFactsDecoder(r io.Reader) *factsDecoder {
	d := &factsDecoder{Decoder: json.NewDecoder(r), src: r}
	d.DisallowUnknownFields()
	return d
}

// InputOffset is the offset in the document of the decoder's position.
func (d *factsDecoder) InputOffset() int64 { return d.base + d.Decoder.InputOffset() }

// resumePrefix puts a new decoder where the old one was after the value of
// a cluster's indices member: inside three objects (the document, clusters
// and the cluster), after a value.
const resumePrefix = `{"":{"":{"":0`

// readIndexArray reads the elements of an indices array whose '[' the
// decoder has just read, up to and including its ']', then resumes the
// decoder after it.
func readIndexArray(dec *factsDecoder, path string) (s []Index, err error) {
	err = dec.takeOver(func(r *indexReader) error {
		s, err = r.array(path)
		return err
	})
	return s, err
}

// takeOver lets read go on with the document from the decoder's position
// (inside a cluster's object), then resumes the decoder after what read
// consumed.
func (dec *factsDecoder) takeOver(read func(r *indexReader) error) error {
	r := &indexReader{br: bufio.NewReaderSize(io.MultiReader(dec.Buffered(), dec.src), 64<<10), off: dec.InputOffset(), strs: map[string]string{}}
	if err := read(r); err != nil {
		return err
	}
	nd := json.NewDecoder(io.MultiReader(strings.NewReader(resumePrefix), r.br))
	nd.DisallowUnknownFields()
	for range 7 { // { "" { "" { "" 0
		if _, err := nd.Token(); err != nil {
			return err
		}
	}
	dec.Decoder, dec.src, dec.base = nd, r.br, r.off-int64(len(resumePrefix))
	return nil
}

// bulkMembers are the members of a cluster that list every index again
// (some 10 MB at 100 000 indices): readCluster takes their JSON with the
// scanner of the indices (readRawMember) instead of json.Decoder, which
// reads a value twice to return it raw; encoding/json still decodes it.
var bulkMembers = map[string]bool{"index_settings": true, "mappings": true, "analysis": true, "deprecations": true}

// readRawMember returns the JSON of the value of the member whose key the
// decoder has just read, and its offset in the document. The value is not
// checked here: decoding it does that (rawObject keeps the offset for its
// errors).
func readRawMember(dec *factsDecoder) (raw []byte, at int64, err error) {
	err = dec.takeOver(func(r *indexReader) error {
		c, err := r.peek()
		if err != nil {
			return err
		}
		if c != ':' {
			return r.syntaxErr(c, "after object key")
		}
		r.discard(1)
		if c, err = r.peek(); err != nil {
			return err
		}
		at = r.off
		if err := r.element(); err != nil {
			return err
		}
		if len(r.raw) == 0 {
			return r.syntaxErr(c, "looking for beginning of value")
		}
		raw = bytes.Clone(r.raw)
		return nil
	})
	return raw, at, err
}

// indexReader reads an indices array from br; off is the document offset
// of the next byte of br.
type indexReader struct {
	br   *bufio.Reader
	off  int64
	raw  []byte            // the element being read
	strs map[string]string // interned values of the fields that repeat
}

// indexChunk is the largest chunk array collects indices in: the elements
// go into chunks (16, 32, … up to indexChunk), copied once into a slice of
// the exact length at the end, instead of into a slice regrown (and
// copied, 1.25 times larger each time) as it fills.
const indexChunk = 4096

func (r *indexReader) array(path string) ([]Index, error) {
	c, err := r.peek()
	if err != nil {
		return nil, err
	}
	if c == ']' {
		r.discard(1)
		return []Index{}, nil
	}
	ivs := indexVersions{}
	var chunks [][]Index
	chunk := make([]Index, 0, 16)
	for i := 0; ; i++ {
		start := r.off
		if err := r.element(); err != nil {
			return nil, err
		}
		if len(r.raw) == 0 {
			return nil, r.syntaxErr(c, "looking for beginning of value")
		}
		if len(chunk) == cap(chunk) {
			chunks = append(chunks, chunk)
			chunk = make([]Index, 0, min(2*cap(chunk), indexChunk))
		}
		chunk = append(chunk, Index{})
		ix := &chunk[len(chunk)-1]
		if !fastIndex(r.raw, ix, r.strs) {
			*ix = Index{}
			if err := decodeIndex(r.raw, ix, start, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return nil, err
			}
		}
		if err := checkIndex(ix, path, i, ivs); err != nil {
			return nil, err
		}
		if c, err = r.peek(); err != nil {
			return nil, err
		}
		switch c {
		case ']':
			r.discard(1)
			s := make([]Index, 0, i+1)
			for _, ch := range chunks {
				s = append(s, ch...)
			}
			return append(s, chunk...), nil
		case ',':
			r.discard(1)
			if c, err = r.peek(); err != nil {
				return nil, err
			}
		default:
			return nil, r.syntaxErr(c, "after array element")
		}
	}
}

// decodeIndex decodes one element with encoding/json, as the decoder of
// the whole document would.
func decodeIndex(raw []byte, ix *Index, start int64, path string) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	err := d.Decode(ix)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &FactsError{Offset: start + se.Offset - 1, Msg: "not valid JSON: " + se.Error(), syntax: true} // the byte read last, as exactOffset says
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return jsonError(path, err, nil, reflect.TypeFor[Index]())
}

// syntaxErr is encoding/json's message for an unexpected byte.
func (r *indexReader) syntaxErr(c byte, context string) error {
	return &FactsError{Offset: r.off, Msg: fmt.Sprintf("not valid JSON: invalid character %s %s", quoteChar(c), context), syntax: true}
}

// quoteChar formats c as encoding/json's syntax errors do.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(c))
	return "'" + s[1:len(s)-1] + "'"
}

func (r *indexReader) discard(n int) {
	r.br.Discard(n)
	r.off += int64(n)
}

// peek skips white space and returns the next byte, unread.
func (r *indexReader) peek() (byte, error) {
	for {
		if _, err := r.br.Peek(1); err != nil {
			return 0, eofIsUnexpected(err)
		}
		buf, _ := r.br.Peek(r.br.Buffered())
		i := 0
		for i < len(buf) && jsonSpace(buf[i]) {
			i++
		}
		r.discard(i)
		if i < len(buf) {
			return buf[i], nil
		}
	}
}

func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// element reads the value that starts at the next byte into r.raw: an
// object or array to its matching bracket, a string to its closing quote,
// anything else to the next delimiter. It finds where the value ends, and
// leaves checking it to the decoding.
func (r *indexReader) element() error {
	r.raw = r.raw[:0]
	depth, inString, escaped := 0, false, false
	for {
		if _, err := r.br.Peek(1); err != nil {
			return eofIsUnexpected(err)
		}
		buf, _ := r.br.Peek(r.br.Buffered())
		end := -1
	scan:
		for i, c := range buf {
			if inString {
				switch {
				case escaped:
					escaped = false
				case c == '\\':
					escaped = true
				case c == '"':
					inString = false
					if depth == 0 {
						end = i + 1
						break scan
					}
				}
				continue
			}
			switch c {
			case '"':
				inString = true
			case '{', '[':
				depth++
			case '}', ']':
				if depth == 0 { // a scalar ends at the array's ']'
					end = i
					break scan
				}
				depth--
				if depth == 0 {
					end = i + 1
					break scan
				}
			case ',', ' ', '\t', '\n', '\r':
				if depth == 0 {
					end = i
					break scan
				}
			}
		}
		if end >= 0 {
			r.raw = append(r.raw, buf[:end]...)
			r.discard(end)
			return nil
		}
		r.raw = append(r.raw, buf...)
		r.discard(len(buf))
	}
}

// fastIndex reads the usual shape of an index element into ix (a zero
// Index) and reports whether it could; when it could not, ix is to be
// decoded again by encoding/json. It accepts only what encoding/json
// decodes the same way: a flat object of keys spelled as the Index's json
// tags, whose values are strings without escapes, control characters or
// invalid UTF-8, whole numbers of up to 18 digits, booleans, or null (which
// leaves the field as it is); a key given twice takes the later value.
func fastIndex(b []byte, ix *Index, strs map[string]string) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		j := i + 1
		for j < len(b) && b[j] != '"' {
			if b[j] == '\\' || b[j] < 0x20 || b[j] >= utf8.RuneSelf {
				return false
			}
			j++
		}
		if j >= len(b) {
			return false
		}
		key := b[i+1 : j]
		if i = skipSpace(b, j+1); i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		ok := false
		switch string(key) {
		case "name":
			i, ok = fastString(b, i, &ix.Name, nil)
		case "status":
			i, ok = fastString(b, i, &ix.Status, strs)
		case "health":
			i, ok = fastString(b, i, &ix.Health, strs)
		case "hidden":
			i, ok = fastBool(b, i, &ix.Hidden)
		case "system":
			i, ok = fastBool(b, i, &ix.System)
		case "data_stream":
			i, ok = fastString(b, i, &ix.DataStream, strs)
		case "docs_count":
			i, ok = fastInt(b, i, &ix.DocsCount)
		case "store_bytes":
			i, ok = fastInt(b, i, &ix.StoreBytes)
		case "primary_store_bytes":
			i, ok = fastInt(b, i, &ix.PrimaryStoreBytes)
		case "primary_shards":
			i, ok = fastInt(b, i, &ix.PrimaryShards)
		case "replicas":
			i, ok = fastInt(b, i, &ix.Replicas)
		case "created_version":
			i, ok = fastString(b, i, &ix.CreatedVersion, strs)
		case "created_product":
			i, ok = fastString(b, i, &ix.CreatedProduct, strs)
		case "created_id":
			i, ok = fastInt(b, i, &ix.CreatedID)
		case "created_major":
			i, ok = fastInt(b, i, &ix.CreatedMajor)
		case "created_minor":
			i, ok = fastInt(b, i, &ix.CreatedMinor)
		case "creation_date":
			i, ok = fastString(b, i, &ix.CreationDate, nil)
		}
		if !ok {
			return false
		}
		if i = skipSpace(b, i); i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}

// indexFieldNames are the json names fastIndex reads; a test checks that
// they are every field of Index.
var indexFieldNames = []string{"name", "status", "health", "hidden", "system", "data_stream", "docs_count", "store_bytes",
	"primary_store_bytes", "primary_shards", "replicas", "created_version", "created_product", "created_id", "created_major",
	"created_minor", "creation_date"}

func skipSpace(b []byte, i int) int {
	for i < len(b) && jsonSpace(b[i]) {
		i++
	}
	return i
}

// isNull reports whether b[i:] starts with the literal null.
func isNull(b []byte, i int) bool { return bytes.HasPrefix(b[i:], []byte("null")) }

// maxInterned bounds the values interned per array: the repeated fields
// have a handful of values in a real cluster, and a hostile file must not
// grow the table without end.
const maxInterned = 4096

func fastString(b []byte, i int, dst *string, strs map[string]string) (int, bool) {
	if isNull(b, i) {
		return i + 4, true
	}
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	j, ascii := i+1, true
	for j < len(b) && b[j] != '"' {
		switch c := b[j]; {
		case c == '\\' || c < 0x20:
			return i, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		j++
	}
	if j >= len(b) {
		return i, false
	}
	v := b[i+1 : j]
	if !ascii && !utf8.Valid(v) {
		return i, false
	}
	if strs == nil {
		*dst = string(v)
		return j + 1, true
	}
	if s, ok := strs[string(v)]; ok {
		*dst = s
		return j + 1, true
	}
	*dst = string(v)
	if len(strs) < maxInterned {
		strs[*dst] = *dst
	}
	return j + 1, true
}

func fastBool(b []byte, i int, dst *bool) (int, bool) {
	switch {
	case isNull(b, i):
		return i + 4, true
	case bytes.HasPrefix(b[i:], []byte("true")):
		*dst = true
		return i + 4, true
	case bytes.HasPrefix(b[i:], []byte("false")):
		*dst = false
		return i + 5, true
	}
	return i, false
}

// fastInt reads a whole number of up to 18 digits (no fraction, no
// exponent: encoding/json refuses those for an integer field, with an
// error fastIndex leaves to it).
func fastInt[T int | int64](b []byte, i int, dst *T) (int, bool) {
	if isNull(b, i) {
		return i + 4, true
	}
	j := i
	neg := j < len(b) && b[j] == '-'
	if neg {
		j++
	}
	start := j
	var n int64
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		n = n*10 + int64(b[j]-'0')
		j++
	}
	digits := j - start
	if digits == 0 || digits > 18 || (b[start] == '0' && digits > 1) {
		return i, false
	}
	if j < len(b) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E') {
		return i, false
	}
	if neg {
		n = -n
	}
	*dst = T(n)
	return j, true
}

// shareIndexNames makes the index names the grouped facts (and the
// deprecations) list share the strings of the cluster's indices: decoded
// apart they would be each name three or four times over, some 20 MB per
// 100 000 indices. Only memory changes.
func shareIndexNames(c *ClusterFacts) {
	if len(c.Indices) == 0 || (c.IndexSettings == nil && c.Mappings == nil && c.Analysis == nil && c.Deprecations == nil) {
		return
	}
	names := make(map[string]string, len(c.Indices))
	for i := range c.Indices {
		names[c.Indices[i].Name] = c.Indices[i].Name
	}
	share := func(list []string) {
		for i, n := range list {
			if s, ok := names[n]; ok {
				list[i] = s
			}
		}
	}
	for i := range c.IndexSettings {
		share(c.IndexSettings[i].Indices)
	}
	for i := range c.Mappings {
		share(c.Mappings[i].Indices)
	}
	for i := range c.Analysis {
		share(c.Analysis[i].Indices)
	}
	for i := range c.Deprecations {
		share(c.Deprecations[i].Names)
	}
}
