package registry_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type idle struct{}

func (idle) Init(*actor.Process) error { return nil }

// relay forwards info messages to a channel.
type relay struct{ ch chan<- any }

func (relay) Init(*actor.Process) error { return nil }
func (r relay) HandleInfo(_ *actor.Process, msg any) error {
	r.ch <- msg
	return nil
}

func newRuntime(t testing.TB) *actor.Runtime {
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

func spawn(t testing.TB, rt *actor.Runtime, a actor.Actor, name actor.Name) actor.PID {
	t.Helper()
	pid, err := rt.Spawn(context.Background(), a, actor.SpawnOptions{Name: name})
	if err != nil {
		t.Fatalf("Spawn: %v", err)
	}
	return pid
}

func kill(t testing.TB, rt *actor.Runtime, pid actor.PID) {
	t.Helper()
	done, _ := rt.Watch(pid) // noproc at once if it is gone already
	rt.Exit(actor.PID{}, pid, actor.ErrKill)
	<-done
}

// TestUnique runs with keys a names slot holds, keys of exactly its
// length, and longer keys, which a unique registry keeps apart.
func TestUnique(t *testing.T) {
	for _, pad := range []string{"", strings.Repeat("-", 24-len("alicia")), strings.Repeat("-", 40)} {
		alice, alicia, bob := "alice"+pad, "alicia"+pad, "bob"+pad
		t.Run(strconv.Itoa(len(alicia)), func(t *testing.T) {
			rt := newRuntime(t)
			reg := registry.New(rt, registry.Options{Name: "names"})
			a := spawn(t, rt, idle{}, actor.Name{})
			b := spawn(t, rt, idle{}, actor.Name{})

			if err := reg.Register(a, alice, 1); err != nil {
				t.Fatal(err)
			}
			err := reg.Register(b, alice, 2)
			var are *registry.AlreadyRegisteredError
			if !errors.As(err, &are) || are.PID != a || !errors.Is(err, registry.ErrAlreadyRegistered) {
				t.Fatalf("Register(taken) = %v; want already_registered naming %v", err, a)
			}
			if err := reg.Register(a, alice, 3); !errors.Is(err, registry.ErrAlreadyRegistered) {
				t.Errorf("Register(own key again) = %v; want already_registered, as in Elixir", err)
			}
			if err := reg.Register(a, alicia, nil); err != nil {
				t.Fatal(err)
			}
			if got := reg.Lookup(alice); len(got) != 1 || got[0].PID != a || got[0].Value != 1 {
				t.Errorf("Lookup(alice) = %v; want [{%v 1}]", got, a)
			}
			if pid, ok := reg.WhereIs(alice); !ok || pid != a {
				t.Errorf("WhereIs(alice) = %v, %v", pid, ok)
			}
			if got := reg.Keys(a); !slices.Equal(got, []string{alice, alicia}) {
				t.Errorf("Keys(a) = %v", got)
			}
			if got := reg.Values(alice, a); !slices.Equal(got, []any{1}) {
				t.Errorf("Values = %v", got)
			}
			if n, o, err := reg.UpdateValue(a, alice, func(v any) any { return v.(int) + 10 }); err != nil || n != 11 || o != 1 {
				t.Errorf("UpdateValue = %v, %v, %v; want 11, 1, nil", n, o, err)
			}
			if _, _, err := reg.UpdateValue(b, alice, func(v any) any { return v }); err == nil {
				t.Errorf("UpdateValue by a non-holder succeeded")
			}
			if n := reg.Count(); n != 2 {
				t.Errorf("Count = %d; want 2", n)
			}
			reg.Unregister(b, alice) // not b's: nothing happens
			if _, ok := reg.WhereIs(alice); !ok {
				t.Fatal("Unregister by a non-holder removed the key")
			}
			reg.Unregister(a, alice)
			if _, ok := reg.WhereIs(alice); ok {
				t.Error("alice still registered after Unregister")
			}
			if got := reg.Keys(a); !slices.Equal(got, []string{alicia}) {
				t.Errorf("Keys(a) after Unregister = %v", got)
			}
			if err := reg.Register(b, alice, 2); err != nil {
				t.Errorf("Register after Unregister: %v", err)
			}
			sel := reg.Select(func(k string, pid actor.PID, v any) bool { return pid == b })
			if len(sel) != 1 || sel[0].Key != alice || sel[0].Value != 2 {
				t.Errorf("Select = %v", sel)
			}

			// A dead process cannot register.
			kill(t, rt, b)
			if err := reg.Register(b, bob, nil); !errors.Is(err, actor.ErrNoProc) {
				t.Errorf("Register(dead) = %v; want noproc", err)
			}
			if _, ok := reg.WhereIs(alice); ok {
				t.Errorf("a dead process's key survived")
			}

			reg.PutMeta("owner", "tests")
			if v, ok := reg.Meta("owner"); !ok || v != "tests" {
				t.Errorf("Meta = %v, %v", v, ok)
			}
			reg.DeleteMeta("owner")
			if _, ok := reg.Meta("owner"); ok {
				t.Errorf("Meta after DeleteMeta")
			}
		})
	}
}

func TestDuplicate(t *testing.T) {
	rt := newRuntime(t)
	reg := registry.New(rt, registry.Options{Name: "topics", Keys: registry.Duplicate, Partitions: 4})
	ch := make(chan any, 16)
	var subs []actor.PID
	for i := 0; i < 3; i++ {
		pid := spawn(t, rt, relay{ch}, actor.Name{})
		subs = append(subs, pid)
		if err := reg.Register(pid, "news", i); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.Register(subs[0], "news", 10); err != nil {
		t.Fatalf("second entry under the same key: %v", err)
	}
	if n := reg.CountKey("news"); n != 4 {
		t.Errorf("CountKey = %d; want 4", n)
	}
	even := reg.Match("news", func(v any) bool { return v.(int)%2 == 0 })
	if len(even) != 3 {
		t.Errorf("Match(even) = %v; want three entries (0, 2, 10)", even)
	}
	n := reg.Dispatch("news", func(es []registry.Entry) {
		for _, e := range es {
			rt.Send(e.PID, fmt.Sprint("hello ", e.Value))
		}
	})
	if n != 4 {
		t.Errorf("Dispatch reached %d entries; want 4", n)
	}
	var got []string
	for range 4 {
		got = append(got, (<-ch).(string))
	}
	sort.Strings(got)
	if want := []string{"hello 0", "hello 1", "hello 10", "hello 2"}; !slices.Equal(got, want) {
		t.Errorf("dispatched %v; want %v", got, want)
	}
	reg.UnregisterMatch(subs[0], "news", func(v any) bool { return v == 10 })
	if vs := reg.Values("news", subs[0]); !slices.Equal(vs, []any{0}) {
		t.Errorf("Values after UnregisterMatch = %v; want [0]", vs)
	}
	if got := reg.Keys(subs[0]); !slices.Equal(got, []string{"news"}) {
		t.Errorf("Keys after a partial UnregisterMatch = %v; want [news]", got)
	}
	kill(t, rt, subs[0]) // the remaining entry goes with the process
	if n := reg.CountKey("news"); n != 2 {
		t.Errorf("CountKey after exit = %d; want 2", n)
	}
	if _, ok := reg.WhereIs("news"); ok {
		t.Errorf("WhereIs on a duplicate registry = true")
	}
	if _, err := rt.Spawn(context.Background(), idle{}, actor.SpawnOptions{Name: reg.Via("x")}); !errors.Is(err, registry.ErrNotUnique) {
		t.Errorf("via name in a duplicate registry: %v; want ErrNotUnique", err)
	}
}

func TestViaNames(t *testing.T) {
	rt := newRuntime(t)
	reg := registry.New(rt, registry.Options{Name: "greeters"})
	ctx := context.Background()
	pid := spawn(t, rt, idle{}, reg.Via("greeter_for_alice"))
	if got, ok := reg.Via("greeter_for_alice").WhereIs(); !ok || got != pid {
		t.Fatalf("WhereIs = %v, %v; want %v", got, ok, pid)
	}
	_, err := rt.Spawn(ctx, idle{}, actor.SpawnOptions{Name: reg.Via("greeter_for_alice")})
	var ase *actor.AlreadyStartedError
	if !errors.As(err, &ase) || ase.PID != pid || !errors.Is(err, actor.ErrAlreadyStarted) {
		t.Fatalf("Spawn with a taken name = %v; want already_started naming %v", err, pid)
	}
	if n := rt.NumProcesses(); n != 1 {
		t.Errorf("a failed named spawn left %d processes; want 1", n)
	}
	in, _ := rt.Info(pid)
	if len(in.Registered) != 1 || in.Registered[0].Key != "greeter_for_alice" || in.Registered[0].Owner != reg {
		t.Errorf("Info.Registered = %v", in.Registered)
	}
}

// TestNameGoneBeforeDown checks the ordering guarantee: by the time a
// monitor (or link, or supervisor) hears of an exit, the name is free.
func TestNameGoneBeforeDown(t *testing.T) {
	rt := newRuntime(t)
	reg := registry.New(rt, registry.Options{Name: "r"})
	bad := make(chan string, 1)
	heard := make(chan struct{}, 1)
	w := spawn(t, rt, &watcher{reg: reg, bad: bad, heard: heard}, actor.Name{})
	for i := 0; i < 500; i++ {
		pid := spawn(t, rt, idle{}, reg.Via("svc"))
		rt.Monitor(w, pid)
		rt.Exit(actor.PID{}, pid, actor.ErrKill)
		<-heard
	}
	select {
	case m := <-bad:
		t.Fatal(m)
	default:
	}
}

type watcher struct {
	reg   *registry.Registry
	bad   chan string
	heard chan struct{}
}

func (*watcher) Init(*actor.Process) error { return nil }
func (w *watcher) HandleInfo(p *actor.Process, msg any) error {
	d := msg.(actor.Down)
	if pid, ok := w.reg.WhereIs("svc"); ok && pid == d.PID {
		select {
		case w.bad <- fmt.Sprintf("Down for %v arrived while svc still named it", d.PID):
		default:
		}
	}
	w.heard <- struct{}{}
	return nil
}

// TestRestartRace kills a named process over and over while a keeper
// restarts it under the same via name on every EXIT, and other goroutines
// look the name up concurrently. The keeper must always get the name back
// (never already_started), and no lookup may return a PID that a later
// lookup had already superseded, or one that was already dead when a
// goroutine saw it exit.
func TestRestartRace(t *testing.T) {
	rt := newRuntime(t)
	reg := registry.New(rt, registry.Options{Name: "r"})
	const rounds = 2000
	errs := make(chan error, 1)
	current := make(chan actor.PID, 1)
	keeper := &keeper{reg: reg, errs: errs, current: current}
	if _, err := rt.Spawn(context.Background(), keeper, actor.SpawnOptions{}); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			var last uint64
			for !stop.Load() {
				runtime.Gosched() // share the cores with the keeper
				pid, ok := reg.WhereIs("worker")
				if !ok {
					continue
				}
				if pid.ID() < last {
					select {
					case errs <- fmt.Errorf("lookup went back from <0.%d.0> to %v", last, pid):
					default:
					}
					return
				}
				last = pid.ID()
			}
		})
	}
	for i := 0; i < rounds; i++ {
		pid := <-current
		done, _ := rt.Watch(pid) // noproc if it is not alive: the check below fails
		rt.Exit(actor.PID{}, pid, actor.ErrKill)
		if r := <-done; !errors.Is(r, actor.ErrKilled) {
			t.Fatalf("round %d: %v exited with %v; want killed", i, pid, r)
		}
		// Once the exit is seen, no lookup returns the dead PID.
		if got, ok := reg.WhereIs("worker"); ok && got == pid {
			t.Fatalf("round %d: WhereIs returned %v after it exited", i, pid)
		}
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
	}
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}

// keeper is a minimal restarter: it traps exits, starts a linked worker
// named "worker" and restarts it whenever it exits.
type keeper struct {
	reg     *registry.Registry
	errs    chan error
	current chan actor.PID
}

func (k *keeper) Init(p *actor.Process) error {
	p.TrapExit(true)
	return k.start(p)
}

func (k *keeper) start(p *actor.Process) error {
	pid, err := p.SpawnLink(idle{}, actor.SpawnOptions{Name: k.reg.Via("worker")})
	if err != nil {
		select {
		case k.errs <- fmt.Errorf("restart failed: %w", err):
		default:
		}
		return err
	}
	select {
	case k.current <- pid:
	default:
	}
	return nil
}

func (k *keeper) HandleInfo(p *actor.Process, msg any) error {
	if _, ok := msg.(actor.Exit); ok {
		return k.start(p)
	}
	return nil
}

// TestCallbacksMayCallBack: the callbacks of UpdateValue,
// UnregisterMatch, Scan and Select run with no lock held, so they may use
// the registry and the runtime (they used to deadlock there); a panic in them is an error and
// changes nothing.
func TestCallbacksMayCallBack(t *testing.T) {
	rt := newRuntime(t)
	for _, keys := range []registry.KeyMode{registry.Unique, registry.Duplicate} {
		reg := registry.New(rt, registry.Options{Name: "r", Keys: keys, Partitions: 1})
		pid := spawn(t, rt, idle{}, actor.Name{})
		if err := reg.Register(pid, "k", 1); err != nil {
			t.Fatal(err)
		}
		watchdog := time.AfterFunc(5*time.Second, func() { panic("a registry callback that calls back deadlocked") })
		if keys == registry.Unique {
			nv, _, err := reg.UpdateValue(pid, "k", func(old any) any {
				if got := reg.Lookup("k"); len(got) != 1 {
					t.Errorf("Lookup inside update = %v", got)
				}
				return old.(int) + 1
			})
			if err != nil || nv != 2 {
				t.Errorf("UpdateValue = %v, %v; want 2", nv, err)
			}
			var pe *actor.PanicError
			if _, _, err := reg.UpdateValue(pid, "k", func(any) any { panic("update boom") }); !errors.As(err, &pe) {
				t.Errorf("UpdateValue with a panicking update = %v; want a PanicError", err)
			}
			if v := reg.Values("k", pid); len(v) != 1 || v[0] != 2 {
				t.Errorf("value after a panicking update = %v; want [2]", v)
			}
		}
		var pe *actor.PanicError
		if err := reg.UnregisterMatch(pid, "k", func(any) bool { panic("match boom") }); !errors.As(err, &pe) {
			t.Errorf("UnregisterMatch with a panicking match = %v; want a PanicError", err)
		}
		if n := reg.Count(); n != 1 {
			t.Errorf("%v: %d entries after a panicking match; want 1", keys, n)
		}
		reg.UnregisterMatch(pid, "k", func(v any) bool {
			if _, err := rt.Info(pid); err != nil {
				t.Errorf("Info inside match: %v", err)
			}
			return len(reg.Lookup("k")) == 1 && reg.Count() == 1
		})
		// Scan's and Select's callbacks may register and unregister.
		if err := reg.Register(pid, "k2", 2); err != nil {
			t.Fatal(err)
		}
		called := 0
		reg.Scan(func(string, actor.PID, any) bool {
			called++
			if err := reg.Register(pid, "from-scan", nil); err != nil {
				t.Errorf("Register inside Scan: %v", err)
			}
			return false
		})
		if called != 1 || reg.Count() != 2 {
			t.Errorf("Scan called fn %d times, %d entries after; want 1 and 2", called, reg.Count())
		}
		reg.Select(func(k string, p actor.PID, _ any) bool { reg.Unregister(p, k); return true })
		watchdog.Stop()
		if n := reg.Count(); n != 0 {
			t.Errorf("%v: %d entries after UnregisterMatch and the Select that unregistered all; want 0", keys, n)
		}
	}
}

// TestScanAcrossRebuilds: Scan hands out a partition's names a chunk at a
// time with no lock held; when its function makes the names table grow
// (a rebuild) or shrink in between, no name is seen twice and every name
// there all along is seen.
func TestScanAcrossRebuilds(t *testing.T) {
	rt := newRuntime(t)
	for _, grow := range []bool{true, false} {
		reg := registry.New(rt, registry.Options{Partitions: 1})
		var all []actor.PID
		for i := range 3000 {
			all = append(all, spawn(t, rt, idle{}, reg.Via(fmt.Sprintf("k%d", i))))
		}
		seen := map[string]int{}
		calls, killed := 0, 0
		reg.Scan(func(k string, _ actor.PID, _ any) bool {
			seen[k]++
			calls++
			if calls == 300 || calls == 900 {
				for j := range 1000 {
					if grow {
						spawn(t, rt, idle{}, reg.Via(fmt.Sprintf("new%d-%d", calls, j)))
					} else {
						killed++
						kill(t, rt, all[len(all)-killed]) // names from the end go: the table shrinks
					}
				}
			}
			return true
		})
		for k, n := range seen {
			if n > 1 {
				t.Fatalf("grow=%v: %s seen %d times", grow, k, n)
			}
		}
		for i := range len(all) - killed {
			if seen[fmt.Sprintf("k%d", i)] != 1 {
				t.Fatalf("grow=%v: k%d, there all along, was not seen", grow, i)
			}
		}
	}
}
