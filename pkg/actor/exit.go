package actor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
)

// Exit reasons. A process's exit reason is one error value, recorded once
// when it dies and handed to its links, its monitors and its supervisor.
// Compare reasons with errors.Is, never ==, so that wrapped reasons and
// {shutdown, X} still match.
//
// The reasons print as Erlang atoms: bare lower-case words.
var (
	// ErrNormal is the reason of a process that finished its work. A
	// non-trapping process ignores a normal exit signal from another process.
	ErrNormal = errors.New("normal")
	// ErrShutdown is the reason a supervisor uses to stop a child, and the
	// reason a supervisor exits with when it gives up. [Shutdown] makes the
	// {shutdown, X} form, which matches ErrShutdown too.
	ErrShutdown = errors.New("shutdown")
	// ErrKill is the untrappable exit signal: sent with [Runtime.Exit], it
	// ends the target even if it traps exits, leaving the reason ErrKilled.
	ErrKill = errors.New("kill")
	// ErrKilled is what the kill signal leaves as the exit reason.
	ErrKilled = errors.New("killed")
	// ErrNoProc is the reason given for a process that does not exist: a call
	// or monitor aimed at a dead PID or an unregistered name.
	ErrNoProc = errors.New("noproc")
	// ErrTimeout is returned by a [Runtime.Call] that got no reply in time.
	// It matches context.DeadlineExceeded too, whether the deadline was
	// the ctx's or the default one.
	ErrTimeout error = timeoutError{}
	// ErrIgnore may be returned from Init to say the process should not
	// start, like {:ignore} in GenServer.init/1. Spawn then returns ErrIgnore
	// and the process exits quietly with reason normal.
	ErrIgnore = errors.New("ignore")
)

type timeoutError struct{}

func (timeoutError) Error() string { return "timeout" }

// Is reports a match with context.DeadlineExceeded.
func (timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Timeout reports true, as context.DeadlineExceeded does (net.Error).
func (timeoutError) Timeout() bool { return true }

// Reason returns a custom exit reason that prints as the given word, like a
// bare atom in Erlang: Reason("boom") prints as boom. Two reasons made from
// the same word match each other under errors.Is.
func Reason(word string) error { return atomReason(word) }

type atomReason string

func (r atomReason) Error() string { return string(r) }

// Shutdown returns the reason {shutdown, detail}. It matches ErrShutdown
// under errors.Is, so a transient child that exits with it is not
// restarted, as in OTP.
func Shutdown(detail any) error { return &ShutdownError{Detail: detail} }

// ShutdownError is the reason {shutdown, Detail}.
type ShutdownError struct{ Detail any }

func (e *ShutdownError) Error() string { return fmt.Sprintf("{shutdown, %v}", e.Detail) }

// Is reports a match with ErrShutdown.
func (e *ShutdownError) Is(target error) bool { return target == ErrShutdown }

// PanicError is the exit reason of a process whose callback panicked. It
// holds the panic value and where the goroutine was when it panicked.
type PanicError struct {
	Value any
	pcs   []uintptr
}

// NewPanicError makes the PanicError of a panic with value r, recording
// the stack of the calling goroutine: call it from the deferred function
// that recovered r, as packages built on the runtime do for panics in
// functions they call on a process's behalf.
func NewPanicError(r any) *PanicError {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(2, pcs) // from the caller of NewPanicError up

	return &PanicError{Value: r, pcs: pcs[:n]}
}

func newPanicError(r any) *PanicError { return NewPanicError(r) }

// Stack formats where the goroutine was when it panicked, a function and
// file:line per frame, innermost first, as a panic's traceback does. It is
// recorded as program counters at the panic and formatted only when asked
// for, which keeps a crash cheap (a process that crashes and is restarted
// thousands of times a second pays for no text it never shows).
func (e *PanicError) Stack() []byte {
	var b bytes.Buffer
	frames := runtime.CallersFrames(e.pcs)
	for {
		f, more := frames.Next()
		fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Function, f.File, f.Line)
		if !more {
			break
		}
	}
	return b.Bytes()
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// ExitError reports that a process exited while a caller waited on it, for
// example during a [Runtime.Call]. It unwraps to the exit reason.
type ExitError struct {
	PID    PID
	Reason error
}

func (e *ExitError) Error() string {
	return "actor: " + e.PID.String() + " exited: " + FormatReason(e.Reason)
}

func (e *ExitError) Unwrap() error { return e.Reason }

// AlreadyStartedError is returned by [Runtime.Spawn] when the name asked for
// is taken, like {error, {already_started, Pid}} in OTP. It matches
// ErrAlreadyStarted.
type AlreadyStartedError struct {
	Name string
	PID  PID // the holder; zero if it died before it could be looked up
}

// ErrAlreadyStarted matches every [AlreadyStartedError].
var ErrAlreadyStarted = errors.New("already_started")

func (e *AlreadyStartedError) Error() string {
	return "already_started: " + strconv.Quote(e.Name) + " is " + e.PID.String()
}

// Is reports a match with ErrAlreadyStarted.
func (e *AlreadyStartedError) Is(target error) bool { return target == ErrAlreadyStarted }

// FormatReason renders an exit reason for people: the atom for the standard
// reasons (normal, shutdown, killed, noproc), the message otherwise. A nil
// reason reads as normal.
func FormatReason(r error) string {
	if r == nil {
		return "normal"
	}
	return r.Error()
}

// IsNormal reports whether r is a reason after which a transient child is
// not restarted: normal, shutdown or {shutdown, X}.
func IsNormal(r error) bool {
	return r == nil || errors.Is(r, ErrNormal) || errors.Is(r, ErrShutdown)
}
