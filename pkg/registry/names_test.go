package registry

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// key returns a names key for k.
func keyFor(mix *seed, s string) *packed {
	k := new(packed)
	k.set(s)
	k.h = mix.hash(k)
	return k
}

// check compares t with the model and t's own counts with its slots.
func check(t *testing.T, tab *names, mix *seed, model map[string]uint64, universe []string) {
	t.Helper()
	for _, s := range universe {
		k := keyFor(mix, s)
		pid, found, stable := tab.find(k)
		want, ok := model[s]
		if !stable || found != ok || pid != want {
			t.Fatalf("find(%q) = %d, %v, %v; want %d, %v", s, pid, found, stable, want, ok)
		}
		if i := tab.lookup(k); (i >= 0) != ok {
			t.Fatalf("lookup(%q) = %d; want found %v", s, i, ok)
		}
	}
	used, live := 0, 0
	for i := range tab.slots {
		switch metaState(tab.slots[i].meta.Load()) {
		case full:
			used++
			live++
		case deleted:
			used++
		}
	}
	if used != tab.used || live != tab.live || live != len(model) {
		t.Fatalf("counts: used %d/%d, live %d/%d, model %d", used, tab.used, live, tab.live, len(model))
	}
	if used*4 > len(tab.slots)*3 {
		t.Fatalf("%d of %d slots used: the table should have been rebuilt", used, len(tab.slots))
	}
	seen := map[string]uint64{}
	tab.each(func(k *packed, pid uint64) bool { seen[k.String()] = pid; return true })
	if len(seen) != len(model) {
		t.Fatalf("each saw %d names; want %d", len(seen), len(model))
	}
	for s, pid := range model {
		if seen[s] != pid {
			t.Fatalf("each gave %q -> %d; want %d", s, seen[s], pid)
		}
	}
}

// TestNamesModel runs random inserts and removes against a Go map, with
// keys of every length a slot holds (including zero bytes inside them),
// in tables small enough that probes wrap around and tombstones pile up.
func TestNamesModel(t *testing.T) {
	var universe []string
	for i := range 120 {
		s := strconv.Itoa(i) + strings.Repeat("x", i%20)
		if i%7 == 0 {
			s += "\x00"
		}
		universe = append(universe, s[:min(len(s), inlineKey)])
	}
	universe = append(universe, "", "\x00", strings.Repeat("y", inlineKey))
	rng := rand.New(rand.NewPCG(1, 2))
	mix := seed{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
	tab := newNames(minSlots, &mix)
	model := map[string]uint64{}
	for step := range 20000 {
		s := universe[rng.IntN(len(universe))]
		k := keyFor(&mix, s)
		if _, ok := model[s]; ok {
			i := tab.lookup(k)
			tab.remove(i)
			tab = tab.shrunk()
			delete(model, s)
		} else {
			tab = tab.room()
			pid := uint64(step + 1)
			tab.insert(k, pid)
			model[s] = pid
		}
		if step%97 == 0 {
			check(t, tab, &mix, model, universe)
		}
	}
	check(t, tab, &mix, model, universe)
}

// TestNamesRebuild grows a table to a hundred thousand names and empties
// it again: the table shrinks back, and a rebuilt table is marked moved.
func TestNamesRebuild(t *testing.T) {
	mix := newSeed()
	tab := newNames(minSlots, &mix)
	const n = 100_000
	for i := range n {
		nt := tab.room()
		if nt != tab {
			if nt.live != tab.live {
				t.Fatalf("rebuild kept %d of %d names", nt.live, tab.live)
			}
			tab = nt
		}
		tab.insert(keyFor(&mix, strconv.Itoa(i)), uint64(i+1))
	}
	grown := len(tab.slots)
	if grown < 2*n || grown > 4*n {
		t.Errorf("%d names in %d slots; want between 2 and 4 slots a name", n, grown)
	}
	for i := range n {
		k := keyFor(&mix, strconv.Itoa(i))
		tab.remove(tab.lookup(k))
		tab = tab.shrunk()
	}
	if len(tab.slots) != minSlots || tab.used != 0 {
		t.Errorf("emptied table: %d slots, %d used; want %d, 0", len(tab.slots), tab.used, minSlots)
	}
}

// TestNamesConcurrentReaders has readers look names up without a lock
// while a writer inserts, removes, grows and shrinks the table. Names that
// are never removed must always be found, with their PID; a churned name,
// when found, must carry a PID that was once its own (a torn read would
// give another's). Run it under -race.
func TestNamesConcurrentReaders(t *testing.T) {
	mix := newSeed()
	var (
		mu  sync.Mutex // the partition's lock, for the writer
		tab atomic.Pointer[names]
	)
	tab.Store(newNames(minSlots, &mix))
	const stable, churn = 200, 2000
	pidOf := func(i, gen int) uint64 { return uint64(i)<<20 | uint64(gen) }
	insert := func(s string, pid uint64) {
		t0 := tab.Load()
		t1 := t0.room()
		if t1 != t0 {
			tab.Store(t1)
			t0.moved.Store(true)
		}
		t1.insert(keyFor(&mix, s), pid)
	}
	remove := func(s string) {
		t0 := tab.Load()
		t0.remove(t0.lookup(keyFor(&mix, s)))
		if t1 := t0.shrunk(); t1 != t0 {
			tab.Store(t1)
			t0.moved.Store(true)
		}
	}
	for i := range stable {
		insert("stable-"+strconv.Itoa(i), pidOf(i, 0))
	}
	find := func(k *packed) (uint64, bool) {
		for {
			if pid, found, ok := tab.Load().find(k); ok {
				return pid, found
			}
		}
	}

	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for r := range 3 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(r), 7))
			for !stop.Load() {
				i := rng.IntN(stable)
				pid, ok := find(keyFor(&mix, "stable-"+strconv.Itoa(i)))
				if !ok || pid != pidOf(i, 0) {
					errs <- "stable-" + strconv.Itoa(i) + " lost or wrong"
					return
				}
				j := rng.IntN(churn)
				if pid, ok := find(keyFor(&mix, "churn-"+strconv.Itoa(j))); ok && pid>>20 != uint64(j) {
					errs <- "churn-" + strconv.Itoa(j) + " gave another name's pid"
					return
				}
			}
		})
	}
	present := make([]bool, churn)
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 40 {
		// Fill, then empty most of it: the table grows and shrinks.
		for gen := range 3 {
			for j := range churn {
				mu.Lock()
				if present[j] && rng.IntN(2) == 0 {
					remove("churn-" + strconv.Itoa(j))
					present[j] = false
				} else if !present[j] {
					insert("churn-"+strconv.Itoa(j), pidOf(j, round*3+gen+1))
					present[j] = true
				}
				mu.Unlock()
			}
		}
		for j := range churn {
			if present[j] {
				mu.Lock()
				remove("churn-" + strconv.Itoa(j))
				present[j] = false
				mu.Unlock()
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestNamesTornSlot has a writer rewrite one slot, over and over, with
// two names in turn while readers look for one of them: without the
// slot's sequence number a reader would see the first name's key with the
// second's PID.
func TestNamesTornSlot(t *testing.T) {
	mix := newSeed()
	tab := newNames(minSlots, &mix)
	// Two names with the same home slot.
	a := keyFor(&mix, "a")
	var b *packed
	for i := 0; b == nil; i++ {
		if k := keyFor(&mix, "b"+strconv.Itoa(i)); k.h&tab.mask == a.h&tab.mask {
			b = k
		}
	}
	const pidA, pidB = 1, 2
	var stop atomic.Bool
	var torn atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for !stop.Load() {
				if pid, found, ok := tab.find(a); ok && found && pid != pidA {
					torn.Add(1)
				}
			}
		})
	}
	for range 200_000 {
		tab.insert(a, pidA)
		tab.remove(tab.lookup(a))
		tab.insert(b, pidB)
		tab.remove(tab.lookup(b))
	}
	stop.Store(true)
	wg.Wait()
	if n := torn.Load(); n > 0 {
		t.Errorf("%d lookups of a returned b's pid", n)
	}
}
