package shell

import (
	"context"
	"errors"
	"fmt"
	"github.com/spf13/cobra"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"

	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"github.com/chzyer/readline"
	"github.com/spf13/pflag"
)

// historyPath is where the REPL keeps its history: $ACTORSH_HISTORY if
// set (empty disables history), else $XDG_STATE_HOME/actorsh/history,
// else ~/.local/state/actorsh/history.
func historyPath() string {
	if v, ok := os.LookupEnv("ACTORSH_HISTORY"); ok {
		return v
	}
	dir, err := stateHome()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "history")
}

// repl runs the interactive shell on a terminal.
func repl(ios *iostreams.IOStreams, o mainOptions) int {
	s, code := startSession(ios, o)
	if s == nil {
		return code
	}
	defer s.Close()
	hist := historyPath()
	if hist != "" {
		if err := os.MkdirAll(filepath.Dir(hist), 0o700); err != nil {
			fmt.Fprintf(ios.ErrOut, "actorsh: history disabled: %v\n", err)
			hist = ""
		}
	}
	// With --json, stdout holds JSON objects only: the prompt, the echo of
	// what is typed and the banner go to stderr.
	promptOut := ios.Out
	if s.json {
		promptOut = ios.ErrOut
	}
	rl, err := readline.NewEx(&readline.Config{
		Prompt:            s.pal.Name("actorsh") + "> ", // as prompt below
		HistoryFile:       hist,
		AutoComplete:      &completer{s: s},
		InterruptPrompt:   "^C",
		EOFPrompt:         "",
		HistorySearchFold: true,
		Stdin:             io.NopCloser(ios.In),
		Stdout:            promptOut,
		Stderr:            ios.ErrOut,
	})
	if err != nil {
		fmt.Fprintf(ios.ErrOut, "actorsh: %v\n", err)
		return ExitFailed
	}
	defer rl.Close()
	if !s.json {
		s.out.setWriter(rl.Stdout()) // readline redraws the prompt after output
	}
	fmt.Fprintln(rl.Stdout(), s.pal.Dim("actorsh: OTP-style actors in Go. help lists the commands; Ctrl-D leaves."))
	prompt := s.pal.Name("actorsh") + "> "
	s.more = func(p string) (string, error) { // a command's body, at a continuation prompt
		rl.SetPrompt(p)
		defer rl.SetPrompt(prompt)
		return rl.Readline()
	}
	for {
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			continue // Ctrl-C clears the line
		}
		if err != nil { // io.EOF: Ctrl-D
			return ExitOK
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		err = s.execInterruptible(line)
		if errors.Is(err, errExit) {
			return exitCode(err)
		}
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(rl.Stderr(), s.pal.Warn("interrupted"))
			continue
		}
		if err != nil && !errors.Is(err, errNotYet) { // learn verify has said what is not yet done
			fmt.Fprintln(rl.Stderr(), s.pal.Error("error: ")+err.Error())
		}
	}
}

// execInterruptible runs a line; Ctrl-C (SIGINT) cancels it.
func (s *Session) execInterruptible(line string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-sigs:
			cancel()
		case <-done:
		}
	}()
	err := s.Exec(ctx, line)
	close(done)
	<-finished
	return err
}

// completer completes commands, subcommands, flags, kinds, supervisor and
// registry names and live process names.
type completer struct{ s *Session }

func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	text := string(line[:pos])
	// Complete within the last command of the line.
	if i := strings.LastIndexByte(text, ';'); i >= 0 {
		text = text[i+1:]
	}
	words := strings.Fields(text)
	cur := ""
	if len(words) > 0 && !strings.HasSuffix(text, " ") && !strings.HasSuffix(text, "\t") {
		cur = words[len(words)-1]
		words = words[:len(words)-1]
	}
	cands := c.candidates(words, cur)
	var out [][]rune
	for _, w := range cands {
		if strings.HasPrefix(w, cur) {
			end := " "
			if strings.HasSuffix(w, string(filepath.Separator)) {
				end = "" // a directory: go on typing the path
			}
			out = append(out, []rune(w[len(cur):]+end))
		}
	}
	return out, len([]rune(cur))
}

const completionLimit = 200

func (c *completer) candidates(words []string, cur string) []string {
	s := c.s
	if len(words) > 0 && words[0] == "!" {
		words = words[1:] // ! CMD completes as CMD
	}
	if len(words) == 0 {
		return s.commandNames()
	}
	root := s.newTree()
	cmd, rest, err := root.Find(words)
	if err != nil || cmd == root {
		return nil
	}
	if len(rest) == 0 && cmd.HasAvailableSubCommands() {
		var subs []string
		for _, sub := range cmd.Commands() {
			subs = append(subs, sub.Name())
		}
		return subs
	}
	specs := strings.Fields(cmd.Annotations[completeKey])
	// Walk the arguments typed so far: flags and their values apart, the
	// others are positional, each with its spec.
	positional := 0
	for i := 0; i < len(rest); i++ {
		w := rest[i]
		if strings.HasPrefix(w, "--") {
			if i == len(rest)-1 { // the value of this flag is being typed
				return c.flagValue(cmd, strings.TrimPrefix(w, "--"), cur)
			}
			if takesValue(cmd, strings.TrimPrefix(w, "--")) {
				i++
			}
			continue
		}
		if specAt(specs, positional) == "cmdline" {
			return c.candidates(rest[i:], cur)
		}
		positional++
	}
	if strings.HasPrefix(cur, "-") {
		var flags []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) { flags = append(flags, "--"+f.Name) })
		return flags
	}
	return c.complete(specAt(specs, positional), cur)
}

// specAt is what argument n of a command is (see completeKey).
func specAt(specs []string, n int) string {
	switch {
	case len(specs) == 0:
		return "process"
	case n < len(specs):
		return strings.TrimSuffix(specs[n], "...")
	case strings.HasSuffix(specs[len(specs)-1], "..."):
		return strings.TrimSuffix(specs[len(specs)-1], "...")
	}
	return "none"
}

// takesValue reports whether --name takes a value (the next word).
func takesValue(cmd *cobra.Command, name string) bool {
	f := cmd.Flags().Lookup(name)
	return f != nil && f.Value.Type() != "bool" || f == nil && cmd.DisableFlagParsing
}

// flagValue completes the value of --name, if the command has such a flag.
func (c *completer) flagValue(cmd *cobra.Command, name, cur string) []string {
	if f := cmd.Flags().Lookup(name); f != nil && f.Value.Type() == "bool" {
		return nil
	}
	return c.flagValues(name, cur)
}

// complete offers what an argument of the given spec can be.
func (c *completer) complete(spec, cur string) []string {
	switch spec {
	case "process":
		return c.processNames(cur)
	case "supervisor":
		return c.supervisorNames(cur)
	case "registry":
		return c.registryNames()
	case "kind":
		return c.flagValues("kind", cur)
	case "file":
		return fileNames(cur)
	case "command":
		return c.s.commandNames()
	case "cmdline":
		return c.s.commandNames()
	case "none", "":
		return nil
	}
	return strings.Split(spec, "|") // choices, such as on|off
}

func (c *completer) flagValues(flag, cur string) []string {
	switch flag {
	case "sup", "parent":
		return c.supervisorNames(cur)
	case "restart":
		return []string{"permanent", "transient", "temporary"}
	case "strategy":
		return []string{"one_for_one", "one_for_all", "rest_for_one"}
	case "shutdown":
		return []string{"brutal_kill", "infinity", "5s"}
	case "keys":
		return []string{"unique", "duplicate"}
	case "sort":
		return lsSorts
	case "kind":
		var kinds []string
		for _, k := range c.s.kinds {
			kinds = append(kinds, k.name)
		}
		return kinds
	}
	return nil
}

// fileNames completes a path for source: files and directories (with a
// trailing /) that start with prefix.
func fileNames(prefix string) []string {
	matches, _ := filepath.Glob(globEscape(prefix) + "*")
	var out []string
	for _, m := range matches {
		if len(out) == completionLimit {
			break
		}
		if fi, err := os.Stat(m); err == nil && fi.IsDir() {
			m += string(filepath.Separator)
		}
		out = append(out, m)
	}
	return out
}

// globEscape quotes the glob characters in a typed prefix.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (c *completer) registryNames() []string {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	var out []string
	for n := range c.s.regs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// processNames completes registered names from a prefix: it never lists
// more than completionLimit names, however many processes there are.
func (c *completer) processNames(prefix string) []string {
	c.s.mu.Lock()
	names := c.s.names
	c.s.mu.Unlock()
	return scanNames(names, func(k string) bool { return strings.HasPrefix(k, prefix) }, completionLimit)
}

func (c *completer) supervisorNames(prefix string) []string {
	rt := c.s.runtime()
	var out []string
	for _, n := range c.processNames(prefix) {
		if pid, ok := c.s.lookupName(n); ok && supervisor.IsSupervisor(rt, pid) {
			out = append(out, n)
		}
	}
	return out
}
