package registry_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
)

func named(b *testing.B, n int) (*actor.Runtime, *registry.Registry, []string) {
	rt := newRuntime(b)
	reg := registry.New(rt, registry.Options{Name: "bench"})
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "greeter_for_" + strconv.Itoa(i)
	}
	for _, key := range keys {
		spawn(b, rt, idle{}, reg.Via(key))
	}
	return rt, reg, keys
}

// BenchmarkLookup is WhereIs from one goroutine over 100,000 and
// 1,000,000 names, looked up in the order they were registered (which
// says nothing of where they sit in the table).
func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run("names="+strconv.Itoa(n), func(b *testing.B) {
			_, reg, keys := named(b, n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, ok := reg.WhereIs(keys[i]); !ok {
					b.Fatal("missing")
				}
				i++
				if i == len(keys) {
					i = 0
				}
			}
		})
	}
}

// BenchmarkLookupParallel is WhereIs from GOMAXPROCS goroutines.
func BenchmarkLookupParallel(b *testing.B) {
	_, reg, keys := named(b, 100_000)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok := reg.WhereIs(keys[i]); !ok {
				b.Fatal("missing")
			}
			i++
			if i == len(keys) {
				i = 0
			}
		}
	})
}

// BenchmarkDuplicateUnregister unregisters and re-registers one process
// under a key that n other processes share: the cost must not grow with n.
func BenchmarkDuplicateUnregister(b *testing.B) {
	for _, n := range []int{10, 1_000, 100_000} {
		b.Run("shared_by_"+strconv.Itoa(n), func(b *testing.B) {
			rt := newRuntime(b)
			reg := registry.New(rt, registry.Options{Name: "topics", Keys: registry.Duplicate})
			for range n {
				pid := spawn(b, rt, idle{}, actor.Name{})
				reg.Register(pid, "news", nil)
			}
			me, _ := rt.Spawn(context.Background(), idle{}, actor.SpawnOptions{})
			b.ReportAllocs()
			for b.Loop() {
				reg.Register(me, "news", nil)
				reg.Unregister(me, "news")
			}
		})
	}
}
