package probe

// The probe's options and their defaults, configuration errors, and how
// secrets are read (from the environment variables or files the plan names).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout          = 10 * time.Second
	DefaultDeadline         = 60 * time.Second
	DefaultMaxResponseBytes = 256 << 20
	DefaultRetries          = 2
)

// Options tune a probe. The zero value is usable: every field has a default.
type Options struct {
	// Timeout bounds each request attempt (default 10s).
	Timeout time.Duration
	// Deadline bounds the whole probe (default 60s).
	Deadline time.Duration
	// MaxResponseBytes caps a response body; a larger one makes the fact
	// unknown (default 256 MiB).
	MaxResponseBytes int64
	// Retries is how often a GET is retried on 429/502/503/504 and network
	// errors, with exponential backoff and jitter (default 2; negative: none).
	Retries int
	// Progress receives one line per milestone per cluster; nil is silent.
	Progress io.Writer
	// Warn receives warnings (e.g. TLS verification off); nil writes them to
	// Progress as "warning: …" lines.
	Warn func(msg string)
	// Getenv reads environment variables (default os.Getenv).
	Getenv func(string) string
	// ReadFile reads credential and CA files (tests); by default they are
	// read as regular files of bounded size (readBoundedFile).
	ReadFile func(string) ([]byte, error)
	// ToolVersion is written into the facts document.
	ToolVersion string
	// Now gives the collection time (default time.Now).
	Now func() time.Time
	// URLTLS is the TLS configuration of clusters given by URL (ProbeURLs);
	// a plan carries its own per cluster.
	URLTLS *TLS

	// AllowedEndpoints, when not empty, are the only endpoints the probe
	// may contact (URLs; a cluster matches one with the same scheme, host
	// and port and a path under its path), and a plan may not turn off TLS
	// verification. Given by whoever runs the probe, never by a plan.
	AllowedEndpoints []string
	// AllowedCredentials, when not empty, are the only environment
	// variables (names) and files (entries with a "/": a file, or a folder
	// and everything below it) a plan may read credentials or a CA from.
	AllowedCredentials []string

	// urlTLS is true when the clusters' TLS settings come from the command
	// line (ProbeURLs), not from a plan; trustedEnv are the credential
	// variables ProbeURLs chose itself.
	urlTLS     bool
	trustedEnv map[string]bool

	// backoff overrides the retry delay (tests).
	backoff func(attempt int) time.Duration
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Deadline <= 0 {
		o.Deadline = DefaultDeadline
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.Retries == 0 {
		o.Retries = DefaultRetries
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}

	if o.Now == nil {
		o.Now = time.Now
	}
	if o.backoff == nil {
		o.backoff = defaultBackoff
	}
	return o
}

// defaultBackoff is exponential (250ms, 500ms, 1s, … capped at 4s) with full jitter
// on the upper half.
func defaultBackoff(attempt int) time.Duration {
	d := 250 * time.Millisecond << min(attempt-1, 4)
	return d/2 + rand.N(d/2+1)
}

// ConfigError is a problem with the probe's configuration (a missing
// environment variable, an unreadable CA file, …): nothing was probed. Its
// message names the variable or file, never a secret.
type ConfigError struct {
	// Role is the cluster concerned ("source", …).
	Role string
	Msg  string
}

func (e *ConfigError) Error() string {
	if e.Role == "" {
		return e.Msg
	}
	return e.Role + ": " + e.Msg
}

// readSecret reads a credential from an environment variable or a file (the
// file's trailing newline is dropped; it must be a regular file of at most
// MaxCredentialFileBytes). "" with a nil error means not configured.
func readSecret(ctx context.Context, opts Options, what, env, file string) (string, error) {
	var v string
	switch {
	case env != "" && file != "":
		return "", fmt.Errorf("%s: give either %s_env or %s_file, not both", what, what, what)
	case env != "":
		if v = opts.Getenv(env); v == "" {
			return "", fmt.Errorf("%s: environment variable %s is not set or empty", what, env)
		}
		if err := checkCredential(v); err != nil {
			return "", fmt.Errorf("%s: environment variable %s %s", what, env, err)
		}
	case file != "":
		b, err := opts.readFile(ctx, file, MaxCredentialFileBytes)
		if err != nil {
			return "", fmt.Errorf("%s: file %s: %s", what, file, shortFileError(err))
		}
		if v = strings.TrimRight(string(b), "\r\n"); v == "" {
			return "", fmt.Errorf("%s: file %s is empty", what, file)
		}
		if err := checkCredential(v); err != nil {
			return "", fmt.Errorf("%s: file %s %s", what, file, err)
		}
	}
	return v, nil
}

// readFile reads a credential or CA file: through the ReadFile hook when
// set, else as a bounded regular file.
func (o Options) readFile(ctx context.Context, path string, limit int64) ([]byte, error) {
	if o.ReadFile == nil {
		return readBoundedFile(ctx, path, limit)
	}
	b, err := o.ReadFile(path)
	if err == nil && int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %s; is this the right file?", HumanBytes(limit))
	}
	return b, err
}

func shortFileError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
