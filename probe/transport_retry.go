package probe

// When and how long client.get waits before it tries a GET again: the
// backoff, a server's Retry-After, and the deadlines that bound both.

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter is the longest a Retry-After header (on a 429 or 503) makes
// the probe wait before it tries again; a server that asks for longer, or
// for a wait that would end past the attempt's --timeout or the probe's
// --deadline, is not asked again and the fact is unknown with that reason.
const MaxRetryAfter = 5 * time.Second

// retryAfter reads the Retry-After header of a 429 or 503 answer: a number
// of seconds, or an HTTP date (taken relative to the answer's Date header
// when it has one, so a skewed runner clock does not matter). ok is false
// when there is none, or it is not one of the two.
func retryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 63); err == nil {
		if n > uint64(365*24*time.Hour/time.Second) { // absurd; also keeps the product from overflowing
			n = uint64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if date, err := http.ParseTime(h.Get("Date")); err == nil {
		now = date
	}
	return max(at.Sub(now), 0), true
}

// retryWait is how long to wait before attempt+1 after last failed; ok is
// false when it is not worth trying again, with why when the reason of last
// does not say it.
func (c *client) retryWait(ctx context.Context, attempt int, last *fetchError) (wait time.Duration, why string, ok bool) {
	wait = c.opts.backoff(attempt + 1)
	if last.retryAfter != nil {
		ra := *last.retryAfter
		if limit := min(MaxRetryAfter, c.opts.Timeout); ra > limit {
			return 0, fmt.Sprintf("the server asks to retry after %s, more than the %s the probe waits", ra, limit), false
		}
		wait = max(wait, ra)
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		if last.retryAfter != nil {
			return 0, fmt.Sprintf("the server asks to retry after %s, past the probe deadline (%s)", *last.retryAfter, c.opts.Deadline), false
		}
		return 0, "", false // the backoff alone would end past the deadline
	}
	return wait, "", true
}

// get sends one GET (retrying as configured) and stream-decodes its body.
func (c *client) get(ctx context.Context, r request, decode decodeFunc) *fetchError {
	var last *fetchError
	for attempt := 0; ; attempt++ {
		var retry bool
		last, retry = c.attempt(ctx, r.endpoint, r.api, decode)
		if last == nil {
			return nil
		}
		if !retry || attempt >= c.opts.Retries || ctx.Err() != nil {
			return c.gaveUp(last, attempt, "")
		}
		wait, why, ok := c.retryWait(ctx, attempt, last)
		if !ok {
			return c.gaveUp(last, attempt, why)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return c.gaveUp(last, attempt, "")
		case <-t.C:
		}
		c.retries.Add(1)
	}
}

// gaveUp adds to the reason of the last attempt why there is no other and
// how many there were.
func (c *client) gaveUp(last *fetchError, attempt int, why string) *fetchError {
	if attempt > 0 {
		why = strings.TrimPrefix(why+fmt.Sprintf("; after %d attempts", attempt+1), "; ")
	}
	if why != "" {
		last.Reason += " (" + why + ")"
	}
	return last
}
