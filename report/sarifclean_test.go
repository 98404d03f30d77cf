package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/policies"
)

// cleanSARIFViaAny is how the log used to be cleaned: decoded into any, the
// members deleted, encoded again. writeCleanSARIF must write its bytes.
func cleanSARIFViaAny(w io.Writer, rep any, indent bool) error {
	raw, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	cleanAny(doc)
	enc := json.NewEncoder(w)
	if indent {
		enc.SetIndent("", "  ")
	}
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

func cleanAny(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch y := e.(type) {
			case json.Number:
				if sentinelKeys[k] && y.String() == "-1" {
					delete(x, k)
				}
			case []any:
				if len(y) == 0 && !keptEmpty[k] {
					delete(x, k)
					continue
				}
				cleanAny(y)
			case map[string]any:
				if len(y) == 0 && k == "properties" {
					delete(x, k)
					continue
				}
				cleanAny(y)
			}
		}
	case []any:
		for _, e := range x {
			cleanAny(e)
		}
	}
}

// TestCleanSARIFBytes: the cleaner writes the bytes of the round trip through
// any, indented or not, on every SARIF the report fixtures make and on
// documents with what the string handling must get right (HTML characters,
// escapes, invalid UTF-8, line separators, escaped keys, nesting, sentinels
// and empty members at every depth).
func TestCleanSARIFBytes(t *testing.T) {
	docs := map[string]any{}
	for name, res := range map[string]*policies.Result{"fixture": fixtureResult(), "custom": customResult(), "large": largeResult(1500),
		"passed": passedResult(), "failed": failedResult(), "many rules": manyRulesResult(40)} {
		// go-sarif's structs, as renderSARIF writes them, and decoded.
		for _, exit := range []int{0, 1, 2, 3} {
			rep, _ := buildSARIF(res, Options{Facts: fixtureFacts(), ExitCode: exit, Errors: []RunError{{Message: "a <b> & c", File: "plan.yaml", Line: 2}}})
			docs[fmt.Sprintf("%s exit %d", name, exit)] = rep
			b, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			docs[fmt.Sprintf("%s exit %d decoded", name, exit)] = v
		}
	}
	odd := strings.Join([]string{"<a href='x'>&amp;</a>", `back\slash \u003c not an escape`, "bad \xff\xfe utf-8", "\u2028\u2029 sep", "tab\tnl\ncr\r\x01\x1f", "é😀 ü", `"quoted"`, "\ufffd real"}, " | ")
	docs["odd"] = map[string]any{
		"runs": []any{}, "results": []any{}, "rules": []any{}, "other": []any{}, "properties": map[string]any{},
		"id": -1, "index": -1.0, "rank": 3, "length": "-1", "charOffset": -1,
		"nested": map[string]any{"properties": map[string]any{"index": -1}, "list": []any{map[string]any{"id": -1, "x": []any{}}, []any{}, odd}},
		"k<&>":   odd, "k\u2028\"\\": map[string]any{}, "zero": 0, "neg": -1.5, "t": true, "n": nil, "e": map[string]any{},
		"deep": []any{[]any{[]any{map[string]any{"properties": map[string]any{"a": []any{}}}}}},
	}
	for name, doc := range docs {
		for _, indent := range []bool{true, false} {
			var want, got bytes.Buffer
			if err := cleanSARIFViaAny(&want, doc, indent); err != nil {
				t.Fatal(err)
			}
			if err := writeCleanSARIF(&got, doc, indent); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%s (indent %v): cleaned log differs from the round trip through any:\n got %.600q\nwant %.600q", name, indent, got.Bytes(), want.Bytes())
			}
		}
	}
}
