package main

import (
	"io"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/probe"
)

// probeFlags are the flags of every command that probes clusters.
func probeFlags() []cli.Flag { return nil }

// collectFacts returns the facts for a plan: a live probe of every cluster
// with an endpoint, the plan's declared facts for the others.
//
// Stub until the live probe lands: facts come from the plan alone.
func collectFacts(c *cli.Context, plan *probe.Plan, stderr io.Writer) (*probe.Facts, error) {
	now, err := nowFrom(c)
	if err != nil {
		return nil, err
	}
	return probe.FromPlan(plan, version, now), nil
}
