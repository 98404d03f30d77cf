package probe

import (
	"encoding/base64"
	"regexp"
	"sort"
	"strings"
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
	return userinfoRE.ReplaceAllString(s, "${1}")
}

// scrubber removes known secret values (and their usual encodings) from text.
type scrubber struct {
	secrets []string
}

// add registers a secret; very short values are ignored (they would mangle
// ordinary text and are not worth hiding from a cluster's own error text).
func (s *scrubber) add(secret string) {
	if len(secret) < 4 {
		return
	}
	s.secrets = append(s.secrets, secret,
		base64.StdEncoding.EncodeToString([]byte(secret)),
		base64.URLEncoding.EncodeToString([]byte(secret)))
	// Longest first so a secret that contains another is replaced whole.
	sort.Slice(s.secrets, func(i, j int) bool { return len(s.secrets[i]) > len(s.secrets[j]) })
}

// basic registers the Authorization value of a user/password pair.
func (s *scrubber) basic(user, password string) {
	if password == "" {
		return
	}
	s.add(password)
	s.add(user + ":" + password)
}

// clean removes every registered secret and URL credentials from text.
func (s *scrubber) clean(text string) string {
	if s != nil {
		for _, sec := range s.secrets {
			if sec != "" && strings.Contains(text, sec) {
				text = strings.ReplaceAll(text, sec, redacted)
			}
		}
	}
	return RedactText(text)
}

// truncate shortens s to at most n bytes (on a rune boundary), marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
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
