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

// jsonReason shortens a decoding error.
func jsonReason(err error) string {
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
func streamObject(dec *json.Decoder, each func(key string) error) error {
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
		if err := each(key); err != nil {
			return err
		}
	}
	_, err = dec.Token() // '}'
	return err
}

// streamArray reads one JSON array, calling each for every element; each must
// consume the element. A JSON null is taken as an empty array.
func streamArray(dec *json.Decoder, each func() error) error {
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
		if err := each(); err != nil {
			return err
		}
	}
	_, err = dec.Token() // ']'
	return err
}

// skipValue consumes one JSON value.
func skipValue(dec *json.Decoder) error {
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
