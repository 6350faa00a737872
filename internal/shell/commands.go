package shell

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// commandTable lists the constructors of every command; one table serves
// the REPL, -c, files and stdin. A fresh cobra tree is built for every
// command line, since cobra keeps flag values between runs.
func commandTable() []func(s *Session) *cobra.Command {
	return []func(s *Session) *cobra.Command{newCmdSpawn, newCmdWhereis, newCmdLs, newCmdInfo, newCmdState, newCmdTree,
		newCmdKill, newCmdStop, newCmdSend, newCmdCast, newCmdCall,
		newCmdLink, newCmdUnlink, newCmdMonitor, newCmdDemonitor, newCmdTrap, newCmdSuspend, newCmdResume, newCmdAwait,
		newCmdSup, newCmdReg, newCmdNode, newCmdNodes, newCmdOn, newCmdPartition, newCmdHeal,
		newCmdEvents, newCmdFlush, newCmdTrace, newCmdTime, newCmdWatch, newCmdSleep, newCmdClock, newCmdEcho, newCmdSource,
		newCmdRecord, newCmdReplay, newCmdWhy, newCmdWhyNot, newCmdExpect, newCmdMsc, newCmdLearn, newCmdObserve,
		newCmdKinds, newCmdKind, newCmdAtoms, newCmdBench, newCmdHelp, newCmdExit,
	}
}

// newTree builds the command tree for one command line.
func (s *Session) newTree() *cobra.Command {
	root := &cobra.Command{
		Use:           "actorsh",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(writerFunc(func(b []byte) {
		s.out.result(record{text: strings.TrimRight(string(b), "\n"), obj: map[string]any{"type": "help", "text": string(b)}})
	}))
	root.SetErr(s.io.ErrOut)
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetHelpCommand(&cobra.Command{Hidden: true})
	for _, mk := range commandTable() {
		c := mk(s)
		prepare(c)
		root.AddCommand(c)
	}
	root.PersistentPreRunE = unquoteWords
	return root
}

// rawFrom is the annotation of a command whose words from the given
// position on are kept as typed: terms, in which "a" is a string and a an
// atom, and command lines that another command runs (time, watch).
const rawFrom = "raw_from"

// completeKey is the annotation that tells completion what each of a
// command's arguments is, in order, separated by spaces: process,
// supervisor, registry, kind, file, command, none, choices such as on|off,
// or cmdline (a command line that the command runs, as time's CMD). A
// last spec ending in ... stands for every argument after it. A command
// without one takes processes everywhere. The REPL's completer reads it
// from the command tree, so the table of commands is the only one.
const completeKey = "complete"

// termFlag is the annotation of a flag whose value is a term, kept as
// typed.
const termFlag = "term"

// keepRaw marks c's words from position from on as terms or commands.
func keepRaw(c *cobra.Command, from int) *cobra.Command {
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[rawFrom] = strconv.Itoa(from)
	return c
}

// termFlags marks flags of c whose values are terms.
func termFlags(c *cobra.Command, names ...string) {
	for _, n := range names {
		c.Flags().SetAnnotation(n, termFlag, []string{"true"})
	}
}

// unquoteWords is the one place quotes are removed: every word of the
// command line ("a b" is a b) and every flag value given, except terms and
// command lines (see rawFrom, termFlag), which their parsers read as typed.
// It runs before every command.
func unquoteWords(c *cobra.Command, args []string) error {
	from := len(args)
	if v, ok := c.Annotations[rawFrom]; ok {
		from, _ = strconv.Atoi(v)
	}
	for i := range min(from, len(args)) {
		args[i] = unquote(args[i])
	}
	var err error
	c.Flags().Visit(func(f *pflag.Flag) {
		if _, term := f.Annotations[termFlag]; term {
			return
		}
		switch v := f.Value.(type) {
		case pflag.SliceValue:
			items := v.GetSlice()
			for i := range items {
				items[i] = unquote(items[i])
			}
			if e := v.Replace(items); e != nil && err == nil {
				err = e
			}
		default:
			if f.Value.Type() == "string" {
				if e := f.Value.Set(unquote(f.Value.String())); e != nil && err == nil {
					err = e
				}
			}
		}
	})
	return err
}

// prepare sets the flag-error hook and argument unquoting on a command and
// its subcommands.
func prepare(c *cobra.Command) {
	c.SilenceErrors, c.SilenceUsage = true, true
	c.SetFlagErrorFunc(flagError)
	c.DisableFlagsInUseLine = true
	for _, sub := range c.Commands() {
		prepare(sub)
	}
}

type writerFunc func([]byte)

func (f writerFunc) Write(b []byte) (int, error) { f(b); return len(b), nil }

// commandNames lists the top-level commands.
func (s *Session) commandNames() []string {
	var names []string
	for _, c := range s.newTree().Commands() {
		if !c.Hidden {
			names = append(names, c.Name())
		}
	}
	sort.Strings(names)
	return names
}

// otherTools are commands users bring from other shells, and what does
// their job here.
var otherTools = map[string]string{
	"run": "source FILE", "import": "source FILE", "c": "source FILE", "ps": "ls", "top": "ls --sort mailbox",
	"observer": "tree", "flush()": "flush", "v": "$_", "clear": "Ctrl-L",
}

// runCommand runs one command's words.
func (s *Session) runCommand(ctx context.Context, words []string) error {
	root := s.newTree()
	name := words[0]
	found := false
	for _, c := range root.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			found = true
		}
	}
	if !found {
		msg := fmt.Sprintf("unknown command %q", clip(name))
		if g, ok := otherTools[name]; ok {
			msg += fmt.Sprintf(" (here it is %s)", g)
		} else if g := closest(name, s.commandNames()); g != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", g)
		}
		return errors.New(msg + "; help lists the commands")
	}
	root.SetArgs(negativesAsArgs(root, words))
	_, err := root.ExecuteContextC(ctx)
	return err
}

// negativesAsArgs keeps negative numbers (call c -3, send e -7, events
// -5) from being read as flags: if the words have one that is not the
// value of a flag before it, the flags go first and the arguments after
// "--", in their order.
func negativesAsArgs(root *cobra.Command, words []string) []string {
	cmd, rest, err := root.Find(words)
	if err != nil || cmd.DisableFlagParsing {
		return words
	}
	path := words[:len(words)-len(rest)]
	var flags, args []string
	negative := false
	for i := 0; i < len(rest); i++ {
		w := rest[i]
		switch {
		case w == "--":
			args = append(args, rest[i+1:]...)
			i = len(rest)
		case isNegativeNumber(w):
			args = append(args, w)
			negative = true
		case strings.HasPrefix(w, "-"):
			flags = append(flags, w)
			if f := lookupFlag(cmd, w); f != nil && f.NoOptDefVal == "" && !strings.Contains(w, "=") && i+1 < len(rest) {
				i++
				flags = append(flags, rest[i]) // its value, negative or not
			}
		default:
			args = append(args, w)
		}
	}
	if !negative {
		return words
	}
	out := append(slices.Clone(path), flags...)
	return append(append(out, "--"), args...)
}

// lookupFlag finds the flag a word names (--name, --name=v or -n).
func lookupFlag(cmd *cobra.Command, w string) *pflag.Flag {
	if name, ok := strings.CutPrefix(w, "--"); ok {
		name, _, _ = strings.Cut(name, "=")
		return cmd.Flags().Lookup(name)
	}
	if len(w) == 2 {
		return cmd.Flags().ShorthandLookup(w[1:])
	}
	return nil
}

// isNegativeNumber reports whether w reads as a negative number (-7,
// -2.5, -.5, -1s): words a user means as values, not flags.
func isNegativeNumber(w string) bool {
	if len(w) < 2 || w[0] != '-' {
		return false
	}
	c := w[1]
	if c == '.' && len(w) > 2 {
		c = w[2]
	}
	return c >= '0' && c <= '9'
}

// flagError adds a did-you-mean to an unknown flag.
func flagError(c *cobra.Command, err error) error {
	return errors.New(flagErrorText(c, err))
}

// flagErrorText is flagError's text; for actorsh itself (the root) without
// the hint, which main gives.
func flagErrorText(c *cobra.Command, err error) string {
	path := commandPath(c)
	hint := "; help " + path + " shows the flags"
	if path == "" {
		hint = ""
	}
	var unknown *pflag.NotExistError
	var missing *pflag.ValueRequiredError
	var invalid *pflag.InvalidValueError
	switch {
	case errors.As(err, &unknown):
		name := unknown.GetSpecifiedName()
		if name == "" {
			return fmt.Sprintf("unknown flag -%s%s", unknown.GetSpecifiedShortnames(), hint)
		}
		var flags []string
		c.Flags().VisitAll(func(f *pflag.Flag) { flags = append(flags, f.Name) })
		// --sup (spawn, ls) and --parent (sup start) name the same thing.
		for _, pair := range [][2]string{{"sup", "parent"}, {"parent", "sup"}} {
			if name == pair[0] && c.Flags().Lookup(pair[1]) != nil {
				return fmt.Sprintf("unknown flag --%s (did you mean --%s? it names the supervisor here)%s", name, pair[1], hint)
			}
		}
		if g := closest(name, flags); g != "" {
			return fmt.Sprintf("unknown flag --%s (did you mean --%s?)%s", clip(name), g, hint)
		}
		return fmt.Sprintf("unknown flag --%s%s", clip(name), hint)
	case errors.As(err, &missing):
		return fmt.Sprintf("--%s wants a value%s", missing.GetFlag().Name, hint)
	case errors.As(err, &invalid):
		why := "not a valid value"
		if u := invalid.Unwrap(); u != nil {
			why = u.Error()
		}
		return fmt.Sprintf("--%s %q: %s%s", invalid.GetFlag().Name, clip(invalid.GetValue()), why, hint)
	}
	return err.Error() + hint
}

// usageLine is c's usage with its full name: sup start NAME ..., not
// start NAME ....
func usageLine(c *cobra.Command) string {
	if p := commandPath(c.Parent()); c.HasParent() && p != "" {
		return p + " " + c.Use
	}
	return c.Use
}

// commandPath is a command as the user types it: sup start, not actorsh
// sup start.
func commandPath(c *cobra.Command) string {
	if c.HasParent() {
		p := commandPath(c.Parent())
		if p != "" {
			return p + " " + c.Name()
		}
		return c.Name()
	}
	return "" // the root: actorsh itself
}

// result prints a command's result: text for people, an object for
// --json (type "result" and the command's name are added).
func (s *Session) result(cmd string, text string, obj map[string]any) {
	if obj == nil {
		obj = map[string]any{}
	}
	obj["type"] = "result"
	obj["cmd"] = cmd
	s.out.result(record{text: text, obj: obj})
}

// exactArgs is cobra.ExactArgs with a message that names the arguments.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("want %s, got %d argument%s; usage: %s", what, len(args), plural(len(args)), usageLine(c))
		}
		return nil
	}
}

func rangeArgs(lo, hi int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < lo || len(args) > hi {
			return fmt.Errorf("want %s, got %d argument%s; usage: %s", what, len(args), plural(len(args)), usageLine(c))
		}
		return nil
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// subcommandArgs refuses a missing or unknown subcommand of c, naming
// them all and the nearest to what was typed.
func subcommandArgs(c *cobra.Command, args []string) error {
	var names []string
	for _, sub := range c.Commands() {
		names = append(names, sub.Name())
	}
	want := orList(names)
	if len(args) == 0 {
		return fmt.Errorf("want a subcommand: %s", want)
	}
	word := unquote(args[0])
	if near := closest(word, names); near != "" {
		return fmt.Errorf("unknown %s subcommand %q (did you mean %s?); want %s", c.Name(), clip(word), near, want)
	}
	return fmt.Errorf("unknown %s subcommand %q; want %s", c.Name(), clip(word), want)
}

// orList writes items as "a, b or c".
func orList(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// badChoice is the error for a flag VALUE that is not one of choices,
// with the nearest one when it looks like a typo.
// badChoice refuses a value that is not one of choices, naming the
// nearest; flag is the flag's name, or "" for an argument.
func badChoice(flag, value string, choices []string) error {
	want := orList(choices)
	if flag == "" {
		if near := closest(value, choices); near != "" {
			return fmt.Errorf("want %s, not %q (did you mean %s?)", want, clip(value), near)
		}
		return fmt.Errorf("want %s, not %q", want, clip(value))
	}
	if near := closest(value, choices); near != "" {
		return fmt.Errorf("--%s %q: did you mean %s? want %s", flag, clip(value), near, want)
	}
	return fmt.Errorf("--%s %q: want %s", flag, clip(value), want)
}

var (
	restartChoices  = []string{"permanent", "transient", "temporary"}
	strategyChoices = []string{"one_for_one", "one_for_all", "rest_for_one"}
)
