package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
)

func newCmdEvents(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "on|off"},
		Use:         "events [N | on | off]",
		Short:       "show the last N narrated events (default 20), or turn narration (and process output) on or off",
		Example:     "events\nevents 100\nevents off",
		Args:        rangeArgs(0, 1, "N, on or off"),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 20
			if len(args) == 1 {
				switch a := args[0]; a {
				case "on", "off":
					s.mu.Lock()
					s.narrate = a == "on"
					s.mu.Unlock()
					s.result("events", "narration "+a, map[string]any{"narration": a == "on"})
					return nil
				default:
					v, err := strconv.Atoi(a)
					if err != nil || v < 1 {
						if g := closest(a, []string{"on", "off"}); g != "" {
							return fmt.Errorf("want a count, on or off, not %q (did you mean %s?)", clip(a), g)
						}
						return fmt.Errorf("want a count, on or off, not %q", clip(a))
					}
					n = v
				}
			}
			for _, r := range s.out.recent(n) {
				s.out.result(r)
			}
			return nil
		},
	}
}

func newCmdTrace(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "on|off process"},
		Use:         "trace on|off [TARGET]",
		Short:       "print every message a process (or every process) takes from its mailbox",
		Example:     "trace on c1\ntrace off c1\ntrace on",
		Args:        rangeArgs(1, 2, "on or off, and an optional TARGET"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var on bool
			switch args[0] {
			case "on":
				on = true
			case "off":
			default:
				return badChoice("", args[0], []string{"on", "off"})
			}
			rt := s.runtime()
			if len(args) == 1 {
				rt.Hooks().TraceAll(on)
				text := "tracing every process"
				if !on {
					text = "tracing off for every process"
				}
				s.result("trace", text, map[string]any{"all": true, "on": on})
				return nil
			}
			pid, err := s.resolveLocal(args[1])
			if err != nil {
				return err
			}
			rt.Trace(pid, on)
			name := args[1]
			if name == pid.String() {
				name = ""
			}
			text := "tracing " + s.display(pid, name)
			if !on {
				text = "tracing off for " + s.display(pid, name)
			}
			s.result("trace", text, map[string]any{"pid": pid.String(), "on": on})
			return nil
		},
	}
}

func newCmdTime(s *Session) *cobra.Command {
	return keepRaw(&cobra.Command{
		Annotations: map[string]string{completeKey: "cmdline"},
		Use:         "time CMD",
		Short:       "run CMD and say how long it took, until the runtime settled",
		Long: "Runs CMD and prints the wall-clock time it took, counted until the runtime settled (every\n" +
			"process it started or signalled has finished its work), as psql's \\timing does.",
		Example:            "time spawn counter --name user{i} --count 10000\ntime call c1 get",
		DisableFlagParsing: true,
		Args:               rangeArgs(1, 1<<20, "a CMD to run"),
		RunE: func(cmd *cobra.Command, args []string) error {
			start := time.Now()
			if err := s.runSettled(cmd.Context(), args); err != nil {
				return err
			}
			d := time.Since(start)
			s.out.flush(false) // CMD's events, then its time
			s.result("time", "time: "+roundDuration(d).String(), map[string]any{"command": args[0], "seconds": d.Seconds()})
			return nil
		},
	}, 0)
}

// roundDuration keeps a duration's four leading digits, enough to read.
func roundDuration(d time.Duration) time.Duration {
	for unit := time.Duration(1); unit < time.Hour; unit *= 10 {
		if d < 10000*unit {
			return d.Round(unit)
		}
	}
	return d.Round(time.Second)
}

func newCmdWatch(s *Session) *cobra.Command {
	return keepRaw(&cobra.Command{
		Annotations: map[string]string{completeKey: "none cmdline"},
		Use:         "watch DURATION [--count N] CMD",
		Short:       "run CMD every DURATION until Ctrl-C (or N times), like psql's \\watch",
		Long: "Runs CMD, then again every DURATION, printing what happens in between, until Ctrl-C or\n" +
			"until it has run N times. It stops at the first run of CMD that fails.",
		Example:            "watch 1s ls --sort mailbox --limit 5\nwatch 500ms --count 3 call c1 get",
		DisableFlagParsing: true,
		Args:               rangeArgs(2, 1<<20, "a DURATION and a CMD"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			d, err := parseDuration(args[0])
			if err != nil {
				return err
			}
			if d < time.Millisecond {
				return fmt.Errorf("watch every %v is too often: want 1ms or more", d)
			}
			rest, count := args[1:], 0
			if rest[0] == "--count" {
				if len(rest) < 3 {
					return errors.New("want --count N and then a CMD")
				}
				if count, err = strconv.Atoi(unquote(rest[1])); err != nil || count < 1 {
					return fmt.Errorf("--count %q: want a whole number of runs, 1 or more", clip(rest[1]))
				}
				rest = rest[2:]
			}
			for n := 1; ; n++ {
				if err := s.runSettled(ctx, rest); err != nil {
					return err
				}
				s.out.flush(false)
				if n == count {
					return nil
				}
				if err := s.sleepFlushing(ctx, d); err != nil {
					return err
				}
			}
		},
	}, 1)
}

// runSettled runs a command inside another (time, watch) and waits for
// the runtime to settle, as a command of its own would.
func (s *Session) runSettled(ctx context.Context, words []string) error {
	if err := s.runCommand(ctx, words); err != nil {
		return err
	}
	s.settle(ctx)
	return nil
}

// sleepFlushing waits for d, printing events as they come.
func (s *Session) sleepFlushing(ctx context.Context, d time.Duration) error {
	if s.clock.manual() != nil { // virtual time: the time moves at once
		return s.advance(ctx, d)
	}
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return nil
		case <-tick.C:
			s.out.flush(false)
		}
	}
}

func newCmdSleep(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "sleep DURATION",
		Short:       "wait, printing what happens meanwhile (timers, tickers)",
		Example:     "sleep 1s\nsleep 250ms",
		Args:        exactArgs(1, "a DURATION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := parseDuration(args[0])
			if err != nil {
				return err
			}
			return s.sleepFlushing(cmd.Context(), d)
		},
	}
}

func newCmdEcho(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations:        map[string]string{completeKey: "none..."},
		Use:                "echo TEXT...",
		Short:              "print TEXT (for narrating scripts)",
		Example:            "echo -- step 2: kill the child",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			text := strings.Join(args, " ")
			s.result("echo", text, map[string]any{"text": text})
			return nil
		},
	}
}

func newCmdSource(s *Session) *cobra.Command {
	var keepGoing bool
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "file none..."},
		Use:         "source FILE [ARG...] [--keep-going]",
		Short:       "run the commands in FILE, stopping at the first that fails",
		Long: "Runs the commands in FILE. A relative FILE named in a command file is found beside that file\n" +
			"first, then in the current directory. It stops at the first command that fails, unless\n" +
			"--keep-going is given here or the file that sources it runs with --keep-going. ARGs are\n" +
			"FILE's $1, $2, ... ($@ all of them, $# their number); with none, FILE sees the sourcing file's.",
		Example: "source scripts/seed-1-greeter.ash\nsource --keep-going scripts/strategies.ash",
		Args:    rangeArgs(1, 1<<20, "a FILE and its ARGs"),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := s.sourcePath(args[0])
			scriptArgs := s.at.args
			if len(args) > 1 {
				scriptArgs = args[1:]
			}
			s.mu.Lock()
			depth := s.depth
			s.mu.Unlock()
			if depth >= 16 {
				return fmt.Errorf("source nests more than 16 deep (does %s source itself?)", path)
			}
			f, err := os.Open(path)
			if err != nil {
				return fileError(path, err)
			}
			defer f.Close()
			s.out.flush(true)
			s.mu.Lock()
			s.depth++
			s.mu.Unlock()
			defer func() {
				s.mu.Lock()
				s.depth--
				s.mu.Unlock()
				s.out.hold()
			}()
			return s.runSource(cmd.Context(), location{file: path, isFile: true, args: scriptArgs}, NewScanner(f), keepGoing || s.keepGoing)
		},
	}
	cmd.Flags().BoolVar(&keepGoing, "keep-going", false, "go on after a failing command in FILE")
	keepRaw(cmd, 1)
	return cmd
}

// sourcePath resolves source's FILE: a relative path named in a command
// file is looked for beside that file first, as #include does, then in
// the current directory.
func (s *Session) sourcePath(path string) string {
	if filepath.IsAbs(path) || !s.at.isFile {
		return path
	}
	beside := filepath.Join(filepath.Dir(s.at.file), path)
	if _, err := os.Stat(beside); err == nil {
		return beside
	}
	return path
}

// maxLine is the longest line a command file may have.
const maxLine = 1 << 20

// NewScanner reads lines from r for RunSource.
func NewScanner(r interface{ Read([]byte) (int, error) }) *LineScanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	return &LineScanner{sc: sc}
}

// LineScanner is a LineSource over a reader. A UTF-8 byte order mark
// before the first line is dropped; a line that is not text (a NUL byte,
// invalid UTF-8) or longer than 1 MiB is an error: such a file is not a
// command file.
type LineScanner struct {
	sc *bufio.Scanner
	n  int
}

// Next returns the next line, or io.EOF.
func (l *LineScanner) Next() (string, error) {
	if l.sc.Scan() {
		l.n++
		line := l.sc.Text()
		if l.n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if strings.IndexByte(line, 0) >= 0 || !utf8.ValidString(line) {
			return "", errors.New("not a line of text (a NUL byte or invalid UTF-8): actorsh runs text command files")
		}
		return line, nil
	}
	if err := l.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return "", fmt.Errorf("a line longer than %d bytes: actorsh runs text command files", maxLine)
		}
		return "", err
	}
	return "", io.EOF
}

func newCmdKinds(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "kind"},
		Use:         "kinds [KIND]",
		Short:       "the built-in kinds spawn can start; kinds KIND describes one",
		Example:     "kinds\nkinds greeter",
		Args:        rangeArgs(0, 1, "at most one KIND"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				k, err := s.kind(args[0])
				if err != nil {
					return err
				}
				text := fmt.Sprintf("usage: %s\n\n%s\n%s\nrestart: %s", strings.TrimSpace("spawn "+k.name+" "+k.args), k.summary, k.detail, k.restart)
				s.result("kinds", text, map[string]any{"kind": k.name, "args": k.args,
					"restart": k.restart.String(), "summary": k.summary, "detail": k.detail})
				return nil
			}
			if s.asJSON() {
				for _, k := range s.kinds {
					s.result("kinds", "", map[string]any{"kind": k.name, "args": k.args, "restart": k.restart.String(), "summary": k.summary})
				}
				return nil
			}
			var b strings.Builder
			tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "KIND\tARGS\tRESTART\tWHAT IT DOES")
			for _, k := range s.kinds {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.name, orDash(k.args), k.restart, k.summary)
			}
			tw.Flush()
			s.out.result(record{text: strings.TrimRight(b.String(), "\n") + "\nkinds KIND describes one."})
			return nil
		},
	}
}

func newCmdAtoms(s *Session) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "atoms [--limit N]",
		Short:       "the simulated atom table: how full it is; --limit N sets its size",
		Example:     "atoms\natoms --limit 1000",
		Args:        exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s.mu.Lock()
			atoms := s.atoms
			s.mu.Unlock()
			if cmd.Flags().Changed("limit") {
				if limit < 1 {
					return fmt.Errorf("--limit must be at least 1")
				}
				if err := atoms.setLimit(limit); err != nil {
					return err
				}
				s.mu.Lock()
				s.atomLimit = limit
				s.mu.Unlock()
			}
			used, max := atoms.count()
			s.result("atoms", fmt.Sprintf("atoms: %d of %d used (never freed)", used, max), map[string]any{"used": used, "limit": max})
			return nil
		},
	}
	intFlag(cmd.Flags(), &limit, "limit", DefaultAtomLimit, "set the table's size")
	return cmd
}

func newCmdHelp(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "command command"},
		Use:         "help [CMD [SUBCMD]]",
		Aliases:     []string{"h", "?"}, // IEx's h
		Short:       "list the commands, or explain one",
		Example:     "help\nhelp spawn\nhelp sup start",
		RunE: func(cmd *cobra.Command, args []string) error {
			root := s.newTree()
			if len(args) == 0 {
				var b strings.Builder
				tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
				for _, c := range root.Commands() {
					if c.Hidden {
						continue
					}
					fmt.Fprintf(tw, "%s\t%s\n", c.Name(), c.Short)
				}
				tw.Flush()
				text := strings.TrimRight(b.String(), "\n") + "\n\nhelp CMD explains one. TARGET is a name or a PID (<0.5.0> or 0.5.0).\n" +
					"Messages are terms: atoms, 42, 3.14, \"strings\", {tuples}, [lists]. See also: kinds, help json.\n" +
					"CMD; CMD runs both, # starts a comment, and ! CMD expects CMD to fail (a script goes on).\n" +
					"$_ is the last result (a PID from spawn or whereis, a reply from call, a ref from monitor).\n" +
					"As in IEx, h and ? are help, i is info, and q (or quit) is exit."
				s.result("help", text, map[string]any{"text": text})
				return nil
			}
			if args[0] == "json" {
				s.result("help", jsonHelp, map[string]any{"text": jsonHelp})
				return nil
			}
			words := args
			c, rest, err := root.Find(words)
			if err != nil || c == root || len(rest) > 0 {
				msg := fmt.Sprintf("no command %q", strings.Join(words, " "))
				var group string // help start means help sup start
				for _, g := range root.Commands() {
					if sub, _, err := g.Find([]string{words[0]}); err == nil && sub != g && len(words) == 1 {
						group = g.Name()
					}
				}
				if group != "" {
					msg += fmt.Sprintf(" (did you mean help %s %s?)", group, words[0])
				} else if g := closest(words[0], s.commandNames()); g != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", g)
				}
				return fmt.Errorf("%s; help lists the commands", msg)
			}
			text := helpText(c)
			s.result("help", text, map[string]any{"text": text})
			return nil
		},
	}
}

func helpText(c *cobra.Command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s\n\n%s\n", usageLine(c), c.Short)
	if len(c.Aliases) > 0 {
		fmt.Fprintf(&b, "also: %s\n", strings.Join(c.Aliases, ", "))
	}
	if c.Long != "" {
		fmt.Fprintf(&b, "\n%s\n", c.Long)
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\nsubcommands:\n")
		for _, sub := range c.Commands() {
			fmt.Fprintf(&b, "  %-11s %s\n", sub.Name(), sub.Short)
		}
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprintf(&b, "\nflags:\n%s", c.LocalFlags().FlagUsages())
	}
	if c.Example != "" {
		b.WriteString("\nexamples:\n")
		for _, l := range strings.Split(c.Example, "\n") {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func newCmdExit(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "exit [N]",
		Aliases:     []string{"quit", "q"},
		Short:       "leave the shell (so does Ctrl-D), with exit status N (default 0)",
		Example:     "exit\nexit 3",
		Args:        rangeArgs(0, 1, "an optional exit status"),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errExit
			}
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 0 || n > 255 {
				return fmt.Errorf("an exit status is a number from 0 to 255, not %s", clip(args[0]))
			}
			return exitStatus(n)
		},
	}
}

// exitStatus is exit N: it matches errExit, and says the status.
type exitStatus int

func (e exitStatus) Error() string        { return "exit " + strconv.Itoa(int(e)) }
func (e exitStatus) Is(target error) bool { return target == errExit }

// exitCode returns the status an exit asked for: N for exit N, 0 for exit.
func exitCode(err error) int {
	var e exitStatus
	if errors.As(err, &e) {
		return int(e)
	}
	return ExitOK
}

// progress shows how far a long spawn --count has got, on a terminal.
type progress struct {
	s     *Session
	total int
	on    bool
	last  time.Time
}

func newProgress(s *Session, total int) *progress {
	return &progress{s: s, total: total, on: total >= 10_000 && s.io.OutTTY && !s.json}
}

func (p *progress) step(i int) {
	if !p.on || i%1000 != 0 || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.s.io.ErrOut, "\rspawning: %d/%d (%d%%) ", i, p.total, i*100/p.total)
}

func (p *progress) done() {
	if p.on && !p.last.IsZero() {
		fmt.Fprint(p.s.io.ErrOut, "\r\033[K")
	}
}

// fileError says in plain words why a command file cannot be read.
func fileError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no file %s (a relative FILE is looked for beside the file that sources it, then in the current directory)", clip(path))
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s cannot be read: permission denied", clip(path))
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s cannot be read: %v", clip(path), pe.Err)
	}
	return err
}

// createError is fileError for a file a command writes (record, msc --out).
func createError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("cannot write %s: there is no directory %s", clip(path), clip(filepath.Dir(path)))
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("cannot write %s: permission denied", clip(path))
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot write %s: %v", clip(path), pe.Err)
	}
	return err
}
