package natsdist_test

import (
	"context"
	"fmt"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/natsdist"
)

type echo struct{}

func (echo) Init(*actor.Process) error { return nil }
func (echo) HandleCall(p *actor.Process, _ actor.From, req any) (any, error) {
	return fmt.Sprintf("%v from %v", req, p.Self()), nil
}

// Two runtimes join a cluster on an embedded NATS server; a process of
// one, named in a cluster registry, is called by name from the other.
func Example() {
	ctx := context.Background()
	srv, err := natsdist.Serve(natsdist.ServerOptions{}) // 127.0.0.1, any port
	if err != nil {
		panic(err)
	}
	defer srv.Shutdown()
	var nodes []*natsdist.Node
	for _, name := range []string{"a", "b"} {
		rt := actor.NewRuntime(actor.Options{})
		defer rt.Shutdown(ctx)
		n, err := natsdist.Join(ctx, natsdist.Config{Name: name, Cluster: "example", URL: srv.URL(), Runtime: rt, Memory: true})
		if err != nil {
			panic(err)
		}
		defer n.Close()
		nodes = append(nodes, n)
	}
	a, b := nodes[0], nodes[1]
	usersA, _ := a.Registry(ctx, "users")
	usersB, _ := b.Registry(ctx, "users")

	if _, err := a.Runtime().Spawn(ctx, echo{}, actor.SpawnOptions{Name: actor.Via(usersA, "alice")}); err != nil {
		panic(err)
	}
	// b's cache of the registry follows a's claim within milliseconds.
	for i := 0; i < 5000; i++ {
		if _, ok := usersB.WhereIs("alice"); ok {
			break
		}
		time.Sleep(time.Millisecond)
	}
	reply, err := b.Runtime().CallName(ctx, actor.Via(usersB, "alice"), "hello")
	fmt.Println(reply, err)
	_, err = b.Runtime().Spawn(ctx, echo{}, actor.SpawnOptions{Name: actor.Via(usersB, "alice")})
	fmt.Println(err)
	// Output:
	// hello from <0.1.0> <nil>
	// already_started: "alice" is <1.1.0>
}
