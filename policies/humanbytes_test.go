package policies

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/espreflight/espreflight/probe"
)

// TestHumanBytesAgreesWithRego: a size reads the same in a rule's message
// (lib.human_bytes) as in the advice and the reports (probe.HumanBytes).
func TestHumanBytesAgreesWithRego(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	const (
		kib = int64(1) << 10
		mib = int64(1) << 20
		gib = int64(1) << 30
		tib = int64(1) << 40
		pib = int64(1) << 50
	)
	cases := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1, "1 B"},
		{1023, "1023 B"},
		{kib, "1.0 KiB"},
		{kib + kib/2, "1.5 KiB"},
		{mib - 1, "1024.0 KiB"}, // rounds up within the unit it reached
		{mib, "1.0 MiB"},
		{28 * mib, "28.0 MiB"},
		{gib + gib/2, "1.5 GiB"},
		{gib + gib/4, "1.3 GiB"},  // a tie rounds half up in both languages
		{gib + gib/20, "1.0 GiB"}, // 1.0499… GiB: just below the tie
		{3*gib + 900*mib, "3.9 GiB"},
		{10 * gib, "10.0 GiB"},
		{50 * gib, "50.0 GiB"},
		{742 * gib, "742.0 GiB"},
		{tib, "1.0 TiB"},
		{2*tib + 3*tib/4, "2.8 TiB"},
		{pib, "1.0 PiB"},
		{math.MaxInt64, "8192.0 PiB"},
	}
	pq, err := rego.New(rego.Query("data.espreflight.lib.human_bytes(input)"), rego.Compiler(e.compiler)).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.n), func(t *testing.T) {
			goText := probe.HumanBytes(c.n)
			rs, err := pq.Eval(context.Background(), rego.EvalInput(c.n))
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 {
				t.Fatalf("lib.human_bytes(%d) is undefined", c.n)
			}
			regoText, _ := rs[0].Expressions[0].Value.(string)
			if goText != c.want || regoText != c.want {
				t.Errorf("%d bytes: Go %q, Rego %q, want %q", c.n, goText, regoText, c.want)
			}
		})
	}
}
