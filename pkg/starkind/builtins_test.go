package starkind_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/starkind"
)

// The builtins act on the calling process, on the runtime's clock:
// send_after, link (with trap_exit), monitor and demonitor, exit, call
// with a timeout, now and sleep.
func TestBuiltins(t *testing.T) {
	clock := actor.NewManualTime(time.Unix(1000, 0))
	rt := actor.NewRuntime(actor.Options{Time: clock})
	defer rt.Shutdown(context.Background())
	ctx := context.Background()
	k := load(t, "builtins.star", starkind.Options{})
	pid, err := rt.Spawn(ctx, k.New(nil), actor.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	call := func(req ...any) any {
		t.Helper()
		r, err := rt.Call(ctx, pid, starkind.Tuple(req))
		if err != nil {
			t.Fatalf("%v: %v", req, err)
		}
		return r
	}
	seen := func() string { return fmt.Sprint(call("seen")) }
	settle := func() {
		if err := rt.Quiesce(ctx); err != nil {
			t.Fatal(err)
		}
	}

	if got := call("now"); got != int64(1_000_000) {
		t.Errorf("now() = %v; want the runtime's clock in ms, 1000000", got)
	}
	call("send_after", int64(500))
	settle()
	clock.Advance(499 * time.Millisecond)
	settle()
	if s := seen(); s != "[]" {
		t.Errorf("send_after fired early: %s", s)
	}
	clock.Advance(time.Millisecond)
	settle()
	if s := seen(); s != "[ping]" {
		t.Errorf("after 500 ms: %s; want [ping]", s)
	}

	other, _ := rt.Spawn(ctx, &idle{}, actor.SpawnOptions{})
	call("link", other)
	rt.Exit(actor.PID{}, other, actor.Reason("boom"))
	settle()
	if s := seen(); !strings.Contains(s, fmt.Sprintf("[EXIT %v boom]", other)) {
		t.Errorf("a linked exit, trapped: %s", s)
	}

	watched, _ := rt.Spawn(ctx, &idle{}, actor.SpawnOptions{})
	ref := call("monitor", watched)
	if got := call("demonitor", ref); got != starkind.Atom("true") {
		t.Errorf("demonitor = %v; want true", got)
	}
	ref = call("monitor", watched)
	call("exit", watched, "kill")
	settle()
	if s := seen(); !strings.Contains(s, fmt.Sprintf("[DOWN %v process %v killed]", ref, watched)) {
		t.Errorf("exit(pid, kill) and a monitor's DOWN: %s", s)
	}

	// A call that times out is the caller's crash, as GenServer.call's exit.
	slow, _ := rt.Spawn(ctx, &blocked{}, actor.SpawnOptions{})
	done, _ := rt.Watch(pid)
	_, err = rt.Call(ctx, pid, starkind.Tuple{"call", slow, "x", int64(20)})
	if err == nil {
		t.Fatal("a call that timed out replied")
	}
	if r := <-done; !strings.Contains(r.Error(), "timeout") {
		t.Errorf("the caller's exit: %v; want a timeout", r)
	}
}

// A sleep ends at once when its process is killed.
func TestSleepEndsOnKill(t *testing.T) {
	clock := actor.NewManualTime(time.Unix(0, 0))
	rt := actor.NewRuntime(actor.Options{Time: clock})
	defer rt.Shutdown(context.Background())
	k := load(t, "builtins.star", starkind.Options{})
	pid, _ := rt.Spawn(context.Background(), k.New(nil), actor.SpawnOptions{})
	errc := make(chan error, 1)
	go func() {
		_, err := rt.Call(context.Background(), pid, starkind.Tuple{"sleep", int64(3_600_000)})
		errc <- err
	}()
	for {
		if in, err := rt.Info(pid); err == nil && in.Status == actor.StatusRunning {
			break
		}
		time.Sleep(time.Millisecond)
	}
	rt.Exit(actor.PID{}, pid, actor.ErrKill)
	if err := <-errc; !errors.Is(err, actor.ErrKilled) && !strings.Contains(fmt.Sprint(err), "killed") {
		t.Errorf("the sleeping call: %v; want killed", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for rt.Hooks().Zombies() > 0 { // the sleep has ended, without the clock moving
		if time.Now().After(deadline) {
			t.Fatal("the killed process is still asleep")
		}
		time.Sleep(time.Millisecond)
	}
}

// blocked answers no call: it waits, in its callback, until killed.
type blocked struct{}

func (blocked) Init(*actor.Process) error { return nil }
func (blocked) HandleCall(p *actor.Process, _ actor.From, _ any) (any, error) {
	<-p.Done()
	return nil, nil
}

// kinds/ratelimit.star refills its tokens on callback timeouts, on the
// runtime's clock: exact under manual time.
func TestRateLimiterRefills(t *testing.T) {
	clock := actor.NewManualTime(time.Unix(0, 0))
	rt := actor.NewRuntime(actor.Options{Time: clock})
	defer rt.Shutdown(context.Background())
	ctx := context.Background()
	logged := make(chan string, 16)
	k, err := starkind.Load("", "../../kinds/ratelimit.star", nil, starkind.Options{Log: func(_ *actor.Process, s string) { logged <- s }})
	if err != nil {
		t.Fatal(err)
	}
	pid, err := rt.Spawn(ctx, k.New([]any{int64(2), int64(1000)}), actor.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	take := func() string {
		r, err := rt.Call(ctx, pid, starkind.Atom("take"))
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(r)
	}
	tokens := func() any {
		r, _ := rt.Call(ctx, pid, starkind.Atom("tokens"))
		return r
	}
	if a, b, c := take(), take(), take(); a != "ok" || b != "ok" || c != "[error limited]" {
		t.Fatalf("three takes of two tokens: %s, %s, %s", a, b, c)
	}
	rt.Quiesce(ctx)
	clock.Advance(999 * time.Millisecond)
	rt.Quiesce(ctx)
	if n := tokens(); n != int64(0) {
		t.Errorf("after 999 ms: %v tokens; want 0", n)
	}
	rt.Quiesce(ctx) // the call re-arms the limiter's timeout as it goes idle, after its reply
	clock.Advance(time.Millisecond)
	rt.Quiesce(ctx)
	select { // the callback timeout fired, with no message to the limiter
	case s := <-logged:
		if s != "refilled to 1" {
			t.Errorf("the timeout logged %q; want refilled to 1", s)
		}
	default:
		t.Error("no callback timeout refilled the bucket at 1 s")
	}
	if n := tokens(); n != int64(1) {
		t.Errorf("after 1 s: %v tokens; want 1", n)
	}
	clock.Advance(5 * time.Second)
	rt.Quiesce(ctx)
	if n := tokens(); n != int64(2) {
		t.Errorf("after 6 s: %v tokens; want 2 (the most)", n)
	}
}
