package probe

import (
	"reflect"
	"strings"
)

// planEnums are the accepted values of enum keys, by key path ("*" = any cluster role).
var planEnums = map[string][]string{
	"method":                   Methods,
	"mode":                     Modes,
	"*.kind":                   Kinds,
	"*.provider":               Providers,
	"*.architecture":           Architectures,
	"*.product":                Products,
	"snapshot.repository.type": RepoTypes,
	"waivers.cluster":          {RoleSource, RoleDestination, RoleIntermediate},
}

// PlanSchema returns a JSON Schema (draft 2020-12) of the plan file, derived
// from the Plan type so it cannot drift from what the loader accepts.
func PlanSchema() map[string]any {
	s := schemaOf(reflect.TypeOf(Plan{}), "")
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["$id"] = "https://github.com/espreflight/espreflight/plan.schema.json"
	s["title"] = "espreflight migration plan, version 1"
	s["required"] = []string{"version", "method", "indices", "source", "destination"}
	return s
}

func schemaOf(t reflect.Type, path string) map[string]any {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		props := map[string]any{}
		for i := 0; i < t.NumField(); i++ {
			tag := t.Field(i).Tag.Get("yaml")
			if tag == "" || tag == "-" {
				continue
			}
			p := tag
			if path != "" {
				p = path + "." + tag
			}
			props[tag] = schemaOf(t.Field(i).Type, p)
		}
		return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), path)}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer"}
	}
	s := map[string]any{"type": "string"}
	if e, ok := planEnums[path]; ok {
		s["enum"] = e
	} else if i := strings.Index(path, "."); i > 0 {
		if e, ok := planEnums["*"+path[i:]]; ok && strings.Count(path, ".") == 1 {
			s["enum"] = e
		}
	}
	return s
}
