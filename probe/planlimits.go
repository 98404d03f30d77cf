package probe

// Limits a plan file is held to before the YAML parser sees it. A plan is a
// few kilobytes and a handful of levels deep; the parser's memory grows with
// the square of the nesting (a 100 KB plan nested 50 000 deep took 3.7 GB),
// so size, depth and the number of documents are checked on the bytes, in
// one pass and in constant memory.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// Plan file limits.
const (
	// MaxPlanBytes bounds a plan file (1 MiB).
	MaxPlanBytes = 1 << 20
	// MaxPlanDepth bounds how deeply collections nest in a plan.
	MaxPlanDepth = 64
)

// utf8BOM is the byte order mark some editors put at the start of a file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// LoadPlan reads and validates a plan file.
func LoadPlan(path string) (*Plan, error) {
	data, err := readPlanFile(path)
	if err != nil {
		return nil, err
	}
	p, err := ParsePlan(path, data)
	if err != nil {
		return nil, err
	}
	p.resolveFiles(filepath.Dir(path))
	return p, nil
}

// resolveFiles makes every file path of the plan that is relative (every
// string key whose name ends in _file: tls.ca_file, auth.password_file, …)
// relative to dir, the plan's folder, instead of to wherever espreflight
// runs: `tls: {ca_file: ca.pem}` beside the plan works from any working
// folder. A plan read from standard input keeps its paths relative to the
// working folder.
func (p *Plan) resolveFiles(dir string) {
	if dir == "" || dir == "." {
		return
	}
	resolveFileKeys(reflect.ValueOf(p).Elem(), dir)
}

// resolveFileKeys walks the plan's structs (the yaml tags are its keys).
func resolveFileKeys(v reflect.Value, dir string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			resolveFileKeys(v.Elem(), dir)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			resolveFileKeys(v.Index(i), dir)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := v.Field(i)
			key := t.Field(i).Tag.Get("yaml")
			if key == "" || key == "-" {
				continue
			}
			if f.Kind() == reflect.String && strings.HasSuffix(key, "_file") {
				if s := f.String(); s != "" && !filepath.IsAbs(s) {
					f.SetString(filepath.Join(dir, s))
				}
				continue
			}
			resolveFileKeys(f, dir)
		}
	}
}

// ReadPlan reads and validates a plan from r (standard input, for --plan -);
// name is how errors and reports call it. Like LoadPlan it reads at most
// MaxPlanBytes+1 bytes.
func ReadPlan(name string, r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPlanBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read plan %s: %w", name, err)
	}
	return ParsePlan(name, data)
}

// readPlanFile reads at most MaxPlanBytes+1 bytes of a plan file, so a huge
// file or a device (/dev/zero) is refused without being read whole.
func readPlanFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("read plan: %s is a folder, not a plan file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxPlanBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return data, nil
}

// checkPlanLimits reports the first limit a plan breaks: its size, its
// nesting depth (block indentation, compact "- - x" entries and flow
// collections together) or a second YAML document. It scans YAML closely
// enough never to count less than the parser nests: quoted scalars,
// comments and block scalars are skipped, and a bracket counts as a flow
// collection only where a value starts.
func checkPlanLimits(name string, data []byte) *PlanError {
	if len(data) > MaxPlanBytes {
		return &PlanError{File: name, Line: 1, Msg: fmt.Sprintf("the plan is larger than %d bytes (1 MiB); a plan is a few kilobytes: is this the right file?", MaxPlanBytes)}
	}
	var s planScan
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		s.line++
		if err := s.scanLine(bytes.TrimSuffix(line, []byte("\r"))); err != nil {
			return &PlanError{File: name, Line: s.line, Msg: err.Error()}
		}
	}
	return nil
}

// planScan is the state of checkPlanLimits between lines.
type planScan struct {
	line int
	// indents are the columns of the open block collections.
	indents []int
	// flow is the depth of open flow collections ([ and {).
	flow int
	// quote is the quote character of a multi-line quoted scalar, or 0.
	quote byte
	// valueStart is true where a node may start: a quote or a bracket there
	// opens a quoted scalar or a flow collection; elsewhere it is text.
	valueStart bool
	// plain is true when a block line ended inside a plain scalar, which a
	// more indented line (than plainIndent) continues.
	plain       bool
	plainIndent int
	// blockScalar is true inside the content of a | or > scalar, whose
	// lines are more indented than scalarIndent.
	blockScalar  bool
	scalarIndent int
	// docs counts documents started; content is true once a document holds
	// something.
	docs    int
	content bool
}

var errTooDeep = fmt.Errorf("the plan nests deeper than %d levels; a plan needs a handful (is this the right file?)", MaxPlanDepth)

func (s *planScan) scanLine(line []byte) error {
	if isDocMarker(line) {
		// A document marker ends whatever was open, even a quoted scalar
		// (YAML forbids one there).
		*s = planScan{line: s.line, docs: s.docs, content: s.content}
		if line[0] != '-' {
			return nil
		}
		if s.content || s.docs > 0 {
			s.docs++
		}
		if s.docs > 1 {
			return errors.New("a plan file holds one YAML document; remove the second one, which starts here")
		}
		s.docs = 1
		// "--- value": the rest of the line is the document's first node.
		s.valueStart = true
		return s.scanRest(line[3:], 0, -1)
	}
	indent := 0
	for indent < len(line) && line[indent] == ' ' {
		indent++
	}
	rest := line[indent:]
	blank := len(bytes.TrimSpace(rest)) == 0
	if s.blockScalar {
		if blank || indent > s.scalarIndent {
			return nil
		}
		s.blockScalar = false
	}
	if blank || (s.quote == 0 && s.flow == 0 && rest[0] == '#') {
		return nil
	}
	if !s.content {
		s.content = true
		s.docs = max(s.docs, 1)
	}
	i := 0
	switch {
	case s.quote != 0 || s.flow > 0:
		// Inside a multi-line quoted scalar or flow collection: carry on.
	case s.plain && indent > s.plainIndent:
		// The continuation of a plain scalar: text, whatever it holds.
		s.valueStart = false
	default:
		// A block line: close the collections it is not inside, open its own.
		for len(s.indents) > 0 && s.indents[len(s.indents)-1] >= indent {
			s.indents = s.indents[:len(s.indents)-1]
		}
		s.indents = append(s.indents, indent)
		// Compact entries ("- - x", "? - x", ": - x") nest one level each.
		for i < len(rest) && (rest[i] == '-' || rest[i] == '?' || rest[i] == ':') && (i+1 == len(rest) || rest[i+1] == ' ') {
			s.indents = append(s.indents, indent+i+2)
			for i++; i < len(rest) && rest[i] == ' '; i++ {
			}
			if len(s.indents) > MaxPlanDepth {
				return errTooDeep
			}
		}
		if len(s.indents) > MaxPlanDepth {
			return errTooDeep
		}
		// A plain scalar ending this line is continued by lines indented
		// more than the collection it is in.
		s.valueStart, s.plainIndent = true, s.indents[len(s.indents)-1]
	}
	if err := s.scanRest(rest, i, indent); err != nil {
		return err
	}
	s.plain = s.quote == 0 && s.flow == 0 && !s.valueStart && !s.blockScalar
	return nil
}

// scanRest scans the rest of a line from position i: quoted scalars, flow
// collections, comments, mapping values and block scalar headers.
func (s *planScan) scanRest(rest []byte, i, indent int) error {
	for ; i < len(rest); i++ {
		c := rest[i]
		if s.quote != 0 {
			switch {
			case s.quote == '"' && c == '\\':
				i++
			case c == s.quote && s.quote == '\'' && i+1 < len(rest) && rest[i+1] == '\'':
				i++
			case c == s.quote:
				s.quote = 0
				s.valueStart = false
			}
			continue
		}
		switch {
		case c == ' ' || c == '\t':
			continue
		case c == '#' && (i == 0 || rest[i-1] == ' ' || rest[i-1] == '\t'):
			return nil
		case (c == '"' || c == '\'') && s.valueStart:
			s.quote = c
			continue
		case (c == '[' || c == '{') && (s.valueStart || s.flow > 0):
			s.flow++
			if s.flow+len(s.indents) > MaxPlanDepth {
				return errTooDeep
			}
			s.valueStart = true
			continue
		case (c == ']' || c == '}') && s.flow > 0:
			s.flow--
			s.valueStart = false
			continue
		case c == ',' && s.flow > 0:
			s.valueStart = true
			continue
		case c == ':' && (i+1 == len(rest) || rest[i+1] == ' ' || rest[i+1] == '\t' || s.flow > 0):
			s.valueStart = true
			continue
		case (c == '|' || c == '>') && s.valueStart && s.flow == 0:
			// A block scalar: its content is the more indented lines below.
			s.blockScalar, s.scalarIndent = true, indent
			return nil
		case (c == '&' || c == '!') && s.valueStart:
			// An anchor or a tag: the node starts after it.
			for i+1 < len(rest) && rest[i+1] != ' ' && rest[i+1] != '\t' {
				i++
			}
			continue
		}
		// Plain scalar text: in a flow collection it ends at an indicator.
		s.valueStart = false
	}
	return nil
}

// isDocMarker reports whether a line is "---" or "..." (alone or followed
// by a space).
func isDocMarker(line []byte) bool {
	for _, m := range []string{"---", "..."} {
		if bytes.HasPrefix(line, []byte(m)) && (len(line) == 3 || line[3] == ' ' || line[3] == '\t') {
			return true
		}
	}
	return false
}
