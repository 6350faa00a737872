package starkind_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/starkind"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// TestProbeAgainstOTP runs kinds/probe.star through the GenServer edges
// of testdata/otp/probe.exs and compares each outcome with what Elixir
// 1.14 on OTP 25 did (testdata/otp/recording.txt, written by
// scripts/record-otp.sh). Time is manual, so the 50 ms timeouts are exact.
func TestProbeAgainstOTP(t *testing.T) {
	want := map[string]string{}
	f, err := os.Open("testdata/otp/recording.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok && !strings.HasPrefix(k, "#") {
			want[k] = v
		}
	}
	clock := actor.NewManualTime(time.Unix(0, 0))
	rt := actor.NewRuntime(actor.Options{Time: clock})
	defer rt.Shutdown(context.Background())
	terminated := make(chan string, 4)
	k, err := starkind.Load("", "../../kinds/probe.star", nil, starkind.Options{Log: func(_ *actor.Process, s string) {
		if r, ok := strings.CutPrefix(s, "terminate "); ok {
			terminated <- r
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	start := func(mode string, opts actor.SpawnOptions) (actor.PID, error) {
		return rt.Spawn(ctx, k.New([]any{mode}), opts)
	}
	logOf := func(pid actor.PID) string {
		r, err := rt.Call(ctx, pid, starkind.Atom("log"))
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, e := range r.([]any) {
			parts = append(parts, fmt.Sprint(e))
		}
		return strings.Join(parts, ", ")
	}
	settle := func() {
		if err := rt.Quiesce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]string{}

	p, _ := start("plain", actor.SpawnOptions{})
	rt.Cast(p, starkind.Tuple{"continue", "x"})
	rt.Send(p, starkind.Atom("b"))
	got["continue_before_next_message"] = logOf(p)

	p, _ = start("timeout", actor.SpawnOptions{})
	settle()
	clock.Advance(100 * time.Millisecond)
	settle()
	got["timeout_fires"] = logOf(p)

	p, _ = start("timeout", actor.SpawnOptions{})
	rt.Send(p, starkind.Atom("m"))
	settle()
	clock.Advance(100 * time.Millisecond)
	settle()
	got["timeout_cancelled_by_message"] = logOf(p)

	p, _ = start("plain", actor.SpawnOptions{})
	late, err := rt.Call(ctx, p, starkind.Atom("later"))
	if err != nil {
		t.Fatal(err)
	}
	got["late_reply"] = fmt.Sprint(late)

	if _, err := start("stop", actor.SpawnOptions{}); err != nil {
		got["init_stop"] = "error " + err.Error()
	}
	if _, err := start("ignore", actor.SpawnOptions{}); errors.Is(err, actor.ErrIgnore) {
		got["init_ignore"] = "ignore"
	}

	parent, _ := rt.Spawn(ctx, &idle{}, actor.SpawnOptions{})
	if _, err := start("trap", actor.SpawnOptions{Parent: parent}); err != nil {
		t.Fatal(err)
	}
	rt.Exit(actor.PID{}, parent, actor.Reason("boom"))
	select {
	case r := <-terminated:
		got["terminate_sees_parent_exit"] = r
	case <-time.After(10 * time.Second):
		got["terminate_sees_parent_exit"] = "none"
	}

	// A terminate slower than its child's shutdown (100 ms) is cut short.
	sup, err := supervisor.Start(ctx, rt, supervisor.Options{}, supervisor.ChildSpec{
		ID: "slow", Shutdown: 100 * time.Millisecond,
		New: func([]any) (actor.Actor, error) { return k.New([]any{"slow"}), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	timers := clock.Pending()
	go func() { stopped <- supervisor.TerminateChild(ctx, rt, sup, "slow") }()
	first := <-terminated // terminate has begun, and sleeps for 1 s of manual time
	// The clock moves once both timers wait on it: the sleep's, and the
	// supervisor's 100 ms for the shutdown (armed on its own goroutine).
	for deadline := time.Now().Add(10 * time.Second); clock.Pending() < timers+2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the shutdown timer and the sleep are not both set")
		}
	}
	clock.Advance(100 * time.Millisecond)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	// The terminate ends one way or the other, and says which: it logs
	// "terminate finished" if its sleep ran out, "terminate failed: ..." if
	// the kill cut the sleep short. The clock moves past the sleep, so a
	// terminate the kill did not stop finishes now.
	finished := "cut short"
	clock.Advance(time.Second)
	select {
	case r := <-terminated:
		if r == "finished" {
			finished = "finished"
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the slow terminate neither finished nor failed")
	}
	got["slow_terminate_under_shutdown_timeout"] = first + ", " + finished

	if len(want) != 8 {
		t.Fatalf("the recording has %d scenarios; want 8", len(want))
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: actorsh %q, OTP %q", name, got[name], w)
		}
	}
}

// idle is a process that does nothing: a parent to exit.
type idle struct{}

func (idle) Init(*actor.Process) error { return nil }
