package main

import "github.com/urfave/cli/v2"

// adviseCommandOrNil is `espreflight advise`; nil until it lands.
func adviseCommandOrNil() *cli.Command { return nil }
