package supervisor_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// The tests in this file each pin down an edge where a supervisor once
// broke its promises: panicking start functions, stuck Terminates,
// requests that ignored their ctx, children lost to an unlink or restarted
// against a terminate_child, and a state read while it was written.

func newActor(a actor.Actor) func([]any) (actor.Actor, error) {
	return func([]any) (actor.Actor, error) { return a, nil }
}

// idler is a worker with nothing to do.
type idler struct{}

func (idler) Init(*actor.Process) error { return nil }

// TestStartPanicIsStartError: a child whose New or Start panics fails to
// start with a PanicError, as a crashing start function is {error,
// Reason} in OTP (supervisor_SUITE sup_start_child_returns_error); the
// supervisor and its other children live on, and restart_child of such a
// child returns the error too (sup_start_restart_child_returns_error).
func TestStartPanicIsStartError(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	sup, err := supervisor.Start(ctx, rt, supervisor.Options{}, supervisor.ChildSpec{ID: "sibling", New: newActor(idler{})})
	if err != nil {
		t.Fatal(err)
	}
	sibling := childPID(t, rt, sup, "sibling")
	var m map[string]int
	panicky := []supervisor.ChildSpec{
		{ID: "new", New: func([]any) (actor.Actor, error) { m["x"] = 1; return idler{}, nil }},
		{ID: "start", Start: func(*supervisor.Spawner) (actor.PID, error) { m["x"] = 1; return actor.PID{}, nil }},
	}
	for _, spec := range panicky {
		_, err := supervisor.StartChild(ctx, rt, sup, spec)
		var pe *actor.PanicError
		if !errors.As(err, &pe) || !strings.Contains(pe.Error(), "assignment to entry in nil map") {
			t.Fatalf("StartChild(%s) = %v; want a PanicError", spec.ID, err)
		}
	}
	if !rt.Alive(sup) || !rt.Alive(sibling) {
		t.Fatal("a panicking start function took the supervisor or its sibling down")
	}

	// A child that starts once and then panics at restart_child.
	var fail atomic.Bool
	flaky := supervisor.ChildSpec{ID: "flaky", New: func([]any) (actor.Actor, error) {
		if fail.Load() {
			panic("flaky start")
		}
		return idler{}, nil
	}}
	if _, err := supervisor.StartChild(ctx, rt, sup, flaky); err != nil {
		t.Fatal(err)
	}
	if err := supervisor.TerminateChild(ctx, rt, sup, "flaky"); err != nil {
		t.Fatal(err)
	}
	fail.Store(true)
	var pe *actor.PanicError
	if _, err := supervisor.RestartChild(ctx, rt, sup, "flaky"); !errors.As(err, &pe) || pe.Value != "flaky start" {
		t.Fatalf("RestartChild = %v; want the start's PanicError", err)
	}
	if !rt.Alive(sup) {
		t.Fatal("the supervisor died of a panicking restart_child")
	}
}

// TestStartMustUseItsSpawner: a Start function cannot hand the supervisor
// a process it did not start as the supervisor's child, nor start two.
func TestStartMustUseItsSpawner(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	sup, err := supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stranger, _ := rt.Spawn(ctx, idler{}, actor.SpawnOptions{})
	_, err = supervisor.StartChild(ctx, rt, sup, supervisor.ChildSpec{ID: "s", Start: func(*supervisor.Spawner) (actor.PID, error) {
		return stranger, nil
	}})
	if err == nil || !strings.Contains(err.Error(), "did not spawn with its Spawner") {
		t.Fatalf("StartChild returning a stranger = %v; want it refused", err)
	}
	var second actor.PID
	_, err = supervisor.StartChild(ctx, rt, sup, supervisor.ChildSpec{ID: "two", Start: func(sp *supervisor.Spawner) (actor.PID, error) {
		first, err := sp.Spawn(idler{}, actor.SpawnOptions{})
		if err != nil {
			return first, err
		}
		second, err = sp.Spawn(idler{}, actor.SpawnOptions{})
		return first, err
	}})
	if err == nil || !second.IsZero() {
		t.Fatalf("StartChild spawning twice = %v (second %v); want the second Spawn refused", err, second)
	}
	settle(t, rt)
	if n, _ := supervisor.CountChildren(ctx, rt, sup); n.Active != 0 {
		t.Fatalf("counts %+v after failed starts; want none active", n)
	}
	if got := rt.NumProcesses(); got != 2 { // the supervisor and the stranger: the first of "two" was stopped
		t.Fatalf("%d processes; want 2", got)
	}
}

// TestTerminateWhileRestarting: terminate_child of a child whose restart
// failed and is pending wins over the retry (OTP: try_again_restart only
// restarts a child still restarting); restart_child then starts it.
func TestTerminateWhileRestarting(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	reg := registry.New(rt, registry.Options{})
	var failing atomic.Bool
	var starts atomic.Int64
	sup, err := supervisor.Start(ctx, rt, supervisor.Options{MaxRestarts: 1 << 30, MaxSeconds: 1}, supervisor.ChildSpec{
		ID: "c", Name: reg.Via("c"), New: func([]any) (actor.Actor, error) {
			starts.Add(1)
			if failing.Load() {
				return nil, errors.New("start failed")
			}
			return idler{}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	failing.Store(true)
	rt.Exit(actor.PID{}, childPID(t, rt, sup, "c"), actor.ErrKill)
	for starts.Load() < 10 { // the supervisor is retrying
		time.Sleep(time.Millisecond)
	}
	if err := supervisor.TerminateChild(ctx, rt, sup, "c"); err != nil {
		t.Fatalf("TerminateChild of a restarting child: %v", err)
	}
	failing.Store(false)
	settle(t, rt)
	if pid, ok := reg.WhereIs("c"); ok {
		t.Fatalf("the terminated child was started again (%v) by the pending retry", pid)
	}
	kids, _ := supervisor.WhichChildren(ctx, rt, sup)
	if len(kids) != 1 || !kids[0].PID.IsZero() || kids[0].Restarting {
		t.Fatalf("children %+v; want c terminated, not restarting", kids)
	}
	if _, err := supervisor.RestartChild(ctx, rt, sup, "c"); err != nil {
		t.Fatalf("RestartChild after the terminate: %v", err)
	}
}

// TestUnlinkedChildIsNotCounted: a child unlinked from its supervisor (OTP
// lets only the child do that) dies unnoticed; the supervisor must not go
// on counting it as running (count_children checks is_process_alive).
func TestUnlinkedChildIsNotCounted(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	for _, dynamic := range []bool{false, true} {
		var sup actor.PID
		var err error
		if dynamic {
			sup, err = supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{})
		} else {
			sup, err = supervisor.Start(ctx, rt, supervisor.Options{})
		}
		if err != nil {
			t.Fatal(err)
		}
		pid, err := supervisor.StartChild(ctx, rt, sup, supervisor.ChildSpec{ID: "probe", New: newActor(idler{})})
		if err != nil {
			t.Fatal(err)
		}
		rt.Unlink(sup, pid)
		rt.Hooks().ExitNow(actor.PID{}, pid, actor.ErrKill)
		n, err := supervisor.CountChildren(ctx, rt, sup)
		if err != nil || n.Active != 0 {
			t.Errorf("dynamic=%v: counts %+v, %v; want no active child", dynamic, n, err)
		}
		kids, _ := supervisor.WhichChildren(ctx, rt, sup)
		for _, k := range kids {
			if k.PID == pid {
				t.Errorf("dynamic=%v: which_children lists the dead child %+v as running", dynamic, k)
			}
		}
	}
}

// TestStateIsACopy: State of a supervisor is a consistent copy made by
// the supervisor itself, safe to read while it restarts children (under
// -race this was a data race on the supervisor's own fields).
func TestStateIsACopy(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	sup, err := supervisor.Start(ctx, rt, supervisor.Options{MaxRestarts: 1 << 30, MaxSeconds: 1},
		supervisor.ChildSpec{ID: "a", New: newActor(idler{})}, supervisor.ChildSpec{ID: "b", New: newActor(idler{})})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, id := range []string{"a", "b"} {
				if kids, err := supervisor.WhichChildren(ctx, rt, sup); err == nil {
					for _, k := range kids {
						if k.ID == id && !k.PID.IsZero() {
							rt.Exit(actor.PID{}, k.PID, actor.Reason("boom"))
						}
					}
				}
			}
		}
	})
	for range 200 {
		v, err := rt.State(ctx, sup)
		if err != nil {
			t.Fatal(err)
		}
		st, ok := v.(supervisor.State)
		if !ok {
			t.Fatalf("State = %T; want supervisor.State", v)
		}
		_ = st.Strategy.String() + st.Children[0].ID + st.Children[1].ID // read it all, as the shell prints it
		if len(st.Children) != 2 || st.Counts.Specs != 2 {
			t.Fatalf("State = %+v; want two children", st)
		}
	}
	close(stop)
	wg.Wait()
}

// TestRequestsHonourCtx: a supervisor request stops waiting when its ctx
// ends (the request still happens), and a caller's request is answered
// as soon as it is done, however slow the requests queued behind it.
func TestRequestsHonourCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		sup, err := supervisor.StartDynamic(context.Background(), rt, supervisor.DynamicOptions{})
		if err != nil {
			t.Fatal(err)
		}
		slowInit := func(d time.Duration) supervisor.ChildSpec {
			return supervisor.ChildSpec{ID: "w", New: newActor(&initFor{d})}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = supervisor.StartChild(ctx, rt, sup, slowInit(500*time.Millisecond))
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 50*time.Millisecond {
			t.Fatalf("StartChild with a 50ms deadline = %v after %v; want DeadlineExceeded after 50ms", err, time.Since(start))
		}
		settle(t, rt)
		if n, _ := supervisor.CountChildren(context.Background(), rt, sup); n.Active != 1 {
			t.Fatalf("counts %+v; want the child started all the same", n)
		}

		for _, bg := range []bool{true, false} {
			var wg sync.WaitGroup
			var took time.Duration
			wg.Go(func() {
				ctx := context.Background()
				if !bg {
					var cancel func()
					ctx, cancel = context.WithCancel(ctx)
					defer cancel()
				}
				start := time.Now()
				supervisor.StartChild(ctx, rt, sup, slowInit(50*time.Millisecond))
				took = time.Since(start)
			})
			wg.Go(func() {
				time.Sleep(10 * time.Millisecond) // queued behind the first
				supervisor.StartChild(context.Background(), rt, sup, slowInit(400*time.Millisecond))
			})
			wg.Wait()
			if took != 50*time.Millisecond {
				t.Errorf("background ctx %v: the first StartChild returned after %v; want 50ms (its own child only)", bg, took)
			}
		}
	})
}

type initFor struct{ d time.Duration }

func (i *initFor) Init(*actor.Process) error { time.Sleep(i.d); return nil }

// stuckTerminate traps exits and never returns from Terminate until
// released, ignoring Done.
type stuckTerminate struct{ in, release chan struct{} }

func (s *stuckTerminate) Init(p *actor.Process) error { p.TrapExit(true); return nil }
func (s *stuckTerminate) Terminate(*actor.Process, error) {
	close(s.in)
	<-s.release
}

// TestTerminateNeverReturns: a child whose Terminate never returns is
// killed when its shutdown timeout ends and the supervisor goes on (OTP's
// sup_stop_timeout): terminate_child returns, the name is free, and the
// supervisor answers; its own shutdown does not wait for the child either.
func TestTerminateNeverReturns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		ctx := context.Background()
		reg := registry.New(rt, registry.Options{})
		release := make(chan struct{})
		defer close(release)
		spec := func() supervisor.ChildSpec {
			return supervisor.ChildSpec{ID: "stuck", Name: reg.Via("stuck"), Shutdown: 100 * time.Millisecond,
				New: func([]any) (actor.Actor, error) {
					return &stuckTerminate{in: make(chan struct{}), release: release}, nil
				}}
		}
		sup, err := supervisor.Start(ctx, rt, supervisor.Options{}, spec())
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := supervisor.TerminateChild(ctx, rt, sup, "stuck"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("TerminateChild returned after %v; want the 100ms shutdown", d)
		}
		if pid, ok := reg.WhereIs("stuck"); ok {
			t.Fatalf("the name is still held by %v", pid)
		}
		if _, err := supervisor.RestartChild(ctx, rt, sup, "stuck"); err != nil {
			t.Fatalf("RestartChild: %v", err)
		}
		// The supervisor's own shutdown (from its parent, here the outside
		// world) goes past the stuck child the same way.
		start = time.Now()
		if err := rt.Stop(ctx, sup, actor.ErrShutdown); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("stopping the supervisor took %v; want the child's 100ms shutdown", d)
		}
	})
}

// TestErrorsNameTheirSubject: child management errors name the supervisor
// and the child, and match the sentinels.
func TestErrorsNameTheirSubject(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	sup, err := supervisor.Start(ctx, rt, supervisor.Options{}, supervisor.ChildSpec{ID: "w", New: newActor(idler{})})
	if err != nil {
		t.Fatal(err)
	}
	err = supervisor.TerminateChild(ctx, rt, sup, "worker_3")
	if want := "not_found: worker_3 (supervisor " + sup.String() + ")"; err == nil || err.Error() != want || !errors.Is(err, supervisor.ErrNotFound) {
		t.Errorf("TerminateChild(worker_3) = %v; want %q matching ErrNotFound", err, want)
	}
	err = supervisor.DeleteChild(ctx, rt, sup, "w")
	var ce *supervisor.ChildError
	if !errors.Is(err, supervisor.ErrRunning) || !errors.As(err, &ce) || ce.Supervisor != sup || ce.ID != "w" {
		t.Errorf("DeleteChild(running) = %#v; want a ChildError for w matching ErrRunning", err)
	}
	w := childPID(t, rt, sup, "w")
	if _, err := supervisor.WhichChildren(ctx, rt, w); !errors.Is(err, supervisor.ErrNotSupervisor) || !strings.Contains(err.Error(), w.String()) {
		t.Errorf("WhichChildren(worker) = %v; want not_supervisor naming %v", err, w)
	}
}

// TestHugeMaxSeconds: a window longer than a time.Duration holds is cut
// to MaxWindow instead of wrapping around.
func TestHugeMaxSeconds(t *testing.T) {
	rt := newRuntime(t)
	sup, err := supervisor.Start(context.Background(), rt, supervisor.Options{MaxSeconds: 9999999999999})
	if err != nil {
		t.Fatal(err)
	}
	d, err := supervisor.Describe(context.Background(), rt, sup)
	if err != nil || d.MaxSeconds != supervisor.MaxWindow {
		t.Fatalf("Describe = %+v, %v; want MaxSeconds %d", d, err, supervisor.MaxWindow)
	}
}

// TestIntensityOnManualTime: the restart window follows the runtime's
// TimeSource, so a test (or the shell's virtual time) can let five
// seconds pass at once and see exactly which restart breaks the budget.
func TestIntensityOnManualTime(t *testing.T) {
	m := actor.NewManualTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rt := actor.NewRuntime(actor.Options{Time: m})
	defer rt.Shutdown(context.Background())
	ctx := context.Background()
	sup, err := supervisor.Start(ctx, rt, supervisor.Options{MaxRestarts: 2, MaxSeconds: 5},
		supervisor.ChildSpec{ID: "w", New: newActor(idler{})})
	if err != nil {
		t.Fatal(err)
	}
	exited, _ := rt.Watch(sup)
	crash := func() {
		t.Helper()
		rt.Hooks().ExitNow(actor.PID{}, childPID(t, rt, sup, "w"), actor.Reason("boom"))
		settle(t, rt)
	}
	crash() // 1 restart at 0s
	m.Advance(4 * time.Second)
	crash() // 2 at 4s: the budget is used up
	m.Advance(time.Second)
	crash() // the one at 0s is 5s old and out of the window: 2 in it again
	if d, _ := supervisor.Describe(ctx, rt, sup); d.Restarts != 2 {
		t.Fatalf("restarts in the window = %d; want 2", d.Restarts)
	}
	m.Advance(999 * time.Millisecond)
	crash() // 3 within 5s (4s, 5s, 5.999s): more than 2, it gives up
	select {
	case r := <-exited:
		if !errors.Is(r, actor.ErrShutdown) {
			t.Fatalf("supervisor exited with %v; want shutdown", r)
		}
	default:
		t.Fatal("the supervisor did not give up at the third restart within 5s")
	}
}

// lingerer traps exits and lingers in Terminate until killed.
type lingerer struct{}

func (lingerer) Init(p *actor.Process) error { p.TrapExit(true); return nil }
func (lingerer) Terminate(p *actor.Process, _ error) {
	<-p.Done()
}

// TestShutdownTimeoutOnManualTime: a child's shutdown timeout is measured
// on the runtime's TimeSource.
func TestShutdownTimeoutOnManualTime(t *testing.T) {
	m := actor.NewManualTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rt := actor.NewRuntime(actor.Options{Time: m})
	defer rt.Shutdown(context.Background())
	ctx := context.Background()
	sup, err := supervisor.Start(ctx, rt, supervisor.Options{},
		supervisor.ChildSpec{ID: "w", Shutdown: 2 * time.Second, New: newActor(lingerer{})})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- supervisor.TerminateChild(ctx, rt, sup, "w") }()
	for m.Pending() == 0 { // the shutdown timer is set
		time.Sleep(time.Millisecond)
	}
	m.Advance(time.Second)
	select {
	case err := <-done:
		t.Fatalf("TerminateChild returned before the shutdown timeout: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	m.Advance(time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestSubscriberCallsTheSupervisor: a subscriber may call the supervisor
// whose decision it is hearing of (it once ran on that supervisor's own
// goroutine and waited for it for ever).
func TestSubscriberCallsTheSupervisor(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	sup, err := supervisor.Start(ctx, rt, supervisor.Options{}, supervisor.ChildSpec{ID: "w", New: newActor(idler{})})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []supervisor.ChildInfo, 1)
	cancel := rt.Subscribe(func(e actor.Event) {
		if e.Kind == actor.EventRestarted {
			kids, err := supervisor.WhichChildren(ctx, rt, e.Supervisor)
			if err != nil {
				t.Errorf("WhichChildren from a subscriber: %v", err)
			}
			got <- kids
		}
	})
	defer cancel()
	rt.Exit(actor.PID{}, childPID(t, rt, sup, "w"), actor.Reason("boom"))
	select {
	case kids := <-got:
		if len(kids) != 1 || kids[0].Restarts != 1 {
			t.Fatalf("children %+v; want w restarted once", kids)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a subscriber calling the supervisor that emitted the event is stuck")
	}
}

// TestStrayMessagesDoNotWipeATree: a call a supervisor does not know is
// refused with an error, and a cast is ignored; the supervisor and its
// children live on (OTP's would crash, and take its subtree with it).
func TestStrayMessagesDoNotWipeATree(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	sup, err := supervisor.Start(ctx, rt, supervisor.Options{}, supervisor.ChildSpec{ID: "w", New: newActor(idler{})})
	if err != nil {
		t.Fatal(err)
	}
	w := childPID(t, rt, sup, "w")
	_, err = rt.Call(ctx, sup, "which_children")
	var ue *supervisor.UnknownRequestError
	if !errors.Is(err, supervisor.ErrUnknownRequest) || !errors.As(err, &ue) || ue.Supervisor != sup {
		t.Fatalf("a stray call = %v; want unknown_request from %v", err, sup)
	}
	rt.Cast(sup, "hello")
	rt.Send(sup, "hello")
	settle(t, rt)
	if !rt.Alive(sup) || !rt.Alive(w) {
		t.Fatal("a stray call, cast or message took the tree down")
	}
}
