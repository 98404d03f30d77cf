package probe

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Data sizes, both ways: ParseSize reads what users write (plan volume and
// limits, --volume, --max-response-size); HumanBytes writes what every
// output shows. The Rego function data.espreflight.lib.human_bytes renders
// the same text for the same count (TestHumanBytesAgreesWithRego), so a
// size in a finding's message reads like the same size in a report.

var sizeRe = regexp.MustCompile(sizePattern)

// ParseSize parses a data size such as "200gb", "1.5tb" or "1048576"
// (binary units, as Elasticsearch uses them).
func ParseSize(s string) (int64, error) {
	m := sizeRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a size; write e.g. 500mb, 200gb or 1.5tb", s)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size: %w", s, err)
	}
	mult := map[string]float64{"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
		"g": 1 << 30, "gb": 1 << 30, "t": 1 << 40, "tb": 1 << 40, "p": 1 << 50, "pb": 1 << 50}[strings.ToLower(m[2])]
	// 2^63 bytes (8 EiB) and more do not fit a byte count: int64 would wrap
	// (to a negative or arbitrary size) instead of refusing.
	if b := f * mult; b < maxSizeBytes {
		return int64(b), nil
	}
	return 0, fmt.Errorf("%q is too large: the largest size is 8191pb (just under 8 EiB)", s)
}

// maxSizeBytes is 2^63 as a float: the first byte count an int64 cannot hold.
const maxSizeBytes = float64(1 << 63)

// byteUnits are the binary units HumanBytes uses, largest first.
var byteUnits = []struct {
	name string
	size int64
}{
	{"PiB", 1 << 50},
	{"TiB", 1 << 40},
	{"GiB", 1 << 30},
	{"MiB", 1 << 20},
	{"KiB", 1 << 10},
}

// HumanBytes renders a byte count with the largest binary unit it reaches
// and one decimal, rounded half up: "512 B", "1.5 KiB", "742.0 GiB". The
// arithmetic is integer-only, so every count renders the same as in Rego
// (no float rounding at ties such as 1.25 GiB).
func HumanBytes(n int64) string {
	for _, u := range byteUnits {
		if n < u.size {
			continue
		}
		// Tenths of the unit, rounded half up, without overflowing n*10.
		tenths := n/u.size*10 + (n%u.size*10+u.size/2)/u.size
		return fmt.Sprintf("%d.%d %s", tenths/10, tenths%10, u.name)
	}
	return fmt.Sprintf("%d B", n)
}
