package supervisor_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

type idle struct{}

func (idle) Init(*actor.Process) error { return nil }

func namedChild(rt *actor.Runtime, reg *registry.Registry, name string) supervisor.ChildSpec {
	return supervisor.ChildSpec{ID: name, Name: reg.Via(name), New: func([]any) (actor.Actor, error) { return idle{}, nil }}
}

func benchSetup(b *testing.B, maxRestarts int) (*actor.Runtime, *registry.Registry, actor.PID) {
	rt := actor.NewRuntime(actor.Options{})
	b.Cleanup(func() { rt.Shutdown(context.Background()) })
	reg := registry.New(rt, registry.Options{Name: "bench"})
	sup, err := supervisor.StartDynamic(context.Background(), rt, supervisor.DynamicOptions{MaxRestarts: maxRestarts})
	if err != nil {
		b.Fatal(err)
	}
	return rt, reg, sup
}

// BenchmarkNamedSpawn starts named children under a DynamicSupervisor:
// the call to the supervisor, the spawn, the via registration. With a ctx
// that cannot end the caller runs the supervisor itself; with one that can
// (ctx=cancellable), the supervisor runs on its own goroutine so that the
// caller can stop waiting.
func BenchmarkNamedSpawn(b *testing.B) {
	for _, cancellable := range []bool{false, true} {
		name := "ctx=background"
		if cancellable {
			name = "ctx=cancellable"
		}
		b.Run(name, func(b *testing.B) {
			rt, reg, sup := benchSetup(b, 0)
			ctx := context.Background()
			if cancellable {
				var cancel func()
				ctx, cancel = context.WithCancel(ctx)
				defer cancel()
			}
			names := make([]string, b.N)
			for i := range names {
				names[i] = "greeter_for_" + strconv.Itoa(i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := supervisor.StartChild(ctx, rt, sup, namedChild(rt, reg, names[i])); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "spawns/s")
		})
	}
}

// BenchmarkRestartLatency kills a permanent named child and waits until
// its replacement is found by name.
func BenchmarkRestartLatency(b *testing.B) {
	rt, reg, sup := benchSetup(b, 1<<30)
	if _, err := supervisor.StartChild(context.Background(), rt, sup, namedChild(rt, reg, "worker")); err != nil {
		b.Fatal(err)
	}
	pid, _ := reg.WhereIs("worker")
	b.ReportAllocs()
	for b.Loop() {
		rt.Exit(actor.PID{}, pid, actor.ErrKill)
		for {
			if p, ok := reg.WhereIs("worker"); ok && p != pid {
				pid = p
				break
			}
			runtime.Gosched()
		}
	}
}

// BenchmarkIdleMemory reports the heap and stack bytes per idle, named,
// supervised process, with 100,000 of them alive.
func BenchmarkIdleMemory(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		b.StopTimer()
		names := make([]string, n)
		for i := range names {
			names[i] = "greeter_for_" + strconv.Itoa(i)
		}
		before := memUsed()
		rt, reg, sup := benchSetup(b, 0)
		ctx := context.Background()
		b.StartTimer()
		for i := range names {
			if _, err := supervisor.StartChild(ctx, rt, sup, namedChild(rt, reg, names[i])); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		rt.Quiesce(ctx)
		after := memUsed()
		b.ReportMetric(float64(after-before)/n, "bytes/process")
		rt.Shutdown(ctx)
		runtime.KeepAlive(names)
		b.StartTimer()
	}
}

func memUsed() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

// crasher panics on any cast, or returns an error if fail; its Init
// reports on started.
type crasher struct {
	started chan<- actor.PID
	fail    bool
}

func (c *crasher) Init(p *actor.Process) error {
	c.started <- p.Self()
	return nil
}
func (c *crasher) HandleCast(*actor.Process, any) error {
	if c.fail {
		return actor.Reason("crash")
	}
	panic("crash")
}

// BenchmarkCrashRestart measures the crash path: from a cast that makes a
// named permanent child panic (or return an error) until its
// replacement's Init has run: the exit, the restart, the new Init. Its
// twin for suture is in bench/suture.
func BenchmarkCrashRestart(b *testing.B) {
	for _, fail := range []bool{false, true} {
		name := "panic"
		if fail {
			name = "error"
		}
		b.Run(name, func(b *testing.B) {
			rt, reg, sup := benchSetup(b, 1<<30)
			started := make(chan actor.PID, 1)
			spec := supervisor.ChildSpec{ID: "c", Name: reg.Via("c"),
				New: func([]any) (actor.Actor, error) { return &crasher{started: started, fail: fail}, nil }}
			if _, err := supervisor.StartChild(context.Background(), rt, sup, spec); err != nil {
				b.Fatal(err)
			}
			pid := <-started
			b.ReportAllocs()
			for b.Loop() {
				rt.Cast(pid, "crash")
				pid = <-started
			}
		})
	}
}
