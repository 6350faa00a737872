package chaos_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// TestSoak runs kill storms against a supervision tree of every kind at
// once: a DynamicSupervisor of named workers, static supervisors of each
// strategy, and nested one_for_all supervisors that escalate to a root.
// Workers trap exits or not, linger in Terminate or never return from it,
// and panic in every callback the runtime runs for them (and in their
// child spec's New). Killers send every kind of exit signal and unlink
// children from their supervisors; callers look names up and call them;
// a flooder fills mailboxes. After each storm the runtime settles and the
// tree is checked. The test fails on any lost child, dead-PID lookup,
// reply from a killed process, wrong responder, goroutine left after
// Shutdown; it reports restarts, calls and heap growth.
//
// ACTORSH_SOAK_CYCLES (kill/restart cycles, that is restarts) or
// ACTORSH_SOAK_DURATION (a Go duration) make it run longer; by default it
// runs about two seconds.
func TestSoak(t *testing.T) {
	cycles, duration := int64(0), 2*time.Second
	if v := os.Getenv("ACTORSH_SOAK_CYCLES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("ACTORSH_SOAK_CYCLES: %v", err)
		}
		cycles, duration = n, 0
	}
	if v := os.Getenv("ACTORSH_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("ACTORSH_SOAK_DURATION: %v", err)
		}
		duration = d
	}
	goroutines := runtime.NumGoroutine()
	s := newSoak(t)
	start := time.Now()
	heap0 := uint64(0)
	for round := 0; ; round++ {
		s.storm(200 * time.Millisecond)
		s.settleAndCheck()
		if round == 0 {
			heap0 = heapAfterGC()
		}
		if t.Failed() {
			break
		}
		if cycles > 0 && s.restarts.Load() >= cycles || duration > 0 && time.Since(start) >= duration {
			break
		}
		if round%50 == 49 {
			t.Logf("after %v: %s", time.Since(start).Round(time.Second), s.report())
		}
	}
	heap1 := heapAfterGC()
	s.stop()
	left := 0
	for range 100 {
		if left = runtime.NumGoroutine() - goroutines; left <= 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Printf("SOAK %v: %s heap_after_gc=%dKiB->%dKiB goroutines_left=%d\n",
		time.Since(start).Round(time.Millisecond), s.report(), heap0>>10, heap1>>10, max(0, left))
	if left > 0 {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines left after Shutdown:\n%s", left, buf[:runtime.Stack(buf, true)])
	}
}

// soak is the tree under test and the figures.
type soak struct {
	t   *testing.T
	rt  *actor.Runtime
	reg *registry.Registry

	mu      sync.Mutex
	release chan struct{} // closed to let stuck Terminates return
	groups  []*group      // supervisors and the names they keep
	root    actor.PID

	deaths deaths
	ready  atomic.Bool // the tree is built: New and Init may panic now

	restarts, signals, lookups, calls, callOK, floods, unlinks atomic.Int64
	deadLookups, wrongResponder, deadReplies, lost, stray      atomic.Int64
	sawKill                                                    sync.Map // request id -> its handler saw the kill
	reqID                                                      atomic.Int64
}

// group is a supervisor and the workers it keeps by name.
type group struct {
	name    string // the supervisor's own name
	dynamic bool
	names   []string
	// unlinked are names whose child was unlinked from the supervisor:
	// OTP does not restart such a child, and neither does actorsh; the
	// checker starts it again.
	unlinked sync.Map
}

func newSoak(t *testing.T) *soak {
	s := &soak{t: t, release: make(chan struct{}), deaths: newDeaths()}
	s.rt = actor.NewRuntime(actor.Options{})
	s.reg = registry.New(s.rt, registry.Options{Name: "soak"})
	s.rt.Hooks().SubscribeInline(func(e actor.Event) {
		switch e.Kind {
		case actor.EventExited:
			s.deaths.exited(e.PID)
		case actor.EventRestarted:
			s.restarts.Add(1)
		}
	})
	ctx := context.Background()
	root, err := supervisor.StartDynamic(ctx, s.rt, supervisor.DynamicOptions{Name: s.reg.Via("root"), MaxRestarts: 1 << 40, MaxSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	s.root = root
	// A DynamicSupervisor of 64 named workers.
	dyn := &group{name: "dyn", dynamic: true}
	for i := range 64 {
		dyn.names = append(dyn.names, fmt.Sprintf("dyn-%d", i))
	}
	s.startGroup(dyn, supervisor.DynamicSpec("dyn", supervisor.DynamicOptions{Name: s.reg.Via("dyn"), MaxRestarts: 1 << 40, MaxSeconds: 1}))
	// Static supervisors of each strategy, 12 workers each.
	for _, st := range []supervisor.Strategy{supervisor.OneForOne, supervisor.OneForAll, supervisor.RestForOne} {
		g := &group{name: st.String()}
		var specs []supervisor.ChildSpec
		for i := range 12 {
			name := fmt.Sprintf("%s-%d", st, i)
			g.names = append(g.names, name)
			specs = append(specs, s.workerSpec(name, i))
		}
		s.startGroup(g, supervisor.Spec(g.name, supervisor.Options{Name: s.reg.Via(g.name), Strategy: st, MaxRestarts: 1 << 40, MaxSeconds: 1}, specs...))
	}
	// Nested: one_for_all supervisors that give up at the third restart
	// within a second, so that their failure escalates to the root.
	for n := range 4 {
		g := &group{name: fmt.Sprintf("nest-%d", n)}
		var specs []supervisor.ChildSpec
		for i := range 4 {
			name := fmt.Sprintf("nest-%d-%d", n, i)
			g.names = append(g.names, name)
			specs = append(specs, s.workerSpec(name, i))
		}
		s.startGroup(g, supervisor.Spec(g.name, supervisor.Options{Name: s.reg.Via(g.name), Strategy: supervisor.OneForAll, MaxRestarts: 2, MaxSeconds: 1}, specs...))
	}
	s.ready.Store(true)
	return s
}

func (s *soak) startGroup(g *group, spec supervisor.ChildSpec) {
	if _, err := supervisor.StartChild(context.Background(), s.rt, s.root, spec); err != nil {
		s.t.Fatalf("starting %s: %v", g.name, err)
	}
	s.groups = append(s.groups, g)
	if g.dynamic {
		for i, name := range g.names {
			s.startDynamic(g, name, i)
		}
	}
}

func (s *soak) startDynamic(g *group, name string, i int) {
	sup, ok := s.reg.WhereIs(g.name)
	if !ok {
		return
	}
	for try := 0; ; try++ {
		_, err := supervisor.StartChild(context.Background(), s.rt, sup, s.workerSpec(name, i))
		var pe *actor.PanicError
		switch {
		case err == nil, errors.Is(err, actor.ErrAlreadyStarted):
			return
		case errors.As(err, &pe) && try < 10: // the worker's New or Init panicked on purpose
			continue
		}
		s.t.Errorf("starting %s: %v", name, err)
		return
	}
}

// kind is what a worker does wrong: by its index.
func (s *soak) workerSpec(name string, i int) supervisor.ChildSpec {
	spec := supervisor.ChildSpec{ID: name, Name: s.reg.Via(name), Shutdown: 20 * time.Millisecond,
		New: func([]any) (actor.Actor, error) {
			if s.ready.Load() && rand.IntN(500) == 0 {
				panic("New panicked")
			}
			s.mu.Lock()
			release := s.release
			s.mu.Unlock()
			return &worker{s: s, trap: i%3 == 0, linger: i%5 == 1, stuck: i%13 == 2, release: release}, nil
		}}
	if i%11 == 3 {
		spec.Shutdown = supervisor.BrutalKill
	}
	return spec
}

// worker answers "ping" with its PID; "slow" waits up to 2 ms (or until
// it is told to exit); "boom" panics. It panics now and then in Init,
// HandleCast, HandleInfo, Terminate, State and Behaviour.
type worker struct {
	s       *soak
	trap    bool
	linger  bool // Terminate takes up to 5 ms, or until killed
	stuck   bool // Terminate never returns until the storm is over
	release chan struct{}
}

func (w *worker) Init(p *actor.Process) error {
	if w.s.ready.Load() && rand.IntN(1000) == 0 {
		panic("Init panicked")
	}
	if w.trap {
		p.TrapExit(true)
	}
	return nil
}

func (w *worker) HandleCall(p *actor.Process, _ actor.From, req any) (any, error) {
	r := req.(request)
	switch r.kind {
	case "slow":
		select {
		case <-time.After(2 * time.Millisecond):
		case <-p.Done():
			w.s.sawKill.Store(r.id, true)
		}
	case "boom":
		panic("HandleCall panicked")
	}
	return p.Self(), nil
}

func (w *worker) HandleCast(*actor.Process, any) error {
	if rand.IntN(20000) == 0 {
		panic("HandleCast panicked")
	}
	return nil
}

func (w *worker) HandleInfo(*actor.Process, any) error {
	if rand.IntN(20000) == 0 {
		panic("HandleInfo panicked")
	}
	return nil
}

func (w *worker) Terminate(p *actor.Process, _ error) {
	switch {
	case w.stuck:
		<-w.release
	case w.linger:
		select {
		case <-time.After(5 * time.Millisecond):
		case <-p.Done():
		}
	}
	if rand.IntN(100) == 0 {
		panic("Terminate panicked")
	}
}

func (w *worker) State() any {
	if rand.IntN(10) == 0 {
		panic("State panicked")
	}
	return w.trap
}

func (w *worker) Behaviour() string {
	if rand.IntN(100) == 0 {
		panic("Behaviour panicked")
	}
	return "worker"
}

type request struct {
	kind string
	id   int64
}

var reasons = []error{actor.ErrKill, actor.Reason("boom"), actor.ErrShutdown, actor.Shutdown("chaos"), actor.ErrNormal}

// names returns every worker name.
func (s *soak) names() []string {
	var out []string
	for _, g := range s.groups {
		out = append(out, g.names...)
	}
	return out
}

// storm runs killers, callers, a flooder and an unlinker for d.
func (s *soak) storm(d time.Duration) {
	names := s.names()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for k := range 4 {
		wg.Go(func() { s.kill(stop, names, uint64(k)) })
	}
	for c := range 3 {
		wg.Go(func() { s.call(stop, names, uint64(c)) })
	}
	wg.Go(func() { s.flood(stop, names) })
	wg.Go(func() { s.unlink(stop) })
	time.Sleep(d)
	close(stop)
	wg.Wait()
	// Let the stuck Terminates return, so that the runtime can settle.
	s.mu.Lock()
	close(s.release)
	s.release = make(chan struct{})
	s.mu.Unlock()
}

func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

func (s *soak) kill(stop <-chan struct{}, names []string, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 1))
	for !stopped(stop) {
		pid, ok := s.lookup(names[r.IntN(len(names))])
		if !ok {
			runtime.Gosched()
			continue
		}
		reason := reasons[r.IntN(len(reasons))]
		switch r.IntN(10) {
		case 0:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
			s.rt.Stop(ctx, pid, actor.Reason("stopped"))
			cancel()
		case 1:
			s.rt.Hooks().ExitNow(actor.PID{}, pid, reason)
		default:
			s.rt.Exit(actor.PID{}, pid, reason)
		}
		s.signals.Add(1)
		if r.IntN(16) == 0 {
			time.Sleep(time.Duration(r.IntN(100)) * time.Microsecond)
		}
	}
}

func (s *soak) call(stop <-chan struct{}, names []string, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 2))
	for !stopped(stop) {
		pid, ok := s.lookup(names[r.IntN(len(names))])
		if !ok {
			runtime.Gosched()
			continue
		}
		req := request{kind: "ping", id: s.reqID.Add(1)}
		switch r.IntN(20) {
		case 0:
			req.kind = "slow"
		case 1:
			req.kind = "boom"
		case 2:
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			s.rt.State(ctx, pid)
			cancel()
			s.rt.Info(pid)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		v, err := s.rt.Call(ctx, pid, req)
		cancel()
		s.calls.Add(1)
		if err == nil {
			s.callOK.Add(1)
			if v != pid {
				s.wrongResponder.Add(1)
				s.t.Errorf("call to %v answered by %v", pid, v)
			}
			if _, saw := s.sawKill.Load(req.id); saw {
				s.deadReplies.Add(1)
				s.t.Errorf("call to %v answered although its handler saw the kill", pid)
			}
		}
		if req.kind == "slow" {
			s.sawKill.Delete(req.id)
		}
	}
}

func (s *soak) flood(stop <-chan struct{}, names []string) {
	for !stopped(stop) {
		pid, ok := s.reg.WhereIs(names[rand.IntN(len(names))])
		if !ok {
			continue
		}
		for range 5000 {
			s.rt.Cast(pid, "flood")
		}
		s.floods.Add(1)
		time.Sleep(time.Millisecond)
	}
}

// unlink unlinks a child from its supervisor now and then and kills it:
// the supervisor must stop counting it.
func (s *soak) unlink(stop <-chan struct{}) {
	for !stopped(stop) {
		time.Sleep(5 * time.Millisecond)
		g := s.groups[rand.IntN(len(s.groups))]
		name := g.names[rand.IntN(len(g.names))]
		sup, ok1 := s.reg.WhereIs(g.name)
		pid, ok2 := s.reg.WhereIs(name)
		if !ok1 || !ok2 {
			continue
		}
		if parent, _ := s.rt.Hooks().Parent(pid); parent != sup {
			continue
		}
		g.unlinked.Store(name, true)
		s.rt.Unlink(sup, pid)
		s.rt.Exit(actor.PID{}, pid, actor.ErrKill)
		s.unlinks.Add(1)
	}
}

// lookup looks a name up and checks that the PID had not been reported
// dead before the lookup began.
func (s *soak) lookup(name string) (actor.PID, bool) {
	before := s.deaths.seq.Load()
	pid, ok := s.reg.WhereIs(name)
	s.lookups.Add(1)
	if ok && s.deaths.diedBy(pid, before) {
		s.deadLookups.Add(1)
		s.t.Errorf("WhereIs(%q) returned %v, whose exit was reported before the lookup began", name, pid)
	}
	return pid, ok
}

// settleAndCheck waits for the runtime to settle, puts back the children
// the unlinker took, and checks that every supervisor has all its
// children, alive and named.
func (s *soak) settleAndCheck() {
	s.settle()
	ctx := context.Background()
	for _, g := range s.groups {
		sup, ok := s.reg.WhereIs(g.name)
		if !ok {
			s.lost.Add(1)
			s.t.Errorf("supervisor %s is gone after settling", g.name)
			continue
		}
		for i, name := range g.names {
			if _, ok := g.unlinked.LoadAndDelete(name); !ok {
				continue
			}
			if g.dynamic {
				s.startDynamic(g, name, i)
				continue
			}
			for try := 0; ; try++ {
				_, err := supervisor.RestartChild(ctx, s.rt, sup, name)
				var pe *actor.PanicError
				if errors.As(err, &pe) && try < 10 { // its New or Init panicked on purpose
					continue
				}
				if err != nil && !errors.Is(err, supervisor.ErrRunning) && !errors.Is(err, supervisor.ErrRestarting) {
					s.t.Errorf("restarting the unlinked %s: %v", name, err)
				}
				break
			}
		}
	}
	s.settle()
	for _, g := range s.groups {
		sup, ok := s.reg.WhereIs(g.name)
		if !ok {
			continue
		}
		kids, err := supervisor.WhichChildren(ctx, s.rt, sup)
		if err != nil {
			s.t.Errorf("which_children of %s: %v", g.name, err)
			continue
		}
		listed := map[actor.PID]bool{}
		for _, k := range kids {
			listed[k.PID] = true
		}
		for _, name := range g.names {
			pid, ok := s.reg.WhereIs(name)
			switch {
			case !ok:
				s.lost.Add(1)
				s.t.Errorf("after settling, %s has no process (%s lists %+v)", name, g.name, kids)
			case !s.rt.Alive(pid):
				s.deadLookups.Add(1)
				s.t.Errorf("after settling, %s is %v, which is dead", name, pid)
			case !listed[pid]:
				s.stray.Add(1)
				s.t.Errorf("after settling, %s is %v, which %s does not list", name, pid, g.name)
			}
		}
		if len(kids) != len(g.names) {
			s.lost.Add(1)
			s.t.Errorf("%s lists %d children; want %d", g.name, len(kids), len(g.names))
		}
	}
}

func (s *soak) settle() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.rt.Quiesce(ctx); err != nil {
		s.t.Fatalf("the runtime did not settle in 30s: %d processes", s.rt.NumProcesses())
	}
}

// stop shuts the runtime down. Terminates that would never return are let
// go first: Shutdown would otherwise (rightly) wait for them and report
// them.
func (s *soak) stop() {
	s.mu.Lock()
	close(s.release)
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.rt.Shutdown(ctx); err != nil {
		s.t.Errorf("Shutdown: %v", err)
	}
}

func (s *soak) report() string {
	return fmt.Sprintf("restarts=%d signals=%d lookups=%d calls=%d ok=%d floods=%d unlinks=%d "+
		"lost_children=%d dead_pid_lookups=%d replies_from_killed=%d wrong_responder=%d stray=%d",
		s.restarts.Load(), s.signals.Load(), s.lookups.Load(), s.calls.Load(), s.callOK.Load(), s.floods.Load(), s.unlinks.Load(),
		s.lost.Load(), s.deadLookups.Load(), s.deadReplies.Load(), s.wrongResponder.Load(), s.stray.Load())
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// deaths remembers, for recently exited PIDs, the sequence number at which
// their exit was reported (EventExited comes after a process's names are
// gone). A lookup that began after that and still returned the PID
// returned a dead PID.
type deaths struct {
	seq  atomic.Uint64
	ring []deathSlot
}

type deathSlot struct{ seq, pid atomic.Uint64 }

const ringSize = 1 << 16

func newDeaths() deaths { return deaths{ring: make([]deathSlot, ringSize)} }

func (d *deaths) exited(pid actor.PID) {
	n := d.seq.Add(1)
	sl := &d.ring[pid.ID()%ringSize]
	sl.seq.Store(0)
	sl.pid.Store(pid.ID())
	sl.seq.Store(n)
}

func (d *deaths) diedBy(pid actor.PID, before uint64) bool {
	sl := &d.ring[pid.ID()%ringSize]
	a, id, b := sl.seq.Load(), sl.pid.Load(), sl.seq.Load()
	return a != 0 && a == b && id == pid.ID() && a <= before
}
