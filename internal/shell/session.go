package shell

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/actorsh/actorsh/internal/observe"
	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/natsdist"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// Session is one shell: a runtime with a default registry and a root
// DynamicSupervisor, the command table, and the output. The REPL, -c,
// script files and piped stdin all run lines through Exec.
type Session struct {
	io   *iostreams.IOStreams
	pal  *iostreams.Palette
	out  *output
	json bool
	at   location // the file and line running now (RunSource's goroutine only)
	// retrying holds the restarts supervisors will try again (under mu).
	retrying map[retryKey]bool
	// stoppedBy holds, for processes a supervisor has sent an exit signal
	// and that have not exited yet, that supervisor (under mu).
	stoppedBy map[actor.PID]actor.PID
	// clock is the runtime's time, real or virtual (see clock.go).
	clock clock
	// rec is the flight recorder (see recorder.go).
	rec recorder
	// opts are the options the session started with, for a replay's.
	opts Options
	// execMu is held while a command line runs, so that one from the
	// observer (see ExecJSON) waits for the prompt's or the file's to end.
	execMu sync.Mutex
	// cmdJSON asks the running command for its --json results, for the
	// observer, whatever the session prints (under execMu).
	cmdJSON bool
	// watch are the observer's event functions (see observe.go).
	watch watchers
	// expectFrom is where the stretch expect checks begins, and expectAt
	// the recorder's last seq after the last expect (see expect; RunSource's
	// goroutine only).
	expectFrom, expectAt int
	// crashes are the last Starlark crash under each name (under mu).
	crashes map[string]crash
	// last is the value of the last command that gave one (a PID, a
	// reply, a ref), for $_ (RunSource's goroutine only).
	last string
	// more reads the lines after the running command's, for a command
	// with a body (kind new): the file's next lines, or the REPL's at a
	// continuation prompt (RunSource's goroutine only; nil if none).
	more func(prompt string) (string, error)
	// keepGoing is the running source's --keep-going, which source inherits
	// (RunSource's goroutine only).
	keepGoing bool
	busy      map[actor.PID]uint64 // processes in a long callback, with their handled count (settle's)
	// rootExit receives the root supervisor's exit reason (guarded by mu).
	rootExit <-chan error
	rootOpts supervisor.DynamicOptions // how the root is started, and started again

	kinds     []*kind
	atomLimit int

	mu    sync.Mutex // guards the fields below, which a VM crash replaces
	rt    *actor.Runtime
	names *registry.Registry
	regs  map[string]*registry.Registry
	root  actor.PID
	atoms *atomTable
	shell actor.PID // the shell process, made for --link
	// shellActor is the shell process's actor, which keeps its messages
	// for flush.
	shellActor *shellActor
	unsub      func()
	// cl is the session's node, if it is in a cluster (see cluster.go).
	cl       *cluster
	lab      *lab               // the nodes of node start, if any (see lab.go)
	embedded []*natsdist.Server // NATS servers node join started, until Close
	// observer is the browser observer, if one runs, and its URL.
	observer    *observe.Server
	observerURL string
	narrate     bool
	seq         int // child id sequence
	depth       int // nesting of source
	stopped     bool
	// requests are the calls made with call --async that await has not
	// taken yet.
	requests map[actor.Ref]*request

	// bg owns the goroutines of call --async: Close cancels bgCtx and
	// waits for them.
	bg       sync.WaitGroup
	bgCtx    context.Context
	bgCancel context.CancelFunc
}

// Options configures a Session.
type Options struct {
	JSON      bool
	AtomLimit int // zero: DefaultAtomLimit
	// RootMaxRestarts and RootMaxSeconds are the root supervisor's restart
	// budget. Zero values: DefaultRootMaxRestarts in DefaultRootMaxSeconds.
	// Use supervisor.NoRestarts for none.
	RootMaxRestarts int
	RootMaxSeconds  int
	// VirtualClock starts the session under virtual time (see clock), at
	// VirtualStart (zero: 2000-01-01, the same every run).
	VirtualClock bool
	VirtualStart time.Time
}

// The root supervisor's default budget. OTP's default (3 in 5 s) suits a
// real supervisor, but the root is the user's workspace: a few kills or a
// crasher left running while exploring would wipe the session. A budget
// a script wants to show stays one flag away (--root-max-restarts 3).
const (
	DefaultRootMaxRestarts = 100
	DefaultRootMaxSeconds  = 5
)

// RootName and RegistryName are what a new session starts with.
const (
	RootName     = "root"
	RegistryName = "names"
)

// NewSession starts a session: a fresh runtime, the registry "names" and
// the root DynamicSupervisor "root".
func NewSession(ios *iostreams.IOStreams, opts Options) (*Session, error) {
	s := &Session{
		io:        ios,
		pal:       ios.Palette(),
		out:       &output{w: ios.Out, json: opts.JSON},
		json:      opts.JSON,
		kinds:     builtinKinds(),
		atomLimit: opts.AtomLimit,
		narrate:   true,
		requests:  map[actor.Ref]*request{},
	}
	s.out.rec = &s.rec
	s.rec.now = s.clock.Now
	s.bgCtx, s.bgCancel = context.WithCancel(context.Background())
	if s.atomLimit <= 0 {
		s.atomLimit = DefaultAtomLimit
	}
	if opts.RootMaxRestarts == 0 {
		opts.RootMaxRestarts = DefaultRootMaxRestarts
	}
	if opts.RootMaxSeconds == 0 {
		opts.RootMaxSeconds = DefaultRootMaxSeconds
	}
	s.opts = opts
	s.rootOpts = supervisor.DynamicOptions{MaxRestarts: opts.RootMaxRestarts, MaxSeconds: opts.RootMaxSeconds}
	if opts.VirtualClock {
		at := opts.VirtualStart
		if at.IsZero() {
			at = virtualEpoch
		}
		s.clock.startVirtual(at)
	}
	if err := s.boot(); err != nil {
		return nil, err
	}
	return s, nil
}

// boot makes a fresh runtime (at start, and after the simulated VM died).
func (s *Session) boot() error {
	rt := actor.NewRuntime(actor.Options{Time: &s.clock})
	names := registry.New(rt, registry.Options{Name: RegistryName})
	unsub := rt.Hooks().SubscribeInline(s.onEvent) // it names processes as they are when it narrates
	s.rootOpts.Name = names.Via(RootName)
	root, err := supervisor.StartDynamic(context.Background(), rt, s.rootOpts)
	if err != nil {
		unsub()
		return err
	}
	s.mu.Lock()
	s.rt, s.names, s.root, s.unsub = rt, names, root, unsub
	s.rootExit, _ = rt.Watch(root)
	s.regs = map[string]*registry.Registry{RegistryName: names}
	s.atoms = newAtomTable(rt, s.atomLimit)
	s.shell = actor.PID{}
	s.mu.Unlock()
	return nil
}

// closeGrace is how long Close lets processes stop before it kills them.
const closeGrace = time.Second

// Close stops the runtime and waits for its goroutines.
func (s *Session) Close() error {
	s.mu.Lock()
	rt, unsub := s.rt, s.unsub
	s.stopped = true
	s.mu.Unlock()
	s.bgCancel()
	s.bg.Wait()
	s.stopObserver()
	if l := s.labOf(); l != nil {
		l.stop(s)
	}
	_, _ = s.leaveCluster()
	s.stopEmbedded()
	unsub()
	s.rec.close()
	// The session is over: processes get a moment to run Terminate, and
	// what is still busy then is killed, as quitting IEx ends the VM. A
	// child with shutdown infinity stuck in a callback must not hold the
	// exit for long.
	ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
	defer cancel()
	return rt.Shutdown(ctx)
}

func (s *Session) runtime() *actor.Runtime {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rt
}

// say prints what a process says, in order with the narration.
func (s *Session) say(p *actor.Process, text string) {
	pid := p.Self()
	r := record{text: text, subject: pid, clock: p.Clock()}
	s.rec.add(entry{typ: entryOutput, pid: pid, text: text, clock: r.clock})
	s.mu.Lock()
	quiet := !s.narrate
	s.mu.Unlock()
	if quiet && !s.json {
		return
	}
	if s.json { // text mode has no use for it (a fast ticker made millions)
		r.obj = map[string]any{"type": "output", "pid": pid.String(), "text": text}
	}
	s.out.event(r)
}

// settle waits for the runtime to settle: for the consequences of a
// command (exits, restarts, greetings) to happen before the next one
// runs. A process busy inside one long callback (a sleeper's call) keeps
// the runtime from settling, and waiting for it would make every later
// command wait too: settle notices such processes (running, their count
// of handled messages not moving), says so once, and from then on waits
// only for the rest. Ctrl-C (ctx) ends the wait, as does settleLimit.
func (s *Session) settle(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, settleLimit)
	defer cancel()
	rt := s.runtime()
	retryWaits := 0
	for {
		busy := s.stillBusy(rt)
		// Killed processes whose callback has not returned yet (zombies)
		// hold a goroutine each, and may for ever: settle does not wait
		// for them.
		if waitActive(ctx, rt, int64(len(busy)+rt.Hooks().Zombies()), settleStep) {
			if !s.retryPending() || retryWaits >= maxRetryWaits {
				return
			}
			// A supervisor will try a restart again shortly (its child's
			// name was still held): wait for that too, a little.
			retryWaits++
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Millisecond):
			}
			continue
		}
		if ctx.Err() != nil {
			return
		}
		s.findBusy(ctx, rt)
	}
}

// maxRetryWaits bounds, in milliseconds, how long settle waits for a
// supervisor's pending retries, so a retry that never comes cannot stall
// every later command.
const maxRetryWaits = 250

// settleStep is how long settle waits before it looks for busy processes.
const settleStep = 100 * time.Millisecond

// waitActive waits until no more than n goroutines own processes, at most
// d, and reports whether that happened.
func waitActive(ctx context.Context, rt *actor.Runtime, n int64, d time.Duration) bool {
	if n == 0 {
		qctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		return rt.Quiesce(qctx) == nil
	}
	deadline := time.Now().Add(d)
	for rt.Hooks().Active() > n {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// stillBusy returns the processes found busy before that are still inside
// the same callback, forgetting the others.
func (s *Session) stillBusy(rt *actor.Runtime) map[actor.PID]uint64 {
	if len(s.busy) == 0 {
		return nil
	}
	now := map[actor.PID]uint64{}
	rt.Hooks().Running(func(pid actor.PID, handled uint64) {
		if was, ok := s.busy[pid]; ok && was == handled {
			now[pid] = handled
		}
	})
	s.busy = now
	return now
}

// findBusy looks for processes inside one long callback: running, with the
// same count of handled messages twice, 20 ms apart. It says which, the
// first time it finds each.
func (s *Session) findBusy(ctx context.Context, rt *actor.Runtime) {
	first := map[actor.PID]uint64{}
	rt.Hooks().Running(func(pid actor.PID, handled uint64) { first[pid] = handled })
	select {
	case <-time.After(20 * time.Millisecond):
	case <-ctx.Done():
		return
	}
	if s.busy == nil {
		s.busy = map[actor.PID]uint64{}
	}
	var found []actor.PID
	rt.Hooks().Running(func(pid actor.PID, handled uint64) {
		if was, ok := first[pid]; ok && was == handled {
			if _, known := s.busy[pid]; !known {
				found = append(found, pid)
			}
			s.busy[pid] = handled
		}
	})
	for _, pid := range found {
		kind, _ := rt.Hooks().Behaviour(pid)
		name := ""
		if in, err := rt.Info(pid); err == nil {
			name = nameOf(in)
		}
		text := fmt.Sprintf("(%s is busy in a callback; later commands do not wait for it)", s.display(pid, name))
		s.out.event(record{text: s.pal.Dim(text), obj: map[string]any{"type": "busy", "pid": pid.String(), "kind": kind},
			subject: pid, clock: rt.Hooks().Clock(pid)})
	}
}

const settleLimit = 5 * time.Second

// Exec runs one line: one or more commands separated by ';'. It stops at
// the first command that fails and returns a *CommandError.
func (s *Session) Exec(ctx context.Context, line string) error {
	s.execMu.Lock()
	defer s.execMu.Unlock()
	return s.exec(ctx, line)
}

// asJSON reports whether the running command gives its results as --json
// objects: in a --json session, or for the observer.
func (s *Session) asJSON() bool { return s.json || s.cmdJSON }

// exec is Exec, with execMu held.
func (s *Session) exec(ctx context.Context, line string) error {
	cmds, err := SplitLine(line)
	if err != nil {
		return &CommandError{Cmd: strings.TrimSpace(line), Err: err}
	}
	for _, words := range cmds {
		if err := s.execWords(ctx, words); err != nil {
			return err
		}
	}
	return nil
}

// CommandError is a failed command: the command as typed and what went
// wrong.
type CommandError struct {
	Cmd string
	Err error
}

func (e *CommandError) Error() string { return shown(e.Cmd) + ": " + e.Err.Error() }

// maxShown is how much of a command an error repeats.
const maxShown = 200

// shown is a command as an error repeats it: control characters escaped
// (an error must not change the terminal or forge a line), and a command
// longer than maxShown bytes shortened, saying by how much.
func shown(cmd string) string {
	var b strings.Builder
	for i, r := range cmd {
		if b.Len() >= maxShown {
			fmt.Fprintf(&b, "... (%d more bytes)", len(cmd)-i)
			break
		}
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(cmd[i:], "\uFFFD"):
			fmt.Fprintf(&b, "\\x%02x", cmd[i])
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
func (e *CommandError) Unwrap() error { return e.Err }

// errExit is returned by the exit command.
var errExit = errors.New("exit")

func (s *Session) execWords(ctx context.Context, words []string) error {
	words, err := s.expandLast(words)
	if err != nil {
		return s.failed(words, err)
	}
	if words[0] == "!" {
		return s.execExpectingFailure(ctx, words)
	}
	err = s.execOne(ctx, words)
	if err != nil && !errors.Is(err, errExit) {
		return s.failed(words, err)
	}
	return err
}

// execOne runs one command, waits for the runtime to settle and prints
// what happened.
func (s *Session) execOne(ctx context.Context, words []string) error {
	s.out.hold()
	seq := s.rec.command(strings.Join(words, " "), s.at, s.clock.Now())
	restore := s.keepBody(seq)
	err := s.runCommand(ctx, words)
	restore()
	if !errors.Is(err, errExit) {
		s.settle(ctx)
		s.out.flush(false)
		s.renewRoot()
	}
	s.out.flush(true)
	s.rec.done(seq, err)
	if err != nil && !errors.Is(err, errExit) {
		err = s.afterFailure(err)
	}
	return err
}

// keepBody has the recorder keep the lines the command seq reads after
// its own (kind new's body), so a replay can give them to it again; the
// returned function ends that.
func (s *Session) keepBody(seq int) (restore func()) {
	more := s.more
	if more == nil {
		return func() {}
	}
	var lines []string
	s.more = func(prompt string) (string, error) {
		line, err := more(prompt)
		if err == nil {
			lines = append(lines, line)
		}
		return line, err
	}
	return func() {
		s.more = more
		if len(lines) > 0 {
			s.rec.body(seq, lines)
		}
	}
}

// failed reports a failed command in --json and wraps its error.
func (s *Session) failed(words []string, err error) error {
	if s.json {
		s.out.result(record{obj: s.errorObject("error", words, err)})
	}
	return &CommandError{Cmd: strings.Join(words, " "), Err: err}
}

// errorObject is the --json record of a command's error: the command as
// typed, its name, the error, and where it came from.
func (s *Session) errorObject(typ string, words []string, err error) map[string]any {
	obj := map[string]any{"type": typ, "cmd": strings.Join(words, " "), "command": words[0], "error": err.Error()}
	if s.at.file != "" {
		obj["file"], obj["line"] = s.at.file, s.at.line
	}
	return obj
}

// setLast records a command's value for $_.
func (s *Session) setLast(v string) { s.last = v }

// expandLast replaces $_ in words by the last command's value, as IEx's
// v() gives the last result.
func (s *Session) expandLast(words []string) ([]string, error) {
	var out []string
	for i, w := range words {
		if !strings.Contains(w, "$_") {
			continue
		}
		if s.last == "" {
			return words, errors.New("$_ is the last result, and there is none yet: spawn, whereis, call, monitor and sup start give one")
		}
		if out == nil {
			out = slices.Clone(words)
		}
		out[i] = strings.ReplaceAll(w, "$_", s.last)
	}
	if out == nil {
		return words, nil
	}
	return out, nil
}

// errSucceeded is a command under ! that did not fail.
var errSucceeded = errors.New("succeeded, but ! expects it to fail")

// execExpectingFailure runs "! CMD", as testscript writes it: CMD is
// expected to fail, so its error is printed as a result and the script
// goes on, while a CMD that succeeds is the failure. Interrupts and exit
// are not failures of CMD and pass through.
func (s *Session) execExpectingFailure(ctx context.Context, words []string) error {
	if len(words) == 1 {
		return s.failed(words, errors.New("want a command that is expected to fail, e.g. ! kill nosuch"))
	}
	cmd := words[1:]
	err := s.execOne(ctx, cmd)
	switch {
	case err == nil:
		return s.failed(words, errSucceeded)
	case errors.Is(err, errExit), ctx.Err() != nil:
		return err
	}
	text := shown(strings.Join(cmd, " ")) + ": " + err.Error() + " (failed, as expected)"
	s.out.result(record{text: s.pal.Warn(text), obj: s.errorObject("expected_failure", cmd, err)})
	return nil
}

// renewRoot starts a fresh root supervisor if the root gave up (its
// restart intensity was exceeded): the shell must always have one.
func (s *Session) renewRoot() {
	s.mu.Lock()
	rt, root, stopped := s.rt, s.root, s.stopped
	s.mu.Unlock()
	if stopped || rt.Alive(root) {
		return
	}
	pid, err := supervisor.StartDynamic(context.Background(), rt, s.rootOpts)
	if err != nil {
		s.out.result(record{text: s.pal.Error("the root supervisor is gone and a new one could not start: " + err.Error()),
			obj: map[string]any{"type": "error", "error": err.Error()}})
		return
	}
	var why string
	select {
	case r := <-s.rootExit:
		switch {
		case errors.Is(r, actor.ErrKilled):
			why = "was killed"
		case errors.Is(r, actor.ErrNormal):
			why = "stopped"
		case errors.Is(r, actor.ErrShutdown):
			why = "gave up"
		default:
			why = "exited: " + actor.FormatReason(r)
		}
	default:
		why = "is gone"
	}
	s.mu.Lock()
	s.root = pid
	s.rootExit, _ = rt.Watch(pid)
	s.mu.Unlock()
	msg := fmt.Sprintf("the root supervisor %s; actorsh started a fresh root %v (its children are gone)", why, pid)
	s.out.result(record{text: s.pal.Warn(msg), obj: map[string]any{"type": "root_restarted", "pid": pid.String()}})
}

// afterFailure handles the one failure that changes the whole session:
// the simulated VM ran out of atoms.
func (s *Session) afterFailure(err error) error {
	if !isAtomTableFull(err) {
		return err
	}
	rt := s.runtime()
	n := rt.NumProcesses()
	s.mu.Lock()
	unsub := s.unsub
	s.mu.Unlock()
	unsub()
	cl := s.dropNode() // the node dies with its VM, as a BEAM node does
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_ = rt.Shutdown(ctx)
	cancel()
	if bootErr := s.boot(); bootErr != nil {
		return fmt.Errorf("%w; restarting the runtime failed: %v", err, bootErr)
	}
	var full *atomTableFullError
	errors.As(err, &full)
	which := "A new atom did not fit."
	if full != nil && full.atom != "" {
		which = fmt.Sprintf("The atom that did not fit was %s, from %s.", FormatTerm(Atom(full.atom)), orDefault(full.from, "a command"))
	}
	msg := fmt.Sprintf("%v\nthe simulated VM crashed: every process is gone (%d of them), as the BEAM dies when its atom table is full.\n"+
		"%s Atoms are never garbage collected: each --atom-name name and each new atom in a message used one up for good.\n"+
		"Registry names (spawn without --atom-name) are plain strings: they create no atoms and can name any number of processes.\n"+
		"actorsh started a fresh runtime.", err, n, which)
	if cl != nil {
		msg += fmt.Sprintf("\nNode %s went down with it, without a goodbye: the other nodes release its names when its lease ends; node join %s joins again.", cl.node.Self().Name, cl.node.Self().Name)
	}
	s.out.result(record{text: s.pal.Error(msg), obj: map[string]any{"type": "crash", "error": err.Error(), "processes_lost": n}})
	return err
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// lookupName finds a process by name: the default registry, then the
// atom names.
func (s *Session) lookupName(name string) (actor.PID, bool) {
	s.mu.Lock()
	names, atoms := s.names, s.atoms
	s.mu.Unlock()
	if pid, ok := names.WhereIs(name); ok {
		return pid, true
	}
	return atoms.WhereIs(name)
}

// resolve turns a TARGET (a PID or a registered name) into a live PID.
func (s *Session) resolve(target string) (actor.PID, error) {
	if strings.HasPrefix(target, "<") || strings.HasPrefix(target, "0.") || target != "" && target[0] >= '1' && target[0] <= '9' && strings.Count(target, ".") == 2 {
		pid, err := actor.ParsePID(target)
		if err != nil {
			return actor.PID{}, fmt.Errorf("%q is not a PID: want <0.N.0> or 0.N.0, as ls shows them (<2.17.0> for another node's)", clip(target))
		}
		if pid.IsRemote() {
			if cl, err := s.clusterNode(); err == nil {
				pid = cl.node.Codec().LocalPID(pid) // this node's own, as others write it
			}
		}
		if pid.IsRemote() {
			return pid, s.remoteTarget(pid)
		}
		if !s.runtime().Alive(pid) {
			return actor.PID{}, fmt.Errorf("%v is not alive (noproc)", pid)
		}
		return pid, nil
	}
	if pid, ok := s.lookupName(target); ok {
		return pid, nil
	}
	if pid, ok, err := s.lookupVia(target); ok || err != nil {
		return pid, err
	}
	if target == "shell" {
		// The shell's own process starts when first named, as self() in
		// IEx is always there to send to or monitor from.
		return s.shellProcess()
	}
	return actor.PID{}, s.unknownName(target)
}

// lookupVia finds REG/NAME, a name in another registry (spawn --via):
// ok reports that target is of that form.
func (s *Session) lookupVia(target string) (actor.PID, bool, error) {
	regName, key, found := strings.Cut(target, "/")
	if !found || regName == "" || key == "" {
		return actor.PID{}, false, nil
	}
	if cr, ok := s.clusterRegistry(regName); ok {
		if pid, found := cr.WhereIs(key); found {
			return pid, true, nil
		}
		// The cache may not have heard of a claim made a moment ago: a
		// miss is asked of the cluster before it is an error.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		pid, _, found, err := cr.Lookup(ctx, key, true)
		switch {
		case err != nil:
			return pid, true, fmt.Errorf("no process has the name %q in cluster registry %s as this node knows, and the cluster did not answer: %w", clip(key), regName, err)
		case !found:
			return pid, true, fmt.Errorf("no process has the name %q in cluster registry %s (this node's cache and the cluster agree); spawn KIND --via %s --name NAME makes one", clip(key), regName, regName)
		}
		return pid, true, nil
	}
	s.mu.Lock()
	reg, ok := s.regs[regName]
	s.mu.Unlock()
	if !ok {
		return actor.PID{}, false, nil
	}
	pid, found, err := lookupUnique(reg, key)
	switch {
	case err != nil:
		err = fmt.Errorf("%w; name one by PID", err)
	case !found:
		err = fmt.Errorf("no process is registered as %q in %s; reg lookup %s KEY finds one", clip(key), regName, regName)
	}
	return pid, true, err
}

// lookupUnique finds the one process under key in reg; a key with several
// (a registry with duplicate keys) is an error.
func lookupUnique(reg *registry.Registry, key string) (actor.PID, bool, error) {
	entries := reg.Lookup(key)
	switch len(entries) {
	case 0:
		return actor.PID{}, false, nil
	case 1:
		return entries[0].PID, true, nil
	}
	return actor.PID{}, false, fmt.Errorf("%d processes are registered as %q in %s (it has duplicate keys)", len(entries), clip(key), reg.Name())
}

// unknownName explains a name that is not registered, with a guess.
func (s *Session) unknownName(name string) error {
	msg := fmt.Sprintf("no process is registered as %q", clip(name))
	if where := s.registryHolding(name); where != "" {
		msg += fmt.Sprintf(" (did you mean %s/%s? it is a name in %s)", where, name, where)
	} else if g := closest(name, s.someNames(name)); g != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", g)
	}
	return errors.New(msg + "; ls lists processes")
}

// registryHolding is the first registry (by name) other than names in
// which name is a unique key, or "".
func (s *Session) registryHolding(name string) string {
	type namer interface {
		WhereIs(string) (actor.PID, bool)
	}
	regs := map[string]namer{}
	s.mu.Lock()
	for n, r := range s.regs {
		if n != RegistryName && r.Kind() == registry.Unique {
			regs[n] = r
		}
	}
	if s.cl != nil {
		for n, r := range s.cl.regs {
			regs[n] = r
		}
	}
	s.mu.Unlock()
	for _, n := range slices.Sorted(maps.Keys(regs)) {
		if _, found := regs[n].WhereIs(name); found {
			return n
		}
	}
	return ""
}

// someNames returns registered names to suggest from: all of them while
// there are few, else those sharing the first letter.
func (s *Session) someNames(like string) []string {
	s.mu.Lock()
	names, atoms := s.names, s.atoms
	s.mu.Unlock()
	small := names.Count() <= 10_000
	out := scanNames(names, func(k string) bool { return small || (like != "" && k != "" && k[0] == like[0]) }, 10_000)
	atoms.mu.Lock()
	for k := range atoms.names {
		out = append(out, k)
	}
	atoms.mu.Unlock()
	sort.Strings(out)
	return out
}

// scanBudget bounds how many registry entries one completion or
// suggestion looks at, so that Tab stays fast with millions of names.
const scanBudget = 2_000_000

// scanNames returns up to limit registered names that keep accepts,
// sorted, looking at no more than scanBudget entries.
func scanNames(reg *registry.Registry, keep func(string) bool, limit int) []string {
	var out []string
	seen := 0
	reg.Scan(func(k string, _ actor.PID, _ any) bool {
		seen++
		if keep(k) {
			out = append(out, k)
		}
		return len(out) < limit && seen < scanBudget
	})
	sort.Strings(out)
	return out
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// nameOf returns a process's name, if it has one.
func nameOf(in actor.Info) string {
	for _, r := range in.Registered {
		if _, ok := r.Owner.(*registry.Registry); ok && r.Owner.(*registry.Registry).Name() == RegistryName {
			return r.Key
		}
	}
	for _, r := range in.Registered {
		if _, ok := r.Owner.(*atomTable); ok {
			return r.Key
		}
	}
	for _, r := range in.Registered {
		if reg, ok := r.Owner.(*registry.Registry); ok && reg.Kind() == registry.Unique {
			return reg.Name() + "/" + r.Key // a name given with spawn --via
		}
	}
	return ""
}

// display names a PID for narration: "<0.5.0> greeter_for_alice".
func (s *Session) display(pid actor.PID, name string) string {
	if name == "" {
		return s.pal.PID(pid.String())
	}
	return s.pal.PID(pid.String()) + " " + s.pal.Name(name)
}

// closest returns the candidate nearest to word, if near enough to be a
// likely typo.
func closest(word string, candidates []string) string {
	// A word that begins a candidate (of for off) means it, if it begins
	// only one.
	var prefixed []string
	for _, c := range candidates {
		if len(word) >= 2 && strings.HasPrefix(c, word) && c != word {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := levenshtein(word, c)
		// Of two as near, the one with word's letters: a swap (hepl for
		// help) is likelier than a letter changed (heal).
		if d < bestD || d == bestD && sameLetters(word, c) && !sameLetters(word, best) {
			best, bestD = c, d
		}
	}
	limit := 2
	switch {
	case len(word) > 8:
		limit = 3
	case len(word) <= 3:
		limit = 1 // two edits turn most short words into any other
	}
	if bestD <= limit && best != word {
		return best
	}
	return ""
}

// sameLetters reports whether a and b are made of the same letters.
func sameLetters(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := []byte(a), []byte(b)
	slices.Sort(x)
	slices.Sort(y)
	return string(x) == string(y)
}

func levenshtein(a, b string) int {
	// The optimal string alignment distance: edits, and swaps of two
	// neighbours (nwe for new) as one, as typos are.
	if len(a) > 100 || len(b) > 100 {
		return 1 << 20
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
