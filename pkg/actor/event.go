package actor

import (
	"sync"
	"sync/atomic"
	"time"
)

// EventKind says what an [Event] reports.
type EventKind uint8

// The kinds of events.
const (
	EventSpawned            EventKind = iota + 1 // PID started; Other is its parent, Name its via name, Detail its behaviour
	EventExited                                  // PID exited with Reason; Other is its parent, Name its first registered name
	EventSignal                                  // an exit signal with Reason was sent to PID by Other (zero: from outside); Detail is "link" for one along a link
	EventRestarted                               // supervisor Supervisor restarted child Name: PID exited with Reason, Other is the new PID
	EventNotRestarted                            // supervisor Supervisor did not restart child Name (PID) after Reason; Detail says why
	EventRestartFailed                           // supervisor Supervisor could not restart child Name: Reason is the start error
	EventGaveUp                                  // supervisor PID exceeded its restart intensity and is stopping its children
	EventRegistered                              // PID registered Name in registry Detail
	EventUnregistered                            // PID unregistered Name in registry Detail
	EventReceived                                // traced process PID took Message from its mailbox; Detail is call, cast, info, exit, down, stop; Other is a call's caller (zero: from outside)
	EventDown                                    // a monitor held by PID fired: Other exited with Reason
	EventSubscriberPanicked                      // a subscriber panicked (Reason is the PanicError) and was unsubscribed
	EventHandled                                 // traced process PID handled what its EventReceived told; Message is a call's reply, State its new state
	EventSent                                    // process PID (zero: from outside) sent Message to traced process Other; Detail is cast or info
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
	EventHandled:            "handled",
	EventSent:               "sent",
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
	// State is a traced process's state after it handled an item
	// (EventHandled), as State would return it.
	State any
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

// subscriber is one Subscribe: its function and the events waiting for
// it. Events are queued where they happen and delivered by a goroutine of
// the runtime's that runs only while the queue is not empty (counted as
// active, so Quiesce waits for the events to be delivered).
type subscriber struct {
	rt        *Runtime
	fn        func(Event)
	inline    bool // fn runs where the event happens: see SubscribeInline
	cancel    func()
	cancelled atomic.Bool

	mu      sync.Mutex
	q       []Event
	running bool
}

// Subscribe calls fn for every event from now on, until the returned
// function is called, with no subscriber's events lost or reordered:
// events reach fn one at a time in the order they were emitted, so events
// that are causally ordered (an exit and the restart it caused) arrive in
// that order. fn runs on a goroutine of the runtime's, not on the one
// where the event happened: it may block and may call into the runtime,
// even the process that emitted the event (a slow fn only makes events
// wait for it, in memory). [Runtime.Quiesce] waits until every event so
// far has been delivered. With no subscriber, the runtime does not build
// events at all.
func (rt *Runtime) Subscribe(fn func(Event)) (cancel func()) {
	return rt.subscribe(fn, false)
}

// subscribeInline is [Hooks.SubscribeInline].
func (rt *Runtime) subscribeInline(fn func(Event)) (cancel func()) {
	return rt.subscribe(fn, true)
}

func (rt *Runtime) subscribe(fn func(Event), inline bool) (cancel func()) {
	s := &subscriber{rt: rt, fn: fn, inline: inline}
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
		s.push(e)
	}
}

// push queues e for the subscriber, starting its delivery goroutine if
// none runs.
func (s *subscriber) push(e Event) {
	if s.cancelled.Load() {
		return
	}
	if s.inline {
		s.deliver(e)
		return
	}
	s.mu.Lock()
	s.q = append(s.q, e)
	if s.running {
		s.mu.Unlock()
		return
	}
	s.running = true
	s.mu.Unlock()
	s.rt.active.Add(1)
	go s.drain()
}

// drain delivers the queued events until there are none.
func (s *subscriber) drain() {
	var batch []Event
	for {
		s.mu.Lock()
		if len(s.q) == 0 || s.cancelled.Load() {
			s.q = nil
			s.running = false
			s.mu.Unlock()
			s.rt.idle()
			return
		}
		batch, s.q = s.q, batch[:0]
		s.mu.Unlock()
		for i := range batch {
			if !s.cancelled.Load() {
				s.deliver(batch[i])
			}
			batch[i] = Event{}
		}
	}
}

// deliver calls the subscriber. One that panics is unsubscribed, and the
// others hear of it.
func (s *subscriber) deliver(e Event) {
	defer func() {
		if r := recover(); r != nil {
			if s.rt.opts.PassThroughPanics {
				panic(r)
			}
			s.cancel()
			s.rt.emit(Event{Kind: EventSubscriberPanicked, Reason: newPanicError(r), Clock: e.Clock})
		}
	}()
	s.fn(e)
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

var kindNames = [...]string{kInfo: "info", kCast: "cast", kCall: "call", kExit: "exit", kDown: "down", kTimeout: "timeout", kStop: "stop", kState: "state", kSuspend: "suspend"}

func (rt *Runtime) traceReceive(p *Process, it item) {
	if !rt.listening() {
		return
	}
	msg := it.msg
	var from PID
	switch m := msg.(type) {
	case *call:
		msg, from = m.req, m.from
	}
	rt.emit(Event{Kind: EventReceived, PID: p.pid, Other: from, Message: msg, Detail: kindNames[it.kind], Clock: p.Clock()})
}

// traceHandled reports that a traced process has handled it: the reply
// to a call, and the state it has now, as :sys.trace prints "sent 1 to
// ..., new state 1". A State that panics leaves the state out.
func (rt *Runtime) traceHandled(p *Process, a Actor, it item, reply any) {
	if !rt.listening() || it.kind == kState || it.kind == kSuspend {
		return
	}
	st, err := p.stateOf(a)
	if err != nil {
		st = nil
	}
	if it.kind != kCall {
		reply = nil
	}
	rt.emit(Event{Kind: EventHandled, PID: p.pid, Message: reply, State: st, Detail: kindNames[it.kind], Clock: p.Clock()})
}
