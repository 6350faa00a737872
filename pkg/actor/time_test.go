package actor_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestManualTime(t *testing.T) {
	m := actor.NewManualTime(epoch)
	var fired []string
	at := func(name string) func() {
		return func() { fired = append(fired, name+"@"+m.Now().Sub(epoch).String()) }
	}
	m.AfterFunc(3*time.Second, at("c"))
	m.AfterFunc(time.Second, at("a"))
	stopB := m.AfterFunc(2*time.Second, at("b"))
	m.AfterFunc(time.Second, at("a2")) // same deadline: made later, runs later
	m.AfterFunc(-time.Second, at("now"))
	if !stopB() || stopB() {
		t.Fatal("stop = false or a second stop = true; want true, then false")
	}
	m.Advance(0)
	m.Advance(1500 * time.Millisecond)
	if want := []string{"now@0s", "a@1s", "a2@1s"}; !slices.Equal(fired, want) {
		t.Fatalf("after 1.5s fired %v; want %v", fired, want)
	}
	if got := m.Now().Sub(epoch); got != 1500*time.Millisecond {
		t.Fatalf("Now = epoch+%v; want 1.5s", got)
	}
	if !m.AdvanceToNext() || m.Now().Sub(epoch) != 3*time.Second {
		t.Fatalf("AdvanceToNext: now epoch+%v; want 3s", m.Now().Sub(epoch))
	}
	if m.AdvanceToNext() || m.Pending() != 0 {
		t.Fatal("AdvanceToNext with no timers moved or left some pending")
	}
	if want := []string{"now@0s", "a@1s", "a2@1s", "c@3s"}; !slices.Equal(fired, want) {
		t.Fatalf("fired %v; want %v", fired, want)
	}
}

// TestRuntimeOnManualTime: SendAfter, callback timeouts, the default call
// timeout and start times all follow the runtime's TimeSource.
func TestRuntimeOnManualTime(t *testing.T) {
	m := actor.NewManualTime(epoch)
	rt := actor.NewRuntime(actor.Options{Time: m})
	t.Cleanup(func() { rt.Shutdown(context.Background()) })
	got := make(chan any, 4)
	pid := spawn(t, rt, &fn{
		init: func(p *actor.Process) error { p.SetTimeout(10 * time.Second); return nil },
		info: func(_ *actor.Process, msg any) error { got <- msg; return nil },
	})
	if in, _ := rt.Info(pid); !in.Started.Equal(epoch) {
		t.Errorf("Started = %v; want the manual epoch", in.Started)
	}
	rt.SendAfter(pid, "tick", 3*time.Second)
	m.Advance(2 * time.Second)
	quiesce(t, rt)
	if len(got) != 0 {
		t.Fatalf("got %v before its time", <-got)
	}
	m.Advance(time.Second)
	if msg := recv(t, got); msg != "tick" {
		t.Fatalf("got %v; want tick", msg)
	}
	// The message cancelled the 10 s timeout (it was armed at 0 s); none
	// comes however far time moves, as none was asked for again.
	quiesce(t, rt)
	m.Advance(time.Minute)
	quiesce(t, rt)
	if len(got) != 0 {
		t.Fatalf("got %v; want nothing", <-got)
	}

	// A call without a deadline times out after DefaultCallTimeout of
	// manual time.
	release := make(chan struct{})
	defer close(release)
	slow := spawn(t, rt, &fn{call: func(*actor.Process, actor.From, any) (any, error) { <-release; return nil, nil }})
	errs := make(chan error, 1)
	go func() { _, err := rt.Call(context.Background(), slow, "x"); errs <- err }()
	for m.Pending() == 0 { // the call's timer is set
		time.Sleep(time.Millisecond)
	}
	m.Advance(actor.DefaultCallTimeout - time.Millisecond)
	select {
	case err := <-errs:
		t.Fatalf("the call ended early: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	m.Advance(time.Millisecond)
	if err := <-errs; !errors.Is(err, actor.ErrTimeout) {
		t.Fatalf("Call = %v; want timeout", err)
	}
}
