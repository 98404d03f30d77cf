package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// The four scripts share one design: walk the words typed so far to find
// the command path ("plan init"), skipping flags and the values of flags
// that take one; then complete the value of the flag before the cursor, or
// the flags of the path, or its subcommands and arguments. The data (which
// words are subcommands, what a flag's value is) is written out per path.

// shQuote quotes s for bash and zsh (single quotes).
func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// fishQuote quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// psQuote quotes s for PowerShell.
func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// psArray writes a PowerShell array of arrays; one element needs the unary
// comma, or @() would flatten it.
func psArray(items []string) string {
	if len(items) == 1 {
		return "@(," + items[0] + ")"
	}
	return "@(" + strings.Join(items, ", ") + ")"
}

func scriptHeader(w *bufio.Writer, comment, shell string) {
	fmt.Fprintf(w, "%s %s completion for espreflight, written by 'espreflight completion %s'\n", comment, shell, shell)
	fmt.Fprintf(w, "%s (espreflight %s); regenerate it after an upgrade. See 'espreflight completion --help'.\n\n", comment, toolVersion())
}

// valueSpec is how the sh-like scripts write a flag's value kind: file,
// dir, any, or "words a b c".
func valueSpec(f compFlag) string {
	if f.Value == "words" {
		return "words " + strings.Join(f.Words, " ")
	}
	return f.Value
}

// shCases writes a case statement on "$1 $2" (path and flag) for the value
// of every flag that takes one; shape is bash's or zsh's "(pattern)" form.
func shCases(w *bufio.Writer, tree []compNode, assign string) {
	fmt.Fprintf(w, "    case \"$1 $2\" in\n")
	for _, n := range tree {
		for _, f := range n.Flags {
			if f.Value == "" {
				continue
			}
			var pats []string
			for _, name := range f.Names {
				pats = append(pats, shQuote(n.Path+" "+name))
			}
			fmt.Fprintf(w, "    %s) %s%s ;;\n", strings.Join(pats, "|"), assign, shQuote(valueSpec(f)))
		}
	}
	fmt.Fprintf(w, "    *) %s'' ;;\n    esac\n", assign)
}

// shIsSub writes the function that says whether $2 is a subcommand of path $1.
func shIsSub(w *bufio.Writer, tree []compNode) {
	fmt.Fprintf(w, "__espreflight_is_sub() {\n    case \"$1/$2\" in\n")
	var pats []string
	for _, n := range tree {
		for _, s := range n.Subs {
			pats = append(pats, shQuote(n.Path+"/"+s.Word))
		}
	}
	fmt.Fprintf(w, "    %s) return 0 ;;\n    esac\n    return 1\n}\n\n", strings.Join(pats, "|"))
}

func bashCompletion(out io.Writer, tree []compNode) error {
	w := bufio.NewWriter(out)
	scriptHeader(w, "#", "bash")
	shIsSub(w, tree)
	fmt.Fprintf(w, "# __espreflight_words PATH KIND: the subcommands and arguments, or the flags, of PATH.\n__espreflight_words() {\n    case \"$2 $1\" in\n")
	for _, n := range tree {
		var words, flags []string
		for _, s := range n.Subs {
			words = append(words, s.Word)
		}
		words = append(words, n.Args...)
		for _, f := range n.Flags {
			flags = append(flags, f.Names...)
		}
		fmt.Fprintf(w, "    %s) echo %s ;;\n", shQuote("words "+n.Path), shQuote(strings.Join(words, " ")))
		fmt.Fprintf(w, "    %s) echo %s ;;\n", shQuote("flags "+n.Path), shQuote(strings.Join(flags, " ")))
	}
	fmt.Fprintf(w, "    esac\n}\n\n# __espreflight_value PATH FLAG: what the flag takes (file, dir, any, words ...); empty for none.\n__espreflight_value() {\n")
	shCases(w, tree, "echo ")
	w.WriteString(`}

_espreflight() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev= flag= cmdpath= i w v
    local IFS=$'\n'
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == -* ]]; then
            v=$(__espreflight_value "$cmdpath" "$w")
            # --flag=value arrives as three words: --flag, =, value.
            if [[ -n $v ]]; then
                ((i++))
                [[ ${COMP_WORDS[i]} == = ]] && ((i++))
            fi
        elif __espreflight_is_sub "$cmdpath" "$w"; then
            cmdpath=${cmdpath:+$cmdpath }$w
        fi
    done
    ((COMP_CWORD > 1)) && prev=${COMP_WORDS[COMP_CWORD-1]}
    if [[ $prev == = ]] && ((COMP_CWORD > 2)) && [[ ${COMP_WORDS[COMP_CWORD-2]} == -* ]]; then
        flag=${COMP_WORDS[COMP_CWORD-2]}
    elif [[ $prev == -* ]]; then
        flag=$prev
    elif [[ $prev == = ]]; then
        # FORMAT=PATH
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0
    fi
    [[ $cur == = ]] && cur=
    if [[ -n $flag ]]; then
        v=$(__espreflight_value "$cmdpath" "$flag")
        case $v in
        file)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0 ;;
        dir)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -d -- "$cur"))
            return 0 ;;
        any)
            COMPREPLY=()
            return 0 ;;
        words\ *)
            IFS=' ' read -r -a v <<<"${v#words }"
            COMPREPLY=($(compgen -W "$(printf '%s\n' "${v[@]}")" -- "$cur"))
            return 0 ;;
        esac
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(__espreflight_words "$cmdpath" flags | tr ' ' '\n')" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$(__espreflight_words "$cmdpath" words | tr ' ' '\n')" -- "$cur"))
    fi
    return 0
}

complete -F _espreflight espreflight
`)
	return w.Flush()
}

func zshCompletion(out io.Writer, tree []compNode) error {
	w := bufio.NewWriter(out)
	fmt.Fprintf(w, "#compdef espreflight\n")
	scriptHeader(w, "#", "zsh")
	shIsSub(w, tree)
	fmt.Fprintf(w, "# __espreflight_words PATH KIND: sets reply to the subcommands (word:description) and\n# arguments, or the flags, of PATH.\n__espreflight_words() {\n    case \"$2 $1\" in\n")
	for _, n := range tree {
		var words, flags []string
		for _, s := range n.Subs {
			words = append(words, shQuote(strings.ReplaceAll(s.Word, ":", `\:`)+":"+s.Desc))
		}
		for _, a := range n.Args {
			words = append(words, shQuote(a))
		}
		for _, f := range n.Flags {
			for _, name := range f.Names {
				flags = append(flags, shQuote(name+":"+f.Desc))
			}
		}
		fmt.Fprintf(w, "    %s) reply=(%s) ;;\n", shQuote("words "+n.Path), strings.Join(words, " "))
		fmt.Fprintf(w, "    %s) reply=(%s) ;;\n", shQuote("flags "+n.Path), strings.Join(flags, " "))
	}
	fmt.Fprintf(w, "    *) reply=() ;;\n    esac\n}\n\n# __espreflight_value PATH FLAG: sets REPLY to what the flag takes (file, dir, any, words ...).\n__espreflight_value() {\n")
	shCases(w, tree, "REPLY=")
	w.WriteString(`}

_espreflight() {
    local cmdpath= w flag cur=${words[CURRENT]} i
    local -a reply vals
    for ((i = 2; i < CURRENT; i++)); do
        w=${words[i]}
        if [[ $w == -* ]]; then
            [[ $w == *=* ]] && continue
            __espreflight_value "$cmdpath" "$w"
            [[ -n $REPLY ]] && ((i++))
        elif __espreflight_is_sub "$cmdpath" "$w"; then
            cmdpath=${cmdpath:+$cmdpath }$w
        fi
    done
    if [[ $cur == -*=* ]]; then
        flag=${cur%%=*}
        compset -P '*='
    elif [[ $cur == *=* ]]; then
        # FORMAT=PATH
        compset -P '*='
        _files
        return
    elif ((CURRENT > 2)) && [[ ${words[CURRENT-1]} == -* ]]; then
        flag=${words[CURRENT-1]}
    fi
    if [[ -n $flag ]]; then
        __espreflight_value "$cmdpath" "$flag"
        case $REPLY in
        file) _files; return ;;
        dir) _files -/; return ;;
        any) _message -e value 'a value'; return ;;
        words\ *) vals=(${=REPLY#words }); compadd -a vals; return ;;
        esac
    fi
    if [[ $cur == -* ]]; then
        __espreflight_words "$cmdpath" flags
        _describe -t options option reply
    else
        __espreflight_words "$cmdpath" words
        _describe -t commands command reply
    fi
}

if [[ $funcstack[1] == _espreflight ]]; then
    # autoloaded from $fpath as _espreflight
    _espreflight "$@"
else
    # sourced
    compdef _espreflight espreflight
fi
`)
	return w.Flush()
}

func fishCompletion(out io.Writer, tree []compNode) error {
	w := bufio.NewWriter(out)
	scriptHeader(w, "#", "fish")
	w.WriteString(`# __espreflight_path: the command path of the command line ("plan init").
function __espreflight_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path
    set -l skip 0
    for t in $tokens
        set -l p (string join ' ' $path)
        if test $skip = 1
            set skip 0
        else if string match -q -- '-*' $t
            if not string match -q -- '*=*' $t; and __espreflight_takes_value "$p" $t
                set skip 1
            end
        else if __espreflight_is_sub "$p" $t
            set -a path $t
        end
    end
    string join ' ' $path
end

function __espreflight_at
    set -l p (__espreflight_path)
    test "$p" = "$argv"
end

`)
	fmt.Fprintf(w, "function __espreflight_is_sub\n    switch \"$argv[1]/$argv[2]\"\n")
	var subs, valued []string
	for _, n := range tree {
		for _, s := range n.Subs {
			subs = append(subs, fishQuote(n.Path+"/"+s.Word))
		}
		for _, f := range n.Flags {
			if f.Value != "" {
				for _, name := range f.Names {
					valued = append(valued, fishQuote(n.Path+" "+name))
				}
			}
		}
	}
	fmt.Fprintf(w, "        case %s\n            return 0\n    end\n    return 1\nend\n\n", strings.Join(subs, " "))
	fmt.Fprintf(w, "function __espreflight_takes_value\n    switch \"$argv[1] $argv[2]\"\n        case %s\n            return 0\n    end\n    return 1\nend\n\n", strings.Join(valued, " "))
	fmt.Fprintf(w, "complete -c espreflight -f\n")
	for _, n := range tree {
		at := fishQuote("__espreflight_at " + n.Path)
		for _, s := range n.Subs {
			fmt.Fprintf(w, "complete -c espreflight -n %s -a %s -d %s\n", at, fishQuote(s.Word), fishQuote(s.Desc))
		}
		if len(n.Args) > 0 {
			fmt.Fprintf(w, "complete -c espreflight -n %s -a %s\n", at, fishQuote(strings.Join(n.Args, " ")))
		}
		for _, f := range n.Flags {
			var b strings.Builder
			fmt.Fprintf(&b, "complete -c espreflight -n %s", at)
			for _, name := range f.Names {
				if strings.HasPrefix(name, "--") {
					fmt.Fprintf(&b, " -l %s", name[2:])
				} else {
					fmt.Fprintf(&b, " -s %s", name[1:])
				}
			}
			switch f.Value {
			case "file":
				b.WriteString(" -r -F")
			case "dir":
				b.WriteString(" -x -a '(__fish_complete_directories)'")
			case "any":
				b.WriteString(" -x")
			case "words":
				fmt.Fprintf(&b, " -x -a %s", fishQuote(strings.Join(f.Words, " ")))
			}
			fmt.Fprintf(&b, " -d %s\n", fishQuote(f.Desc))
			w.WriteString(b.String())
		}
	}
	return w.Flush()
}

func powershellCompletion(out io.Writer, tree []compNode) error {
	w := bufio.NewWriter(out)
	scriptHeader(w, "#", "powershell")
	fmt.Fprint(w, "Register-ArgumentCompleter -Native -CommandName 'espreflight', 'espreflight.exe' -ScriptBlock {\n")
	fmt.Fprint(w, "    param($wordToComplete, $commandAst, $cursorPosition)\n\n")
	fmt.Fprint(w, "    # per command path: its subcommands and arguments (word, description, sub|arg) and its\n    # flags (name, description, value: '' none, file, dir, any, words)\n")
	fmt.Fprint(w, "    $words = @{\n")
	for _, n := range tree {
		var items []string
		for _, s := range n.Subs {
			items = append(items, fmt.Sprintf("@(%s, %s, 'sub')", psQuote(s.Word), psQuote(s.Desc)))
		}
		for _, a := range n.Args {
			items = append(items, fmt.Sprintf("@(%s, %s, 'arg')", psQuote(a), psQuote(a)))
		}
		fmt.Fprintf(w, "        %s = %s\n", psQuote(n.Path), psArray(items))
	}
	fmt.Fprint(w, "    }\n    $flags = @{\n")
	for _, n := range tree {
		var items []string
		for _, f := range n.Flags {
			for _, name := range f.Names {
				items = append(items, fmt.Sprintf("@(%s, %s, %s)", psQuote(name), psQuote(f.Desc), psQuote(f.Value)))
			}
		}
		fmt.Fprintf(w, "        %s = %s\n", psQuote(n.Path), psArray(items))
	}
	fmt.Fprint(w, "    }\n    $values = @{\n")
	for _, n := range tree {
		for _, f := range n.Flags {
			if f.Value != "words" {
				continue
			}
			var vals []string
			for _, v := range f.Words {
				vals = append(vals, psQuote(v))
			}
			for _, name := range f.Names {
				fmt.Fprintf(w, "        %s = @(%s)\n", psQuote(n.Path+" "+name), strings.Join(vals, ", "))
			}
		}
	}
	w.WriteString(`    }

    $typed = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
    if ($wordToComplete -ne '' -and $typed.Count -gt 0) { $typed = $typed[0..($typed.Count - 2)] }
    $path = ''
    $kind = ''
    $prev = $null
    for ($i = 0; $i -lt $typed.Count; $i++) {
        $t = $typed[$i]
        if ($t.StartsWith('-')) {
            $f = $flags[$path] | Where-Object { $_[0] -eq $t } | Select-Object -First 1
            if ($f -and $f[2] -ne '') {
                if ($i -eq $typed.Count - 1) { $prev = $t; $kind = $f[2] } else { $i++ }
            }
        } elseif ($words[$path] | Where-Object { $_[0] -eq $t -and $_[2] -eq 'sub' }) {
            $path = ($path + ' ' + $t).Trim()
        }
    }
    if ($prev) {
        if ($kind -eq 'words') {
            return $values[$path + ' ' + $prev] | Where-Object { $_ -like "$wordToComplete*" } |
                ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
        }
        # file and dir: PowerShell completes paths when a completer returns nothing
        return
    }
    if ($wordToComplete.StartsWith('-')) {
        return $flags[$path] | Where-Object { $_[0] -like "$wordToComplete*" } |
            ForEach-Object { [System.Management.Automation.CompletionResult]::new($_[0], $_[0], 'ParameterName', $_[1]) }
    }
    $words[$path] | Where-Object { $_[0] -like "$wordToComplete*" } |
        ForEach-Object { [System.Management.Automation.CompletionResult]::new($_[0], $_[0], 'ParameterValue', $_[1]) }
}
`)
	return w.Flush()
}
