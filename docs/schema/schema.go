// Package schema holds the JSON Schemas of the documents espreflight reads
// and writes: the plan file, the facts document, the findings of
// check --format json and the advice of advise --format json. They are
// generated from the Go types by the tests of probe, report and advise
// (go test ./... -update rewrites them; a stale file fails the test) and
// embedded here so that `espreflight plan schema` prints the committed file.
package schema

import _ "embed" // the schema files

// BaseURL is where the committed schemas are served; each schema's $id is
// BaseURL + its file name.
const BaseURL = "https://raw.githubusercontent.com/espreflight/espreflight/main/docs/schema/"

// File names of the schemas in this folder.
const (
	PlanFile     = "plan.schema.json"
	FactsFile    = "facts.schema.json"
	FindingsFile = "findings.schema.json"
	AdviceFile   = "advice.schema.json"
)

// Plan is plan.schema.json.
//
//go:embed plan.schema.json
var Plan []byte

// URL is the $id of the schema file name.
func URL(file string) string { return BaseURL + file }
