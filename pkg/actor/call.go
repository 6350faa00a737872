package actor

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"time"
)

// DefaultCallTimeout is how long [Runtime.Call] waits for a reply when its
// context has no deadline, as GenServer.call/2 does.
const DefaultCallTimeout = 5 * time.Second

// inlineBudget is how many mailbox items a caller's goroutine handles for
// an idle callee before handing it a goroutine of its own.
const inlineBudget = 16

type callResult struct {
	v   any
	err error
}

type call struct {
	req   any
	from  PID
	state atomic.Uint32 // 0 pending, 1 answered (or given up on)
	ch    chan callResult

	// A CallInfinity (lazy) makes ch only if it has to wait: the answer
	// usually comes while the caller runs the callee itself, and is then
	// handed over in res. hand is 0 until one side arrives: 1 means the
	// answer is in res, 2 that the caller is waiting on ch.
	lazy bool
	hand atomic.Uint32
	res  callResult
}

// complete answers the call once; later answers are dropped, as late
// replies to a caller that gave up are in OTP.
func (c *call) complete(v any, err error) {
	if !c.state.CompareAndSwap(0, 1) {
		return
	}
	r := callResult{v: v, err: err}
	if c.lazy {
		c.res = r
		if c.hand.CompareAndSwap(0, 1) {
			return
		}
		// hand is 2: the caller made ch and waits on it.
	}
	c.ch <- r
}

// wait returns a lazy call's answer, waiting for it if it has not come.
func (c *call) wait() callResult {
	if c.hand.Load() == 1 {
		return c.res
	}
	c.ch = make(chan callResult, 1)
	if c.hand.CompareAndSwap(0, 2) {
		return <-c.ch
	}
	return c.res // answered while ch was being made
}

// Call sends req to pid's HandleCall and waits for the reply, like
// GenServer.call/3. It waits until ctx is done, or for
// [DefaultCallTimeout] if ctx has no deadline.
//
// Errors: ErrNoProc if pid is not alive; ErrTimeout if no reply came in
// time (a reply that comes later is dropped); an [ExitError] wrapping the
// reason if pid exited before replying; ctx.Err() if ctx was cancelled.
func (rt *Runtime) Call(ctx context.Context, pid PID, req any) (any, error) {
	return rt.call(ctx, PID{}, pid, req, nil)
}

func (rt *Runtime) call(ctx context.Context, from, pid PID, req any, interrupt <-chan struct{}) (any, error) {
	p := rt.table.get(pid.id)
	if p == nil {
		return nil, ErrNoProc
	}
	c := &call{req: req, from: from, ch: make(chan callResult, 1)}
	return rt.await(ctx, p, c, kCall, interrupt, rt.Clock(from))
}

func (rt *Runtime) await(ctx context.Context, p *Process, c *call, kind itemKind, interrupt <-chan struct{}, clock uint64) (any, error) {
	if !p.push(item{kind: kind, msg: c, clock: clock}) {
		return nil, ErrNoProc
	}
	// Most calls are answered within one scheduling round: the callee,
	// woken just now, is next in line on this thread. Yielding once and
	// looking for the reply spares a timer and a park for them.
	runtime.Gosched()
	select {
	case r := <-c.ch:
		return r.v, r.err
	default:
	}
	var timeout <-chan time.Time
	if _, ok := ctx.Deadline(); !ok {
		t := time.NewTimer(DefaultCallTimeout)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case r := <-c.ch:
		return r.v, r.err
	case <-timeout:
	case <-ctx.Done():
	case <-interrupt:
		c.state.Store(1)
		return nil, ErrKilled
	}
	if !c.state.CompareAndSwap(0, 1) {
		r := <-c.ch // answered just in time
		return r.v, r.err
	}
	if err := ctx.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, err
	}
	return nil, ErrTimeout
}

// CallInfinity is Call with timeout infinity, as OTP's supervisor calls
// (start_child and the like) are made: it waits for the reply however
// long the callee takes, and returns ErrNoProc or an ExitError as Call
// does. ctx is checked only before the call is made.
//
// Because nothing can time out, an idle callee runs on the caller's
// goroutine (for a few messages, then on its own), which spares the two
// goroutine switches of a Call: this is what makes a supervisor's
// start_child cheap.
func (rt *Runtime) CallInfinity(ctx context.Context, pid PID, req any) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := rt.table.get(pid.id)
	if p == nil {
		return nil, ErrNoProc
	}
	c := &call{req: req, lazy: true}
	ok, sched := p.enqueue(item{kind: kCall, msg: c})
	if !ok {
		return nil, ErrNoProc
	}
	if sched {
		rt.active.Add(1)
		p.runFor(inlineBudget)
	}
	r := c.wait()
	return r.v, r.err
}

// Reply answers a call whose HandleCall returned [NoReply], like
// GenServer.reply/2. It may be called from any goroutine, once; a second
// reply, or a reply to a caller that stopped waiting, is dropped.
func (rt *Runtime) Reply(from From, reply any) {
	if from.c != nil {
		from.c.complete(reply, nil)
	}
}

// Cast sends msg to pid's HandleCast without waiting, like
// GenServer.cast/2. It never blocks, and a cast to a dead process is
// dropped; Cast reports whether pid was alive to receive it.
func (rt *Runtime) Cast(pid PID, msg any) bool { return rt.deliver(pid, kCast, msg, 0) }

// Send sends msg to pid's HandleInfo, like send/2. It never blocks, and a
// message to a dead process is dropped; Send reports whether pid was alive
// to receive it.
func (rt *Runtime) Send(pid PID, msg any) bool { return rt.deliver(pid, kInfo, msg, 0) }

func (rt *Runtime) deliver(pid PID, kind itemKind, msg any, clock uint64) bool {
	p := rt.table.get(pid.id)
	return p != nil && p.push(item{kind: kind, msg: msg, clock: clock})
}

// Clock returns pid's logical clock (see [Process.Clock]), or 0 if pid is
// not alive or is the zero PID (the outside world).
func (rt *Runtime) Clock(pid PID) uint64 {
	if pid.IsZero() {
		return 0
	}
	if p := rt.table.get(pid.id); p != nil {
		return p.clock.Load()
	}
	return 0
}

// Stop asks pid to exit with reason (ErrNormal if nil) after running its
// Terminate, like GenServer.stop/3, and waits until it has exited. The stop
// request is queued behind the messages already in the mailbox. It returns
// ErrNoProc if pid is not alive, or ctx.Err() if ctx ends first (the
// process may still stop later).
func (rt *Runtime) Stop(ctx context.Context, pid PID, reason error) error {
	if reason == nil {
		reason = ErrNormal
	}
	p := rt.table.get(pid.id)
	if p == nil {
		return ErrNoProc
	}
	ch, ok := rt.watch(pid)
	if !ok {
		return ErrNoProc
	}
	_ = p.push(item{kind: kStop, msg: reason}) // if it is already dying, wait all the same
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		rt.unwatch(pid, ch)
		return ctx.Err()
	}
}

// State returns pid's state, like :sys.get_state/1: what the actor's
// State method returns if it has one ([StateGetter]), otherwise a shallow
// copy of the actor value. It is read by the process itself between
// callbacks, so it waits behind queued messages; errors are as for Call.
func (rt *Runtime) State(ctx context.Context, pid PID) (any, error) {
	p := rt.table.get(pid.id)
	if p == nil {
		return nil, ErrNoProc
	}
	c := &call{ch: make(chan callResult, 1)}
	return rt.await(ctx, p, c, kState, nil, 0)
}
