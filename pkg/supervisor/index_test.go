package supervisor

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
)

// TestIndexModel checks the index against a map and a sorted list of
// PIDs through random starts (mostly of ever larger PIDs, sometimes of an
// older one), stops, lookups of present and absent PIDs, and paging.
func TestIndexModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, spread := range []uint64{1, 3, 1000} { // dense PIDs, some gaps, big gaps
		var x index
		model := map[uint64]*child{}
		next := uint64(1)
		for step := range 20000 {
			switch r := rng.IntN(10); {
			case r < 5:
				next += 1 + rng.Uint64N(spread)
				id := next
				if r == 0 && next > 10 { // an older PID, out of order
					id = rng.Uint64N(next) + 1
				}
				c := &child{pid: actor.PIDOf(id)}
				x.add(c.pid, c)
				model[id] = c
			case r < 8 && len(model) > 0:
				var id uint64
				for id = range model {
					break
				}
				if got := x.del(actor.PIDOf(id)); got != model[id] {
					t.Fatalf("step %d: del(%d) = %v; want %v", step, id, got, model[id])
				}
				delete(model, id)
			default:
				id := rng.Uint64N(next+2) + 1
				if got := x.get(actor.PIDOf(id)); got != model[id] {
					t.Fatalf("step %d: get(%d) = %v; want %v", step, id, got, model[id])
				}
			}
			if x.len() != len(model) {
				t.Fatalf("step %d: len = %d; want %d", step, x.len(), len(model))
			}
			if step%500 == 0 {
				ids := slices.Sorted(maps.Keys(model))
				var got []uint64
				x.each(func(c *child) { got = append(got, c.pid.ID()) })
				if !slices.Equal(got, ids) {
					t.Fatalf("step %d: each = %v; want %v", step, got, ids)
				}
				for _, id := range ids {
					if x.get(actor.PIDOf(id)) != model[id] {
						t.Fatalf("step %d: get(%d) lost it", step, id)
					}
				}
				if len(ids) > 3 {
					after := ids[len(ids)/2]
					page := x.after(actor.PIDOf(after), 3)
					want := ids[len(ids)/2+1 : min(len(ids), len(ids)/2+4)]
					var pids []uint64
					for _, c := range page {
						pids = append(pids, c.pid.ID())
					}
					if !slices.Equal(pids, want) {
						t.Fatalf("step %d: after(%d) = %v; want %v", step, after, pids, want)
					}
				}
			}
		}
		newest := x.takeNewestFirst()
		if len(newest) != len(model) || x.len() != 0 {
			t.Fatalf("takeNewestFirst gave %d of %d, left %d", len(newest), len(model), x.len())
		}
		for i := 1; i < len(newest); i++ {
			if newest[i-1].pid.ID() <= newest[i].pid.ID() {
				t.Fatalf("takeNewestFirst out of order at %d", i)
			}
		}
	}
}
