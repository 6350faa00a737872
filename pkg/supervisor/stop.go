package supervisor

import (
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// Terminate stops the children: a static supervisor's one at a time in
// reverse start order, a DynamicSupervisor's all at once.
func (s *sup) Terminate(_ *actor.Process, _ error) { s.stopAll() }

// parallelStop is how many children a DynamicSupervisor's shutdown gives
// each goroutine that signals them, at least.
const parallelStop = 4096

func (s *sup) stopAll() {
	if !s.dynamic {
		for i := len(s.children) - 1; i >= 0; i-- {
			s.stopChild(s.children[i])
		}
		return
	}
	type stopping struct {
		pid actor.PID
		w   exitWatch
		d   time.Duration
	}
	children := s.byPID.takeNewestFirst()
	// Each goroutine keeps the latest exit clock it saw, and the supervisor
	// learns them once (not once per child, on a shared clock).
	signal := func(children []*child) (all []stopping, latest uint64) {
		for _, c := range children {
			pid := c.pid
			c.pid = actor.PID{}
			if w, ok := s.signalStop(pid, c.spec.shutdown()); ok {
				all = append(all, stopping{pid, w, c.spec.shutdown()})
			} else {
				latest = max(latest, w.at)
			}
		}
		return all, latest
	}
	// Most children exit on the goroutine that signals them (see
	// signalStop); with many, the signalling is shared among GOMAXPROCS
	// goroutines, which this one waits for.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(children)/parallelStop))
	parts := slices.Collect(slices.Chunk(children, max(1, (len(children)+workers-1)/workers)))
	waits := make([][]stopping, len(parts))
	latest := make([]uint64, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Go(func() { waits[i], latest[i] = signal(part) })
	}
	wg.Wait()
	s.rt.Hooks().Learn(s.self, slices.Max(append(latest, 0)))
	all := slices.Concat(waits...)
	began := s.rt.Now()
	for _, st := range all {
		s.awaitStop(st.pid, st.w, st.d, began)
	}
}

// stopChild stops one child as its shutdown says, and waits for it.
func (s *sup) stopChild(c *child) {
	pid := c.pid
	if pid.IsZero() {
		return
	}
	s.byPID.del(pid)
	c.pid = actor.PID{}
	if w, ok := s.signalStop(pid, c.spec.shutdown()); ok {
		s.awaitStop(pid, w, c.spec.shutdown(), s.rt.Now())
	} else {
		s.rt.Hooks().Learn(s.self, w.at)
	}
}

// signalStop unlinks the child (so that its exit does not come back to us
// as a message) and sends it shutdown, or kill for BrutalKill. A child that
// was idle and does not trap exits has exited when it returns (false, and
// the watch holds the exit's clock); otherwise it returns a watch to wait
// on for the child's exit.
//
// Either way the supervisor learns the child's exit clock when the stop is
// done (stopChild, stopAll, awaitStop), so the next stop, and the restarts
// after, come after it in causal order: narration shows the reverse-order
// stops as they were.
func (s *sup) signalStop(pid actor.PID, d time.Duration) (exitWatch, bool) {
	s.rt.Unlink(s.self, pid)
	reason := actor.ErrShutdown
	if d == BrutalKill {
		reason = actor.ErrKill
	}
	if _, exited, at := s.rt.Hooks().ExitNow(s.self, pid, reason); exited {
		return exitWatch{at: at}, false
	}
	// Running, trapping, or already exiting: wait until it is gone, and
	// with it its names (a restart may want them back at once).
	done, clock := s.rt.Hooks().WatchExit(pid)
	return exitWatch{done: done, clock: clock}, true
}

// exitWatch is a stopping child's exit: to wait for, or over at clock at.
type exitWatch struct {
	done  <-chan error
	clock func() uint64
	at    uint64
}

// awaitStop waits for a child told to stop at began, killing it once its
// shutdown time has passed. The kill ends it at once, even inside a
// Terminate that never returns, so no wait here is unbounded but
// Infinity's.
func (s *sup) awaitStop(pid actor.PID, w exitWatch, d time.Duration, began time.Time) {
	done := w.done
	defer func() { s.rt.Hooks().Learn(s.self, w.clock()) }()
	if d == BrutalKill || d == Infinity {
		<-done
		return
	}
	up := make(chan struct{})
	defer s.rt.Hooks().AfterFunc(d-s.rt.Now().Sub(began), func() { close(up) })()
	select {
	case <-done:
	case <-up:
		s.rt.Hooks().ExitNow(s.self, pid, actor.ErrKill)
		<-done
	}
}
