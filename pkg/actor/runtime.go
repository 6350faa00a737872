package actor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a [Runtime]. The zero value is ready to use.
type Options struct {
	// Time is where the runtime gets the time (see [TimeSource]); nil
	// means the system clock.
	Time TimeSource
	// PassThroughPanics lets a panic in a callback crash the program with
	// its original stack instead of becoming the process's exit reason. For
	// debugging only.
	PassThroughPanics bool
}

// Runtime is a set of processes: it hands out PIDs, runs processes when
// their mailboxes have work, and delivers messages and signals between
// them. It is the Go counterpart of a single BEAM node.
//
// A Runtime owns every goroutine it starts: one per process with work in
// its mailbox, and one per firing timer. [Runtime.Shutdown] stops all
// processes and waits for those goroutines.
type Runtime struct {
	opts   Options
	table  table
	refs   atomic.Uint64
	closed atomic.Bool

	// active counts processes that own a goroutine or are in Spawn. The
	// runtime is quiescent when it is zero.
	active  atomic.Int64
	waiting atomic.Int32
	idleMu  sync.Mutex
	idleCh  chan struct{}

	traceAll atomic.Bool
	subMu    sync.Mutex
	subs     atomic.Pointer[[]*subscriber]

	timers  timerSet
	workers workers
	remote  atomic.Pointer[remoteBox]

	// zombies are processes that an exit signal ended while a callback
	// ran, whose goroutine has not yet returned from it (see reapLocked).
	zombieMu sync.Mutex
	zombies  map[*Process]struct{}
}

// zombieAdd records a reaped process whose goroutine is still inside a
// callback. The caller holds p.mu, so p's goroutine cannot leave first.
func (rt *Runtime) zombieAdd(p *Process) {
	rt.zombieMu.Lock()
	if rt.zombies == nil {
		rt.zombies = make(map[*Process]struct{})
	}
	rt.zombies[p] = struct{}{}
	rt.zombieMu.Unlock()
}

// zombieDone records that a reaped process's goroutine has left.
func (rt *Runtime) zombieDone(p *Process) {
	rt.zombieMu.Lock()
	delete(rt.zombies, p)
	rt.zombieMu.Unlock()
}

// stuck returns the PIDs of processes that have exited while their
// goroutine is still inside a callback, in PID order, at most n of them,
// and how many there are.
func (rt *Runtime) stuck(n int) ([]PID, int) {
	rt.zombieMu.Lock()
	defer rt.zombieMu.Unlock()
	var s pidSet
	for p := range rt.zombies {
		s.add(p.pid)
	}
	all := s.sorted()
	return all[:min(n, len(all))], len(all)
}

// ErrClosed is returned by Spawn once [Runtime.Shutdown] has begun.
var ErrClosed = errors.New("actor: runtime shut down")

// NewRuntime returns an empty runtime. It starts no goroutine until a
// process has work.
func NewRuntime(opts Options) *Runtime {
	if opts.Time == nil {
		opts.Time = SystemTime{}
	}
	return &Runtime{opts: opts}
}

// Now returns the runtime's time (see [Options].Time).
func (rt *Runtime) Now() time.Time { return rt.opts.Time.Now() }

// timeAfter is [Hooks.AfterFunc].
func (rt *Runtime) timeAfter(d time.Duration, f func()) (stop func() bool) {
	return rt.opts.Time.AfterFunc(d, f)
}

// SpawnOptions configures [Runtime.Spawn]. The zero value spawns an
// unnamed, unlinked process.
type SpawnOptions struct {
	// Name registers the process under a via name before Init runs, as
	// GenServer's :name option does. If the name is taken, Spawn fails with
	// an [AlreadyStartedError] and no process starts.
	Name Name
	// Parent links the new process to this one before Init runs and
	// records it as its parent, as start_link called by a supervisor does:
	// an exit signal from the parent makes a process that traps exits run
	// Terminate and exit. Supervisors set it; see also [Process.SpawnLink].
	Parent PID
	// Link links the new process to this one before Init runs, like
	// spawn_link. With no Parent, Link is also the parent.
	Link PID
	// Restarts is how many times the child spec behind this process was
	// restarted before, as [Info].Restarts reports. Supervisors set it.
	Restarts int
}

// Spawn starts a process running a, like GenServer.start_link: it returns
// only after a's Init has run, on the calling goroutine, and reports Init's
// failure.
//
// Before Init runs, the process is linked to its parent (opts.Parent, or
// opts.Link) and registered under opts.Name. ctx is checked only before
// the process starts: Init runs to its end (or to an exit signal). Messages
// that arrive during Init wait in the mailbox.
//
// Errors: ErrNoProc if the parent or link target is not alive; an
// [AlreadyStartedError] if the name is taken; ErrIgnore or Init's error
// (with a panic as a [PanicError]) if Init failed, in which case the
// process has exited without sending an exit signal to its parent;
// ErrClosed after Shutdown; ctx.Err() if ctx is already done.
func (rt *Runtime) Spawn(ctx context.Context, a Actor, opts SpawnOptions) (PID, error) {
	if a == nil {
		return PID{}, errors.New("actor: spawn of a nil actor")
	}
	if rt.closed.Load() {
		return PID{}, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return PID{}, err
	}
	p := &Process{
		rt:       rt,
		actor:    a,
		flags:    fRunning,
		parent:   opts.Parent,
		restarts: uint32(max(0, opts.Restarts)),
		started:  rt.Now().UnixNano(),
	}
	_, p.deep = a.(DeepStack)
	if p.parent.IsZero() {
		p.parent = opts.Link
	}
	rt.active.Add(1)
	p.clock.Store(rt.clock(p.parent) + 1)
	p.pid = rt.table.insert(p)
	if p.pid.id > maxSerial {
		p.abort()
		return PID{}, ErrPIDSpace
	}

	if !p.parent.IsZero() {
		if !rt.linkParent(p) {
			p.abort()
			return PID{}, ErrNoProc
		}
	}
	if !opts.Link.IsZero() && opts.Link != p.parent {
		if err := rt.Link(p.pid, opts.Link); err != nil {
			p.abort()
			return PID{}, err
		}
	}
	if opts.Name.Namer != nil {
		if err := registerName(opts.Name, p.pid); err != nil {
			p.abort()
			var taken interface{ Holder() PID }
			if errors.As(err, &taken) {
				return PID{}, &AlreadyStartedError{Name: opts.Name.Key, PID: taken.Holder()}
			}
			if holder, ok := whereIs(opts.Name); ok || errors.Is(err, ErrAlreadyStarted) {
				return PID{}, &AlreadyStartedError{Name: opts.Name.Key, PID: holder}
			}
			return PID{}, err
		}
	}
	if rt.listening() {
		rt.emit(Event{Kind: EventSpawned, PID: p.pid, Other: p.parent, Name: opts.Name.Key, Detail: behaviourName(a), Clock: p.Clock()})
	}

	if err := p.init(); err != nil {
		if errors.Is(err, ErrIgnore) {
			p.abort() // quietly, with reason normal
			return PID{}, ErrIgnore
		}
		// As proc_lib does since OTP 26, a failed start unlinks from the
		// parent first: the caller learns of the failure from the error,
		// not from an exit signal.
		rt.Unlink(p.pid, p.parent)
		p.die(err, false, nil)
		return PID{}, err
	}

	p.mu.Lock()
	if p.flags&fExiting != 0 {
		// An exit signal ended it during Init (see reapLocked): start_link
		// returns {error, Reason} then, once the process is gone (its
		// name free for the caller to start another).
		err := p.exitErrLocked()
		p.mu.Unlock()
		if ch, ok := rt.watch(p.pid, nil); ok {
			<-ch
		}
		rt.zombieDone(p)
		rt.idle()
		return PID{}, err.Reason
	}
	// Spawn returns to the parent once Init has run: what the parent does
	// next (a supervisor's report of the start) comes after the start in
	// causal order, and before what the child does from its continue on
	// (which ticks its clock).
	rt.catchUp(p.parent, p.Clock())
	if p.q.n > 0 || p.flags&(fCont|fFatal) != 0 {
		p.mu.Unlock()
		rt.goRun(p) // still counted in active from above
		return p.pid, nil
	}
	p.goIdleLocked()
	p.mu.Unlock()
	rt.idle()
	return p.pid, nil
}

func (p *Process) init() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = p.panicked(r)
		}
	}()
	return p.actor.Init(p)
}

// linkParent links a new process to its parent.
func (rt *Runtime) linkParent(p *Process) bool {
	pp := rt.table.get(p.parent.id)
	if pp == nil {
		return false
	}
	lockPair(p, pp)
	defer p.mu.Unlock()
	defer pp.mu.Unlock()
	if !alive(pp) {
		return false
	}
	// The child alone records the link (see parentLinked); the parent
	// counts such links and lists the children, so that its exit and Info
	// cost in proportion to its own children. The list keeps children
	// that have gone until it has as many of those as live ones (and at
	// least 16): then it is compacted, which costs O(1) per child
	// amortised.
	x := pp.x()
	x.childLinks++
	if len(x.children) >= 16 && len(x.children) >= 2*x.childLinks {
		kept := x.children[:0]
		for _, pid := range x.children {
			if c := p.rt.table.get(pid.id); c != nil && c.parent == pp.pid {
				kept = append(kept, pid)
			}
		}
		clear(x.children[len(kept):])
		x.children = kept
	}
	x.children = append(x.children, p.pid)
	p.flags |= fParentLink
	return true
}

// registerName registers pid under n; a Namer that panics fails the
// registration.
func registerName(n Name, pid PID) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("actor: register %q: %w", n.Key, newPanicError(r))
		}
	}()
	return n.Namer.RegisterName(n.Key, pid)
}

// whereIs looks n up; a Namer that panics finds nothing.
func whereIs(n Name) (pid PID, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			pid, ok = PID{}, false
		}
	}()
	return n.WhereIs()
}

// abort retires a process that did not start (its name was taken, its
// parent was gone, or Init returned ErrIgnore): it leaves no event and
// sends its parent no signal.
func (p *Process) abort() {
	p.rt.Unlink(p.pid, p.parent)
	p.mu.Lock()
	p.flags |= fQuiet
	p.mu.Unlock()
	p.die(ErrNormal, false, nil)
}

// schedule gives an idle process a goroutine: its mailbox just got work.
func (rt *Runtime) schedule(p *Process) {
	rt.active.Add(1)
	rt.goRun(p)
}

// goRun gives p a goroutine: a warm worker's for a DeepStack actor, a new
// one otherwise.
func (rt *Runtime) goRun(p *Process) {
	if p.deep {
		rt.runWarm(p)
		return
	}
	go p.run()
}

// idle records that a process gave up its goroutine (or finished Spawn).
func (rt *Runtime) idle() {
	if rt.active.Add(-1) == 0 && rt.waiting.Load() > 0 {
		rt.idleMu.Lock()
		if rt.idleCh != nil {
			close(rt.idleCh)
			rt.idleCh = nil
		}
		rt.idleMu.Unlock()
	}
}

// Quiesce waits until the runtime has settled: no process has queued
// messages or a running callback, and no Spawn is in progress (supervisor
// restarts happen inside callbacks, so none is pending either). Timers
// that fire later are not waited for. It returns ctx.Err() if ctx ends
// first.
//
// Quiesce is how the shell makes a command's consequences (exits,
// restarts, greetings) complete before the next prompt. It is meaningful
// only while no other goroutine outside the runtime keeps sending.
func (rt *Runtime) Quiesce(ctx context.Context) error {
	rt.waiting.Add(1)
	defer rt.waiting.Add(-1)
	for {
		rt.idleMu.Lock()
		if rt.active.Load() == 0 {
			rt.idleMu.Unlock()
			return nil
		}
		if rt.idleCh == nil {
			rt.idleCh = make(chan struct{})
		}
		ch := rt.idleCh
		rt.idleMu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// NumProcesses returns the number of live processes.
func (rt *Runtime) NumProcesses() int { return int(rt.table.live.Load()) }

// Processes calls f with every live process's PID, in PID order, until f
// returns false. Processes that start or exit meanwhile may or may not be
// seen.
func (rt *Runtime) Processes(f func(PID) bool) {
	rt.table.each(func(p *Process) bool { return f(p.pid) })
}

// ShutdownGrace is the least time [Runtime.Shutdown] gives processes to
// stop, even when its ctx has already ended.
const ShutdownGrace = 500 * time.Millisecond

// Shutdown stops every process and waits for the runtime's goroutines, like
// stopping a node. Processes without a parent are sent an exit signal
// with reason shutdown, newest first, one at a time (the outside world is
// their parent, so one that traps exits runs Terminate, and a supervisor
// stops its children in turn); whatever is still alive after that is
// killed. Timers are cancelled. Spawn fails with ErrClosed from the moment
// Shutdown begins.
//
// Shutdown waits until ctx ends, but never less than [ShutdownGrace], so
// that a ctx spent on an earlier stage (an HTTP server's shutdown, say)
// still lets processes run Terminate and stop in order. When time runs
// out it kills what is left and returns an error that wraps ctx.Err()
// and names what did not finish: processes still alive, and processes
// that were killed but whose goroutine is still inside a callback (Go
// cannot stop it: such a process is gone for the rest of the runtime,
// but its callback is still running). Calling Shutdown again does the
// same work again (there is nothing left to stop) and returns nil.
func (rt *Runtime) Shutdown(ctx context.Context) error {
	rt.closed.Store(true)
	wctx, cancel := atLeast(ctx, ShutdownGrace)
	defer cancel()
	var roots []PID
	rt.table.each(func(p *Process) bool {
		p.mu.Lock()
		if p.flags&fParentLink == 0 {
			roots = append(roots, p.pid)
		}
		p.mu.Unlock()
		return true
	})
	for i := len(roots) - 1; i >= 0 && wctx.Err() == nil; i-- {
		if ch, ok := rt.watch(roots[i], nil); ok {
			rt.exitSignal(PID{}, roots[i], ErrShutdown, viaNone, 0, 0)
			select {
			case <-ch:
			case <-wctx.Done():
			}
		}
	}
	rt.table.each(func(p *Process) bool {
		rt.exitSignal(PID{}, p.pid, ErrKill, viaNone, 0, 0)
		return true
	})
	err := rt.Quiesce(wctx)
	rt.timers.close()
	rt.workers.close(err == nil)
	if err == nil {
		return nil
	}
	if e := ctx.Err(); e != nil {
		err = e
	}
	var left []PID
	rt.Processes(func(pid PID) bool { left = append(left, pid); return len(left) < 20 })
	stuck, nstuck := rt.stuck(20)
	msg := fmt.Sprintf("actor: shutdown: %d processes did not stop", len(left))
	if len(left) > 0 {
		msg += fmt.Sprintf(" (first %v)", left)
	}
	if nstuck > 0 {
		msg += fmt.Sprintf("; %d killed processes are still inside a callback (%v)", nstuck, stuck)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// atLeast returns a context that ends when ctx has ended and d has passed,
// whichever is later.
func atLeast(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	w, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var mu sync.Mutex
	stop := func() bool { return false }
	t := time.AfterFunc(d, func() {
		mu.Lock()
		stop = context.AfterFunc(ctx, cancel)
		mu.Unlock()
	})
	return w, func() {
		t.Stop()
		mu.Lock()
		stop()
		mu.Unlock()
		cancel()
	}
}
