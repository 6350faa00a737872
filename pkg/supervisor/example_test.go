package supervisor_test

import (
	"context"
	"fmt"
	"os"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// The seed post's example: a transient Greeter under a DynamicSupervisor,
// named through a registry instead of an atom. It greets once, exits with
// reason normal, is not restarted, and its name is free again.
func Example() {
	ctx := context.Background()
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(ctx)
	reg := registry.New(rt, registry.Options{Name: "GreeterRegistry"})
	sup, _ := supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{})

	greet := func(person string) (actor.PID, error) {
		name := "greeter_for_" + person
		return supervisor.StartChild(ctx, rt, sup, supervisor.ChildSpec{
			ID:      name,
			Restart: supervisor.Transient,
			Name:    reg.Via(name),
			New:     func([]any) (actor.Actor, error) { return &Greeter{Person: person, Out: os.Stdout}, nil },
		})
	}
	greet("alice")
	rt.Quiesce(ctx)
	_, registered := reg.WhereIs("greeter_for_alice")
	n, _ := supervisor.CountChildren(ctx, rt, sup)
	fmt.Println("registered:", registered, "children:", n.Specs)
	// Output:
	// 👋 alice
	// registered: false children: 0
}

// The same Greeter as a permanent child is restarted after every normal
// exit, until the fourth restart within 5 seconds exceeds the intensity
// and the supervisor gives up with reason shutdown.
func ExampleStartDynamic_permanent() {
	ctx := context.Background()
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(ctx)
	reg := registry.New(rt, registry.Options{Name: "GreeterRegistry"})
	sup, _ := supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{})
	exited, _ := rt.Watch(sup)
	supervisor.StartChild(ctx, rt, sup, supervisor.ChildSpec{
		ID:   "greeter_for_bob",
		Name: reg.Via("greeter_for_bob"),
		New:  func([]any) (actor.Actor, error) { return &Greeter{Person: "bob", Out: os.Stdout}, nil },
	})
	fmt.Println("supervisor exited:", <-exited)
	// Output:
	// 👋 bob
	// 👋 bob
	// 👋 bob
	// 👋 bob
	// supervisor exited: shutdown
}

// crashy is a worker that crashes when cast to, and says when it starts
// and stops.
type crashy struct{ name string }

func (c *crashy) Init(p *actor.Process) error {
	p.TrapExit(true)
	fmt.Println("start", c.name)
	return nil
}
func (c *crashy) HandleCast(*actor.Process, any) error     { return actor.Reason("boom") }
func (c *crashy) Terminate(_ *actor.Process, reason error) { fmt.Println("stop", c.name, reason) }

// With rest_for_one, a crash restarts the child and those started after
// it: they stop in reverse order and start again in order.
func ExampleStart_restForOne() {
	ctx := context.Background()
	rt := actor.NewRuntime(actor.Options{})
	child := func(name string) supervisor.ChildSpec {
		return supervisor.ChildSpec{ID: name, New: func([]any) (actor.Actor, error) { return &crashy{name}, nil }}
	}
	sup, _ := supervisor.Start(ctx, rt, supervisor.Options{Strategy: supervisor.RestForOne},
		child("db"), child("cache"), child("web"))
	children, _ := supervisor.WhichChildren(ctx, rt, sup)
	fmt.Println("-- cache crashes")
	rt.Cast(children[1].PID, "crash")
	rt.Quiesce(ctx)
	fmt.Println("-- shutdown")
	rt.Shutdown(ctx)
	// Output:
	// start db
	// start cache
	// start web
	// -- cache crashes
	// stop cache boom
	// stop web shutdown
	// start cache
	// start web
	// -- shutdown
	// stop web shutdown
	// stop cache shutdown
	// stop db shutdown
}
