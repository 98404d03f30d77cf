package policies

import (
	"fmt"
	"path"
	"reflect"
	"strings"

	"github.com/espreflight/espreflight/probe"
)

// Provenance of findings. A finding names the facts it used as paths into the
// policy input ("clusters.destination.version", "plan.indices[0]",
// "selection.source.by_created", "runner.reachable.source") and where it points
// in the plan as a plan key path ("source.created"). Both are checked against
// the Go types the input is encoded from (Input, probe.Plan, ...): a path that
// names no field is an error of the policy, reported by Evaluate, never a
// silent fallback to "facts" or line 1. A valid path's source is then looked
// up where the facts recorded it: the plan line, the cluster's Sources entry or
// the reason it is unknown.

// inputType and planType are the types the paths are checked against.
var (
	inputType = reflect.TypeFor[Input]()
	planType  = reflect.TypeFor[probe.Plan]()
)

// splitPath splits "a.b[0].c" into "a", "b", "[0]", "c". Map keys are
// segments too, so a key containing a dot cannot be named (none is needed).
func splitPath(p string) ([]string, error) {
	if p == "" {
		return nil, fmt.Errorf("empty path")
	}
	var segs []string
	for _, part := range strings.Split(p, ".") {
		name, rest, indexed := strings.Cut(part, "[")
		if name == "" {
			return nil, fmt.Errorf("empty segment in %q", p)
		}
		segs = append(segs, name)
		for indexed {
			var idx string
			var ok bool
			idx, rest, ok = strings.Cut(rest, "]")
			if !ok || idx == "" {
				return nil, fmt.Errorf("malformed index in %q", p)
			}
			segs = append(segs, "["+idx+"]")
			if rest == "" {
				break
			}
			if rest, indexed = strings.CutPrefix(rest, "["); !indexed {
				return nil, fmt.Errorf("malformed index in %q", p)
			}
		}
	}
	return segs, nil
}

// fieldName is the name of a struct field under tag ("json" or "yaml"); ""
// for a field that is not encoded.
func fieldName(f reflect.StructField, tag string) string {
	name, _, _ := strings.Cut(f.Tag.Get(tag), ",")
	switch {
	case name == "-" || !f.IsExported():
		return ""
	case name == "":
		return f.Name
	}
	return name
}

// typePath checks that segs name a value of type t, fields by their tag
// names. With glob, a segment may be a path.Match pattern ("*_volume"), and
// a segment "*" stands for one or more segments (a path built by sprintf
// from a key such as "source.created"). It returns what is wrong, or "".
func typePath(t reflect.Type, root string, segs []string, tag string, glob bool) string {
	return walkType(t, root, segs, tag, glob, 0)
}

// walkType is typePath below the path at, which names a value of type t.
func walkType(t reflect.Type, at string, segs []string, tag string, glob bool, depth int) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if len(segs) == 0 || t.Kind() == reflect.Interface {
		return "" // an interface is free-form JSON (settings values): any path below it
	}
	if depth > 16 {
		return "path too deep"
	}
	seg := segs[0]
	what := at
	if t.Kind() == reflect.Struct {
		what += " (" + t.Name() + ")"
	}
	children := childTypes(t, tag)
	if len(children) == 0 {
		return fmt.Sprintf("%s is a %s: it has no %q", at, t.Kind(), seg)
	}
	var names []string
	deeper := ""
	for _, c := range children {
		names = append(names, c.name)
		if !segMatches(c.name, seg, glob) {
			continue
		}
		below := at + "." + seg
		if strings.HasPrefix(seg, "[") {
			below = at + seg
		}
		msg := walkType(c.t, below, segs[1:], tag, glob, depth+1)
		if msg == "" {
			return ""
		}
		if glob && seg == "*" && walkType(c.t, below, segs, tag, glob, depth+1) == "" {
			return ""
		}
		deeper = msg
	}
	switch {
	case deeper != "":
		return deeper
	case names[0] == "[]":
		return fmt.Sprintf("%s is a list: name an element as [n], not %q", at, seg)
	case names[0] == "{}":
		return fmt.Sprintf("%s is an object: name a key, not %q", at, seg)
	}
	return fmt.Sprintf("%s has no %q (it has %s)", what, seg, strings.Join(names, ", "))
}

type childType struct {
	name string // field name; "[]" for list elements, "{}" for map values
	t    reflect.Type
}

// childTypes lists what a path may name below a value of type t.
func childTypes(t reflect.Type, tag string) []childType {
	switch t.Kind() {
	case reflect.Struct:
		var out []childType
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous && f.Tag.Get(tag) == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				out = append(out, childTypes(ft, tag)...)
				continue
			}
			if name := fieldName(f, tag); name != "" {
				out = append(out, childType{name, f.Type})
			}
		}
		return out
	case reflect.Slice, reflect.Array:
		return []childType{{"[]", t.Elem()}}
	case reflect.Map:
		return []childType{{"{}", t.Elem()}}
	}
	return nil
}

// segMatches says whether a path segment names a child: a field by name, a
// list element by [n], a map value by any key.
func segMatches(child, seg string, glob bool) bool {
	switch child {
	case "[]":
		return strings.HasPrefix(seg, "[") && (glob || validIndex(seg))
	case "{}":
		return !strings.HasPrefix(seg, "[")
	}
	if glob {
		ok, _ := path.Match(seg, child)
		return ok
	}
	return seg == child
}

func validIndex(seg string) bool {
	n := strings.TrimSuffix(strings.TrimPrefix(seg, "["), "]")
	for _, r := range n {
		if r < '0' || r > '9' {
			return false
		}
	}
	return n != ""
}

// CheckFactPath reports whether fact is a path into the policy input, and
// what is wrong with it when it is not.
func CheckFactPath(fact string) error {
	segs, err := splitPath(fact)
	if err != nil {
		return err
	}
	if msg := typePath(inputType, "input", segs, "json", false); msg != "" {
		return fmt.Errorf("%q is not a path into the input: %s", fact, msg)
	}
	// Selections and reachability are keyed by cluster role.
	var role string
	switch {
	case segs[0] == "selection" && len(segs) > 1:
		role = segs[1]
	case segs[0] == "runner" && len(segs) > 2 && segs[1] == "reachable":
		role = segs[2]
	}
	if role != "" && role != probe.RoleSource && role != probe.RoleDestination && role != probe.RoleIntermediate {
		return fmt.Errorf("%q is not a path into the input: %q is not a cluster role (source, destination or intermediate)", fact, role)
	}
	return nil
}

// CheckPlanPath reports whether p is a key path of a plan file ("" for the
// top of the file), and what is wrong with it when it is not.
func CheckPlanPath(p string) error {
	if p == "" {
		return nil
	}
	segs, err := splitPath(p)
	if err != nil {
		return err
	}
	if msg := typePath(planType, "plan", segs, "yaml", false); msg != "" {
		return fmt.Errorf("%q is not a plan key: %s", p, msg)
	}
	return nil
}

// Source is where an evidence fact came from.
type Source struct {
	// Text says it for people: "plans/x.yaml line 4", "GET / on the source",
	// "unknown: HTTP 403".
	Text string
	// Recorded is false when the path is valid but the facts record no source
	// for it (a facts document written by another espreflight version).
	Recorded bool
}

// provenance resolves the evidence facts and locations of one evaluation,
// each distinct path once: a rule reporting 100 000 indices names a handful.
type provenance struct {
	f       *probe.Facts
	sources map[string]Source
	lines   map[string]int
}

func newProvenance(f *probe.Facts) *provenance {
	return &provenance{f: f, sources: map[string]Source{}, lines: map[string]int{}}
}

// line is the plan line of a finding's location (see probe.Plan.Line).
func (p *provenance) line(loc string) (int, error) {
	if l, ok := p.lines[loc]; ok {
		return l, nil
	}
	if err := CheckPlanPath(loc); err != nil {
		return 0, fmt.Errorf("location: %w", err)
	}
	l := p.f.Plan.Line(loc)
	p.lines[loc] = l
	return l, nil
}

// source resolves an evidence fact.
func (p *provenance) source(fact string) (Source, error) {
	if s, ok := p.sources[fact]; ok {
		return s, nil
	}
	if err := CheckFactPath(fact); err != nil {
		return Source{}, fmt.Errorf("evidence fact %w", err)
	}
	s := FactSource(p.f, fact)
	p.sources[fact] = s
	return s, nil
}

// FactSource says where the fact at a valid input path came from: a plan
// line, the request that collected it, why it is unknown, or the evaluation.
func FactSource(f *probe.Facts, fact string) Source {
	segs, _ := splitPath(fact)
	root, rest := segs[0], segs[1:]
	switch root {
	case "plan":
		key := strings.TrimPrefix(fact, "plan.")
		if key == "plan" {
			key = ""
		}
		return Source{Text: fmt.Sprintf("%s line %d", f.Plan.File, f.Plan.Line(key)), Recorded: true}
	case "clusters", "selection":
		if len(rest) < 2 {
			return Source{Text: "facts", Recorded: true}
		}
		role, key := rest[0], rest[1]
		if root == "selection" {
			key = "indices"
		}
		c := f.Clusters.ByRole(role)
		if c == nil {
			return Source{Text: "not declared in the plan", Recorded: true}
		}
		if src, ok := c.Sources[key]; ok {
			if root == "selection" {
				src += ", selected by plan indices"
			}
			return Source{Text: src, Recorded: true}
		}
		for _, u := range c.Unknown {
			if u.Fact == key {
				return Source{Text: "unknown: " + u.Error, Recorded: true}
			}
		}
		if key == "endpoint" {
			return Source{Text: fmt.Sprintf("%s line %d", f.Plan.File, f.Plan.Line(role+".endpoint")), Recorded: true}
		}
		return Source{Text: "facts of the " + role}
	case "runner":
		return Source{Text: "reachability test from the machine that ran espreflight", Recorded: true}
	case "eval":
		return Source{Text: "evaluation time", Recorded: true}
	}
	return Source{Text: "facts", Recorded: true}
}
