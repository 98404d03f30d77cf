package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/espreflight/espreflight/policies"
)

// ghCommand is a workflow command as the Actions runner reads it
// (https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs
// and ActionCommand.cs): "::name k=v,k=v::data", properties split at "," and
// "=", then unescaped.
type ghCommand struct {
	name  string
	props map[string]string
	data  string
}

var (
	ghUnescapeData     = strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%")
	ghUnescapeProperty = strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%")
)

// parseGHCommand reads one line as the runner does; ok is false for a line
// that is not a command.
func parseGHCommand(t *testing.T, line string) (ghCommand, bool) {
	t.Helper()
	rest, ok := strings.CutPrefix(line, "::")
	if !ok {
		return ghCommand{}, false
	}
	head, data, ok := strings.Cut(rest, "::")
	if !ok {
		t.Fatalf("a command without its data separator: %q", line)
	}
	c := ghCommand{props: map[string]string{}, data: ghUnescapeData.Replace(data)}
	name, props, _ := strings.Cut(head, " ")
	c.name = name
	if props != "" {
		for _, kv := range strings.Split(props, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				t.Fatalf("property %q of %q does not parse", kv, line)
			}
			c.props[k] = ghUnescapeProperty.Replace(v)
		}
	}
	return c, true
}

func ghCommands(t *testing.T, out string) (cmds []ghCommand, plain []string) {
	t.Helper()
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("output does not end with a newline")
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if c, ok := parseGHCommand(t, line); ok {
			cmds = append(cmds, c)
		} else {
			plain = append(plain, line)
		}
	}
	return cmds, plain
}

// TestGitHubEscaping: what GitHub's runner reads back is exactly what was
// meant, whatever characters a title, file or message holds, and a message
// cannot start a command of its own.
func TestGitHubEscaping(t *testing.T) {
	for _, c := range []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"100% sure", "100%25 sure", "100%25 sure"},
		{"a:b,c", "a:b,c", "a%3Ab%2Cc"},
		{"two\nlines\r\n", "two%0Alines%0D%0A", "two%0Alines%0D%0A"},
		{"%0A is not a newline", "%250A is not a newline", "%250A is not a newline"},
		{"esc \x1b[31mred", `esc \u001b[31mred`, `esc \u001b[31mred`},
		{"x\n::set-output name=a::b", "x%0A::set-output name=a::b", "x%0A%3A%3Aset-output name=a%3A%3Ab"},
	} {
		if got := ghData(c.in); got != c.data {
			t.Errorf("ghData(%q) = %q, want %q", c.in, got, c.data)
		}
		if got := ghProperty(c.in); got != c.prop {
			t.Errorf("ghProperty(%q) = %q, want %q", c.in, got, c.prop)
		}
	}
	// Round trip through the runner's parser.
	hostile := "line1\r\nline2: 50%, done ::warning::fake"
	var b strings.Builder
	writeGHCommand(&b, ghAnnotation{level: "error", file: "dir,with:odd/plan 100%.yaml", line: 3, col: 2, title: hostile, msg: hostile})
	out := b.String()
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("one annotation is not one line: %q", out)
	}
	c, ok := parseGHCommand(t, strings.TrimSuffix(out, "\n"))
	if !ok || c.name != "error" || c.data != hostile || c.props["title"] != hostile || c.props["file"] != "dir,with:odd/plan 100%.yaml" ||
		c.props["line"] != "3" || c.props["col"] != "2" || len(c.props) != 4 {
		t.Errorf("read back %+v from %q", c, out)
	}
}

// TestGitHubAnnotations: one annotation per group on its plan line, the
// level following the gate, notices last, the summary line at the end.
func TestGitHubAnnotations(t *testing.T) {
	cmds, plain := ghCommands(t, string(render(t, FormatGitHub, fixtureResult(), Options{ExitCode: 1})))
	got := map[string]ghCommand{}
	var order []string
	for _, c := range cmds {
		if c.name != "error" && c.name != "warning" && c.name != "notice" {
			t.Errorf("unexpected command %q", c.name)
		}
		got[c.props["title"]] = c
		order = append(order, c.name)
	}
	want := map[string]struct{ level, file, line, text string }{
		"ARCH-001 Clusters on different network architectures cannot talk":                {"error", planFile, "12", "Fix: Create a PrivateLink connection"},
		"SNAP-002 Index created by a version the destination cannot restore":              {"error", planFile, "5", "5 indices: logs-2017.01, logs-2017.02"},
		"VER-003 could not verify: Destination version must not be older than the source": {"error", planFile, "18", "connection refused"},
		"LS-001 Logstash incremental sync without a schedule":                             {"warning", planFile, "30", "See: https://www.alibabacloud.com/help/en/es/use-cases/logstash"},
		"espreflight notice": {"notice", "", "", "waiver for PLUG-001 matches no finding"},
	}
	for title, w := range want {
		c, ok := got[title]
		if !ok {
			t.Errorf("no annotation titled %q (got %v)", title, order)
			continue
		}
		if c.name != w.level || c.props["file"] != w.file || c.props["line"] != w.line || !strings.Contains(c.data, w.text) {
			t.Errorf("%s: %+v", title, c)
		}
	}
	if len(cmds) != len(want) {
		t.Errorf("%d annotations, want %d (waived SYS-001 gets none): %v", len(cmds), len(want), order)
	}
	if strings.Join(order, " ") != "error error error warning notice" {
		t.Errorf("order %v: errors, then warnings, then notices", order)
	}
	if len(plain) != 1 || !regexp.MustCompile(`^\d+ rules, \d+ passed`).MatchString(plain[0]) {
		t.Errorf("the last line must be the summary line: %q", plain)
	}

	// --fail-on decides the level: never makes every finding a warning,
	// warning makes LS-001 an error.
	for failOn, want := range map[string]string{policies.FailOnNever: "warning warning warning warning notice", policies.FailOnWarning: "error error error error notice"} {
		cmds, _ := ghCommands(t, string(render(t, FormatGitHub, fixtureResult(), Options{ExitCode: 1, FailOn: failOn})))
		var levels []string
		for _, c := range cmds {
			levels = append(levels, c.name)
		}
		if strings.Join(levels, " ") != want {
			t.Errorf("--fail-on %s: %v, want %s", failOn, levels, want)
		}
	}
}

// TestGitHubBudget: GitHub shows 10 annotations of a level per step, so the
// tenth says how many more there are instead of some being lost unseen.
func TestGitHubBudget(t *testing.T) {
	rules := fixtureRules()
	arch := ruleByID(rules, "ARCH-001")
	var fs []policies.Finding
	for i := range 25 {
		fs = append(fs, newFinding(arch, fmt.Sprintf("problem number %02d", i), "source", "", "source.created", 12))
	}
	res := &policies.Result{PlanFile: planFile, Rules: rules, Findings: fs, Summary: summarize(rules, fs)}
	cmds, _ := ghCommands(t, string(render(t, FormatGitHub, res, Options{ExitCode: 1})))
	if len(cmds) != ghPerLevel {
		t.Fatalf("%d annotations, want %d", len(cmds), ghPerLevel)
	}
	last := cmds[len(cmds)-1]
	if last.props["title"] != "espreflight: 16 more errors" || !strings.Contains(last.data, "text, SARIF and Markdown") {
		t.Errorf("the last annotation must count the rest: %+v", last)
	}
	if !strings.Contains(cmds[ghPerLevel-2].data, "problem number 08") {
		t.Errorf("the first nine groups are shown in report order: %+v", cmds[ghPerLevel-2])
	}
}

// TestGitHubFailedRun: the errors of a failed run are error annotations on
// the plan line they name; nothing else is annotated.
func TestGitHubFailedRun(t *testing.T) {
	cmds, plain := ghCommands(t, string(render(t, FormatGitHub, failedResult(), failedOptions())))
	if len(cmds) != 2 || cmds[0].name != "error" || cmds[0].props["file"] != planFile || cmds[0].props["line"] != "6" || cmds[0].props["col"] != "1" ||
		cmds[0].props["title"] != "espreflight could not run" || !strings.Contains(cmds[0].data, "snapshots: unknown key") {
		t.Errorf("failed run: %+v", cmds)
	}
	if len(plain) != 1 || !strings.Contains(plain[0], "run failed (exit 2") {
		t.Errorf("failed run: last line %q", plain)
	}
	cmds, _ = ghCommands(t, string(render(t, FormatGitHub, fixtureResult(), unreachableOptions())))
	if cmds[0].name != "error" || cmds[0].props["title"] != "espreflight could not reach a cluster" || cmds[0].props["file"] != "" {
		t.Errorf("unreachable: %+v", cmds[0])
	}
}
