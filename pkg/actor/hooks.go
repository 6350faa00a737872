package actor

import (
	"context"
	"time"
)

// Hooks are the runtime's calls for packages built on it, not for the
// programs that use them: pkg/registry records names with Attach, Detach
// and Attached; pkg/supervisor makes its requests with CallInfinity, stops
// children with ExitNow and times shutdowns with AfterFunc; both report
// decisions with Emit; tools such as the shell set a process's trap flag
// from outside (SetTrapExit), trace every process (TraceAll) and read a
// process's logical clock, behaviour and parent cheaply. An application
// has what it needs on [Runtime].
type Hooks struct{ rt *Runtime }

// Hooks returns the runtime's calls for packages built on it.
func (rt *Runtime) Hooks() Hooks { return Hooks{rt} }

// Attach records that c holds key for pid, running add while pid is
// guaranteed not to be exiting, so that add's entry is either never made or
// surely cleaned up. It returns ErrNoProc if pid is not alive, or add's
// error (in which case nothing is recorded). Attaching the same (c, key)
// twice records it once. add must not call back into the runtime for pid.
func (h Hooks) Attach(pid PID, c Cleaner, key string, add func() error) error {
	return h.rt.attach(pid, c, key, add)
}

// Detach removes the record of (c, key) for pid, running remove under the
// same guarantee as Attach; if remove returns false (pid still has entries
// under key), the record stays. It does nothing if pid is not alive (its
// entries are being or have been cleaned up).
func (h Hooks) Detach(pid PID, c Cleaner, key string, remove func() (gone bool)) {
	h.rt.detach(pid, c, key, remove)
}

// Attached returns the keys c holds for pid, in no particular order.
func (h Hooks) Attached(pid PID, c Cleaner) []string { return h.rt.attached(pid, c) }

// Emit sends e to every subscriber (see [Runtime.Subscribe]). Packages
// built on the runtime (the registry, supervisors) report their decisions
// with it. It only queues e: no subscriber runs on the caller's goroutine,
// so a caller may emit while it holds locks or runs a process's callback.
//
// A subscriber that panics is unsubscribed (whatever state it keeps is
// suspect), and the others receive an [EventSubscriberPanicked] whose
// Reason is the [PanicError].
func (h Hooks) Emit(e Event) { h.rt.emit(e) }

// Listening reports whether any subscriber is listening, so that packages
// emitting events can skip building them.
func (h Hooks) Listening() bool { return h.rt.listening() }

// CallInfinity is Call with timeout infinity, as OTP's supervisor calls
// (start_child and the like) are made: it waits for the reply however
// long the callee takes, unless ctx ends first, and returns errors as Call
// does (ctx.Err() itself when ctx ends: the request may still be carried
// out).
//
// With a ctx that can never end (context.Background()), an idle callee
// runs on the caller's goroutine until it has answered this call, and
// then on a goroutine of its own: that spares the two goroutine switches
// of a Call, which is what makes a supervisor's start_child cheap, and the
// caller never runs anybody else's requests. With a ctx that can end, the
// callee runs on its own goroutine so that the caller can stop waiting.
//
// For packages built on the runtime.
func (h Hooks) CallInfinity(ctx context.Context, pid PID, req any) (any, error) {
	return h.rt.callInfinity(ctx, pid, req)
}

// ExitNow is [Runtime.Exit], except that when the signal ends the target,
// the target exits on the calling goroutine: its registrations are gone
// and its links and monitors have been told before ExitNow returns, and
// exited reports so (a trapping target that receives the signal as a
// message has not exited). A process that stops many others at once, as a supervisor
// shutting down its children does, so pays for no goroutine per target.
//
// The target's exit runs registry cleanup and event subscribers on the
// calling goroutine, so the caller must not hold a lock they take (such as
// a registry partition's, inside a registry's Scan or Select callback).
//
// When the target has exited, at is the exit's logical clock: a process
// that goes on after stopping another passes it to Learn, so that what it
// does next comes after the exit in causal order.
func (h Hooks) ExitNow(from, to PID, reason error) (ok, exited bool, at uint64) {
	return h.rt.exitNow(from, to, reason)
}

// SetTrapExit turns trapping of exit signals on or off for pid from
// outside the process, like Process.flag/2 run by the process itself. The
// shell uses it for its trap command. It returns ErrNoProc if pid is not
// alive.
func (h Hooks) SetTrapExit(pid PID, on bool) error { return h.rt.setTrapExit(pid, on) }

// TraceAll turns tracing of every process on or off, including processes
// started later. Per-process settings from [Runtime.Trace] add to it.
func (h Hooks) TraceAll(on bool) { h.rt.setTraceAll(on) }

// Clock returns pid's logical clock (see [Process.Clock]), or 0 if pid is
// not alive or is the zero PID (the outside world).
func (h Hooks) Clock(pid PID) uint64 { return h.rt.clock(pid) }

// WatchExit is [Runtime.Watch] for a process that waits for another to
// exit, as a supervisor stopping a child does: once exited has fired,
// clock returns the exit's logical clock, to pass to Learn, so that what
// the waiter does next comes after the exit in causal order. clock returns
// 0 if pid was not alive.
func (h Hooks) WatchExit(pid PID) (exited <-chan error, clock func() uint64) {
	return h.rt.watchExit(pid)
}

// Learn advances pid's logical clock past clock, as taking a message sent
// at clock would. Only pid's own goroutine, or goroutines it waits for,
// may call it (a process learning of an exit it waited for, see
// WatchExit).
func (h Hooks) Learn(pid PID, clock uint64) { h.rt.learn(pid, clock) }

// Behaviour returns what pid is (see [Behaviour]) without taking a full
// [Info] snapshot, or false if pid is not alive.
func (h Hooks) Behaviour(pid PID) (string, bool) { return h.rt.behaviour(pid) }

// Parent returns pid's parent (see [Process.Parent]) without a full
// [Info] snapshot, or false if pid is not alive.
func (h Hooks) Parent(pid PID) (PID, bool) { return h.rt.parent(pid) }

// AfterFunc runs f once d has passed on the runtime's time, unless stop
// is called first; see [TimeSource]. For packages built on the runtime
// (supervisors time shutdowns with it); a process wants SendAfter.
func (h Hooks) AfterFunc(d time.Duration, f func()) (stop func() bool) { return h.rt.timeAfter(d, f) }

// SubscribeInline is [Runtime.Subscribe], except that fn runs on the
// goroutine where the event happens, before the emitter goes on: for a
// tool that must look at the runtime as it is at that moment (the shell
// names processes by the registry entries they have while it narrates).
// fn must be quick, must not block, and must not call a process (it may
// be that process's own goroutine, which would then wait on itself);
// reading Info, registries and the like is fine.
func (h Hooks) SubscribeInline(fn func(Event)) (cancel func()) { return h.rt.subscribeInline(fn) }

// Active returns how many goroutines own a process now (running its
// callbacks, or about to) or are inside Spawn: zero when the runtime is
// quiescent. A tool that knows some processes are stuck in a long
// callback can wait until Active is down to them instead of for ever.
func (h Hooks) Active() int64 { return h.rt.active.Load() }

// Zombies returns how many processes have exited while their goroutine
// is still inside a callback (a kill ends a process at once; Go cannot
// stop the goroutine). Each still counts in Active until it returns, so a
// tool waiting for Active to fall allows for them.
func (h Hooks) Zombies() int {
	h.rt.zombieMu.Lock()
	defer h.rt.zombieMu.Unlock()
	return len(h.rt.zombies)
}

// Running calls f for each process a goroutine owns now, in PID order,
// with how many messages it has handled so far: a process whose count
// does not move while it runs is inside one long callback. It takes each
// process's lock in turn, so it costs a walk of the PID table.
func (h Hooks) Running(f func(pid PID, handled uint64)) {
	h.rt.table.each(func(p *Process) bool {
		p.mu.Lock()
		running := p.flags&fRunning != 0 && alive(p)
		handled := p.handled - uint64(p.batch.Load()&^sigUrgent)
		p.mu.Unlock()
		if running {
			f(p.pid, handled)
		}
		return true
	})
}
