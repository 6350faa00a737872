package actor_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
)

type sink struct{ n int }

func (s *sink) Init(*actor.Process) error { return nil }
func (s *sink) HandleCast(_ *actor.Process, _ any) error {
	s.n++
	return nil
}
func (s *sink) HandleCall(_ *actor.Process, _ actor.From, req any) (any, error) { return req, nil }

// BenchmarkCall measures a call round trip to one idle process: the
// process is scheduled, replies and goes idle again each time.
func BenchmarkCall(b *testing.B) {
	rt := newRuntime(b)
	pid, _ := rt.Spawn(context.Background(), &sink{}, actor.SpawnOptions{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.Call(ctx, pid, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCast measures casts to one process from one sender; the
// messages/s metric counts until the last one is handled.
func BenchmarkCast(b *testing.B) {
	rt := newRuntime(b)
	ctx := context.Background()
	pid, _ := rt.Spawn(ctx, &sink{}, actor.SpawnOptions{})
	b.ReportAllocs()
	for b.Loop() {
		rt.Cast(pid, 1)
	}
	if err := rt.Quiesce(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkSpawn measures spawning an unnamed, unsupervised process.
func BenchmarkSpawn(b *testing.B) {
	rt := newRuntime(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.Spawn(ctx, &sink{}, actor.SpawnOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParentExit measures the exit of a process with one linked
// child when many processes were started after it: the exit finds its
// children in its own list, so the cost does not grow with them (it used
// to scan the PID table from the parent on: 10.8 ms at 1,000,000).
func BenchmarkParentExit(b *testing.B) {
	for _, later := range []int{0, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("later=%d", later), func(b *testing.B) {
			rt := newRuntime(b)
			ctx := context.Background()
			parents := make([]actor.PID, b.N)
			for i := range parents {
				parents[i], _ = rt.Spawn(ctx, &sink{}, actor.SpawnOptions{})
				rt.Spawn(ctx, &sink{}, actor.SpawnOptions{Link: parents[i]})
			}
			for range later {
				rt.Spawn(ctx, &sink{}, actor.SpawnOptions{})
			}
			b.ResetTimer()
			for _, p := range parents {
				rt.Hooks().ExitNow(actor.PID{}, p, actor.ErrKill)
			}
		})
	}
}
