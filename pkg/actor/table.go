package actor

import (
	"sync"
	"sync/atomic"
)

// table maps PIDs to live processes. PIDs are handed out in sequence, so the
// table is a two-level array indexed by the PID's number rather than a hash
// map: a lookup is two atomic loads, and a process costs one pointer slot.
// A page is freed once every PID in it has been handed out and has died, so
// a long-running runtime that restarts processes keeps only the pages that
// still hold live processes (plus one directory word per 4096 PIDs ever
// issued).
type table struct {
	next atomic.Uint64 // the last PID number handed out
	live atomic.Int64  // processes in the table

	mu  sync.Mutex // serialises changes to the directory
	dir atomic.Pointer[directory]
}

const (
	pageBits = 12
	pageSize = 1 << pageBits
	pageMask = pageSize - 1
)

type directory struct {
	pages []atomic.Pointer[page]
}

type page struct {
	// left counts the PIDs of this page that have not yet retired (died or
	// failed to start). When it reaches zero the page is freed.
	left  atomic.Int32
	slots [pageSize]atomic.Pointer[Process]
}

func (t *table) get(id uint64) *Process {
	d := t.dir.Load()
	i := id >> pageBits
	if d == nil || i >= uint64(len(d.pages)) {
		return nil
	}
	pg := d.pages[i].Load()
	if pg == nil {
		return nil
	}
	return pg.slots[id&pageMask].Load()
}

// insert hands out the next PID and stores p under it.
func (t *table) insert(p *Process) PID {
	id := t.next.Add(1)
	pg := t.pageFor(id)
	pg.slots[id&pageMask].Store(p)
	t.live.Add(1)
	return PID{id: id}
}

func (t *table) pageFor(id uint64) *page {
	i := id >> pageBits
	if d := t.dir.Load(); d != nil && i < uint64(len(d.pages)) {
		if pg := d.pages[i].Load(); pg != nil {
			return pg
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.dir.Load()
	if d == nil || i >= uint64(len(d.pages)) {
		n := 64
		if d != nil {
			n = 2 * len(d.pages)
		}
		for uint64(n) <= i {
			n *= 2
		}
		nd := &directory{pages: make([]atomic.Pointer[page], n)}
		if d != nil {
			for j := range d.pages {
				nd.pages[j].Store(d.pages[j].Load())
			}
		}
		t.dir.Store(nd)
		d = nd
	}
	pg := d.pages[i].Load()
	if pg == nil {
		pg = new(page)
		pg.left.Store(pageSize)
		// PID 0 is never handed out: retire it up front.
		if i == 0 {
			pg.left.Add(-1)
		}
		d.pages[i].Store(pg)
	}
	return pg
}

// remove retires pid: its slot is cleared and, if it was the last live PID
// of a fully issued page, the page is freed.
func (t *table) remove(pid PID) {
	id := pid.id
	d := t.dir.Load()
	pg := d.pages[id>>pageBits].Load()
	pg.slots[id&pageMask].Store(nil)
	t.live.Add(-1)
	if pg.left.Add(-1) == 0 {
		t.mu.Lock()
		d := t.dir.Load()
		d.pages[id>>pageBits].Store(nil)
		t.mu.Unlock()
	}
}

// each calls f for every live process in PID order until f returns false.
func (t *table) each(f func(*Process) bool) { t.eachFrom(0, f) }

// eachFrom is each, starting at the page that holds id.
func (t *table) eachFrom(id uint64, f func(*Process) bool) {
	d := t.dir.Load()
	if d == nil {
		return
	}
	for i := int(id >> pageBits); i < len(d.pages); i++ {
		pg := d.pages[i].Load()
		if pg == nil {
			continue
		}
		for j := range pg.slots {
			if p := pg.slots[j].Load(); p != nil {
				if !f(p) {
					return
				}
			}
		}
	}
}
