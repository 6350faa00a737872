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

	// Link tells to's node that from, a process of this runtime, is
	// linked to to (the runtime has recorded the link on its side), and
	// Unlink that it no longer is. If to does not exist, its node answers
	// with a link exit of noproc ([Hooks.RemoteLinkExit]).
	Link(from, to PID)
	Unlink(from, to PID)
	// LinkExit carries the exit signal of from, a process of this runtime
	// that exited with reason, along its link to to.
	LinkExit(from, to PID, reason error)
	// Monitor asks target's node to tell this runtime when target exits
	// (by [Hooks.RemoteDown]); watcher is a process of this runtime and ref
	// the monitor's reference here. Demonitor takes it back.
	Monitor(watcher, target PID, ref Ref)
	Demonitor(watcher, target PID, ref Ref)
	// Down tells watcher, of another node, that target, a process of this
	// runtime, exited with reason; ref is the reference the monitor has in
	// this runtime (see [Hooks.RemoteMonitor]).
	Down(watcher PID, ref Ref, target PID, reason error)
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

// RemoteLink is the other side of [Remote.Link]: remote, of another node,
// links to local. It records the link on local's side, or returns
// ErrNoProc if local is not alive (the caller answers with a link exit of
// noproc, as Erlang does).
func (h Hooks) RemoteLink(local, remote PID) error {
	p := h.rt.lockLive(local)
	if p == nil {
		return ErrNoProc
	}
	p.x().links.add(remote)
	p.mu.Unlock()
	return nil
}

// RemoteUnlink is the other side of [Remote.Unlink].
func (h Hooks) RemoteUnlink(local, remote PID) {
	if p := h.rt.lockLive(local); p != nil {
		p.unlinkLocked(remote)
		p.mu.Unlock()
	}
}

// RemoteLinkExit delivers the exit signal of remote, of another node,
// along its link to local: as a local link's, it does nothing if the link
// is gone (unlinked, or never made). A distribution layer also uses it to
// deliver noconnection when remote's node is gone.
func (h Hooks) RemoteLinkExit(remote, local PID, reason error) bool {
	ok, _, _ := h.rt.exitSignal(remote, local, reason, viaLink, 0, h.rt.clock(local))
	return ok
}

// RemoteMonitor is the other side of [Remote.Monitor]: watcher, of another
// node, monitors local. It returns the reference the monitor has here
// (the distribution layer keeps what it stands for), or false if local
// is not alive (the caller answers with a DOWN of noproc).
func (h Hooks) RemoteMonitor(watcher, local PID) (Ref, bool) {
	p := h.rt.lockLive(local)
	if p == nil {
		return Ref{}, false
	}
	ref := h.rt.MakeRef()
	p.x().addWatcher(ref, watcher)
	p.mu.Unlock()
	return ref, true
}

// RemoteDemonitor is the other side of [Remote.Demonitor], with the
// reference RemoteMonitor gave.
func (h Hooks) RemoteDemonitor(local PID, ref Ref) {
	if p := h.rt.lockLive(local); p != nil {
		if p.ext != nil {
			delete(p.ext.monitoredBy, ref)
		}
		p.mu.Unlock()
	}
}

// RemoteDown delivers the DOWN of target, of another node, to watcher,
// which monitors it with ref, if it still does. A distribution layer also
// uses it to deliver noconnection when target's node is gone.
func (h Hooks) RemoteDown(watcher PID, ref Ref, target PID, reason error) bool {
	return h.rt.deliverDown(watcher, ref, target, reason, h.rt.clock(watcher), true)
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
