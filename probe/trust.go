package probe

// What a plan may make the probe read and contact. A plan is often not
// trusted (a pull request's), while the machine running the probe holds
// secrets (a CI runner's variables and files): the allow-lists of Options,
// given by whoever runs espreflight and never by the plan, say which
// endpoints may be contacted and which variables and files may be sent to
// them as credentials. Credential and CA files are read with bounds whatever
// the lists say. docs/security.md has the threat model.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// File bounds: a credential file holds one credential, a CA file a few
// certificates (a system bundle is ~200 KiB).
const (
	MaxCredentialFileBytes = 64 << 10
	maxCAFileBytes         = 4 << 20
)

// readBoundedFile reads a regular file of at most limit bytes, giving up
// when ctx ends. A FIFO (which would block), a device (/dev/zero, which
// never ends) or a folder is refused before anything is read.
func readBoundedFile(ctx context.Context, path string, limit int64) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := readRegular(path, limit)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("not read within the probe deadline (a file system that does not answer?)")
	}
}

func readRegular(path string, limit int64) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO for reading would wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s); give a file that holds the value", fileKind(st.Mode()))
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %s; is this the right file?", HumanBytes(limit))
	}
	return b, nil
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeDevice != 0, m&os.ModeCharDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// checkCredential refuses a credential value no real one has: a NUL byte
// or a line break inside (what /proc/self/environ or a key file would give).
func checkCredential(v string) error {
	if strings.ContainsRune(v, 0) {
		return errors.New("holds a NUL byte, which no credential has")
	}
	if strings.ContainsAny(v, "\r\n") {
		return errors.New("holds more than one line; a credential is one line")
	}
	return nil
}

// checkAllowed applies the allow-lists of opts to one cluster of a plan:
// its endpoint, the variables and files its auth names, its CA file, and no
// TLS verification turned off where endpoints are listed. Every error is a
// *ConfigError that names the control.
func checkAllowed(role string, spec *ClusterSpec, opts Options) error {
	cfgErr := func(format string, a ...any) error {
		return &ConfigError{Role: role, Msg: fmt.Sprintf(format, a...)}
	}
	if len(opts.AllowedEndpoints) > 0 {
		if !endpointAllowed(spec.Endpoint, opts.AllowedEndpoints) {
			return cfgErr("endpoint %s is not one the probe may contact (--allow-endpoint: %s)", RedactURL(spec.Endpoint), strings.Join(opts.AllowedEndpoints, ", "))
		}
		if spec.TLS != nil && spec.TLS.InsecureSkipVerify && !opts.urlTLS {
			return cfgErr("tls.insecure_skip_verify is refused while --allow-endpoint is set: a plan must not turn off certificate verification towards the allowed clusters; give their CA with tls.ca_file")
		}
	}
	if len(opts.AllowedCredentials) == 0 {
		return nil
	}
	var names, files []string
	if a := spec.Auth; a != nil {
		names = []string{a.UsernameEnv, a.PasswordEnv, a.APIKeyEnv}
		files = []string{a.UsernameFile, a.PasswordFile, a.APIKeyFile}
	}
	if spec.TLS != nil && !opts.urlTLS {
		files = append(files, spec.TLS.CAFile)
	}
	for _, n := range names {
		if n != "" && !opts.trustedEnv[n] && !credentialAllowed(n, false, opts.AllowedCredentials) {
			return cfgErr("environment variable %s is not one the plan may send as a credential (--allow-credential: %s)", n, strings.Join(opts.AllowedCredentials, ", "))
		}
	}
	for _, f := range files {
		if f != "" && !credentialAllowed(f, true, opts.AllowedCredentials) {
			return cfgErr("file %s is not one the plan may read (--allow-credential: %s)", f, strings.Join(opts.AllowedCredentials, ", "))
		}
	}
	return nil
}

// endpointAllowed reports whether endpoint is one of allowed: the same
// scheme, host and port (the scheme's default when none is written), and a
// path under the allowed one.
func endpointAllowed(endpoint string, allowed []string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	for _, a := range allowed {
		w, err := url.Parse(strings.TrimSpace(a))
		if err != nil || w.Host == "" {
			continue
		}
		if strings.EqualFold(u.Scheme, w.Scheme) && strings.EqualFold(u.Hostname(), w.Hostname()) && portOf(u) == portOf(w) &&
			strings.HasPrefix(strings.TrimSuffix(u.Path, "/")+"/", strings.TrimSuffix(w.Path, "/")+"/") {
			return true
		}
	}
	return false
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// credentialAllowed reports whether a variable name (file false) or a file
// path (file true) is in allowed. An entry with a "/" is a file or a folder
// (a folder allows every file below it); any other entry is a variable
// name. Paths are compared with their symbolic links resolved, so a link
// cannot lead out of an allowed folder.
func credentialAllowed(name string, file bool, allowed []string) bool {
	real := name
	if file {
		real = resolvePath(name)
	}
	for _, a := range allowed {
		a = strings.TrimSpace(a)
		switch isPath := strings.Contains(a, "/"); {
		case !file && !isPath:
			if a == name {
				return true
			}
		case file && isPath:
			ra := resolvePath(a)
			if real == ra || strings.HasPrefix(real, strings.TrimSuffix(ra, string(filepath.Separator))+string(filepath.Separator)) {
				return true
			}
		}
	}
	return false
}

// resolvePath is p absolute and cleaned, its symbolic links resolved where
// it exists.
func resolvePath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}
