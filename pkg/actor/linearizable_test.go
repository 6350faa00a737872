package actor_test

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
	"github.com/anishathalye/porcupine"
)

// TestCallsLinearizable records concurrent calls to processes that are
// killed while callers keep calling (some calls in the middle of a slow
// handler), and checks the history with porcupine against a model in
// which a process is alive until its kill: a call that succeeded was
// answered by a live process, and one that failed (noproc, or the exit)
// met a dead one. So no reply comes from a process already killed, and no
// call fails while its process lives. A handler that saw the kill (its
// Done closed) before it returned must not have its reply delivered: in
// the model, that call met a dead process whatever it was told. Each call
// is also checked to be answered by the process called, and handled at
// most once.
func TestCallsLinearizable(t *testing.T) {
	histories := 20
	if testing.Short() {
		histories = 5
	}
	model := porcupine.Model{
		Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
			by := map[uint64][]porcupine.Operation{}
			for _, op := range history {
				c := op.Input.(callIn).callee
				by[c] = append(by[c], op)
			}
			var out [][]porcupine.Operation
			for _, ops := range by {
				out = append(out, ops)
			}
			return out
		},
		Init: func() any { return true }, // alive
		Step: func(state, input, output any) (bool, any) {
			alive, in, out := state.(bool), input.(callIn), output.(callOut)
			if in.kill {
				return alive && out.ok, false
			}
			if out.sawKill {
				return !out.ok && !alive, alive
			}
			return out.ok == alive, alive
		},
		DescribeOperation: func(input, output any) string {
			return fmt.Sprintf("%+v -> %+v", input, output)
		},
	}
	for h := range histories {
		ops := recordCalls(t, uint64(h))
		if res, info := porcupine.CheckOperationsVerbose(model, ops, 30*time.Second); res == porcupine.Illegal {
			path := t.TempDir() + "/calls.html"
			porcupine.VisualizePath(model, info, path)
			t.Fatalf("history %d of %d calls and kills is not linearizable (see %s)", h, len(ops), path)
		}
	}
}

type callIn struct {
	callee uint64
	kill   bool
	id     int64
}

type callOut struct{ ok, sawKill bool }

func recordCalls(t *testing.T, seed uint64) []porcupine.Operation {
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(context.Background())
	const callees, callers, calls = 4, 4, 60
	var handled sync.Map // request id -> times handled
	var sawKill sync.Map // request id -> its handler returned after the kill
	var pids []actor.PID
	for range callees {
		pids = append(pids, spawn(t, rt, &fn{call: func(p *actor.Process, _ actor.From, req any) (any, error) {
			id := req.(int64)
			n, _ := handled.LoadOrStore(id, new(atomic.Int32))
			if n.(*atomic.Int32).Add(1) > 1 {
				t.Errorf("request %d handled twice", id)
			}
			if id%3 == 0 { // slow: the kill may land while it runs
				select {
				case <-time.After(time.Duration(id%7) * 100 * time.Microsecond):
				case <-p.Done():
					sawKill.Store(id, true)
				}
			}
			return p.Self(), nil
		}}))
	}
	var clock, ids atomic.Int64
	var mu sync.Mutex
	var ops []porcupine.Operation
	record := func(client int, in callIn, out callOut, call int64) {
		ret := clock.Add(1)
		mu.Lock()
		ops = append(ops, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(c)))
			for range calls {
				callee := pids[r.IntN(callees)]
				in := callIn{callee: callee.ID(), id: ids.Add(1)}
				call := clock.Add(1)
				v, err := rt.Call(context.Background(), callee, in.id)
				var ee *actor.ExitError
				switch {
				case err == nil:
					if v != callee {
						t.Errorf("call to %v answered by %v", callee, v)
					}
				case errors.Is(err, actor.ErrNoProc), errors.As(err, &ee) && ee.PID == callee:
				default:
					t.Errorf("call to %v: %v", callee, err)
				}
				_, saw := sawKill.Load(in.id)
				record(c, in, callOut{ok: err == nil, sawKill: saw}, call)
			}
		})
	}
	wg.Go(func() { // kills each callee once, at random moments
		r := rand.New(rand.NewPCG(seed, 99))
		for _, i := range r.Perm(callees) {
			time.Sleep(time.Duration(r.IntN(300)) * time.Microsecond)
			in := callIn{callee: pids[i].ID(), kill: true}
			call := clock.Add(1)
			var ok bool
			if r.IntN(2) == 0 {
				ok = rt.Exit(actor.PID{}, pids[i], actor.ErrKill)
			} else {
				ok, _, _ = rt.Hooks().ExitNow(actor.PID{}, pids[i], actor.ErrKill)
			}
			if ok {
				// Exit returns before the exit is done (it may happen on
				// another goroutine): the kill ends when the process is gone.
				for rt.Alive(pids[i]) {
					time.Sleep(10 * time.Microsecond)
				}
			}
			record(callers, in, callOut{ok: ok}, call)
		}
	})
	wg.Wait()
	return ops
}
