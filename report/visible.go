package report

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text and Markdown are read on terminals and in rendered pages, and they
// carry what clusters and plans say (index and cluster names, messages built
// from them, evidence values, file names). A control character there could
// clear a screen, move the cursor, rewrite a line, or (a bidirectional
// override) show text in another order than it is. Such characters are
// spelled out instead: \u001b, \u202e, \x9b for a byte that is not UTF-8.
// JSON, SARIF and JUnit keep every string exactly (their encoders escape
// what they must).

// hiddenRune reports whether r acts on the display instead of showing:
// C0 and C1 controls, DEL, and the bidirectional formatting characters
// (https://www.unicode.org/reports/tr9/#Directional_Formatting_Characters).
func hiddenRune(r rune) bool {
	switch {
	case unicode.IsControl(r): // C0, DEL, C1
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

// spellOut writes out every hidden rune of s but those keep allows, and every
// byte that is not UTF-8.
func spellOut(s string, keep func(rune) bool) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || (hiddenRune(r) && !keep(r)) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case hiddenRune(r) && !keep(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func keepNone(rune) bool { return false }

// keepLines keeps the line breaks and tabs of a multi-line text.
func keepLines(r rune) bool { return r == '\n' || r == '\t' }

// visibleLine spells out the hidden characters of a one-line text, line
// breaks included (an index name with a newline must not start a line).
func visibleLine(s string) string { return spellOut(s, keepNone) }

// visibleLines spells out the hidden characters of a multi-line text.
func visibleLines(s string) string { return spellOut(s, keepLines) }

// Visible spells out the hidden characters of a text for a terminal, line
// breaks and tabs kept: the CLI passes its messages on standard error
// through it (progress lines quote cluster names, errors quote plan values).
func Visible(s string) string { return visibleLines(s) }

// VisibleWriter passes what is written through Visible; each Write must be
// whole lines (as fmt.Fprintf of a line is).
type VisibleWriter struct{ W io.Writer }

func (v VisibleWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(v.W, Visible(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
