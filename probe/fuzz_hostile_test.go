package probe

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// FuzzScrub: whatever a server wraps a credential in, no piece of it
// survives in the scrubbed text, in any truncation of it, in a text cut
// before it was scrubbed, or in an HTTP error reason built from it.
func FuzzScrub(f *testing.F) {
	f.Add("elastic", canaryPassword, "bad credentials Basic ", " for /", uint8(1))
	f.Add("u", "pässwörd\"\\\n", strings.Repeat("x", 190), "", uint8(5))
	f.Add("", "id:key-value", "ApiKey ", "", uint8(2))
	f.Fuzz(func(t *testing.T, user, password, a, b string, which uint8) {
		// Short enough that checking every truncation stays quick; the
		// lengths that matter are around the 100- and 200-byte cuts.
		if len(password) < minFragment || len(password) > 48 || len(user) > 24 || len(a)+len(b) > 260 {
			return
		}
		s := &scrubber{}
		s.basic(user, password)
		pieces := credentialPieces(user, password)
		// The filler, and the filler before the user name (which is public
		// and starts one form), must not hold a piece already; no
		// credential may be made of the marks the scrubber writes.
		public := b
		for _, u := range secretForms(user) { // as is and escaped
			public += "\x00" + a + u + ":"
		}
		if leakedPiece(string([]rune(public)), pieces) != "" || strings.ContainsAny(user+password, "[]…@") {
			return
		}
		form := s.secrets[int(which)%len(s.secrets)]
		text := a + form + b
		check := func(what, out string) {
			t.Helper()
			if piece := leakedPiece(out, pieces); piece != "" {
				t.Fatalf("%s: piece %q of the credentials survives in %q (text %q)", what, piece, out, text)
			}
		}
		check("clean", s.clean(text))
		c := &client{scrub: s}
		body, _ := json.Marshal(map[string]any{"error": map[string]string{"type": a + form, "reason": text}})
		_, reason := c.statusReason(401, strings.NewReader(string(body)))
		check("statusReason", reason)
		for n := 0; n <= len(text)+1; n++ {
			check("short", s.short(text, n))
			check("clean(truncate)", s.clean(truncate(text, n)))
			check("truncate(reason)", truncate(reason, n))
		}
	})
}

// FuzzParsePlan: ParsePlan never panics, and whatever the limits let
// through nests no deeper in the parser than checkPlanLimits counted: the
// scan never counts less than the parser nests.
func FuzzParsePlan(f *testing.F) {
	for _, name := range []string{"snapshot", "reindex", "logstash", "dump", "snapshot-reindex", "arch-conflict"} {
		b, err := os.ReadFile("../testdata/examples/" + name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	head := "version: 1\nmethod: snapshot\n"
	for _, s := range []string{
		head + "indices: " + deepFlow(60) + "\n", ladder(60), head + "indices:\n" + strings.Repeat("- ", 60) + "x\n",
		head + "name: x\n  'y\nindices: " + deepFlow(60) + "\n", "--- |\n'\n---\n" + deepFlow(60) + "\n",
		head + "description: |\n  [[[[ '\nname: \"a [\n ]\"\n", "\xEF\xBB\xBF" + head, head + "? a\n: - - - x\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParsePlan("fuzz.yaml", data)
		data = bytes.TrimPrefix(data, utf8BOM)
		if checkPlanLimits("fuzz.yaml", data) != nil {
			return
		}
		file, err := parser.ParseBytes(data, 0)
		if err != nil {
			return
		}
		for _, doc := range file.Docs {
			if d := yamlDepth(doc, 0); d > MaxPlanDepth {
				t.Fatalf("the limits let through a plan nested %d deep:\n%s", d, data)
			}
		}
	})
}

// yamlDepth is how deeply collections nest in a parsed YAML node.
func yamlDepth(n ast.Node, depth int) int {
	if depth > 10*MaxPlanDepth {
		return depth
	}
	switch t := n.(type) {
	case nil:
		return depth
	case *ast.DocumentNode:
		return yamlDepth(t.Body, depth)
	case *ast.TagNode:
		return yamlDepth(t.Value, depth)
	case *ast.AnchorNode:
		return yamlDepth(t.Value, depth)
	case *ast.MappingNode:
		out := depth + 1
		for _, kv := range t.Values {
			out = max(out, yamlDepth(kv.Key, depth+1), yamlDepth(kv.Value, depth+1))
		}
		return out
	case *ast.MappingValueNode:
		return max(depth+1, yamlDepth(t.Key, depth+1), yamlDepth(t.Value, depth+1))
	case *ast.MappingKeyNode:
		return yamlDepth(t.Value, depth)
	case *ast.SequenceNode:
		out := depth + 1
		for _, v := range t.Values {
			out = max(out, yamlDepth(v, depth+1))
		}
		return out
	}
	return depth
}

// squeezeOracle is squeezeReader done byte by byte: the reference that
// FuzzSqueeze holds the fast one to. Like squeezeReader it takes a quote
// after an odd run of backslashes as escaped inside and outside strings
// (outside, that is invalid JSON, where the decoder stops anyway).
func squeezeOracle(data []byte, max int) (out []byte, raw []int64) {
	inString, slashes, run := false, 0, 0
	for i, c := range data {
		quote := c == '"' && slashes%2 == 0
		if c == '\\' {
			slashes++
		} else {
			slashes = 0
		}
		switch {
		case inString:
			inString = !quote
		case jsonSpace(c):
			if run++; run > max {
				continue
			}
		default:
			run, inString = 0, quote
		}
		out = append(out, c)
		raw = append(raw, int64(i))
	}
	return out, append(raw, int64(len(data)))
}

// chunkReader returns data in the chunk sizes sizes gives (cycled).
type chunkReader struct {
	data  []byte
	sizes []byte
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := 1 + int(c.sizes[c.i%len(c.sizes)])%17
	c.i++
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// FuzzSqueeze: the fast squeezeReader passes on exactly what the byte by
// byte reference does, whatever the chunks it is read in, and maps every
// output offset back to the same input offset.
func FuzzSqueeze(f *testing.F) {
	f.Add([]byte(`{"a":   "b  \"  c"  ,   "d\\\\":    [1,   2]}`), uint8(2), []byte{3, 1, 4})
	f.Add([]byte(`{"k\"":"\\"   ,      "x"}     `), uint8(1), []byte{0})
	f.Add([]byte("   \n\t  {  }  \r\n  "), uint8(3), []byte{16, 2})
	f.Fuzz(func(t *testing.T, data []byte, max uint8, sizes []byte) {
		if len(sizes) == 0 {
			sizes = []byte{255}
		}
		m := 1 + int(max)%8
		want, raw := squeezeOracle(data, m)
		s := &squeezeReader{r: &chunkReader{data: data, sizes: sizes}, max: m}
		got, err := io.ReadAll(s)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("max %d: got %q, want %q", m, got, want)
		}
		for off := range raw {
			if r := s.rawOffset(int64(off)); r != raw[off] {
				t.Fatalf("max %d: output offset %d maps to %d, want %d (%q)", m, off, r, raw[off], data)
			}
		}
	})
}
