package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/policies"
)

// The JUnit schema of the Jenkins xUnit plugin (testdata/junit/README.md).
const junitXSD = "../testdata/junit/junit-10.xsd"

// xsdElement is what the schema allows of one element: its attributes (with
// use="required" and the pattern of their type, if any), the child elements
// it may hold and whether it may hold text.
type xsdElement struct {
	attrs    map[string]xsdAttr
	children map[string]bool
	text     bool
}

type xsdAttr struct {
	required bool
	pattern  *regexp.Regexp
}

// xsdNode is a node of the schema document.
type xsdNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Kids    []xsdNode  `xml:",any"`
}

func (n *xsdNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// loadXSD reads the part of XML Schema the JUnit schema uses: global
// elements (typed xs:string, by a named complexType or an inline one),
// complexTypes with mixed content, sequences and choices of element refs,
// attributes, and simpleTypes restricted by a pattern. Anything else fails
// the test, so the checker cannot silently ignore a rule of the schema.
func loadXSD(t *testing.T, path string) map[string]*xsdElement {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the JUnit schema is committed: %v", err)
	}
	var root xsdNode
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	patterns := map[string]*regexp.Regexp{}
	complexTypes := map[string]*xsdNode{}
	for i := range root.Kids {
		n := &root.Kids[i]
		switch n.XMLName.Local {
		case "simpleType":
			if len(n.Kids) != 1 || n.Kids[0].XMLName.Local != "restriction" || n.Kids[0].attr("base") != "xs:string" || len(n.Kids[0].Kids) != 1 || n.Kids[0].Kids[0].XMLName.Local != "pattern" {
				t.Fatalf("simpleType %s: only a pattern restriction of xs:string is understood", n.attr("name"))
			}
			// XML Schema patterns match the whole value.
			patterns[n.attr("name")] = regexp.MustCompile("^(?:" + n.Kids[0].Kids[0].attr("value") + ")$")
		case "complexType":
			complexTypes[n.attr("name")] = n
		}
	}
	locals := map[string]*xsdElement{}
	readType := func(name string, ct *xsdNode) *xsdElement {
		el := &xsdElement{attrs: map[string]xsdAttr{}, children: map[string]bool{}, text: ct.attr("mixed") == "true"}
		var walk func(n *xsdNode)
		walk = func(n *xsdNode) {
			for i := range n.Kids {
				k := &n.Kids[i]
				switch k.XMLName.Local {
				case "sequence", "choice":
					walk(k)
				case "element":
					switch ref, local := k.attr("ref"), k.attr("name"); {
					case ref != "":
						el.children[ref] = true
					case local != "" && k.attr("type") == "xs:string":
						// A local text element (rerunType's stackTrace).
						el.children[local] = true
						locals[local] = &xsdElement{text: true}
					default:
						t.Fatalf("%s: only element refs and local xs:string elements are understood inside a type", name)
					}
				case "attribute":
					a := xsdAttr{required: k.attr("use") == "required"}
					switch typ := k.attr("type"); {
					case typ == "xs:string":
					case patterns[typ] != nil:
						a.pattern = patterns[typ]
					default:
						t.Fatalf("%s@%s: type %q is not understood", name, k.attr("name"), typ)
					}
					el.attrs[k.attr("name")] = a
				default:
					t.Fatalf("%s: <%s> is not understood", name, k.XMLName.Local)
				}
			}
		}
		walk(ct)
		return el
	}
	out := map[string]*xsdElement{}
	for i := range root.Kids {
		n := &root.Kids[i]
		if n.XMLName.Local != "element" {
			continue
		}
		name := n.attr("name")
		switch typ := n.attr("type"); {
		case typ == "xs:string":
			out[name] = &xsdElement{text: true}
		case typ != "":
			ct := complexTypes[typ]
			if ct == nil {
				t.Fatalf("element %s: type %s is not defined", name, typ)
			}
			out[name] = readType(name, ct)
		case len(n.Kids) == 1 && n.Kids[0].XMLName.Local == "complexType":
			out[name] = readType(name, &n.Kids[0])
		default:
			t.Fatalf("element %s: not understood", name)
		}
	}
	for name, el := range locals {
		if out[name] == nil {
			out[name] = el
		}
	}
	return out
}

// xsdCheck returns what in the XML document breaks the schema: an element,
// attribute or text where the schema allows none, a missing required
// attribute, a value outside its pattern.
func xsdCheck(schema map[string]*xsdElement, data []byte) []string {
	var errs []string
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	var stack []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return append(errs, err.Error())
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			name := tk.Name.Local
			path := strings.Join(append(stack, name), "/")
			el := schema[name]
			switch {
			case el == nil:
				errs = append(errs, path+": element not in the schema")
			case len(stack) > 0 && !schema[stack[len(stack)-1]].children[name]:
				errs = append(errs, path+": not allowed in <"+stack[len(stack)-1]+">")
			}
			stack = append(stack, name)
			if el == nil {
				continue
			}
			seen := map[string]bool{}
			for _, a := range tk.Attr {
				seen[a.Name.Local] = true
				def, ok := el.attrs[a.Name.Local]
				switch {
				case !ok:
					errs = append(errs, fmt.Sprintf("%s@%s: attribute not in the schema", path, a.Name.Local))
				case def.pattern != nil && !def.pattern.MatchString(a.Value):
					errs = append(errs, fmt.Sprintf("%s@%s=%q: does not match %s", path, a.Name.Local, a.Value, def.pattern))
				}
			}
			for n, def := range el.attrs {
				if def.required && !seen[n] {
					errs = append(errs, fmt.Sprintf("%s: required attribute %s missing", path, n))
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && strings.TrimSpace(string(tk)) != "" {
				if el := schema[stack[len(stack)-1]]; el != nil && !el.text {
					errs = append(errs, strings.Join(stack, "/")+": text where the schema allows only elements")
				}
			}
		}
	}
	if len(stack) == 0 && len(errs) == 0 && !strings.Contains(string(data), "<") {
		errs = append(errs, "no root element")
	}
	return errs
}

// validateJUnit fails the test when data breaks the JUnit schema.
func validateJUnit(t *testing.T, data []byte) {
	t.Helper()
	for _, e := range xsdCheck(loadXSD(t, junitXSD), data) {
		t.Errorf("JUnit schema: %s", e)
	}
}

// TestJUnitSchemaChecker: the checker reads the schema's rules and rejects
// what breaks them, so that a pass means something.
func TestJUnitSchemaChecker(t *testing.T) {
	schema := loadXSD(t, junitXSD)
	ok := `<testsuites name="x" tests="1" failures="0" errors="0" time="0"><testsuite name="s" tests="1" failures="0" errors="0" skipped="0" time="1,234.5" file="p.yaml"><properties><property name="a" value="b"/></properties><testcase name="c" classname="k" time="0"><skipped message="m"/><system-out>o</system-out></testcase></testsuite></testsuites>`
	if errs := xsdCheck(schema, []byte(ok)); len(errs) != 0 {
		t.Fatalf("a valid report is rejected: %v", errs)
	}
	for _, c := range []struct{ doc, want string }{
		{`<testsuites skipped="0"/>`, "testsuites@skipped: attribute not in the schema"},
		{`<testsuites><testsuite tests="1" failures="0" errors="0"/></testsuites>`, "required attribute name missing"},
		{`<testsuites><testsuite name="s" tests="1" failures="0" errors="0" time="soon"/></testsuites>`, `time="soon": does not match`},
		{`<testsuite name="s" tests="1" failures="0" errors="0"><testcase name="c" file="p.yaml" line="3"/></testsuite>`, "testcase@file: attribute not in the schema"},
		{`<testsuite name="s" tests="1" failures="0" errors="0"><testcase name="c"><properties/></testcase></testsuite>`, "testsuite/testcase/properties: not allowed in <testcase>"},
		{`<testsuite name="s" tests="1" failures="0" errors="0"><testcase name="c">loose text</testcase></testsuite>`, "text where the schema allows only elements"},
		{`<report/>`, "report: element not in the schema"},
	} {
		errs := xsdCheck(schema, []byte(c.doc))
		if !strings.Contains(strings.Join(errs, "\n"), c.want) {
			t.Errorf("%s: got %v, want %q", c.doc, errs, c.want)
		}
	}
}

// TestJUnitSchema: every JUnit report the tests render, and every JUnit
// golden file, is valid against the Jenkins schema.
func TestJUnitSchema(t *testing.T) {
	schema := loadXSD(t, junitXSD)
	skipped := fixtureResult()
	if err := skipped.Filter(nil, []string{"PLUG-001"}); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"fixture":     render(t, FormatJUnit, fixtureResult(), Options{ExitCode: 1}),
		"skip":        render(t, FormatJUnit, skipped, Options{ExitCode: 1}),
		"large":       render(t, FormatJUnit, largeResult(3000), Options{ExitCode: 1, SARIFMaxResults: 50}),
		"passed":      render(t, FormatJUnit, passedResult(), Options{}),
		"failed":      render(t, FormatJUnit, failedResult(), failedOptions()),
		"unreachable": render(t, FormatJUnit, fixtureResult(), unreachableOptions()),
	} {
		for _, e := range xsdCheck(schema, data) {
			t.Errorf("%s: %s", name, e)
		}
	}
	golden, err := filepath.Glob(filepath.Join(goldenDir, "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	cli, _ := filepath.Glob(filepath.Join(goldenDir, "*", "*.xml"))
	golden = append(golden, cli...)
	if len(golden) < 4 {
		t.Fatalf("only %d JUnit golden files found", len(golden))
	}
	for _, p := range golden {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range xsdCheck(schema, data) {
			t.Errorf("%s: %s", p, e)
		}
	}
}

// junitOutcomes maps each test case name to its outcome: pass, failure:TYPE,
// error:TYPE or skipped:MESSAGE (a pass with system-out is "pass:out").
func junitOutcomes(s xTestsuite) map[string]string {
	out := map[string]string{}
	for _, c := range s.Cases {
		o := "pass"
		switch {
		case len(c.Failure) > 0:
			o = "failure:" + c.Failure[0].Type
		case len(c.Error) > 0:
			o = "error:" + c.Error[0].Type
		case len(c.Skipped) > 0:
			o = "skipped:" + *c.Skipped[0].Message
		case c.SystemOut != "":
			o = "pass:" + c.SystemOut
		}
		out[*c.Name] = o
	}
	return out
}

func TestJUnit(t *testing.T) {
	s := parseJUnit(t, render(t, FormatJUnit, fixtureResult(), Options{ExitCode: 1}))
	got := junitOutcomes(s)
	for name, want := range map[string]string{
		"ARCH-001 Clusters on different network architectures cannot talk":                  "failure:error",
		"LS-001 Logstash incremental sync without a schedule":                               "pass:Passed: a warning, below the gate (--fail-on error).",
		"PLUG-001 Destination lacks a plugin the source uses":                               "pass",
		"SNAP-002 Index created by a version the destination cannot restore [logs-2017.01]": "failure:error",
		"SNAP-002 Index created by a version the destination cannot restore [orders-2015]":  "failure:error",
		"VER-003 Destination version must not be older than the source":                     "error:could-not-verify",
		"SYS-001 Plan migrates system indices [.kibana_1]":                                  "skipped:waived: ",
		"DUMP-001 elasticsearch-dump host cannot reach a cluster":                           "skipped:not applicable: ",
	} {
		if g, ok := got[name]; !ok || !strings.HasPrefix(g, want) {
			t.Errorf("testcase %q = %q, want %q", name, g, want)
		}
	}
	if !strings.Contains(got["SYS-001 Plan migrates system indices [.kibana_1]"], "Kibana objects") {
		t.Errorf("skipped case lacks the waiver reason")
	}
	if !strings.Contains(got["LS-001 Logstash incremental sync without a schedule"], "logstash.schedule is empty") {
		t.Errorf("a warning below the gate keeps its text in system-out")
	}
	if !strings.Contains(s.SystemOut, "stale") {
		t.Error("notices missing from system-out")
	}
	for _, c := range s.Cases {
		for _, f := range c.Failure {
			if !strings.Contains(f.Text, "at: "+planFile+":") {
				t.Errorf("%s: the failure does not say where in the plan: %q", *c.Name, f.Text)
			}
		}
	}

	// Capped like SARIF.
	large := parseJUnit(t, render(t, FormatJUnit, largeResult(30000), Options{}))
	if len(large.Cases) > DefaultSARIFMaxResults+len(fixtureRules())+1 {
		t.Errorf("%d test cases for 30 000 findings", len(large.Cases))
	}
	agg := 0
	for _, c := range large.Cases {
		if strings.Contains(*c.Name, "aggregated") {
			agg++
			if *c.Name != "SNAP-002 Index created by a version the destination cannot restore [29000 more indices, aggregated]" ||
				len(c.Failure) != 1 || !strings.Contains(c.Failure[0].Text, "29000 indices") {
				t.Errorf("aggregate case %q: %+v", *c.Name, c.Failure)
			}
		}
	}
	if agg != 1 {
		t.Errorf("%d aggregate cases, want 1", agg)
	}
}

// TestJUnitFollowsTheGate: failures and errors are exactly the findings
// that fail the gate at --fail-on, so a run that exits 0 shows none.
func TestJUnitFollowsTheGate(t *testing.T) {
	ls := "LS-001 Logstash incremental sync without a schedule"
	ver := "VER-003 Destination version must not be older than the source"
	for _, c := range []struct {
		failOn             string
		failures, errors   int
		lsOutcome, verWant string
	}{
		{"", 6, 1, "pass:", "error:could-not-verify"},
		{policies.FailOnError, 6, 1, "pass:", "error:could-not-verify"},
		{policies.FailOnWarning, 7, 1, "failure:warning", "error:could-not-verify"},
		{policies.FailOnNever, 0, 0, "pass:", "pass:Passed: an error that could not be verified, below the gate (--fail-on never)."},
	} {
		res := fixtureResult()
		s := parseJUnit(t, render(t, FormatJUnit, res, Options{ExitCode: 1, FailOn: c.failOn}))
		if *s.Failures != c.failures || *s.Errors != c.errors {
			t.Errorf("--fail-on %q: %d failures, %d errors; want %d, %d", c.failOn, *s.Failures, *s.Errors, c.failures, c.errors)
		}
		got := junitOutcomes(s)
		if !strings.HasPrefix(got[ls], c.lsOutcome) || !strings.HasPrefix(got[ver], c.verWant) {
			t.Errorf("--fail-on %q: LS-001 %q, VER-003 %q", c.failOn, got[ls], got[ver])
		}
		// The gate agrees: a finding is a failure or error exactly when it fails.
		failing := 0
		for i := range res.Findings {
			if res.Findings[i].Fails(c.failOn) {
				failing++
			}
		}
		if (failing == 0) != (*s.Failures+*s.Errors == 0) {
			t.Errorf("--fail-on %q: %d findings fail the gate, JUnit shows %d failures and errors", c.failOn, failing, *s.Failures+*s.Errors)
		}
	}
}

// TestJUnitSkippedRules: rules left out with --skip or --only are skipped
// test cases saying so, not missing ones.
func TestJUnitSkippedRules(t *testing.T) {
	res := fixtureResult()
	if err := res.Filter(nil, []string{"PLUG-001"}); err != nil {
		t.Fatal(err)
	}
	got := junitOutcomes(parseJUnit(t, render(t, FormatJUnit, res, Options{ExitCode: 1})))
	if g := got["PLUG-001 Destination lacks a plugin the source uses"]; g != "skipped:skipped: left out with --skip PLUG-001" {
		t.Errorf("--skip: %q", g)
	}
	res = fixtureResult()
	if err := res.Filter([]string{"ARCH-001"}, nil); err != nil {
		t.Fatal(err)
	}
	got = junitOutcomes(parseJUnit(t, render(t, FormatJUnit, res, Options{ExitCode: 1})))
	if len(got) != len(fixtureRules()) {
		t.Errorf("--only: %d test cases, want one per rule: %v", len(got), got)
	}
	if g := got["SNAP-002 Index created by a version the destination cannot restore"]; g != "skipped:skipped: not among the rules asked for with --only" {
		t.Errorf("--only: %q", g)
	}
}

// xTestsuites reads a JUnit report (its validity is TestJUnitSchema's).
type xTestsuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     *string      `xml:"name,attr"`
	Tests    *int         `xml:"tests,attr"`
	Failures *int         `xml:"failures,attr"`
	Errors   *int         `xml:"errors,attr"`
	Suites   []xTestsuite `xml:"testsuite"`
}

type xTestsuite struct {
	Name       *string `xml:"name,attr"`
	Tests      *int    `xml:"tests,attr"`
	Failures   *int    `xml:"failures,attr"`
	Errors     *int    `xml:"errors,attr"`
	Skipped    *int    `xml:"skipped,attr"`
	Time       *string `xml:"time,attr"`
	Timestamp  string  `xml:"timestamp,attr"`
	Properties []struct {
		Name  *string `xml:"name,attr"`
		Value *string `xml:"value,attr"`
	} `xml:"properties>property"`
	Cases []struct {
		Name      *string `xml:"name,attr"`
		Classname *string `xml:"classname,attr"`
		Time      *string `xml:"time,attr"`
		Failure   []struct {
			Message *string `xml:"message,attr"`
			Type    string  `xml:"type,attr"`
			Text    string  `xml:",chardata"`
		} `xml:"failure"`
		Error []struct {
			Message *string `xml:"message,attr"`
			Type    string  `xml:"type,attr"`
			Text    string  `xml:",chardata"`
		} `xml:"error"`
		Skipped []struct {
			Message *string `xml:"message,attr"`
		} `xml:"skipped"`
		SystemOut string `xml:"system-out"`
	} `xml:"testcase"`
	SystemOut string `xml:"system-out"`
}

func parseJUnit(t *testing.T, data []byte) xTestsuite {
	t.Helper()
	var doc xTestsuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	validateJUnit(t, data)
	if doc.Name == nil || doc.Tests == nil || doc.Failures == nil || doc.Errors == nil {
		t.Fatalf("testsuites lacks a required attribute")
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d testsuites, want 1", len(doc.Suites))
	}
	s := doc.Suites[0]
	if s.Name == nil || s.Tests == nil || s.Failures == nil || s.Errors == nil || s.Skipped == nil || s.Time == nil {
		t.Fatal("testsuite lacks a required attribute (name, tests, failures, errors, skipped, time)")
	}
	var fail, errs, skip int
	for i, c := range s.Cases {
		if c.Name == nil || *c.Name == "" || c.Classname == nil || c.Time == nil {
			t.Errorf("testcase %d lacks name, classname or time", i)
		}
		if len(c.Failure)+len(c.Error)+len(c.Skipped) > 1 {
			t.Errorf("testcase %v has more than one outcome", *c.Name)
		}
		for _, f := range c.Failure {
			if f.Message == nil || *f.Message == "" || f.Text == "" {
				t.Errorf("testcase %s: failure without message or text", *c.Name)
			}
		}
		for _, e := range c.Error {
			if e.Message == nil || *e.Message == "" {
				t.Errorf("testcase %s: error without message", *c.Name)
			}
		}
		for _, sk := range c.Skipped {
			if sk.Message == nil || *sk.Message == "" {
				t.Errorf("testcase %s: skipped without a reason", *c.Name)
			}
		}
		fail += len(c.Failure)
		errs += len(c.Error)
		skip += len(c.Skipped)
	}
	if *s.Tests != len(s.Cases) || *s.Failures != fail || *s.Errors != errs || *s.Skipped != skip {
		t.Errorf("counts tests=%d failures=%d errors=%d skipped=%d, cases say %d/%d/%d/%d", *s.Tests, *s.Failures, *s.Errors, *s.Skipped, len(s.Cases), fail, errs, skip)
	}
	if *doc.Tests != *s.Tests || *doc.Failures != *s.Failures || *doc.Errors != *s.Errors {
		t.Error("testsuites totals differ from the testsuite's")
	}
	for _, p := range s.Properties {
		if p.Name == nil || p.Value == nil {
			t.Error("property without name or value")
		}
	}
	return s
}
