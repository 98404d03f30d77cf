package probe

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// redacted replaces a secret wherever one would have been shown.
const redacted = "[REDACTED]"

// secretKeyWords are the fragments that make a repository setting secret.
var secretKeyWords = []string{"key", "secret", "password", "token", "credential"}

// IsSecretSettingKey reports whether a (dotted) setting key may hold a secret
// and must therefore never be copied into facts.
func IsSecretSettingKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range secretKeyWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// userinfoRE matches the credentials part of a URL inside any text.
var userinfoRE = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://)[^/@\s"']+@`)

// RedactText removes URL credentials from free text.
func RedactText(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return userinfoRE.ReplaceAllString(s, "${1}")
}

// scrubber removes the credentials in use (and their usual encodings) from
// text. Every string a probe takes from a cluster goes through it before it
// reaches the facts, a message or the progress lines (scrubFacts,
// clusterProbe.printf), so that a server echoing the Authorization header in
// an error reason, a cluster name or a repository setting leaks nothing.
type scrubber struct {
	// secrets are every form of every credential.
	secrets []string
	// prefixes are the forms whose beginning is a secret on its own: a
	// fragment of one that ends where truncate cut the text is replaced too.
	prefixes []string
	// heads has a bit for the first two bytes of every form: a text in
	// which no two adjacent bytes have their bit holds no form and no
	// fragment, which is what nearly every text is (scrubFacts cleans every
	// index name of a cluster).
	heads [1 << 16 / 64]uint64
}

func (s *scrubber) markHead(form string) {
	h := uint16(form[0])<<8 | uint16(form[1])
	s.heads[h/64] |= 1 << (h % 64)
}

// mayHold reports whether text may hold a form or a fragment of one.
func (s *scrubber) mayHold(text string) bool {
	for i := 0; i+1 < len(text); i++ {
		h := uint16(text[i])<<8 | uint16(text[i+1])
		if s.heads[h/64]&(1<<(h%64)) != 0 {
			return true
		}
	}
	return false
}

// minFragment is the shortest piece of a credential that clean removes where
// a text was cut short; shorter ones are too common in ordinary text.
const minFragment = 4

// secretForms are the ways a credential can appear in text: as is, base64
// (standard and URL alphabet, with and without padding: the Authorization
// header carries the standard one), escaped inside a JSON or Go string, and
// with each invalid UTF-8 byte replaced by U+FFFD, as JSON encoders do.
func secretForms(secret string) []string {
	b := []byte(secret)
	forms := []string{secret,
		base64.StdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b)}
	if j, err := json.Marshal(secret); err == nil {
		forms = append(forms, string(j[1:len(j)-1]))
	}
	q := strconv.Quote(secret)
	// A JSON body cannot carry invalid UTF-8: decoding it gives U+FFFD.
	return append(forms, q[1:len(q)-1], string([]rune(secret)))
}

// add registers a credential; very short values are ignored (they would mangle
// ordinary text and are not worth hiding from a cluster's own error text).
func (s *scrubber) add(secret string) {
	if len(secret) < minFragment {
		return
	}
	s.register(secretForms(secret), secretForms(secret))
}

// basic registers a user/password pair: the password, and user:password as
// the Authorization header encodes it. A piece of "user:password" as is
// only leaks where it holds a piece of the password, which the password's
// own forms catch.
func (s *scrubber) basic(user, password string) {
	if password == "" {
		return
	}
	s.add(password)
	if len(user)+1+len(password) < minFragment {
		return
	}
	pair := secretForms(user + ":" + password)
	s.register(pair, pair[1:5])
}

func (s *scrubber) register(forms, prefixes []string) {
	s.secrets = appendNew(s.secrets, forms)
	s.prefixes = appendNew(s.prefixes, prefixes)
	for _, f := range forms {
		if len(f) >= minFragment {
			s.markHead(f)
		}
	}
}

func appendNew(list, add []string) []string {
	for _, a := range add {
		if a != "" && !slices.Contains(list, a) {
			list = append(list, a)
		}
	}
	return list
}

// clean removes every registered credential and URL credentials from text,
// and the piece of a credential that ends where truncate cut a text short
// (so a reason cut before it was scrubbed loses the fragment too). Cut
// first, clean later is therefore safe, but clean first, cut later (short)
// is the rule.
func (s *scrubber) clean(text string) string {
	if s != nil && len(s.secrets) > 0 && s.mayHold(text) {
		text = s.redactAll(text)
		if strings.Contains(text, ellipsis) {
			text = s.cutFragments(text)
		}
	}
	return RedactText(text)
}

// redactAll replaces every occurrence of every form, overlapping ones
// included (a run of "aaaaa" holding the secret "aaaa" twice is one
// redaction, not a redaction and a leftover "a"), by one mark per run.
func (s *scrubber) redactAll(text string) string {
	var spans [][2]int
	for _, sec := range s.secrets {
		for off := 0; ; {
			i := strings.Index(text[off:], sec)
			if i < 0 {
				break
			}
			spans = append(spans, [2]int{off + i, off + i + len(sec)})
			off += i + 1
		}
	}
	if len(spans) == 0 {
		return text
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	var b strings.Builder
	done := 0
	for i := 0; i < len(spans); {
		start, end := spans[i][0], spans[i][1]
		for i++; i < len(spans) && spans[i][0] <= end; i++ {
			end = max(end, spans[i][1])
		}
		b.WriteString(text[done:start])
		b.WriteString(redacted)
		done = end
	}
	b.WriteString(text[done:])
	return b.String()
}

// short cleans text, then truncates it to n bytes.
func (s *scrubber) short(text string, n int) string {
	return truncate(s.clean(text), n)
}

// cutFragments replaces the longest prefix of a credential form that ends
// right before a truncation mark.
func (s *scrubber) cutFragments(text string) string {
	var b strings.Builder
	rest := text
	for {
		i := strings.Index(rest, ellipsis)
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		before := rest[:i]
		best := 0
		for _, p := range s.prefixes {
			for k := min(len(p)-1, len(before)); k >= minFragment && k > best; k-- {
				if strings.HasSuffix(before, p[:k]) {
					best = k
					break
				}
			}
		}
		if best > 0 {
			before = before[:len(before)-best] + redacted
		}
		b.WriteString(before)
		b.WriteString(ellipsis)
		rest = rest[i+len(ellipsis):]
	}
}

// ellipsis marks where truncate cut a text.
const ellipsis = "…"

// truncate shortens s to at most n bytes (on a rune boundary), marking the
// cut. A text that may hold a credential is cleaned first (scrubber.short).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// redactRepoSettings flattens repository settings to dotted string keys and
// drops every key that may hold a secret.
func redactRepoSettings(in map[string]any) map[string]string {
	out := map[string]string{}
	flattenSettings("", in, func(k string, v any) {
		if IsSecretSettingKey(k) {
			return
		}
		out[k] = RedactText(settingString(v))
	})
	return out
}

// scrubFacts cleans every string of a cluster's facts (names, settings,
// sources, reasons; map keys included) of the credentials in use: a cluster
// name, an index name or a repository setting may echo them as well as an
// error reason. Without registered credentials it does nothing.
func (s *scrubber) scrubFacts(cf *ClusterFacts) {
	if s == nil || len(s.secrets) == 0 || cf == nil {
		return
	}
	s.scrubValue(reflect.ValueOf(cf).Elem())
}

func (s *scrubber) scrubValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if c := s.clean(v.String()); c != v.String() {
			v.SetString(c)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			s.scrubValue(v.Elem())
		}
	case reflect.Struct:
		for _, i := range textFields(v.Type()) {
			s.scrubValue(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			s.scrubValue(v.Index(i))
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		// A value inside an interface cannot be set in place: clean a copy.
		e := reflect.New(v.Elem().Type()).Elem()
		e.Set(v.Elem())
		s.scrubValue(e)
		v.Set(e)
	case reflect.Map:
		for _, k := range v.MapKeys() {
			val := reflect.New(v.Type().Elem()).Elem()
			val.Set(v.MapIndex(k))
			s.scrubValue(val)
			nk := k
			if k.Kind() == reflect.String {
				if c := s.clean(k.String()); c != k.String() {
					v.SetMapIndex(k, reflect.Value{})
					nk = reflect.ValueOf(c).Convert(k.Type())
				}
			}
			v.SetMapIndex(nk, val)
		}
	}
}

// textFieldCache maps a struct type to its exported fields that can hold text.
var textFieldCache sync.Map

// textFields returns the exported fields of a struct type that can hold a
// string (directly or inside), so scrubFacts skips numbers and flags.
func textFields(t reflect.Type) []int {
	if f, ok := textFieldCache.Load(t); ok {
		return f.([]int)
	}
	var out []int
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && mayHoldText(f.Type, 0) {
			out = append(out, i)
		}
	}
	textFieldCache.Store(t, out)
	return out
}

func mayHoldText(t reflect.Type, depth int) bool {
	switch t.Kind() {
	case reflect.String, reflect.Interface, reflect.Map:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return depth > 8 || mayHoldText(t.Elem(), depth+1)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && (depth > 8 || mayHoldText(f.Type, depth+1)) {
				return true
			}
		}
	}
	return false
}
