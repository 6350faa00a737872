package shell

// This file holds the kind command: kinds written in Starlark (see
// pkg/starkind), loaded at the prompt or from a command file.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/starkind"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"github.com/spf13/cobra"
)

func newCmdKind(s *Session) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kind load|new|show|edit|reload|unload ...",
		Short: "load process kinds written in Starlark, and show them",
		Long: "A kind is a .star file whose functions are a GenServer's callbacks (init, handle_call,\n" +
			"handle_cast, handle_info, handle_continue, terminate), with OTP's return values such as\n" +
			"(\"reply\", r, state) and (\"noreply\", state). See kinds/ for examples.",
		Example: "kind load kinds/stack.star\nkind show stack",
		Args:    subcommandArgs,
		RunE:    func(*cobra.Command, []string) error { return nil },
	}
	cmd.AddCommand(newCmdKindLoad(s), newCmdKindNew(s), newCmdKindShow(s), newCmdKindEdit(s), newCmdKindReload(s), newCmdKindUnload(s))
	return cmd
}

func newCmdKindLoad(s *Session) *cobra.Command {
	var name string
	var maxSteps int
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "file"},
		Use:         "load FILE [--name NAME] [--max-steps N]",
		Short:       "load a kind from a Starlark file; spawn starts it as it starts the built-in kinds",
		Long: "The kind is named after the file (stack.star is stack) unless --name says otherwise. A relative\n" +
			"FILE in a command file is found beside that file first. Loading a kind of the same name again\n" +
			"replaces it for new spawns; running processes keep their code. Each callback may take\n" +
			"--max-steps Starlark steps; past them the process crashes, for its supervisor to handle.\n" +
			"This is not a sandbox against memory use: a kind can allocate as much as it likes.",
		Example: "kind load kinds/stack.star\nkind load kinds/stack.star --name stack2 --max-steps 10000",
		Args:    exactArgs(1, "a FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkMaxSteps(maxSteps); err != nil {
				return err
			}
			path := s.sourcePath(args[0])
			src, err := os.ReadFile(path)
			if err != nil {
				return fileError(path, err)
			}
			if name != "" {
				if err := checkName("kind name", name); err != nil {
					return err
				}
			}
			k, err := starkind.Load(name, path, src, s.starOptions(uint64(maxSteps)))
			if err != nil {
				return err
			}
			if err := checkName("kind name", k.Name); err != nil {
				return fmt.Errorf("%w (--name gives it another)", err)
			}
			return s.addKind(k, "from "+path)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the kind's name (default: the file's, without .star)")
	maxStepsFlag(cmd, &maxSteps)
	return cmd
}

func newCmdKindNew(s *Session) *cobra.Command {
	var maxSteps int
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "none"},
		Use:         "new NAME [--max-steps N]",
		Short:       "type a kind in: its Starlark lines follow, at a ... prompt, up to a line end",
		Long: "The lines after kind new NAME are the kind's Starlark source: at the prompt each is typed at a\n" +
			"... prompt (and kept in the history), in a command file they are the file's next lines. A line\n" +
			"that is just end finishes it (so does the end of the input); then the kind loads as kind load\n" +
			"would load it, and kind show prints its source.",
		Example: "kind new pinger",
		Args:    exactArgs(1, "a NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := checkName("kind name", name); err != nil {
				return err
			}
			if s.more == nil {
				return errors.New("kind new reads the lines that follow it: use it at the prompt or in a command file")
			}
			var src strings.Builder
			for {
				line, err := s.more("... ")
				if err != nil { // the end of the input, or Ctrl-D / Ctrl-C at the prompt
					if strings.TrimSpace(src.String()) == "" {
						return errors.New("no source given: type the kind's lines after kind new NAME, then a line end")
					}
					break
				}
				if strings.TrimSpace(line) == "end" {
					break
				}
				src.WriteString(line + "\n")
				if src.Len() > maxKindSource {
					return fmt.Errorf("the source is over %d bytes: load a file with kind load", maxKindSource)
				}
			}
			if err := checkMaxSteps(maxSteps); err != nil {
				return err
			}
			k, err := starkind.Load(name, name+".star", src.String(), s.starOptions(uint64(maxSteps)))
			if err != nil {
				return err
			}
			return s.addKind(k, "typed in")
		},
	}
	maxStepsFlag(cmd, &maxSteps)
	return cmd
}

func newCmdKindEdit(s *Session) *cobra.Command {
	var upgrade bool
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "kind"},
		Use:         "edit KIND [--upgrade]",
		Short:       "edit a Starlark kind in $EDITOR, then reload it (as kind reload, --upgrade too)",
		Long: "Opens the kind's file in $VISUAL or $EDITOR (vi if neither is set); a kind typed in with kind new\n" +
			"is written to a file of its own first. When the editor ends, the kind reloads from the file, unless\n" +
			"it did not change.",
		Example: "kind edit stack --upgrade",
		Args:    exactArgs(1, "a KIND"),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := s.kind(args[0])
			if err != nil {
				return err
			}
			if k.star == nil {
				return fmt.Errorf("%s is a built-in kind, written in Go: only Starlark kinds edit", k.name)
			}
			file := k.star.File
			if _, err := os.Stat(file); err != nil { // typed in: give it a file
				dir, err := os.MkdirTemp("", "actorsh-kind-")
				if err != nil {
					return err
				}
				file = filepath.Join(dir, k.name+".star")
				if err := os.WriteFile(file, k.star.Source, 0o644); err != nil {
					return err
				}
			}
			before, _ := os.ReadFile(file)
			editor := os.Getenv("VISUAL")
			if editor == "" {
				editor = os.Getenv("EDITOR")
			}
			if editor == "" {
				editor = "vi"
			}
			// As git runs it: the editor may be a command with arguments.
			ed := exec.CommandContext(cmd.Context(), "sh", "-c", editor+` "$1"`, "sh", file)
			ed.Stdin, ed.Stdout, ed.Stderr = s.io.In, s.io.ErrOut, s.io.ErrOut
			if err := ed.Run(); err != nil {
				return fmt.Errorf("the editor (%s) failed: %v; the kind is as it was", clip(editor), err)
			}
			after, err := os.ReadFile(file)
			if err != nil {
				return fileError(file, err)
			}
			if string(after) == string(before) {
				s.result("kind edit", fmt.Sprintf("%s did not change: kind %s is as it was", file, k.name), map[string]any{"kind": k.name, "changed": false})
				return nil
			}
			words := []string{"kind", "reload", k.name, file}
			if upgrade {
				words = append(words, "--upgrade")
			}
			return s.runCommand(cmd.Context(), words)
		},
	}
	cmd.Flags().BoolVar(&upgrade, "upgrade", false, "move running processes to the edited code at their next callback (code_change)")
	return cmd
}

// maxStepsFlag is kind load's and kind new's --max-steps.
func maxStepsFlag(cmd *cobra.Command, n *int) {
	intFlag(cmd.Flags(), n, "max-steps", 0, fmt.Sprintf("Starlark steps each callback may take (0: %d)", starkind.DefaultMaxSteps))
}

func checkMaxSteps(n int) error {
	if n < 0 {
		return fmt.Errorf("--max-steps must be 1 or more (0: the default, %d)", starkind.DefaultMaxSteps)
	}
	return nil
}

// maxKindSource bounds a kind typed in with kind new.
const maxKindSource = 1 << 20

func newCmdKindShow(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "kind"},
		Use:         "show KIND",
		Short:       "print a loaded kind's source",
		Example:     "kind show stack",
		Args:        exactArgs(1, "a KIND"),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := s.kind(args[0])
			if err != nil {
				return err
			}
			if k.star == nil {
				return fmt.Errorf("%s is a built-in kind, written in Go: kinds %s describes it", k.name, k.name)
			}
			src := k.star.Source
			text := strings.TrimRight(string(src), "\n")
			s.result("kind show", text, map[string]any{"kind": k.name, "file": k.star.File, "source": string(src), "version": k.star.Version})
			return nil
		},
	}
}

func newCmdKindReload(s *Session) *cobra.Command {
	var upgrade bool
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "kind"},
		Use:         "reload KIND [FILE] [--upgrade]",
		Short:       "load a new version of a Starlark kind from its file, as Erlang loads a module",
		Long: "New spawns (and restarts) use the new code. Running processes keep the old code, unless\n" +
			"--upgrade: then each moves to the new code at its next callback, after the new code's\n" +
			"code_change(old_vsn, state, extra). At most two versions run at once, as in Erlang: processes\n" +
			"still on the oldest when a third loads are killed (the code is purged). FILE loads the new\n" +
			"version from another file than the kind's own.",
		Example: "kind load kinds/stack.star; kind reload stack --upgrade",
		Args:    rangeArgs(1, 2, "a KIND and an optional FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := s.kind(args[0])
			if err != nil {
				return err
			}
			if k.star == nil {
				return fmt.Errorf("%s is a built-in kind, written in Go: only Starlark kinds reload", k.name)
			}
			file, src := "", []byte(nil)
			if len(args) == 2 {
				file = s.sourcePath(args[1])
			} else {
				file = k.star.File
			}
			if src, err = os.ReadFile(file); err != nil {
				return fileError(file, err)
			}
			next, err := k.star.Reload(file, src, upgrade)
			if err != nil {
				return err
			}
			rt := s.runtime()
			sk, err := s.starKind(next)
			if err != nil {
				return err
			}
			// The same entry, so that specs naming it restart with the new
			// code; make and starCur stay, as supervisors may be calling make.
			purge := k.starOld
			k.starOld, k.star = k.star, next
			k.args, k.min, k.max, k.restart, k.summary, k.detail = sk.args, sk.min, sk.max, sk.restart, sk.summary, sk.detail
			k.starCur.Store(next)
			// The version before the old one is purged: its processes die, and
			// their restarts start the new code.
			var purged []actor.PID
			if purge != nil {
				purged = purge.Live(rt)
				for _, pid := range purged { // one at a time, in PID order: the same narration every run
					done, _ := rt.Watch(pid)
					rt.Exit(actor.PID{}, pid, actor.ErrKill)
					<-done
				}
			}
			s.settle(cmd.Context())
			text := fmt.Sprintf("kind %s reloaded: version %d", next.Name, next.Version)
			live := len(k.starOld.Live(rt))
			verb, their := "", "their" // of the processes: they keep, they move
			if live == 1 {
				verb, their = "s", "its"
			}
			switch {
			case upgrade && live > 0:
				text += fmt.Sprintf("; %d process%s move%s to it at %s next callback", live, pluralEs(live), verb, their)
			case live > 0:
				text += fmt.Sprintf("; %d process%s keep%s version %d", live, pluralEs(live), verb, k.starOld.Version)
			}
			if len(purged) > 0 {
				text += fmt.Sprintf("; purged version %d, killing %d process%s on it", k.starOld.Version-1, len(purged), pluralEs(len(purged)))
			}
			s.result("kind reload", text, map[string]any{"kind": next.Name, "version": next.Version, "upgrade": upgrade, "purged": len(purged)})
			return nil
		},
	}
	cmd.Flags().BoolVar(&upgrade, "upgrade", false, "move running processes to the new code at their next callback (code_change)")
	return cmd
}

func newCmdKindUnload(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "kind"},
		Use:         "unload KIND",
		Short:       "forget a Starlark kind: spawn no longer knows it; running processes keep its code",
		Example:     "kind load kinds/stack.star; kind unload stack",
		Args:        exactArgs(1, "a KIND"),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := s.kind(args[0])
			if err != nil {
				return err
			}
			if k.star == nil {
				return fmt.Errorf("%s is a built-in kind: only loaded kinds unload", k.name)
			}
			for i, old := range s.kinds {
				if old == k {
					s.kinds = slices.Delete(s.kinds, i, i+1)
					break
				}
			}
			live := len(k.star.Live(s.runtime()))
			verb := ""
			if live == 1 {
				verb = "s"
			}
			s.result("kind unload", fmt.Sprintf("kind %s unloaded (%d process%s still run%s its code)", k.name, live, pluralEs(live), verb),
				map[string]any{"kind": k.name, "live": live})
			return nil
		},
	}
}

// addKind adds a loaded kind to those spawn knows, or replaces a loaded
// one of the same name; where says where it came from.
func (s *Session) addKind(k *starkind.Kind, where string) error {
	sk, err := s.starKind(k)
	if err != nil {
		return err
	}
	verb := "loaded"
	for i, old := range s.kinds {
		if old.name != k.Name {
			continue
		}
		if old.star == nil {
			return fmt.Errorf("%s is a built-in kind: give the file another name with --name", k.Name)
		}
		s.kinds[i] = sk
		verb = "replaced (running processes keep their code)"
	}
	if verb == "loaded" {
		s.kinds = append(s.kinds, sk)
	}
	text := fmt.Sprintf("kind %s %s %s", k.Name, verb, where)
	if k.Summary() != "" {
		text += ": " + k.Summary()
	}
	s.result("kind load", text, map[string]any{"kind": k.Name, "file": k.File, "doc": k.Doc, "restart": sk.restart.String()})
	return nil
}

// starOptions are how the session's Starlark kinds meet it: its terms,
// its output and its names.
func (s *Session) starOptions(maxSteps uint64) starkind.Options {
	return starkind.Options{
		MaxSteps: maxSteps,
		Terms:    shellTerms{},
		Log: func(p *actor.Process, text string) {
			s.say(p, s.traced(p.Self())+": "+text)
		},
		Resolve:    s.lookupName,
		Spawn:      s.spawnFromKind,
		Registries: shellRegistries{s},
		Register: func(p *actor.Process, name string) error {
			if err := checkName("name", name); err != nil {
				return err
			}
			s.mu.Lock()
			names := s.names
			s.mu.Unlock()
			return names.Register(p.Self(), name, Atom("nil"))
		},
		Unregister: func(p *actor.Process, name string) error {
			s.mu.Lock()
			names := s.names
			s.mu.Unlock()
			names.Unregister(p.Self(), name)
			return nil
		},
	}
}

// spawnFromKind is spawn(kind, *args, name=, sup=) in a Starlark kind:
// a child of sup (default root), as the spawn command starts one.
func (s *Session) spawnFromKind(_ *actor.Process, kindName string, args []any, name, sup string) (actor.PID, error) {
	k, err := s.kind(kindName)
	if err != nil {
		return actor.PID{}, err
	}
	words := make([]string, len(args))
	for i, a := range args {
		if str, ok := a.(string); ok && k.star == nil {
			words[i] = str // a Go kind takes words, as typed
		} else {
			words[i] = FormatTerm(a)
		}
	}
	s.mu.Lock()
	supPID := s.root
	s.mu.Unlock()
	if sup != "" {
		if supPID, err = s.supervisorPID(sup); err != nil {
			return actor.PID{}, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), actor.DefaultCallTimeout)
	defer cancel()
	all, err := s.kindArgs(ctx, k, supPID, sup, words)
	if err != nil {
		return actor.PID{}, err
	}
	if name != "" {
		if err := checkName("name", name); err != nil {
			return actor.PID{}, err
		}
	} else if k.defaultName != nil {
		name = k.defaultName(all)
	}
	pid, err := s.startChild(ctx, supPID, k, words, name, k.restart, 0, false, false, nil)
	if errors.Is(err, context.DeadlineExceeded) {
		return actor.PID{}, fmt.Errorf("timeout: sup %s did not answer within %v (busy? a process's init that asks its own supervisor to start a child waits for ever, as in OTP: spawn from handle_continue)",
			s.supName(supPID), actor.DefaultCallTimeout)
	}
	if err != nil {
		return actor.PID{}, supError(err, s.supName(supPID), name)
	}
	return pid, nil
}

// starKind is a loaded Starlark kind as spawn sees it.
func (s *Session) starKind(k *starkind.Kind) (*kind, error) {
	restart := supervisor.Permanent
	if k.Restart != "" {
		r, err := supervisor.ParseRestart(k.Restart)
		if err != nil {
			return nil, err
		}
		restart = r
	}
	min, max := k.Arity()
	if max < 0 {
		max = 1 << 20
	}
	usage := strings.Join(k.Params(), " ")
	detail := strings.TrimSpace(strings.TrimPrefix(k.Doc, k.Summary()))
	if detail != "" {
		detail += "\n"
	}
	detail += "A Starlark kind, from " + k.File + "; its arguments are terms."
	cur := &atomic.Pointer[starkind.Kind]{}
	cur.Store(k)
	return &kind{
		name: k.Name, args: usage, min: min, max: max, restart: restart,
		summary: k.Summary(), detail: detail, star: k, starCur: cur,
		make: func(s *Session, a []string) (actor.Actor, error) {
			terms := make([]any, len(a))
			for i, w := range a {
				t, err := s.parseTerm(w)
				if err != nil {
					return nil, fmt.Errorf("argument %d: %w", i+1, err)
				}
				terms[i] = t
			}
			return cur.Load().New(terms), nil
		},
	}, nil
}

// shellRegistries are the session's registries for pkg/starkind.
type shellRegistries struct{ s *Session }

func (r shellRegistries) Register(p *actor.Process, reg, key string, value any) error {
	x, err := r.s.registry(reg)
	if err != nil {
		return err
	}
	if err := checkName("key", key); err != nil {
		return err
	}
	return x.Register(p.Self(), key, value)
}

func (r shellRegistries) Unregister(p *actor.Process, reg, key string) error {
	x, err := r.s.registry(reg)
	if err != nil {
		return err
	}
	x.Unregister(p.Self(), key)
	return nil
}

func (r shellRegistries) Lookup(reg, key string) ([]actor.PID, []any, error) {
	x, err := r.s.registry(reg)
	if err != nil {
		return nil, nil, err
	}
	es := byPID(x.Lookup(key))
	pids, values := make([]actor.PID, len(es)), make([]any, len(es))
	for i, e := range es {
		pids[i], values[i] = e.PID, e.Value
	}
	return pids, values, nil
}

// shellTerms are the shell's terms for pkg/starkind.
type shellTerms struct{}

func (shellTerms) Atom(name string) any { return Atom(name) }
func (shellTerms) AtomName(v any) (string, bool) {
	a, ok := v.(Atom)
	return string(a), ok
}
func (shellTerms) Tuple(items []any) any { return Tuple(items) }
func (shellTerms) TupleItems(v any) ([]any, bool) {
	t, ok := v.(Tuple)
	return t, ok
}
func (shellTerms) List(items []any) any { return List(items) }
func (shellTerms) ListItems(v any) ([]any, bool) {
	l, ok := v.(List)
	return l, ok
}
func (shellTerms) Reason(term any) error { return termReason(term) }
