package registry_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/anishathalye/porcupine"
)

// TestLinearizable records concurrent histories of register, unregister,
// lookup, process exits and spawns under a via name on a unique registry,
// while other goroutines churn the same partition (so that its names
// table grows, shrinks and is rebuilt under the readers), and checks each
// history with porcupine against a sequential model: a map from key to
// holder, where a dead process holds nothing. A lookup that returns a
// dead PID, a name lost or given twice, or an already_registered naming
// the wrong holder makes a history non-linearizable.
//
// A process's exit is several steps in the model, as it is in the
// runtime: it begins (the process takes no new names: Register fails with
// noproc, and Unregister does nothing); each of its names goes, one at a
// time (a lookup may still find the process under one name while another
// is free already); and it ends (no name is left, and only then does
// anyone hear of the exit). All fall inside the call that kills it.
func TestLinearizable(t *testing.T) {
	histories := 20
	if testing.Short() {
		histories = 5
	}
	for h := range histories {
		init, ops := recordHistory(t, uint64(h))
		model := registryModel(init)
		res, info := porcupine.CheckOperationsVerbose(model, ops, 30*time.Second)
		switch res {
		case porcupine.Illegal:
			path := t.TempDir() + "/history.html"
			porcupine.VisualizePath(model, info, path)
			t.Fatalf("history %d of %d operations is not linearizable (see %s)", h, len(ops), path)
		case porcupine.Unknown:
			t.Logf("history %d: the checker timed out", h)
		}
	}
}

const (
	linKeys  = 3
	linSlots = 8 // processes, two per worker goroutine
	linWork  = 4 // worker goroutines
)

type linKind uint8

const (
	opRegister linKind = iota
	opUnregister
	opWhereIs
	opKill     // the exit begins
	opKillName // one of its names goes: same call, a later step
	opKillEnd  // the exit ends: same call, the last step
	opSpawnVia
)

type linIn struct {
	kind linKind
	key  int
	slot int
	pid  uint64 // the process acted for (register, unregister, kill)
}

type linOut struct {
	ok     bool
	pid    uint64 // WhereIs's answer; the spawned PID
	holder uint64 // who holds the key, for a refused register or spawn
	noproc bool
}

// linState is the model: the holder of each key, each slot's process,
// whether it is alive and whether its exit has begun. It is a value, so
// == compares states.
type linState struct {
	holders [linKeys]uint64
	pids    [linSlots]uint64
	alive   uint64 // bit per slot
	exiting uint64 // bit per slot: the exit began and has not ended
}

// slotOf returns the slot of a live process, or -1.
func (s linState) slotOf(pid uint64) int {
	for i, p := range s.pids {
		if p == pid && s.alive&(1<<i) != 0 {
			return i
		}
	}
	return -1
}

// takesNames reports whether pid is alive and its exit has not begun.
func (s linState) takesNames(pid uint64) bool {
	i := s.slotOf(pid)
	return i >= 0 && s.exiting&(1<<i) == 0
}

// registryModel is the sequential specification, starting from init.
func registryModel(init linState) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return init },
		Step: linStep,
		DescribeOperation: func(input, output any) string {
			in, out := input.(linIn), output.(linOut)
			names := [...]string{"register", "unregister", "whereis", "kill", "kill_name", "kill_end", "spawn_via"}
			return fmt.Sprintf("%s(k%d, slot %d, <0.%d.0>) -> %+v", names[in.kind], in.key, in.slot, in.pid, out)
		},
	}
}

func linStep(state, input, output any) (bool, any) {
	s, in, out := state.(linState), input.(linIn), output.(linOut)
	switch in.kind {
	case opRegister:
		if !s.takesNames(in.pid) {
			return out.noproc, s
		}
		if h := s.holders[in.key]; h != 0 {
			return !out.ok && !out.noproc && out.holder == h, s
		}
		if !out.ok {
			return false, s
		}
		s.holders[in.key] = in.pid
		return true, s
	case opUnregister:
		if s.takesNames(in.pid) && s.holders[in.key] == in.pid {
			s.holders[in.key] = 0
		}
		return true, s
	case opWhereIs:
		h := s.holders[in.key]
		return out.ok == (h != 0) && out.pid == h, s
	case opKill:
		if !s.takesNames(in.pid) {
			return !out.ok, s
		}
		if !out.ok {
			return false, s
		}
		s.exiting |= 1 << in.slot
		return true, s
	case opKillName:
		if !out.ok {
			return true, s // the kill found nobody: there is no such step
		}
		i := s.slotOf(in.pid)
		if i >= 0 && s.exiting&(1<<i) != 0 && s.holders[in.key] == in.pid {
			s.holders[in.key] = 0
		}
		return i < 0 || s.exiting&(1<<i) != 0, s
	case opKillEnd:
		if !out.ok {
			return true, s // the kill found nobody: there is no such step
		}
		i := s.slotOf(in.pid)
		if i < 0 || s.exiting&(1<<i) == 0 {
			return false, s
		}
		for k := range s.holders {
			if s.holders[k] == in.pid {
				s.holders[k] = 0
			}
		}
		s.alive &^= 1 << i
		s.exiting &^= 1 << i
		return true, s
	case opSpawnVia:
		if h := s.holders[in.key]; h != 0 {
			return !out.ok && (out.holder == h || out.holder == 0), s
		}
		if !out.ok {
			return false, s
		}
		s.holders[in.key] = out.pid
		s.pids[in.slot] = out.pid
		s.alive |= 1 << in.slot
		return true, s
	}
	return false, s
}

type idleActor struct{}

func (idleActor) Init(*actor.Process) error { return nil }

// recordHistory runs the workers and returns what they did, with the
// slots' first processes as the model's initial state.
func recordHistory(t *testing.T, seed uint64) (linState, []porcupine.Operation) {
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(context.Background())
	reg := registry.New(rt, registry.Options{Name: "lin", Partitions: 1})
	ctx := context.Background()
	var init linState
	var slots [linSlots]atomic.Uint64
	for i := range linSlots {
		pid, err := rt.Spawn(ctx, idleActor{}, actor.SpawnOptions{})
		if err != nil {
			t.Fatal(err)
		}
		slots[i].Store(pid.ID())
		init.pids[i] = pid.ID()
		init.alive |= 1 << i
	}
	var clock atomic.Int64
	stop := make(chan struct{})
	var churn sync.WaitGroup
	churn.Go(func() { // grows, shrinks and rebuilds the partition's table
		pid, _ := rt.Spawn(ctx, idleActor{}, actor.SpawnOptions{})
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			key := fmt.Sprintf("churn-%d", i%200)
			if i%400 < 200 {
				reg.Register(pid, key, nil)
			} else {
				reg.Unregister(pid, key)
			}
		}
	})
	var mu sync.Mutex
	var ops []porcupine.Operation
	var wg sync.WaitGroup
	for w := range linWork {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			for range 50 {
				in := linIn{key: r.IntN(linKeys), slot: r.IntN(linSlots)}
				switch n := r.IntN(100); {
				case n < 30:
					in.kind = opRegister
				case n < 45:
					in.kind = opUnregister
				case n < 85:
					in.kind = opWhereIs
				default:
					// Kills and spawns only in this worker's own slots, so
					// that no two workers replace the same slot's process.
					in.slot = w + linWork*r.IntN(linSlots/linWork)
					in.kind = opKill
					if !rt.Alive(actor.PIDOf(slots[in.slot].Load())) {
						in.kind = opSpawnVia
					}
				}
				in.pid = slots[in.slot].Load()
				var out linOut
				call := clock.Add(1)
				switch in.kind {
				case opRegister:
					err := reg.Register(actor.PIDOf(in.pid), fmt.Sprint("k", in.key), nil)
					var ar *registry.AlreadyRegisteredError
					switch {
					case err == nil:
						out.ok = true
					case errors.As(err, &ar):
						out.holder = ar.PID.ID()
					case errors.Is(err, actor.ErrNoProc):
						out.noproc = true
					default:
						t.Errorf("Register: %v", err)
					}
				case opUnregister:
					reg.Unregister(actor.PIDOf(in.pid), fmt.Sprint("k", in.key))
				case opWhereIs:
					pid, ok := reg.WhereIs(fmt.Sprint("k", in.key))
					out.ok, out.pid = ok, pid.ID()
				case opKill:
					out.ok, _, _ = rt.Hooks().ExitNow(actor.PID{}, actor.PIDOf(in.pid), actor.ErrKill)
				case opSpawnVia:
					pid, err := rt.Spawn(ctx, idleActor{}, actor.SpawnOptions{Name: reg.Via(fmt.Sprint("k", in.key))})
					var as *actor.AlreadyStartedError
					switch {
					case err == nil:
						out.ok, out.pid = true, pid.ID()
						slots[in.slot].Store(pid.ID())
					case errors.As(err, &as):
						out.holder = as.PID.ID()
					default:
						t.Errorf("Spawn: %v", err)
					}
				}
				ret := clock.Add(1)
				mu.Lock()
				ops = append(ops, porcupine.Operation{ClientId: w, Input: in, Call: call, Output: out, Return: ret})
				if in.kind == opKill {
					for k := range linKeys {
						step := in
						step.kind, step.key = opKillName, k
						ops = append(ops, porcupine.Operation{ClientId: w, Input: step, Call: call, Output: out, Return: ret})
					}
					end := in
					end.kind = opKillEnd
					ops = append(ops, porcupine.Operation{ClientId: w, Input: end, Call: call, Output: out, Return: ret})
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(stop)
	churn.Wait()
	return init, ops
}
