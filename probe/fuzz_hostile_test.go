package probe

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzScrub: whatever a server wraps a credential in, no piece of it
// survives in the scrubbed text, in any truncation of it, in a text cut
// before it was scrubbed, or in an HTTP error reason built from it.
func FuzzScrub(f *testing.F) {
	f.Add("elastic", canaryPassword, "bad credentials Basic ", " for /", uint8(1))
	f.Add("u", "pässwörd\"\\\n", strings.Repeat("x", 190), "", uint8(5))
	f.Add("", "id:key-value", "ApiKey ", "", uint8(2))
	f.Fuzz(func(t *testing.T, user, password, a, b string, which uint8) {
		// Short enough that checking every truncation stays quick; the
		// lengths that matter are around the 100- and 200-byte cuts.
		if len(password) < minFragment || len(password) > 48 || len(user) > 24 || len(a)+len(b) > 260 {
			return
		}
		s := &scrubber{}
		s.basic(user, password)
		pieces := credentialPieces(user, password)
		// The filler, and the filler before the user name (which is public
		// and starts one form), must not hold a piece already; no
		// credential may be made of the marks the scrubber writes.
		public := b
		for _, u := range secretForms(user) { // as is and escaped
			public += "\x00" + a + u + ":"
		}
		if leakedPiece(string([]rune(public)), pieces) != "" || strings.ContainsAny(user+password, "[]…@") {
			return
		}
		form := s.secrets[int(which)%len(s.secrets)]
		text := a + form + b
		check := func(what, out string) {
			t.Helper()
			if piece := leakedPiece(out, pieces); piece != "" {
				t.Fatalf("%s: piece %q of the credentials survives in %q (text %q)", what, piece, out, text)
			}
		}
		check("clean", s.clean(text))
		c := &client{scrub: s}
		body, _ := json.Marshal(map[string]any{"error": map[string]string{"type": a + form, "reason": text}})
		_, reason := c.statusReason(401, strings.NewReader(string(body)))
		check("statusReason", reason)
		for n := 0; n <= len(text)+1; n++ {
			check("short", s.short(text, n))
			check("clean(truncate)", s.clean(truncate(text, n)))
			check("truncate(reason)", truncate(reason, n))
		}
	})
}
