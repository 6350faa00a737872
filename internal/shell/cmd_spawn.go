package shell

// This file holds spawn and what it shares with sup start --child: kinds,
// names, child specs.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"github.com/spf13/cobra"
)

func (s *Session) kind(name string) (*kind, error) {
	for _, k := range s.kinds {
		if k.name == name {
			return k, nil
		}
	}
	var names []string
	for _, k := range s.kinds {
		names = append(names, k.name)
	}
	msg := fmt.Sprintf("unknown kind %q", clip(name))
	if g := closest(name, names); g != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", g)
	}
	return nil, errors.New(msg + "; kinds lists them")
}

// supervisorPID resolves a supervisor by name or PID.
func (s *Session) supervisorPID(target string) (actor.PID, error) {
	pid, err := s.resolve(target)
	if err != nil {
		return pid, err
	}
	if !supervisor.IsSupervisor(s.runtime(), pid) {
		return pid, fmt.Errorf("%s is not a supervisor; sup start makes one", target)
	}
	return pid, nil
}

func parseShutdown(v string) (time.Duration, error) {
	switch v {
	case "", "default":
		return 0, nil
	case "brutal_kill":
		return supervisor.BrutalKill, nil
	case "infinity":
		return supervisor.Infinity, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--shutdown %q: want brutal_kill, infinity or a duration such as 5s", v)
	}
	return d, nil
}

type spawnOptions struct {
	name, sup, restart, shutdown, via string
	link, atom                        bool
	count                             int
}

func newCmdSpawn(s *Session) *cobra.Command {
	var o spawnOptions
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "kind none..."},
		Use:         "spawn KIND [ARG...] [--name NAME] [--sup SUP] [--restart R] [--shutdown S] [--link] [--count N] [--atom-name]",
		Short:       "start a process of a built-in kind under a supervisor",
		Long: "Starts a process of KIND (see kinds) as a child of SUP (default: the root DynamicSupervisor),\n" +
			"named NAME in the registry (greeter names itself greeter_for_ARG). With --count N it starts N,\n" +
			"replacing {i} in the name and arguments by 1..N. --atom-name names through the simulated\n" +
			"atom table instead of the registry, as String.to_atom would.",
		Example: "spawn greeter alice\nspawn counter --name c1 --sup workers\nspawn greeter user{i} --count 1000\nspawn greeter bob --restart permanent --sup workers",
		Args:    rangeArgs(1, 1<<20, "a KIND and its arguments (kinds lists them)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("name") && o.name == "" {
				return errors.New("--name wants a name of 1 to 1024 bytes; leave --name out for a process with none")
			}
			return s.spawn(cmd.Context(), args, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "", "register the process under NAME")
	f.StringVar(&o.sup, "sup", "", "the supervisor to start it under (default root)")
	f.StringVar(&o.restart, "restart", "", "permanent, transient or temporary (default: the kind's)")
	f.StringVar(&o.shutdown, "shutdown", "", "brutal_kill, a duration, or infinity (default 5s)")
	f.BoolVar(&o.link, "link", false, "also link it to the shell process")
	intFlag(f, &o.count, "count", 1, "start N processes; {i} in the name and arguments is the index")
	f.BoolVar(&o.atom, "atom-name", false, "name it through the simulated atom table (String.to_atom)")
	f.StringVar(&o.via, "via", "", "name it in registry REG (unique keys) instead of names, like {:via, Registry, {REG, NAME}}")
	return cmd
}

func (s *Session) spawn(ctx context.Context, args []string, o spawnOptions) error {
	k, err := s.kind(args[0])
	if err != nil {
		return err
	}
	kargs := args[1:]
	restart := k.restart
	if o.restart != "" {
		if restart, err = supervisor.ParseRestart(o.restart); err != nil {
			return badChoice("restart", o.restart, restartChoices)
		}
	}
	shutdown, err := parseShutdown(o.shutdown)
	if err != nil {
		return err
	}
	if o.count < 1 {
		return fmt.Errorf("--count must be at least 1")
	}
	s.mu.Lock()
	sup := s.root
	s.mu.Unlock()
	if o.sup != "" {
		if sup, err = s.supervisorPID(o.sup); err != nil {
			return err
		}
	}
	all, err := s.kindArgs(ctx, k, sup, o.sup, kargs)
	if err != nil {
		return err
	}
	name := o.name
	if name == "" && k.defaultName != nil {
		name = k.defaultName(all)
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("name is %d bytes long; the limit is %d", len(name), maxNameLen)
	}
	if name != "" {
		if err := checkName("name", name); err != nil {
			return err
		}
	}
	if o.atom && name == "" {
		return fmt.Errorf("--atom-name needs a name: give --name")
	}
	var via actor.Namer // nil: the names registry (or atoms)
	if o.via != "" {
		if o.atom {
			return errors.New("--via and --atom-name each choose where the name lives: give one")
		}
		if name == "" {
			return fmt.Errorf("--via needs a name: give --name")
		}
		if cr, ok := s.clusterRegistry(o.via); ok {
			via = cr
		} else {
			local, err := s.registry(o.via)
			if err != nil {
				return err
			}
			if local.Kind() != registry.Unique {
				return fmt.Errorf("registry %s has duplicate keys, which name no one process; --via needs one made with reg new REG (unique keys)", local.Name())
			}
			via = local
		}
	}
	many := o.count > 1
	// The name of process i, and its arguments.
	nameAt := func(i int) (string, []string) {
		if !many {
			return name, kargs
		}
		idx := strconv.Itoa(i)
		a := make([]string, len(kargs))
		for j := range kargs {
			a[j] = strings.ReplaceAll(kargs[j], "{i}", idx)
		}
		n := name
		if o.name != "" {
			n = strings.ReplaceAll(name, "{i}", idx)
		} else if k.defaultName != nil {
			n = k.defaultName(a)
		}
		return n, a
	}
	// Names are checked before anything starts, so that a spawn that
	// cannot start them all starts none.
	if n1, _ := nameAt(1); many && n1 != "" {
		if n2, _ := nameAt(2); n2 == n1 {
			return fmt.Errorf("--count %d would give all %d processes the name %q: put {i} in the name, e.g. --name %s{i}", o.count, o.count, clip(n1), clip(n1))
		}
	}
	s.mu.Lock()
	names, atoms := s.names, s.atoms
	s.mu.Unlock()
	for i := 1; name != "" && i <= o.count; i++ {
		n, _ := nameAt(i)
		var holder actor.PID
		var taken bool
		switch {
		case o.atom:
			holder, taken = atoms.WhereIs(n)
		case via != nil:
			holder, taken = via.WhereIs(n)
		default:
			holder, taken = names.WhereIs(n)
		}
		if taken {
			err := fmt.Errorf("already_started: %q is %v", clip(n), holder)
			if many {
				return fmt.Errorf("process %d of %d: %w (none was started)", i, o.count, err)
			}
			return err
		}
	}
	started := 0
	first, last := actor.PID{}, actor.PID{}
	progress := newProgress(s, o.count)
	interrupted := func() error {
		progress.done()
		s.result("spawn", fmt.Sprintf("interrupted after starting %d of %d processes", started, o.count),
			map[string]any{"started": started, "interrupted": true})
		return ctx.Err()
	}
	// One spawn waits for its supervisor with the command's ctx, so Ctrl-C
	// ends the wait for an Init that hangs. Many spawns go with a ctx that
	// cannot end, which lets each StartChild run the supervisor on this
	// goroutine (about twice as fast, see actor.Hooks.CallInfinity);
	// Ctrl-C is checked between them.
	startCtx := ctx
	if many {
		startCtx = context.WithoutCancel(ctx)
	}
	for i := 1; i <= o.count; i++ {
		if ctx.Err() != nil {
			return interrupted()
		}
		n, a := nameAt(i)
		pid, err := s.startChild(startCtx, sup, k, a, n, restart, shutdown, o.link, o.atom, via)
		if err != nil && ctx.Err() != nil {
			return interrupted()
		}
		if errors.Is(err, actor.ErrIgnore) { // as start_child's :ignore: no error, and no process
			s.result("spawn", "ignore (its init returned ignore: nothing was started)", map[string]any{"ignored": true, "kind": k.name})
			continue
		}
		if err != nil {
			err = supError(err, s.supName(sup), n)
			progress.done()
			if many {
				return fmt.Errorf("process %d of %d: %w", i, o.count, err)
			}
			return err
		}
		started++
		if first.IsZero() {
			first = pid
		}
		last = pid
		if o.count <= 10 {
			s.setLast(pid.String())
			s.result("spawn", s.display(pid, n), map[string]any{"pid": pid.String(), "name": n, "kind": k.name})
		}
		if many && o.count <= 1000 {
			s.settle(ctx) // each one's consequences in turn: the same output every run
			s.out.flush(false)
		} else if i%1000 == 0 {
			s.out.flush(false)
		}
		progress.step(i)
	}
	progress.done()
	if o.count > 10 {
		s.result("spawn", fmt.Sprintf("started %d %s processes: %v .. %v", started, k.name, first, last),
			map[string]any{"started": started, "first": first.String(), "last": last.String(), "kind": k.name})
	}
	return nil
}

const maxNameLen = 1024

// checkName refuses names a user could not type back or tell apart: text
// that is not UTF-8, control characters (a newline in a name forges a row
// of ls; an escape sequence changes the terminal) and names that read as a
// PID (kill <0.1.0> must mean the process, not whoever took the name).
func checkName(what, name string) error {
	if !utf8.ValidString(name) {
		return fmt.Errorf("%s %s is not valid UTF-8; names are printable text", what, strconv.Quote(clip(name)))
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return fmt.Errorf("%s %s has a control character; names are printable text", what, strconv.Quote(clip(name)))
		}
	}
	if _, err := actor.ParsePID(name); err == nil {
		return fmt.Errorf("%s %q reads as a PID; give a name that does not, or use the PID itself", what, name)
	}
	return nil
}

// kindArgs is what a process of kind k started under sup gets: sup's
// extra arguments (a DynamicSupervisor's --extra-arguments) and then args.
// It refuses a number of them the kind does not take; supName is sup as
// the user named it. (The child spec's Start puts the extra arguments
// first itself: kindArgs is for checking and for a default name.)
func (s *Session) kindArgs(ctx context.Context, k *kind, sup actor.PID, supName string, args []string) ([]string, error) {
	var all []string
	if d, err := supervisor.Describe(ctx, s.runtime(), sup); err == nil {
		for _, e := range d.ExtraArguments {
			all = append(all, fmt.Sprint(e))
		}
	}
	extra := len(all)
	all = append(all, args...)
	if n := len(all); n < k.min || n > k.max {
		if extra > 0 {
			return nil, fmt.Errorf("%s takes %s, and %s gives it %d (its --extra-arguments) before these %d; usage: spawn %s %s",
				k.name, argCount(k), supName, extra, len(args), k.name, k.args)
		}
		return nil, fmt.Errorf("%s takes %s; usage: %s", k.name, argCount(k), strings.TrimSpace("spawn "+k.name+" "+k.args))
	}
	return all, nil
}

func argCount(k *kind) string {
	switch {
	case k.max == 0:
		return "no arguments"
	case k.min == k.max:
		return fmt.Sprintf("%d argument%s", k.min, plural(k.min))
	}
	return fmt.Sprintf("%d to %d arguments", k.min, k.max)
}

// startChild starts one process of kind k under sup.
func (s *Session) startChild(ctx context.Context, sup actor.PID, k *kind, args []string, name string, restart supervisor.Restart, shutdown time.Duration, link, atom bool, via actor.Namer) (actor.PID, error) {
	if link {
		if _, err := s.shellProcess(); err != nil {
			return actor.PID{}, err
		}
	}
	spec := s.childSpec(k, args, name, restart, shutdown, link, atom, via)
	return supervisor.StartChild(ctx, s.runtime(), sup, spec)
}

// childSpec is the spec of one process of kind k, named name (in via, the
// atom table, or names), for spawn and for sup start --child.
func (s *Session) childSpec(k *kind, args []string, name string, restart supervisor.Restart, shutdown time.Duration, link, atom bool, via actor.Namer) supervisor.ChildSpec {
	s.mu.Lock()
	names, atoms := s.names, s.atoms
	s.seq++
	id := name
	if id == "" {
		id = fmt.Sprintf("%s_%d", k.name, s.seq)
	}
	s.mu.Unlock()
	var opts actor.SpawnOptions
	if name != "" {
		if atom {
			opts.Name = actor.Via(atoms, name)
		} else if via != nil {
			opts.Name = actor.Via(via, name)
		} else {
			opts.Name = names.Via(name)
		}
	}
	return supervisor.ChildSpec{
		ID: id, Restart: restart, Shutdown: shutdown,
		Start: func(sp *supervisor.Spawner) (actor.PID, error) {
			args := args
			if extra := sp.Extra(); len(extra) > 0 { // a DynamicSupervisor's --extra-arguments
				all := make([]string, 0, len(extra)+len(args))
				for _, e := range extra {
					all = append(all, fmt.Sprint(e))
				}
				args = append(all, args...)
			}
			a, err := k.make(s, args)
			if err != nil {
				return actor.PID{}, err
			}
			opts := opts
			if link {
				// The shell's process as it is now: a restart after the
				// shell process was killed links to the new one.
				if opts.Link, err = s.shellProcess(); err != nil {
					return actor.PID{}, err
				}
			}
			return sp.Spawn(a, opts)
		},
	}
}
