package natsdist_test

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
	"github.com/actorsh/actorsh/pkg/natsdist"
)

// The cluster's costs on one embedded server on loopback (the package's):
// go test -bench . -run XXX ./pkg/natsdist

func benchNodes(b *testing.B) (*natsdist.Node, *natsdist.Node) {
	c := newCluster()
	var nodes []*natsdist.Node
	for _, name := range []string{"a", "b"} {
		rt := actor.NewRuntime(actor.Options{})
		n, err := natsdist.Join(b.Context(), natsdist.Config{Name: name, Cluster: c, URL: srv.URL(), Runtime: rt, Terms: dist.DefaultTerms, Memory: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = n.Close(); _ = rt.Shutdown(b.Context()) })
		nodes = append(nodes, n)
	}
	for i := 0; len(nodes[0].Members()) < 2 || len(nodes[1].Members()) < 2; i++ {
		if i > 5000 {
			b.Fatal("the nodes did not see each other within 5s")
		}
		time.Sleep(time.Millisecond)
	}
	return nodes[0], nodes[1]
}

// A claim: a create in the registry's bucket, confirmed.
func BenchmarkClaim(b *testing.B) {
	a, _ := benchNodes(b)
	r, err := a.Registry(b.Context(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	pid, _ := a.Runtime().Spawn(b.Context(), &box{}, actor.SpawnOptions{})
	b.ResetTimer()
	for i := range b.N {
		if err := r.RegisterName("n"+strconv.Itoa(i), pid); err != nil {
			b.Fatal(err)
		}
	}
}

// A lookup of another node's name: from the cache, and through to the
// stream leader.
func BenchmarkLookup(b *testing.B) {
	a, bn := benchNodes(b)
	ra, _ := a.Registry(b.Context(), "bench")
	rb, _ := bn.Registry(b.Context(), "bench")
	pid, _ := bn.Runtime().Spawn(b.Context(), &box{}, actor.SpawnOptions{})
	if err := rb.RegisterName("x", pid); err != nil {
		b.Fatal(err)
	}
	for i := 0; ; i++ {
		if _, ok := ra.WhereIs("x"); ok {
			break
		}
		if i > 5000 {
			b.Fatal("a's cache did not have x within 5s")
		}
		time.Sleep(time.Millisecond)
	}
	b.Run("cache", func(b *testing.B) {
		for range b.N {
			if _, ok := ra.WhereIs("x"); !ok {
				b.Fatal("not found")
			}
		}
	})
	b.Run("strong", func(b *testing.B) {
		for range b.N {
			if _, _, ok, err := ra.Lookup(b.Context(), "x", true); !ok || err != nil {
				b.Fatal("not found", err)
			}
		}
	})
}

// counter counts what it is sent.
type counter struct{ n atomic.Int64 }

func (c *counter) Init(*actor.Process) error                  { return nil }
func (c *counter) HandleCast(p *actor.Process, msg any) error { c.n.Add(1); return nil }
func (c *counter) HandleCall(p *actor.Process, f actor.From, req any) (any, error) {
	return c.n.Load(), nil
}

// Casts from a process of one node to a process of another, until all
// have arrived: ns/op is the time per message.
func BenchmarkCastBetweenNodes(b *testing.B) {
	a, bn := benchNodes(b)
	c := &counter{}
	pid, _ := bn.Runtime().Spawn(b.Context(), c, actor.SpawnOptions{})
	to := a.Codec().LocalPID(bn.Codec().WirePID(pid))
	b.ResetTimer()
	for i := range b.N {
		a.Runtime().Cast(to, int64(i))
	}
	deadline := time.Now().Add(time.Minute)
	for c.n.Load() < int64(b.N) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d casts arrived within a minute", c.n.Load(), b.N)
		}
		time.Sleep(50 * time.Microsecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// A call there and back.
func BenchmarkCallBetweenNodes(b *testing.B) {
	a, bn := benchNodes(b)
	pid, _ := bn.Runtime().Spawn(b.Context(), &counter{}, actor.SpawnOptions{})
	to := a.Codec().LocalPID(bn.Codec().WirePID(pid))
	b.ResetTimer()
	for range b.N {
		if _, err := a.Runtime().Call(b.Context(), to, atom("get")); err != nil {
			b.Fatal(err)
		}
	}
}
