package natsdist_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/natsdist"
	"github.com/anishathalye/porcupine"
)

// Claims, releases and strong lookups of a few names, made at once from
// three nodes, form a history that porcupine finds linearizable against
// a map from name to holder: at most one holder per name at any moment.
func TestClaimsLinearizable(t *testing.T) {
	type input struct {
		op   string // claim, release, read
		name string
		pid  string // claim, release: the process, as the cluster knows it
	}
	type output struct {
		ok     bool   // claim: taken or not
		holder string // read
	}
	model := porcupine.Model{
		Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
			by := map[string][]porcupine.Operation{}
			var keys []string
			for _, op := range h {
				n := op.Input.(input).name
				if _, ok := by[n]; !ok {
					keys = append(keys, n)
				}
				by[n] = append(by[n], op)
			}
			out := make([][]porcupine.Operation, 0, len(keys))
			for _, k := range keys {
				out = append(out, by[k])
			}
			return out
		},
		Init: func() any { return "" },
		Step: func(state, in, out any) (bool, any) {
			s, i, o := state.(string), in.(input), out.(output)
			switch i.op {
			case "claim":
				if s == "" {
					return o.ok, i.pid
				}
				return !o.ok, s
			case "release":
				if s == i.pid {
					return true, ""
				}
				return true, s
			}
			return o.holder == s, s
		},
		DescribeOperation: func(in, out any) string {
			i, o := in.(input), out.(output)
			switch i.op {
			case "claim":
				return fmt.Sprintf("claim %s by %s -> %v", i.name, i.pid, o.ok)
			case "release":
				return fmt.Sprintf("release %s by %s", i.name, i.pid)
			}
			return fmt.Sprintf("read %s -> %q", i.name, o.holder)
		},
	}
	c := newCluster()
	var nodes []*natsdist.Node
	var regs []*natsdist.Registry
	for _, name := range []string{"a", "b", "c"} {
		n := join(t, c, name, srv.URL())
		nodes = append(nodes, n)
		regs = append(regs, registry(t, n, "users"))
	}
	names := []string{"x", "y", "z"}
	var mu sync.Mutex
	var history []porcupine.Operation
	start := time.Now()
	now := func() int64 { return int64(time.Since(start)) }
	var wg sync.WaitGroup
	const workers, opsEach = 6, 40
	for w := range workers {
		n, r := nodes[w%3], regs[w%3]
		rng := rand.New(rand.NewPCG(uint64(w), 7))
		wg.Go(func() {
			held := map[string]actor.PID{}
			for range opsEach {
				name := names[rng.IntN(len(names))]
				var in input
				var out output
				call := now()
				switch p, mine := held[name]; {
				case mine && rng.IntN(2) == 0:
					in = input{"release", name, n.Codec().WirePID(p).String()}
					if err := n.Runtime().Stop(t.Context(), p, actor.ErrNormal); err != nil {
						t.Errorf("stop: %v", err)
						return
					}
					delete(held, name)
				case rng.IntN(3) == 0:
					in = input{op: "read", name: name}
					pid, _, ok, err := r.Lookup(t.Context(), name, true)
					if err != nil {
						t.Errorf("lookup: %v", err)
						return
					}
					if ok {
						out.holder = n.Codec().WirePID(pid).String()
					}
				default:
					pid, err := n.Runtime().Spawn(t.Context(), &box{}, actor.SpawnOptions{Name: actor.Via(r, name)})
					var as *actor.AlreadyStartedError
					switch {
					case err == nil:
						out.ok = true
						held[name] = pid
						in = input{"claim", name, n.Codec().WirePID(pid).String()}
					case errors.As(err, &as):
						in = input{op: "claim", name: name, pid: fmt.Sprintf("refused-%d-%d", w, call)}
					default:
						t.Errorf("claim: %v", err)
						return
					}
				}
				ret := now()
				mu.Lock()
				history = append(history, porcupine.Operation{ClientId: w, Input: in, Output: out, Call: call, Return: ret})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	claims := 0
	for _, op := range history {
		if i := op.Input.(input); i.op == "claim" && op.Output.(output).ok {
			claims++
		}
	}
	res, info := porcupine.CheckOperationsVerbose(model, history, 30*time.Second)
	if res != porcupine.Ok {
		path := t.TempDir() + "/history.html"
		_ = porcupine.VisualizePath(model, info, path)
		t.Fatalf("history of %d operations is %v (see %s)", len(history), res, path)
	}
	t.Logf("%d operations from 3 nodes, %d successful claims: linearizable", len(history), claims)
}
