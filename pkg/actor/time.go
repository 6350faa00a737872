package actor

import (
	"container/heap"
	"sync"
	"time"
)

// TimeSource is where a runtime gets the time: [Runtime.SendAfter] and
// callback timeouts, the default call timeout, the start times [Info]
// reports, and the restart windows and shutdown timeouts of supervisors
// all read it. The zero [Options] use the system clock; a [ManualTime]
// makes time stand still until a test or the shell moves it.
//
// A context's deadline is the system clock's, whatever the source.
type TimeSource interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc arranges for f to run once d has passed, unless the
	// returned stop is called first, which reports whether it stopped
	// f from running. f must not block.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// SystemTime is the TimeSource of the system clock: time.Now and
// time.AfterFunc (under testing/synctest, the bubble's fake clock).
type SystemTime struct{}

// Now returns time.Now().
func (SystemTime) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc: f runs on a goroutine of its own.
func (SystemTime) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// ManualTime is a TimeSource whose time moves only when told to: by
// [ManualTime.Advance] or [ManualTime.AdvanceToNext]. Timers fall due in
// the order of their deadlines (and of their making, for equal ones), and
// run on the goroutine that moves the time, with Now at their deadline;
// one that is due already (d <= 0) runs at the next Advance, Advance(0)
// included. It is for tests and for the shell's virtual time: a restart
// window of five seconds passes in an instant, and always the same way.
type ManualTime struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	timers manualTimers
}

// NewManualTime returns a ManualTime that reads start until moved.
func NewManualTime(start time.Time) *ManualTime { return &ManualTime{now: start} }

// Now returns the manual time.
func (m *ManualTime) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// AfterFunc arranges for f to run when the time has moved d past now.
func (m *ManualTime) AfterFunc(d time.Duration, f func()) func() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	t := &manualTimer{at: m.now.Add(max(d, 0)), seq: m.seq, f: f, i: -1}
	heap.Push(&m.timers, t)
	return func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		if t.i < 0 {
			return false
		}
		heap.Remove(&m.timers, t.i)
		return true
	}
}

// Advance moves the time forward by d (not back: a negative d counts as
// zero), running the timers that fall due, in order.
func (m *ManualTime) Advance(d time.Duration) {
	m.mu.Lock()
	until := m.now.Add(max(d, 0))
	m.mu.Unlock()
	for m.fire(until) {
	}
	m.mu.Lock()
	if until.After(m.now) {
		m.now = until
	}
	m.mu.Unlock()
}

// AdvanceToNext moves the time to the next timer's deadline and runs the
// timers due then, reporting false (and moving nothing) if there is none.
func (m *ManualTime) AdvanceToNext() bool {
	m.mu.Lock()
	if len(m.timers) == 0 {
		m.mu.Unlock()
		return false
	}
	next := m.timers[0].at
	m.mu.Unlock()
	m.Advance(max(0, next.Sub(m.Now())))
	return true
}

// Next returns the deadline of the next timer, or false if none waits.
func (m *ManualTime) Next() (time.Time, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.timers) == 0 {
		return time.Time{}, false
	}
	return m.timers[0].at, true
}

// Pending returns the number of timers that have not run.
func (m *ManualTime) Pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.timers)
}

// fire runs the first timer due by until, if there is one.
func (m *ManualTime) fire(until time.Time) bool {
	m.mu.Lock()
	if len(m.timers) == 0 || m.timers[0].at.After(until) {
		m.mu.Unlock()
		return false
	}
	t := heap.Pop(&m.timers).(*manualTimer)
	if t.at.After(m.now) {
		m.now = t.at
	}
	m.mu.Unlock()
	t.f()
	return true
}

type manualTimer struct {
	at  time.Time
	seq uint64
	f   func()
	i   int // index in the heap; -1 once it has run or stopped
}

type manualTimers []*manualTimer

func (h manualTimers) Len() int { return len(h) }
func (h manualTimers) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h manualTimers) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].i, h[j].i = i, j
}
func (h *manualTimers) Push(x any) {
	t := x.(*manualTimer)
	t.i = len(*h)
	*h = append(*h, t)
}
func (h *manualTimers) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.i = -1
	return t
}
