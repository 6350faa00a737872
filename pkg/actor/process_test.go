package actor_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

type counter struct{ n int }

func (c *counter) Init(*actor.Process) error { return nil }
func (c *counter) HandleCall(_ *actor.Process, _ actor.From, req any) (any, error) {
	switch req {
	case "get":
		return c.n, nil
	case "crash":
		panic("boom")
	}
	return nil, errors.New("bad request")
}
func (c *counter) HandleCast(_ *actor.Process, msg any) error {
	c.n += msg.(int)
	return nil
}

func TestCallCastOrder(t *testing.T) {
	rt := newRuntime(t)
	pid := spawn(t, rt, &counter{})
	for i := 1; i <= 100; i++ {
		if !rt.Cast(pid, i) {
			t.Fatalf("Cast(%v) = false; want true", pid)
		}
	}
	got, err := rt.Call(context.Background(), pid, "get")
	if err != nil || got != 5050 {
		t.Fatalf("Call(get) = %v, %v; want 5050, nil", got, err)
	}
}

func TestPIDsAreSequential(t *testing.T) {
	rt := newRuntime(t)
	for i := 1; i <= 3; i++ {
		pid := spawn(t, rt, &counter{})
		if want := "<0." + string(rune('0'+i)) + ".0>"; pid.String() != want {
			t.Errorf("spawn #%d = %v; want %s", i, pid, want)
		}
	}
}

func TestCallErrors(t *testing.T) {
	rt := newRuntime(t)
	pid := spawn(t, rt, &counter{})
	ctx := context.Background()

	// A panic in HandleCall ends the process; the caller learns the reason.
	exited := watch(t, rt, pid)
	_, err := rt.Call(ctx, pid, "crash")
	var ee *actor.ExitError
	if !errors.As(err, &ee) || ee.PID != pid {
		t.Fatalf("Call(crash) error = %v; want ExitError for %v", err, pid)
	}
	var pe *actor.PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" || !strings.Contains(string(pe.Stack()), "counter") {
		t.Fatalf("Call(crash) error = %v; want a PanicError with value boom and a stack", err)
	}
	if r := reasonOf(t, exited); !errors.As(r, &pe) {
		t.Fatalf("exit reason = %v; want the panic", r)
	}

	// Calling a dead process: noproc, at once.
	if _, err := rt.Call(ctx, pid, "get"); !errors.Is(err, actor.ErrNoProc) {
		t.Errorf("Call(dead) error = %v; want noproc", err)
	}
	if _, err := rt.Call(ctx, actor.PID{}, "get"); !errors.Is(err, actor.ErrNoProc) {
		t.Errorf("Call(zero PID) error = %v; want noproc", err)
	}
	if rt.Cast(pid, 1) || rt.Send(pid, 1) {
		t.Errorf("Cast/Send to a dead process reported delivery")
	}

	// A handler error stops the process with that reason.
	pid = spawn(t, rt, &counter{})
	if _, err := rt.Call(ctx, pid, "nonsense"); err == nil || !strings.Contains(err.Error(), "bad request") {
		t.Errorf("Call(nonsense) error = %v; want exit with bad request", err)
	}
}

// TestCallInfinity covers the ways a call without a timeout is answered:
// on the caller's goroutine (the callee was idle), by a Reply from another
// goroutine after NoReply (the caller has to wait), racing the caller's
// decision to wait (run many times, under -race), and by the callee's
// exit.
func TestCallInfinity(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()

	echo := spawn(t, rt, &fn{})
	if v, err := rt.Hooks().CallInfinity(ctx, echo, 7); v != 7 || err != nil {
		t.Fatalf("CallInfinity(echo) = %v, %v; want 7", v, err)
	}

	// Replies from a helper goroutine: at once (racing the caller) or
	// after a pause (the caller is surely waiting on its channel).
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	later := spawn(t, rt, &fn{call: func(p *actor.Process, from actor.From, req any) (any, error) {
		wg.Go(func() {
			if req.(int)%97 == 1 {
				time.Sleep(time.Millisecond)
			}
			p.Reply(from, req.(int)*10)
		})
		return actor.NoReply, nil
	}})
	for i := range 2000 {
		if v, err := rt.Hooks().CallInfinity(ctx, later, i); v != i*10 || err != nil {
			t.Fatalf("CallInfinity(later, %d) = %v, %v; want %d", i, v, err, i*10)
		}
	}

	// The callee dies without replying.
	dies := spawn(t, rt, &fn{call: func(*actor.Process, actor.From, any) (any, error) {
		return nil, errors.New("gave up")
	}})
	var ee *actor.ExitError
	if _, err := rt.Hooks().CallInfinity(ctx, dies, 1); !errors.As(err, &ee) || ee.PID != dies {
		t.Errorf("CallInfinity(dies) error = %v; want an ExitError for %v", err, dies)
	}
	if _, err := rt.Hooks().CallInfinity(ctx, dies, 1); !errors.Is(err, actor.ErrNoProc) {
		t.Errorf("CallInfinity(dead) error = %v; want noproc", err)
	}
}

func TestCallTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		release := make(chan struct{})
		pid := spawn(t, rt, &fn{call: func(*actor.Process, actor.From, any) (any, error) {
			<-release
			return "late", nil
		}})
		start := time.Now()
		_, err := rt.Call(context.Background(), pid, "slow")
		if !errors.Is(err, actor.ErrTimeout) {
			t.Fatalf("Call error = %v; want timeout", err)
		}
		if d := time.Since(start); d != actor.DefaultCallTimeout {
			t.Errorf("Call gave up after %v; want the default %v", d, actor.DefaultCallTimeout)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		close(release)
		if _, err := rt.Call(ctx, pid, "fast"); err != nil {
			t.Fatalf("second Call: %v (the late reply to the first must have been dropped)", err)
		}
	})
}

func TestDeferredReply(t *testing.T) {
	rt := newRuntime(t)
	var held []actor.From
	pid := spawn(t, rt, &fn{
		call: func(p *actor.Process, from actor.From, req any) (any, error) {
			if req == "wait" {
				held = append(held, from)
				return actor.NoReply, nil
			}
			for _, f := range held {
				p.Reply(f, "released")
			}
			held = nil
			return "ok", nil
		},
	})
	ctx := context.Background()
	res := make(chan any, 1)
	go func() { v, _ := rt.Call(ctx, pid, "wait"); res <- v }()
	quiesceUntil(t, rt, pid, 1)
	if _, err := rt.Call(ctx, pid, "release"); err != nil {
		t.Fatal(err)
	}
	if v := recv(t, res); v != "released" {
		t.Errorf("deferred reply = %v; want released", v)
	}

	// A deferred call whose server dies gets the exit reason.
	go func() { _, err := rt.Call(ctx, pid, "wait"); res <- err }()
	quiesceUntil(t, rt, pid, 3)
	rt.Exit(actor.PID{}, pid, actor.ErrKill)
	if err := recv(t, res); !errors.Is(err.(error), actor.ErrKilled) {
		t.Errorf("deferred call to a killed server: %v; want killed", err)
	}
}

// quiesceUntil waits until pid has handled n messages.
func quiesceUntil(t *testing.T, rt *actor.Runtime, pid actor.PID, n uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		quiesce(t, rt)
		in, err := rt.Info(pid)
		if err != nil {
			t.Fatal(err)
		}
		if in.MessagesHandled >= n {
			return
		}
		runtime.Gosched()
	}
	t.Fatalf("%v did not handle %d messages", pid, n)
}

func TestInit(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	boom := actor.Reason("boom")

	t.Run("error", func(t *testing.T) {
		var terminated bool
		_, err := rt.Spawn(ctx, &fn{init: func(*actor.Process) error { return boom }, term: func(*actor.Process, error) { terminated = true }}, actor.SpawnOptions{})
		if !errors.Is(err, boom) {
			t.Errorf("Spawn error = %v; want boom", err)
		}
		if terminated {
			t.Errorf("Terminate ran after Init failed; GenServer does not call it")
		}
	})
	t.Run("panic", func(t *testing.T) {
		_, err := rt.Spawn(ctx, &fn{init: func(*actor.Process) error { panic("init blew up") }}, actor.SpawnOptions{})
		var pe *actor.PanicError
		if !errors.As(err, &pe) || pe.Value != "init blew up" {
			t.Errorf("Spawn error = %v; want PanicError", err)
		}
	})
	t.Run("ignore", func(t *testing.T) {
		pid, err := rt.Spawn(ctx, &fn{init: func(*actor.Process) error { return actor.ErrIgnore }}, actor.SpawnOptions{})
		if !errors.Is(err, actor.ErrIgnore) || !pid.IsZero() {
			t.Errorf("Spawn = %v, %v; want zero PID, ignore", pid, err)
		}
	})
	t.Run("failure does not signal the parent", func(t *testing.T) {
		ch := make(chan any, 10)
		parent := spawn(t, rt, trapper(ch))
		if _, err := rt.Spawn(ctx, &fn{init: func(*actor.Process) error { return boom }}, actor.SpawnOptions{Parent: parent}); !errors.Is(err, boom) {
			t.Fatalf("Spawn error = %v; want boom", err)
		}
		quiesce(t, rt)
		if len(ch) != 0 {
			t.Errorf("parent received %v; want nothing (OTP 26: a failed start unlinks first)", <-ch)
		}
		if in, _ := rt.Info(parent); len(in.Links) != 0 {
			t.Errorf("parent links = %v; want none", in.Links)
		}
	})
	t.Run("continue runs before queued messages", func(t *testing.T) {
		var order []string
		done := make(chan []string, 1)
		a := &fn{
			init: func(p *actor.Process) error {
				p.Send(p.Self(), "queued during init")
				p.Continue("setup")
				return nil
			},
			cont: func(_ *actor.Process, arg any) error { order = append(order, arg.(string)); return nil },
			info: func(_ *actor.Process, msg any) error {
				order = append(order, msg.(string))
				done <- order
				return nil
			},
		}
		spawn(t, rt, a)
		got := <-done
		if strings.Join(got, ",") != "setup,queued during init" {
			t.Errorf("order = %v; want continue first", got)
		}
	})
}

func TestStopRunsTerminate(t *testing.T) {
	rt := newRuntime(t)
	got := make(chan error, 1)
	pid := spawn(t, rt, &fn{term: func(_ *actor.Process, r error) { got <- r }})
	if err := rt.Stop(context.Background(), pid, actor.Reason("done")); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if r := <-got; r.Error() != "done" {
		t.Errorf("Terminate reason = %v; want done", r)
	}
	if rt.Alive(pid) {
		t.Errorf("Alive after Stop")
	}
	if err := rt.Stop(context.Background(), pid, nil); !errors.Is(err, actor.ErrNoProc) {
		t.Errorf("second Stop = %v; want noproc", err)
	}
}

func TestPanicInCastIsExitReason(t *testing.T) {
	rt := newRuntime(t)
	pid := spawn(t, rt, &fn{cast: func(*actor.Process, any) error { panic(errors.New("cast failed")) }})
	exited := watch(t, rt, pid)
	rt.Cast(pid, "x")
	r := reasonOf(t, exited)
	var pe *actor.PanicError
	if !errors.As(r, &pe) || r.Error() != "panic: cast failed" {
		t.Errorf("reason = %v; want panic: cast failed", r)
	}
}

func TestMissingHandlers(t *testing.T) {
	rt := newRuntime(t)
	pid := spawn(t, rt, &counter{})
	rt.Send(pid, "dropped") // counter has no HandleInfo: dropped, like an unexpected message
	if v, err := rt.Call(context.Background(), pid, "get"); err != nil || v != 0 {
		t.Fatalf("after an unhandled info: %v, %v", v, err)
	}
	pid = spawn(t, rt, &struct{ actor.Actor }{&counter{}}) // no HandleCall
	exited := watch(t, rt, pid)
	_, err := rt.Call(context.Background(), pid, "get")
	if err == nil || !strings.Contains(err.Error(), "no HandleCall") {
		t.Errorf("Call without HandleCall: %v; want undef", err)
	}
	reasonOf(t, exited)

	pid = spawn(t, rt, &struct{ actor.Actor }{&counter{}}) // no HandleCast either
	exited = watch(t, rt, pid)
	rt.Cast(pid, "inc")
	if r := reasonOf(t, exited); r == nil || !strings.Contains(r.Error(), "no HandleCast") {
		t.Errorf("Cast without HandleCast: exit %v; want undef", r)
	}
}

func TestIdleProcessHoldsNoGoroutine(t *testing.T) {
	rt := newRuntime(t)
	quiesce(t, rt)
	before := runtime.NumGoroutine()
	const n = 2000
	for i := 0; i < n; i++ {
		pid := spawn(t, rt, &counter{})
		rt.Cast(pid, 1) // give each one work, so each gets a goroutine for a while
	}
	quiesce(t, rt)
	var after int
	for i := 0; i < 100; i++ { // goroutines that just returned may take a moment to be gone
		if after = runtime.NumGoroutine(); after < before+n/10 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if after >= before+n/10 {
		t.Errorf("%d idle processes hold %d goroutines; want none", n, after-before)
	}
	if got := rt.NumProcesses(); got != n {
		t.Errorf("NumProcesses = %d; want %d", got, n)
	}
}

func TestQuiesceWaitsForChains(t *testing.T) {
	rt := newRuntime(t)
	// A chain of processes each forwarding to the next: Quiesce returns only
	// after the last one has handled the message.
	var last int
	next := spawn(t, rt, &fn{info: func(_ *actor.Process, msg any) error { last = msg.(int); return nil }})
	for i := 0; i < 50; i++ {
		to := next
		next = spawn(t, rt, &fn{info: func(p *actor.Process, msg any) error { p.Send(to, msg.(int)+1); return nil }})
	}
	rt.Send(next, 0)
	quiesce(t, rt)
	if last != 50 {
		t.Errorf("after Quiesce the chain delivered %d hops; want 50", last)
	}
}

func TestStateAndInfo(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	pid := spawn(t, rt, &counter{})
	rt.Cast(pid, 41)
	rt.Cast(pid, 1)
	st, err := rt.State(ctx, pid)
	if err != nil || st.(counter).n != 42 {
		t.Fatalf("State = %#v, %v; want counter{n: 42}", st, err)
	}
	quiesce(t, rt) // the reply comes before the process has gone idle again
	in, err := rt.Info(pid)
	if err != nil {
		t.Fatal(err)
	}
	if in.PID != pid || in.MessagesHandled != 3 || in.Behaviour != "*actor_test.counter" || in.TrapExit || in.Status != actor.StatusWaiting {
		t.Errorf("Info = %+v", in)
	}
	if in.Started.IsZero() || time.Since(in.Started) > time.Minute {
		t.Errorf("Info.Started = %v", in.Started)
	}
	rt.Exit(actor.PID{}, pid, actor.ErrKill)
	quiesce(t, rt)
	if _, err := rt.Info(pid); !errors.Is(err, actor.ErrNoProc) {
		t.Errorf("Info(dead) error = %v; want noproc", err)
	}
	if _, err := rt.State(ctx, pid); !errors.Is(err, actor.ErrNoProc) {
		t.Errorf("State(dead) error = %v; want noproc", err)
	}
}

func TestShutdownStopsEverything(t *testing.T) {
	rt := actor.NewRuntime(actor.Options{})
	var terms []actor.PID
	done := make(chan struct{})
	for i := 0; i < 3; i++ {
		pid := spawn(t, rt, &fn{
			init: func(p *actor.Process) error { p.TrapExit(true); return nil },
			term: func(p *actor.Process, r error) {
				if errors.Is(r, actor.ErrShutdown) {
					terms = append(terms, p.Self()) // Shutdown stops one root at a time
				}
			},
		})
		_ = pid
	}
	// A process blocked in a callback that selects on Done is stopped too.
	blocked := spawn(t, rt, &fn{cast: func(p *actor.Process, _ any) error {
		close(done)
		<-p.Done()
		return nil
	}})
	rt.Cast(blocked, nil)
	<-done
	rt.SendAfter(blocked, "never", time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := rt.NumProcesses(); n != 0 {
		t.Errorf("NumProcesses after Shutdown = %d", n)
	}
	if len(terms) != 3 || terms[0].ID() != 3 || terms[2].ID() != 1 {
		t.Errorf("terminated %v; want all three, newest first", terms)
	}
	if _, err := rt.Spawn(ctx, &counter{}, actor.SpawnOptions{}); !errors.Is(err, actor.ErrClosed) {
		t.Errorf("Spawn after Shutdown: %v; want ErrClosed", err)
	}
}
