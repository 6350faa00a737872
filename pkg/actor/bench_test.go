package actor_test

import (
	"context"
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
