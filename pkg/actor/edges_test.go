package actor_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// The tests in this file each pin down an edge where the runtime once
// broke its promises: a data race that could end the program, replies
// from processes already killed, callbacks that never return, panics in
// code the runtime calls on other goroutines' behalf.

// TestMutualMonitorsDieTogether: two processes that monitor each other
// die at the same moment, through a link or from two goroutines. Each
// exit used to delete its monitors from the other's table while the other,
// already exiting, read that table without a lock: under -race a data
// race, and without it, now and then, "concurrent map iteration and map
// write", which no recover can catch.
func TestMutualMonitorsDieTogether(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	crashy := func() *fn { return &fn{cast: func(*actor.Process, any) error { return actor.Reason("boom") }} }
	for round := range 300 {
		a, _ := rt.Spawn(ctx, crashy(), actor.SpawnOptions{})
		var opts actor.SpawnOptions
		if round%2 == 0 {
			opts.Link = a
		}
		b, _ := rt.Spawn(ctx, crashy(), opts)
		for range 8 {
			rt.Monitor(a, b)
			rt.Monitor(b, a)
		}
		wa, _ := rt.Watch(a)
		wb, _ := rt.Watch(b)
		if round%2 == 0 {
			rt.Cast(a, "crash") // the link takes b down on its own goroutine
		} else {
			var wg sync.WaitGroup
			start := make(chan struct{})
			wg.Go(func() { <-start; rt.Hooks().ExitNow(actor.PID{}, a, actor.ErrKill) })
			wg.Go(func() { <-start; rt.Hooks().ExitNow(actor.PID{}, b, actor.ErrKill) })
			close(start)
			wg.Wait()
		}
		reasonOf(t, wa)
		reasonOf(t, wb)
	}
	quiesce(t, rt)
	if n := rt.NumProcesses(); n != 0 {
		t.Fatalf("%d processes left; want 0", n)
	}
}

// TestExitedMidCallNeverReplies: a process that an exit signal ends while
// it handles a call must not deliver the handler's return value: the
// caller gets the exit, as in OTP, where a killed process sends nothing.
// Callers queued behind it get the exit too.
func TestExitedMidCallNeverReplies(t *testing.T) {
	boom := actor.Reason("boom")
	for _, tc := range []struct {
		name     string
		reason   error // the exit signal
		want     error // the caller's exit reason
		infinity bool  // CallInfinity instead of Call
		ignore   bool  // the handler ignores Done and returns when released
	}{
		{name: "kill", reason: actor.ErrKill, want: actor.ErrKilled},
		{name: "boom", reason: boom, want: boom},
		{name: "kill, handler ignores Done", reason: actor.ErrKill, want: actor.ErrKilled, ignore: true},
		{name: "kill, CallInfinity", reason: actor.ErrKill, want: actor.ErrKilled, infinity: true},
		{name: "boom, CallInfinity, handler ignores Done", reason: boom, want: boom, infinity: true, ignore: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime(t)
			inside, release := make(chan struct{}), make(chan struct{})
			pid := spawn(t, rt, &fn{call: func(p *actor.Process, _ actor.From, req any) (any, error) {
				if req == "first" {
					close(inside)
					if tc.ignore {
						<-release
					} else {
						select {
						case <-p.Done():
						case <-release:
						}
					}
				}
				return "ok", nil
			}})
			call := func(req string) error {
				var v any
				var err error
				if tc.infinity {
					v, err = rt.Hooks().CallInfinity(context.Background(), pid, req)
				} else {
					v, err = rt.Call(context.Background(), pid, req)
				}
				if err == nil {
					return errors.New("replied " + v.(string))
				}
				return err
			}
			errs := make(chan error, 4)
			go func() { errs <- call("first") }()
			<-inside
			for range 3 {
				go func() { errs <- call("queued") }()
			}
			waitQueued(t, rt, pid, 3)
			rt.Exit(actor.PID{}, pid, tc.reason)
			if tc.ignore {
				// The handler returns "ok" a little later: too late.
				time.AfterFunc(20*time.Millisecond, func() { close(release) })
			}
			for range 4 {
				err := <-errs
				var ee *actor.ExitError
				if !errors.As(err, &ee) || ee.PID != pid || !errors.Is(err, tc.want) {
					t.Errorf("caller got %v; want an ExitError for %v with %v", err, pid, tc.want)
				}
			}
			if !tc.ignore {
				close(release)
			}
		})
	}
}

// waitQueued waits until pid has n messages queued.
func waitQueued(t *testing.T, rt *actor.Runtime, pid actor.PID, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		in, err := rt.Info(pid)
		if err != nil {
			t.Fatalf("Info(%v): %v", pid, err)
		}
		if in.MessageQueueLen >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v has %d messages queued after 10s; want %d", pid, in.MessageQueueLen, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// names is a minimal Namer for tests that need via names without a
// registry: it cleans up through Attach like a registry does.
type names struct {
	rt *actor.Runtime
	mu sync.Mutex
	m  map[string]actor.PID
}

func newNames(rt *actor.Runtime) *names { return &names{rt: rt, m: map[string]actor.PID{}} }

func (n *names) RegisterName(name string, pid actor.PID) error {
	return n.rt.Hooks().Attach(pid, n, name, func() error {
		n.mu.Lock()
		defer n.mu.Unlock()
		if _, taken := n.m[name]; taken {
			return actor.ErrAlreadyStarted
		}
		n.m[name] = pid
		return nil
	})
}

func (n *names) UnregisterName(name string, pid actor.PID) { n.ProcessExited(pid, name) }

func (n *names) WhereIs(name string) (actor.PID, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	pid, ok := n.m[name]
	return pid, ok
}

func (n *names) ProcessExited(pid actor.PID, name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m[name] == pid {
		delete(n.m, name)
	}
}

// TestTerminateThatNeverReturns: a process told to stop runs Terminate,
// which never returns (it ignores Done). A kill must still end it at
// once: its name is free, its watchers hear "killed", and Shutdown says
// which callback is still running rather than waiting for ever.
func TestTerminateThatNeverReturns(t *testing.T) {
	rt := actor.NewRuntime(actor.Options{})
	reg := newNames(rt)
	inTerminate, release := make(chan struct{}), make(chan struct{})
	stuck := &fn{
		init: func(p *actor.Process) error { p.TrapExit(true); return nil },
		term: func(*actor.Process, error) { close(inTerminate); <-release },
	}
	pid, err := rt.Spawn(context.Background(), stuck, actor.SpawnOptions{Name: actor.Via(reg, "stuck")})
	if err != nil {
		t.Fatal(err)
	}
	exited, _ := rt.Watch(pid)
	rt.Exit(actor.PID{}, pid, actor.ErrShutdown) // from its parent, the outside world: Terminate runs
	<-inTerminate
	if _, ok := reg.WhereIs("stuck"); !ok {
		t.Fatal("the name went before the process was killed")
	}
	rt.Exit(actor.PID{}, pid, actor.ErrKill)
	if r := reasonOf(t, exited); !errors.Is(r, actor.ErrKilled) {
		t.Fatalf("exit reason %v; want killed", r)
	}
	if holder, ok := reg.WhereIs("stuck"); ok {
		t.Fatalf("the name is still held by %v after the kill", holder)
	}
	if _, err := rt.Spawn(context.Background(), &fn{}, actor.SpawnOptions{Name: actor.Via(reg, "stuck")}); err != nil {
		t.Fatalf("taking the name back: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = rt.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "1 killed processes are still inside a callback (["+pid.String()+"])") {
		t.Fatalf("Shutdown = %v; want a deadline error naming %v as still inside a callback", err, pid)
	}
	close(release)
	if err := rt.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown after the callback returned: %v", err)
	}
}

// TestKilledDuringInit: Spawn of a process killed while its Init runs
// fails with the reason, as start_link returns {error, killed}.
func TestKilledDuringInit(t *testing.T) {
	rt := newRuntime(t)
	self := make(chan actor.PID, 1)
	release := make(chan struct{})
	go func() {
		pid := <-self
		rt.Exit(actor.PID{}, pid, actor.ErrKill)
		close(release)
	}()
	pid, err := rt.Spawn(context.Background(), &fn{init: func(p *actor.Process) error {
		self <- p.Self()
		<-release
		return nil
	}}, actor.SpawnOptions{})
	if !errors.Is(err, actor.ErrKilled) || !pid.IsZero() {
		t.Fatalf("Spawn = %v, %v; want no PID and killed", pid, err)
	}
	quiesce(t, rt)
	if n := rt.NumProcesses(); n != 0 {
		t.Fatalf("%d processes left; want 0", n)
	}
}

type badState struct{ fn }

func (*badState) State() any        { panic("state boom") }
func (*badState) Behaviour() string { panic("behaviour boom") }

// TestPanicsOutsideCallbacks: State and Behaviour run for whoever asks;
// a panic in them fails that request (as a crashing format_status does in
// OTP) and neither kills the process nor reaches the caller as a panic.
func TestPanicsOutsideCallbacks(t *testing.T) {
	rt := newRuntime(t)
	pid := spawn(t, rt, &badState{})
	_, err := rt.State(context.Background(), pid)
	var pe *actor.PanicError
	if !errors.As(err, &pe) || pe.Value != "state boom" {
		t.Fatalf("State error = %v; want the PanicError of State", err)
	}
	in, err := rt.Info(pid)
	if err != nil || in.Behaviour != "*actor_test.badState" {
		t.Fatalf("Info = %+v, %v; want the Go type as the behaviour", in, err)
	}
	if v, err := rt.Call(context.Background(), pid, 1); v != 1 || err != nil {
		t.Fatalf("Call after the panics = %v, %v; want 1: the process must live on", v, err)
	}
}

type panicCleaner struct{}

func (panicCleaner) ProcessExited(actor.PID, string) { panic("cleaner boom") }

type panicNamer struct{ names }

func (*panicNamer) RegisterName(string, actor.PID) error { panic("namer boom") }

// TestPanicsInPlugins: a panicking subscriber, Cleaner or Namer cannot
// take the program or the process down.
func TestPanicsInPlugins(t *testing.T) {
	rt := newRuntime(t)
	var mu sync.Mutex
	var seen []actor.EventKind
	rt.Subscribe(func(e actor.Event) {
		mu.Lock()
		seen = append(seen, e.Kind)
		mu.Unlock()
	})
	bad := 0
	rt.Subscribe(func(e actor.Event) {
		if e.Kind == actor.EventExited {
			bad++
			panic("subscriber boom")
		}
	})

	pid := spawn(t, rt, &fn{})
	if err := rt.Hooks().Attach(pid, panicCleaner{}, "k", nil); err != nil {
		t.Fatal(err)
	}
	exited, _ := rt.Watch(pid)
	rt.Exit(actor.PID{}, pid, actor.Reason("boom"))
	if r := reasonOf(t, exited); !errors.Is(r, actor.Reason("boom")) {
		t.Fatalf("exit reason %v; want boom", r)
	}
	quiesce(t, rt)
	// A second exit reaches the good subscriber only.
	other := spawn(t, rt, &fn{})
	rt.Exit(actor.PID{}, other, actor.ErrKill)
	quiesce(t, rt)
	mu.Lock()
	defer mu.Unlock()
	if bad != 1 {
		t.Errorf("the panicking subscriber ran %d times; want 1 (then it is unsubscribed)", bad)
	}
	var panicked, exits int
	for _, k := range seen {
		switch k {
		case actor.EventSubscriberPanicked:
			panicked++
		case actor.EventExited:
			exits++
		}
	}
	if panicked != 1 || exits != 2 {
		t.Errorf("good subscriber saw %d subscriber_panicked and %d exited; want 1 and 2", panicked, exits)
	}

	_, err := rt.Spawn(context.Background(), &fn{}, actor.SpawnOptions{Name: actor.Via(&panicNamer{}, "x")})
	var pe *actor.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("Spawn with a panicking Namer = %v; want a PanicError", err)
	}
}

// TestCallInfinityHonoursCtx: a call without a timeout still stops
// waiting when its ctx ends, and answers with an error that matches the
// ctx's; the callee goes on.
func TestCallInfinityHonoursCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		slow := spawn(t, rt, &fn{call: func(*actor.Process, actor.From, any) (any, error) {
			time.Sleep(500 * time.Millisecond)
			return "late", nil
		}})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := rt.Hooks().CallInfinity(ctx, slow, "x")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("CallInfinity error = %v; want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 50*time.Millisecond {
			t.Errorf("CallInfinity returned after %v; want 50ms", d)
		}
		ctx2, cancel2 := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Millisecond, cancel2)
		if _, err := rt.Hooks().CallInfinity(ctx2, slow, "x"); !errors.Is(err, context.Canceled) {
			t.Fatalf("CallInfinity error = %v; want context.Canceled", err)
		}
	})
}

// TestCallInfinityRunsOnlyItsOwnCall: a caller that runs an idle callee
// on its own goroutine hands it over as soon as its own call is answered,
// so it does not serve the requests queued behind it.
func TestCallInfinityRunsOnlyItsOwnCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		srv := spawn(t, rt, &fn{call: func(_ *actor.Process, _ actor.From, req any) (any, error) {
			time.Sleep(req.(time.Duration))
			return req, nil
		}})
		var wg sync.WaitGroup
		var took time.Duration
		wg.Go(func() {
			start := time.Now()
			rt.Hooks().CallInfinity(context.Background(), srv, 50*time.Millisecond)
			took = time.Since(start)
		})
		wg.Go(func() {
			time.Sleep(10 * time.Millisecond) // queued behind the first
			rt.Hooks().CallInfinity(context.Background(), srv, 400*time.Millisecond)
		})
		wg.Wait()
		if took != 50*time.Millisecond {
			t.Errorf("the first call returned after %v; want 50ms (its own request only)", took)
		}
	})
}

// TestProcessCallHonoursCtx: Process.Call takes a ctx, as Runtime.Call does.
func TestProcessCallHonoursCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		slow := spawn(t, rt, &fn{call: func(*actor.Process, actor.From, any) (any, error) {
			time.Sleep(time.Second)
			return nil, nil
		}})
		errs := make(chan error, 1)
		caller := spawn(t, rt, &fn{cast: func(p *actor.Process, _ any) error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := p.Call(ctx, slow, "x")
			if d := time.Since(start); d != 30*time.Millisecond {
				err = errors.New("returned after " + d.String())
			}
			errs <- err
			return nil
		}})
		rt.Cast(caller, nil)
		if err := <-errs; !errors.Is(err, actor.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Process.Call error = %v; want a timeout after 30ms", err)
		}
	})
}

// TestCallErrorsNameTheirSubject: errors say which process or name they
// are about and still match the sentinels.
func TestCallErrorsNameTheirSubject(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		ctx := context.Background()
		gone := spawn(t, rt, &fn{})
		rt.Hooks().ExitNow(actor.PID{}, gone, actor.ErrKill)
		_, err := rt.Call(ctx, gone, "x")
		if want := "noproc: " + gone.String(); err == nil || err.Error() != want || !errors.Is(err, actor.ErrNoProc) {
			t.Errorf("Call(dead) = %v; want %q matching ErrNoProc", err, want)
		}
		release := make(chan struct{})
		defer close(release)
		slow := spawn(t, rt, &fn{call: func(*actor.Process, actor.From, any) (any, error) { <-release; return nil, nil }})
		_, err = rt.Call(ctx, slow, "x")
		if want := "timeout: " + slow.String(); err == nil || err.Error() != want ||
			!errors.Is(err, actor.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Call(slow) = %v; want %q matching ErrTimeout and DeadlineExceeded", err, want)
		}
		var ce *actor.CallError
		if !errors.As(err, &ce) || ce.PID != slow {
			t.Errorf("Call(slow) = %#v; want a CallError for %v", err, slow)
		}
		reg := newNames(rt)
		_, err = rt.CallName(ctx, actor.Via(reg, "worker_3"), "x")
		if want := `noproc: "worker_3"`; err == nil || err.Error() != want || !errors.Is(err, actor.ErrNoProc) {
			t.Errorf("CallName(free) = %v; want %q", err, want)
		}
	})
}

// TestCallNameAndCallAs: a call by via name reaches the holder, and a
// typed call checks the reply's type.
func TestCallNameAndCallAs(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	reg := newNames(rt)
	pid, err := rt.Spawn(ctx, &counter{n: 41}, actor.SpawnOptions{Name: actor.Via(reg, "c")})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := actor.CallNameAs[int](ctx, rt, actor.Via(reg, "c"), "get"); n != 41 || err != nil {
		t.Fatalf("CallNameAs[int](c) = %v, %v; want 41", n, err)
	}
	if n, err := actor.CallAs[int](ctx, rt, pid, "get"); n != 41 || err != nil {
		t.Fatalf("CallAs[int] = %v, %v; want 41", n, err)
	}
	if s, err := actor.CallAs[string](ctx, rt, pid, "get"); err == nil || s != "" || !strings.Contains(err.Error(), "reply is a int, want string") {
		t.Fatalf("CallAs[string] = %q, %v; want a type error", s, err)
	}
}

// TestReplyAndStop: {:stop, reason, reply, state} in one return.
func TestReplyAndStop(t *testing.T) {
	rt := newRuntime(t)
	pid := spawn(t, rt, &fn{call: func(*actor.Process, actor.From, any) (any, error) {
		return "bye", actor.ReplyAndStop(actor.ErrNormal)
	}})
	exited, _ := rt.Watch(pid)
	if v, err := rt.Call(context.Background(), pid, "x"); v != "bye" || err != nil {
		t.Fatalf("Call = %v, %v; want bye", v, err)
	}
	if r := reasonOf(t, exited); !errors.Is(r, actor.ErrNormal) {
		t.Fatalf("exit reason %v; want normal", r)
	}
}

// TestWatchCancel: a watch can be taken back, so a program that watches a
// long-lived process per request does not pile them up; a watch of a dead
// process answers noproc at once.
func TestWatchCancel(t *testing.T) {
	rt := newRuntime(t)
	pid := spawn(t, rt, &fn{})
	for range 100 {
		_, cancel := rt.Watch(pid)
		cancel()
		cancel() // twice is fine
	}
	if n := actor.Waiters(rt, pid); n != 0 {
		t.Fatalf("%d watches left after cancelling them all; want 0", n)
	}
	kept, _ := rt.Watch(pid)
	dropped, cancel := rt.Watch(pid)
	cancel()
	rt.Exit(actor.PID{}, pid, actor.ErrKill)
	if r := reasonOf(t, kept); !errors.Is(r, actor.ErrKilled) {
		t.Fatalf("kept watch got %v; want killed", r)
	}
	select {
	case r := <-dropped:
		t.Fatalf("cancelled watch got %v; want nothing", r)
	default:
	}
	dead, _ := rt.Watch(pid)
	if r := reasonOf(t, dead); !errors.Is(r, actor.ErrNoProc) {
		t.Fatalf("watch of a dead process got %v; want noproc", r)
	}
}

// TestChildListStaysSmall: a parent keeps a list of its linked children so
// that its exit does not scan the PID table; the list stays in proportion
// to the live children however many come and go.
func TestChildListStaysSmall(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	parent := spawn(t, rt, &fn{init: func(p *actor.Process) error { p.TrapExit(true); return nil }})
	var live []actor.PID
	for round := range 50 {
		for range 40 {
			pid, err := rt.Spawn(ctx, &fn{}, actor.SpawnOptions{Link: parent})
			if err != nil {
				t.Fatal(err)
			}
			live = append(live, pid)
		}
		// All but the newest two die.
		for _, pid := range live[:len(live)-2] {
			rt.Hooks().ExitNow(actor.PID{}, pid, actor.ErrKill)
		}
		live = slices.Clone(live[len(live)-2:])
		// At most the 2 survivors, the 40 of this round and the 16 below
		// which the list is never compacted.
		if n := actor.ChildListLen(rt, parent); n > 2+40+16 {
			t.Fatalf("round %d: a child list of %d for 2 live children", round, n)
		}
	}
	quiesce(t, rt)
	in, err := rt.Info(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Links) != 2 {
		t.Fatalf("parent's links %v; want the 2 live children", in.Links)
	}
	downs := []<-chan error{watch(t, rt, in.Links[0]), watch(t, rt, in.Links[1])}
	rt.Exit(actor.PID{}, parent, actor.ErrKill)
	for _, d := range downs {
		if r := reasonOf(t, d); !errors.Is(r, actor.ErrKilled) {
			t.Fatalf("child exited with %v; want killed", r)
		}
	}
}

// TestShutdownGrace: a ctx already spent still gives processes
// ShutdownGrace to run Terminate and stop in order.
func TestShutdownGrace(t *testing.T) {
	rt := actor.NewRuntime(actor.Options{})
	terminated := make(chan error, 1)
	spawn(t, rt, &fn{
		init: func(p *actor.Process) error { p.TrapExit(true); return nil },
		term: func(_ *actor.Process, r error) { terminated <- r },
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown(spent ctx) = %v; want nil: the process stops within the grace", err)
	}
	select {
	case r := <-terminated:
		if !errors.Is(r, actor.ErrShutdown) {
			t.Fatalf("Terminate(%v); want shutdown", r)
		}
	default:
		t.Fatal("Terminate did not run")
	}
}

// TestReplyError: a handler may refuse a request with an error for the
// caller and go on, like {:reply, {:error, reason}, state}.
func TestReplyError(t *testing.T) {
	rt := newRuntime(t)
	refused := errors.New("unknown request")
	pid := spawn(t, rt, &fn{call: func(_ *actor.Process, _ actor.From, req any) (any, error) {
		if req == "bad" {
			return nil, actor.ReplyError(refused)
		}
		return req, nil
	}})
	if _, err := rt.Call(context.Background(), pid, "bad"); !errors.Is(err, refused) {
		t.Fatalf("Call(bad) = %v; want the handler's error", err)
	}
	if v, err := rt.Call(context.Background(), pid, "good"); v != "good" || err != nil {
		t.Fatalf("Call(good) after a refusal = %v, %v; want good: the process goes on", v, err)
	}
}
