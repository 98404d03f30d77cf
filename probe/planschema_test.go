package probe

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	yaml "github.com/goccy/go-yaml"
	"github.com/invopop/jsonschema"
	orderedmap "github.com/pb33f/ordered-map/v2"

	"github.com/espreflight/espreflight/docs/schema"
	"github.com/espreflight/espreflight/internal/schemagen"
)

// roleKey turns a cluster key path into its planEnums / planPatterns form:
// "source.kind" → "*.kind".
func roleKey(path string) string {
	role, rest, ok := strings.Cut(path, ".")
	if ok && (role == RoleSource || role == RoleDestination || role == RoleIntermediate) {
		return "*." + rest
	}
	return path
}

// planSchema generates docs/schema/plan.schema.json: the Plan type with
// its yaml keys, described by docs/plan.md (else the Go comments), with
// what the loader checks beyond the types (planschema.go).
func planSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	s := schemagen.Reflect(t, Plan{}, schemagen.Options{File: schema.PlanFile, FieldNameTag: "yaml", RequiredFromTags: true,
		Title:       "espreflight migration plan, version 1",
		Description: "A migration plan for espreflight (https://github.com/espreflight/espreflight): what moves, how, and between which clusters. Reference: docs/plan.md.",
		Packages:    []string{"probe"}})
	docs := planDocs(t)
	schemagen.Walk(s, func(apath string, x *jsonschema.Schema) {
		if strings.HasSuffix(apath, "[]") {
			return // the array's key says it all
		}
		path := strings.ReplaceAll(apath, "[]", "")
		if d, ok := docs[path]; ok {
			x.Description = d
		} else if d, ok := docs[roleKey(path)]; ok {
			x.Description = d
		}
		required := false
		parent, key := "", path
		if i := strings.LastIndex(path, "."); i >= 0 {
			parent, key = path[:i], path[i+1:]
		}
		for _, r := range append(planRequired[parent], planRequired[roleKey(parent)]...) {
			required = required || r == key
		}
		if path != "" && strings.Count(roleKey(parent), ".") == 0 && strings.HasPrefix(roleKey(parent), "*") {
			required = required || contains(planRequired["*"], key)
		}
		enum, isEnum := planEnums[roleKey(path)]
		pattern, hasPattern := planPatterns[roleKey(path)]
		switch {
		case path == "version":
			x.Const = 1
		case isEnum:
			vals := []any{}
			if path != "method" && !strings.HasSuffix(path, ".kind") {
				vals = append(vals, "") // the loader skips an empty value (mode: the default)
			}
			for _, v := range enum {
				vals = append(vals, v)
			}
			x.Enum = vals
		case hasPattern && pattern == datePattern:
			x.Pattern, x.Format = pattern, "date"
		case hasPattern:
			// A YAML number (version: 7.10, volume: 1048576) is read as the text written.
			x.Pattern = pattern
			schemagen.SetTypes(x, "string", "number")
		case x.Type == "string":
			// The loader reads any scalar as the text written: account: 1234567890.
			schemagen.SetTypes(x, "string", "number", "boolean")
		}
		if path == "indices" {
			one := uint64(1)
			x.MinItems = &one
			// Each pattern is not empty; the first one includes (an exclusion
			// first has nothing before it to remove).
			x.Items.Pattern = `\S`
			x.Items.Not = &jsonschema.Schema{Const: "-"}
			x.PrefixItems = []*jsonschema.Schema{{Pattern: `^[^-]`}}
		}
		if path == "limits.dump_max_indices" {
			x.Minimum = "0"
		}
		if strings.HasSuffix(path, ".auth") {
			// Inline secrets: named, so that an editor says why.
			for _, k := range sortedKeys(secretKeys) {
				x.Properties.Set(k, &jsonschema.Schema{Not: &jsonschema.Schema{},
					Description: "inline secrets are not allowed in a plan; use " + secretKeys[k]})
			}
		}
		// A key written without a value (`snapshot:`) is null, which the
		// loader takes as absent: every optional key may be null.
		if path != "" && !required && (x.Type != "" || x.Extras["type"] != nil || x.Enum != nil) {
			types := []string{x.Type}
			if t, ok := x.Extras["type"].([]string); ok {
				types = t
			}
			if x.Enum != nil {
				x.Enum = append(x.Enum, nil)
			} else if x.Const == nil {
				schemagen.SetTypes(x, append(types, "null")...)
			}
		}
	})
	for parent, keys := range planRequired {
		if parent == "*" {
			for _, role := range []string{RoleSource, RoleDestination, RoleIntermediate} {
				schemagen.Property(s, role).Required = keys
			}
			continue
		}
		target := s
		if parent != "" {
			target = schemagen.Property(s, parent+"[]")
		}
		target.Required = keys
	}
	s.AllOf = planConditions()
	return s
}

// planConditions are the loader's rules between keys: the intermediate
// cluster and the method sections belong to their methods, a provider to a
// third-party cluster.
func planConditions() []*jsonschema.Schema {
	null := &jsonschema.Schema{Type: "null"}
	one := uint64(1)
	methodIs := func(methods []string) *jsonschema.Schema {
		vals := []any{}
		for _, m := range methods {
			vals = append(vals, m)
		}
		return &jsonschema.Schema{Required: []string{"method"}, Properties: props("method", &jsonschema.Schema{Enum: vals})}
	}
	var out []*jsonschema.Schema
	out = append(out,
		&jsonschema.Schema{If: methodIs([]string{"snapshot-reindex"}), Then: &jsonschema.Schema{Required: []string{"intermediate"}},
			Else: &jsonschema.Schema{Properties: props("intermediate", null)}})
	for _, ms := range methodSections {
		var others []string
		for _, m := range Methods {
			if !contains(ms.methods, m) {
				others = append(others, m)
			}
		}
		out = append(out, &jsonschema.Schema{If: methodIs(others), Then: &jsonschema.Schema{Properties: props(ms.key, null)}})
	}
	// snapshot.repository.access_key_account.intermediate needs an intermediate cluster.
	out = append(out, &jsonschema.Schema{If: &jsonschema.Schema{Not: &jsonschema.Schema{Required: []string{"intermediate"}}},
		Then: nested([]string{"snapshot", "repository", "access_key_account", "intermediate"}, &jsonschema.Schema{Enum: []any{"", nil}})})
	// A rename replacement needs its pattern.
	out = append(out, nested([]string{"snapshot"}, &jsonschema.Schema{If: &jsonschema.Schema{Required: []string{"rename_replacement"},
		Properties: props("rename_replacement", &jsonschema.Schema{MinLength: &one})},
		Then: &jsonschema.Schema{Required: []string{"rename_pattern"}, Properties: props("rename_pattern", &jsonschema.Schema{MinLength: &one})}}))
	for _, role := range []string{RoleSource, RoleDestination, RoleIntermediate} {
		// A user name and password, or an API key, not both.
		var basic, key []*jsonschema.Schema
		for _, k := range []string{"username", "username_env", "username_file", "password_env", "password_file"} {
			basic = append(basic, &jsonschema.Schema{Required: []string{k}, Properties: props(k, &jsonschema.Schema{MinLength: &one})})
		}
		for _, k := range []string{"api_key_env", "api_key_file"} {
			key = append(key, &jsonschema.Schema{Required: []string{k}, Properties: props(k, &jsonschema.Schema{MinLength: &one})})
		}
		out = append(out, nested([]string{role, "auth"}, &jsonschema.Schema{Not: &jsonschema.Schema{AllOf: []*jsonschema.Schema{{AnyOf: basic}, {AnyOf: key}}}}))
		notThirdParty := &jsonschema.Schema{Required: []string{"kind"}, Properties: props("kind", &jsonschema.Schema{Not: &jsonschema.Schema{Const: "third-party"}})}
		out = append(out, &jsonschema.Schema{Properties: props(role, &jsonschema.Schema{If: notThirdParty,
			Then: &jsonschema.Schema{Properties: props("provider", &jsonschema.Schema{Enum: []any{"", nil}})}})})
	}
	return out
}

// nested is a schema that applies s at a key path below the root.
func nested(path []string, s *jsonschema.Schema) *jsonschema.Schema {
	for i := len(path) - 1; i >= 0; i-- {
		s = &jsonschema.Schema{Properties: props(path[i], s)}
	}
	return s
}

func props(key string, s *jsonschema.Schema) *orderedmap.OrderedMap[string, *jsonschema.Schema] {
	p := jsonschema.NewProperties()
	p.Set(key, s)
	return p
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// planDocs reads the key tables of docs/plan.md: key path → description.
// A table under "### `snapshot` (…)" describes snapshot.<key>; under
// "### Clusters (…)" the keys of each role ("*.<key>"); under "## Core keys"
// top-level keys. A cell may name several keys ("`region`, `zone`") or a
// set ("access_key_account.{source,destination}").
func planDocs(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(schemagen.RepoRoot(t), "docs", "plan.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	section := regexp.MustCompile("^#+ `([a-z_]+)`")
	code := regexp.MustCompile("`([^`]+)`")
	prefix, inTable := "-", false
	var header []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "## Core keys"):
			prefix = ""
		case strings.HasPrefix(l, "### Clusters"):
			prefix = "*."
		case section.MatchString(l):
			prefix = section.FindStringSubmatch(l)[1] + "."
		case strings.HasPrefix(l, "#"):
			prefix = "-"
		}
		if !strings.HasPrefix(l, "|") {
			inTable, header = false, nil
			continue
		}
		cells := strings.Split(strings.Trim(strings.ReplaceAll(l, `\|`, "\x00"), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(strings.ReplaceAll(cells[i], "\x00", "|"))
		}
		if header == nil {
			header = cells
			continue
		}
		if strings.HasPrefix(cells[0], "---") {
			inTable = true
			continue
		}
		if !inTable || prefix == "-" || len(cells) != len(header) {
			continue
		}
		var parts []string
		for i, h := range header[1:] {
			c := strings.ReplaceAll(cells[i+1], "`", "")
			switch {
			case c == "":
			case h == "meaning":
				parts = append([]string{c}, parts...)
			case h == "type":
			default:
				parts = append(parts, h+": "+c)
			}
		}
		desc := strings.Join(parts, "; ")
		for _, m := range code.FindAllStringSubmatch(cells[0], -1) {
			for _, key := range expand(m[1]) {
				out[prefix+key] = desc
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// Source and destination are described once in the core table.
	for _, role := range []string{RoleSource, RoleDestination} {
		if d, ok := out[role+", "+RoleDestination]; ok {
			out[role] = d
		}
	}
	return out
}

// expand turns "a.{b,c}" into "a.b", "a.c".
func expand(key string) []string {
	i, j := strings.Index(key, "{"), strings.Index(key, "}")
	if i < 0 || j < i {
		return []string{key}
	}
	var out []string
	for _, alt := range strings.Split(key[i+1:j], ",") {
		out = append(out, key[:i]+alt+key[j+1:])
	}
	return out
}

// TestPlanSchema regenerates docs/schema/plan.schema.json and fails when the
// committed file is stale; every key has a description.
func TestPlanSchema(t *testing.T) {
	s := planSchema(t)
	if missing := schemagen.Undescribed(s); len(missing) > 0 {
		t.Errorf("plan keys without a description in docs/plan.md or a Go comment: %s", strings.Join(missing, ", "))
	}
	schemagen.Check(t, schema.PlanFile, schemagen.Marshal(t, s), *update)
	if string(schema.Plan) != string(schemagen.Marshal(t, s)) && !*update {
		t.Errorf("the embedded plan schema is not the generated one")
	}
}

// yamlDoc decodes a plan file into JSON-like values for the validator.
func yamlDoc(t *testing.T, data []byte) any {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// validPlans are plans the loader accepts: every example and every starter plan.
func validPlans(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	files, err := filepath.Glob(filepath.Join(schemagen.RepoRoot(t), "testdata", "examples", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example plans: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = data
	}
	for _, m := range Methods {
		out["plan init --method "+m] = WritePlan(StarterPlan(m), WriteOptions{Comments: true, Optional: true})
	}
	return out
}

// TestPlansValidateAgainstSchema: every plan the loader accepts, the schema
// accepts; every committed bad plan the loader rejects, the schema rejects
// too, but for what a schema cannot see.
func TestPlansValidateAgainstSchema(t *testing.T) {
	v := schemagen.Compile(t, schema.PlanFile)
	for name, data := range validPlans(t) {
		if _, err := ParsePlan(name, data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := schemagen.Validate(v, yamlDoc(t, data)); err != nil {
			t.Errorf("%s: the loader accepts it, the schema does not: %v", name, err)
		}
	}
	if !strings.HasPrefix(string(WritePlan(StarterPlan("snapshot"), WriteOptions{Comments: true})), "# yaml-language-server: $schema="+schema.URL(schema.PlanFile)+"\n") {
		t.Errorf("a starter plan does not start with the yaml-language-server modeline")
	}
	bad, err := filepath.Glob(filepath.Join(schemagen.RepoRoot(t), "testdata", "plans", "bad", "*.yaml"))
	if err != nil || len(bad) == 0 {
		t.Fatalf("no bad plans: %v", err)
	}
	for _, f := range bad {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParsePlan(f, data); err == nil {
			t.Fatalf("%s: the loader accepts it", f)
		}
		if filepath.Base(f) == "not-yaml.yaml" {
			continue // no document to validate
		}
		if err := schemagen.Validate(v, yamlDoc(t, data)); err == nil {
			t.Errorf("%s: the loader rejects it, the schema accepts it", filepath.Base(f))
		}
	}
}

// TestPlanSchemaAgreesWithLoader changes one key of a valid plan at a time,
// to a value that breaks one rule of the schema, and checks that the loader
// rejects it too; and to values both accept.
func TestPlanSchemaAgreesWithLoader(t *testing.T) {
	v := schemagen.Compile(t, schema.PlanFile)
	type mutation struct {
		path  string
		value any
		ok    bool // both accept it
	}
	var muts []mutation
	// Generated from the schema's own constraints.
	schemagen.Walk(planSchema(t), func(apath string, x *jsonschema.Schema) {
		path := strings.ReplaceAll(apath, "[]", "")
		if path == "" || strings.HasSuffix(apath, "[]") || strings.HasPrefix(path, "intermediate") && path != "intermediate.kind" {
			return
		}
		switch {
		case x.Enum != nil:
			muts = append(muts, mutation{path, "no-such-value", false})
		case x.Format == "date":
			muts = append(muts, mutation{path, "2019-02-30", false}, mutation{path, "1 May 2019", false}, mutation{path, "2019-05-01", true})
		case x.Pattern == versionPattern:
			muts = append(muts, mutation{path, "7.x", false}, mutation{path, "7.10", true})
		case x.Pattern == sizePattern:
			muts = append(muts, mutation{path, "lots", false}, mutation{path, "1.5tb", true}, mutation{path, 1048576, true})
		case x.Pattern == endpointPattern:
			muts = append(muts, mutation{path, "https://user:secret@h:9200", false}, mutation{path, "ftp://h:21", false}, mutation{path, "https://10.0.0.5:9200", true})
		case x.Pattern == remoteHostPattern:
			muts = append(muts, mutation{path, "https://h", false}, mutation{path, "https://u:p@h:9200", false}, mutation{path, "https://h:9200", true})
		case x.Extras["type"] != nil && fmt.Sprint(x.Extras["type"]) == "[boolean null]":
			muts = append(muts, mutation{path, "maybe", false}, mutation{path, true, true})
		case x.Extras["type"] != nil && fmt.Sprint(x.Extras["type"]) == "[integer null]":
			muts = append(muts, mutation{path, "many", false})
		case x.Extras["type"] != nil && fmt.Sprint(x.Extras["type"]) == "[string number boolean null]":
			// A value in these needs another key the starter plan lacks (an
			// intermediate cluster, a rename pattern) or clashes with one it
			// has (basic auth): both must refuse it.
			needsMore := regexp.MustCompile(`\.auth\.api_key_(env|file)$|access_key_account\.intermediate$|rename_replacement$`).MatchString(path)
			muts = append(muts, mutation{path, 1234567890, !needsMore}, mutation{path, map[string]any{"a": 1}, false})
		}
		if x.Properties != nil && x.AdditionalProperties == jsonschema.FalseSchema {
			muts = append(muts, mutation{joinPath(path, "no_such_key"), 1, false})
		}
	})
	for _, role := range []string{RoleSource, RoleDestination} {
		for _, k := range sortedKeys(secretKeys) {
			muts = append(muts, mutation{role + ".auth." + k, "s3cr3t", false})
		}
		muts = append(muts, mutation{role + ".kind", nil, false}, mutation{role + ".provider", "tencent", false})
	}
	muts = append(muts, mutation{"indices", []any{"-logs-*"}, false}, mutation{"indices", []any{}, false}, mutation{"indices", []any{"logs-*", ""}, false},
		mutation{"method", nil, false}, mutation{"version", 2, false}, mutation{"limits.dump_max_indices", -1, false}, mutation{"waivers", []any{map[string]any{"rule": "SYS-001"}}, false})
	if len(muts) < 80 {
		t.Fatalf("only %d mutations", len(muts))
	}
	for _, m := range muts {
		base := baseFor(m.path)
		var doc map[string]any
		if err := yaml.Unmarshal(WritePlan(StarterPlan(base), WriteOptions{}), &doc); err != nil {
			t.Fatal(err)
		}
		setPath(doc, m.path, m.value)
		data, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		_, lerr := ParsePlan("plan.yaml", data)
		serr := schemagen.Validate(v, yamlDoc(t, data))
		if m.ok && (lerr != nil || serr != nil) {
			t.Errorf("%s: %v (method %s): both should accept it; loader: %v; schema: %v", m.path, m.value, base, lerr, serr)
		}
		if !m.ok && serr == nil {
			t.Errorf("%s: %v (method %s): the schema accepts it (loader: %v)", m.path, m.value, base, lerr)
		}
		if !m.ok && lerr == nil {
			t.Errorf("%s: %v (method %s): the schema rejects it, the loader accepts it", m.path, m.value, base)
		}
	}
}

// baseFor is the method whose starter plan has the section of a key path.
func baseFor(path string) string {
	switch strings.SplitN(path, ".", 2)[0] {
	case "logstash":
		return "logstash"
	case "reindex", "network":
		return "reindex"
	case "dump":
		return "elasticsearch-dump"
	case "intermediate":
		return "snapshot-reindex"
	}
	return "snapshot"
}

// setPath sets a key path in a decoded plan, making the mappings (and, for
// waivers, a valid waiver) on the way; nil deletes the key.
func setPath(doc map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	cur := doc
	for i, k := range keys[:len(keys)-1] {
		if k == "waivers" && i == 0 {
			w := map[string]any{"rule": "SYS-001", "reason": "accepted for the test", "expires": "2030-01-01"}
			doc["waivers"] = []any{w}
			cur = w
			continue
		}
		next, ok := cur[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[k] = next
		}
		cur = next
	}
	if v == nil {
		delete(cur, keys[len(keys)-1])
		return
	}
	cur[keys[len(keys)-1]] = v
}
