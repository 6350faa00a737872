package actor

import (
	"context"
	"errors"
)

// Remote carries what this runtime's callers do to PIDs of other nodes
// (those whose [PID.Node] is not 0). A distribution layer implements it
// and installs it with [Runtime.SetRemote]; the runtime itself knows
// nothing of networks. Without a Remote, a PID of another node names no
// process: casts and messages to it are dropped, calls fail with noproc.
//
// The methods are called on the caller's goroutine and must not block
// longer than their context allows (Deliver and Exit not at all).
type Remote interface {
	// Deliver sends msg from from to to without waiting, as a cast when
	// cast is true and as a plain message otherwise, and reports whether
	// it could be handed on.
	Deliver(from, to PID, msg any, cast bool) bool
	// Call makes a synchronous call and waits for its answer until ctx
	// ends. Errors are reasons, as for a local call: noproc, timeout, or
	// the distribution layer's own (nodedown).
	Call(ctx context.Context, from, to PID, req any) (any, error)
	// Exit sends an exit signal with reason.
	Exit(from, to PID, reason error) bool
}

type remoteBox struct{ r Remote }

// SetRemote installs r as the way to PIDs of other nodes (nil removes it).
func (rt *Runtime) SetRemote(r Remote) {
	if r == nil {
		rt.remote.Store(nil)
		return
	}
	rt.remote.Store(&remoteBox{r})
}

// remoteFor returns the Remote for pid if pid is of another node and one
// is installed.
func (rt *Runtime) remoteFor(pid PID) Remote {
	if !pid.IsRemote() {
		return nil
	}
	if b := rt.remote.Load(); b != nil {
		return b.r
	}
	return nil
}

// callRemote is a call to a PID of another node: with the default
// timeout when ctx has none, as a local call.
func (rt *Runtime) callRemote(ctx context.Context, r Remote, from, pid PID, req any) (any, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultCallTimeout)
		defer cancel()
	}
	v, err := r.Call(ctx, from, pid, req)
	return v, remoteErr(pid, err)
}

// remoteErr makes a Remote's error a CallError about pid, as a local
// call's are.
func remoteErr(pid PID, err error) error {
	var ce *CallError
	var ee *ExitError
	if err == nil || errors.As(err, &ce) || errors.As(err, &ee) {
		return err
	}
	return &CallError{PID: pid, Err: err}
}

// sendRemoteRequest is SendRequest to a PID of another node: the call is
// made on a goroutine of its own, which ends when the answer comes, when
// Wait gives the request up, or when the Remote fails the call (its node
// closing fails every call in flight).
func (rt *Runtime) sendRemoteRequest(r Remote, pid PID, req any) *Request {
	ctx, cancel := context.WithCancel(context.Background())
	c := &call{req: req, ch: make(chan callResult, 1)}
	go func() {
		defer cancel()
		v, err := r.Call(ctx, PID{}, pid, req)
		c.complete(v, remoteErr(pid, err))
	}()
	return &Request{pid: pid, c: c, cancel: cancel}
}

// ErrPIDSpace is the error Spawn returns once a runtime has handed out all
// 2^40-1 of its PIDs.
var ErrPIDSpace = errors.New("actor: no PIDs left (a runtime spawns at most 2^40-1 processes)")
