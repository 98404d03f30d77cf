package probe

// Helpers to stream-decode large response bodies token by token, so that
// memory holds one element at a time instead of the whole response, and the
// lenient scalar types and settings helpers the decoders share.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decoder stream-decodes one response and keeps the account of what its
// decoders keep in memory. A response's bytes are capped by
// --max-response-size, but what they decode to is not the same size: 16
// bytes of {"index":"i1"} become an index of some 600 bytes once merged
// and written, so a 256 MiB body of tiny objects took gigabytes. Every
// element a decoder reads is charged a small overhead, and everything it
// keeps its estimated size; past the budget (twice --max-response-size)
// decoding stops with a *budgetError and the fact is unknown.
//
// One value decoded whole (a row, an index's mapping, a settings object)
// takes several times its length while it is decoded, before anything can
// be charged: Decode and Token refuse to read more than a 32nd of the
// budget (maxElementShare) for one value.
type decoder struct {
	*json.Decoder
	in          *elementReader
	kept, limit int64
	elements    int64
}

// maxElementShare: one value read whole may be at most limit/maxElementShare
// bytes long (16 MiB by default), so that decoding it stays far below a
// gigabyte even into generic maps.
const maxElementShare = 32

// elementReader counts what the decoder reads while one value is decoded
// and fails past max bytes (when max > 0). The decoder reads ahead in
// blocks, so what it counts can be up to twice the value's length.
type elementReader struct {
	r      io.Reader
	n, max int64
	limit  int64 // the decoder's budget, for the message
}

func (e *elementReader) Read(p []byte) (int, error) {
	if e.max > 0 && e.n > 2*e.max {
		return 0, &budgetError{limit: e.limit, element: e.max}
	}
	n, err := e.r.Read(p)
	e.n += int64(n)
	return n, err
}

// Decode decodes one value, refusing one longer than the element limit.
func (d *decoder) Decode(v any) error {
	d.in.n, d.in.max = 0, d.limit/maxElementShare
	defer func() { d.in.max = 0 }()
	return d.Decoder.Decode(v)
}

// Token reads one token (a key may be long), under the element limit.
func (d *decoder) Token() (json.Token, error) {
	d.in.n, d.in.max = 0, d.limit/maxElementShare
	defer func() { d.in.max = 0 }()
	return d.Decoder.Token()
}

// elementCost is what reading one element of a streamed array or object
// costs the budget, kept or not: it bounds the number of elements.
const elementCost = 16

// responseDecoder reads a response body with a decoded budget of limit bytes
// (no budget when limit <= 0).
func responseDecoder(r io.Reader, limit int64) *decoder {
	in := &elementReader{r: r, limit: limit}
	dec := json.NewDecoder(in)
	dec.UseNumber()
	return &decoder{Decoder: dec, in: in, limit: limit}
}

// budgetError is why decoding stopped: what the response decodes to is
// larger than the budget, or one value in it is longer than a value may be.
type budgetError struct {
	limit, elements int64
	element         int64 // the element limit, when one value was too long
}

func (e *budgetError) Error() string {
	if e.element > 0 {
		return fmt.Sprintf("the response holds a single value longer than %s (a sixteenth of --max-response-size); refused rather than exhaust the runner's memory", HumanBytes(e.element))
	}
	return fmt.Sprintf("the response decodes to more than %s in memory after %d elements (the limit is twice --max-response-size); refused rather than exhaust the runner's memory",
		HumanBytes(e.limit), e.elements)
}

// keepSince charges a kept element that began at input offset start: its
// fixed size, and factor times its length in the response (what its text
// and lists take).
func (d *decoder) keepSince(start int64, fixed uintptr, factor int) error {
	return d.keep(int(fixed) + factor*int(d.InputOffset()-start))
}

// keep charges n bytes that a decoder keeps (or that one element costs).
func (d *decoder) keep(n int) error {
	d.kept += int64(n)
	if d.limit > 0 && d.kept > d.limit {
		return &budgetError{limit: d.limit, elements: d.elements}
	}
	return nil
}

// keepStrings charges a kept value: its fixed size and the text it holds.
func (d *decoder) keepStrings(fixed uintptr, strs ...string) error {
	n := int(fixed)
	for _, s := range strs {
		n += len(s)
	}
	return d.keep(n)
}

// element charges one element read from a stream.
func (d *decoder) element(key string) error {
	d.elements++
	return d.keep(elementCost + len(key))
}

// jsonReason shortens a decoding error.
func jsonReason(err error) string {
	var be *budgetError
	if errors.As(err, &be) {
		return be.Error()
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, truncate(se.Error(), 120))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "truncated JSON"
	}
	return truncate(err.Error(), 200)
}

// streamObject reads one JSON object, calling each for every key; each must
// consume the key's value from dec. A JSON null is taken as an empty object.
func streamObject(dec *decoder, each func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("expected a JSON object, got %s", tokenKind(tok))
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("expected an object key, got %s", tokenKind(tok))
		}
		if err := dec.element(key); err != nil {
			return err
		}
		if err := each(key); err != nil {
			return err
		}
	}
	_, err = dec.Token() // '}'
	return err
}

// streamArray reads one JSON array, calling each for every element; each must
// consume the element. A JSON null is taken as an empty array.
func streamArray(dec *decoder, each func() error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("expected a JSON array, got %s", tokenKind(tok))
	}
	for dec.More() {
		if err := dec.element(""); err != nil {
			return err
		}
		if err := each(); err != nil {
			return err
		}
	}
	_, err = dec.Token() // ']'
	return err
}

// skipValue consumes one JSON value.
func skipValue(dec *decoder) error {
	var raw json.RawMessage
	return dec.Decode(&raw)
}

func tokenKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		return "a string"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}

// flexString accepts a JSON string, number, boolean or null.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"' && len(b) >= 2 && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b):
		*f = flexString(b[1 : len(b)-1]) // no escape: the text as it is
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case b[0] == '{' || b[0] == '[':
		return fmt.Errorf("expected a scalar, got %s", string(b[:1]))
	default:
		*f = flexString(b)
	}
	return nil
}

// flexInt accepts a JSON integer, a string holding one, "" or null (0).
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	v := strings.TrimSpace(string(s))
	if v == "" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		// Some versions print sizes as floats ("1.0E9" never, "123.0" rarely).
		fl, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || fl != fl || fl > 9.2e18 || fl < -9.2e18 {
			return fmt.Errorf("%q is not an integer", truncate(v, 40))
		}
		n = int64(fl)
	}
	*f = flexInt(n)
	return nil
}

// flattenSettings walks nested settings, calling fn for every leaf with its
// dotted key; a flat key ("index.version.created") and a nested one give the
// same result. Lists are passed whole.
func flattenSettings(prefix string, v any, fn func(key string, v any)) {
	switch t := v.(type) {
	case map[string]any:
		for k, vv := range t {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flattenSettings(key, vv, fn)
		}
	default:
		if prefix != "" {
			fn(prefix, v)
		}
	}
}

// settingString renders a leaf setting value as text (lists comma-joined).
func settingString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	case []any:
		parts := make([]string, 0, len(t))
		for _, e := range t {
			parts = append(parts, settingString(e))
		}
		return strings.Join(parts, ",")
	case map[string]any:
		b, _ := json.Marshal(t)
		return string(b)
	default:
		return fmt.Sprint(t)
	}
}

// settingList renders a setting value as a list: a JSON list element-wise, a
// string split at commas; blanks are dropped.
func settingList(v any) []string {
	var out []string
	add := func(s string) {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			add(settingString(e))
		}
	default:
		add(settingString(v))
	}
	return out
}

// flexList accepts a JSON list of scalars, one scalar (a list of one), an
// object of scalars keyed "0", "1", … (how old versions print list
// settings) or null (empty).
type flexList []string

func (f *flexList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*f = nil
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '[':
		var l []flexString
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		for _, s := range l {
			*f = append(*f, string(s))
		}
	case b[0] == '{':
		var m map[string]flexString
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, _ := strconv.Atoi(keys[i])
			c, _ := strconv.Atoi(keys[j])
			return a < c
		})
		for _, k := range keys {
			*f = append(*f, string(m[k]))
		}
	default:
		var s flexString
		if err := s.UnmarshalJSON(b); err != nil {
			return err
		}
		*f = flexList{string(s)}
	}
	return nil
}
