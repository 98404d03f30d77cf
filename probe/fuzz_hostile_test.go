package probe

import (
	"bytes"
	"encoding/json"
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
