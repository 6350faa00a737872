package supervisor_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// TestManyNamedProcesses runs a few hundred thousand named, supervised
// processes, kills some while other goroutines look names up, and checks
// that afterwards every name points at a live process and nothing is left
// behind when the supervisor stops.
func TestManyNamedProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 200,000 processes")
	}
	const n = 200_000
	const kills = 2_000
	rt := newRuntime(t)
	ctx := context.Background()
	reg := registry.New(rt, registry.Options{Name: "many"})
	sup, err := supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{MaxRestarts: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, n)
	for i := range names {
		names[i] = "p" + strconv.Itoa(i)
		if _, err := supervisor.StartChild(ctx, rt, sup, namedChild(rt, reg, names[i])); err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
	}
	var stop atomic.Bool
	var deadSeen atomic.Int64
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for !stop.Load() {
				name := names[r.IntN(n)]
				if pid, ok := reg.WhereIs(name); ok && !rt.Alive(pid) {
					// Alive can turn false just after the lookup; a dead
					// PID found *by* the lookup is the bug. Re-check the
					// name: if it still gives the same dead PID, that is it.
					if again, ok := reg.WhereIs(name); ok && again == pid {
						deadSeen.Add(1)
					}
				}
			}
		})
	}
	r := rand.New(rand.NewPCG(42, 42))
	for range kills {
		pid, ok := reg.WhereIs(names[r.IntN(n)])
		if ok {
			rt.Exit(actor.PID{}, pid, actor.ErrKill)
		}
	}
	settle(t, rt)
	stop.Store(true)
	wg.Wait()
	if d := deadSeen.Load(); d != 0 {
		t.Errorf("%d lookups returned a dead process", d)
	}
	for i, name := range names {
		pid, ok := reg.WhereIs(name)
		if !ok || !rt.Alive(pid) {
			t.Fatalf("name %d (%s) = %v, %v: not a live process", i, name, pid, ok)
		}
	}
	if got := rt.NumProcesses(); got != n+1 {
		t.Errorf("NumProcesses = %d; want %d", got, n+1)
	}
	if err := rt.Stop(ctx, sup, actor.ErrShutdown); err != nil {
		t.Fatal(err)
	}
	if c := reg.Count(); c != 0 {
		t.Errorf("%d names left after the supervisor stopped", c)
	}
	if got := rt.NumProcesses(); got != 0 {
		t.Errorf("%d processes left after the supervisor stopped", got)
	}
}

// trapTerm traps exits if asked and counts its Terminate calls by reason.
type trapTerm struct {
	trap      bool
	shutdowns *atomic.Int64
}

func (a *trapTerm) Init(p *actor.Process) error {
	p.TrapExit(a.trap)
	return nil
}

func (a *trapTerm) Terminate(_ *actor.Process, reason error) {
	if errors.Is(reason, actor.ErrShutdown) {
		a.shutdowns.Add(1)
	}
}

// TestDynamicShutdownManyChildren stops a DynamicSupervisor with enough
// children that several goroutines share the signalling: the children that
// trap exits run Terminate with shutdown, the others exit at once, and
// nothing is left.
func TestDynamicShutdownManyChildren(t *testing.T) {
	const n = 20_000
	rt := newRuntime(t)
	ctx := context.Background()
	reg := registry.New(rt, registry.Options{Name: "many"})
	sup, err := supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var shutdowns atomic.Int64
	trapping := 0
	for i := range n {
		a := &trapTerm{trap: i%3 == 0, shutdowns: &shutdowns}
		if a.trap {
			trapping++
		}
		key := "c" + strconv.Itoa(i)
		spec := supervisor.ChildSpec{ID: key, Name: reg.Via(key), New: func([]any) (actor.Actor, error) { return a, nil }}
		if _, err := supervisor.StartChild(ctx, rt, sup, spec); err != nil {
			t.Fatal(err)
		}
	}
	exited, _ := rt.Watch(sup)
	if err := rt.Stop(ctx, sup, actor.ErrShutdown); err != nil {
		t.Fatal(err)
	}
	if got := shutdowns.Load(); got != int64(trapping) {
		t.Errorf("%d children ran Terminate with shutdown; want the %d that trap exits", got, trapping)
	}
	if c := reg.Count(); c != 0 {
		t.Errorf("%d names left after the supervisor stopped", c)
	}
	if got := rt.NumProcesses(); got != 0 {
		t.Errorf("%d processes left after the supervisor stopped", got)
	}
	if r := <-exited; !errors.Is(r, actor.ErrShutdown) {
		t.Errorf("supervisor exited with %v; want shutdown", r)
	}
}
