// Package policies owns the Rego rules (embedded from this folder), the
// engine that compiles them once in a sandbox (no network, no clock), the rule
// catalogue read from their METADATA, evaluation into findings, and the Rego
// test runner. It prints nothing.
package policies

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/espreflight/espreflight/probe"
)

// builtinFS holds the built-in policies: rules/ (one package per area) and lib/.
//
//go:embed rules lib
var builtinFS embed.FS

// Package prefixes.
const (
	BuiltinPrefix = "espreflight.rules"
	LibPrefix     = "espreflight.lib"
	// CustomPrefix is where user policies (--policy DIR) must put their packages.
	CustomPrefix = "espreflight.custom"
)

// Engine holds the compiled policies and the prepared query. It is safe for
// concurrent use once built.
type Engine struct {
	compiler *ast.Compiler
	modules  map[string]*ast.Module
	pq       rego.PreparedEvalQuery
	// refs are the deny/warn rule sets evaluated, in query order.
	refs  []ruleSetRef
	query string
	// cache keeps input parts across evaluations (WithInputCache); nil
	// keeps nothing.
	cache *inputCache
	// queries are the queries of each plan method (queryFor), shared by
	// the copies of the engine.
	queries *methodQueries
	rules   []Rule
	byID    map[string]*Rule
	// indexFields are the keys of input.clusters[_].indices[_] the compiled
	// policies read; Evaluate builds index objects with those only.
	indexFields IndexFields
}

type ruleSetRef struct {
	path string // e.g. data.espreflight.rules.arch.deny
	kind string // deny | warn
	ids  map[string]bool
	// policy names a user policy's package and file ("package
	// espreflight.custom.x (dir/x.rego)"); "" for a built-in rule set.
	policy string
}

// Options configure an Engine.
type Options struct {
	// PolicyDirs are user policy folders or OPA bundles (--policy), loaded
	// under CustomPrefix.
	PolicyDirs []string
	// WithTests also loads *_test.rego files (for Test only).
	WithTests bool
}

// Capabilities returns the builtins policies may use: OPA's own minus every
// non-deterministic builtin (http.send, net.lookup_ip_addr, time.now_ns,
// rand.intn, uuid.rfc4122, io.jwt.encode_sign*, io.jwt.decode_verify, …),
// minus the ones that read the wall clock without being marked so
// (clockBuiltins) and sandboxRemoved, with no network access at all. The
// list that results is pinned in testdata/builtins.txt, so that an OPA
// upgrade that adds a builtin fails a test until someone has reviewed it.
func Capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0:0]
	for _, b := range caps.Builtins {
		if b.Nondeterministic || clockBuiltins[b.Name] || sandboxRemoved[b.Name] {
			continue
		}
		kept = append(kept, b)
	}
	caps.Builtins = kept
	caps.AllowNet = []string{}
	return caps
}

// clockBuiltins verify certificates against the current time unless told
// otherwise (Go's x509.VerifyOptions with no CurrentTime), which would make
// a verdict depend on when it runs instead of on --now; OPA does not mark
// them non-deterministic.
var clockBuiltins = map[string]bool{
	"crypto.x509.parse_and_verify_certificates":              true,
	"crypto.x509.parse_and_verify_certificates_with_options": true,
}

// sandboxRemoved are deterministic builtins the sandbox removes anyway:
// opa.runtime exposes the environment, net.cidr_expand can expand a /8 into
// millions of addresses.
var sandboxRemoved = map[string]bool{
	"opa.runtime":     true,
	"net.cidr_expand": true,
}

// ParserOptions are how every module is parsed, built-in or user, rule or
// test: Rego v1 with METADATA, and `not` with OPA's improved negation
// semantics (the `future.keywords.not` keyword, so a negated composite
// expression such as `not f(input.x) == 1` holds when any part of it is
// undefined, instead of failing the rule). Set here for every module, so that
// a user policy negates exactly like a built-in one; the built-in files also
// `import future.keywords.not`, so that the stock OPA CLI (opa eval, opa
// test) reads them the same (TestStockParserAgrees, docs/opa.md).
// See https://www.openpolicyagent.org/docs/policy-reference/keywords/not#improved-negation-semantics
func ParserOptions() ast.ParserOptions {
	return ast.ParserOptions{
		ProcessAnnotation: true,
		RegoVersion:       ast.RegoV1,
		Capabilities:      Capabilities(),
		FutureKeywords:    []string{"not"},
	}
}

// LoadModules parses the built-in policies and the user policies (folders
// and bundles, see loadUserPolicies). Module keys are "builtin/<path>" for
// embedded files, the file path for files of a folder and
// "<bundle>/<path in it>" for the files of a bundle.
func LoadModules(opts Options) (map[string]*ast.Module, error) {
	popts := ParserOptions()
	mods := map[string]*ast.Module{}
	keep := func(path string) bool {
		if !strings.HasSuffix(path, ".rego") {
			return false
		}
		return opts.WithTests || !strings.HasSuffix(path, "_test.rego")
	}
	err := fs.WalkDir(builtinFS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !keep(path) {
			return err
		}
		src, err := builtinFS.ReadFile(path)
		if err != nil {
			return err
		}
		name := "builtin/" + path
		m, err := ast.ParseModuleWithOpts(name, string(src), popts)
		if err != nil {
			return err
		}
		mods[name] = m
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("built-in policies: %w", err)
	}
	for _, p := range opts.PolicyDirs {
		if err := loadUserPolicies(mods, p, keep, popts); err != nil {
			return nil, err
		}
	}
	return mods, nil
}

// Compile compiles modules with the sandboxed capabilities.
func Compile(mods map[string]*ast.Module) (*ast.Compiler, error) {
	c := ast.NewCompiler().WithCapabilities(Capabilities()).WithEnablePrintStatements(false)
	c.Compile(mods)
	if c.Failed() {
		return nil, fmt.Errorf("compile policies: %w", explainSandbox(c.Errors))
	}
	return c, nil
}

// explainSandbox rewrites "undefined function X" for a builtin that OPA has
// but the sandbox removes (http.send, time.now_ns, ...), so the error says why.
func explainSandbox(errs ast.Errors) ast.Errors {
	removed := map[string]bool{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		removed[b.Name] = true
	}
	for _, b := range Capabilities().Builtins {
		delete(removed, b.Name)
	}
	for _, e := range errs {
		name, ok := strings.CutPrefix(e.Message, "undefined function ")
		if ok && removed[name] {
			e.Message = fmt.Sprintf("%s is not allowed: policies run in a sandbox without network, clock or randomness, so that a verdict depends only on the facts document; get the data into the facts (espreflight probe) instead", name)
		}
	}
	return errs
}

// New loads, compiles and prepares the policies once.
func New(ctx context.Context, opts Options) (*Engine, error) {
	opts.WithTests = false
	mods, err := LoadModules(opts)
	if err != nil {
		return nil, err
	}
	c, err := Compile(mods)
	if err != nil {
		return nil, err
	}
	e := &Engine{compiler: c, modules: mods, byID: map[string]*Rule{}, indexFields: IndexFieldsRead(c.Modules)}
	if err := e.buildCatalog(); err != nil {
		return nil, err
	}
	parts := make([]string, len(e.refs))
	for i, r := range e.refs {
		parts[i] = r.path
	}
	e.query = "[" + strings.Join(parts, ", ") + "]"
	pq, err := rego.New(rego.Query(e.query), rego.Compiler(c)).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare policies: %w", err)
	}
	e.pq = pq
	e.queries = &methodQueries{byMethod: map[string]*methodQuery{}}
	return e, nil
}

// Query is the query Evaluate runs: the array of every deny and warn rule
// set, in catalogue order. `opa eval` of it over the same policies and the
// JSON of Input gives the same findings (the scale benchmarks compare them).
func (e *Engine) Query() string { return e.query }

// Rules returns the rule catalogue, sorted by id.
func (e *Engine) Rules() []Rule { return e.rules }

// Rule returns the catalogue entry for id.
func (e *Engine) Rule(id string) (Rule, bool) {
	r, ok := e.byID[id]
	if !ok {
		return Rule{}, false
	}
	return *r, true
}

// Modules returns the compiled modules (without tests).
func (e *Engine) Modules() map[string]*ast.Module { return e.modules }

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return strings.TrimSpace(s)
}

// buildCatalog reads every deny/warn rule's METADATA and checks the contract:
// set rules only, id and severity present, ids unique, deny ↔ error and warn ↔ warning.
func (e *Engine) buildCatalog() error {
	var errs []string
	refIdx := map[string]int{}
	keys := make([]string, 0, len(e.modules))
	for k := range e.modules {
		keys = append(keys, k)
	}
	// Built-in modules first, so that a user rule reusing a built-in id is
	// the one reported.
	sort.Slice(keys, func(i, j int) bool {
		bi, bj := strings.HasPrefix(keys[i], "builtin/"), strings.HasPrefix(keys[j], "builtin/")
		if bi != bj {
			return bi
		}
		return keys[i] < keys[j]
	})
	for _, key := range keys {
		m := e.modules[key]
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		custom := strings.HasPrefix(pkg+".", CustomPrefix+".")
		if !custom && !strings.HasPrefix(pkg+".", BuiltinPrefix+".") {
			continue
		}
		for _, r := range m.Rules {
			name := r.Head.Name.String()
			if len(r.Head.Reference) > 0 {
				name = r.Head.Reference[0].Value.String()
			}
			if name != "deny" && name != "warn" {
				continue
			}
			loc := fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
			if r.Head.RuleKind() != ast.MultiValue || len(r.Head.Reference) > 1 {
				errs = append(errs, fmt.Sprintf("%s: %s must be a set rule (`%s contains finding if { ... }`), not `%s if` or a map", loc, name, name, name))
				continue
			}
			var ann *ast.Annotations
			for _, a := range r.Annotations {
				if a.Scope == "rule" || a.Scope == "" {
					ann = a
				}
			}
			if ann == nil {
				errs = append(errs, fmt.Sprintf("%s: %s body has no # METADATA block (title, custom.id, custom.severity)", loc, name))
				continue
			}
			id, sev := str(ann.Custom, "id"), str(ann.Custom, "severity")
			switch {
			case id == "":
				errs = append(errs, fmt.Sprintf("%s: METADATA has no custom.id; add one under `custom:` (e.g. `id: TEAM-001`), unique across built-in and user rules", loc))
				continue
			case sev == "":
				errs = append(errs, fmt.Sprintf("%s: %s: METADATA has no custom.severity; add `severity: %s` under `custom:` (deny rules are errors, warn rules warnings)", loc, id, map[string]string{"deny": "error", "warn": "warning"}[name]))
				continue
			case sev != SeverityError && sev != SeverityWarning:
				errs = append(errs, fmt.Sprintf("%s: %s: custom.severity must be error or warning, got %q", loc, id, sev))
				continue
			case name == "deny" && sev != SeverityError, name == "warn" && sev != SeverityWarning:
				errs = append(errs, fmt.Sprintf("%s: %s: a %s rule must have severity %s", loc, id, name, map[string]string{"deny": "error", "warn": "warning"}[name]))
				continue
			case ann.Title == "":
				errs = append(errs, fmt.Sprintf("%s: %s: METADATA has no title", loc, id))
				continue
			}
			if prev, dup := e.byID[id]; dup {
				what := "rule"
				if !prev.Custom {
					what = "built-in rule"
				}
				errs = append(errs, fmt.Sprintf("%s: duplicate rule id %s: already used by the %s at %s:%d; give this rule its own id (user rules should use their own prefix, e.g. TEAM-001)", loc, id, what, prev.File, prev.Line))
				continue
			}
			methods, err := ruleMethods(ann.Custom)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %s: %v", loc, id, err))
				continue
			}
			rule := &Rule{ID: id, Severity: sev, Title: ann.Title, Description: strings.TrimSpace(ann.Description),
				Remediation: str(ann.Custom, "remediation"), Example: str(ann.Custom, "example"), Methods: methods,
				Package: pkg, File: r.Location.File, Line: ann.Location.Row, Custom: custom}
			for _, rr := range ann.RelatedResources {
				rule.HelpURI = rr.Ref.String()
				break
			}
			e.byID[id] = rule
			path := m.Package.Path.String() + "." + name
			i, ok := refIdx[path]
			if !ok {
				i = len(e.refs)
				refIdx[path] = i
				ref := ruleSetRef{path: path, kind: name, ids: map[string]bool{}}
				if custom {
					ref.policy = fmt.Sprintf("package %s (%s)", pkg, r.Location.File)
				}
				e.refs = append(e.refs, ref)
			}
			e.refs[i].ids[id] = true
		}
	}
	if len(errs) > 0 {
		return errors.New("invalid policies:\n  " + strings.Join(errs, "\n  "))
	}
	for _, r := range e.byID {
		e.rules = append(e.rules, *r)
	}
	sort.Slice(e.rules, func(i, j int) bool { return e.rules[i].ID < e.rules[j].ID })
	if len(e.refs) == 0 {
		return errors.New("no rules found")
	}
	return nil
}

// ruleMethods reads custom.methods, the plan methods a rule applies to: a
// list of probe.Methods, or nothing for a rule that applies to every method.
// It is the one place a rule says where it applies: the engine reports the
// rule "not applicable" to a plan of another method (and drops any finding
// it makes there), and lib.finding returns nothing there, so the Rego tests
// see what the engine does.
func ruleMethods(custom map[string]any) ([]string, error) {
	raw, ok := custom["methods"]
	if !ok {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("custom.methods must be a non-empty list of plan methods (%s), e.g. `methods: [snapshot, snapshot-reindex]`; leave it out for a rule that applies to every method", strings.Join(probe.Methods, ", "))
	}
	out := make([]string, 0, len(list))
	for _, m := range list {
		s, ok := m.(string)
		if !ok || !slices.Contains(probe.Methods, s) {
			return nil, fmt.Errorf("custom.methods: %v is not a plan method; use %s", m, strings.Join(probe.Methods, ", "))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// rawFinding is what a rule body returns.
type rawFinding struct {
	Rule     string          `json:"rule"`
	Msg      string          `json:"msg"`
	Cluster  string          `json:"cluster"`
	Index    string          `json:"index"`
	Indices  []string        `json:"indices"`
	Location string          `json:"location"`
	Evidence []rawEvidence   `json:"evidence"`
	Unverif  bool            `json:"unverified"`
	Severity string          `json:"severity"`
	Extra    json.RawMessage `json:"-"`
}

type rawEvidence struct {
	Fact  string `json:"fact"`
	Value any    `json:"value"`
}
