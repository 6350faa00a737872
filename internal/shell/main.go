package shell

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitInterrupted = 130
)

type mainOptions struct {
	command   string
	json      bool
	color     string
	keepGoing bool
	atomLimit int
	rootMaxR  int
	rootMaxS  int
	clock     string
	// node joins the session to a cluster (node join), with the nats,
	// creds and cluster flags.
	node, nats, creds, cluster string
	user, password, token      string
}

// Main runs actorsh with the given arguments (without the program name)
// and returns the exit code.
func Main(args []string, ios *iostreams.IOStreams) int {
	var o mainOptions
	code := ExitOK
	root := &cobra.Command{
		Use:   "actorsh",
		Short: "an interactive shell for OTP-style actors: processes, supervisors and a registry",
		Long: "actorsh drives an in-process actor runtime with the semantics of Erlang/OTP.\n\n" +
			"With no arguments it starts a REPL on a terminal, or reads commands from stdin otherwise.\n" +
			"Type help at the prompt for the commands.",
		Example: "actorsh\nactorsh -c 'spawn greeter alice; ls'\nactorsh run scripts/seed-1-greeter.ash\nactorsh scripts/seed-1-greeter.ash\n" +
			"actorsh lesson.ash alice bob   # $1, $2, $@ and $# in the file\necho 'spawn greeter bob' | actorsh",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) >= 1 {
				if _, err := os.Stat(args[0]); err != nil {
					return usageError{fmt.Errorf("%q is neither a command nor a file", args[0])}
				}
			}
			return nil
		},
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) >= 1 { // actorsh FILE ARG... is actorsh run FILE ARG...
				code = runFile(ios, o, args[0], args[1:])
				return nil
			}
			if cmd.Flags().Changed("command") {
				// Lines of -c are lines, as in a file: -c $'a\nb' is two commands.
				code = run(ios, o, location{file: "-c"}, &stringLines{lines: strings.Split(o.command, "\n")})
				return nil
			}
			if ios.InTTY && ios.OutTTY {
				code = repl(ios, o)
				return nil
			}
			code = run(ios, o, location{file: "stdin"}, NewScanner(ios.In))
			return nil
		},
	}
	root.Version = Version()
	root.SetVersionTemplate("actorsh {{.Version}}\n")
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	pf := root.PersistentFlags()
	root.Flags().StringVarP(&o.command, "command", "c", "", "run the commands in this string (separated by ; or newlines) and exit")
	pf.BoolVar(&o.json, "json", false, "print every result and event as one JSON object per line (see: help json)")
	pf.StringVar(&o.color, "color", "auto", "colour output: auto, always or never")
	pf.BoolVar(&o.keepGoing, "keep-going", false, "go on after a failing command (scripts, -c and stdin)")
	intFlag(pf, &o.atomLimit, "atom-limit", DefaultAtomLimit, "size of the simulated atom table for --atom-name")
	intFlag(pf, &o.rootMaxR, "root-max-restarts", DefaultRootMaxRestarts, "the root supervisor's restart budget (OTP's default is 3)")
	intFlag(pf, &o.rootMaxS, "root-max-seconds", DefaultRootMaxSeconds, "the window of the root's budget, in seconds")
	pf.StringVar(&o.clock, "clock", "real", "real, or virtual: time moves only with sleep and clock advance (see help clock)")
	pf.StringVar(&o.node, "node", "", "join a cluster as node `NAME` (see: help node join); embeds a NATS server on loopback if none runs")
	pf.StringVar(&o.nats, "nats", "", "with --node: the NATS server to join, nats://HOST:PORT")
	pf.StringVar(&o.creds, "creds", "", "with --node: a NATS credentials `FILE`")
	pf.StringVar(&o.cluster, "cluster", "", "with --node: the cluster's name (default ash)")
	pf.StringVar(&o.user, "user", "", "with --node: a NATS user (with --password)")
	pf.StringVar(&o.password, "password", "", "with --node: the NATS user's password")
	pf.StringVar(&o.token, "token", "", "with --node: a NATS token")

	runCmd := &cobra.Command{
		Use:   "run FILE [ARG...]",
		Short: "run a command file (also: a file starting with #!/usr/bin/env -S actorsh run)",
		Long: "Runs the commands in FILE. In it, $1 to $9 (${10} on) are the ARGs, $@ as a word is all of\n" +
			"them and $# their number; a line ending in \\ goes on on the next line. Flags go before FILE:\n" +
			"whatever follows it is the script's.",
		Example: "actorsh run scripts/seed-1-greeter.ash\nactorsh run --keep-going demo.ash\nactorsh run lesson.ash alice bob",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("run wants a command FILE, then the script's ARGs if any")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			code = runFile(ios, o, args[0], args[1:])
			return nil
		},
	}
	var bo benchOptions
	var cpuProfile string
	benchCmd := &cobra.Command{
		Use:     "bench",
		Short:   benchShort,
		Long:    benchLong,
		Example: "actorsh bench\nactorsh bench --processes 10000000 --rounds 1\nactorsh bench --processes 10000 --json",
		Args:    flagsOnly("bench", ": actorsh bench --help lists them"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			stopProfile, err := startCPUProfile(cpuProfile)
			if err != nil {
				fmt.Fprintf(ios.ErrOut, "actorsh bench: %v\n", err)
				code = ExitFailed
				return nil
			}
			defer stopProfile()
			err = runBench(ctx, bo, ios.Out, ios.ErrOut, ios.OutTTY && !o.json, o.json)
			switch {
			case err == nil:
			case ctx.Err() != nil:
				fmt.Fprintln(ios.ErrOut, "actorsh bench: interrupted")
				code = ExitInterrupted
			default:
				fmt.Fprintf(ios.ErrOut, "actorsh bench: %v\n", err)
				code = ExitFailed
			}
			return nil
		},
	}
	addBenchFlags(benchCmd, &bo)
	benchCmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE` (read it with go tool pprof)")
	learnCmd := &cobra.Command{
		Use:                "learn [NAME | next | hint [NAME] | verify [NAME] | watch [NAME] | reset NAME] [--dir DIR] [--json]",
		Short:              "the OTP course: lessons with exercises that check themselves (also: learn at the prompt)",
		Long:               learnLong,
		Example:            "actorsh learn\nactorsh learn greeter\nactorsh learn watch\nactorsh learn verify greeter --json",
		DisableFlagParsing: true, // learn's own flags, as at the prompt
		RunE: func(cmd *cobra.Command, args []string) error {
			code = runLearn(ios, o, args)
			return nil
		},
	}
	var obsAddr string
	var obsOpen bool
	observeCmd := &cobra.Command{
		Use:   "observe [--addr HOST:PORT] [--open]",
		Short: "run a session with only the browser observer (also: observe at the prompt, beside the REPL)",
		Long: "Starts a session and its web observer on loopback, prints the URL (its token included) and\n" +
			"serves until Ctrl-C. The page's buttons and command box run commands in the session.",
		Example: "actorsh observe\nactorsh observe --addr 127.0.0.1:8080 --open\nactorsh --clock virtual observe",
		Args:    flagsOnly("observe", ""),
		RunE: func(cmd *cobra.Command, args []string) error {
			line := "observe --addr " + quoteWord(obsAddr)
			if obsOpen {
				line += " --open"
			}
			code = withSession(ios, o, func(ctx context.Context, s *Session) int {
				if err := s.Exec(ctx, line); err != nil {
					fmt.Fprintf(ios.ErrOut, "actorsh: %v\n", err)
					return ExitFailed
				}
				<-ctx.Done() // until Ctrl-C
				return ExitOK
			})
			return nil
		},
	}
	observeCmd.Flags().StringVar(&obsAddr, "addr", "127.0.0.1:0", "where to listen: a loopback HOST:PORT (port 0: any free one)")
	observeCmd.Flags().BoolVar(&obsOpen, "open", false, "open the URL in the browser")
	runCmd.Flags().SetInterspersed(false) // after FILE, every word is the script's
	root.AddCommand(runCmd, benchCmd, learnCmd, observeCmd, newNATSCmd(ios, &code))
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{errors.New(flagErrorText(c, err))} })
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Fprintf(ios.ErrOut, "actorsh: %v\n", err)
		if errors.As(err, &usageError{}) {
			fmt.Fprintln(ios.ErrOut, "Run 'actorsh --help' for usage.")
		}
		return ExitUsage
	}
	return code
}

type usageError struct{ error }

// flagsOnly is the Args of a subcommand of actorsh's that takes flags and
// no arguments; more is said after the error.
func flagsOnly(name, more string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError{fmt.Errorf("%s takes no arguments, only flags (got %q)%s", name, clip(args[0]), more)}
		}
		return nil
	}
}

func (o mainOptions) colorSetting(ios *iostreams.IOStreams) error {
	switch o.color {
	case "auto":
	case "always":
		ios.SetColor(true)
	case "never":
		ios.SetColor(false)
	default:
		return fmt.Errorf("--color %q: want auto, always or never", o.color)
	}
	return nil
}

// startSession applies the colour setting and starts a session; on
// failure it reports and returns the exit code.
func startSession(ios *iostreams.IOStreams, o mainOptions) (*Session, int) {
	if err := o.colorSetting(ios); err != nil {
		fmt.Fprintf(ios.ErrOut, "actorsh: %v\n", err)
		return nil, ExitUsage
	}
	if o.clock != "real" && o.clock != "virtual" {
		fmt.Fprintf(ios.ErrOut, "actorsh: --clock %q: want real or virtual\nRun 'actorsh --help' for usage.\n", clip(o.clock))
		return nil, ExitUsage
	}
	if o.rootMaxR < 0 || o.rootMaxS < 1 || o.rootMaxS > supervisor.MaxWindow {
		fmt.Fprintf(ios.ErrOut, "actorsh: --root-max-restarts must be 0 or more and --root-max-seconds 1 to %d\n", supervisor.MaxWindow)
		return nil, ExitUsage
	}
	if o.atomLimit < 1 {
		fmt.Fprintf(ios.ErrOut, "actorsh: --atom-limit must be at least 1 (the BEAM's is %d)\n", DefaultAtomLimit)
		return nil, ExitUsage
	}
	maxR := o.rootMaxR
	if maxR == 0 {
		maxR = supervisor.NoRestarts
	}
	if o.node == "" && (o.nats != "" || o.creds != "" || o.cluster != "" || o.user != "" || o.password != "" || o.token != "") {
		fmt.Fprintf(ios.ErrOut, "actorsh: --nats, --creds, --user, --password, --token and --cluster go with --node NAME\nRun 'actorsh --help' for usage.\n")
		return nil, ExitUsage
	}
	s, err := NewSession(ios, Options{JSON: o.json, AtomLimit: o.atomLimit, RootMaxRestarts: maxR, RootMaxSeconds: o.rootMaxS,
		VirtualClock: o.clock == "virtual"})
	if err != nil {
		fmt.Fprintf(ios.ErrOut, "actorsh: %v\n", err)
		return nil, ExitFailed
	}
	if o.node != "" {
		line := "node join " + quoteWord(o.node)
		for _, f := range [][2]string{{"nats", o.nats}, {"creds", o.creds}, {"cluster", o.cluster}, {"user", o.user}, {"password", o.password}, {"token", o.token}} {
			if f[1] != "" {
				line += " --" + f[0] + " " + quoteWord(f[1])
			}
		}
		if err := s.Exec(context.Background(), line); err != nil {
			fmt.Fprintf(ios.ErrOut, "actorsh: --node: %v\n", err)
			s.Close()
			return nil, ExitFailed
		}
	}
	return s, ExitOK
}

// runLearn runs actorsh learn ARGS: the shell's learn command, in a
// session of its own.
func runLearn(ios *iostreams.IOStreams, o mainOptions, args []string) int {
	line := "learn"
	for _, a := range args {
		line += " " + quoteWord(a)
	}
	return withSession(ios, o, func(ctx context.Context, s *Session) int {
		err := s.Exec(ctx, line)
		switch {
		case err == nil:
			return ExitOK
		case ctx.Err() != nil:
			return ExitInterrupted
		case errors.Is(err, errNotYet): // the report said so
			return ExitFailed
		}
		fmt.Fprintf(ios.ErrOut, "actorsh: %v\n", err)
		return ExitFailed
	})
}

// withSession runs fn in a session that Ctrl-C or SIGTERM interrupts,
// and returns its exit code.
func withSession(ios *iostreams.IOStreams, o mainOptions, fn func(context.Context, *Session) int) int {
	s, code := startSession(ios, o)
	if s == nil {
		return code
	}
	defer s.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return fn(ctx, s)
}

// runFile runs a command file.
func runFile(ios *iostreams.IOStreams, o mainOptions, path string, args []string) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(ios.ErrOut, "actorsh: %v\n", fileError(path, err))
		return ExitFailed
	}
	defer f.Close()
	return run(ios, o, location{file: path, isFile: true, args: args}, NewScanner(f))
}

// run runs a non-interactive source to the end, or to the first failure.
func run(ios *iostreams.IOStreams, o mainOptions, at location, src LineSource) int {
	return withSession(ios, o, func(ctx context.Context, s *Session) int {
		err := s.runSource(ctx, at, src, o.keepGoing)
		switch {
		case err == nil:
			return ExitOK
		case errors.Is(err, errExit):
			return exitCode(err)
		case ctx.Err() != nil:
			return ExitInterrupted
		case errors.Is(err, errFailed):
			return ExitFailed
		}
		fmt.Fprintf(ios.ErrOut, "actorsh: %v\n", err)
		return ExitFailed
	})
}
