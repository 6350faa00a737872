package actor

import "sync"

// workers keeps a few goroutines that have run a process and wait, parked,
// for the next one. A new goroutine starts with a small stack that a deep
// callback (a supervisor starting a named child goes a few kilobytes deep)
// must grow, by copying, every time: for a StartChild whose caller cannot
// lend its goroutine (see CallInfinity) that cost more than the rest of the
// request put together. A parked worker has its stack grown already. For
// shallow callbacks a new goroutine is cheaper than waking a parked one,
// so workers run only DeepStack actors and calls made with CallInfinity.
//
// The runtime owns the workers: Shutdown wakes the parked ones, which
// exit, and waits for them.
type workers struct {
	mu     sync.Mutex
	parked []chan *Process // LIFO: the most recently used stack is warmest
	closed bool
	wg     sync.WaitGroup
}

// maxParked is how many workers wait for work at most; any more exit.
const maxParked = 64

// runWarm gives p a goroutine: a parked worker's, or a new one.
func (rt *Runtime) runWarm(p *Process) {
	w := &rt.workers
	w.mu.Lock()
	if n := len(w.parked); n > 0 {
		ch := w.parked[n-1]
		w.parked = w.parked[:n-1]
		w.mu.Unlock()
		ch <- p
		return
	}
	w.wg.Add(1)
	w.mu.Unlock()
	go rt.work(p)
}

// work runs processes until no more are handed to it.
func (rt *Runtime) work(p *Process) {
	w := &rt.workers
	defer w.wg.Done()
	var ch chan *Process
	for p != nil {
		p.run()
		w.mu.Lock()
		if w.closed || len(w.parked) >= maxParked {
			w.mu.Unlock()
			return
		}
		if ch == nil {
			ch = make(chan *Process, 1)
		}
		w.parked = append(w.parked, ch)
		w.mu.Unlock()
		p = <-ch
	}
}

// close makes the parked workers exit, and the busy ones when they finish;
// with wait, it waits for them (Shutdown does not when a callback is stuck).
func (w *workers) close(wait bool) {
	w.mu.Lock()
	w.closed = true
	parked := w.parked
	w.parked = nil
	w.mu.Unlock()
	for _, ch := range parked {
		ch <- nil
	}
	if wait {
		w.wg.Wait()
	}
}
