package probe

// The client of one cluster: TLS, credentials and the elastictransport
// client built from a plan's cluster spec, and the GET that every collector
// sends through it (attempt timeout, bounded retries with backoff, size cap,
// error bodies turned into short reasons that hold no secret).

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// maxDrain bounds what is read from a body before it is closed so the
// connection can be reused; anything longer is abandoned with the connection.
const maxDrain = 64 << 10

// maxErrorBody bounds what is read of an error response.
const maxErrorBody = 16 << 10

// client talks to one cluster.
type client struct {
	role     string
	endpoint string // redacted base URL, for messages
	tp       *elastictransport.Client
	opts     Options
	scrub    *scrubber
	h2       *diagnoser // asks an endpoint that drops HTTP/1.1 whether it speaks HTTP/2

	requests  atomic.Int64 // attempts sent
	retries   atomic.Int64 // attempts that were a retry
	bytes     atomic.Int64 // body bytes read
	responded atomic.Bool  // any HTTP response at all
	esProduct atomic.Bool  // a response carried X-Elastic-Product: Elasticsearch
}

// newClient builds the client of one cluster from its plan spec. Every error
// is a *ConfigError.
func newClient(ctx context.Context, role string, spec *ClusterSpec, opts Options) (*client, []string, error) {
	cfgErr := func(format string, a ...any) error {
		return &ConfigError{Role: role, Msg: fmt.Sprintf(format, a...)}
	}
	u, err := url.Parse(spec.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, cfgErr("endpoint %q is not an http(s) URL", RedactURL(spec.Endpoint))
	}
	if u.User != nil {
		return nil, nil, cfgErr("endpoint %s carries credentials; use auth.username_env and auth.password_env instead", RedactURL(spec.Endpoint))
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimSuffix(u.Path, "/")

	c := &client{role: role, endpoint: RedactURL(spec.Endpoint), opts: opts, scrub: &scrubber{}}
	var warnings []string

	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if t := spec.TLS; t != nil {
		if t.CAFile != "" {
			pem, err := opts.readFile(ctx, t.CAFile, maxCAFileBytes)
			if err != nil {
				return nil, nil, cfgErr("tls.ca_file %s: %s", t.CAFile, shortFileError(err))
			}
			pool, err := x509.SystemCertPool()
			if err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, nil, cfgErr("tls.ca_file %s holds no PEM certificate", t.CAFile)
			}
			tlsConf.RootCAs = pool
		}
		if t.InsecureSkipVerify {
			tlsConf.InsecureSkipVerify = true
			warnings = append(warnings, fmt.Sprintf("%s: TLS certificate verification is off for %s (insecure_skip_verify)", role, c.endpoint))
		}
	}
	dialer := &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   opts.Timeout,
		ResponseHeaderTimeout: opts.Timeout,
		IdleConnTimeout:       30 * time.Second,
		MaxIdleConnsPerHost:   8,
		// DisableCompression stays false: net/http asks for gzip and
		// decompresses transparently; the size cap applies after it.
	}

	c.h2 = &diagnoser{base: u, tlsConf: tlsConf, dial: dialer.DialContext}

	topts := []elastictransport.Option{
		elastictransport.WithURLs(u),
		elastictransport.WithTransport(tr),
		elastictransport.WithUserAgent("espreflight/" + orDefault(opts.ToolVersion, "dev")),
		// Retries are done by client.get, per attempt and for GETs only.
		elastictransport.WithDisableRetry(),
	}
	if a := spec.Auth; a != nil {
		apiKey, err := readSecret(ctx, opts, "api_key", a.APIKeyEnv, a.APIKeyFile)
		if err != nil {
			return nil, nil, cfgErr("%s", err)
		}
		if apiKey != "" {
			c.scrub.add(apiKey)
			if strings.Contains(apiKey, ":") { // id:api_key, not yet encoded
				apiKey = base64.StdEncoding.EncodeToString([]byte(apiKey))
				c.scrub.add(apiKey)
			}
			topts = append(topts, elastictransport.WithAPIKey(apiKey))
		} else {
			user := a.Username
			if user == "" {
				if user, err = readSecret(ctx, opts, "username", a.UsernameEnv, a.UsernameFile); err != nil {
					return nil, nil, cfgErr("%s", err)
				}
			}
			password, err := readSecret(ctx, opts, "password", a.PasswordEnv, a.PasswordFile)
			if err != nil {
				return nil, nil, cfgErr("%s", err)
			}
			switch {
			case user != "" && password == "":
				return nil, nil, cfgErr("auth names a user but no password (set password_env or password_file)")
			case user == "" && password != "":
				return nil, nil, cfgErr("auth gives a password but no user name (set username, username_env or username_file)")
			case user != "":
				c.scrub.basic(user, password)
				topts = append(topts, elastictransport.WithBasicAuth(user, password))
			}
		}
	}
	tp, err := elastictransport.NewClient(topts...)
	if err != nil {
		return nil, nil, cfgErr("cannot build the HTTP client: %s", c.scrub.clean(err.Error()))
	}
	c.tp = tp
	return c, warnings, nil
}

// apiRequest is an esapi request (every esapi XxxRequest has this method).
type apiRequest interface {
	Do(ctx context.Context, t esapi.Transport) (*esapi.Response, error)
}

// fetchError is why a request gave no usable body. Reason is short and
// holds no secret.
type fetchError struct {
	Endpoint string
	Status   int    // 0 when no HTTP response arrived
	Type     string // Elasticsearch error type, if any
	Reason   string
	// NoResponse is true when nothing came back at all (refused, DNS, TLS, timeout).
	NoResponse bool
	// retryAfter is the answer's Retry-After (429 and 503), when it has one.
	retryAfter *time.Duration
	// dropped: the connection was reset or closed before any answer, or the
	// answer was not HTTP/1.x (what an HTTP/2-only endpoint does).
	dropped bool
}

func (e *fetchError) Error() string { return e.Reason }

// decodeFunc consumes a JSON body from a decoder; it must read exactly one value.
type decodeFunc func(dec *decoder) error

// countingReader counts the bytes read through it, and keeps the first
// error other than io.EOF its reader gave: the connection failing mid-body.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// request is one GET a collector sends: endpoint names it in sources and
// unknown entries ("GET /_cat/indices"), api is what is sent.
type request struct {
	endpoint string
	api      apiRequest
}

func (c *client) attempt(ctx context.Context, endpoint string, req apiRequest, decode decodeFunc) (ferr *fetchError, retry bool) {
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	c.requests.Add(1)
	res, err := req.Do(actx, c.tp)
	if err != nil {
		if res != nil && res.Body != nil {
			res.Body.Close()
		}
		fe := &fetchError{Endpoint: endpoint, NoResponse: true, Reason: c.netReason(ctx, actx, err), dropped: droppedBeforeAnswer(err)}
		return fe, ctx.Err() == nil && actx.Err() == nil && retryableNetError(err)
	}
	c.responded.Store(true)
	if res.Header.Get("X-Elastic-Product") == "Elasticsearch" {
		c.esProduct.Store(true)
	}
	body := res.Body
	if body == nil {
		body = http.NoBody
	}
	defer func() {
		// Bounded drain so the connection can be reused, then close.
		_, _ = io.CopyN(io.Discard, body, maxDrain)
		body.Close()
	}()

	if res.StatusCode >= 300 {
		fe := &fetchError{Endpoint: endpoint, Status: res.StatusCode}
		fe.Type, fe.Reason = c.statusReason(res.StatusCode, io.LimitReader(body, maxErrorBody))
		switch res.StatusCode {
		case 429, 503:
			if d, ok := retryAfter(res.Header, time.Now()); ok {
				fe.retryAfter = &d
			}
			return fe, true
		case 502, 504:
			return fe, true
		}
		return fe, false
	}
	if ct := res.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if !strings.Contains(mt, "json") {
			return &fetchError{Endpoint: endpoint, Status: res.StatusCode,
				Reason: fmt.Sprintf("HTTP %d with content type %q, not JSON (a proxy or login page?)", res.StatusCode, truncate(mt, 60))}, false
		}
	}
	cr := &countingReader{r: io.LimitReader(body, c.opts.MaxResponseBytes+1)}
	dec := responseDecoder(cr, 2*c.opts.MaxResponseBytes)
	err = decode(dec)
	var be *budgetError
	if errors.As(err, &be) {
		// The byte cap, when the body is over it too, is the plainer reason;
		// reading on to see costs no memory.
		_, _ = io.Copy(io.Discard, cr)
	}
	c.bytes.Add(cr.n)
	if cr.n > c.opts.MaxResponseBytes {
		return &fetchError{Endpoint: endpoint, Status: res.StatusCode,
			Reason: fmt.Sprintf("response larger than the %d-byte limit (--max-response-size)", c.opts.MaxResponseBytes)}, false
	}
	if be != nil {
		return &fetchError{Endpoint: endpoint, Status: res.StatusCode, Reason: be.Error()}, false
	}
	if err != nil {
		if ctx.Err() != nil || actx.Err() != nil {
			return &fetchError{Endpoint: endpoint, Status: res.StatusCode, Reason: "reading the response: " + c.netReason(ctx, actx, err)}, false
		}
		if cr.err != nil {
			// The connection failed mid-body (reset, closed short of its
			// Content-Length): a GET may be sent again.
			return &fetchError{Endpoint: endpoint, Status: res.StatusCode, Reason: c.midBodyReason(cr.err, cr.n)}, retryableNetError(cr.err)
		}
		return &fetchError{Endpoint: endpoint, Status: res.StatusCode, Reason: c.scrub.clean("malformed response: " + jsonReason(err))}, false
	}
	return nil, false
}

// midBodyReason says why a body stopped after n bytes.
func (c *client) midBodyReason(err error, n int64) string {
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Sprintf("the connection was reset after %d bytes of the response", n)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Sprintf("the connection closed after %d bytes of the response, before its end", n)
	}
	return fmt.Sprintf("reading the response failed after %d bytes: %s", n, c.netReason(context.Background(), context.Background(), err))
}

// netReason turns a transport error into a short reason.
func (c *client) netReason(ctx, actx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Sprintf("probe deadline (%s) exceeded", c.opts.Deadline)
		}
		if cause := context.Cause(ctx); cause != nil && cause != context.Canceled {
			return "probe " + c.scrub.short(cause.Error(), 100) // "probe cancelled by SIGTERM"
		}
		return "probe cancelled"
	case actx.Err() != nil:
		return fmt.Sprintf("timed out after %s", c.opts.Timeout)
	}
	var (
		unknownCA   x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidCert x509.CertificateInvalidError
		recErr      tls.RecordHeaderError
		dnsErr      *net.DNSError
		certVerify  *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknownCA):
		return "TLS: certificate signed by an unknown authority (set tls.ca_file in the plan, or --ca-file)"
	case errors.As(err, &hostErr):
		return "TLS: " + c.scrub.short(hostErr.Error(), 200)
	case errors.As(err, &invalidCert):
		return "TLS: " + c.scrub.short(invalidCert.Error(), 200)
	case errors.As(err, &certVerify):
		return "TLS: certificate verification failed: " + c.scrub.short(certVerify.Err.Error(), 160)
	case errors.As(err, &recErr):
		return "TLS: the server does not speak TLS (use an http:// endpoint?)"
	case errors.As(err, &dnsErr):
		return "cannot resolve host " + dnsErr.Name
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before a response"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Sprintf("timed out after %s", c.opts.Timeout)
	}
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) { // drop `Get "url":`, keep the cause
		msg = ue.Err.Error()
	}
	return c.scrub.short(msg, 200)
}

// retryableNetError reports whether a transport error is worth another try:
// not a TLS verification problem and not a DNS failure.
func retryableNetError(err error) bool {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		certVerify *tls.CertificateVerificationError
		recErr     tls.RecordHeaderError
		dnsErr     *net.DNSError
	)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return !errors.As(err, &unknownCA) && !errors.As(err, &hostErr) && !errors.As(err, &certVerify) &&
		!errors.As(err, &recErr) && !(errors.As(err, &dnsErr) && dnsErr.IsNotFound)
}

// esError extracts the error type and reason of an Elasticsearch error body
// ({"error":{"type","reason"}} or {"error":"text"}); both may be empty.
func esError(r io.Reader) (typ, reason string) {
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if err := json.NewDecoder(r).Decode(&body); err != nil || len(body.Error) == 0 {
		return "", ""
	}
	var obj struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	}
	if json.Unmarshal(body.Error, &obj) == nil {
		return obj.Type, obj.Reason
	}
	var s string
	if json.Unmarshal(body.Error, &s) == nil {
		return "", s
	}
	return "", ""
}

// statusReason reads an error body and describes the error: the
// Elasticsearch error type and a reason, both scrubbed before they are cut
// short (a cut secret would no longer be recognised and its first bytes
// would survive).
func (c *client) statusReason(status int, body io.Reader) (typ, reason string) {
	typ, reason = esError(body)
	typ = c.scrub.short(typ, 100)
	return typ, describeStatus(status, typ, c.scrub.short(reason, 200))
}

// describeStatus says what an HTTP status means, with the cluster's error
// type and reason (already scrubbed and short).
func describeStatus(status int, typ, reason string) string {
	s := fmt.Sprintf("HTTP %d", status)
	switch status {
	case 401:
		s += " (authentication failed: check the credentials)"
	case 403:
		s += " (forbidden: the user needs the monitor cluster privilege and view_index_metadata on all indices)"
	default:
		if t := http.StatusText(status); t != "" {
			s += " " + t
		}
	}
	if typ != "" {
		s += ": " + typ
	}
	if reason != "" {
		s += ": " + reason
	}
	return s
}

// rawRequest is a GET that esapi does not model (a version-gated path or
// parameter); it goes through the same transport.
type rawRequest struct {
	Path  string
	Query url.Values
}

// Do sends the request through t.
func (r rawRequest) Do(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
	u := &url.URL{Path: r.Path, RawQuery: r.Query.Encode()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	res, err := t.Perform(req)
	if err != nil {
		return nil, err
	}
	return &esapi.Response{StatusCode: res.StatusCode, Header: res.Header, Body: res.Body}, nil
}
