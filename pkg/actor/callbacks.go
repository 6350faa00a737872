package actor

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Actor is the behaviour of a process, like a GenServer callback module
// whose state is the value itself. Init is the one required callback; the
// others are optional one-method interfaces ([CallHandler], [CastHandler],
// [InfoHandler], [ContinueHandler], [Terminator]), found by type assertion.
//
// All callbacks of one process run one at a time, never concurrently, so an
// Actor needs no locks for its own fields. A callback receives the
// [Process] handle, which is valid only during that callback.
type Actor interface {
	// Init runs before Spawn returns, like GenServer.init/1. Returning an
	// error stops the process with that error as its reason and makes Spawn
	// fail with it; returning ErrIgnore makes Spawn return ErrIgnore. Init may
	// call p.Continue to run HandleContinue before any message.
	Init(p *Process) error
}

// CallHandler handles [Runtime.Call] requests, like handle_call/3. The value
// returned is the reply. Returning [NoReply] defers the reply: someone must
// later call [Runtime.Reply] with from. A non-nil error stops the process
// with that error as the reason; the caller then gets an [ExitError] unless
// the handler replied first with Reply.
type CallHandler interface {
	HandleCall(p *Process, from From, req any) (reply any, err error)
}

// CastHandler handles [Runtime.Cast] messages, like handle_cast/2. A
// non-nil error stops the process with that reason.
type CastHandler interface {
	HandleCast(p *Process, msg any) error
}

// InfoHandler handles everything else that arrives in the mailbox, like
// handle_info/2: messages from [Runtime.Send] and [Runtime.SendAfter],
// [Exit] messages while trapping exits, [Down] messages from monitors and
// [Timeout] after [Process.SetTimeout]. A process without an InfoHandler
// drops such messages. A non-nil error stops the process with that reason.
type InfoHandler interface {
	HandleInfo(p *Process, msg any) error
}

// ContinueHandler runs the work asked for with [Process.Continue], like
// handle_continue/2, before the process reads its next message.
type ContinueHandler interface {
	HandleContinue(p *Process, arg any) error
}

// Terminator is called before a process exits, like terminate/2: when a
// callback returns an error (including a panic), when [Runtime.Stop] stops
// it, and when it traps exits and its parent sends it an exit signal (the
// way supervisors stop children). It is not called when the process is
// killed, or when it does not trap exits and an exit signal ends it.
type Terminator interface {
	Terminate(p *Process, reason error)
}

// StateGetter lets a process choose what [Runtime.State] reports, like
// format_status/1. Without it, State returns a shallow copy of the actor.
type StateGetter interface {
	State() any
}

// Behaviour names what a process is for inspection, like the initial call
// of an Erlang process. Without it, [Info].Behaviour is the Go type name.
type Behaviour interface {
	Behaviour() string
}

// DeepStack is implemented by an actor whose callbacks run deep, as a
// supervisor's do (starting a child goes through the spawn, the registry
// and the child's Init). The runtime then runs it on a goroutine that has
// run such a process before, whose stack has grown already: a new
// goroutine starts with a small stack, and growing it by copying cost a
// supervisor more than the rest of a restart. The method is never called.
type DeepStack interface{ DeepStack() }

// NoReply is returned from HandleCall to reply later with [Runtime.Reply],
// like {:noreply, state} from handle_call/3.
var NoReply any = noReply{}

type noReply struct{}

// Exit is the message a process that traps exits receives instead of dying
// from an exit signal, like {'EXIT', From, Reason}.
type Exit struct {
	From   PID
	Reason error
}

// Down is the message a monitor delivers when the monitored process exits,
// like {'DOWN', Ref, process, PID, Reason}. Reason is ErrNoProc if the
// process was already gone when the monitor was set up.
type Down struct {
	Ref    Ref
	PID    PID
	Reason error
}

// String writes the message as Erlang does: {'EXIT', <0.5.0>, boom}.
func (e Exit) String() string {
	return "{'EXIT', " + e.From.String() + ", " + FormatReason(e.Reason) + "}"
}

// String writes the message as Erlang does:
// {'DOWN', #Ref<0.0.0.1>, process, <0.5.0>, boom}.
func (d Down) String() string {
	return "{'DOWN', " + d.Ref.String() + ", process, " + d.PID.String() + ", " + FormatReason(d.Reason) + "}"
}

// Timeout is delivered to HandleInfo when no message arrived within the
// time given to [Process.SetTimeout], like the timeout of a GenServer
// callback's return value.
type Timeout struct{}

// Ref identifies a monitor or a timer.
type Ref struct{ n uint64 }

// String formats r as Erlang prints a reference.
func (r Ref) String() string { return "#Ref<0.0.0." + strconv.FormatUint(r.n, 10) + ">" }

// IsZero reports whether r is the zero Ref.
func (r Ref) IsZero() bool { return r.n == 0 }

// ParseRef reads a Ref as [Ref.String] writes it, #Ref<0.0.0.N>; errors
// match [ErrBadRef].
func ParseRef(s string) (Ref, error) {
	num, ok := strings.CutPrefix(s, "#Ref<0.0.0.")
	if ok {
		num, ok = strings.CutSuffix(num, ">")
	}
	var n uint64
	if ok {
		n, ok = parseCount(num)
	}
	if !ok || n == 0 {
		return Ref{}, &refError{text: s}
	}
	return Ref{n: n}, nil
}

// ErrBadRef is the error ParseRef's errors match.
var ErrBadRef = errors.New("actor: malformed ref")

type refError struct{ text string }

func (e *refError) Error() string {
	t := e.text
	if len(t) > 40 {
		t = t[:40] + "..."
	}
	return "actor: malformed ref " + strconv.Quote(t) + " (want #Ref<0.0.0.N>, as monitor prints it)"
}
func (e *refError) Unwrap() error { return ErrBadRef }

// From identifies a pending call, for [Runtime.Reply].
type From struct {
	c   *call
	pid PID
}

// PID is the caller's process, or the zero PID for a call from outside any
// process.
func (f From) PID() PID { return f.pid }

// behaviourName returns what a is; a Behaviour method that panics names
// the Go type instead (it runs on the goroutine of whoever asks).
func behaviourName(a Actor) (name string) {
	if b, ok := a.(Behaviour); ok {
		defer func() {
			if recover() != nil {
				name = fmt.Sprintf("%T", a)
			}
		}()
		return b.Behaviour()
	}
	return fmt.Sprintf("%T", a)
}
