package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"
)

// Set at build time by `make build` and GoReleaser (.goreleaser.yaml):
// -ldflags "-X main.version=1.2.3 -X main.commit=<sha> -X main.date=<RFC 3339>".
// Left empty, they are read from the binary's build information instead.
var (
	version = ""
	commit  = ""
	date    = ""
)

// devVersion is the version of a build that carries none: `go build` or
// `go test` without VCS stamping and without -ldflags.
const devVersion = "0.1.0-dev"

// Build says which espreflight this is: `espreflight version --format json`.
type Build struct {
	// Version is the release (1.2.3, no "v"), a Go pseudo-version for an
	// untagged commit, or 0.1.0-dev when the build carries none.
	Version string `json:"version"`
	// Commit is the VCS revision ("" when unknown); a short hash when it
	// comes from a pseudo-version.
	Commit string `json:"commit,omitempty"`
	// Date is the commit time (RFC 3339), "" when unknown.
	Date string `json:"date,omitempty"`
	// Modified is true when the working tree had uncommitted changes; nil
	// (left out) when the build does not say.
	Modified *bool `json:"modified,omitempty"`
	// Module is the Go module the binary was built from.
	Module string `json:"module,omitempty"`
	// Go is the Go toolchain; Platform is GOOS/GOARCH.
	Go       string `json:"go"`
	Platform string `json:"platform"`
	// From says where Version came from: "ldflags" (a release or make
	// build), "module" (go install …@version), "vcs" (go build in a git
	// checkout) or "none".
	From string `json:"from"`
}

// String is the one-line form of `espreflight version`.
func (b Build) String() string {
	var extra []string
	if b.Commit != "" {
		c := b.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if b.Modified != nil && *b.Modified {
			c += "-dirty"
		}
		extra = append(extra, "commit "+c)
	}
	if b.Date != "" {
		extra = append(extra, b.Date)
	}
	extra = append(extra, b.Go+" "+b.Platform)
	return fmt.Sprintf("espreflight %s (%s)", b.Version, strings.Join(extra, ", "))
}

// currentBuild is this binary's Build, computed once.
var currentBuild = sync.OnceValue(func() Build {
	bi, _ := debug.ReadBuildInfo()
	return resolveBuild(version, commit, date, bi)
})

// toolVersion is the version written into reports and facts.
func toolVersion() string { return currentBuild().Version }

// resolveBuild combines the -ldflags values with the Go build information
// (nil when the binary has none). The ldflags win: they are what a release
// was built with. Otherwise a `go install …@v1.2.3` binary has the module
// version, and a `go build` in a git checkout has a VCS pseudo-version and
// the vcs.* settings (Go stamps them unless -buildvcs=false).
func resolveBuild(ldVersion, ldCommit, ldDate string, bi *debug.BuildInfo) Build {
	b := Build{Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH, Version: devVersion, From: "none",
		Commit: ldCommit, Date: ldDate}
	if bi != nil {
		if bi.GoVersion != "" {
			b.Go = bi.GoVersion
		}
		b.Module = bi.Main.Path
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			case "vcs.modified":
				m := s.Value == "true"
				b.Modified = &m
			case "GOOS":
				b.Platform = s.Value + b.Platform[strings.Index(b.Platform, "/"):]
			case "GOARCH":
				b.Platform = b.Platform[:strings.Index(b.Platform, "/")+1] + s.Value
			}
		}
	}
	if ldVersion != "" {
		b.Version, b.From = strings.TrimPrefix(ldVersion, "v"), "ldflags"
		return b
	}
	if bi == nil || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return b
	}
	v := bi.Main.Version
	if strings.HasSuffix(v, "+dirty") {
		m := true
		v, b.Modified = strings.TrimSuffix(v, "+dirty"), &m
	}
	b.Version = strings.TrimPrefix(v, "v")
	b.From = "module"
	if hasVCS(bi) {
		b.From = "vcs"
	}
	if m := pseudoRev.FindStringSubmatch(v); m != nil && b.Commit == "" {
		b.Commit = m[1]
	}
	return b
}

// pseudoRev matches the end of a Go pseudo-version (vX.Y.Z-[pre.]yyyymmddhhmmss-abcdef123456,
// https://go.dev/ref/mod#pseudo-versions) and captures its 12-character revision.
var pseudoRev = regexp.MustCompile(`[.-]\d{14}-([0-9a-f]{12})$`)

func hasVCS(bi *debug.BuildInfo) bool {
	for _, s := range bi.Settings {
		if s.Key == "vcs" {
			return true
		}
	}
	return false
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:      "version",
		Usage:     "print the version, commit and build of espreflight",
		UsageText: "espreflight version [--format text|json]",
		Description: "The version comes from the release build (-ldflags), or else from the Go build\n" +
			"information: the module version of 'go install …@VERSION', the commit of a build\n" +
			"in a git checkout.\n\nExamples:\n   espreflight version\n   espreflight version --format json | jq -r .commit",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: strings.Join(textOrJSON, " or ")},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErr("version takes no arguments (got %q)", c.Args().First())
			}
			return writeVersion(c.App.Writer, c.String("format"), currentBuild())
		},
	}
}

func writeVersion(w io.Writer, format string, b Build) error {
	switch format {
	case "text":
		_, err := fmt.Fprintln(w, b.String())
		return err
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
	}
	return usageErr("--format %q: use text or json", format)
}
