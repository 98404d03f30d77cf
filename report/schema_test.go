package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/espreflight/espreflight/docs/schema"
	"github.com/espreflight/espreflight/internal/schemagen"
	"github.com/espreflight/espreflight/policies"
)

// TestFindingsSchema regenerates docs/schema/findings.schema.json from
// FindingsDocument: every member espreflight always writes is required.
func TestFindingsSchema(t *testing.T) {
	s := schemagen.Document(t, FindingsDocument{}, schemagen.Options{File: schema.FindingsFile,
		Title:       "espreflight findings (check --format json)",
		Description: "The findings of one espreflight check run. Reference: docs/ci.md, \"What each format holds\".",
		Packages:    []string{"report", "policies"}}, FindingsSchema)
	schemagen.Check(t, schema.FindingsFile, schemagen.Marshal(t, s), *update)
}

// TestJSONValidatesAgainstSchema: the golden JSON reports and the JSON of
// every fixture (passed, failed, unreachable, large, waived) are valid, and
// decode into FindingsDocument with no member left over.
func TestJSONValidatesAgainstSchema(t *testing.T) {
	v := schemagen.Compile(t, schema.FindingsFile)
	docs := map[string][]byte{}
	golden, err := filepath.Glob(filepath.Join(schemagen.RepoRoot(t), "testdata", "golden", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	top, _ := filepath.Glob(filepath.Join(schemagen.RepoRoot(t), "testdata", "golden", "*.json"))
	for _, f := range append(golden, top...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var probe struct{ Schema string }
		if json.Unmarshal(data, &probe) == nil && probe.Schema == FindingsSchema {
			docs[filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f)] = data
		}
	}
	if len(docs) < 4 {
		t.Fatalf("only %d golden findings documents", len(docs))
	}
	for name, res := range map[string]*policies.Result{"fixture": fixtureResult(), "custom": customResult(), "large": largeResult(3000),
		"passed": passedResult(), "failed": failedResult(), "many rules": manyRulesResult(50)} {
		docs[name] = render(t, FormatJSON, res, Options{Facts: fixtureFacts()})
	}
	docs["run failed"] = render(t, FormatJSON, fixtureResult(), Options{ExitCode: 2, Errors: []RunError{{Message: "plan.yaml:3: bad", File: "plan.yaml", Line: 3}}})
	for name, data := range docs {
		if err := schemagen.ValidateJSON(v, data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		var doc FindingsDocument
		if err := dec.Decode(&doc); err != nil || doc.Schema != FindingsSchema {
			t.Errorf("%s: not a FindingsDocument: %v", name, err)
		}
	}
}
