package shell

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
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
		Use:   "spawn KIND [ARG...] [--name NAME] [--sup SUP] [--restart R] [--shutdown S] [--link] [--count N] [--atom-name]",
		Short: "start a process of a built-in kind under a supervisor",
		Long: "Starts a process of KIND (see kinds) as a child of SUP (default: the root DynamicSupervisor),\n" +
			"named NAME in the registry (greeter names itself greeter_for_ARG). With --count N it starts N,\n" +
			"replacing {i} in the name and arguments by 1..N. --atom-name names through the simulated\n" +
			"atom table instead of the registry, as String.to_atom would.",
		Example: "spawn greeter alice\nspawn counter --name c1 --sup workers\nspawn greeter user{i} --count 1000\nspawn greeter bob --restart permanent --sup workers",
		Args:    rangeArgs(1, 1<<20, "a KIND and its arguments (kinds lists them)"),
		RunE: func(cmd *cobra.Command, args []string) error {
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
	kargs := make([]string, len(args)-1)
	for i, a := range args[1:] {
		kargs[i] = a
	}
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
	var all []string // what the kind gets: a DynamicSupervisor's extra arguments first
	if d, err := supervisor.Describe(ctx, s.runtime(), sup); err == nil {
		for _, e := range d.ExtraArguments {
			all = append(all, fmt.Sprint(e))
		}
	}
	extra := len(all)
	all = append(all, kargs...)
	if n := len(all); n < k.min || n > k.max {
		if extra > 0 {
			return fmt.Errorf("%s takes %s, and %s gives it %d (its --extra-arguments) before these %d; usage: spawn %s %s",
				k.name, argCount(k), o.sup, extra, len(kargs), k.name, k.args)
		}
		return fmt.Errorf("%s takes %s; usage: spawn %s %s", k.name, argCount(k), k.name, k.args)
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
	var via *registry.Registry // nil: the names registry (or atoms)
	if o.via != "" {
		if o.atom {
			return errors.New("--via and --atom-name each choose where the name lives: give one")
		}
		if name == "" {
			return fmt.Errorf("--via needs a name: give --name")
		}
		if via, err = s.registry(o.via); err != nil {
			return err
		}
		if via.Kind() != registry.Unique {
			return fmt.Errorf("registry %s has duplicate keys, which name no one process; --via needs one made with reg new REG (unique keys)", via.Name())
		}
	}
	many := o.count > 1
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
		a, n := kargs, name
		if many {
			idx := strconv.Itoa(i)
			a = make([]string, len(kargs))
			for j := range kargs {
				a[j] = strings.ReplaceAll(kargs[j], "{i}", idx)
			}
			if o.name != "" {
				n = strings.ReplaceAll(name, "{i}", idx)
			} else if k.defaultName != nil {
				n = k.defaultName(a)
			}
		}
		pid, err := s.startChild(startCtx, sup, k, a, n, restart, shutdown, o.link, o.atom, via)
		if err != nil && ctx.Err() != nil {
			return interrupted()
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
func (s *Session) startChild(ctx context.Context, sup actor.PID, k *kind, args []string, name string, restart supervisor.Restart, shutdown time.Duration, link, atom bool, via *registry.Registry) (actor.PID, error) {
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
func (s *Session) childSpec(k *kind, args []string, name string, restart supervisor.Restart, shutdown time.Duration, link, atom bool, via *registry.Registry) supervisor.ChildSpec {
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
			opts.Name = via.Via(name)
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

// shellProcess is the shell's own process, made on first use: it traps
// exits and says what it receives, as the IEx shell process would.
func (s *Session) shellProcess() (actor.PID, error) {
	s.mu.Lock()
	rt, pid, names := s.rt, s.shell, s.names
	s.mu.Unlock()
	if !pid.IsZero() && rt.Alive(pid) {
		return pid, nil
	}
	a := &shellActor{s: s}
	pid, err := rt.Spawn(context.Background(), a, actor.SpawnOptions{Name: names.Via("shell")})
	if err != nil {
		return pid, err
	}
	s.mu.Lock()
	s.shell, s.shellActor = pid, a
	s.mu.Unlock()
	return pid, nil
}

// maxShellMailbox bounds the messages the shell process keeps for flush.
const maxShellMailbox = 10000

// shellActor is the shell's own process. It keeps what it receives, as
// terms, until flush prints them, as IEx's flush/0 does.
type shellActor struct {
	s       *Session
	mu      sync.Mutex
	kept    []string
	dropped int
}

// keep adds a message, as a term, to those flush prints.
func (a *shellActor) keep(term string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.kept) >= maxShellMailbox {
		a.dropped++
		return
	}
	a.kept = append(a.kept, term)
}

// take returns and forgets what the shell process has received.
func (a *shellActor) take() (kept []string, dropped int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	kept, dropped = a.kept, a.dropped
	a.kept, a.dropped = nil, 0
	return kept, dropped
}

func (a *shellActor) Behaviour() string { return "shell" }
func (a *shellActor) State() any        { return Atom("nil") }
func (a *shellActor) Init(p *actor.Process) error {
	p.TrapExit(true)
	return nil
}
func (a *shellActor) HandleInfo(p *actor.Process, msg any) error {
	switch m := msg.(type) {
	case actor.Exit:
		term := fmt.Sprintf("{'EXIT', %v, %s}", m.From, actor.FormatReason(m.Reason))
		a.s.say(p, "shell got "+term)
		a.keep(term)
	case actor.Down:
		a.keep(fmt.Sprintf("{'DOWN', %v, process, %v, %s}", m.Ref, m.PID, actor.FormatReason(m.Reason)))
	default:
		a.keep(FormatTerm(msg))
	}
	return nil
}

// HandleCall refuses calls: the shell's process is there to be linked to
// and to hear of exits, and a stray call must not end it (and with it the
// processes started with --link).
func (a *shellActor) HandleCall(*actor.Process, actor.From, any) (any, error) {
	return nil, actor.ReplyError(errors.New("the shell's own process takes no calls; it is what --link links to"))
}

// HandleCast says what it got, as HandleInfo does.
func (a *shellActor) HandleCast(p *actor.Process, msg any) error {
	a.s.say(p, "shell got cast "+FormatTerm(msg))
	a.keep("{'$gen_cast', " + FormatTerm(msg) + "}")
	return nil
}

func newCmdFlush(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:   "flush",
		Short: "print and forget the messages the shell's own process has received, like IEx's flush/0",
		Long: "The shell's own process (named shell) is what --link links to and what send, monitor and\n" +
			"cast can reach. It keeps what it receives (EXIT and DOWN messages, sends, casts as\n" +
			"{'$gen_cast', MSG}); flush prints them in order and empties its mailbox.",
		Example: "monitor shell c1; kill c1; flush\nsend shell hello; flush",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s.mu.Lock()
			a := s.shellActor
			s.mu.Unlock()
			var kept []string
			var dropped int
			if a != nil {
				kept, dropped = a.take()
			}
			if kept == nil {
				kept = []string{} // --json: [], not null
			}
			lines := slices.Clip(kept) // the appends below leave kept as it is
			if dropped > 0 {
				lines = append(lines, fmt.Sprintf("... and %d more messages not kept (the shell keeps %d)", dropped, maxShellMailbox))
			}
			lines = append(lines, "ok")
			s.result("flush", strings.Join(lines, "\n"), map[string]any{"messages": kept, "dropped": dropped})
			return nil
		},
	}
}

func newCmdWhereis(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:   "whereis [REG] NAME",
		Short: "the PID registered under NAME (in REG, default names), or undefined",
		Long: "Looks NAME up in the names registry, or in REG (one made with reg new, where spawn --via\n" +
			"names processes), like Process.whereis/1 or Registry.lookup/2. REG/NAME works as a TARGET too.",
		Example: "whereis c1\nwhereis sessions user42",
		Args:    rangeArgs(1, 2, "a NAME, or a REG and a NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[len(args)-1]
			var pid actor.PID
			var ok bool
			if len(args) == 2 {
				reg, err := s.registry(args[0])
				if err != nil {
					return err
				}
				if pid, ok, err = lookupUnique(reg, name); err != nil {
					return fmt.Errorf("%w; reg lookup lists them", err)
				}
			} else {
				pid, ok = s.lookupName(name)
			}
			if !ok {
				s.result("whereis", "undefined", map[string]any{"name": name, "pid": nil})
				return nil
			}
			s.setLast(pid.String())
			s.result("whereis", s.pal.PID(pid.String()), map[string]any{"name": name, "pid": pid.String()})
			return nil
		},
	}
}

// row is one process in ls.
type row struct {
	info     actor.Info
	name     string
	sup      string
	restart  string
	restarts int
}

// lsSorts are ls's --sort keys: mailbox and restarts put the largest
// first, as observer's process list does.
var lsSorts = []string{"pid", "name", "kind", "mailbox", "restarts"}

func newCmdLs(s *Session) *cobra.Command {
	var supName, kindName, nameGlob, sortKey string
	var limit int
	var all bool
	cmd := &cobra.Command{
		Use:   "ls [--sup SUP] [--kind KIND] [--name GLOB] [--sort KEY] [--limit N] [--all]",
		Short: "list processes: PID, name, kind, supervisor, restart type, status, mailbox, restarts",
		Long: "Lists processes in PID order, at most --limit of them. --name keeps those whose name matches\n" +
			"GLOB (* ? [a-z], as in a shell); --sort orders by pid, name, kind, mailbox or restarts\n" +
			"(mailbox and restarts: largest first), so ls --sort mailbox --limit 5 finds the busiest.",
		Example: "ls\nls --sup greeters\nls --kind counter --all\nls --name 'user*'\nls --sort mailbox --limit 5",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt := s.runtime()
			var onlySup actor.PID
			if supName != "" {
				pid, err := s.supervisorPID(supName)
				if err != nil {
					return err
				}
				onlySup = pid
			}
			if kindName != "" && kindName != "supervisor" && kindName != "dynamic_supervisor" && kindName != "shell" {
				if _, err := s.kind(kindName); err != nil {
					return err
				}
			}
			if _, err := path.Match(nameGlob, ""); err != nil {
				return fmt.Errorf("--name %q is not a pattern: use * ? and [a-z], as in a shell", clip(nameGlob))
			}
			if sortKey == "" {
				sortKey = "pid"
			}
			if !slices.Contains(lsSorts, sortKey) {
				return badChoice("sort", sortKey, lsSorts)
			}
			if limit <= 0 || all {
				limit = int(^uint(0) >> 1)
			}
			// In PID order rows can be cut at the limit as they come; any
			// other order looks at every match first.
			keep := limit
			if sortKey != "pid" {
				keep = int(^uint(0) >> 1)
			}
			var rows []row
			total := 0
			filtered := !onlySup.IsZero() || kindName != "" || nameGlob != ""
			if !filtered {
				total = rt.NumProcesses() // no need to look at every process
			}
			rt.Processes(func(pid actor.PID) bool {
				if !onlySup.IsZero() {
					if parent, _ := rt.Hooks().Parent(pid); parent != onlySup {
						return true
					}
				}
				if kindName != "" {
					if b, _ := rt.Hooks().Behaviour(pid); b != kindName {
						return true
					}
				}
				if len(rows) >= keep && nameGlob == "" {
					if filtered {
						total++
					}
					return filtered // keep counting only when filtering
				}
				in, err := rt.Info(pid)
				if err != nil {
					return true
				}
				r := row{info: in, name: nameOf(in)}
				if nameGlob != "" {
					if ok, _ := path.Match(nameGlob, r.name); !ok {
						return true
					}
				}
				if filtered {
					total++
				}
				if len(rows) < keep {
					rows = append(rows, r)
				}
				return true
			})
			if sortKey == "restarts" {
				for i := range rows {
					s.fillSup(cmd.Context(), &rows[i])
				}
			}
			sortRows(rows, sortKey)
			if len(rows) > limit {
				rows = rows[:limit]
			}
			if sortKey != "restarts" {
				for i := range rows {
					s.fillSup(cmd.Context(), &rows[i])
				}
			}
			s.printLs(rows, total)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&supName, "sup", "", "only the children of SUP")
	f.StringVar(&kindName, "kind", "", "only processes of KIND")
	f.StringVar(&nameGlob, "name", "", "only processes whose name matches GLOB")
	f.StringVar(&sortKey, "sort", "", "order by pid, name, kind, mailbox or restarts (default pid)")
	intFlag(f, &limit, "limit", 50, "show at most N processes")
	f.BoolVar(&all, "all", false, "show every process")
	return cmd
}

// fillSup adds a row's supervisor, restart type and restart count.
func (s *Session) fillSup(ctx context.Context, r *row) {
	rt := s.runtime()
	in := r.info
	if in.Parent.IsZero() || !supervisor.IsSupervisor(rt, in.Parent) {
		return
	}
	r.sup = s.supName(in.Parent)
	if c, err := supervisor.Child(ctx, rt, in.Parent, in.PID); err == nil {
		r.restart = c.Restart.String()
		r.restarts = c.Restarts
	}
}

// sortRows orders ls's rows by key; ties stay in PID order.
func sortRows(rows []row, key string) {
	var cmp func(a, b row) int
	switch key {
	case "name":
		cmp = func(a, b row) int { return strings.Compare(a.name, b.name) }
	case "kind":
		cmp = func(a, b row) int { return strings.Compare(a.info.Behaviour, b.info.Behaviour) }
	case "mailbox":
		cmp = func(a, b row) int { return b.info.MessageQueueLen - a.info.MessageQueueLen }
	case "restarts":
		cmp = func(a, b row) int { return b.restarts - a.restarts }
	default:
		return
	}
	slices.SortStableFunc(rows, cmp)
}

func (s *Session) printLs(rows []row, total int) {
	if s.json {
		for _, r := range rows {
			s.result("ls", "", map[string]any{
				"pid": r.info.PID.String(), "name": r.name, "kind": r.info.Behaviour, "supervisor": r.sup,
				"restart": r.restart, "status": r.info.Status.String(), "mailbox": r.info.MessageQueueLen, "restarts": r.restarts,
			})
		}
		s.result("ls", "", map[string]any{"total": total, "shown": len(rows)})
		return
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PID\tNAME\tKIND\tSUP\tRESTART\tSTATUS\tMBOX\tRESTARTS")
	dash := func(v string) string {
		if v == "" {
			return "-"
		}
		return v
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%v\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", r.info.PID, dash(r.name), r.info.Behaviour, dash(r.sup),
			dash(r.restart), r.info.Status, r.info.MessageQueueLen, r.restarts)
	}
	tw.Flush()
	text := strings.TrimRight(b.String(), "\n")
	if total > len(rows) {
		text += fmt.Sprintf("\n%d of %d processes shown; --all shows every one, --limit N more", len(rows), total)
	} else {
		text += fmt.Sprintf("\n%d process%s", total, pluralEs(total))
	}
	s.out.result(record{text: text})
}

func pluralEs(n int) string {
	if n == 1 {
		return ""
	}
	return "es"
}

func newCmdInfo(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:     "info TARGET",
		Aliases: []string{"i"}, // IEx's i
		Short:   "everything about one process, like Process.info/1",
		Example: "info c1\ninfo <0.5.0>",
		Args:    exactArgs(1, "a TARGET (name or PID)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, err := s.resolve(args[0])
			if err != nil {
				return err
			}
			in, err := s.runtime().Info(pid)
			if err != nil {
				return err
			}
			var names []string
			for _, r := range in.Registered {
				names = append(names, fmt.Sprintf("%s (%v)", r.Key, r.Owner))
			}
			pids := func(ps []actor.PID) string {
				if len(ps) == 0 {
					return "-"
				}
				var out []string
				for i, p := range ps {
					if i == 20 {
						out = append(out, fmt.Sprintf("... %d more", len(ps)-20))
						break
					}
					out = append(out, p.String())
				}
				return strings.Join(out, " ")
			}
			parent := "-"
			if !in.Parent.IsZero() {
				parent = in.Parent.String()
				if supervisor.IsSupervisor(s.runtime(), in.Parent) {
					parent += " " + s.supName(in.Parent)
				}
			}
			lines := [][2]string{
				{"pid", in.PID.String()},
				{"names", orDash(strings.Join(names, ", "))},
				{"kind", in.Behaviour},
				{"status", in.Status.String()},
				{"mailbox", strconv.Itoa(in.MessageQueueLen)},
				{"handled", strconv.FormatUint(in.MessagesHandled, 10)},
				{"links", pids(in.Links)},
				{"monitors", pids(in.Monitors)},
				{"monitored_by", pids(in.MonitoredBy)},
				{"trap_exit", strconv.FormatBool(in.TrapExit)},
				{"parent", parent},
				{"restarts", strconv.Itoa(in.Restarts)},
				{"started", in.Started.UTC().Format(time.RFC3339)},
			}
			var b strings.Builder
			for _, l := range lines {
				fmt.Fprintf(&b, "%-13s %s\n", l[0]+":", l[1])
			}
			// --json gets the values typed: numbers, booleans, lists of PIDs.
			pidList := func(ps []actor.PID) []string {
				out := []string{}
				for _, p := range ps {
					out = append(out, p.String())
				}
				return out
			}
			var registered []map[string]any
			for _, r := range in.Registered {
				registered = append(registered, map[string]any{"key": r.Key, "registry": fmt.Sprint(r.Owner)})
			}
			obj := map[string]any{
				"pid": in.PID.String(), "names": registered, "kind": in.Behaviour, "status": in.Status.String(),
				"mailbox": in.MessageQueueLen, "handled": in.MessagesHandled, "links": pidList(in.Links),
				"monitors": pidList(in.Monitors), "monitored_by": pidList(in.MonitoredBy), "trap_exit": in.TrapExit,
				"parent": pidOrNil(in.Parent), "restarts": in.Restarts, "started": in.Started.UTC().Format(time.RFC3339),
			}
			if registered == nil {
				obj["names"] = []any{}
			}
			s.result("info", strings.TrimRight(b.String(), "\n"), obj)
			return nil
		},
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newCmdState(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:     "state TARGET",
		Short:   "a process's state, like :sys.get_state/1",
		Example: "state c1",
		Args:    exactArgs(1, "a TARGET (name or PID)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, err := s.resolve(args[0])
			if err != nil {
				return err
			}
			st, err := s.runtime().State(cmd.Context(), pid)
			if err != nil {
				return err
			}
			text := stateText(st)
			s.result("state", text, map[string]any{"pid": pid.String(), "state": text})
			return nil
		},
	}
}

// stateText shows a state as a term, like :sys.get_state/1. A
// supervisor's is {supervisor, Strategy, {intensity, MaxR, MaxS},
// {restarts, N}, [{Id, Child, Type, Restart}]}, a DynamicSupervisor's
// {dynamic_supervisor, {intensity, MaxR, MaxS}, {restarts, N}, {children,
// N}, {max_children, N}}. A Go value that is no term shows as opaque, not
// as Go syntax with its pointers.
func stateText(st any) string {
	switch v := st.(type) {
	case Atom, Tuple, List, string, int64, float64, int:
		return FormatTerm(v)
	case bool:
		return FormatTerm(Atom(strconv.FormatBool(v)))
	case nil:
		return "nil"
	case supervisor.State:
		intensity := Tuple{Atom("intensity"), v.MaxRestarts, v.MaxSeconds}
		restarts := Tuple{Atom("restarts"), v.Restarts}
		if v.Dynamic {
			return FormatTerm(Tuple{Atom("dynamic_supervisor"), intensity, restarts,
				Tuple{Atom("children"), v.Counts.Active}, Tuple{Atom("max_children"), v.MaxChildren}})
		}
		kids := List{}
		for _, k := range v.Children {
			kids = append(kids, Tuple{Atom(k.ID), childTerm(k), Atom(k.Type.String()), Atom(k.Restart.String())})
		}
		return FormatTerm(Tuple{Atom("supervisor"), Atom(v.Strategy.String()), intensity, restarts, kids})
	}
	return "opaque (a value that is no term)"
}

func newCmdTree(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:     "tree [SUP]",
		Short:   "the supervision tree, with strategies and restart budgets used",
		Example: "tree\ntree greeters",
		Args:    rangeArgs(0, 1, "at most one SUP"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s.mu.Lock()
			top := s.root
			s.mu.Unlock()
			if len(args) == 1 {
				var err error
				if top, err = s.supervisorPID(args[0]); err != nil {
					return err
				}
			}
			var b strings.Builder
			node, err := s.tree(cmd.Context(), &b, top, "", "", 0)
			if err != nil {
				return err
			}
			s.result("tree", strings.TrimRight(b.String(), "\n"), map[string]any{"tree": node})
			return nil
		},
	}
}

// tree lists every child of a supervisor with up to treeChildLimit
// children, and the first treeShown and a summary of larger ones.
const (
	treeChildLimit = 50
	treeShown      = 10
)

// tree writes the supervision tree under sup and returns it as nested
// objects for --json: a supervisor's pid, name, kind, strategy, restart
// budget, specs and children (supervisors nested; workers with id, pid,
// status, kind, restart and restarts), and how many children it left out.
func (s *Session) tree(ctx context.Context, b *strings.Builder, sup actor.PID, first, rest string, depth int) (map[string]any, error) {
	rt := s.runtime()
	d, err := supervisor.Describe(ctx, rt, sup)
	if err != nil {
		return nil, err
	}
	strategy := d.Strategy.String()
	behaviour := "supervisor"
	if d.Dynamic {
		behaviour = "dynamic_supervisor"
	}
	kids := "children"
	if d.Counts.Specs == 1 {
		kids = "child"
	}
	fmt.Fprintf(b, "%s%s %s (%s, %s, %d/%d restarts in %ds, %d %s)\n", first, s.pal.Name(s.supName(sup)), s.pal.PID(sup.String()),
		behaviour, strategy, d.Restarts, d.MaxRestarts, d.MaxSeconds, d.Counts.Specs, kids)
	node := map[string]any{"pid": sup.String(), "name": s.supName(sup), "kind": behaviour, "strategy": strategy,
		"restarts": d.Restarts, "max_restarts": d.MaxRestarts, "max_seconds": d.MaxSeconds, "specs": d.Counts.Specs}
	children := []any{}
	node["children"] = children
	if depth > 20 {
		return node, nil
	}
	var shown []supervisor.ChildInfo
	if d.Counts.Specs > treeChildLimit {
		// A large supervisor: its first children, then a summary.
		if shown, err = supervisor.ChildrenPage(ctx, rt, sup, actor.PID{}, treeShown); err != nil {
			return nil, err
		}
	} else if shown, err = supervisor.WhichChildren(ctx, rt, sup); err != nil {
		return nil, err
	}
	more := d.Counts.Specs - len(shown)
	for i, c := range shown {
		last := i == len(shown)-1 && more == 0
		branch, indent := "├─ ", "│  "
		if last {
			branch, indent = "└─ ", "   "
		}
		if c.Type == supervisor.SupervisorChild && !c.PID.IsZero() && supervisor.IsSupervisor(rt, c.PID) {
			sub, err := s.tree(ctx, b, c.PID, rest+branch, rest+indent, depth+1)
			if err != nil {
				return nil, err
			}
			children = append(children, sub)
			continue
		}
		status, state := c.PID.String(), "running"
		if c.PID.IsZero() {
			status, state = "not running", "not running"
			if c.Restarting {
				status, state = "restarting", "restarting"
			}
		}
		kind := "-"
		if b, ok := rt.Hooks().Behaviour(c.PID); ok {
			kind = b
		}
		extra := ""
		if c.Restarts > 0 {
			extra = fmt.Sprintf(", %d restart%s", c.Restarts, plural(c.Restarts))
		}
		fmt.Fprintf(b, "%s%s%s %s (%s, %s%s)\n", rest, branch, s.pal.PID(status), c.ID, kind, c.Restart, extra)
		children = append(children, map[string]any{"id": c.ID, "pid": pidOrNil(c.PID), "status": state, "kind": kind,
			"restart": c.Restart.String(), "restarts": c.Restarts})
	}
	node["children"] = children
	if more > 0 {
		s.treeSummary(b, rt, sup, shown, more, rest)
		node["more"] = more
	}
	return node, nil
}

// treeSummary counts the children of a large supervisor that tree did not
// list, by kind.
func (s *Session) treeSummary(b *strings.Builder, rt *actor.Runtime, sup actor.PID, shown []supervisor.ChildInfo, more int, rest string) {
	listed := make(map[actor.PID]bool, len(shown))
	for _, c := range shown {
		listed[c.PID] = true
	}
	byKind := map[string]int{}
	running := 0
	rt.Processes(func(pid actor.PID) bool {
		if parent, _ := rt.Hooks().Parent(pid); parent == sup && !listed[pid] {
			k, _ := rt.Hooks().Behaviour(pid)
			byKind[k]++
			running++
		}
		return true
	})
	if n := more - running; n > 0 {
		byKind["not running"] += n
	}
	var parts []string
	for k, n := range byKind {
		parts = append(parts, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(parts)
	fmt.Fprintf(b, "%s└─ ... %d more: %s\n", rest, more, strings.Join(parts, ", "))
}

func newCmdKill(s *Session) *cobra.Command {
	return keepRaw(&cobra.Command{
		Use:   "kill TARGET [REASON]",
		Short: "send an exit signal, like Process.exit/2 (default reason: kill)",
		Long: "kill cannot be trapped and leaves the reason killed. Other reasons end a process that does not\n" +
			"trap exits (normal is ignored); a process that traps exits gets an {'EXIT', From, Reason} message.",
		Example: "kill c1\nkill c1 boom\nkill c1 normal\nkill c1 {shutdown, maintenance}",
		Args:    rangeArgs(1, 2, "a TARGET and an optional REASON"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, err := s.resolve(args[0])
			if err != nil {
				return err
			}
			reason := actor.ErrKill
			if len(args) == 2 {
				t, err := s.parseTerm(args[1])
				if err != nil {
					return err
				}
				reason = termReason(t)
			}
			rt := s.runtime()
			in, _ := rt.Info(pid)
			rt.Exit(actor.PID{}, pid, reason)
			s.settle(cmd.Context())
			obj := map[string]any{"pid": pid.String(), "reason": actor.FormatReason(reason), "alive": rt.Alive(pid)}
			text := ""
			if rt.Alive(pid) {
				if in.TrapExit {
					text = fmt.Sprintf("%s traps exits: the signal arrived as {'EXIT', <0.0.0>, %s}", s.display(pid, nameOf(in)), actor.FormatReason(reason))
				} else {
					text = fmt.Sprintf("%s ignored the normal exit signal (it does not trap exits)", s.display(pid, nameOf(in)))
				}
			}
			s.result("kill", text, obj)
			return nil
		},
	}, 1)
}

func newCmdStop(s *Session) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:     "stop TARGET [REASON] [--timeout D]",
		Short:   "stop a process through its Terminate, like GenServer.stop/3 (default reason: normal)",
		Example: "stop c1\nstop c1 shutdown\nstop s1 --timeout 30s",
		Args:    rangeArgs(1, 2, "a TARGET and an optional REASON"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, err := s.resolve(args[0])
			if err != nil {
				return err
			}
			reason := actor.ErrNormal
			if len(args) == 2 {
				t, err := s.parseTerm(args[1])
				if err != nil {
					return err
				}
				reason = termReason(t)
			}
			if timeout <= 0 {
				return fmt.Errorf("--timeout must be positive")
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			if err := s.runtime().Stop(ctx, pid, reason); err != nil {
				if errors.Is(err, context.DeadlineExceeded) {
					return fmt.Errorf("%s did not stop within %v: the stop waits behind its messages and the callback it is in, "+
						"and still happens after them; --timeout waits longer, kill %s ends it now", args[0], timeout, args[0])
				}
				return err
			}
			s.result("stop", "", map[string]any{"pid": pid.String(), "reason": actor.FormatReason(reason)})
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", actor.DefaultCallTimeout, "how long to wait for it to stop")
	keepRaw(cmd, 1)
	return cmd
}

// parseTerm parses a message; its atoms go into the atom table, as on
// the BEAM.
func (s *Session) parseTerm(word string) (any, error) {
	t, err := ParseTerm(word)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	atoms := s.atoms
	s.mu.Unlock()
	if err := eachAtom(t, atoms.atom); err != nil {
		return nil, err
	}
	return t, nil
}

func eachAtom(t any, f func(string) error) error {
	switch v := t.(type) {
	case Atom:
		return f(string(v))
	case Tuple:
		for _, x := range v {
			if err := eachAtom(x, f); err != nil {
				return err
			}
		}
	case List:
		for _, x := range v {
			if err := eachAtom(x, f); err != nil {
				return err
			}
		}
	}
	return nil
}

func messageArgs(what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < 2 {
			return fmt.Errorf("want a TARGET and a MSG; usage: %s", c.Use)
		}
		if len(args) > 2 {
			return fmt.Errorf("%s takes one message, got %d words: use a tuple such as {add, 5} or quote a string", what, len(args)-1)
		}
		return nil
	}
}

// targetAndMessage resolves TARGET and parses MSG, the arguments of
// send, cast and call.
func (s *Session) targetAndMessage(args []string) (actor.PID, any, error) {
	pid, err := s.resolve(args[0])
	if err != nil {
		return pid, nil, err
	}
	msg, err := s.parseTerm(args[1])
	return pid, msg, err
}

// newCmdDeliver makes send and cast, which differ only in where the
// message goes.
func newCmdDeliver(s *Session, name, short, example string, deliver func(rt *actor.Runtime, pid actor.PID, msg any) bool) *cobra.Command {
	return keepRaw(&cobra.Command{
		Use:     name + " TARGET MSG",
		Short:   short,
		Example: example,
		Args:    messageArgs(name),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, msg, err := s.targetAndMessage(args)
			if err != nil {
				return err
			}
			deliver(s.runtime(), pid, msg)
			s.result(name, "", map[string]any{"pid": pid.String(), "message": FormatTerm(msg)})
			return nil
		},
	}, 1)
}

func newCmdSend(s *Session) *cobra.Command {
	return newCmdDeliver(s, "send", "send a message to a process's HandleInfo, like send/2",
		"send e1 hello\nsend c1 crash\nsend e1 {ping, 1}", (*actor.Runtime).Send)
}

func newCmdCast(s *Session) *cobra.Command {
	return newCmdDeliver(s, "cast", "cast a message to a process's HandleCast, like GenServer.cast/2",
		"cast c1 inc\ncast c1 {add, 5}", (*actor.Runtime).Cast)
}

func newCmdCall(s *Session) *cobra.Command {
	var timeout time.Duration
	var async bool
	cmd := &cobra.Command{
		Use:   "call TARGET MSG [--timeout D] [--async]",
		Short: "call a process and print the reply, like GenServer.call/3",
		Long: "With --async the call is sent and the shell goes on at once, like GenServer.send_request/2:\n" +
			"it prints the request's ref, the reply is narrated when it comes, and await REF prints it\n" +
			"(like receive_response/2). So you can act on a process while another is busy.",
		Example: "call c1 get\ncall c1 {add, 5}\ncall s1 hello --timeout 100ms\ncall s1 {sleep, 5000} --async; kill s1",
		Args:    messageArgs("call"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, msg, err := s.targetAndMessage(args)
			if err != nil {
				return err
			}
			if timeout <= 0 {
				return fmt.Errorf("--timeout must be positive")
			}
			if async {
				return s.callAsync(pid, msg, args[0], timeout)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			reply, err := s.callProcess(ctx, pid, msg, args[0], timeout)
			if err != nil {
				return err
			}
			s.setLast(FormatTerm(reply))
			s.result("call", FormatTerm(reply), map[string]any{"pid": pid.String(), "reply": FormatTerm(reply)})
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", actor.DefaultCallTimeout, "how long to wait for the reply")
	cmd.Flags().BoolVar(&async, "async", false, "send the call and go on; await REF prints the reply")
	keepRaw(cmd, 1)
	return cmd
}

// callProcess calls pid, answering for a supervisor the calls an OTP
// supervisor answers; target is what the user typed, for errors.
func (s *Session) callProcess(ctx context.Context, pid actor.PID, msg any, target string, timeout time.Duration) (any, error) {
	if supervisor.IsSupervisor(s.runtime(), pid) {
		if reply, ok, err := s.supervisorCall(ctx, pid, msg); ok {
			return reply, err
		}
	}
	reply, err := s.runtime().Call(ctx, pid, msg)
	if err != nil {
		if errors.Is(err, supervisor.ErrUnknownRequest) {
			return nil, fmt.Errorf("%w: %s is a supervisor: it answers which_children and count_children (see also sup children, sup count)",
				supervisor.ErrUnknownRequest, clip(target))
		}
		if errors.Is(err, actor.ErrTimeout) {
			return nil, fmt.Errorf("timeout: no reply from %v within %v", pid, timeout)
		}
		var exit *actor.ExitError
		if errors.As(err, &exit) {
			// The callee died before it replied, as GenServer.call exits with.
			return nil, fmt.Errorf("%v exited before it replied: %s", exit.PID, actor.FormatReason(exit.Reason))
		}
		return nil, err
	}
	return reply, nil
}

// childTerm is a child as OTP's supervisor names it: its PID, or
// restarting, or undefined when it is not running.
func childTerm(k supervisor.ChildInfo) any {
	switch {
	case k.Restarting:
		return Atom("restarting")
	case k.PID.IsZero():
		return Atom("undefined")
	}
	return k.PID
}

// supervisorCall answers the calls an OTP supervisor answers, as terms:
// which_children ([{Id, Child, Type, Modules}], Child a PID, undefined or
// restarting) and count_children ([{specs, N}, {active, N}, {supervisors,
// N}, {workers, N}]). It reports false for any other request, which the
// supervisor itself refuses.
func (s *Session) supervisorCall(ctx context.Context, sup actor.PID, msg any) (any, bool, error) {
	rt := s.runtime()
	switch msg {
	case Atom("which_children"):
		kids, err := supervisor.WhichChildren(ctx, rt, sup)
		if err != nil {
			return nil, true, err
		}
		out := List{}
		for _, k := range kids {
			child := childTerm(k)
			var mods List
			if _, running := child.(actor.PID); running {
				if b, ok := rt.Hooks().Behaviour(k.PID); ok {
					mods = List{Atom(b)}
				}
			}
			out = append(out, Tuple{Atom(k.ID), child, Atom(k.Type.String()), mods})
		}
		return out, true, nil
	case Atom("count_children"):
		n, err := supervisor.CountChildren(ctx, rt, sup)
		if err != nil {
			return nil, true, err
		}
		return List{Tuple{Atom("specs"), n.Specs}, Tuple{Atom("active"), n.Active},
			Tuple{Atom("supervisors"), n.Supervisors}, Tuple{Atom("workers"), n.Workers}}, true, nil
	}
	return nil, false, nil
}

func twoTargets(s *Session, args []string) (actor.PID, actor.PID, error) {
	a, err := s.resolve(args[0])
	if err != nil {
		return a, a, err
	}
	b, err := s.resolve(args[1])
	return a, b, err
}

func newCmdLink(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:     "link A B",
		Short:   "link two processes: when one exits, the other gets an exit signal",
		Example: "link c1 c2",
		Args:    exactArgs(2, "two TARGETs"),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, b, err := twoTargets(s, args)
			if err != nil {
				return err
			}
			if err := s.runtime().Link(a, b); err != nil {
				return err
			}
			s.result("link", "", map[string]any{"a": a.String(), "b": b.String()})
			return nil
		},
	}
}

func newCmdUnlink(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:     "unlink A B",
		Short:   "remove the link between two processes",
		Example: "unlink c1 c2",
		Args:    exactArgs(2, "two TARGETs"),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, b, err := twoTargets(s, args)
			if err != nil {
				return err
			}
			s.runtime().Unlink(a, b)
			s.result("unlink", "", map[string]any{"a": a.String(), "b": b.String()})
			return nil
		},
	}
}

func newCmdMonitor(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:     "monitor A B",
		Short:   "make A monitor B: when B exits, A gets a DOWN message",
		Example: "monitor e1 c1",
		Args:    exactArgs(2, "two TARGETs: the watcher, then the watched"),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, b, err := twoTargets(s, args)
			if err != nil {
				return err
			}
			ref := s.runtime().Monitor(a, b)
			s.setLast(ref.String())
			s.result("monitor", ref.String(), map[string]any{"watcher": a.String(), "target": b.String(), "ref": ref.String()})
			return nil
		},
	}
}

func newCmdDemonitor(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:   "demonitor A REF",
		Short: "remove the monitor REF that A holds, like Process.demonitor/1",
		Long: "Removes the monitor REF (as monitor printed it) that A holds; A gets no DOWN for it.\n" +
			"A DOWN already delivered stays in A's mailbox, as in OTP.",
		Example: "demonitor e1 #Ref<0.0.0.1>",
		Args:    exactArgs(2, "a TARGET (the watcher) and a REF (#Ref<0.0.0.N>, as monitor printed it)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := s.resolve(args[0])
			if err != nil {
				return err
			}
			ref, err := actor.ParseRef(args[1])
			if err != nil {
				return fmt.Errorf("%q is not a reference: want #Ref<0.0.0.N>, as monitor printed it", clip(args[1]))
			}
			removed := s.runtime().Demonitor(a, ref)
			text := "true"
			if !removed {
				text = fmt.Sprintf("true (%v held no monitor %v: nothing changed)", a, ref)
			}
			s.result("demonitor", text, map[string]any{"watcher": a.String(), "ref": ref.String(), "removed": removed})
			return nil
		},
	}
}

func newCmdTrap(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:     "trap TARGET on|off",
		Short:   "make a process trap exits (or stop), like Process.flag(:trap_exit, true)",
		Example: "trap e1 on",
		Args:    exactArgs(2, "a TARGET and on or off"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, err := s.resolve(args[0])
			if err != nil {
				return err
			}
			var on bool
			switch args[1] {
			case "on", "true":
				on = true
			case "off", "false":
			default:
				return fmt.Errorf("want on or off, not %q", clip(args[1]))
			}
			if err := s.runtime().Hooks().SetTrapExit(pid, on); err != nil {
				return err
			}
			s.result("trap", "", map[string]any{"pid": pid.String(), "trap_exit": on})
			return nil
		},
	}
}
