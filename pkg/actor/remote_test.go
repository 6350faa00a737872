package actor_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

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
