// Package schemagen generates the JSON Schemas under docs/schema from the Go
// types of espreflight's documents (with github.com/invopop/jsonschema),
// checks that the committed files are current, and validates documents
// against them (with github.com/santhosh-tekuri/jsonschema/v6, formats
// asserted). Only tests import it, so neither library is in the binary.
package schemagen

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/invopop/jsonschema"
	validator "github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/espreflight/espreflight/docs/schema"
)

// Module is the import path the Go comments are looked up under.
const Module = "github.com/espreflight/espreflight"

// RepoRoot returns the repository root: the closest folder above the working
// directory that holds go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Options say how one schema is generated.
type Options struct {
	// File is the schema's file name under docs/schema (schema.PlanFile, …).
	File        string
	Title       string
	Description string
	// FieldNameTag is the struct tag that names the keys: "json" (default) or "yaml".
	FieldNameTag string
	// RequiredFromTags makes only the fields tagged jsonschema:"required"
	// required (else every field without omitempty is).
	RequiredFromTags bool
	// Packages are the folders (relative to the repository root) whose Go
	// doc comments describe the types and fields.
	Packages []string
}

// Reflect returns the schema of v's type: every type inlined (no $defs), so
// that Walk sees each key under its own path, with Go doc comments as
// descriptions.
func Reflect(t testing.TB, v any, o Options) *jsonschema.Schema {
	t.Helper()
	r := &jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, FieldNameTag: o.FieldNameTag,
		RequiredFromJSONSchemaTags: o.RequiredFromTags}
	root := RepoRoot(t)
	for _, p := range o.Packages {
		// AddGoComments names a package by base + the folder as walked,
		// so it walks from the repository root.
		if err := withDir(root, func() error { return r.AddGoComments(Module, p) }); err != nil {
			t.Fatalf("go comments of %s: %v", p, err)
		}
	}
	s := r.Reflect(v)
	s.ID = jsonschema.ID(schema.URL(o.File))
	s.Title = o.Title
	s.Description = o.Description
	return s
}

func withDir(dir string, fn func() error) error {
	old, err := os.Getwd()
	if err != nil {
		return err
	}
	if err := os.Chdir(dir); err != nil {
		return err
	}
	defer os.Chdir(old) //nolint:errcheck // back to where the test was
	return fn()
}

// Walk calls fn for s and every schema below it, depth first, with its key
// path: "source.created"; the items of an array are "indices[]", their keys
// "waivers[].rule".
func Walk(s *jsonschema.Schema, fn func(path string, s *jsonschema.Schema)) {
	walk("", s, fn)
}

func walk(path string, s *jsonschema.Schema, fn func(string, *jsonschema.Schema)) {
	if s == nil {
		return
	}
	fn(path, s)
	if s.Properties != nil {
		for p := s.Properties.Oldest(); p != nil; p = p.Next() {
			child := p.Key
			if path != "" {
				child = path + "." + p.Key
			}
			walk(child, p.Value, fn)
		}
	}
	walk(path+"[]", s.Items, fn)
	if ap := s.AdditionalProperties; ap != nil && ap != jsonschema.FalseSchema && ap != jsonschema.TrueSchema {
		walk(path+".*", ap, fn)
	}
}

// Property returns the schema of the key path ("snapshot.repository"), or nil.
func Property(s *jsonschema.Schema, path string) *jsonschema.Schema {
	var found *jsonschema.Schema
	Walk(s, func(p string, x *jsonschema.Schema) {
		if p == path && found == nil {
			found = x
		}
	})
	return found
}

// SetTypes replaces a schema's type by a list of types ("string", "null").
func SetTypes(s *jsonschema.Schema, types ...string) {
	s.Type = ""
	if s.Extras == nil {
		s.Extras = map[string]any{}
	}
	if len(types) == 1 {
		s.Type = types[0]
		delete(s.Extras, "type")
		return
	}
	s.Extras["type"] = types
}

// Marshal renders a schema as the committed file: two-space indent, a
// trailing newline.
func Marshal(t testing.TB, s *jsonschema.Schema) []byte {
	t.Helper()
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

// Check compares a generated schema with the committed one and, with
// update, rewrites the committed file.
func Check(t testing.TB, file string, got []byte, update bool) {
	t.Helper()
	path := filepath.Join(RepoRoot(t), "docs", "schema", file)
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it with go test -update)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("docs/schema/%s is stale: the Go types or their docs changed; run go test ./... -update and commit it", file)
	}
}

// Compile reads a committed schema for validation, with formats (date,
// date-time, uri) asserted.
func Compile(t testing.TB, file string) *validator.Schema {
	t.Helper()
	path := filepath.Join(RepoRoot(t), "docs", "schema", file)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := validator.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	c := validator.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schema.URL(file), doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schema.URL(file))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return s
}

// ValidateJSON validates a JSON document; name says which in errors.
func ValidateJSON(s *validator.Schema, data []byte) error {
	doc, err := validator.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return s.Validate(doc)
}

// Validate validates a decoded document (map[string]any, []any, … as
// encoding/json or a YAML decoder produce them).
func Validate(s *validator.Schema, doc any) error {
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return ValidateJSON(s, data)
}

// Undescribed lists the key paths whose schema has no description.
func Undescribed(s *jsonschema.Schema) []string {
	var out []string
	Walk(s, func(p string, x *jsonschema.Schema) {
		if p != "" && x.Description == "" && !strings.HasSuffix(p, ".*") && !strings.HasSuffix(p, "[]") {
			out = append(out, p)
		}
	})
	sort.Strings(out)
	return dedup(out)
}

func dedup(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// AllowNull adds "null" to the type of every property whose Go field is a
// pointer, slice, map or interface (encoding/json writes a nil one as
// null), following t (the type s was reflected from) with its json names.
func AllowNull(s *jsonschema.Schema, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if s.Items != nil {
			AllowNull(s.Items, t.Elem())
		}
		return
	case reflect.Map:
		if ap := s.AdditionalProperties; ap != nil && ap != jsonschema.TrueSchema && ap != jsonschema.FalseSchema {
			AllowNull(ap, t.Elem())
		}
		return
	case reflect.Struct:
	default:
		return
	}
	if s.Properties == nil {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		p, ok := s.Properties.Get(name)
		if !ok || name == "-" {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			if p.Type != "" {
				SetTypes(p, p.Type, "null")
			}
		}
		AllowNull(p, f.Type)
	}
}

// Document is the schema of a JSON document espreflight writes: v's type
// reflected (Reflect), null allowed where encoding/json writes one
// (AllowNull), and its "schema" member fixed to marker and required.
func Document(t testing.TB, v any, o Options, marker string) *jsonschema.Schema {
	t.Helper()
	s := Reflect(t, v, o)
	AllowNull(s, reflect.TypeOf(v))
	m, ok := s.Properties.Get("schema")
	if !ok {
		t.Fatalf("%T has no schema member", v)
	}
	m.Const = marker
	if o.RequiredFromTags {
		s.Required = []string{"schema"}
	}
	return s
}
