package registry_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
)

// Via names: any string names a process, with no atom to leak. A taken
// name fails with already_started naming the holder; an exited process's
// name is free at once.
func Example() {
	ctx := context.Background()
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(ctx)
	reg := registry.New(rt, registry.Options{Name: "GreeterRegistry"})

	pid, _ := rt.Spawn(ctx, idle{}, actor.SpawnOptions{Name: reg.Via("greeter_for_alice")})
	fmt.Println(reg.WhereIs("greeter_for_alice"))

	_, err := rt.Spawn(ctx, idle{}, actor.SpawnOptions{Name: reg.Via("greeter_for_alice")})
	fmt.Println(err)

	done, _ := rt.Watch(pid)
	rt.Exit(actor.PID{}, pid, actor.ErrKill)
	<-done
	fmt.Println(reg.WhereIs("greeter_for_alice"))
	// Output:
	// <0.1.0> true
	// already_started: "greeter_for_alice" is <0.1.0>
	// <0.0.0> false
}

// A duplicate registry is a pub/sub topic table: Dispatch reaches every
// process registered under a key.
func ExampleRegistry_Dispatch() {
	ctx := context.Background()
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(ctx)
	topics := registry.New(rt, registry.Options{Name: "topics", Keys: registry.Duplicate})

	ch := make(chan any, 3)
	for range 3 {
		pid, _ := rt.Spawn(ctx, relay{ch}, actor.SpawnOptions{})
		topics.Register(pid, "news", nil)
	}
	n := topics.Dispatch("news", func(entries []registry.Entry) {
		for _, e := range entries {
			rt.Send(e.PID, fmt.Sprint("extra! for ", e.PID))
		}
	})
	var got []string
	for range n {
		got = append(got, (<-ch).(string))
	}
	slices.Sort(got)
	fmt.Println(n, got)
	// Output: 3 [extra! for <0.1.0> extra! for <0.2.0> extra! for <0.3.0>]
}
