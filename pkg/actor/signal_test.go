package actor_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
)

func TestExitSignals(t *testing.T) {
	boom := actor.Reason("boom")
	tests := []struct {
		name   string
		trap   bool
		reason error
		// want: the exit reason, or nil if the process must survive; and
		// for a trapping process, the Exit message it must get.
		wantExit error
		wantMsg  bool
	}{
		{"kill", false, actor.ErrKill, actor.ErrKilled, false},
		{"kill is untrappable", true, actor.ErrKill, actor.ErrKilled, false},
		{"normal is ignored", false, actor.ErrNormal, nil, false},
		{"normal trapped", true, actor.ErrNormal, nil, true},
		{"shutdown", false, actor.ErrShutdown, actor.ErrShutdown, false},
		{"shutdown trapped", true, actor.ErrShutdown, nil, true},
		{"{shutdown, x}", false, actor.Shutdown("x"), actor.ErrShutdown, false},
		{"custom", false, boom, boom, false},
		{"custom trapped", true, boom, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := newRuntime(t)
			ch := make(chan any, 4)
			a := inbox(ch)
			if tt.trap {
				a = trapper(ch)
			}
			// Started under a parent, so that the sender (the outside
			// world) is not the parent and a trapped exit is a message.
			parent := spawn(t, rt, &fn{init: func(p *actor.Process) error { p.TrapExit(true); return nil }})
			pid, err := rt.Spawn(context.Background(), a, actor.SpawnOptions{Parent: parent})
			if err != nil {
				t.Fatal(err)
			}
			exited := watch(t, rt, pid)
			rt.Exit(actor.PID{}, pid, tt.reason)
			quiesce(t, rt)
			if tt.wantExit != nil {
				if r := reasonOf(t, exited); !errors.Is(r, tt.wantExit) {
					t.Errorf("exit reason = %v; want %v", r, tt.wantExit)
				}
				return
			}
			if !rt.Alive(pid) {
				t.Fatalf("process died; want it alive")
			}
			if tt.wantMsg {
				m, ok := recv(t, ch).(actor.Exit)
				if !ok || m.Reason != tt.reason || !m.From.IsZero() {
					t.Errorf("message = %#v; want Exit{From: <0.0.0>, Reason: %v}", m, tt.reason)
				}
			} else if len(ch) != 0 {
				t.Errorf("got message %v; want none", <-ch)
			}
		})
	}
}

func TestLinks(t *testing.T) {
	boom := actor.Reason("boom")
	tests := []struct {
		name     string
		reason   error // how the partner exits (sent to it directly)
		trap     bool
		wantExit error // nil: survives
	}{
		{"crash propagates", boom, false, boom},
		{"killed propagates as killed", actor.ErrKill, false, actor.ErrKilled},
		{"killed via link is trappable", actor.ErrKill, true, nil},
		{"normal does not propagate", nil, false, nil},
		{"crash trapped", boom, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := newRuntime(t)
			ch := make(chan any, 4)
			a := inbox(ch)
			if tt.trap {
				a = trapper(ch)
			}
			pid := spawn(t, rt, a)
			partner := spawn(t, rt, &fn{cast: func(_ *actor.Process, msg any) error { return msg.(error) }})
			if err := rt.Link(pid, partner); err != nil {
				t.Fatal(err)
			}
			exited := watch(t, rt, pid)
			if tt.reason == nil {
				rt.Cast(partner, actor.ErrNormal) // exits normally by itself
			} else if errors.Is(tt.reason, actor.ErrKill) {
				rt.Exit(actor.PID{}, partner, actor.ErrKill)
			} else {
				rt.Cast(partner, tt.reason)
			}
			quiesce(t, rt)
			if tt.wantExit != nil {
				if r := reasonOf(t, exited); !errors.Is(r, tt.wantExit) {
					t.Errorf("linked process exit reason = %v; want %v", r, tt.wantExit)
				}
				return
			}
			if !rt.Alive(pid) {
				t.Fatal("linked process died; want it alive")
			}
			if tt.trap {
				m := recv(t, ch).(actor.Exit)
				want := tt.reason
				if errors.Is(want, actor.ErrKill) {
					want = actor.ErrKilled
				}
				if m.From != partner || !errors.Is(m.Reason, want) {
					t.Errorf("trapped %#v; want Exit{%v, %v}", m, partner, want)
				}
			}
			if in, _ := rt.Info(pid); len(in.Links) != 0 {
				t.Errorf("links after the partner died = %v; want none", in.Links)
			}
		})
	}
}

func TestUnlinkStopsSignals(t *testing.T) {
	rt := newRuntime(t)
	a := spawn(t, rt, &counter{})
	b := spawn(t, rt, &counter{})
	if err := rt.Link(a, b); err != nil {
		t.Fatal(err)
	}
	if in, _ := rt.Info(a); len(in.Links) != 1 || in.Links[0] != b {
		t.Fatalf("links of a = %v; want [%v]", in.Links, b)
	}
	rt.Unlink(b, a)
	rt.Exit(actor.PID{}, b, actor.ErrKill)
	quiesce(t, rt)
	if !rt.Alive(a) {
		t.Errorf("a died through a removed link")
	}
	if err := rt.Link(a, b); !errors.Is(err, actor.ErrNoProc) {
		t.Errorf("Link to a dead process = %v; want noproc", err)
	}
	if in, _ := rt.Info(a); len(in.Links) != 0 {
		t.Errorf("a failed Link left links %v", in.Links)
	}
}

func TestMonitors(t *testing.T) {
	rt := newRuntime(t)
	ch := make(chan any, 4)
	w := spawn(t, rt, inbox(ch))
	target := spawn(t, rt, &counter{})
	ref := rt.Monitor(w, target)
	ref2 := rt.Monitor(w, target)
	gone := rt.Monitor(w, target)
	if !rt.Demonitor(w, gone) {
		t.Error("Demonitor of a held monitor = false; want true")
	}
	if rt.Demonitor(w, gone) || rt.Demonitor(target, ref) {
		t.Error("Demonitor of a monitor not held = true; want false")
	}
	if in, _ := rt.Info(target); len(in.MonitoredBy) != 1 || in.MonitoredBy[0] != w {
		t.Errorf("MonitoredBy = %v; want [%v] (listed once, whatever the number of monitors)", in.MonitoredBy, w)
	}
	rt.Exit(actor.PID{}, target, actor.Reason("boom"))
	seen := map[actor.Ref]bool{}
	for range 2 {
		d := recv(t, ch).(actor.Down)
		if d.PID != target || d.Reason.Error() != "boom" {
			t.Errorf("Down = %+v; want boom from %v", d, target)
		}
		seen[d.Ref] = true
	}
	if !seen[ref] || !seen[ref2] {
		t.Errorf("Down refs %v; want %v and %v", seen, ref, ref2)
	}
	quiesce(t, rt)
	if len(ch) != 0 {
		t.Errorf("demonitored ref fired: %v", <-ch)
	}
	if in, _ := rt.Info(w); len(in.Monitors) != 0 {
		t.Errorf("watcher still lists monitors %v", in.Monitors)
	}
	// Monitoring a dead process: Down with noproc at once.
	ref3 := rt.Monitor(w, target)
	if d := recv(t, ch).(actor.Down); d.Ref != ref3 || !errors.Is(d.Reason, actor.ErrNoProc) {
		t.Errorf("Down = %+v; want noproc for %v", d, ref3)
	}
}

func TestExitSignalsJumpTheQueue(t *testing.T) {
	rt := newRuntime(t)
	started := make(chan struct{})
	release := make(chan struct{})
	handled := 0
	pid := spawn(t, rt, &fn{cast: func(_ *actor.Process, msg any) error {
		handled++
		if msg == "first" {
			close(started)
			<-release
		}
		return nil
	}})
	exited := watch(t, rt, pid)
	rt.Cast(pid, "first")
	<-started
	for range 10 {
		rt.Cast(pid, "queued")
	}
	rt.Exit(actor.PID{}, pid, actor.ErrShutdown)
	close(release)
	if r := reasonOf(t, exited); !errors.Is(r, actor.ErrShutdown) {
		t.Fatalf("reason = %v", r)
	}
	if handled != 1 {
		t.Errorf("handled %d messages; want 1: the exit signal must not wait behind the queue", handled)
	}
}

func TestTrappedExitFromParentTerminates(t *testing.T) {
	rt := newRuntime(t)
	parent := spawn(t, rt, trapper(make(chan any, 4)))
	got := make(chan error, 1)
	ch := make(chan any, 4)
	child, err := rt.Spawn(context.Background(), &fn{
		init: func(p *actor.Process) error { p.TrapExit(true); return nil },
		info: func(_ *actor.Process, msg any) error { ch <- msg; return nil },
		term: func(_ *actor.Process, r error) { got <- r },
	}, actor.SpawnOptions{Parent: parent, Restarts: 2})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := rt.Info(child)
	if in.Parent != parent || in.Restarts != 2 || len(in.Links) != 1 || in.Links[0] != parent || !in.TrapExit {
		t.Errorf("Info = %+v; want parent %v linked, 2 restarts, trapping", in, parent)
	}
	rt.Exit(parent, child, actor.ErrShutdown)
	if r := <-got; !errors.Is(r, actor.ErrShutdown) {
		t.Errorf("Terminate(%v); want shutdown", r)
	}
	if len(ch) != 0 {
		t.Errorf("HandleInfo got %v; an exit from the parent must terminate, not be handled", <-ch)
	}
}

func TestKilledProcessLeavesBlockingCall(t *testing.T) {
	rt := newRuntime(t)
	release := make(chan struct{})
	defer close(release)
	slow := spawn(t, rt, &fn{call: func(*actor.Process, actor.From, any) (any, error) { <-release; return nil, nil }})
	calling := make(chan struct{})
	caller := spawn(t, rt, &fn{cast: func(p *actor.Process, _ any) error {
		close(calling)
		_, err := p.Call(context.Background(), slow, "x")
		return err
	}})
	exited := watch(t, rt, caller)
	rt.Cast(caller, nil)
	<-calling
	rt.Exit(actor.PID{}, caller, actor.ErrKill)
	if r := reasonOf(t, exited); !errors.Is(r, actor.ErrKilled) {
		t.Errorf("reason = %v; want killed", r)
	}
}

func TestExitNow(t *testing.T) {
	rt := newRuntime(t)
	boom := actor.Reason("boom")

	// An idle process that does not trap exits is gone when ExitNow
	// returns; its monitor has fired.
	idle := spawn(t, rt, &fn{})
	downs := make(chan any, 1)
	w := spawn(t, rt, inbox(downs))
	rt.Monitor(w, idle)
	if ok, exited, _ := rt.Hooks().ExitNow(actor.PID{}, idle, boom); !ok || !exited {
		t.Fatalf("ExitNow(idle) = %v, %v; want true, true", ok, exited)
	}
	if rt.Alive(idle) {
		t.Fatal("the idle process is still alive after ExitNow")
	}
	if d := recv(t, downs).(actor.Down); d.PID != idle || !errors.Is(d.Reason, boom) {
		t.Fatalf("Down %+v; want %v with boom", d, idle)
	}

	// A trapping process gets the signal (from another process than its
	// parent) as a message, on its own goroutine.
	msgs := make(chan any, 1)
	trap := spawn(t, rt, trapper(msgs))
	if ok, exited, _ := rt.Hooks().ExitNow(w, trap, boom); !ok || exited {
		t.Fatalf("ExitNow(trapping) = %v, %v; want true, false", ok, exited)
	}
	if m := recv(t, msgs).(actor.Exit); !errors.Is(m.Reason, boom) {
		t.Fatalf("trapped %+v; want boom", m)
	}
	// kill is not trapped: it ends the trapping process at once.
	if ok, exited, _ := rt.Hooks().ExitNow(actor.PID{}, trap, actor.ErrKill); !ok || !exited || rt.Alive(trap) {
		t.Fatalf("ExitNow(trapping, kill) = %v, %v; want true, true and the process gone", ok, exited)
	}

	// normal is ignored by a process that does not trap exits; a dead
	// process is not there to signal.
	if ok, exited, _ := rt.Hooks().ExitNow(actor.PID{}, w, actor.ErrNormal); !ok || exited || !rt.Alive(w) {
		t.Fatalf("ExitNow(normal) = %v, %v; want true, false and the process alive", ok, exited)
	}
	if ok, exited, _ := rt.Hooks().ExitNow(actor.PID{}, idle, boom); ok || exited {
		t.Fatalf("ExitNow(dead) = %v, %v; want false, false", ok, exited)
	}

	// A process that handed out its Done channel has it closed.
	dones := make(chan (<-chan struct{}), 1)
	holder := spawn(t, rt, &fn{cast: func(p *actor.Process, _ any) error { dones <- p.Done(); return nil }})
	rt.Cast(holder, 1)
	done := <-dones
	quiesce(t, rt)
	if ok, exited, _ := rt.Hooks().ExitNow(actor.PID{}, holder, boom); !ok || !exited {
		t.Fatalf("ExitNow(holder) = %v, %v; want true, true", ok, exited)
	}
	select {
	case <-done:
	default:
		t.Fatal("Done is still open after ExitNow")
	}

	// A process busy in a callback exits at once, as on the BEAM: its
	// links and monitors hear of it now. The callback, which Go cannot
	// stop, goes on until it returns; what it returns is void.
	in, out := make(chan struct{}), make(chan struct{})
	busy := spawn(t, rt, &fn{cast: func(*actor.Process, any) error { close(in); <-out; return errors.New("too late") }})
	rt.Cast(busy, 1)
	<-in
	down := watch(t, rt, busy)
	if ok, exited, _ := rt.Hooks().ExitNow(actor.PID{}, busy, boom); !ok || !exited || rt.Alive(busy) {
		t.Fatalf("ExitNow(busy) = %v, %v, alive %v; want true, true, false", ok, exited, rt.Alive(busy))
	}
	if r := reasonOf(t, down); !errors.Is(r, boom) {
		t.Fatalf("busy process exited with %v; want boom", r)
	}
	close(out)
	quiesce(t, rt)
}

// TestParentLinks covers the link between a process and the children it
// spawned linked (SpawnLink, a supervisor's children), which only the
// child records: it must behave as any other link.
func TestParentLinks(t *testing.T) {
	rt := newRuntime(t)
	msgs := make(chan any, 8)
	parentActor := trapper(msgs)
	parent := spawn(t, rt, parentActor)
	var kids []actor.PID
	for range 4 {
		pid, err := rt.Spawn(context.Background(), &fn{}, actor.SpawnOptions{Parent: parent})
		if err != nil {
			t.Fatal(err)
		}
		kids = append(kids, pid)
	}
	linksOf := func(pid actor.PID) []actor.PID {
		t.Helper()
		in, err := rt.Info(pid)
		if err != nil {
			t.Fatal(err)
		}
		return in.Links
	}
	if got := linksOf(parent); !slices.Equal(got, kids) {
		t.Fatalf("parent's links %v; want its children %v", got, kids)
	}
	if got := linksOf(kids[0]); !slices.Equal(got, []actor.PID{parent}) {
		t.Fatalf("child's links %v; want [%v]", got, parent)
	}
	// Linking again changes nothing; unlinking from either end removes it.
	if err := rt.Link(parent, kids[0]); err != nil {
		t.Fatal(err)
	}
	rt.Unlink(parent, kids[0])
	rt.Unlink(kids[1], parent)
	if got := linksOf(parent); !slices.Equal(got, kids[2:]) {
		t.Fatalf("after unlinking two, parent's links %v; want %v", got, kids[2:])
	}
	if got := linksOf(kids[1]); len(got) != 0 {
		t.Fatalf("unlinked child's links %v; want none", got)
	}
	// An explicit link made after the unlink is an ordinary link.
	if err := rt.Link(kids[1], parent); err != nil {
		t.Fatal(err)
	}
	// A child's exit reaches the trapping parent as a message.
	rt.Exit(actor.PID{}, kids[3], actor.Reason("boom"))
	if m := recv(t, msgs).(actor.Exit); m.From != kids[3] || !errors.Is(m.Reason, actor.Reason("boom")) {
		t.Fatalf("parent got %+v; want the exit of %v with boom", m, kids[3])
	}
	// The parent's exit reaches the children still linked, and only them.
	downs := make([]<-chan error, len(kids))
	for i, k := range kids[:3] {
		downs[i] = watch(t, rt, k)
	}
	rt.Exit(actor.PID{}, parent, actor.ErrKill)
	for _, i := range []int{1, 2} {
		if r := reasonOf(t, downs[i]); !errors.Is(r, actor.ErrKilled) {
			t.Errorf("linked child %v exited with %v; want killed", kids[i], r)
		}
	}
	quiesce(t, rt)
	if !rt.Alive(kids[0]) {
		t.Errorf("child %v, unlinked, died with its parent", kids[0])
	}
}

// TestParentLinksRace unlinks and kills children while their parent dies:
// under -race this checks the parent's unlocked read of its child links,
// and afterwards every child that was never unlinked has died with it.
func TestParentLinksRace(t *testing.T) {
	rt := newRuntime(t)
	for round := range 50 {
		parent := spawn(t, rt, &fn{})
		kids := make([]actor.PID, 40)
		for i := range kids {
			pid, err := rt.Spawn(context.Background(), &fn{}, actor.SpawnOptions{Parent: parent})
			if err != nil {
				t.Fatal(err)
			}
			kids[i] = pid
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i, k := range kids {
				switch i % 4 {
				case 1:
					rt.Unlink(k, parent)
				case 2:
					rt.Unlink(parent, k)
				case 3:
					rt.Exit(actor.PID{}, k, actor.ErrKill)
				}
			}
		}()
		if round%2 == 0 {
			<-done // sometimes before the parent dies, sometimes during
		}
		rt.Exit(actor.PID{}, parent, actor.Reason("gone"))
		<-done
		quiesce(t, rt)
		for i, k := range kids {
			if i%4 == 0 && rt.Alive(k) {
				t.Fatalf("round %d: child %v, never unlinked, outlived its parent", round, k)
			}
			rt.Exit(actor.PID{}, k, actor.ErrKill)
		}
		quiesce(t, rt)
	}
}

// A killed process's children that the signal ends at once exit before
// its parent hears of the exit, so a supervisor restarting a killed
// supervisor finds the old grandchildren gone, names and all. And the
// parent's EXIT comes after the children's exits in causal order.
func TestChildrenExitBeforeParentHears(t *testing.T) {
	rt := newRuntime(t)
	var events []actor.Event
	var mu sync.Mutex
	cancel := rt.Hooks().SubscribeInline(func(e actor.Event) {
		if e.Kind == actor.EventExited {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		}
	})
	defer cancel()
	type seen struct {
		alive  []bool
		exited []actor.Event // the children's exits reported by then
		clock  uint64
	}
	heard := make(chan any, 1)
	var grandchildren []actor.PID
	grand := spawn(t, rt, &fn{
		init: func(p *actor.Process) error { p.TrapExit(true); return nil },
		info: func(p *actor.Process, msg any) error {
			if _, ok := msg.(actor.Exit); ok {
				var s seen
				for _, g := range grandchildren {
					s.alive = append(s.alive, rt.Alive(g))
				}
				mu.Lock()
				for _, e := range events {
					if slices.Contains(grandchildren, e.PID) {
						s.exited = append(s.exited, e)
					}
				}
				mu.Unlock()
				s.clock = p.Clock()
				heard <- s
			}
			return nil
		},
	})
	middle, err := rt.Spawn(context.Background(), &fn{}, actor.SpawnOptions{Parent: grand})
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		pid, err := rt.Spawn(context.Background(), &fn{}, actor.SpawnOptions{Parent: middle})
		if err != nil {
			t.Fatal(err)
		}
		grandchildren = append(grandchildren, pid)
	}
	rt.Exit(actor.PID{}, middle, actor.ErrKill)
	s := recv(t, heard).(seen)
	if slices.Contains(s.alive, true) {
		t.Fatalf("the parent heard of the exit while children were alive: %v", s.alive)
	}
	if len(s.exited) != len(grandchildren) {
		t.Fatalf("the parent heard of the exit after %d of %d children's exits were reported", len(s.exited), len(grandchildren))
	}
	for _, e := range s.exited {
		if e.Clock >= s.clock {
			t.Errorf("child %v exited at clock %d, not before its parent's parent took the EXIT at %d", e.PID, e.Clock, s.clock)
		}
	}
}

// A DOWN comes after the exit that causes it in causal order, and a
// process that stops another with ExitNow learns the exit's clock.
func TestExitClocks(t *testing.T) {
	rt := newRuntime(t)
	var mu sync.Mutex
	clocks := map[actor.EventKind]uint64{}
	cancel := rt.Hooks().SubscribeInline(func(e actor.Event) {
		mu.Lock()
		clocks[e.Kind] = e.Clock
		mu.Unlock()
	})
	defer cancel()
	target := spawn(t, rt, &fn{})
	watcher := spawn(t, rt, &fn{})
	rt.Monitor(watcher, target)
	after := make(chan any, 1)
	var at uint64
	stopper := spawn(t, rt, &fn{cast: func(p *actor.Process, _ any) error {
		_, _, at = rt.Hooks().ExitNow(p.Self(), target, actor.ErrShutdown)
		rt.Hooks().Learn(p.Self(), at)
		after <- p.Clock()
		return nil
	}})
	rt.Cast(stopper, "go")
	got := recv(t, after).(uint64)
	quiesce(t, rt)
	mu.Lock()
	defer mu.Unlock()
	if exit := clocks[actor.EventExited]; at != exit || got <= exit {
		t.Errorf("ExitNow gave the exit's clock as %d and the stopper's clock is then %d; the exit was at %d", at, got, exit)
	}
	if down, exit := clocks[actor.EventDown], clocks[actor.EventExited]; down <= exit {
		t.Errorf("DOWN at clock %d, not after the exit at %d", down, exit)
	}
}
