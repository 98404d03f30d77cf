package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// writeCleanSARIF writes the log without go-sarif's -1 sentinels (SARIF
// says -1 means unset; the Multitool flags them) and empty arrays: smaller
// files, no validator warnings, the same meaning. Keys come out sorted, strings
// without HTML escapes; the log is indented unless indent is false.
//
// The bytes are those of decoding go-sarif's JSON into any, deleting those
// members and encoding it again (cleanSARIFViaAny in the tests), but without
// the tree of maps: at 10 000 failing indices that round trip was half the
// time of a SARIF report. json.Marshal's output is valid JSON, so the
// reader below only splits it; a string keeps its bytes but for the HTML
// escapes (\u003c \u003e \u0026), which encoding/json writes only when
// asked to escape HTML, and which the re-encoding did not.
func writeCleanSARIF(w io.Writer, rep any, indent bool) error {
	raw, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	r := &jsonReader{b: raw}
	v, err := r.value()
	if err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	v.clean()
	out := make([]byte, 0, len(raw))
	out = v.append(out, indent, 0)
	out = append(out, '\n')
	_, err = w.Write(out)
	return err
}

// jnode is a JSON value: an object (keys, vals), an array (vals) or a
// scalar written as raw.
type jnode struct {
	kind byte // '{', '[' or 0 for a scalar
	raw  []byte
	keys []string // decoded, to sort and to match
	rawk [][]byte // as written
	vals []*jnode
}

type jsonReader struct {
	b    []byte
	i    int
	slab []jnode // nodes are carved from it: one allocation per 1024
}

func (r *jsonReader) node(kind byte) *jnode {
	if len(r.slab) == 0 {
		r.slab = make([]jnode, 1024)
	}
	n := &r.slab[0]
	r.slab = r.slab[1:]
	n.kind = kind
	return n
}

func (r *jsonReader) space() {
	for r.i < len(r.b) && jsonWhite(r.b[r.i]) {
		r.i++
	}
}

func jsonWhite(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (r *jsonReader) value() (*jnode, error) {
	r.space()
	if r.i >= len(r.b) {
		return nil, io.ErrUnexpectedEOF
	}
	switch c := r.b[r.i]; c {
	case '{':
		r.i++
		n := r.node('{')
		r.space()
		if r.i < len(r.b) && r.b[r.i] == '}' {
			r.i++
			return n, nil
		}
		for {
			r.space()
			k, err := r.str()
			if err != nil {
				return nil, err
			}
			key, err := keyString(k)
			if err != nil {
				return nil, err
			}
			r.space()
			if r.i >= len(r.b) || r.b[r.i] != ':' {
				return nil, fmt.Errorf("expected ':' at byte %d", r.i)
			}
			r.i++
			v, err := r.value()
			if err != nil {
				return nil, err
			}
			n.keys, n.rawk, n.vals = append(n.keys, key), append(n.rawk, unescapeHTML(k)), append(n.vals, v)
			r.space()
			if r.i >= len(r.b) {
				return nil, io.ErrUnexpectedEOF
			}
			r.i++
			if r.b[r.i-1] == '}' {
				return n, nil
			}
		}
	case '[':
		r.i++
		n := r.node('[')
		r.space()
		if r.i < len(r.b) && r.b[r.i] == ']' {
			r.i++
			return n, nil
		}
		for {
			v, err := r.value()
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, v)
			r.space()
			if r.i >= len(r.b) {
				return nil, io.ErrUnexpectedEOF
			}
			r.i++
			if r.b[r.i-1] == ']' {
				return n, nil
			}
		}
	case '"':
		s, err := r.str()
		if err != nil {
			return nil, err
		}
		n := r.node(0)
		n.raw = unescapeHTML(s)
		return n, nil
	default:
		start := r.i
		for r.i < len(r.b) && !jsonWhite(r.b[r.i]) && r.b[r.i] != ',' && r.b[r.i] != '}' && r.b[r.i] != ']' {
			r.i++
		}
		n := r.node(0)
		n.raw = r.b[start:r.i]
		return n, nil
	}
}

// str returns the string token at r.i, quotes included.
func (r *jsonReader) str() ([]byte, error) {
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return nil, fmt.Errorf("expected a string at byte %d", r.i)
	}
	start := r.i
	for r.i++; r.i < len(r.b); r.i++ {
		switch r.b[r.i] {
		case '\\':
			r.i++
		case '"':
			r.i++
			return r.b[start:r.i], nil
		}
	}
	return nil, io.ErrUnexpectedEOF
}

func keyString(tok []byte) (string, error) {
	if bytes.IndexByte(tok, '\\') < 0 {
		return string(tok[1 : len(tok)-1]), nil
	}
	var s string
	err := json.Unmarshal(tok, &s)
	return s, err
}

// unescapeHTML turns the escapes that json.Marshal writes and an Encoder
// without HTML escaping does not back into characters: the HTML escapes,
// and \ufffd (written for invalid UTF-8; decoded, it is U+FFFD, which is
// written as is). Every other escape stays as it is.
func unescapeHTML(tok []byte) []byte {
	if !bytes.Contains(tok, []byte(`\u`)) {
		return tok
	}
	out := make([]byte, 0, len(tok))
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c != '\\' || i+1 >= len(tok) {
			out = append(out, c)
			continue
		}
		if tok[i+1] == 'u' && i+6 <= len(tok) {
			switch string(tok[i+2 : i+6]) {
			case "003c":
				out = append(out, '<')
				i += 5
				continue
			case "003e":
				out = append(out, '>')
				i += 5
				continue
			case "0026":
				out = append(out, '&')
				i += 5
				continue
			case "fffd":
				out = append(out, "\ufffd"...)
				i += 5
				continue
			}
		}
		out = append(out, c, tok[i+1]) // any other escape, whole
		i++
	}
	return out
}

// clean drops the members clean used to drop from the decoded log: a
// sentinel key whose value is -1, an empty array (but those GitHub needs),
// an empty "properties" object; emptiness is that of the member as read.
func (n *jnode) clean() {
	switch n.kind {
	case '[':
		for _, v := range n.vals {
			v.clean()
		}
	case '{':
		keep := 0
		for i, k := range n.keys {
			v := n.vals[i]
			switch {
			case v.kind == 0 && sentinelKeys[k] && string(v.raw) == "-1":
				continue
			case v.kind == '[' && len(v.vals) == 0 && !keptEmpty[k]:
				continue
			case v.kind == '{' && len(v.vals) == 0 && k == "properties":
				continue
			}
			v.clean()
			n.keys[keep], n.rawk[keep], n.vals[keep] = k, n.rawk[i], v
			keep++
		}
		n.keys, n.rawk, n.vals = n.keys[:keep], n.rawk[:keep], n.vals[:keep]
	}
}

// append writes n as encoding/json writes the decoded value: object keys
// sorted, and with indent the layout of an Encoder with SetIndent("", "  ").
func (n *jnode) append(out []byte, indent bool, depth int) []byte {
	newline := func(d int) {
		if indent {
			out = append(out, '\n')
			for range d {
				out = append(out, ' ', ' ')
			}
		}
	}
	switch n.kind {
	case '{':
		if len(n.vals) == 0 {
			return append(out, '{', '}')
		}
		order := make([]int, len(n.keys))
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(a, b int) bool { return n.keys[order[a]] < n.keys[order[b]] })
		out = append(out, '{')
		for j, i := range order {
			if j > 0 {
				out = append(out, ',')
			}
			newline(depth + 1)
			out = appendKey(out, n.keys[i], n.rawk[i])
			out = append(out, ':')
			if indent {
				out = append(out, ' ')
			}
			out = n.vals[i].append(out, indent, depth+1)
		}
		newline(depth)
		return append(out, '}')
	case '[':
		if len(n.vals) == 0 {
			return append(out, '[', ']')
		}
		out = append(out, '[')
		for j, v := range n.vals {
			if j > 0 {
				out = append(out, ',')
			}
			newline(depth + 1)
			out = v.append(out, indent, depth+1)
		}
		newline(depth)
		return append(out, ']')
	}
	return append(out, n.raw...)
}

// appendKey writes a key: its token as read when it has no escape, else as
// encoding/json encodes the decoded key.
func appendKey(out []byte, key string, raw []byte) []byte {
	if bytes.IndexByte(raw, '\\') < 0 {
		return append(out, raw...)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(key); err != nil {
		return append(out, strconv.Quote(key)...)
	}
	return append(out, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
}
