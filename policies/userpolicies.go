package policies

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
)

// maxBundleFile bounds one file of a policy bundle once decompressed, so a
// crafted archive cannot fill memory.
const maxBundleFile = 16 << 20

// loadUserPolicies adds the modules of one --policy value: a folder of
// .rego files, or an OPA bundle (the .tar.gz of `opa build`). Either way
// every module is parsed from its source with ParserOptions, so the sandbox,
// the negation semantics and the METADATA contract are the same, and its
// package must be under CustomPrefix. keep says which files count (.rego,
// tests only with Options.WithTests).
func loadUserPolicies(mods map[string]*ast.Module, path string, keep func(string) bool, popts ast.ParserOptions) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("policy folder or bundle: %w", err)
	}
	if !st.IsDir() {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("policy %s: not a folder or a bundle file", path)
		}
		return loadBundle(mods, path, keep, popts)
	}
	n := 0
	err = filepath.WalkDir(path, func(file string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !keep(file) {
			return err
		}
		src, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		n++
		return addUserModule(mods, file, src, popts)
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("policy folder %s: no .rego files", path)
	}
	return nil
}

// loadBundle adds the modules of an OPA bundle, read with OPA's bundle
// package (the format `opa build` writes and OPA's own loaders read),
// leaving out copies of espreflight's own policies (ownPolicy). A bundle
// with data files, Wasm or plan modules is refused: rules here read only the
// facts, and those would be silently left out.
func loadBundle(mods map[string]*ast.Module, path string, keep func(string) bool, popts ast.ParserOptions) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("policy bundle: %w", err)
	}
	defer f.Close()
	b, err := bundle.NewReader(f).
		WithSizeLimitBytes(maxBundleFile).
		WithProcessAnnotations(true).
		WithCapabilities(popts.Capabilities).
		WithRegoVersion(ast.RegoV1).
		Read()
	if err != nil {
		return fmt.Errorf("policy bundle %s: %w (--policy takes a folder of .rego files or a bundle built with `opa build`)", path, err)
	}
	switch {
	case len(b.Data) > 0:
		return fmt.Errorf("policy bundle %s holds data (%s): rules read only the facts and the plan, so put such values in the policy itself", path, strings.Join(dataKeys(b.Data), ", "))
	case len(b.WasmModules) > 0 || len(b.PlanModules) > 0:
		return fmt.Errorf("policy bundle %s holds compiled Wasm or plan modules; build it with the default target (`opa build -t rego`)", path)
	}
	n := 0
	for _, m := range b.Modules {
		name := path + "/" + strings.TrimPrefix(filepath.ToSlash(m.Path), "/")
		if !keep(name) || ownPolicy(m.Parsed) {
			continue
		}
		n++
		if err := addUserModule(mods, name, m.Raw, popts); err != nil {
			return err
		}
	}
	if n == 0 {
		return fmt.Errorf("policy bundle %s: no .rego files", path)
	}
	return nil
}

// ownPolicy: a copy of espreflight's own lib or rules in a bundle. `opa
// build` compiles what it packs, so a bundle of rules that call
// data.espreflight.lib must carry the lib; the rules run with the built-in
// lib and rules of this espreflight instead, and the copies are left out.
func ownPolicy(m *ast.Module) bool {
	if m == nil {
		return false
	}
	pkg := strings.TrimPrefix(m.Package.Path.String(), "data.") + "."
	return strings.HasPrefix(pkg, LibPrefix+".") || strings.HasPrefix(pkg, LibPrefix+"_test.") || strings.HasPrefix(pkg, BuiltinPrefix+".")
}

func dataKeys(data map[string]any) []string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, "data."+k)
	}
	return keys
}

// addUserModule parses one user module and checks its package.
func addUserModule(mods map[string]*ast.Module, name string, src []byte, popts ast.ParserOptions) error {
	m, err := ast.ParseModuleWithOpts(name, string(src), popts)
	if err != nil {
		return err
	}
	pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
	if !strings.HasPrefix(pkg+".", CustomPrefix+".") {
		return fmt.Errorf("%s: package %s: user policies must use a package under %s (e.g. package %s.myteam)", name, pkg, CustomPrefix, CustomPrefix)
	}
	mods[name] = m
	return nil
}
