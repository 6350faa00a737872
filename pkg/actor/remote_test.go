package actor_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// fakeRemote records what the runtime hands it, as a distribution layer
// would see it.
type fakeRemote struct {
	mu  sync.Mutex
	log []string
}

func (f *fakeRemote) add(s string) {
	f.mu.Lock()
	f.log = append(f.log, s)
	f.mu.Unlock()
}

func (f *fakeRemote) Deliver(from, to actor.PID, msg any, cast bool) bool {
	f.add(fmt.Sprintf("deliver %v->%v %v cast=%v", from, to, msg, cast))
	return true
}

func (f *fakeRemote) Call(ctx context.Context, from, to actor.PID, req any) (any, error) {
	f.add(fmt.Sprintf("call %v->%v %v", from, to, req))
	if req == "down" {
		return nil, actor.Reason("nodedown")
	}
	if _, ok := ctx.Deadline(); !ok && req == "q" {
		return nil, errors.New("a call without a deadline") // Call gives it the default timeout
	}
	return "re:" + req.(string), nil
}

func (f *fakeRemote) Exit(from, to actor.PID, reason error) bool {
	f.add(fmt.Sprintf("exit %v->%v %v", from, to, reason))
	return true
}

func (f *fakeRemote) Link(from, to actor.PID)   { f.add(fmt.Sprintf("link %v->%v", from, to)) }
func (f *fakeRemote) Unlink(from, to actor.PID) { f.add(fmt.Sprintf("unlink %v->%v", from, to)) }
func (f *fakeRemote) LinkExit(from, to actor.PID, reason error) {
	f.add(fmt.Sprintf("linkexit %v->%v %v", from, to, reason))
}
func (f *fakeRemote) Monitor(w, t actor.PID, ref actor.Ref) {
	f.add(fmt.Sprintf("monitor %v->%v %v", w, t, ref))
}
func (f *fakeRemote) Demonitor(w, t actor.PID, ref actor.Ref) {
	f.add(fmt.Sprintf("demonitor %v->%v %v", w, t, ref))
}
func (f *fakeRemote) Down(w actor.PID, ref actor.Ref, t actor.PID, reason error) {
	f.add(fmt.Sprintf("down %v %v %v %v", w, ref, t, reason))
}

func (f *fakeRemote) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.log
	f.log = nil
	return out
}

func TestRemoteRouting(t *testing.T) {
	rt := newRuntime(t)
	remote := actor.RemotePID(2, 17, 0)
	// Without a Remote, another node's PID names no process.
	if rt.Send(remote, "hi") {
		t.Fatal("Send to a remote PID with no Remote reported delivered")
	}
	if _, err := rt.Call(t.Context(), remote, "x"); !errors.Is(err, actor.ErrNoProc) {
		t.Fatalf("Call without a Remote = %v; want noproc", err)
	}
	f := &fakeRemote{}
	rt.SetRemote(f)
	local, err := rt.Spawn(t.Context(), &fn{
		cast: func(p *actor.Process, msg any) error {
			p.Send(remote, "from-process")
			v, err := p.Call(t.Context(), remote, "in-process")
			p.Send(remote, fmt.Sprint(v, err))
			return nil
		},
	}, actor.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rt.Cast(remote, "c")
	rt.Send(remote, "s")
	rt.Exit(local, remote, actor.ErrShutdown)
	if v, err := rt.Call(t.Context(), remote, "q"); v != "re:q" || err != nil {
		t.Fatalf("Call = %v, %v", v, err)
	}
	var ce *actor.CallError
	if _, err := rt.Call(t.Context(), remote, "down"); !errors.As(err, &ce) || ce.PID != remote || err.Error() != "nodedown: <2.17.0>" {
		t.Fatalf("Call to a down node = %v; want a CallError about %v", err, remote)
	}
	req, err := rt.SendRequest(remote, "r")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := req.Wait(t.Context()); v != "re:r" || err != nil {
		t.Fatalf("SendRequest.Wait = %v, %v", v, err)
	}
	rt.Cast(local, "go")
	if err := rt.Quiesce(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"deliver <0.0.0>-><2.17.0> c cast=true",
		"deliver <0.0.0>-><2.17.0> s cast=false",
		"exit <0.1.0>-><2.17.0> shutdown",
		"call <0.0.0>-><2.17.0> q",
		"call <0.0.0>-><2.17.0> down",
		"call <0.0.0>-><2.17.0> r",
		"deliver <0.1.0>-><2.17.0> from-process cast=false",
		"call <0.1.0>-><2.17.0> in-process",
		"deliver <0.1.0>-><2.17.0> re:in-process<nil> cast=false",
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if fmt.Sprint(f.log) != fmt.Sprint(want) {
		t.Fatalf("the Remote saw\n%q\nwant\n%q", f.log, want)
	}
}

// Links and monitors with a process of another node: the runtime keeps
// its side and tells the Remote; what comes back through Hooks acts as a
// local link's or monitor's would.
func TestRemoteLinksAndMonitors(t *testing.T) {
	rt := newRuntime(t)
	f := &fakeRemote{}
	rt.SetRemote(f)
	remote := actor.RemotePID(2, 17, 0)
	got := make(chan any, 10)
	keep := func(p *actor.Process, msg any) error { got <- msg; return nil }
	a, _ := rt.Spawn(t.Context(), &fn{info: keep, init: func(p *actor.Process) error { p.TrapExit(true); return nil }}, actor.SpawnOptions{})
	if err := rt.Link(a, remote); err != nil {
		t.Fatal(err)
	}
	_ = rt.Link(remote, a) // again, from the other side: already linked, nothing sent
	ref := rt.Monitor(a, remote)
	if l := f.take(); fmt.Sprint(l) != fmt.Sprintf("[link <0.1.0>-><2.17.0> monitor <0.1.0>-><2.17.0> %v]", ref) {
		t.Fatalf("the Remote saw %q", l)
	}
	// The remote process exits: an EXIT (a traps) and a DOWN.
	h := rt.Hooks()
	if !h.RemoteLinkExit(remote, a, actor.Reason("boom")) || !h.RemoteDown(a, ref, remote, actor.Reason("boom")) {
		t.Fatal("remote exit or DOWN not delivered")
	}
	for _, want := range []string{"{'EXIT', <2.17.0>, boom}", fmt.Sprintf("{'DOWN', %v, process, <2.17.0>, boom}", ref)} {
		select {
		case m := <-got:
			if fmt.Sprint(m) != want {
				t.Fatalf("a got %v; want %s", m, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("a did not get %s", want)
		}
	}
	// Both are spent: a second of each does nothing.
	if h.RemoteLinkExit(remote, a, actor.Reason("again")) && len(got) > 0 || h.RemoteDown(a, ref, remote, actor.ErrNormal) {
		t.Fatal("a spent link or monitor fired again")
	}
	// A remote process links to and monitors b; b exits: the Remote
	// carries the exit along the link and the DOWN.
	b, _ := rt.Spawn(t.Context(), &fn{}, actor.SpawnOptions{})
	if err := h.RemoteLink(b, remote); err != nil {
		t.Fatal(err)
	}
	mref, ok := h.RemoteMonitor(remote, b)
	if !ok {
		t.Fatal("RemoteMonitor of a live process failed")
	}
	other := actor.RemotePID(3, 1, 0)
	oref, _ := h.RemoteMonitor(other, b)
	h.RemoteDemonitor(b, oref)
	if err := rt.Stop(t.Context(), b, actor.Reason("bye")); err != nil {
		t.Fatal(err)
	}
	want := []string{"linkexit <0.2.0>-><2.17.0> bye", fmt.Sprintf("down <2.17.0> %v <0.2.0> bye", mref)}
	if l := f.take(); fmt.Sprint(l) != fmt.Sprint(want) {
		t.Fatalf("the Remote saw %q; want %q", l, want)
	}
	if err := h.RemoteLink(b, remote); !errors.Is(err, actor.ErrNoProc) {
		t.Fatalf("RemoteLink to a dead process = %v", err)
	}
	if _, ok := h.RemoteMonitor(remote, b); ok {
		t.Fatal("RemoteMonitor of a dead process succeeded")
	}
	// Unlink and demonitor tell the Remote; a watcher's exit takes its
	// remote monitors back.
	c, _ := rt.Spawn(t.Context(), &fn{}, actor.SpawnOptions{})
	_ = rt.Link(c, remote)
	rt.Unlink(remote, c)
	r1 := rt.Monitor(c, remote)
	rt.Demonitor(c, r1)
	r2 := rt.Monitor(c, remote)
	_ = rt.Stop(t.Context(), c, actor.ErrNormal)
	want = []string{"link <0.3.0>-><2.17.0>", "unlink <0.3.0>-><2.17.0>", fmt.Sprintf("monitor <0.3.0>-><2.17.0> %v", r1),
		fmt.Sprintf("demonitor <0.3.0>-><2.17.0> %v", r1), fmt.Sprintf("monitor <0.3.0>-><2.17.0> %v", r2), fmt.Sprintf("demonitor <0.3.0>-><2.17.0> %v", r2)}
	if l := f.take(); fmt.Sprint(l) != fmt.Sprint(want) {
		t.Fatalf("the Remote saw %q; want %q", l, want)
	}
}
