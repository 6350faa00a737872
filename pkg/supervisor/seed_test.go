package supervisor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// Greeter is the seed post's GenServer: its Init continues, its continue
// step greets and stops with reason normal.
type Greeter struct {
	Person string
	Out    io.Writer
}

func (g *Greeter) Init(p *actor.Process) error {
	p.Continue(nil)
	return nil
}

func (g *Greeter) HandleContinue(*actor.Process, any) error {
	fmt.Fprintf(g.Out, "👋 %s\n", g.Person)
	return actor.ErrNormal
}

// greeter is the child spec: named {:via, Registry, {reg, "greeter_for_" <> person}}.
func greeter(rt *actor.Runtime, reg *registry.Registry, person string, restart supervisor.Restart, out io.Writer) supervisor.ChildSpec {
	name := "greeter_for_" + person
	return supervisor.ChildSpec{ID: name, Restart: restart, Name: reg.Via(name),
		New: func([]any) (actor.Actor, error) { return &Greeter{Person: person, Out: out}, nil }}
}

// syncBuffer is a bytes.Buffer safe for use from several processes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSeedTransientGreeter(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	reg := registry.New(rt, registry.Options{Name: "GreeterRegistry"})
	sup, err := supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var events []actor.Event
	var mu sync.Mutex
	defer rt.Subscribe(func(e actor.Event) { mu.Lock(); events = append(events, e); mu.Unlock() })()
	out := &syncBuffer{}
	pid, err := supervisor.StartChild(ctx, rt, sup, greeter(rt, reg, "alice", supervisor.Transient, out))
	if err != nil {
		t.Fatal(err)
	}
	settle(t, rt)
	if got := out.String(); got != "👋 alice\n" {
		t.Errorf("output %q; want one greeting", got)
	}
	if rt.Alive(pid) {
		t.Error("greeter still alive after greeting")
	}
	if _, ok := reg.WhereIs("greeter_for_alice"); ok {
		t.Error("greeter_for_alice still registered")
	}
	if n, _ := supervisor.CountChildren(ctx, rt, sup); n.Specs != 0 {
		t.Errorf("supervisor still has %d children", n.Specs)
	}
	mu.Lock()
	var notRestarted int
	for _, e := range events {
		if e.Kind == actor.EventRestarted {
			t.Errorf("restart event %+v", e)
		}
		if e.Kind == actor.EventNotRestarted && e.PID == pid && errors.Is(e.Reason, actor.ErrNormal) {
			notRestarted++
		}
	}
	mu.Unlock()
	if notRestarted != 1 {
		t.Errorf("want one not_restarted event for the normal exit, got %d", notRestarted)
	}
	// The name is free: greeting alice again works.
	if _, err := supervisor.StartChild(ctx, rt, sup, greeter(rt, reg, "alice", supervisor.Transient, out)); err != nil {
		t.Errorf("second greeting: %v", err)
	}
	settle(t, rt)
	if got := out.String(); got != "👋 alice\n👋 alice\n" {
		t.Errorf("output %q; want two greetings", got)
	}
}

func TestSeedPermanentGreeterExhaustsIntensity(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	reg := registry.New(rt, registry.Options{Name: "GreeterRegistry"})
	sup, err := supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{})
	if err != nil {
		t.Fatal(err)
	}
	exited, _ := rt.Watch(sup)
	out := &syncBuffer{}
	if _, err := supervisor.StartChild(ctx, rt, sup, greeter(rt, reg, "alice", supervisor.Permanent, out)); err != nil {
		t.Fatal(err)
	}
	if r := <-exited; !errors.Is(r, actor.ErrShutdown) {
		t.Errorf("supervisor exit = %v; want shutdown", r)
	}
	// The first start and 3 restarts greet; the 4th restart is one too many.
	if got := strings.Count(out.String(), "👋 alice\n"); got != 4 {
		t.Errorf("%d greetings; want 4 (start + 3 restarts)", got)
	}
	if _, ok := reg.WhereIs("greeter_for_alice"); ok {
		t.Error("name still registered after the supervisor gave up")
	}
}

// TestRestartedChildGetsItsName kills a named permanent child many times
// while other goroutines look its name up: every restart must get the name
// back (no restart fails but those killed in Init), no lookup may return a PID after a newer one,
// and once an exit is seen the old PID is never returned again.
func TestRestartedChildGetsItsName(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	reg := registry.New(rt, registry.Options{Name: "r"})
	sup, err := supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{MaxRestarts: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	// A kill that lands while the restarted child's Init runs makes that
	// restart fail with killed (start_link returns {error, killed}), and
	// the supervisor tries again; no restart may fail for any other reason.
	var failed, killedInInit atomic.Int32
	defer rt.Subscribe(func(e actor.Event) {
		if e.Kind == actor.EventRestartFailed {
			if errors.Is(e.Reason, actor.ErrKilled) {
				killedInInit.Add(1)
			} else {
				failed.Add(1)
			}
		}
	})()
	spec := supervisor.ChildSpec{ID: "worker", Name: reg.Via("worker"),
		New: func([]any) (actor.Actor, error) { return &worker{id: "worker", j: &journal{}}, nil }}
	if _, err := supervisor.StartChild(ctx, rt, sup, spec); err != nil {
		t.Fatal(err)
	}
	rounds := 3000
	if testing.Short() {
		rounds = 300
	}
	var stop atomic.Bool
	var bad atomic.Value
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			var last uint64
			for !stop.Load() {
				runtime.Gosched()
				if pid, ok := reg.WhereIs("worker"); ok {
					if pid.ID() < last {
						bad.Store(fmt.Sprintf("lookup went back from <0.%d.0> to %v", last, pid))
					}
					last = pid.ID()
				}
			}
		})
	}
	for i := 0; i < rounds; i++ {
		var pid actor.PID
		for {
			var ok bool
			if pid, ok = reg.WhereIs("worker"); ok {
				break
			}
			runtime.Gosched()
		}
		done, _ := rt.Watch(pid)
		rt.Exit(actor.PID{}, pid, actor.ErrKill)
		if r := <-done; errors.Is(r, actor.ErrNoProc) {
			t.Fatalf("round %d: WhereIs returned %v, which is not alive", i, pid)
		}
		if got, ok := reg.WhereIs("worker"); ok && got == pid {
			t.Fatalf("round %d: WhereIs returned %v after its exit", i, pid)
		}
	}
	stop.Store(true)
	wg.Wait()
	if msg := bad.Load(); msg != nil {
		t.Fatal(msg)
	}
	if n := failed.Load(); n != 0 {
		t.Errorf("%d restarts failed (the name must always be free for the restarted child)", n)
	}
	settle(t, rt)
	// A round whose kill lands in Init kills no running child: the retry
	// of the failed restart stands in for that round's restart.
	if cs, _ := supervisor.WhichChildren(ctx, rt, sup); len(cs) != 1 || cs[0].Restarts != rounds {
		t.Errorf("children = %+v; want one child restarted %d times", cs, rounds)
	}
}
