package actor_test

import (
	"context"
	"fmt"

	"github.com/actorsh/actorsh/pkg/actor"
)

// Stack is a GenServer-style process: its state is the value itself.
type Stack struct{ items []string }

func (s *Stack) Init(*actor.Process) error { return nil }

func (s *Stack) HandleCall(_ *actor.Process, _ actor.From, req any) (any, error) {
	if req != "pop" || len(s.items) == 0 {
		return nil, nil
	}
	top := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return top, nil
}

func (s *Stack) HandleCast(_ *actor.Process, msg any) error {
	s.items = append(s.items, msg.(string))
	return nil
}

func Example() {
	ctx := context.Background()
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(ctx)

	pid, _ := rt.Spawn(ctx, &Stack{}, actor.SpawnOptions{})
	rt.Cast(pid, "hello")
	rt.Cast(pid, "world")
	top, _ := rt.Call(ctx, pid, "pop")
	fmt.Println(pid, top)
	// Output: <0.1.0> world
}

// Watcher prints what its monitors and links tell it.
type Watcher struct{}

func (Watcher) Init(p *actor.Process) error {
	p.TrapExit(true)
	return nil
}

func (Watcher) HandleInfo(_ *actor.Process, msg any) error {
	switch m := msg.(type) {
	case actor.Down:
		fmt.Println("DOWN", m.PID, m.Reason)
	case actor.Exit:
		fmt.Println("EXIT", m.From, m.Reason)
	}
	return nil
}

// A monitor delivers a Down message; a link, to a process that traps
// exits, an Exit message. kill leaves the reason killed.
func ExampleRuntime_Monitor() {
	ctx := context.Background()
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(ctx)

	w, _ := rt.Spawn(ctx, Watcher{}, actor.SpawnOptions{})
	a, _ := rt.Spawn(ctx, &Stack{}, actor.SpawnOptions{})
	rt.Monitor(w, a)
	rt.Exit(actor.PID{}, a, actor.ErrKill)
	rt.Quiesce(ctx)

	b, _ := rt.Spawn(ctx, &Stack{}, actor.SpawnOptions{Link: w})
	rt.Exit(actor.PID{}, b, actor.Reason("boom"))
	rt.Quiesce(ctx)
	// Output:
	// DOWN <0.2.0> killed
	// EXIT <0.3.0> boom
}
