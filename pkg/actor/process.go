package actor

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// Process is a live process as its own callbacks see it. Every callback
// receives it; its methods are meant to be called from that process's
// callbacks only (they act on behalf of the process, as self() does in
// Erlang). Other goroutines address a process by its [PID] through the
// [Runtime].
//
// A Process holds no goroutine while its mailbox is empty: the runtime
// starts one when a message arrives and the goroutine returns when the
// mailbox is drained.
type Process struct {
	rt       *Runtime
	pid      PID
	actor    Actor
	mu       sync.Mutex // guards everything below except the immutable fields
	flags    uint32
	restarts uint32     // immutable: restarts of the child spec before this process
	parent   PID        // immutable: the spawning supervisor or process
	q        queue      // the mailbox
	name     attachment // the first registration, kept inline: most processes have one name
	started  int64      // immutable: unix nanoseconds
	handled  uint64     // messages taken from the mailbox
	clock    atomic.Uint64
	ext      *procExt // allocated when a process first needs a rarer field
	// batch counts the items the run loop has taken from the mailbox in one
	// batch and not yet handled (low bits), and carries sigUrgent: something
	// that must interrupt the batch (an exit signal, a continue, a timeout
	// request) has happened.
	batch atomic.Uint32
	deep  bool // immutable: the actor is a DeepStack, run on warm workers
}

const sigUrgent = 1 << 31

const (
	fRunning      uint32 = 1 << iota // a goroutine (or Spawn) owns the process
	fExiting                         // dying: registrations closed
	fDead                            // gone: nothing more is delivered
	fTrap                            // trap_exit
	fParentLink                      // linked to parent
	fCont                            // a continue is pending (argument in ext.cont)
	fTimeoutSet                      // a callback asked for a timeout (ext.timeout)
	fTimeoutArmed                    // the timeout timer is running (ext.timeoutGen)
	fTraced                          // trace events for this process
	fFatal                           // ext.fatal holds an exit that ends the process
	fQuiet                           // exits without an event (a start that was undone)
	fSuspended                       // Suspend: only system items are handled (see itemKind.system)
)

// procExt holds what most processes never need.
//
// The rule that makes its unlocked reads safe: once a process is exiting
// (fExiting, set under p.mu by whoever claims its death: see die), only the
// goroutine running its exit reads or writes links, childLinks, children,
// monitors, monitoredBy, attach, waiters and pending, and it may do so
// without the lock. Every other goroutine that would change one of them,
// on this process or on another, takes the owner's lock and checks alive()
// first (Link, Unlink, Monitor, Demonitor, deliverDown, watch, Attach,
// Detach, linkParent, a deferred reply's record), so it changes nothing on
// a process that is exiting.
type procExt struct {
	links       pidSet
	childLinks  int         // children linked to this process through their parent link
	children    []PID       // those children (and some that have gone since): see linkParent
	monitors    map[Ref]PID // held by this process: ref -> target
	monitoredBy map[Ref]PID // on this process: ref -> watcher
	attach      []attachment
	waiters     []waiter
	pending     map[*call]struct{} // calls answered later with Reply
	fatal       error
	fatalClock  uint64
	done        chan struct{}
	cont        any
	timeout     time.Duration
	timeoutGen  uint64
	timer       *Timer
}

// holdMonitor records that the process holds monitor ref of target.
func (x *procExt) holdMonitor(ref Ref, target PID) {
	if x.monitors == nil {
		x.monitors = make(map[Ref]PID)
	}
	x.monitors[ref] = target
}

// addWatcher records that watcher monitors the process with ref.
func (x *procExt) addWatcher(ref Ref, watcher PID) {
	if x.monitoredBy == nil {
		x.monitoredBy = make(map[Ref]PID)
	}
	x.monitoredBy[ref] = watcher
}

func (p *Process) x() *procExt {
	if p.ext == nil {
		p.ext = new(procExt)
	}
	return p.ext
}

// Clock returns the process's logical (Lamport) clock: it advances with
// every item the process takes from its mailbox, past the clock of the
// item's sender, so that an effect always has a later clock than its
// cause. Events carry it (see [Event].Clock); the shell orders narration
// by it.
func (p *Process) Clock() uint64 { return p.clock.Load() }

// tick advances the clock past a received clock.
func (p *Process) tick(received uint64) {
	c := p.clock.Load()
	p.clock.Store(max(c, received) + 1)
}

// Self returns the process's PID.
func (p *Process) Self() PID { return p.pid }

// Runtime returns the runtime the process lives in.
func (p *Process) Runtime() *Runtime { return p.rt }

// Parent returns the process that started this one under a link (a
// supervisor, or the caller of [Process.SpawnLink]), or the zero PID.
func (p *Process) Parent() PID { return p.parent }

// Continue asks for HandleContinue(arg) to run as soon as the current
// callback returns, before the next message, like {:continue, arg}.
func (p *Process) Continue(arg any) {
	p.mu.Lock()
	p.x().cont = arg
	p.flags |= fCont
	p.mu.Unlock()
	p.batch.Or(sigUrgent)
}

// SetTimeout asks for a [Timeout] message if no other message arrives
// within d after the current callback returns, like returning a timeout from
// a GenServer callback. Any message cancels it; a zero or negative d
// cancels a pending request.
func (p *Process) SetTimeout(d time.Duration) {
	p.mu.Lock()
	if d > 0 {
		p.x().timeout = d
		p.flags |= fTimeoutSet
	} else {
		p.flags &^= fTimeoutSet
	}
	p.mu.Unlock()
	p.batch.Or(sigUrgent) // the next message cancels it
}

// TrapExit turns trapping of exit signals on or off, like
// Process.flag(:trap_exit, on), and returns the previous setting. While
// trapping, exit signals (except kill) arrive as [Exit] messages.
func (p *Process) TrapExit(on bool) (was bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	was = p.flags&fTrap != 0
	p.setTrapLocked(on)
	return was
}

func (p *Process) setTrapLocked(on bool) {
	if on {
		p.flags |= fTrap
	} else {
		p.flags &^= fTrap
	}
}

// Link links the process to pid, like link/1; see [Runtime.Link]. If pid
// is not alive, a process that traps exits receives Exit{From: pid,
// Reason: ErrNoProc} and Link returns nil, as on the BEAM; one that does
// not trap gets ErrNoProc.
func (p *Process) Link(pid PID) error {
	err := p.rt.Link(p.pid, pid)
	if err == nil || pid == p.pid {
		return err
	}
	p.mu.Lock()
	trapping := alive(p) && p.flags&fTrap != 0
	p.mu.Unlock()
	if !trapping {
		return err
	}
	p.push(item{kind: kExit, msg: Exit{From: pid, Reason: ErrNoProc}, clock: p.Clock()})
	return nil
}

// Unlink removes a link; see [Runtime.Unlink].
func (p *Process) Unlink(pid PID) { p.rt.Unlink(p.pid, pid) }

// Monitor starts monitoring pid; see [Runtime.Monitor].
func (p *Process) Monitor(pid PID) Ref { return p.rt.Monitor(p.pid, pid) }

// Demonitor stops a monitor this process holds and reports whether it
// held it; see [Runtime.Demonitor].
func (p *Process) Demonitor(ref Ref) bool { return p.rt.Demonitor(p.pid, ref) }

// SpawnLink starts a process linked to this one, which becomes its parent,
// like GenServer.start_link from inside a process.
func (p *Process) SpawnLink(a Actor, opts SpawnOptions) (PID, error) {
	opts.Parent = p.pid
	return p.rt.Spawn(context.Background(), a, opts)
}

// Send sends msg to pid's HandleInfo; see [Runtime.Send].
func (p *Process) Send(pid PID, msg any) { p.rt.deliver(p.pid, pid, kInfo, msg, p.Clock()) }

// Cast sends msg to pid's HandleCast; see [Runtime.Cast].
func (p *Process) Cast(pid PID, msg any) { p.rt.deliver(p.pid, pid, kCast, msg, p.Clock()) }

// Call calls pid and waits for the reply, as [Runtime.Call] does: until
// ctx ends, or for [DefaultCallTimeout] if ctx has no deadline. Unlike
// Runtime.Call it also returns, with ErrKilled, as soon as an exit signal
// arrives that will end this process, so a killed process does not stay
// blocked in a call. A process cannot call itself.
func (p *Process) Call(ctx context.Context, pid PID, req any) (any, error) {
	if pid == p.pid {
		return nil, errCallSelf
	}
	reply, err := p.rt.call(ctx, p.pid, pid, req, p.Done())
	p.tick(p.rt.clock(pid)) // the reply is a message too
	return reply, err
}

var errCallSelf = errors.New("actor: a process cannot call itself")

// Reply answers a call that HandleCall deferred with [NoReply]. A process
// that an exit signal has ended (or will end when the current callback
// returns) no longer replies: the caller gets the exit, as in OTP.
func (p *Process) Reply(from From, reply any) {
	if from.c != nil {
		p.reply(from.c, reply)
	}
}

// Done returns a channel that is closed when an exit signal has arrived
// that ends the process. By then the process has exited, or exits as soon
// as the current callback returns; a callback that is still running is
// working for nobody. A callback that blocks for long (a slow computation,
// a sleep) should select on it, so that its goroutine ends promptly: the
// runtime cannot stop a callback in the middle.
func (p *Process) Done() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	x := p.x()
	if x.done == nil {
		x.done = make(chan struct{})
		if p.flags&fFatal != 0 {
			close(x.done)
		}
	}
	return x.done
}

// pushLocked appends it to the mailbox and reports whether the caller must
// schedule the process (it was idle).
func (p *Process) pushLocked(it item) bool {
	p.q.push(it)
	return p.wakeLocked()
}

// wakeLocked marks the process as having work and reports whether it was
// idle, in which case the caller must give it a goroutine.
func (p *Process) wakeLocked() bool {
	if p.flags&fRunning != 0 {
		return false
	}
	p.flags |= fRunning
	return true
}

// push delivers it unless the process is dying or dead.
func (p *Process) push(it item) bool {
	ok, sched := p.enqueue(it)
	if sched {
		p.rt.schedule(p)
	}
	return ok
}

// enqueue delivers it and reports whether the process was idle, in which
// case the caller must run it: schedule it, or run it on its own
// goroutine with runFor.
func (p *Process) enqueue(it item) (ok, sched bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.flags&(fExiting|fDead) != 0 {
		return false, false
	}
	return true, p.pushLocked(it)
}

// setFatalLocked records the first exit that will end the process.
func (p *Process) setFatalLocked(reason error, clock uint64) bool {
	if p.flags&fFatal != 0 {
		return false
	}
	x := p.x()
	x.fatal = reason
	x.fatalClock = clock
	p.flags |= fFatal
	p.batch.Or(sigUrgent)
	if x.done != nil {
		close(x.done)
	}
	return p.wakeLocked()
}

// run is the body of the goroutine that owns the process while its mailbox
// has work.
func (p *Process) run() { p.runFor(0, nil) }

// runFor runs the process on the calling goroutine. With a budget, it
// hands the process to a goroutine of its own after that many items, so a
// caller that lent its goroutine (see Hooks.CallInfinity) is not kept
// serving a busy process. With lent, the process is handed over as soon as
// that call has its answer: the lender runs nobody else's requests.
func (p *Process) runFor(budget int, lent *call) {
	var spare []item // the last batch's buffer, for the next
	for n := 0; ; n++ {
		p.mu.Lock()
		if p.flags&fFatal != 0 {
			reason := p.ext.fatal
			p.tick(p.ext.fatalClock)
			p.mu.Unlock()
			p.die(reason, false, nil)
			return
		}
		if p.flags&fCont != 0 {
			p.flags &^= fCont
			arg := p.ext.cont
			p.ext.cont = nil
			p.tick(0) // a continue is a step of its own, after the callback that asked for it
			p.mu.Unlock()
			if reason, stop := p.dispatchContinue(arg); stop {
				p.die(reason, true, nil)
				return
			}
			continue
		}
		if p.q.n == 0 {
			p.goIdleLocked()
			p.mu.Unlock()
			p.rt.idle()
			return
		}
		if p.flags&fSuspended != 0 {
			if sys := p.takeSystemLocked(); len(sys) > 0 {
				traced := p.flags&fTraced != 0 || p.rt.traceAll.Load()
				p.mu.Unlock()
				for _, it := range sys {
					if p.handle(p.actor, it, traced, nil) {
						return
					}
				}
				continue
			}
			// The rest waits for Resume, which gives the process a goroutine
			// again; so does anything sent meanwhile.
			p.flags &^= fRunning
			p.mu.Unlock()
			p.rt.idle()
			return
		}
		if budget > 0 && (n >= budget || lent != nil && lent.state.Load() != 0) {
			p.mu.Unlock()
			p.rt.goRun(p) // still running and counted in active
			return
		}
		if budget == 0 && p.q.n > 1 && p.flags&(fTimeoutSet|fTimeoutArmed) == 0 {
			// Take the whole mailbox under one lock, so that senders and
			// this loop do not contend for it message by message.
			b := p.q
			p.q = queue{buf: spare}
			p.handled += uint64(b.n)
			p.batch.Store(b.n) // and no urgency: the flags were just read under the lock
			traced := p.flags&fTraced != 0 || p.rt.traceAll.Load()
			p.mu.Unlock()
			if p.runBatch(&b, traced) {
				return
			}
			spare = b.buf
			continue
		}
		it := p.q.pop()
		p.handled++
		if p.flags&(fTimeoutSet|fTimeoutArmed) != 0 && it.kind != kTimeout {
			p.disarmTimeoutLocked()
		}
		traced := p.flags&fTraced != 0 || p.rt.traceAll.Load()
		p.mu.Unlock()
		if p.handle(p.actor, it, traced, nil) {
			return
		}
	}
}

// handle runs one item taken from the mailbox and reports whether the
// process died of it. rest is what is left of the item's batch (nil if it
// was taken alone): it goes back to the mailbox before the process dies,
// so that the exit answers the calls in it.
func (p *Process) handle(a Actor, it item, traced bool, rest *queue) (died bool) {
	p.tick(it.clock)
	if traced {
		p.rt.traceReceive(p, it)
	}
	reason, terminate, stop, reply := p.dispatch(a, it)
	if traced && !stop {
		p.rt.traceHandled(p, a, it, reply)
	}
	if !stop {
		return false
	}
	if rest != nil {
		p.requeue(rest)
	}
	var orphan *call
	if it.kind == kCall {
		orphan = it.msg.(*call)
	}
	p.die(reason, terminate, orphan)
	return true
}

// runBatch handles a batch of items taken from the mailbox, and reports
// whether the process died. Exit signals still jump the queue: when one
// arrives (or a callback asks for a continue or a timeout), the rest of the
// batch goes back to the front of the mailbox and the run loop looks at the
// process's flags before the next item.
func (p *Process) runBatch(b *queue, traced bool) (died bool) {
	a := p.actor // read once: senders keep writing next to it
	for b.n > 0 {
		it := b.pop()
		p.batch.Add(^uint32(0))
		if p.handle(a, it, traced, b) {
			return true
		}
		if b.n > 0 && p.batch.Load()&sigUrgent != 0 {
			p.requeue(b)
			return false
		}
	}
	return false
}

// requeue puts the unhandled rest of a batch back in front of the mailbox.
// If the process has exited meanwhile (an exit signal reaped it while a
// callback ran), the callers in the batch get the exit instead.
func (p *Process) requeue(b *queue) {
	if b.n == 0 {
		return
	}
	p.mu.Lock()
	n := b.n
	p.batch.Add(-n)
	if !alive(p) {
		err := p.exitErrLocked()
		p.mu.Unlock()
		for b.n > 0 {
			failItem(b.pop(), err)
		}
		return
	}
	p.handled -= uint64(n)
	p.q.prepend(b)
	p.mu.Unlock()
}

// failItem answers a call or state request that the process will never
// handle.
func failItem(it item, err error) {
	if it.kind == kCall || it.kind == kState || it.kind == kSuspend {
		it.msg.(*call).complete(nil, err)
	}
}

// exitErrLocked is the error a caller gets from a process that is
// exiting: its exit reason, once recorded.
func (p *Process) exitErrLocked() *ExitError {
	reason := ErrNoProc
	if p.ext != nil && p.ext.fatal != nil {
		reason = p.ext.fatal
	}
	return &ExitError{PID: p.pid, Reason: reason}
}

// takeSystemLocked takes the items a suspended process handles out of the
// mailbox, leaving the others in order.
func (p *Process) takeSystemLocked() []item {
	var sys []item
	n := p.q.n
	for range n {
		it := p.q.pop()
		if it.kind.system() {
			sys = append(sys, it)
		} else {
			p.q.push(it)
		}
	}
	p.handled += uint64(len(sys))
	return sys
}

// goIdleLocked gives up the process's goroutine: the mailbox is empty.
// A timeout asked for by the last callback starts now.
func (p *Process) goIdleLocked() {
	p.q.idle()
	p.flags &^= fRunning
	if p.flags&fTimeoutSet != 0 {
		p.armTimeoutLocked()
	}
}

func (p *Process) armTimeoutLocked() {
	x := p.ext
	p.flags &^= fTimeoutSet
	p.flags |= fTimeoutArmed
	x.timeoutGen++
	gen := x.timeoutGen
	clock := p.Clock()
	x.timer = p.rt.afterFunc(x.timeout, func() { p.push(item{kind: kTimeout, msg: gen, clock: clock}) })
}

func (p *Process) disarmTimeoutLocked() {
	p.flags &^= fTimeoutSet
	if p.flags&fTimeoutArmed != 0 {
		p.flags &^= fTimeoutArmed
		p.ext.timeoutGen++
		if p.ext.timer != nil {
			p.ext.timer.Stop()
			p.ext.timer = nil
		}
	}
}

// reply answers a call that this process handled. A process that an exit
// signal has ended (or will end once this callback returns) never replies,
// as on the BEAM, where a killed process sends nothing more: the caller
// gets the exit instead. Only a callback that an urgent event interrupted
// pays for the lock.
func (p *Process) reply(c *call, v any) {
	if p.batch.Load()&sigUrgent != 0 {
		p.mu.Lock()
		if p.flags&fFatal != 0 {
			err := p.exitErrLocked()
			p.mu.Unlock()
			c.complete(nil, err)
			return
		}
		p.mu.Unlock()
	}
	c.complete(v, nil)
}

// replyErr answers a call with an error, as reply answers it with a value.
func (p *Process) replyErr(c *call, err error) {
	if p.batch.Load()&sigUrgent != 0 {
		p.mu.Lock()
		if p.flags&fFatal != 0 {
			err = p.exitErrLocked()
		}
		p.mu.Unlock()
	}
	c.complete(nil, err)
}

// dispatch runs the callback for one mailbox item. stop reports that the
// process must exit with reason; terminate, that Terminate runs first.
func (p *Process) dispatch(a Actor, it item) (reason error, terminate, stop bool, reply any) {
	defer func() {
		if r := recover(); r != nil {
			reason, terminate, stop = p.panicked(r), true, true
		}
	}()
	var err error
	switch it.kind {
	case kInfo, kDown:
		if h, ok := a.(InfoHandler); ok {
			err = h.HandleInfo(p, it.msg)
		}
	case kExit:
		e := it.msg.(Exit)
		if e.From == p.parent {
			// A GenServer that traps exits terminates when its parent (its
			// supervisor) tells it to, rather than handling the message.
			// The outside world (the zero PID) is the parent of a process
			// started without one, as the shell is in IEx.
			return e.Reason, true, true, nil
		}
		if h, ok := a.(InfoHandler); ok {
			err = h.HandleInfo(p, e)
		}
	case kCast:
		h, ok := a.(CastHandler)
		if !ok {
			return undefinedCallback(a, "HandleCast"), true, true, nil
		}
		err = h.HandleCast(p, it.msg)
	case kCall:
		c := it.msg.(*call)
		h, ok := a.(CallHandler)
		if !ok {
			return undefinedCallback(a, "HandleCall"), true, true, nil
		}
		var r any
		r, err = h.HandleCall(p, From{c: c, pid: c.from}, c.req)
		reply = r
		var rs *replyStop
		var re *replyErr
		switch {
		case err == nil && r == NoReply:
			p.deferReply(c)
		case err == nil:
			p.reply(c, r)
		case errors.As(err, &rs):
			p.reply(c, r)
			err = rs.reason
		case errors.As(err, &re):
			p.replyErr(c, re.err)
			err = nil
		}
	case kTimeout:
		p.mu.Lock()
		current := p.flags&fTimeoutArmed != 0 && p.ext.timeoutGen == it.msg.(uint64)
		if current {
			p.flags &^= fTimeoutArmed
			p.ext.timer = nil
		}
		p.mu.Unlock()
		if current {
			if h, ok := a.(InfoHandler); ok {
				err = h.HandleInfo(p, Timeout{})
			}
		}
	case kStop:
		return it.msg.(error), true, true, nil
	case kState:
		// A State method that panics fails the request, not the process,
		// as a crashing format_status does not crash a gen_server.
		c := it.msg.(*call)
		v, serr := p.stateOf(a)
		c.complete(v, serr)
	case kSuspend:
		p.mu.Lock()
		p.flags |= fSuspended
		p.mu.Unlock()
		p.batch.Or(sigUrgent) // the rest of a batch goes back to wait
		it.msg.(*call).complete(nil, nil)
	}
	if err != nil {
		return err, true, true, nil
	}
	return nil, false, false, reply
}

// deferReply records a call whose HandleCall returned NoReply, so that the
// process's exit answers it if nobody replies first.
func (p *Process) deferReply(c *call) {
	p.mu.Lock()
	if !alive(p) {
		err := p.exitErrLocked()
		p.mu.Unlock()
		c.complete(nil, err)
		return
	}
	x := p.x()
	if x.pending == nil {
		x.pending = make(map[*call]struct{})
	}
	if len(x.pending) >= 64 {
		for old := range x.pending {
			if old.state.Load() != 0 {
				delete(x.pending, old)
			}
		}
	}
	if c.state.Load() == 0 { // not already answered with Reply
		x.pending[c] = struct{}{}
	}
	p.mu.Unlock()
}

// ReplyAndStop, returned as HandleCall's error, delivers HandleCall's reply
// and then stops the process with reason, like {:stop, reason, reply,
// state}:
//
//	return "bye", actor.ReplyAndStop(actor.ErrNormal)
//
// Any other error stops the process without a reply: the caller gets an
// [ExitError].
func ReplyAndStop(reason error) error {
	if reason == nil {
		reason = ErrNormal
	}
	return &replyStop{reason: reason}
}

type replyStop struct{ reason error }

// ReplyError, returned as HandleCall's error, answers the caller with err
// (Call returns it) and lets the process go on, like {:reply, {:error,
// reason}, state}: the way to refuse a request without dying.
//
//	return nil, actor.ReplyError(fmt.Errorf("unknown request %v", req))
func ReplyError(err error) error { return &replyErr{err: err} }

type replyErr struct{ err error }

func (r *replyErr) Error() string { return "reply error: " + r.err.Error() }
func (r *replyErr) Unwrap() error { return r.err }

func (r *replyStop) Error() string { return "reply and stop: " + FormatReason(r.reason) }
func (r *replyStop) Unwrap() error { return r.reason }

func (p *Process) dispatchContinue(arg any) (reason error, stop bool) {
	defer func() {
		if r := recover(); r != nil {
			reason, stop = p.panicked(r), true
		}
	}()
	h, ok := p.actor.(ContinueHandler)
	if !ok {
		return undefinedCallback(p.actor, "HandleContinue"), true
	}
	if err := h.HandleContinue(p, arg); err != nil {
		return err, true
	}
	return nil, false
}

// panicked turns a recovered panic into the process's exit reason; this is
// the process boundary, the one place panics are recovered (unless
// Options.PassThroughPanics lets them crash the program).
func (p *Process) panicked(r any) error {
	if p.rt.opts.PassThroughPanics {
		panic(r)
	}
	return newPanicError(r)
}

// undefinedCallback is the exit reason of a process sent what it has no
// callback for, like undef on the BEAM; it names the process's behaviour
// (its Behaviour, or its Go type).
func undefinedCallback(a Actor, name string) error {
	return fmt.Errorf("undef: %s has no %s", behaviourName(a), name)
}

// stateOf returns what State reports for a: its State method's result, or
// a shallow copy of the value. A panic in State is the request's error.
func (p *Process) stateOf(a Actor) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			if p.rt.opts.PassThroughPanics {
				panic(r)
			}
			err = fmt.Errorf("actor: %v: State: %w", p.pid, newPanicError(r))
		}
	}()
	if s, ok := a.(StateGetter); ok {
		return s.State(), nil
	}
	rv := reflect.ValueOf(a)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return rv.Elem().Interface(), nil // a shallow copy
	}
	return a, nil
}

// terminate runs Terminate, turning a panic in it into the exit reason.
func (p *Process) terminate(reason error) (final error) {
	t, ok := p.actor.(Terminator)
	if !ok {
		return reason
	}
	defer func() {
		if r := recover(); r != nil {
			final = p.panicked(r)
		}
	}()
	t.Terminate(p, reason)
	return reason
}

// die ends the process from the goroutine that owns it: Terminate (if
// asked), then the exit (see exit). orphan is a call being handled whose
// caller has not been answered.
//
// An exit signal that ends a process while a callback runs (Terminate
// included) does not wait for it: it claims the process's death at once
// (see reapLocked) and the exit happens on the signaller's side. die then
// finds the process already exiting and only answers orphan and gives up
// the goroutine: whatever the callback did after the signal is void.
func (p *Process) die(reason error, terminate bool, orphan *call) {
	if reason == nil {
		reason = ErrNormal
	}
	if terminate {
		reason = p.terminate(reason)
	}
	p.mu.Lock()
	if p.flags&fExiting != 0 {
		err := p.exitErrLocked()
		p.mu.Unlock()
		if orphan != nil {
			orphan.complete(nil, err)
		}
		p.rt.zombieDone(p)
		p.rt.idle()
		return
	}
	p.flags |= fExiting
	p.mu.Unlock()
	p.exit(reason, p.Clock(), orphan, maxInlineExits)
	p.rt.idle()
}

// reapLocked claims the death of a process that an exit signal ends while
// a goroutine owns it (it is inside a callback, or about to be): the exit
// happens now, on the caller's side, instead of when the callback returns,
// as a kill on the BEAM does not wait for the process to finish what it is
// doing. The goroutine inside the callback becomes a zombie until it
// returns (see die). It returns the clock of the exit.
func (p *Process) reapLocked(clock uint64) uint64 {
	p.flags |= fExiting
	p.rt.zombieAdd(p)
	return max(p.Clock(), clock) + 1
}

// exit is the end of a process whose death the caller has claimed
// (fExiting is set): registry cleanup, then the news to links, monitors,
// waiters and callers, in that order, with clock as the exit's logical
// time. orphan is a call being handled whose caller has not been answered.
//
// Children linked through their parent link hear first, and those the
// signal ends at once (idle, or busy in a callback, and not trapping) exit
// here, inline levels deep at most, before the parent link is told: a
// supervisor that restarts a killed child supervisor finds the old
// grandchildren gone and their names free, as it would on the BEAM, where
// they are gone long before the restart in practice.
func (p *Process) exit(reason error, clock uint64, orphan *call, inline int) {
	rt := p.rt

	// 1. Take the registrations: none can be added now.
	p.mu.Lock()
	first := p.name
	p.name = attachment{}
	var more []attachment
	if p.ext != nil {
		more = p.ext.attach
		p.ext.attach = nil
	}
	p.mu.Unlock()

	// 2. Registries drop the entries before anyone hears of the death, so
	// a name never points at a dead process and a restarted child can
	// always take its name back.
	if first.c != nil {
		processExited(first.c, p.pid, first.key)
	}
	for _, a := range more {
		processExited(a.c, p.pid, a.key)
	}

	// 3. Dead: take everything that must hear of it.
	p.mu.Lock()
	p.flags |= fDead
	items := p.q.drain()
	x := p.ext
	parentLinked := p.flags&fParentLink != 0
	quiet := p.flags&fQuiet != 0
	p.flags &^= fParentLink
	if x != nil && x.timer != nil {
		x.timer.Stop()
		x.timer = nil
	}
	p.mu.Unlock()
	rt.table.remove(p.pid)
	if !quiet && rt.listening() {
		rt.emit(Event{Kind: EventExited, PID: p.pid, Other: p.parent, Name: first.key, Reason: reason, Clock: clock})
	}

	// 4. Tell children, the parent, links, monitors, waiters and callers.
	// The parent's signal carries the children's exits in its clock: it is
	// sent after them.
	parentClock := clock
	if x != nil && x.childLinks > 0 {
		rt.eachChild(p, x.children, func(c *Process) {
			if _, exited, at := rt.exitSignal(p.pid, c.pid, reason, viaLink, inline, clock); exited {
				parentClock = max(parentClock, at)
			}
		})
	}
	if parentLinked {
		rt.exitSignal(p.pid, p.parent, reason, viaChild, 0, parentClock)
	}
	exitErr := &ExitError{PID: p.pid, Reason: reason}
	if orphan != nil {
		orphan.complete(nil, exitErr)
	}
	if x != nil {
		x.links.each(func(l PID) { rt.exitSignal(p.pid, l, reason, viaLink, 0, clock) })
		for ref, target := range x.monitors {
			if r := rt.remoteFor(target); r != nil {
				r.Demonitor(p.pid, target, ref)
				continue
			}
			if t := rt.table.get(target.id); t != nil {
				t.mu.Lock()
				if alive(t) && t.ext != nil { // an exiting target's monitors are its own exit's to read
					delete(t.ext.monitoredBy, ref)
				}
				t.mu.Unlock()
			}
		}
		for ref, w := range x.monitoredBy {
			rt.deliverDown(w, ref, p.pid, reason, clock, false)
		}
		for _, w := range x.waiters {
			if w.clock != nil {
				*w.clock = clock
			}
			w.ch <- reason
		}
		for c := range x.pending {
			c.complete(nil, exitErr)
		}
	}
	for _, it := range items {
		failItem(it, exitErr)
	}
}

// processExited tells c that pid's entry under key is gone. A Cleaner that
// panics loses that entry's cleanup, not the process's exit.
func processExited(c Cleaner, pid PID, key string) {
	defer func() { _ = recover() }()
	c.ProcessExited(pid, key)
}
