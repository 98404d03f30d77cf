package main

import "github.com/urfave/cli/v2"

// probeCommand is `espreflight probe` (stub until the live probe lands).
func probeCommand() *cli.Command {
	return &cli.Command{
		Name:  "probe",
		Usage: "probe the clusters a plan names and write the facts document (no rules are evaluated)",
		Action: func(c *cli.Context) error {
			return usageErr("probe is not available in this build")
		},
	}
}
