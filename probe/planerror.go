package probe

import (
	"fmt"
	"strings"
)

// PlanError is one problem in a plan file, located at file:line:column.
type PlanError struct {
	File   string
	Line   int
	Column int
	// Path is the key path of the value concerned ("source.created"), or "".
	Path string
	Msg  string
}

func (e *PlanError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, e.Line)
		if e.Column > 0 {
			loc = fmt.Sprintf("%s:%d", loc, e.Column)
		}
	}
	if e.Path != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Path, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// PlanErrors is every problem found in one plan file, in file order.
type PlanErrors []*PlanError

func (es PlanErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}
