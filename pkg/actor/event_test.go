package actor_test

import (
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
	want := []string{"spawned", "received", "signal", "exited"}
	if len(got) != len(want) {
		t.Fatalf("events %v; want %v (and nothing after cancel)", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("events %v; want %v", kinds, want)
		}
	}
	if e := got[0]; e.PID != pid || e.Detail != "*actor_test.counter" {
		t.Errorf("spawned event %+v", e)
	}
	if e := got[1]; e.Message != 1 || e.Detail != "cast" {
		t.Errorf("received event %+v", e)
	}
	if e := got[3]; e.PID != pid || !errors.Is(e.Reason, actor.Reason("boom")) {
		t.Errorf("exited event %+v", e)
	}
}

func TestEventKindNames(t *testing.T) {
	seen := map[string]bool{}
	for k := actor.EventSpawned; k <= actor.EventDown; k++ {
		name := k.String()
		if name == "unknown" || seen[name] {
			t.Errorf("EventKind(%d).String() = %q", k, name)
		}
		seen[name] = true
	}
}
