package actor_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
)

func TestEvents(t *testing.T) {
	rt := newRuntime(t)
	var mu sync.Mutex
	var got []actor.Event
	cancel := rt.Subscribe(func(e actor.Event) {
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	})
	pid := spawn(t, rt, &counter{})
	rt.Trace(pid, true)
	rt.Cast(pid, 1)
	quiesce(t, rt) // or the exit signal would overtake the cast
	if _, err := rt.Call(context.Background(), pid, "get"); err != nil {
		t.Fatal(err)
	}
	rt.Exit(actor.PID{}, pid, actor.Reason("boom"))
	quiesce(t, rt)
	cancel()
	cancel() // a second cancel is harmless
	spawn(t, rt, &counter{})
	quiesce(t, rt)

	mu.Lock()
	defer mu.Unlock()
	var kinds []string
	for _, e := range got {
		kinds = append(kinds, e.Kind.String())
	}
	// the cast to a traced process is sent (from outside), then received
	want := []string{"spawned", "sent", "received", "handled", "received", "handled", "signal", "exited"}
	if len(got) != len(want) {
		t.Fatalf("events %v; want %v (and nothing after cancel)", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("events %v; want %v", kinds, want)
		}
	}
	// A traced process's handled events carry its new state, and a
	// call's reply, as :sys.trace prints them.
	if h := got[3]; h.State != (counter{n: 1}) || h.Message != nil || h.Detail != "cast" {
		t.Errorf("after the cast: %+v; want state {n: 1}, no reply", h)
	}
	if h := got[5]; h.State != (counter{n: 1}) || h.Message != 1 || h.Detail != "call" {
		t.Errorf("after the call: %+v; want reply 1 and state {n: 1}", h)
	}
	if e := got[0]; e.PID != pid || e.Detail != "*actor_test.counter" {
		t.Errorf("spawned event %+v", e)
	}
	if e := got[1]; e.Message != 1 || e.Detail != "cast" || !e.PID.IsZero() || e.Other != pid {
		t.Errorf("sent event %+v; want the cast from outside to pid", e)
	}
	if e := got[2]; e.Message != 1 || e.Detail != "cast" {
		t.Errorf("received event %+v", e)
	}
	if e := got[4]; e.Message != "get" || e.Detail != "call" || !e.Other.IsZero() {
		t.Errorf("received call %+v; want get from outside", e)
	}
	if e := got[7]; e.PID != pid || !errors.Is(e.Reason, actor.Reason("boom")) {
		t.Errorf("exited event %+v", e)
	}
}

func TestEventKindNames(t *testing.T) {
	seen := map[string]bool{}
	for k := actor.EventSpawned; k <= actor.EventHandled; k++ {
		name := k.String()
		if name == "unknown" || seen[name] {
			t.Errorf("EventKind(%d).String() = %q", k, name)
		}
		seen[name] = true
	}
}
