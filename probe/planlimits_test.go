package probe

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// deepFlow is a plan value nested n deep in flow sequences.
func deepFlow(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// ladder is a block mapping nested n deep by indentation.
func ladder(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	return b.String()
}

func TestPlanLimits(t *testing.T) {
	const head = "version: 1\nmethod: snapshot\n"
	cases := []struct {
		name, plan string
		line       int
		msg        string // "" = within the limits
	}{
		{"flow 50000 deep", head + "indices: " + deepFlow(50000) + "\n", 3, "nests deeper than 64"},
		{"flow mappings", head + "name: " + strings.Repeat("{a: ", 65) + "x" + strings.Repeat("}", 65) + "\n", 3, "nests deeper than 64"},
		{"compact entries", head + "indices:\n" + strings.Repeat("- ", 50000) + "x\n", 4, "nests deeper than 64"},
		{"explicit value entries", head + "? a\n: " + strings.Repeat("- ", 70) + "x\n", 4, "nests deeper than 64"},
		{"indentation", ladder(70), 65, "nests deeper than 64"},
		{"flow over lines", head + "indices: [\n" + strings.Repeat("[\n", 70), 66, "nests deeper than 64"},
		{"flow after a document marker", "--- " + deepFlow(100) + "\n", 1, "nests deeper than 64"},
		// A quote inside a continued plain scalar is text: it must not
		// hide the brackets that follow.
		{"quote in a continued scalar", head + "name: x\n  'y\nindices: " + deepFlow(100) + "\n", 5, "nests deeper than 64"},
		{"quote in a flow scalar", head + "indices: [a\n 'b, " + deepFlow(100) + "]\n", 4, "nests deeper than 64"},
		// A document marker ends a quoted or block scalar.
		{"marker ends a quote", "--- |\n'\n---\n" + deepFlow(100) + "\n", 3, "one YAML document"},
		{"second document", head + "---\nversion: 1\n", 3, "one YAML document"},
		{"many documents", head + strings.Repeat("---\n", 200000), 3, "one YAML document"},
		{"too large", head + "description: " + strings.Repeat("x", MaxPlanBytes) + "\n", 1, "larger than 1048576 bytes"},

		{"flow 60 deep", head + "indices: " + deepFlow(60) + "\n", 0, ""},
		{"ladder 60 deep", ladder(60), 0, ""},
		{"leading marker", "---\n" + head + "...\n", 0, ""},
		{"brackets in text", head + "description: see [the guide\nname: 'it''s [' # ]]]]\nindices: [\"[\", '{', a'b]\n", 0, ""},
		{"block scalar", head + "description: |\n  [[[[[[ '\n  - - - - - - - - - -\n  ---\nname: x\n", 0, ""},
		{"folded scalar", head + "description: >-\n  " + strings.Repeat("[", 100) + "\n\n  x\nname: y\n", 0, ""},
		{"multi-line quote", head + "description: \"a [[[[\n  ]]] \\\" [[[[\"\nindices: [a]\n", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkPlanLimits("p.yaml", []byte(c.plan))
			switch {
			case c.msg == "" && err != nil:
				t.Fatalf("within the limits, got %v", err)
			case c.msg == "":
			case err == nil:
				t.Fatalf("want %q at line %d, got no error", c.msg, c.line)
			case !strings.Contains(err.Msg, c.msg) || err.Line != c.line:
				t.Fatalf("got %v, want %q at line %d", err, c.msg, c.line)
			}
			// ParsePlan gives the same error, before parsing.
			_, perr := ParsePlan("p.yaml", []byte(c.plan))
			var pe PlanErrors
			if c.msg != "" && (!errors.As(perr, &pe) || len(pe) != 1 || pe[0].Error() != err.Error()) {
				t.Fatalf("ParsePlan: %v", perr)
			}
		})
	}
}

// TestPlanLimitsAcceptEveryPlan: every plan in the repository, and every
// plan the writer produces, is within the limits.
func TestPlanLimitsAcceptEveryPlan(t *testing.T) {
	files, _ := filepath.Glob("../testdata/*/*.yaml")
	more, _ := filepath.Glob("../testdata/*/*/*.yaml")
	files = append(files, more...)
	if len(files) < 20 {
		t.Fatalf("found %d plans", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkPlanLimits(f, b); err != nil {
			t.Errorf("%v", err)
		}
	}
	for name, text := range everyKeyPlans {
		if err := checkPlanLimits(name, []byte(text)); err != nil {
			t.Errorf("%v", err)
		}
	}
}

func TestLoadPlanRefusesDevices(t *testing.T) {
	_, err := LoadPlan("/dev/zero")
	if err == nil || !strings.Contains(err.Error(), "/dev/zero:1: the plan is larger than 1048576 bytes") {
		t.Fatalf("err = %v", err)
	}
	dir := t.TempDir()
	if _, err := LoadPlan(dir); err == nil || !strings.Contains(err.Error(), "is a folder, not a plan file") {
		t.Fatalf("err = %v", err)
	}
}

// TestPlanWithBOM: a plan saved with a UTF-8 byte order mark reads like the
// same plan without one.
func TestPlanWithBOM(t *testing.T) {
	src, err := os.ReadFile("../testdata/examples/snapshot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParsePlan("p.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePlan("p.yaml", append([]byte("\xEF\xBB\xBF"), src...))
	if err != nil {
		t.Fatalf("with a BOM: %v", err)
	}
	if got.Name != want.Name || got.Method != want.Method || len(got.Lines) != len(want.Lines) || got.Lines["method"] != want.Lines["method"] {
		t.Errorf("with a BOM: %+v, want %+v", got, want)
	}
}
