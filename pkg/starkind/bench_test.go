package starkind_test

import (
	"context"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/starkind"
)

func benchKind(b *testing.B) (*actor.Runtime, actor.PID) {
	k, err := starkind.Load("", "../../kinds/bench.star", nil, starkind.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rt := actor.NewRuntime(actor.Options{})
	b.Cleanup(func() { rt.Shutdown(context.Background()) })
	pid, err := rt.Spawn(context.Background(), k.New(nil), actor.SpawnOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return rt, pid
}

// BenchmarkCall is a call round trip to a Starlark process.
func BenchmarkCall(b *testing.B) {
	rt, pid := benchKind(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := rt.Call(ctx, pid, int64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCast is casts to one Starlark process, until all are handled.
func BenchmarkCast(b *testing.B) {
	rt, pid := benchKind(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		rt.Cast(pid, int64(i))
	}
	rt.Quiesce(context.Background())
}
