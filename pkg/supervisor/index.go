package supervisor

import (
	"slices"

	"github.com/actorsh/actorsh/pkg/actor"
)

// index finds a supervisor's running children by PID. A runtime hands PIDs
// out in increasing order, so a child started later has a larger PID than
// every child before it: the index is a pair of slices sorted by PID, and
// a start appends to them (sequential memory, where a hash map costs a
// cache miss on every insert of a million). A child that stops leaves a
// hole, and the slices are compacted once holes outnumber children. The
// order also gives WhichChildren, paging and the reverse-order shutdown
// without sorting.
//
// Finding a PID guesses its place from the spread of the PIDs (they are
// close to evenly spaced), then gallops from the guess and finishes with a
// binary search, so a lookup costs O(log d) for a guess d places off, and
// never more than O(log n).
type index struct {
	pids  []uint64 // sorted; a hole keeps its PID so that the order holds
	kids  []*child // nil for a hole
	holes int
}

// len returns the number of children.
func (x *index) len() int { return len(x.pids) - x.holes }

// add records c under pid.
func (x *index) add(pid actor.PID, c *child) {
	id := pid.ID()
	if n := len(x.pids); n == 0 || x.pids[n-1] < id {
		x.pids = append(x.pids, id)
		x.kids = append(x.kids, c)
		return
	}
	// Not the newest PID (a Start that returned a process it did not just
	// spawn): keep the order.
	i, found := x.search(id)
	if found {
		if x.kids[i] == nil {
			x.holes--
		}
		x.kids[i] = c
		return
	}
	x.pids = slices.Insert(x.pids, i, id)
	x.kids = slices.Insert(x.kids, i, c)
}

// get returns the child under pid, or nil.
func (x *index) get(pid actor.PID) *child {
	if i, found := x.search(pid.ID()); found {
		return x.kids[i]
	}
	return nil
}

// del removes pid and returns its child, or nil.
func (x *index) del(pid actor.PID) *child {
	i, found := x.search(pid.ID())
	if !found || x.kids[i] == nil {
		return nil
	}
	c := x.kids[i]
	x.kids[i] = nil
	x.holes++
	if x.holes == len(x.pids) {
		x.reset()
	} else if x.holes > 64 && x.holes*2 > len(x.pids) {
		x.compact()
	}
	return c
}

func (x *index) reset() {
	x.pids, x.kids, x.holes = x.pids[:0], x.kids[:0], 0
}

// compact squeezes the holes out, in place.
func (x *index) compact() {
	j := 0
	for i, c := range x.kids {
		if c != nil {
			x.pids[j], x.kids[j] = x.pids[i], c
			j++
		}
	}
	clear(x.kids[j:])
	x.pids, x.kids, x.holes = x.pids[:j], x.kids[:j], 0
	if cap(x.pids) > 4*j+64 { // give back what a crowd of children left
		x.pids = slices.Clip(x.pids)
		x.kids = slices.Clip(x.kids)
	}
}

// search returns the position of id, or where it would go.
func (x *index) search(id uint64) (int, bool) {
	n := len(x.pids)
	if n == 0 || id > x.pids[n-1] {
		return n, false
	}
	if id <= x.pids[0] {
		return 0, id == x.pids[0]
	}
	// Now pids[0] < id <= pids[n-1]: the answer i is in [1, n-1].
	first, last := x.pids[0], x.pids[n-1]
	g := int(float64(id-first) / float64(last-first) * float64(n-1))
	g = min(max(g, 0), n-1)
	// Gallop from the guess until [lo, hi] brackets i.
	var lo, hi int
	if x.pids[g] >= id {
		lo, hi = g, g
		for step := 1; lo > 0 && x.pids[lo] >= id; step *= 2 {
			hi = lo
			lo = max(0, lo-step)
		}
	} else {
		lo, hi = g+1, g+1
		for step := 1; x.pids[hi] < id; step *= 2 {
			lo = hi + 1
			hi = min(n-1, hi+step)
		}
	}
	i, found := slices.BinarySearch(x.pids[lo:hi+1], id)
	return lo + i, found
}

// each calls fn with the children in PID order.
func (x *index) each(fn func(*child)) {
	for _, c := range x.kids {
		if c != nil {
			fn(c)
		}
	}
}

// takeNewestFirst returns the children newest first, as a DynamicSupervisor stops
// them, and empties the index.
func (x *index) takeNewestFirst() []*child {
	out := make([]*child, 0, x.len())
	for i := len(x.kids) - 1; i >= 0; i-- {
		if c := x.kids[i]; c != nil {
			out = append(out, c)
		}
	}
	clear(x.kids)
	x.reset()
	return out
}

// after returns up to limit children with PIDs above after, in PID order.
func (x *index) after(after actor.PID, limit int) []*child {
	i, found := x.search(after.ID())
	if found {
		i++
	}
	var out []*child
	for ; i < len(x.kids) && len(out) < limit; i++ {
		if c := x.kids[i]; c != nil {
			out = append(out, c)
		}
	}
	return out
}
