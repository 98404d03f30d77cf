package advise

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/espreflight/espreflight/docs/schema"
	"github.com/espreflight/espreflight/internal/schemagen"
)

var update = flag.Bool("update", false, "rewrite docs/schema/advice.schema.json")

// TestAdviceSchema regenerates docs/schema/advice.schema.json from Advice.
func TestAdviceSchema(t *testing.T) {
	s := schemagen.Document(t, Advice{}, schemagen.Options{File: schema.AdviceFile,
		Title:       "espreflight advice (advise --format json)",
		Description: "Every migration method evaluated for one cluster pair, and the recommended one; plan init --from-advice reads it.",
		Packages:    []string{"advise", "policies", "probe"}}, Schema)
	schemagen.Check(t, schema.AdviceFile, schemagen.Marshal(t, s), *update)
}

// TestAdviceValidatesAgainstSchema: the golden advice is valid (the CLI's
// tests validate the advice they write, too).
func TestAdviceValidatesAgainstSchema(t *testing.T) {
	v := schemagen.Compile(t, schema.AdviceFile)
	files, err := filepath.Glob(filepath.Join(schemagen.RepoRoot(t), "testdata", "golden", "advice", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden advice: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := schemagen.ValidateJSON(v, data); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
	if err := schemagen.ValidateJSON(v, []byte(`{"schema": "espreflight.facts/v1"}`)); err == nil {
		t.Errorf("a document of another schema validates")
	}
}
