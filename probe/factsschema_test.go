package probe

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/espreflight/espreflight/docs/schema"
	"github.com/espreflight/espreflight/internal/schemagen"
)

// TestFactsSchema regenerates docs/schema/facts.schema.json from the Facts
// type: only "schema" is required (ReadFacts reads a missing member as its
// zero value), every member a probe can leave unknown may be null, and no
// member is unknown (a typo in a hand-written facts file would be ignored
// by the reader).
func TestFactsSchema(t *testing.T) {
	s := schemagen.Document(t, Facts{}, schemagen.Options{File: schema.FactsFile, RequiredFromTags: true,
		Title:       "espreflight facts document",
		Description: "What espreflight probe learnt about the clusters of a plan (espreflight probe -o facts.json; check --facts reads it). Reference: docs/probe.md.",
		Packages:    []string{"probe"}}, FactsSchema)
	schemagen.Check(t, schema.FactsFile, schemagen.Marshal(t, s), *update)
}

// TestFactsValidateAgainstSchema: every facts file in testdata, and the
// facts the probe writes for a plan without endpoints, are valid.
func TestFactsValidateAgainstSchema(t *testing.T) {
	v := schemagen.Compile(t, schema.FactsFile)
	root := schemagen.RepoRoot(t)
	var files []string
	err := filepath.WalkDir(filepath.Join(root, "testdata"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "node_modules" {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, ".facts.json") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil || len(files) < 5 {
		t.Fatalf("facts files: %v %v", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := schemagen.ValidateJSON(v, data); err != nil {
			rel, _ := filepath.Rel(root, f)
			t.Errorf("%s: %v", rel, err)
		}
	}
	// Facts from a plan alone, with a bit of everything unknown.
	p, err := ParsePlan("plan.yaml", WritePlan(StarterPlan("snapshot-reindex"), WriteOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range p.Roles() {
		p.Cluster(role).Endpoint = ""
	}
	facts := FromPlan(p, "test", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	data, err := json.Marshal(facts)
	if err != nil {
		t.Fatal(err)
	}
	if err := schemagen.ValidateJSON(v, data); err != nil {
		t.Errorf("facts from a plan: %v", err)
	}
	// The marker is checked.
	if err := schemagen.ValidateJSON(v, []byte(`{"schema": "espreflight.facts/v0"}`)); err == nil {
		t.Errorf("a facts document of another schema version validates")
	}
}
