package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/report"
)

// Shell completion. urfave/cli v2 offers a dynamic protocol (a hidden
// --generate-bash-completion flag that makes the binary print command and
// flag names, read from os.Args) whose shell scripts live in its
// repository, not in the Go package, and a static fish generator
// (App.ToFishCompletion) that knows neither flag values nor files. Neither
// completes a flag's value, so espreflight writes its own static scripts
// from the command tree: subcommands, flags with their descriptions, the
// values of the flags that take one of a list, files for FILE flags,
// folders for DIR flags and the rule ids.

// completionShells are the shells `espreflight completion` writes a script for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

const completionHelp = `Prints a completion script for the shell: it completes commands, flags
(with their descriptions in zsh, fish and PowerShell), the values of flags
that take one of a list (--format, --fail-on, --method, …), files for FILE
flags, folders for DIR flags, and rule ids (--only, --skip, policies show).
Regenerate it after an upgrade.

bash (needs bash 4.1+):
   source <(espreflight completion bash)                       # this shell
   espreflight completion bash > ~/.local/share/bash-completion/completions/espreflight

zsh (after compinit):
   source <(espreflight completion zsh)                        # this shell
   espreflight completion zsh > "${fpath[1]}/_espreflight"     # every shell

fish:
   espreflight completion fish > ~/.config/fish/completions/espreflight.fish

PowerShell:
   espreflight completion powershell | Out-String | Invoke-Expression
   # every session: add that line to $PROFILE`

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:        "completion",
		Usage:       "print a shell completion script: bash, zsh, fish or powershell",
		UsageText:   "espreflight completion [-o FILE] bash|zsh|fish|powershell",
		Description: completionHelp,
		Flags:       []cli.Flag{outputFlag("write the script to `FILE` instead of standard output")},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 || !contains(completionShells, c.Args().First()) {
				return usageErr("name the shell: espreflight completion %s", strings.Join(completionShells, "|"))
			}
			e, err := policies.New(c.Context, policies.Options{})
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			var ids []string
			for _, r := range e.Rules() {
				ids = append(ids, r.ID)
			}
			tree := completionTree(c.App, ids)
			return writeOutput(outputPath(c), c.App.Writer, func(w io.Writer) error {
				return writeCompletion(w, c.Args().First(), tree)
			})
		},
	}
}

// compNode is one command of the tree, as the scripts see it.
type compNode struct {
	// Path is the command's words after "espreflight" ("plan init"); "" for espreflight itself.
	Path  string
	Subs  []compWord
	Flags []compFlag
	// Args are the words offered for its positional arguments.
	Args []string
}

type compWord struct{ Word, Desc string }

// compFlag is a flag of a command and what its value is.
type compFlag struct {
	// Names are the flag's spellings with their dashes ("--plan", "-p").
	Names []string
	Desc  string
	// Value is "" (no value), "file", "dir", "words" (one of Words) or "any".
	Value string
	Words []string
}

// Long is the flag's long name without dashes ("plan").
func (f compFlag) Long() string { return strings.TrimLeft(f.Names[0], "-") }

// completionTree walks the app's commands, depth first.
func completionTree(app *cli.App, ids []string) []compNode {
	help := compFlag{Names: []string{"--help", "-h"}, Desc: "show help"}
	root := compNode{Flags: []compFlag{help, {Names: []string{"--version", "-v"}, Desc: "print the version"}}}
	var cmds []string
	for _, c := range app.VisibleCommands() {
		if c.Name != "help" {
			root.Subs = append(root.Subs, compWord{c.Name, c.Usage})
			cmds = append(cmds, c.Name)
		}
	}
	root.Subs = append(root.Subs, compWord{"help", "show the help of a command"})
	nodes := []compNode{root, {Path: "help", Flags: []compFlag{help}, Args: cmds}}
	var walk func(prefix string, cs []*cli.Command)
	walk = func(prefix string, cs []*cli.Command) {
		for _, c := range cs {
			if c.Hidden || c.Name == "help" {
				continue
			}
			n := compNode{Path: strings.TrimSpace(prefix + " " + c.Name), Flags: []compFlag{help}, Args: positionalWords(c.Name, ids)}
			for _, s := range c.Subcommands {
				if !s.Hidden && s.Name != "help" {
					n.Subs = append(n.Subs, compWord{s.Name, s.Usage})
				}
			}
			for _, f := range c.Flags {
				if f.Names()[0] != "help" {
					n.Flags = append(n.Flags, completionFlag(n.Path, f, ids))
				}
			}
			nodes = append(nodes, n)
			walk(n.Path, c.Subcommands)
		}
	}
	walk("", app.Commands)
	return nodes
}

// positionalWords are the words offered for a command's positional arguments.
func positionalWords(name string, ids []string) []string {
	switch name {
	case "show":
		return ids
	case "completion":
		return completionShells
	}
	return nil
}

func completionFlag(path string, f cli.Flag, ids []string) compFlag {
	cf := compFlag{}
	for _, n := range f.Names() {
		if len(n) == 1 {
			cf.Names = append(cf.Names, "-"+n)
		} else {
			cf.Names = append(cf.Names, "--"+n)
		}
	}
	df, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return cf
	}
	placeholder, usage := unquoteUsage(df.GetUsage())
	cf.Desc = usage
	if !df.TakesValue() {
		return cf
	}
	if cf.Words = flagChoices(path, cf.Long(), ids); len(cf.Words) > 0 {
		cf.Value = "words"
		return cf
	}
	switch placeholder {
	case "FILE":
		cf.Value = "file"
	case "DIR":
		cf.Value = "dir"
	default:
		cf.Value = "any"
	}
	return cf
}

// flagChoices are the values offered for a flag that takes one of a list;
// each list is the one the command validates the flag with.
func flagChoices(path, flag string, ids []string) []string {
	switch {
	case flag == "format" && path == "check":
		return report.Formats()
	case flag == "format" && path == "advise":
		return report.AdviceFormats()
	case flag == "format":
		return textOrJSON
	case flag == "fail-on":
		return failOnLevels
	case flag == "facts-mismatch":
		return factsMismatchModes
	case flag == "method":
		return probe.Methods
	case flag == "mode":
		return probe.Modes
	case flag == "only" || flag == "skip":
		return ids
	}
	role, key, _ := strings.Cut(flag, "-")
	if role != probe.RoleSource && role != probe.RoleDestination {
		return nil
	}
	switch key {
	case "kind":
		return probe.Kinds
	case "provider":
		return probe.Providers
	case "architecture":
		return probe.Architectures
	case "product":
		return probe.Products
	}
	return nil
}

// unquoteUsage splits a flag usage into its `PLACEHOLDER` and the text
// without the back quotes, cut to its first clause for a one-line description.
func unquoteUsage(usage string) (placeholder, text string) {
	if i := strings.Index(usage, "`"); i >= 0 {
		if j := strings.Index(usage[i+1:], "`"); j >= 0 {
			placeholder = usage[i+1 : i+1+j]
		}
	}
	text = strings.ReplaceAll(usage, "`", "")
	if i := strings.IndexAny(text, ";("); i > 20 {
		text = strings.TrimSpace(text[:i])
	}
	return placeholder, text
}

// writeCompletion renders the script of one shell.
func writeCompletion(w io.Writer, shell string, tree []compNode) error {
	for _, n := range tree {
		sort.SliceStable(n.Flags, func(i, j int) bool { return n.Flags[i].Names[0] < n.Flags[j].Names[0] })
	}
	switch shell {
	case "bash":
		return bashCompletion(w, tree)
	case "zsh":
		return zshCompletion(w, tree)
	case "fish":
		return fishCompletion(w, tree)
	case "powershell":
		return powershellCompletion(w, tree)
	}
	return fmt.Errorf("internal: no completion for %q", shell)
}
