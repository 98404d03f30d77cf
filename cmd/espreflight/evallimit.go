package main

// Limits of one evaluation of the policies (check, advise): a user policy
// from a pull request is sandboxed from the network and the clock, but
// `numbers.range(1, 1e9)` or a comprehension over a cross product would
// run, or grow, until the runner killed the job. The evaluation gets a
// deadline (--eval-timeout) and a memory guard (--eval-memory) that cancel
// it through its context (OPA checks the context between expressions and
// inside its looping built-ins); the error names the user policy package
// the evaluation was in and tells the three causes apart.

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
)

const (
	defaultEvalTimeout = 60 * time.Second
	defaultEvalMemory  = "4gb"
	// memCheckEvery is how often the memory guard reads the heap.
	memCheckEvery = 20 * time.Millisecond
)

// heapMetric is the bytes of live and not yet collected heap objects.
const heapMetric = "/memory/classes/heap/objects:bytes"

func evalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.DurationFlag{Name: "eval-timeout", Value: defaultEvalTimeout, Usage: "stop evaluating the policies after `DURATION` (exit 2, naming the user policy it was in)"},
		&cli.StringFlag{Name: "eval-memory", Value: defaultEvalMemory, Usage: "stop evaluating the policies when the heap grows past `SIZE` (exit 2)"},
	}
}

// evalLimits are --eval-timeout and --eval-memory.
type evalLimits struct {
	timeout time.Duration
	memory  int64
}

func evalLimitsFrom(c *cli.Context) (evalLimits, error) {
	l := evalLimits{timeout: c.Duration("eval-timeout")}
	if l.timeout <= 0 {
		return l, usageErr("%s %s: must be more than 0 (e.g. %s, the default); there is no setting for no limit", flagRef(c, "eval-timeout"), l.timeout, defaultEvalTimeout)
	}
	s := c.String("eval-memory")
	n, err := probe.ParseSize(s)
	if err != nil || n <= 0 {
		return l, usageErr("%s %q: write a size such as 2gb or 512mb", flagRef(c, "eval-memory"), s)
	}
	l.memory = n
	return l, nil
}

// evalTimedOut and evalOverMemory are the causes of a stopped evaluation.
type evalTimedOut struct{ after time.Duration }

func (e evalTimedOut) Error() string {
	return fmt.Sprintf("timed out after %s (--eval-timeout)", e.after)
}

type evalOverMemory struct{ limit int64 }

func (e evalOverMemory) Error() string {
	return fmt.Sprintf("stopped at the memory limit: the heap grew past %s (--eval-memory)", probe.HumanBytes(e.limit))
}

// run calls eval with a context that the limits cancel, and turns an error
// of a stopped evaluation into one that says why and where.
func (l evalLimits) run(ctx context.Context, eval func(ctx context.Context) error) error {
	ectx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	tctx, stop := context.WithTimeoutCause(ectx, l.timeout, evalTimedOut{l.timeout})
	defer stop()
	done := make(chan struct{})
	defer close(done)
	if l.memory > 0 {
		go guardMemory(l.memory, done, cancel)
	}
	err := eval(tctx)
	if err == nil {
		return nil
	}
	cause := context.Cause(tctx)
	if cause == nil || tctx.Err() == nil {
		return err // not stopped: a rule's own error
	}
	where := "the built-in rules"
	var ee *policies.EvalError
	if errors.As(err, &ee) && ee.Policy != "" {
		where = "user policy " + ee.Policy
	}
	var sig interrupted
	if errors.As(cause, &sig) {
		return fmt.Errorf("evaluating %s: %w", where, cause)
	}
	return &exitError{code: exitUsage, err: fmt.Errorf("evaluating %s %w", where, cause)}
}

// guardMemory cancels with evalOverMemory once the heap passes limit.
func guardMemory(limit int64, done <-chan struct{}, cancel context.CancelCauseFunc) {
	sample := []metrics.Sample{{Name: heapMetric}}
	t := time.NewTicker(memCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		if int64(sample[0].Value.Uint64()) > limit {
			cancel(evalOverMemory{limit: limit})
			return
		}
	}
}
