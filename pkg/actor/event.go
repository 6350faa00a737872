package actor

import (
	"sync/atomic"
	"time"
)

// EventKind says what an [Event] reports.
type EventKind uint8

// The kinds of events.
const (
	EventSpawned            EventKind = iota + 1 // PID started; Other is its parent, Name its via name, Detail its behaviour
	EventExited                                  // PID exited with Reason; Other is its parent, Name its first registered name
	EventSignal                                  // an exit signal with Reason was sent to PID by Other (zero: from outside)
	EventRestarted                               // supervisor Supervisor restarted child Name: PID exited with Reason, Other is the new PID
	EventNotRestarted                            // supervisor Supervisor did not restart child Name (PID) after Reason; Detail says why
	EventRestartFailed                           // supervisor Supervisor could not restart child Name: Reason is the start error
	EventGaveUp                                  // supervisor PID exceeded its restart intensity and is stopping its children
	EventRegistered                              // PID registered Name in registry Detail
	EventUnregistered                            // PID unregistered Name in registry Detail
	EventReceived                                // traced process PID took Message from its mailbox; Detail is call, cast, info, exit, down, stop
	EventDown                                    // a monitor held by PID fired: Other exited with Reason
	EventSubscriberPanicked                      // a subscriber panicked (Reason is the PanicError) and was unsubscribed
)

var eventKindNames = [...]string{
	EventSpawned:       "spawned",
	EventExited:        "exited",
	EventSignal:        "signal",
	EventRestarted:     "restarted",
	EventNotRestarted:  "not_restarted",
	EventRestartFailed: "restart_failed",
	EventGaveUp:        "gave_up",
	EventRegistered:    "registered",
	EventUnregistered:  "unregistered",
	EventReceived:      "received",
	EventDown:          "down",

	EventSubscriberPanicked: "subscriber_panicked",
}

// String returns the kind's name, as used in the shell's JSON output.
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && eventKindNames[k] != "" {
		return eventKindNames[k]
	}
	return "unknown"
}

// Event reports something that happened in the runtime, for narration and
// tracing. Which fields are set depends on Kind (see the kinds).
type Event struct {
	Kind       EventKind
	PID        PID
	Other      PID
	Supervisor PID
	Name       string
	Reason     error
	Detail     string
	Message    any
	// Restart budget, for supervisor events: Restarts within Window so far,
	// and the most allowed (MaxRestarts).
	Restarts    int
	MaxRestarts int
	Window      time.Duration
	// Clock is the logical clock of the process where the event happened
	// (see [Process.Clock]): an event caused by another has a larger
	// clock, whatever goroutine reported it first.
	Clock uint64
}

type subscriber struct {
	fn        func(Event)
	cancel    func()
	cancelled atomic.Bool
}

// Subscribe calls fn for every event from now on, until the returned
// function is called. fn runs on the goroutine where the event happened,
// so it must be quick and must not block; events that are causally ordered
// (an exit and the restart it caused) reach fn in that order. With no
// subscriber, the runtime does not build events at all.
func (rt *Runtime) Subscribe(fn func(Event)) (cancel func()) {
	s := &subscriber{fn: fn}
	rt.subMu.Lock()
	var cur []*subscriber
	if p := rt.subs.Load(); p != nil {
		cur = *p
	}
	next := append(append([]*subscriber(nil), cur...), s)
	rt.subs.Store(&next)
	rt.subMu.Unlock()
	s.cancel = func() {
		if !s.cancelled.CompareAndSwap(false, true) {
			return
		}
		rt.subMu.Lock()
		defer rt.subMu.Unlock()
		var next []*subscriber
		for _, t := range *rt.subs.Load() {
			if t != s {
				next = append(next, t)
			}
		}
		if len(next) == 0 {
			rt.subs.Store(nil)
		} else {
			rt.subs.Store(&next)
		}
	}
	return s.cancel
}

// listening reports whether anyone subscribed: the cheap check that guards
// building an event.
func (rt *Runtime) listening() bool { return rt.subs.Load() != nil }

// emit is [Hooks.Emit].
func (rt *Runtime) emit(e Event) {
	p := rt.subs.Load()
	if p == nil {
		return
	}
	for _, s := range *p {
		if s.cancelled.Load() {
			continue
		}
		if perr := s.deliver(e); perr != nil {
			if rt.opts.PassThroughPanics {
				panic(perr.Value)
			}
			s.cancel()
			rt.emit(Event{Kind: EventSubscriberPanicked, Reason: perr, Clock: e.Clock})
		}
	}
}

// deliver calls the subscriber, returning its panic if it panics.
func (s *subscriber) deliver(e Event) (perr *PanicError) {
	defer func() {
		if r := recover(); r != nil {
			perr = newPanicError(r)
		}
	}()
	s.fn(e)
	return nil
}

// Trace turns tracing of pid on or off: while on, every item it takes from
// its mailbox is an EventReceived. It reports false if pid is not alive.
func (rt *Runtime) Trace(pid PID, on bool) bool {
	p := rt.lockLive(pid)
	if p == nil {
		return false
	}
	defer p.mu.Unlock()
	if on {
		p.flags |= fTraced
	} else {
		p.flags &^= fTraced
	}
	return true
}

// setTraceAll is [Hooks.TraceAll].
func (rt *Runtime) setTraceAll(on bool) { rt.traceAll.Store(on) }

var kindNames = [...]string{kInfo: "info", kCast: "cast", kCall: "call", kExit: "exit", kDown: "down", kTimeout: "timeout", kStop: "stop", kState: "state"}

func (rt *Runtime) traceReceive(p *Process, it item) {
	if !rt.listening() {
		return
	}
	msg := it.msg
	switch m := msg.(type) {
	case *call:
		msg = m.req
	}
	rt.emit(Event{Kind: EventReceived, PID: p.pid, Message: msg, Detail: kindNames[it.kind], Clock: p.Clock()})
}
