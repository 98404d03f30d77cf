package probe

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// readCounter counts the Read calls made on a reader.
type readCounter struct {
	r     io.Reader
	calls int
}

func (c *readCounter) Read(p []byte) (int, error) {
	c.calls++
	return c.r.Read(p)
}

func exampleFacts(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/examples/alibaba-pair.facts.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFactsLeadingSpaceBuffered: leading white space was read one byte per
// Read call (32 MB of spaces: 33 s); now through a buffer.
func TestFactsLeadingSpaceBuffered(t *testing.T) {
	doc := append(bytes.Repeat([]byte(" \n"), 4<<20), exampleFacts(t)...)
	rc := &readCounter{r: bytes.NewReader(doc)}
	if _, err := ReadFacts(rc); err != nil {
		t.Fatal(err)
	}
	if rc.calls > len(doc)/1024 {
		t.Errorf("%d Read calls for %d bytes: not buffered", rc.calls, len(doc))
	}
}

// TestFactsInnerSpaceBounded: white space inside the document is not
// buffered whole (the decoder kept 1 GB of spaces: 3.1 GB peak). 64 MB of
// spaces between two members, and inside a member's value, allocate a
// small fraction of that; strings keep their own spaces.
func TestFactsInnerSpaceBounded(t *testing.T) {
	src := exampleFacts(t)
	i := bytes.Index(src, []byte(`"clusters"`))
	j := bytes.Index(src, []byte(`"version": "0.1.0"`))
	if i < 0 || j < 0 || j > i {
		t.Fatal("the example changed")
	}
	const spaces = 64 << 20
	pad := strings.Repeat(" ", spaces)
	doc := string(src[:j]) + pad + string(src[j:i]) + pad + string(src[i:])
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f, err := ReadFacts(strings.NewReader(doc))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > spaces/4 {
		t.Errorf("reading %d MB of white space allocated %d MB", 2*spaces>>20, alloc>>20)
	}
	if f.Tool.Version != "0.1.0" || f.Clusters.Source == nil {
		t.Errorf("tool %+v, source %v", f.Tool, f.Clusters.Source)
	}
	// A string's spaces are its own.
	long := strings.Repeat(" ", 3*maxSpaceRun)
	doc = strings.Replace(string(src), `"version": "0.1.0"`, `"version": "`+long+`"`, 1)
	if f, err = ReadFacts(strings.NewReader(doc)); err != nil || f.Tool.Version != long {
		t.Errorf("a version of %d spaces: %v", len(long), err)
	}
}

// TestFactsOffsetsAfterSpace: the byte an error names is the input's, also
// after white space that was not passed on to the decoder.
func TestFactsOffsetsAfterSpace(t *testing.T) {
	for _, n := range []int{10, 3 * maxSpaceRun} {
		_, err := ReadFacts(strings.NewReader("{" + strings.Repeat(" ", n) + "x}"))
		if want := "byte " + itoa(n+1) + ": not valid JSON"; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%d spaces: %v, want %q", n, err, want)
		}
		_, err = ReadFacts(strings.NewReader(strings.Repeat(" ", n) + "[1]"))
		if want := "byte " + itoa(n) + ": a facts document is a JSON object"; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%d spaces: %v, want %q", n, err, want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
