package actor

import (
	"sync"
	"sync/atomic"
	"time"
)

// Timer is a pending [Runtime.SendAfter] or callback timeout.
type Timer struct {
	set   *timerSet
	stop  func() bool
	state atomic.Uint32 // 0 pending, 1 fired, 2 stopped
}

// Stop cancels the timer, like Process.cancel_timer/1, and reports whether
// it was still pending (the message had not been sent). A nil Timer is
// allowed; Stop on it returns false.
func (t *Timer) Stop() bool {
	if t == nil || !t.state.CompareAndSwap(0, 2) {
		return false
	}
	t.stop()
	t.set.done(t)
	return true
}

// timerSet tracks pending timers so that Shutdown can cancel them and wait
// for callbacks already running.
type timerSet struct {
	mu      sync.Mutex
	pending map[*Timer]struct{}
	closed  bool
	wg      sync.WaitGroup
}

func (s *timerSet) done(t *Timer) {
	s.mu.Lock()
	delete(s.pending, t)
	s.mu.Unlock()
	s.wg.Done()
}

func (s *timerSet) close() {
	s.mu.Lock()
	s.closed = true
	var ts []*Timer
	for t := range s.pending {
		ts = append(ts, t)
	}
	s.mu.Unlock()
	for _, t := range ts {
		t.Stop()
	}
	s.wg.Wait()
}

// afterFunc runs f after d on a goroutine of its own, unless stopped first
// or the runtime has shut down.
func (rt *Runtime) afterFunc(d time.Duration, f func()) *Timer {
	s := &rt.timers
	t := &Timer{set: s}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		t.state.Store(2)
		return t
	}
	if s.pending == nil {
		s.pending = make(map[*Timer]struct{})
	}
	s.pending[t] = struct{}{}
	s.wg.Add(1)
	t.stop = rt.timeAfter(d, func() {
		if t.state.CompareAndSwap(0, 1) {
			f()
			s.done(t)
		}
	})
	return t
}

// SendAfter sends msg to pid's HandleInfo after d, like
// Process.send_after/3. The message is dropped if pid is dead by then.
// Stop the returned Timer to cancel it.
func (rt *Runtime) SendAfter(pid PID, msg any, d time.Duration) *Timer {
	return rt.afterFunc(d, func() { rt.Send(pid, msg) })
}
