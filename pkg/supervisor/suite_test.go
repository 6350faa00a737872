package supervisor_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// Ports of cases from OTP's supervisor_SUITE and gen_server_SUITE that
// the other tests do not already cover, under their OTP names.

// flakySpec is a child whose New fails while fail is set.
func flakySpec(id string, fail *atomic.Bool, starts *atomic.Int64) supervisor.ChildSpec {
	return supervisor.ChildSpec{ID: id, New: func([]any) (actor.Actor, error) {
		starts.Add(1)
		if fail.Load() {
			return nil, errors.New("start_failed")
		}
		return idler{}, nil
	}}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// count_restarting_children: a child whose restart is being retried
// counts as a spec, not as active.
func TestSuiteCountRestartingChildren(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	var fail atomic.Bool
	var starts atomic.Int64
	sup, err := supervisor.Start(ctx, rt, supervisor.Options{MaxRestarts: 1 << 30, MaxSeconds: 1},
		flakySpec("f", &fail, &starts), supervisor.ChildSpec{ID: "ok", New: newActor(idler{})})
	if err != nil {
		t.Fatal(err)
	}
	fail.Store(true)
	rt.Exit(actor.PID{}, childPID(t, rt, sup, "f"), actor.ErrKill)
	waitFor(t, "retries", func() bool { return starts.Load() > 5 })
	n, err := supervisor.CountChildren(ctx, rt, sup)
	if err != nil || n.Specs != 2 || n.Active != 1 {
		t.Fatalf("counts %+v, %v; want 2 specs, 1 active", n, err)
	}
	fail.Store(false)
	waitFor(t, "the restart", func() bool { n, _ := supervisor.CountChildren(ctx, rt, sup); return n.Active == 2 })
}

// one_for_all_other_child_fails_restart and
// rest_for_one_other_child_fails_restart: when a sibling fails to start
// again, the supervisor keeps trying (each try a restart) until it starts,
// and then every child runs, each started once more.
func TestSuiteOtherChildFailsRestart(t *testing.T) {
	for _, st := range []supervisor.Strategy{supervisor.OneForAll, supervisor.RestForOne} {
		t.Run(st.String(), func(t *testing.T) {
			rt := newRuntime(t)
			ctx := context.Background()
			var fail atomic.Bool
			var starts atomic.Int64
			sup, err := supervisor.Start(ctx, rt, supervisor.Options{Strategy: st, MaxRestarts: 1 << 30, MaxSeconds: 1},
				supervisor.ChildSpec{ID: "a", New: newActor(idler{})}, flakySpec("b", &fail, &starts))
			if err != nil {
				t.Fatal(err)
			}
			fail.Store(true)
			rt.Exit(actor.PID{}, childPID(t, rt, sup, "a"), actor.Reason("boom"))
			waitFor(t, "retries of b", func() bool { return starts.Load() > 5 })
			kids, _ := supervisor.WhichChildren(ctx, rt, sup)
			if kids[0].PID.IsZero() || !kids[1].PID.IsZero() || !kids[1].Restarting {
				t.Fatalf("while b fails: %+v; want a running, b restarting", kids)
			}
			fail.Store(false)
			waitFor(t, "b", func() bool { kids, _ := supervisor.WhichChildren(ctx, rt, sup); return !kids[1].PID.IsZero() })
			settle(t, rt)
			if !rt.Alive(sup) {
				t.Fatal("the supervisor gave up")
			}
		})
	}
}

// already_started_outside_supervisor: a child whose name a process outside
// the supervisor holds fails to start with already_started naming it.
func TestSuiteAlreadyStartedOutsideSupervisor(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	reg := registry.New(rt, registry.Options{})
	outsider, err := rt.Spawn(ctx, idler{}, actor.SpawnOptions{Name: reg.Via("x")})
	if err != nil {
		t.Fatal(err)
	}
	sup, err := supervisor.Start(ctx, rt, supervisor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = supervisor.StartChild(ctx, rt, sup, supervisor.ChildSpec{ID: "x", Name: reg.Via("x"), New: newActor(idler{})})
	var as *actor.AlreadyStartedError
	if !errors.As(err, &as) || as.PID != outsider {
		t.Fatalf("StartChild = %v; want already_started naming %v", err, outsider)
	}
	if n, _ := supervisor.CountChildren(ctx, rt, sup); n.Specs != 0 {
		t.Fatalf("counts %+v; want no child added", n)
	}
}

// calling_self (gen_server_SUITE): a process that calls itself gets an
// error at once instead of waiting for itself.
func TestSuiteCallingSelf(t *testing.T) {
	rt := newRuntime(t)
	errs := make(chan error, 1)
	pid, _ := rt.Spawn(context.Background(), &fnActor{
		init: func(*actor.Process) error { return nil },
		cast: func(p *actor.Process, _ any) error {
			_, err := p.Call(context.Background(), p.Self(), "hello")
			errs <- err
			return nil
		},
		info: func(*actor.Process, any) error { return nil },
	}, actor.SpawnOptions{})
	rt.Cast(pid, nil)
	select {
	case err := <-errs:
		if err == nil {
			t.Fatal("calling self succeeded")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("calling self waited for itself")
	}
}

// stop of a dead process, and of one named in a registry
// (gen_server_SUITE stop1..stop10, the cases that apply here).
func TestSuiteStop(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	reg := registry.New(rt, registry.Options{})
	pid, _ := rt.Spawn(ctx, idler{}, actor.SpawnOptions{Name: reg.Via("s")})
	named, ok := reg.WhereIs("s")
	if !ok || named != pid {
		t.Fatal("not registered")
	}
	if err := rt.Stop(ctx, named, actor.ErrNormal); err != nil {
		t.Fatalf("Stop by name: %v", err)
	}
	if _, ok := reg.WhereIs("s"); ok {
		t.Fatal("the name outlived the stop")
	}
	if err := rt.Stop(ctx, pid, actor.ErrNormal); !errors.Is(err, actor.ErrNoProc) {
		t.Fatalf("Stop of a dead process = %v; want noproc", err)
	}
}
