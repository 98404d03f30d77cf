package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// sameFile reports whether two paths name one file: the same cleaned
// absolute path, or (for files that exist) the same file on disk, through a
// symbolic or hard link.
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if abs(a) == abs(b) {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// inside reports whether path is dir or a file under it.
func inside(path, dir string) bool {
	rel, err := filepath.Rel(abs(dir), abs(path))
	if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return true
	}
	if real, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		if d, err := filepath.EvalSymlinks(dir); err == nil {
			rel, err := filepath.Rel(d, filepath.Join(real, filepath.Base(path)))
			return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
		}
	}
	return false
}

// input is a file a command reads, named by the flag that gave it.
type input struct{ flag, path string }

// overwrites says which input the output path would replace, or "".
func overwrites(path string, ins []input) string {
	for _, in := range ins {
		if in.path != "" && in.path != "-" && sameFile(path, in.path) {
			return fmt.Sprintf("%s %s", in.flag, in.path)
		}
	}
	return ""
}

// safeOutputs checks where check's reports go: a report never replaces the
// plan, the facts or a file in a --policy folder, and two formats never go
// to one file (nor several formats to the -o file). It returns the outputs
// that are safe to write, for the failed-run reports, and an error naming
// every conflict.
func (o *checkOptions) safeOutputs() ([]output, string, error) {
	ins := []input{{"--plan", o.planPath}, {"--facts", o.factsPath}}
	var problems []string
	bad := map[int]bool{}
	outFile := o.output
	refuse := func(path, what string) bool {
		if in := overwrites(path, ins); in != "" {
			problems = append(problems, fmt.Sprintf("%s would overwrite the input %s", what, in))
			return true
		}
		for _, d := range o.policies.PolicyDirs {
			if inside(path, d) {
				problems = append(problems, fmt.Sprintf("%s would write into the --policy folder %s, whose files are loaded as rules and data", what, d))
				return true
			}
		}
		return false
	}
	if outFile != "" && refuse(outFile, "-o "+outFile) {
		outFile = ""
		for i, out := range o.outputs {
			if out.path == "" {
				bad[i] = true
			}
		}
	}
	// Every output by the file it goes to.
	byFile := map[string][]int{}
	var files []string
	for i, out := range o.outputs {
		path := out.path
		if path == "" {
			path = outFile
		}
		if path == "" || bad[i] {
			continue
		}
		if out.path != "" && refuse(path, "--format "+out.format+"="+path) {
			bad[i] = true
			continue
		}
		key := abs(path)
		for _, f := range files {
			if sameFile(f, path) {
				key = abs(f)
			}
		}
		if byFile[key] == nil {
			files = append(files, path)
		}
		byFile[key] = append(byFile[key], i)
	}
	for _, f := range files {
		idx := byFile[abs(f)]
		if len(idx) < 2 {
			continue
		}
		var names []string
		for _, i := range idx {
			names = append(names, o.outputs[i].format)
			bad[i] = true
		}
		problems = append(problems, fmt.Sprintf("%s would receive %d reports (%s); give each format its own file with --format FORMAT=PATH", f, len(idx), strings.Join(names, ", ")))
	}
	if len(problems) == 0 {
		return o.outputs, o.output, nil
	}
	var keep []output
	for i, out := range o.outputs {
		if !bad[i] {
			keep = append(keep, out)
		}
	}
	return keep, outFile, usageErr("%s", strings.Join(problems, "; "))
}

// refuseInputs is the same check for the commands that write one document
// (probe -o, advise -o and --write-plan): each output must not replace an
// input, nor another output.
func refuseInputs(outs []input, ins []input) error {
	var problems []string
	for i, out := range outs {
		if out.path == "" {
			continue
		}
		if in := overwrites(out.path, ins); in != "" {
			problems = append(problems, fmt.Sprintf("%s %s would overwrite the input %s", out.flag, out.path, in))
		}
		for _, other := range outs[:i] {
			if sameFile(out.path, other.path) {
				problems = append(problems, fmt.Sprintf("%s and %s both write %s", other.flag, out.flag, out.path))
			}
		}
	}
	if len(problems) > 0 {
		return usageErr("%s; choose another file", strings.Join(problems, "; "))
	}
	return nil
}
