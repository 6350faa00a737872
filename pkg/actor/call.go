package actor

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
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
// Errors, each naming pid: a [CallError] matching ErrNoProc if pid is not
// alive, or matching ErrTimeout (and context.DeadlineExceeded) if no reply
// came in time (a reply that comes later is dropped), or wrapping
// ctx.Err() if ctx was cancelled; an [ExitError] wrapping the reason if
// pid exited before replying.
func (rt *Runtime) Call(ctx context.Context, pid PID, req any) (any, error) {
	return rt.call(ctx, PID{}, pid, req, nil)
}

// CallName is [Runtime.Call] to the process that holds name now, like
// GenServer.call({:via, Registry, {reg, key}}, req). If the name is free,
// or its holder exits before it takes the call (an idle worker that timed
// out, say), the name is looked up once more, so a restarted holder gets
// the call; after that it fails with a [CallError] matching ErrNoProc that
// names the name.
func (rt *Runtime) CallName(ctx context.Context, name Name, req any) (any, error) {
	for try := 0; ; try++ {
		pid, ok := whereIs(name)
		if !ok {
			if try == 0 {
				runtime.Gosched() // a restart may be under way
				continue
			}
			return nil, &CallError{Name: name.Key, Err: ErrNoProc}
		}
		v, err := rt.call(ctx, PID{}, pid, req, nil)
		if try == 0 && errors.Is(err, ErrNoProc) {
			continue
		}
		return v, err
	}
}

// CallAs is [Runtime.Call] with a typed reply: a reply that is not a T is
// an error naming both types.
//
//	n, err := actor.CallAs[int](ctx, rt, pid, "get")
func CallAs[T any](ctx context.Context, rt *Runtime, pid PID, req any) (T, error) {
	return as[T](pid, "")(rt.Call(ctx, pid, req))
}

// CallNameAs is [Runtime.CallName] with a typed reply, as [CallAs].
func CallNameAs[T any](ctx context.Context, rt *Runtime, name Name, req any) (T, error) {
	return as[T](PID{}, name.Key)(rt.CallName(ctx, name, req))
}

func as[T any](pid PID, name string) func(any, error) (T, error) {
	return func(v any, err error) (T, error) {
		var zero T
		if err != nil {
			return zero, err
		}
		t, ok := v.(T)
		if !ok && v != nil {
			return zero, &CallError{PID: pid, Name: name, Err: fmt.Errorf("actor: reply is a %T, want %T", v, zero)}
		}
		return t, nil
	}
}

// CallError reports a call that got no reply: to which process (PID, or
// the via name it was addressed by) and why (Err: ErrNoProc, ErrTimeout,
// ctx.Err()). It unwraps to Err, so errors.Is(err, ErrNoProc) and, for a
// timeout, errors.Is(err, context.DeadlineExceeded) hold.
type CallError struct {
	PID  PID
	Name string
	Err  error
}

func (e *CallError) Error() string {
	who := e.Name
	if who == "" {
		who = e.PID.String()
	} else {
		who = strconv.Quote(who)
	}
	return FormatReason(e.Err) + ": " + who
}

func (e *CallError) Unwrap() error { return e.Err }

func (rt *Runtime) call(ctx context.Context, from, pid PID, req any, interrupt <-chan struct{}) (any, error) {
	p := rt.table.get(pid.id)
	if p == nil {
		if r := rt.remoteFor(pid); r != nil {
			return rt.callRemote(ctx, r, from, pid, req)
		}
		return nil, &CallError{PID: pid, Err: ErrNoProc}
	}
	c := &call{req: req, from: from, ch: make(chan callResult, 1)}
	return rt.await(ctx, p, c, kCall, interrupt, rt.clock(from), DefaultCallTimeout)
}

// await delivers a call and waits for its answer, until ctx ends, or for
// def if ctx has no deadline (0: as long as it takes), or until interrupt
// is closed.
func (rt *Runtime) await(ctx context.Context, p *Process, c *call, kind itemKind, interrupt <-chan struct{}, clock uint64, def time.Duration) (any, error) {
	if !p.push(item{kind: kind, msg: c, clock: clock}) {
		return nil, &CallError{PID: p.pid, Err: ErrNoProc}
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
	var timeout chan struct{}
	if _, ok := ctx.Deadline(); !ok && def > 0 {
		timeout = make(chan struct{})
		defer rt.timeAfter(def, func() { close(timeout) })()
	}
	select {
	case r := <-c.ch:
		return r.v, r.err
	case <-timeout:
	case <-ctx.Done():
	case <-interrupt:
		if c.state.CompareAndSwap(0, 1) {
			return nil, ErrKilled
		}
	}
	if !c.state.CompareAndSwap(0, 1) {
		r := <-c.ch // answered just in time
		return r.v, r.err
	}
	if err := ctx.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, &CallError{PID: p.pid, Err: err}
	}
	return nil, &CallError{PID: p.pid, Err: ErrTimeout}
}

// callInfinity is [Hooks.CallInfinity].
func (rt *Runtime) callInfinity(ctx context.Context, pid PID, req any) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := rt.table.get(pid.id)
	if p == nil {
		if r := rt.remoteFor(pid); r != nil {
			v, err := r.Call(ctx, PID{}, pid, req)
			return v, remoteErr(pid, err)
		}
		return nil, &CallError{PID: pid, Err: ErrNoProc}
	}
	if ctx.Done() != nil {
		c := &call{req: req, ch: make(chan callResult, 1)}
		ok, sched := p.enqueue(item{kind: kCall, msg: c})
		if !ok {
			return nil, &CallError{PID: pid, Err: ErrNoProc}
		}
		if sched {
			rt.active.Add(1)
			rt.runWarm(p)
		}
		select {
		case r := <-c.ch:
			return r.v, r.err
		case <-ctx.Done():
		}
		if !c.state.CompareAndSwap(0, 1) {
			r := <-c.ch // answered just in time
			return r.v, r.err
		}
		return nil, ctx.Err()
	}
	c := &call{req: req, lazy: true}
	ok, sched := p.enqueue(item{kind: kCall, msg: c})
	if !ok {
		return nil, &CallError{PID: pid, Err: ErrNoProc}
	}
	if sched {
		rt.active.Add(1)
		p.runFor(inlineBudget, c)
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
func (rt *Runtime) Cast(pid PID, msg any) bool { return rt.deliver(PID{}, pid, kCast, msg, 0) }

// Send sends msg to pid's HandleInfo, like send/2. It never blocks, and a
// message to a dead process is dropped; Send reports whether pid was alive
// to receive it.
func (rt *Runtime) Send(pid PID, msg any) bool { return rt.deliver(PID{}, pid, kInfo, msg, 0) }

// deliver puts a cast or a message from from in pid's mailbox. When
// someone listens and pid is traced, an EventSent says who sent it.
func (rt *Runtime) deliver(from, pid PID, kind itemKind, msg any, clock uint64) bool {
	p := rt.table.get(pid.id)
	if p == nil {
		if r := rt.remoteFor(pid); r != nil {
			return r.Deliver(from, pid, msg, kind == kCast)
		}
		return false
	}
	if !rt.listening() {
		return p.push(item{kind: kind, msg: msg, clock: clock})
	}
	p.mu.Lock()
	if p.flags&(fExiting|fDead) != 0 {
		p.mu.Unlock()
		return false
	}
	traced := p.flags&fTraced != 0 || rt.traceAll.Load()
	if traced {
		// before it is delivered: its receipt comes after it
		p.mu.Unlock()
		rt.emit(Event{Kind: EventSent, PID: from, Other: pid, Message: msg, Detail: kindNames[kind], Clock: clock})
		return p.push(item{kind: kind, msg: msg, clock: clock})
	}
	sched := p.pushLocked(item{kind: kind, msg: msg, clock: clock})
	p.mu.Unlock()
	if sched {
		rt.schedule(p)
	}
	return true
}

// clock is [Hooks.Clock].
func (rt *Runtime) clock(pid PID) uint64 {
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
		return &CallError{PID: pid, Err: ErrNoProc}
	}
	ch, ok := rt.watch(pid, nil)
	if !ok {
		return &CallError{PID: pid, Err: ErrNoProc}
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

// Suspend suspends pid, like :sys.suspend/1: once it has handled the
// messages already in its mailbox, it handles only State and Stop requests
// (and exit signals end it as ever) until Resume; messages, calls, casts
// and trapped exits wait in its mailbox, so a call to a suspended process
// times out. Suspend waits for pid to take the request, as State does (if
// ctx ends first, pid may still suspend itself later); suspending a
// suspended process does nothing more.
func (rt *Runtime) Suspend(ctx context.Context, pid PID) error {
	p := rt.table.get(pid.id)
	if p == nil {
		return &CallError{PID: pid, Err: ErrNoProc}
	}
	c := &call{ch: make(chan callResult, 1)}
	_, err := rt.await(ctx, p, c, kSuspend, nil, 0, DefaultCallTimeout)
	return err
}

// Resume resumes a process that Suspend suspended, like :sys.resume/1: it
// handles what waited in its mailbox, in order. It reports false if pid is
// not alive or not suspended.
func (rt *Runtime) Resume(pid PID) bool {
	p := rt.table.get(pid.id)
	if p == nil {
		return false
	}
	p.mu.Lock()
	if !alive(p) || p.flags&fSuspended == 0 {
		p.mu.Unlock()
		return false
	}
	p.flags &^= fSuspended
	sched := p.q.n > 0 && p.wakeLocked()
	p.mu.Unlock()
	if sched {
		rt.schedule(p)
	}
	return true
}

// Suspended reports whether pid is alive and suspended (see Suspend).
func (rt *Runtime) Suspended(pid PID) bool {
	p := rt.table.get(pid.id)
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return alive(p) && p.flags&fSuspended != 0
}

// State returns pid's state, like :sys.get_state/1: what the actor's
// State method returns if it has one ([StateGetter]), otherwise a shallow
// copy of the actor value. It is read by the process itself between
// callbacks, so it waits behind queued messages; errors are as for Call.
func (rt *Runtime) State(ctx context.Context, pid PID) (any, error) {
	p := rt.table.get(pid.id)
	if p == nil {
		return nil, &CallError{PID: pid, Err: ErrNoProc}
	}
	c := &call{ch: make(chan callResult, 1)}
	return rt.await(ctx, p, c, kState, nil, 0, DefaultCallTimeout)
}

// Request is a call in flight, made with [Runtime.SendRequest]; Wait
// takes its reply, as gen_server:send_request/2 and receive_response/2
// split a call in two.
type Request struct {
	pid    PID
	c      *call
	cancel context.CancelFunc // a remote request's, when Wait gives up
}

// SendRequest delivers req to pid's HandleCall and returns at once, the
// request already in pid's mailbox: what the caller sends pid afterwards
// comes after it. The errors are Call's: a [CallError] matching ErrNoProc
// if pid is not alive.
func (rt *Runtime) SendRequest(pid PID, req any) (*Request, error) {
	p := rt.table.get(pid.id)
	if p == nil {
		if r := rt.remoteFor(pid); r != nil {
			return rt.sendRemoteRequest(r, pid, req), nil
		}
		return nil, &CallError{PID: pid, Err: ErrNoProc}
	}
	c := &call{req: req, ch: make(chan callResult, 1)}
	if !p.push(item{kind: kCall, msg: c, clock: rt.clock(PID{})}) {
		return nil, &CallError{PID: pid, Err: ErrNoProc}
	}
	return &Request{pid: pid, c: c}, nil
}

// PID is the process the request was sent to.
func (r *Request) PID() PID { return r.pid }

// Answered reports whether the request has its answer (a reply, or its
// callee's exit), or was given up: whether a Wait returns without waiting
// for anything the callee does.
func (r *Request) Answered() bool { return r.c.state.Load() == 1 }

// Wait waits for the reply until ctx is done; there is no default
// timeout, the caller chose when to wait. A Wait that ends with ctx gives
// the request up, and a reply that comes later is dropped: the error is a
// [CallError] matching ErrTimeout for a deadline, wrapping ctx.Err()
// otherwise. An [ExitError] if the process exited before it replied.
func (r *Request) Wait(ctx context.Context) (any, error) {
	select {
	case res := <-r.c.ch:
		return res.v, res.err
	case <-ctx.Done():
	}
	if !r.c.state.CompareAndSwap(0, 1) {
		res := <-r.c.ch // answered just in time
		return res.v, res.err
	}
	if r.cancel != nil {
		r.cancel()
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, &CallError{PID: r.pid, Err: ErrTimeout}
	}
	return nil, &CallError{PID: r.pid, Err: ctx.Err()}
}
