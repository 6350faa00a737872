package supervisor_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// journal records what workers do, in order.
type journal struct {
	mu    sync.Mutex
	lines []string
}

func (j *journal) add(format string, args ...any) {
	j.mu.Lock()
	j.lines = append(j.lines, fmt.Sprintf(format, args...))
	j.mu.Unlock()
}

func (j *journal) take() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := j.lines
	j.lines = nil
	return out
}

// worker traps exits, so its supervisor stops it through Terminate; a
// cast of an error makes it exit with that reason. Its Terminate may take
// a while (linger), to test shutdown timeouts.
type worker struct {
	id     string
	j      *journal
	linger time.Duration
}

func (w *worker) Init(p *actor.Process) error {
	p.TrapExit(true)
	w.j.add("start %s", w.id)
	return nil
}

func (w *worker) HandleCast(_ *actor.Process, msg any) error { return msg.(error) }

func (w *worker) Terminate(p *actor.Process, reason error) {
	if w.linger > 0 {
		select {
		case <-time.After(w.linger):
		case <-p.Done(): // killed: give up cleaning up
			return
		}
	}
	w.j.add("stop %s %v", w.id, reason)
}

func spec(rt *actor.Runtime, j *journal, id string, r supervisor.Restart) supervisor.ChildSpec {
	return supervisor.ChildSpec{
		ID:      id,
		Restart: r,
		New:     func([]any) (actor.Actor, error) { return &worker{id: id, j: j}, nil },
	}
}

func newRuntime(t *testing.T) *actor.Runtime {
	t.Helper()
	rt := actor.NewRuntime(actor.Options{})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := rt.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return rt
}

func settle(t *testing.T, rt *actor.Runtime) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rt.Quiesce(ctx); err != nil {
		t.Fatalf("Quiesce: %v", err)
	}
}

func childPID(t *testing.T, rt *actor.Runtime, sup actor.PID, id string) actor.PID {
	t.Helper()
	cs, err := supervisor.WhichChildren(context.Background(), rt, sup)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.ID == id {
			return c.PID
		}
	}
	t.Fatalf("no child %q in %v", id, cs)
	return actor.PID{}
}

func TestRestartTypes(t *testing.T) {
	reasons := []struct {
		name  string
		exit  func(rt *actor.Runtime, pid actor.PID)
		worst bool // abnormal: transient children restart
	}{
		{"normal", func(rt *actor.Runtime, pid actor.PID) { rt.Cast(pid, actor.ErrNormal) }, false},
		{"shutdown", func(rt *actor.Runtime, pid actor.PID) { rt.Cast(pid, actor.ErrShutdown) }, false},
		{"{shutdown, x}", func(rt *actor.Runtime, pid actor.PID) { rt.Cast(pid, actor.Shutdown("x")) }, false},
		{"killed", func(rt *actor.Runtime, pid actor.PID) { rt.Exit(actor.PID{}, pid, actor.ErrKill) }, true},
		{"custom", func(rt *actor.Runtime, pid actor.PID) { rt.Cast(pid, actor.Reason("boom")) }, true},
		{"panic", func(rt *actor.Runtime, pid actor.PID) { rt.Cast(pid, nil) /* msg.(error) on nil panics */ }, true},
	}
	for _, r := range []supervisor.Restart{supervisor.Permanent, supervisor.Transient, supervisor.Temporary} {
		for _, reason := range reasons {
			want := r == supervisor.Permanent || (r == supervisor.Transient && reason.worst)
			t.Run(r.String()+"/"+reason.name, func(t *testing.T) {
				rt := newRuntime(t)
				j := &journal{}
				sup, err := supervisor.Start(context.Background(), rt, supervisor.Options{}, spec(rt, j, "w", r))
				if err != nil {
					t.Fatal(err)
				}
				pid := childPID(t, rt, sup, "w")
				reason.exit(rt, pid)
				settle(t, rt)
				cs, _ := supervisor.WhichChildren(context.Background(), rt, sup)
				restarted := len(cs) == 1 && !cs[0].PID.IsZero() && cs[0].PID != pid
				if restarted != want {
					t.Errorf("restarted = %v; want %v (children %+v)", restarted, want, cs)
				}
				if r == supervisor.Temporary && len(cs) != 0 {
					t.Errorf("temporary child still listed: %+v", cs)
				}
				if r == supervisor.Transient && !want && (len(cs) != 1 || !cs[0].PID.IsZero()) {
					t.Errorf("transient child after a normal exit = %+v; want its spec kept, not running", cs)
				}
			})
		}
	}
}

func TestStrategies(t *testing.T) {
	tests := []struct {
		strategy supervisor.Strategy
		want     []string
	}{
		{supervisor.OneForOne, []string{"start b"}},
		{supervisor.OneForAll, []string{"stop c shutdown", "stop a shutdown", "start a", "start b", "start c"}},
		{supervisor.RestForOne, []string{"stop c shutdown", "start b", "start c"}},
	}
	for _, tt := range tests {
		t.Run(tt.strategy.String(), func(t *testing.T) {
			rt := newRuntime(t)
			j := &journal{}
			sup, err := supervisor.Start(context.Background(), rt, supervisor.Options{Strategy: tt.strategy},
				spec(rt, j, "a", supervisor.Permanent), spec(rt, j, "b", supervisor.Permanent), spec(rt, j, "c", supervisor.Permanent))
			if err != nil {
				t.Fatal(err)
			}
			if got := j.take(); !slices.Equal(got, []string{"start a", "start b", "start c"}) {
				t.Fatalf("initial start order %v", got)
			}
			before := map[string]actor.PID{"a": childPID(t, rt, sup, "a"), "b": childPID(t, rt, sup, "b"), "c": childPID(t, rt, sup, "c")}
			rt.Cast(before["b"], actor.Reason("boom"))
			settle(t, rt)
			if got := j.take(); !slices.Equal(got, append([]string{"stop b boom"}, tt.want...)) {
				t.Errorf("after b crashed: %v; want %v", got, append([]string{"stop b boom"}, tt.want...))
			}
			cs, _ := supervisor.WhichChildren(context.Background(), rt, sup)
			var ids []string
			for _, c := range cs {
				ids = append(ids, c.ID)
				if !rt.Alive(c.PID) {
					t.Errorf("child %s (%v) is not alive", c.ID, c.PID)
				}
			}
			if !slices.Equal(ids, []string{"a", "b", "c"}) {
				t.Errorf("children after restart: %v; want a, b, c in order", ids)
			}
			// Stopping the supervisor stops the children in reverse order.
			if err := rt.Stop(context.Background(), sup, actor.ErrShutdown); err != nil {
				t.Fatal(err)
			}
			if got := j.take(); !slices.Equal(got, []string{"stop c shutdown", "stop b shutdown", "stop a shutdown"}) {
				t.Errorf("supervisor stop: %v; want c, b, a", got)
			}
		})
	}
}

func TestTemporarySiblingLeavesOnOneForAll(t *testing.T) {
	rt := newRuntime(t)
	j := &journal{}
	sup, err := supervisor.Start(context.Background(), rt, supervisor.Options{Strategy: supervisor.OneForAll},
		spec(rt, j, "a", supervisor.Permanent), spec(rt, j, "tmp", supervisor.Temporary), spec(rt, j, "c", supervisor.Permanent))
	if err != nil {
		t.Fatal(err)
	}
	j.take()
	// A temporary child's exit triggers nothing.
	rt.Cast(childPID(t, rt, sup, "tmp"), actor.Reason("boom"))
	settle(t, rt)
	if got := j.take(); !slices.Equal(got, []string{"stop tmp boom"}) {
		t.Fatalf("after the temporary child crashed: %v; want only its own exit", got)
	}
	sup2, _ := supervisor.Start(context.Background(), rt, supervisor.Options{Strategy: supervisor.OneForAll},
		spec(rt, j, "x", supervisor.Permanent), spec(rt, j, "t", supervisor.Temporary))
	j.take()
	rt.Cast(childPID(t, rt, sup2, "x"), actor.Reason("boom"))
	settle(t, rt)
	if got := j.take(); !slices.Equal(got, []string{"stop x boom", "stop t shutdown", "start x"}) {
		t.Errorf("one_for_all with a temporary sibling: %v; want it stopped and not restarted", got)
	}
	if cs, _ := supervisor.WhichChildren(context.Background(), rt, sup2); len(cs) != 1 || cs[0].ID != "x" {
		t.Errorf("children = %+v; want only x", cs)
	}
}

func TestIntensity(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		j := &journal{}
		var events []actor.Event
		var mu sync.Mutex
		defer rt.Subscribe(func(e actor.Event) {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		})()
		sup, err := supervisor.Start(context.Background(), rt, supervisor.Options{}, spec(rt, j, "w", supervisor.Permanent))
		if err != nil {
			t.Fatal(err)
		}
		exited, _ := rt.Watch(sup)
		for i := 1; i <= 3; i++ {
			rt.Cast(childPID(t, rt, sup, "w"), actor.Reason("boom"))
			synctest.Wait()
			d, _ := supervisor.Describe(context.Background(), rt, sup)
			if d.Restarts != i {
				t.Fatalf("after crash %d: %d restarts in the window; want %d", i, d.Restarts, i)
			}
			time.Sleep(time.Second)
		}
		// Four seconds in, a fourth crash: 4 restarts within 5s.
		rt.Cast(childPID(t, rt, sup, "w"), actor.Reason("boom"))
		synctest.Wait()
		if r := <-exited; !errors.Is(r, actor.ErrShutdown) {
			t.Errorf("supervisor exit = %v; want shutdown", r)
		}
		mu.Lock()
		defer mu.Unlock()
		var gaveUp, restarted int
		for _, e := range events {
			switch e.Kind {
			case actor.EventGaveUp:
				gaveUp++
				if e.PID != sup || e.Restarts != 4 || e.MaxRestarts != 3 || e.Window != 5*time.Second {
					t.Errorf("gave_up event %+v", e)
				}
			case actor.EventRestarted:
				restarted++
			}
		}
		if gaveUp != 1 || restarted != 3 {
			t.Errorf("%d restarted and %d gave_up events; want 3 and 1", restarted, gaveUp)
		}
	})
}

func TestIntensityWindowSlides(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		j := &journal{}
		sup, _ := supervisor.Start(context.Background(), rt, supervisor.Options{MaxRestarts: 3, MaxSeconds: 5}, spec(rt, j, "w", supervisor.Permanent))
		for range 10 {
			rt.Cast(childPID(t, rt, sup, "w"), actor.Reason("boom"))
			synctest.Wait()
			time.Sleep(2 * time.Second) // at most 3 restarts ever fall within 5s
		}
		if !rt.Alive(sup) {
			t.Error("supervisor gave up on restarts spread over time")
		}
	})
}

func TestNoRestartsAllowed(t *testing.T) {
	rt := newRuntime(t)
	j := &journal{}
	sup, _ := supervisor.Start(context.Background(), rt, supervisor.Options{MaxRestarts: supervisor.NoRestarts}, spec(rt, j, "w", supervisor.Permanent))
	exited, _ := rt.Watch(sup)
	rt.Cast(childPID(t, rt, sup, "w"), actor.Reason("boom"))
	if r := <-exited; !errors.Is(r, actor.ErrShutdown) {
		t.Errorf("exit = %v; want shutdown at the first restart", r)
	}
}

func TestNestedSupervisors(t *testing.T) {
	for _, r := range []supervisor.Restart{supervisor.Permanent, supervisor.Transient} {
		t.Run(r.String(), func(t *testing.T) {
			rt := newRuntime(t)
			j := &journal{}
			inner := supervisor.Spec("inner", supervisor.Options{MaxRestarts: 1}, spec(rt, j, "leaf", supervisor.Permanent))
			inner.Restart = r
			top, err := supervisor.Start(context.Background(), rt, supervisor.Options{}, inner)
			if err != nil {
				t.Fatal(err)
			}
			innerPID := childPID(t, rt, top, "inner")
			if in, _ := rt.Info(innerPID); in.Parent != top {
				t.Errorf("inner parent = %v; want %v", in.Parent, top)
			}
			// Two crashes of the leaf exceed the inner supervisor's budget of 1.
			for range 2 {
				rt.Cast(childPID(t, rt, innerPID, "leaf"), actor.Reason("boom"))
				settle(t, rt)
			}
			if rt.Alive(innerPID) {
				t.Fatal("inner supervisor survived its intensity")
			}
			cs, _ := supervisor.WhichChildren(context.Background(), rt, top)
			if r == supervisor.Permanent {
				if len(cs) != 1 || cs[0].PID.IsZero() || cs[0].PID == innerPID || cs[0].Restarts != 1 {
					t.Errorf("top's children = %+v; want inner restarted once", cs)
				}
			} else if len(cs) != 1 || !cs[0].PID.IsZero() {
				t.Errorf("top's children = %+v; want transient inner not restarted after shutdown", cs)
			}
		})
	}
}

func TestShutdownOrderAndTimeouts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		j := &journal{}
		mk := func(id string, linger, shutdown time.Duration) supervisor.ChildSpec {
			return supervisor.ChildSpec{ID: id, Shutdown: shutdown,
				New: func([]any) (actor.Actor, error) { return &worker{id: id, j: j, linger: linger}, nil }}
		}
		sup, err := supervisor.Start(context.Background(), rt, supervisor.Options{},
			mk("patient", 10*time.Second, supervisor.Infinity),
			mk("slow", 10*time.Second, 2*time.Second),
			mk("brutal", 0, supervisor.BrutalKill),
			mk("quick", time.Second, 0))
		if err != nil {
			t.Fatal(err)
		}
		j.take()
		pids := map[string]actor.PID{}
		reasons := map[string]<-chan error{}
		for _, id := range []string{"patient", "slow", "brutal", "quick"} {
			pids[id] = childPID(t, rt, sup, id)
			reasons[id], _ = rt.Watch(pids[id])
		}
		start := time.Now()
		if err := rt.Stop(context.Background(), sup, actor.ErrShutdown); err != nil {
			t.Fatal(err)
		}
		// quick (1s of Terminate), brutal (killed at once), slow (killed
		// after 2s), patient (waited for: 10s).
		if d := time.Since(start); d != 13*time.Second {
			t.Errorf("supervisor stop took %v; want 1s + 0 + 2s + 10s", d)
		}
		if got := j.take(); !slices.Equal(got, []string{"stop quick shutdown", "stop patient shutdown"}) {
			t.Errorf("terminated: %v; want quick, then patient (slow was killed mid-Terminate, brutal never ran it)", got)
		}
		want := map[string]error{"quick": actor.ErrShutdown, "brutal": actor.ErrKilled, "slow": actor.ErrKilled, "patient": actor.ErrShutdown}
		for id, w := range want {
			if r := <-reasons[id]; !errors.Is(r, w) {
				t.Errorf("%s exited with %v; want %v", id, r, w)
			}
		}
	})
}

func TestChildManagement(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	j := &journal{}
	sup, err := supervisor.Start(ctx, rt, supervisor.Options{}, spec(rt, j, "a", supervisor.Permanent))
	if err != nil {
		t.Fatal(err)
	}
	b, err := supervisor.StartChild(ctx, rt, sup, spec(rt, j, "b", supervisor.Transient))
	if err != nil || !rt.Alive(b) {
		t.Fatalf("StartChild(b) = %v, %v", b, err)
	}
	_, err = supervisor.StartChild(ctx, rt, sup, spec(rt, j, "b", supervisor.Transient))
	var ase *actor.AlreadyStartedError
	if !errors.As(err, &ase) || ase.PID != b {
		t.Errorf("StartChild(b again) = %v; want already_started %v", err, b)
	}
	if err := supervisor.DeleteChild(ctx, rt, sup, "b"); !errors.Is(err, supervisor.ErrRunning) {
		t.Errorf("DeleteChild(running) = %v; want running", err)
	}
	if _, err := supervisor.RestartChild(ctx, rt, sup, "b"); !errors.Is(err, supervisor.ErrRunning) {
		t.Errorf("RestartChild(running) = %v; want running", err)
	}
	if err := supervisor.TerminateChild(ctx, rt, sup, "b"); err != nil {
		t.Fatal(err)
	}
	if rt.Alive(b) {
		t.Error("terminated child alive")
	}
	if _, err := supervisor.StartChild(ctx, rt, sup, spec(rt, j, "b", supervisor.Transient)); !errors.Is(err, supervisor.ErrAlreadyPresent) {
		t.Errorf("StartChild(terminated id) = %v; want already_present", err)
	}
	n, err := supervisor.CountChildren(ctx, rt, sup)
	if err != nil || n != (supervisor.Counts{Specs: 2, Active: 1, Workers: 2}) {
		t.Errorf("CountChildren = %+v, %v", n, err)
	}
	b2, err := supervisor.RestartChild(ctx, rt, sup, "b")
	if err != nil || b2 == b || !rt.Alive(b2) {
		t.Errorf("RestartChild = %v, %v", b2, err)
	}
	if err := supervisor.TerminateChildPID(ctx, rt, sup, b2); err != nil {
		t.Fatal(err)
	}
	if err := supervisor.DeleteChild(ctx, rt, sup, "b"); err != nil {
		t.Errorf("DeleteChild = %v", err)
	}
	for _, f := range []func() error{
		func() error { return supervisor.DeleteChild(ctx, rt, sup, "nope") },
		func() error { return supervisor.TerminateChild(ctx, rt, sup, "nope") },
		func() error { _, err := supervisor.RestartChild(ctx, rt, sup, "nope"); return err },
	} {
		if err := f(); !errors.Is(err, supervisor.ErrNotFound) {
			t.Errorf("unknown child: %v; want not_found", err)
		}
	}
	cs, _ := supervisor.WhichChildren(ctx, rt, sup)
	if len(cs) != 1 || cs[0].ID != "a" || cs[0].Shutdown != supervisor.DefaultShutdown || cs[0].Type != supervisor.WorkerChild {
		t.Errorf("WhichChildren = %+v", cs)
	}
	// Requests to something that is not a supervisor fail without harming it.
	a := cs[0].PID
	if _, err := supervisor.WhichChildren(ctx, rt, a); !errors.Is(err, supervisor.ErrNotSupervisor) {
		t.Errorf("WhichChildren(worker) = %v; want ErrNotSupervisor", err)
	}
	if !rt.Alive(a) || supervisor.IsSupervisor(rt, a) || !supervisor.IsSupervisor(rt, sup) {
		t.Errorf("Is/Alive wrong after a misdirected request")
	}
	// A child that fails to start at supervisor start: a StartError, and
	// the children already started are stopped.
	j.take()
	_, err = supervisor.Start(ctx, rt, supervisor.Options{}, spec(rt, j, "x", supervisor.Permanent), supervisor.ChildSpec{
		ID: "bad", New: func([]any) (actor.Actor, error) { return nil, actor.Reason("econnrefused") },
	})
	var se *supervisor.StartError
	if !errors.As(err, &se) || se.ID != "bad" {
		t.Errorf("Start with a failing child = %v; want StartError for bad", err)
	}
	if got := j.take(); !slices.Equal(got, []string{"start x", "stop x shutdown"}) {
		t.Errorf("journal = %v; want x started then stopped", got)
	}
}

func TestDynamicSupervisor(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	j := &journal{}
	sup, err := supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{MaxChildren: 2, ExtraArguments: []any{"pool"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []any
	withExtra := supervisor.ChildSpec{ID: "w", New: func(extra []any) (actor.Actor, error) {
		got = extra
		return &worker{id: "w", j: j}, nil
	}}
	w1, err := supervisor.StartChild(ctx, rt, sup, withExtra)
	if err != nil || !slices.Equal(got, []any{"pool"}) {
		t.Fatalf("StartChild = %v, %v; extra arguments %v", w1, err, got)
	}
	w2, _ := supervisor.StartChild(ctx, rt, sup, spec(rt, j, "w", supervisor.Transient))
	if _, err := supervisor.StartChild(ctx, rt, sup, spec(rt, j, "w", supervisor.Permanent)); !errors.Is(err, supervisor.ErrMaxChildren) {
		t.Errorf("third child: %v; want max_children", err)
	}
	if err := supervisor.TerminateChild(ctx, rt, sup, "w"); !errors.Is(err, supervisor.ErrDynamic) {
		t.Errorf("TerminateChild by id on a DynamicSupervisor: %v", err)
	}
	if err := supervisor.TerminateChildPID(ctx, rt, sup, w2); err != nil {
		t.Fatal(err)
	}
	if err := supervisor.TerminateChildPID(ctx, rt, sup, w2); !errors.Is(err, supervisor.ErrNotFound) {
		t.Errorf("second TerminateChildPID = %v; want not_found", err)
	}
	// A restarted dynamic child keeps its place; a transient one that
	// exits normally is forgotten.
	rt.Exit(actor.PID{}, w1, actor.ErrKill)
	settle(t, rt)
	cs, _ := supervisor.WhichChildren(ctx, rt, sup)
	if len(cs) != 1 || cs[0].PID == w1 || cs[0].Restarts != 1 {
		t.Fatalf("children after a kill = %+v; want one restarted child", cs)
	}
	if in, _ := rt.Info(cs[0].PID); in.Restarts != 1 || in.Parent != sup {
		t.Errorf("restarted child's info: restarts %d, parent %v", in.Restarts, in.Parent)
	}
	d, _ := supervisor.Describe(ctx, rt, sup)
	if !d.Dynamic || d.MaxChildren != 2 || d.Restarts != 1 || d.Counts.Active != 1 {
		t.Errorf("Describe = %+v", d)
	}
	if b, _ := rt.Hooks().Behaviour(sup); b != "dynamic_supervisor" {
		t.Errorf("Behaviour = %q", b)
	}
	if _, err := supervisor.RestartChild(ctx, rt, sup, "w"); !errors.Is(err, supervisor.ErrDynamic) {
		t.Errorf("RestartChild on a DynamicSupervisor: %v", err)
	}
}

func TestChildAndPages(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	j := &journal{}
	sup, _ := supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{})
	var pids []actor.PID
	for i := 0; i < 25; i++ {
		pid, err := supervisor.StartChild(ctx, rt, sup, spec(rt, j, fmt.Sprint("w", i), supervisor.Permanent))
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	var got []actor.PID
	after := actor.PID{}
	for {
		page, err := supervisor.ChildrenPage(ctx, rt, sup, after, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 10 {
			t.Fatalf("page of %d; want at most 10", len(page))
		}
		for _, c := range page {
			got = append(got, c.PID)
		}
		after = page[len(page)-1].PID
	}
	if !slices.Equal(got, pids) {
		t.Errorf("pages gave %v; want %v", got, pids)
	}
	c, err := supervisor.Child(ctx, rt, sup, pids[7])
	if err != nil || c.ID != "w7" || c.PID != pids[7] {
		t.Errorf("Child = %+v, %v", c, err)
	}
	if _, err := supervisor.Child(ctx, rt, sup, sup); !errors.Is(err, supervisor.ErrNotFound) {
		t.Errorf("Child(not a child) = %v; want not_found", err)
	}
}

// The events of a restart, ordered by their logical clocks as the shell
// narrates them, tell the strategy as it happened: the crash, the
// siblings' stops in reverse start order, then the starts in order. With
// trapping workers the supervisor waits for each stop; with plain ones
// each stop is over when the signal returns.
func TestStrategyEventsInCausalOrder(t *testing.T) {
	tests := []struct {
		strategy supervisor.Strategy
		want     []string
	}{
		{supervisor.OneForOne, []string{"exited b", "restarted b"}},
		{supervisor.OneForAll, []string{"exited b", "exited c", "exited a", "restarted a", "restarted b", "restarted c"}},
		{supervisor.RestForOne, []string{"exited b", "exited c", "restarted b", "restarted c"}},
	}
	for _, trap := range []bool{true, false} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/trap=%v", tt.strategy, trap), func(t *testing.T) {
				rt := newRuntime(t)
				j := &journal{}
				specs := []supervisor.ChildSpec{spec(rt, j, "a", supervisor.Permanent), spec(rt, j, "b", supervisor.Permanent), spec(rt, j, "c", supervisor.Permanent)}
				if !trap {
					for i := range specs {
						specs[i].New = func([]any) (actor.Actor, error) { return plainWorker{}, nil }
					}
				}
				sup, err := supervisor.Start(context.Background(), rt, supervisor.Options{Strategy: tt.strategy}, specs...)
				if err != nil {
					t.Fatal(err)
				}
				names := map[actor.PID]string{}
				for _, id := range []string{"a", "b", "c"} {
					names[childPID(t, rt, sup, id)] = id
				}
				var mu sync.Mutex
				var events []actor.Event
				cancel := rt.Hooks().SubscribeInline(func(e actor.Event) {
					if e.Kind == actor.EventExited || e.Kind == actor.EventRestarted {
						mu.Lock()
						events = append(events, e)
						mu.Unlock()
					}
				})
				rt.Cast(childPID(t, rt, sup, "b"), actor.Reason("boom"))
				settle(t, rt)
				cancel()
				mu.Lock()
				defer mu.Unlock()
				slices.SortStableFunc(events, func(x, y actor.Event) int {
					if x.Clock != y.Clock {
						return cmp.Compare(x.Clock, y.Clock)
					}
					return cmp.Compare(x.PID.ID(), y.PID.ID())
				})
				var got []string
				for _, e := range events {
					name := names[e.PID]
					if e.Kind == actor.EventRestarted {
						name = e.Name
					}
					got = append(got, e.Kind.String()+" "+name)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("events in clock order: %v; want %v", got, tt.want)
				}
			})
		}
	}
}

// plainWorker does not trap exits: a cast of an error ends it.
type plainWorker struct{}

func (plainWorker) Init(*actor.Process) error { return nil }

func (plainWorker) HandleCast(_ *actor.Process, msg any) error { return msg.(error) }
