package actor

import (
	"context"
	"errors"
	"slices"
)

// Exit sends an exit signal with reason from from to to, like
// Process.exit/2 (from is the zero PID when the signal comes from outside
// any process, such as the shell). What the target does with it:
//
//   - ErrKill: the target exits with ErrKilled, even if it traps exits.
//   - the target traps exits: it receives an [Exit] message.
//   - ErrNormal: ignored, unless the target sent it to itself.
//   - any other reason: the target exits with that reason.
//
// Exit signals do not wait behind the target's queued messages. One that
// ends the target ends it at once, even in the middle of a callback: its
// exit (names gone, links, monitors and callers told) happens on a
// goroutine of the runtime's, and the callback, which Go cannot stop,
// works for nobody from then on (see [Process.Done]). Exit reports false
// if the target does not exist.
func (rt *Runtime) Exit(from, to PID, reason error) bool {
	ok, _, _ := rt.signal(from, to, reason, false)
	return ok
}

// exitNow is [Hooks.ExitNow].
func (rt *Runtime) exitNow(from, to PID, reason error) (ok, exited bool, at uint64) {
	return rt.signal(from, to, reason, true)
}

// signal is Exit and ExitNow: a direct exit signal, announced by an event.
func (rt *Runtime) signal(from, to PID, reason error, now bool) (ok, exited bool, at uint64) {
	if reason == nil {
		reason = ErrNormal
	}
	if r := rt.remoteFor(to); r != nil {
		return r.Exit(from, to, reason), false, 0
	}
	clock := rt.clock(from)
	if rt.listening() && rt.Alive(to) {
		// The event goes out before the signal is delivered: once delivered,
		// the target may exit (and report it) before this goroutine runs again.
		rt.emit(Event{Kind: EventSignal, PID: to, Other: from, Reason: reason, Clock: clock})
	}
	inline := 0
	if now {
		inline = maxInlineExits
	}
	return rt.exitSignal(from, to, reason, viaNone, inline, clock)
}

// catchUp advances pid's clock to clock if it is behind: it knows of what
// happened up to clock, and what it does next comes at clock or after.
func (rt *Runtime) catchUp(pid PID, clock uint64) {
	if pid.IsZero() {
		return
	}
	p := rt.table.get(pid.id)
	if p == nil {
		return
	}
	for {
		c := p.clock.Load()
		if c >= clock || p.clock.CompareAndSwap(c, clock) {
			return
		}
	}
}

// learn advances pid's clock past clock, as taking a message sent at clock
// would. Only pid's own goroutine, or goroutines it waits for, may call
// it: not tick, since the goroutines of a DynamicSupervisor's parallel
// shutdown learn of their children's exits at once, and none may lose
// another's (catchUp compares and swaps).
func (rt *Runtime) learn(pid PID, clock uint64) { rt.catchUp(pid, clock+1) }

// SignalEffect is the rule of exit signals, for the runtime and for tools
// that say what a signal would do (actorsh's kill --dry-run): a signal
// with reason to a process (trapExit: it traps exits) ends it with fatal,
// or, with trapped, arrives as an [Exit] message; with neither it is
// ignored (normal, from another process, not trapped). link says the
// signal comes along a link, where kill is the trappable killed; self
// that a process signals itself.
func SignalEffect(reason error, trapExit, link, self bool) (fatal error, trapped bool) {
	if link && errors.Is(reason, ErrKill) {
		reason = ErrKilled // kill is untrappable only when sent directly
	}
	switch {
	case errors.Is(reason, ErrKill):
		return ErrKilled, false
	case trapExit:
		return nil, true
	case errors.Is(reason, ErrNormal) && !self:
		return nil, false
	}
	return reason, false
}

// exitSignal delivers an exit signal. A signal that travels along a link
// (via is viaLink or viaChild) is sent by the dying end of a link that to
// had with it; it removes the link and is void if the link was already gone
// (after Unlink, no signal arrives through it). viaChild is the link from a
// child to its parent, which the parent does not record (see linkParent).
//
// With inline above 0, a signal that makes the target exit runs its exit
// on the calling goroutine (see ExitNow), and exited reports that it has,
// with the exit's clock; the target's linked children may exit inline in
// turn, nested at most inline deep.
func (rt *Runtime) exitSignal(from, to PID, reason error, via linkKind, inline int, clock uint64) (ok, exited bool, at uint64) {
	p := rt.table.get(to.id)
	if p == nil {
		if r := rt.remoteFor(to); r != nil && via == viaLink {
			r.LinkExit(from, to, reason)
			return true, false, 0
		}
		return false, false, 0
	}
	if via == viaLink && rt.listening() && !errors.Is(reason, ErrNormal) {
		// Announced before it is delivered, as a direct signal is, so that
		// what it causes comes after it.
		rt.emit(Event{Kind: EventSignal, PID: to, Other: from, Reason: reason, Detail: "link", Clock: clock})
	}
	p.mu.Lock()
	if p.flags&(fExiting|fDead) != 0 {
		p.mu.Unlock()
		return false, false, 0
	}
	switch via {
	case viaLink:
		if !p.unlinkLocked(from) {
			p.mu.Unlock()
			return true, false, 0
		}
	case viaChild:
		if p.ext != nil && p.ext.childLinks > 0 {
			p.ext.childLinks--
		}
	}
	fatal, trapped := SignalEffect(reason, p.flags&fTrap != 0, via != viaNone, from == to)
	if fatal == nil && !trapped { // a non-trapping process ignores a normal exit from another
		p.mu.Unlock()
		return true, false, 0
	}
	if trapped { // a message
		if via != viaNone && errors.Is(reason, ErrKill) {
			reason = ErrKilled // as the message says it
		}
		sched := p.pushLocked(item{kind: kExit, msg: Exit{From: from, Reason: reason}, clock: clock})
		p.mu.Unlock()
		if sched {
			rt.schedule(p)
		}
		return true, false, 0
	}
	if p.flags&fRunning == 0 {
		if inline == 0 {
			sched := p.setFatalLocked(fatal, clock)
			p.mu.Unlock()
			if sched {
				rt.schedule(p)
			}
			return true, false, 0
		}
		// Idle, so now it is ours: it exits here, running no callback.
		// Signals and messages that arrive meanwhile find it exiting. Only
		// a process with extended state (a Done channel to close, a timer)
		// needs the reason recorded first.
		if p.ext != nil {
			p.setFatalLocked(fatal, clock)
		}
		p.flags |= fRunning | fExiting
		p.tick(clock)
		at = p.Clock()
		p.mu.Unlock()
		rt.active.Add(1)
		p.exit(fatal, at, nil, inline-1)
		rt.idle()
		return true, true, at
	}
	// A goroutine owns the process, inside a callback or about to run one:
	// the process exits now all the same (see reapLocked), here for
	// ExitNow, on a goroutine of the runtime's for Exit, so that the
	// caller never runs another process's exit unasked.
	p.setFatalLocked(fatal, clock)
	at = p.reapLocked(clock)
	p.mu.Unlock()
	rt.active.Add(1)
	if inline > 0 {
		p.exit(fatal, at, nil, inline-1)
		rt.idle()
		return true, true, at
	}
	exitAt := at
	go func() {
		p.exit(fatal, exitAt, nil, maxInlineExits)
		rt.idle()
	}()
	return true, false, 0
}

// maxInlineExits bounds how deep a process's exit runs the exits of its
// children, and theirs, on its own goroutine (see Process.exit): deeper
// ones are signalled and exit on their own goroutines, as any signal's
// target does.
const maxInlineExits = 64

// linkKind says how an exit signal travels.
type linkKind uint8

const (
	viaNone  linkKind = iota // sent directly, as by Exit
	viaLink                  // along a link the receiver records
	viaChild                 // from a child along its parent link
)

// unlinkLocked removes a link to other that p records (its parent link, or
// one in its link set), reporting whether there was one.
func (p *Process) unlinkLocked(other PID) bool {
	if p.flags&fParentLink != 0 && p.parent == other {
		p.flags &^= fParentLink
		return true
	}
	return p.ext != nil && p.ext.links.remove(other)
}

// parentLinked reports whether c is linked to p as p's child. Only the
// child records that link (a flag), so that a supervisor with a million
// children keeps no set of them; the parent counts them (childLinks) and,
// when it dies, finds them in the PID table.
func parentLinked(p, c *Process) bool {
	return c.flags&fParentLink != 0 && c.parent == p.pid
}

// linkedLocked reports whether a and b, both locked, are linked.
func linkedLocked(a, b *Process) bool {
	return parentLinked(a, b) || parentLinked(b, a) || (a.ext != nil && a.ext.links.has(b.pid))
}

// unlinkChildLocked removes c's parent link to p, both locked.
func unlinkChildLocked(p, c *Process) {
	if parentLinked(p, c) {
		c.flags &^= fParentLink
		if alive(p) && p.ext != nil && p.ext.childLinks > 0 { // a dying p reads it unlocked
			p.ext.childLinks--
		}
	}
}

// lockPair locks two distinct processes in PID order.
func lockPair(a, b *Process) {
	if a.pid.id < b.pid.id {
		a.mu.Lock()
		b.mu.Lock()
	} else {
		b.mu.Lock()
		a.mu.Lock()
	}
}

func alive(p *Process) bool { return p.flags&(fExiting|fDead) == 0 }

// Link links a and b, like link/1: when either exits, the other receives
// an exit signal with its reason. Linking twice is the same as once, and
// linking a process to itself does nothing. If either process does not
// exist, Link changes nothing and returns ErrNoProc.
func (rt *Runtime) Link(a, b PID) error {
	if a.IsRemote() && !b.IsRemote() {
		a, b = b, a
	}
	if r := rt.remoteFor(b); r != nil && !a.IsRemote() {
		pa := rt.lockLive(a)
		if pa == nil {
			return ErrNoProc
		}
		added := pa.x().links.add(b)
		pa.mu.Unlock()
		if added {
			r.Link(a, b)
		}
		return nil
	}
	pa, pb := rt.table.get(a.id), rt.table.get(b.id)
	if pa == nil || pb == nil {
		return ErrNoProc
	}
	if pa == pb {
		return nil
	}
	lockPair(pa, pb)
	defer pa.mu.Unlock()
	defer pb.mu.Unlock()
	if !alive(pa) || !alive(pb) {
		return ErrNoProc
	}
	if linkedLocked(pa, pb) {
		return nil
	}
	pa.x().links.add(b)
	pb.x().links.add(a)
	return nil
}

// Unlink removes the link between a and b, if any, like unlink/1. After it
// returns, no exit signal travels through that link.
func (rt *Runtime) Unlink(a, b PID) {
	if a.IsRemote() && !b.IsRemote() {
		a, b = b, a
	}
	if r := rt.remoteFor(b); r != nil && !a.IsRemote() {
		if pa := rt.lockLive(a); pa != nil {
			was := pa.unlinkLocked(b)
			pa.mu.Unlock()
			if was {
				r.Unlink(a, b)
			}
		}
		return
	}
	pa, pb := rt.table.get(a.id), rt.table.get(b.id)
	switch {
	case pa == nil && pb == nil, pa == pb:
		return
	case pa == nil:
		pb.mu.Lock()
		if alive(pb) {
			pb.unlinkLocked(a)
		}
		pb.mu.Unlock()
	case pb == nil:
		pa.mu.Lock()
		if alive(pa) {
			pa.unlinkLocked(b)
		}
		pa.mu.Unlock()
	default:
		lockPair(pa, pb)
		unlinkChildLocked(pa, pb)
		unlinkChildLocked(pb, pa)
		if alive(pa) {
			pa.unlinkLocked(b)
		}
		if alive(pb) {
			pb.unlinkLocked(a)
		}
		pa.mu.Unlock()
		pb.mu.Unlock()
	}
}

// MakeRef returns a new reference, unique in the runtime, like
// make_ref/0. Monitors take theirs from the same sequence.
func (rt *Runtime) MakeRef() Ref { return Ref{n: rt.refs.Add(1)} }

// Monitor makes watcher monitor target, like Process.monitor/1: when target
// exits, watcher receives a [Down] message with the returned Ref and the
// reason. If target does not exist, the Down message (reason ErrNoProc)
// arrives at once. A watcher may monitor a process more than once; each
// monitor fires once.
func (rt *Runtime) Monitor(watcher, target PID) Ref {
	ref := Ref{n: rt.refs.Add(1)}
	if r := rt.remoteFor(target); r != nil {
		if pw := rt.lockLive(watcher); pw != nil {
			pw.x().holdMonitor(ref, target)
			pw.mu.Unlock()
			r.Monitor(watcher, target, ref)
		}
		return ref
	}
	pt := rt.table.get(target.id)
	if pt != nil {
		pt.mu.Lock()
		if alive(pt) {
			pt.x().addWatcher(ref, watcher)
			pt.mu.Unlock()
			if pw := rt.table.get(watcher.id); pw != nil && pw != pt {
				pw.mu.Lock()
				if alive(pw) {
					pw.x().holdMonitor(ref, target)
				}
				pw.mu.Unlock()
			}
			return ref
		}
		pt.mu.Unlock()
	}
	if pw := rt.table.get(watcher.id); pw != nil {
		clock := rt.clock(watcher)
		if pw.push(item{kind: kDown, msg: Down{Ref: ref, PID: target, Reason: ErrNoProc}, clock: clock}) && rt.listening() {
			rt.emit(Event{Kind: EventDown, PID: watcher, Other: target, Reason: ErrNoProc, Clock: clock + 1})
		}
	}
	return ref
}

// Demonitor removes a monitor that watcher holds, like
// Process.demonitor/1, and reports whether watcher held it (as
// erlang:demonitor(Ref, [info]) does). A Down message already delivered
// stays in the mailbox.
func (rt *Runtime) Demonitor(watcher PID, ref Ref) bool {
	pw := rt.table.get(watcher.id)
	if pw == nil {
		return false
	}
	pw.mu.Lock()
	var target PID
	var ok bool
	if alive(pw) && pw.ext != nil {
		target, ok = pw.ext.monitors[ref]
		delete(pw.ext.monitors, ref)
	}
	pw.mu.Unlock()
	if !ok {
		return false
	}
	if r := rt.remoteFor(target); r != nil {
		r.Demonitor(watcher, target, ref)
		return true
	}
	if pt := rt.table.get(target.id); pt != nil {
		pt.mu.Lock()
		if alive(pt) && pt.ext != nil {
			delete(pt.ext.monitoredBy, ref)
		}
		pt.mu.Unlock()
	}
	return true
}

// deliverDown gives watcher the DOWN of its monitor ref of pid. With
// heldOnly it does so only if watcher still holds the monitor (a DOWN
// that comes from another node may cross a Demonitor).
func (rt *Runtime) deliverDown(watcher PID, ref Ref, pid PID, reason error, clock uint64, heldOnly bool) bool {
	pw := rt.table.get(watcher.id)
	if pw == nil {
		if r := rt.remoteFor(watcher); r != nil {
			r.Down(watcher, ref, pid, reason)
		}
		return false
	}
	pw.mu.Lock()
	held := pw.ext != nil && pw.ext.monitors[ref] == pid
	if !alive(pw) || heldOnly && !held {
		pw.mu.Unlock()
		return false
	}
	if pw.ext != nil {
		delete(pw.ext.monitors, ref)
	}
	sched := pw.pushLocked(item{kind: kDown, msg: Down{Ref: ref, PID: pid, Reason: reason}, clock: clock})
	pw.mu.Unlock()
	if sched {
		rt.schedule(pw)
	}
	if rt.listening() {
		// One past the exit's clock: the DOWN is its effect, and narration
		// puts a cause first.
		rt.emit(Event{Kind: EventDown, PID: watcher, Other: pid, Reason: reason, Clock: clock + 1})
	}
	return true
}

// Wait blocks until pid exits and returns its exit reason, or returns
// ErrNoProc at once if pid does not exist, or ctx.Err() if ctx ends first.
// It is the Go-side counterpart of a monitor, for code that is not itself a
// process (tests, the shell, a supervisor stopping its children).
func (rt *Runtime) Wait(ctx context.Context, pid PID) (reason error, err error) {
	ch, ok := rt.watch(pid, nil)
	if !ok {
		return nil, &CallError{PID: pid, Err: ErrNoProc}
	}
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		rt.unwatch(pid, ch)
		return nil, ctx.Err()
	}
}

// Watch returns a channel that receives pid's exit reason when it exits,
// or ErrNoProc at once if pid is not alive: the Go-side counterpart of
// Process.monitor/1 for code that is not a process. Unlike Wait it does
// not block, so the watch is in place before the caller goes on (to kill
// pid, say). The channel is buffered: nobody need read it.
//
// cancel removes the watch, like Process.demonitor/1: after it, the
// channel receives nothing more. Call it when you stop caring (a request
// that watched a long-lived server, say), or the watch stays until pid
// exits. Calling cancel twice, or after the exit, does nothing.
func (rt *Runtime) Watch(pid PID) (exited <-chan error, cancel func()) {
	ch, ok := rt.watch(pid, nil)
	if !ok {
		return gone(), func() {}
	}
	return ch, func() { rt.unwatch(pid, ch) }
}

// gone is the channel a watch of a process that is not alive gets: it
// holds ErrNoProc already.
func gone() <-chan error {
	ch := make(chan error, 1)
	ch <- ErrNoProc
	return ch
}

// waiter is one Watch: the channel that gets the exit reason and, if
// set, where the exit's logical clock is written before it does.
type waiter struct {
	ch    chan error
	clock *uint64
}

// watch registers a channel that receives pid's exit reason, and writes
// the exit's clock to clock first if it is not nil.
func (rt *Runtime) watch(pid PID, clock *uint64) (chan error, bool) {
	p := rt.table.get(pid.id)
	if p == nil {
		return nil, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.flags&fDead != 0 {
		return nil, false
	}
	ch := make(chan error, 1)
	x := p.x()
	x.waiters = append(x.waiters, waiter{ch, clock})
	return ch, true
}

// watchExit is Watch without a cancel, for a process that waits for
// another's exit: once exited has fired, clock returns the exit's logical
// clock (0 if pid was not alive).
func (rt *Runtime) watchExit(pid PID) (exited <-chan error, clock func() uint64) {
	at := new(uint64)
	ch, ok := rt.watch(pid, at)
	if !ok {
		return gone(), func() uint64 { return 0 }
	}
	return ch, func() uint64 { return *at }
}

func (rt *Runtime) unwatch(pid PID, ch chan error) {
	p := rt.table.get(pid.id)
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.flags&fDead != 0 || p.ext == nil {
		return
	}
	for i, w := range p.ext.waiters {
		if w.ch == ch {
			p.ext.waiters = slices.Delete(p.ext.waiters, i, i+1)
			break
		}
	}
}

// lockLive returns pid's process locked, or nil if it is not alive
// (dying counts as not alive).
func (rt *Runtime) lockLive(pid PID) *Process {
	p := rt.table.get(pid.id)
	if p == nil {
		return nil
	}
	p.mu.Lock()
	if !alive(p) {
		p.mu.Unlock()
		return nil
	}
	return p
}

// setTrapExit is [Hooks.SetTrapExit].
func (rt *Runtime) setTrapExit(pid PID, on bool) error {
	p := rt.lockLive(pid)
	if p == nil {
		return ErrNoProc
	}
	defer p.mu.Unlock()
	p.setTrapLocked(on)
	return nil
}

// Alive reports whether pid names a live process, like
// Process.alive?/1. A process counts as alive until its registrations are
// gone, so a name lookup never returns a PID for which Alive is false at
// the time of the lookup.
func (rt *Runtime) Alive(pid PID) bool {
	p := rt.table.get(pid.id)
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.flags&fDead == 0
}

// eachChild calls f for every live process in children (p's list of the
// children that linked to it as their parent) whose parent is p: the
// candidates for p's child links, which the children record.
func (rt *Runtime) eachChild(p *Process, children []PID, f func(c *Process)) {
	for _, pid := range children {
		if c := rt.table.get(pid.id); c != nil && c.parent == p.pid {
			f(c)
		}
	}
}
