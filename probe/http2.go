package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// An endpoint that only speaks HTTP/2 (h2c with prior knowledge, or TLS
// whose ALPN offers h2 alone) drops an HTTP/1.1 request without an answer:
// the transport sees a reset or a connection closed before a response,
// which tells the user nothing. Elasticsearch and OpenSearch serve
// HTTP/1.1, so such an endpoint is a proxy or another service; when the
// cluster could not be reached that way, one bounded extra connection asks
// the endpoint whether it speaks HTTP/2 and the reason says so.

// http2Preface is the client connection preface (RFC 9113, section 3.4)
// followed by an empty SETTINGS frame.
var http2Preface = append([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 0, 0, 0, 4, 0, 0, 0, 0, 0)

// http2Hint is the reason given when the endpoint speaks HTTP/2 only.
const http2Hint = "the endpoint speaks HTTP/2 only and espreflight sends HTTP/1.1, as Elasticsearch and OpenSearch serve it: point the endpoint at the cluster's own HTTP port, or at a proxy that accepts HTTP/1.1"

// diagnoser is what the HTTP/2 check needs of a client's connection setup.
type diagnoser struct {
	base    *url.URL
	tlsConf *tls.Config
	dial    func(ctx context.Context, network, addr string) (net.Conn, error)
}

// speaksHTTP2Only reports whether the endpoint, which dropped our HTTP/1.1
// requests, answers an HTTP/2 connection. It sends nothing but the preface
// (no request, no credentials) and gives up after timeout. Endpoints reached
// through a proxy are not checked.
func (d *diagnoser) speaksHTTP2Only(ctx context.Context, timeout time.Duration) bool {
	if d == nil || d.base == nil {
		return false
	}
	if p, err := http.ProxyFromEnvironment(&http.Request{URL: d.base}); err != nil || p != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := d.base.Host
	if d.base.Port() == "" {
		port := "80"
		if d.base.Scheme == "https" {
			port = "443"
		}
		addr = net.JoinHostPort(d.base.Hostname(), port)
	}
	conn, err := d.dial(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if d.base.Scheme == "https" {
		conf := d.tlsConf.Clone()
		conf.NextProtos = []string{"h2"}
		if conf.ServerName == "" {
			conf.ServerName = d.base.Hostname()
		}
		tc := tls.Client(conn, conf)
		if err := tc.HandshakeContext(ctx); err != nil {
			return false
		}
		// Our own requests offer no ALPN; a server that settles on h2
		// when asked is one that refused them for want of it.
		return tc.ConnectionState().NegotiatedProtocol == "h2"
	}
	if _, err := conn.Write(http2Preface); err != nil {
		return false
	}
	return isHTTP2FrameHeader(conn)
}

// isHTTP2FrameHeader reads the first frame header of r: an HTTP/2 server
// answers the preface with a SETTINGS frame on stream 0 (or a GOAWAY when
// it dislikes what it got), whose length fits the default frame size.
func isHTTP2FrameHeader(r io.Reader) bool {
	var h [9]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return false
	}
	length := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
	streamZero := bytes.Equal(h[5:9], []byte{0, 0, 0, 0})
	return (h[3] == 0x4 || h[3] == 0x7) && streamZero && length <= 1<<14
}

// droppedBeforeAnswer reports whether a transport error is the kind an
// HTTP/2-only endpoint causes: a reset, a close before any response, or a
// response that is not HTTP/1.x.
func droppedBeforeAnswer(err error) bool {
	if err == nil {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		strings.Contains(err.Error(), "malformed HTTP response")
}
