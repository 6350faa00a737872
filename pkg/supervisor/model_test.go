package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"pgregory.net/rapid"
)

// TestModel runs random sequences of child management, crashes with every
// class of exit reason, stops, children registering and unregistering
// names of their own, and time passing, against a static supervisor of
// each strategy, and checks the supervisor against a model of OTP's rules
// written from supervisor.erl: the restart table, the strategies (which
// children stop, in what order, and which start), intensity in a sliding
// window, temporary children leaving, terminate/restart/delete_child
// results, names held by exactly the running children (a name a child
// registered goes with its process: the restarted child does not have
// it), and the supervisor giving up. Time is a ManualTime, so a sequence is the same every run.
// Counterexamples that rapid shrank are kept as table tests below.
func TestModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) { newModelRun(t, rt).run(rt) })
}

// modelChild is the model's view of a child.
type modelChild struct {
	id      string
	restart supervisor.Restart
	running bool
}

type model struct {
	strategy  supervisor.Strategy
	maxR      int
	window    time.Duration
	now       time.Duration
	history   []time.Duration // restart times in the window, oldest first
	children  []*modelChild
	alive     bool
	nextID    int
	journal   []string          // what the model expects the children to have reported
	aliases   map[string]string // names a child registered itself: name -> child ID
	supReason error
}

func (m *model) find(id string) (int, *modelChild) {
	for i, c := range m.children {
		if c.id == id {
			return i, c
		}
	}
	return -1, nil
}

func (m *model) remove(id string) {
	if i, _ := m.find(id); i >= 0 {
		m.children = slices.Delete(m.children, i, i+1)
	}
}

// addRestart is supervisor.erl's add_restart: it reports whether the
// supervisor must give up.
func (m *model) addRestart() bool {
	kept := m.history[:0]
	for _, at := range m.history {
		if m.now-at < m.window {
			kept = append(kept, at)
		}
	}
	m.history = append(kept, m.now)
	return len(m.history) > m.maxR
}

// stop is what stopping a running child reports: its Terminate.
func (m *model) stop(c *modelChild) {
	if c.running {
		m.down(c)
		m.journal = append(m.journal, "stop "+c.id)
	}
}

// down records that a child's process is gone, and with it the names it
// registered (a restarted child has not registered them).
func (m *model) down(c *modelChild) {
	c.running = false
	for name, id := range m.aliases {
		if id == c.id {
			delete(m.aliases, name)
		}
	}
}

func (m *model) start(c *modelChild) {
	c.running = true
	m.journal = append(m.journal, "start "+c.id)
}

// giveUp stops every child in reverse start order and ends the supervisor.
func (m *model) giveUp() {
	for i := len(m.children) - 1; i >= 0; i-- {
		m.stop(m.children[i])
	}
	m.alive = false
	m.supReason = actor.ErrShutdown
}

// exited applies a child's exit: restart type, intensity, strategy.
func (m *model) exited(id string, reason error) {
	i, c := m.find(id)
	m.down(c)
	if !supervisor.ShouldRestart(c.restart, reason) {
		if c.restart == supervisor.Temporary {
			m.remove(id)
		}
		return
	}
	if m.addRestart() {
		m.giveUp()
		return
	}
	switch m.strategy {
	case supervisor.OneForOne:
		m.start(c)
		return
	case supervisor.OneForAll:
		i = 0
	}
	// Stop the others from the end down to i, temporary ones leaving for
	// good, then start from i up, as terminate_children and
	// start_children do (a sibling stopped by terminate_child starts
	// again too: it is in the list).
	affected := slices.Clone(m.children[i:])
	for j := len(affected) - 1; j >= 0; j-- {
		if affected[j] != c {
			m.stop(affected[j])
		}
	}
	for _, a := range affected {
		if a.restart == supervisor.Temporary {
			m.remove(a.id)
			continue
		}
		m.start(a)
	}
}

// modelRun is one sequence: a runtime on manual time, a registry naming
// the children, a supervisor, and the model beside them.
type modelRun struct {
	t   *testing.T
	rt  *actor.Runtime
	mt  *actor.ManualTime
	reg *registry.Registry
	sup actor.PID
	m   *model
	j   journal // what the children reported
}

// modelWorker reports its starts and Terminates; a cast of an error ends
// it with that reason.
type modelWorker struct {
	id  string
	run *modelRun
}

func (w *modelWorker) Init(p *actor.Process) error {
	p.TrapExit(true)
	w.run.j.add("start %s", w.id)
	return nil
}
func (w *modelWorker) HandleCast(_ *actor.Process, msg any) error { return msg.(error) }
func (w *modelWorker) Terminate(*actor.Process, error)            { w.run.j.add("stop %s", w.id) }

func (r *modelRun) spec(id string, restart supervisor.Restart) supervisor.ChildSpec {
	return supervisor.ChildSpec{ID: id, Restart: restart, Name: r.reg.Via(id),
		New: func([]any) (actor.Actor, error) { return &modelWorker{id: id, run: r}, nil }}
}

var restarts = []supervisor.Restart{supervisor.Permanent, supervisor.Transient, supervisor.Temporary}

func newModelRun(t *testing.T, rt *rapid.T) *modelRun {
	mt := actor.NewManualTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	r := &modelRun{t: t, mt: mt, rt: actor.NewRuntime(actor.Options{Time: mt})}
	rt.Cleanup(func() {
		if err := r.rt.Shutdown(context.Background()); err != nil {
			rt.Errorf("Shutdown: %v", err)
		}
	})
	r.reg = registry.New(r.rt, registry.Options{Name: "model"})
	r.startTree(rt)
	return r
}

// startTree starts a supervisor of drawn strategy, intensity and children,
// and the model beside it.
func (r *modelRun) startTree(rt *rapid.T) {
	m := &model{
		strategy: rapid.SampledFrom([]supervisor.Strategy{supervisor.OneForOne, supervisor.OneForAll, supervisor.RestForOne}).Draw(rt, "strategy"),
		// Mostly a budget that lasts; sometimes OTP's max_restarts 0.
		maxR:    rapid.SampledFrom([]int{0, 1, 2, 3, 5, 8}).Draw(rt, "max_restarts"),
		window:  time.Duration(rapid.IntRange(1, 5).Draw(rt, "max_seconds")) * time.Second,
		alive:   true,
		aliases: map[string]string{},
	}
	if r.m != nil {
		m.now, m.nextID = r.m.now, r.m.nextID
	}
	var specs []supervisor.ChildSpec
	for range rapid.IntRange(1, 4).Draw(rt, "children") {
		c := &modelChild{id: fmt.Sprintf("c%d", m.nextID), restart: rapid.SampledFrom(restarts).Draw(rt, "restart")}
		m.nextID++
		m.children = append(m.children, c)
		specs = append(specs, r.spec(c.id, c.restart))
		m.start(c)
	}
	maxR := m.maxR
	if maxR == 0 {
		maxR = supervisor.NoRestarts
	}
	sup, err := supervisor.Start(context.Background(), r.rt, supervisor.Options{Strategy: m.strategy, MaxRestarts: maxR, MaxSeconds: int(m.window / time.Second)}, specs...)
	if err != nil {
		rt.Fatalf("Start: %v", err)
	}
	r.sup, r.m = sup, m
}

func (r *modelRun) settle(rt *rapid.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.rt.Quiesce(ctx); err != nil {
		rt.Fatalf("Quiesce: %v", err)
	}
}

// pick draws one of the model's children, if any.
func (r *modelRun) pick(rt *rapid.T, running bool) *modelChild {
	var cs []*modelChild
	for _, c := range r.m.children {
		if !running || c.running {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		rt.Skip("no such child")
	}
	return rapid.SampledFrom(cs).Draw(rt, "child")
}

// aliasNames are the names children register for themselves beside the
// one their spec gives them.
var aliasNames = []string{"alias0", "alias1", "alias2"}

var exitReasons = []error{actor.ErrNormal, actor.ErrShutdown, actor.Shutdown("x"), actor.ErrKilled, actor.Reason("boom")}

func (r *modelRun) run(rt *rapid.T) {
	ctx := context.Background()
	rt.Repeat(map[string]func(*rapid.T){
		"crash": func(rt *rapid.T) {
			if !r.m.alive {
				rt.Skip("supervisor gone")
			}
			c := r.pick(rt, true)
			reason := rapid.SampledFrom(exitReasons).Draw(rt, "reason")
			pid, ok := r.reg.WhereIs(c.id)
			if !ok {
				rt.Fatalf("running child %s has no name", c.id)
			}
			if errors.Is(reason, actor.ErrKilled) {
				r.rt.Exit(actor.PID{}, pid, actor.ErrKill) // no Terminate
			} else {
				r.rt.Cast(pid, reason)
				r.m.journal = append(r.m.journal, "stop "+c.id) // its own Terminate
			}
			r.settle(rt)
			r.m.exited(c.id, reason)
		},
		"stop": func(rt *rapid.T) {
			if !r.m.alive {
				rt.Skip("supervisor gone")
			}
			c := r.pick(rt, true)
			reason := rapid.SampledFrom(exitReasons[:3]).Draw(rt, "reason") // normal, shutdown, {shutdown, x}
			pid, _ := r.reg.WhereIs(c.id)
			if err := r.rt.Stop(ctx, pid, reason); err != nil {
				rt.Fatalf("Stop(%s): %v", c.id, err)
			}
			r.m.journal = append(r.m.journal, "stop "+c.id) // Stop runs Terminate
			r.settle(rt)
			r.m.exited(c.id, reason)
		},
		"register": func(rt *rapid.T) {
			if !r.m.alive {
				rt.Skip("supervisor gone")
			}
			c := r.pick(rt, true)
			name := rapid.SampledFrom(aliasNames).Draw(rt, "name")
			pid, _ := r.reg.WhereIs(c.id)
			err := r.reg.Register(pid, name, nil)
			var ar *registry.AlreadyRegisteredError
			switch holder, taken := r.m.aliases[name]; {
			case taken:
				want, _ := r.reg.WhereIs(holder)
				if !errors.As(err, &ar) || ar.PID != want {
					rt.Fatalf("register %s for %s = %v; want already_registered by %s (%v)", name, c.id, err, holder, want)
				}
			case err != nil:
				rt.Fatalf("register %s for %s: %v", name, c.id, err)
			default:
				r.m.aliases[name] = c.id
			}
		},
		"unregister": func(rt *rapid.T) {
			if !r.m.alive {
				rt.Skip("supervisor gone")
			}
			c := r.pick(rt, true)
			name := rapid.SampledFrom(aliasNames).Draw(rt, "name")
			pid, _ := r.reg.WhereIs(c.id)
			r.reg.Unregister(pid, name)
			if r.m.aliases[name] == c.id {
				delete(r.m.aliases, name)
			}
		},
		"terminate_child": func(rt *rapid.T) {
			if !r.m.alive {
				rt.Skip("supervisor gone")
			}
			id := r.drawID(rt)
			err := supervisor.TerminateChild(ctx, r.rt, r.sup, id)
			r.settle(rt)
			_, c := r.m.find(id)
			switch {
			case c == nil:
				r.wantErr(rt, "terminate_child "+id, err, supervisor.ErrNotFound)
			default:
				r.wantErr(rt, "terminate_child "+id, err, nil)
				r.m.stop(c)
				if c.restart == supervisor.Temporary {
					r.m.remove(id)
				}
			}
		},
		"restart_child": func(rt *rapid.T) {
			if !r.m.alive {
				rt.Skip("supervisor gone")
			}
			id := r.drawID(rt)
			_, err := supervisor.RestartChild(ctx, r.rt, r.sup, id)
			r.settle(rt)
			_, c := r.m.find(id)
			switch {
			case c == nil:
				r.wantErr(rt, "restart_child "+id, err, supervisor.ErrNotFound)
			case c.running:
				r.wantErr(rt, "restart_child "+id, err, supervisor.ErrRunning)
			default:
				r.wantErr(rt, "restart_child "+id, err, nil)
				r.m.start(c)
			}
		},
		"delete_child": func(rt *rapid.T) {
			if !r.m.alive {
				rt.Skip("supervisor gone")
			}
			id := r.drawID(rt)
			err := supervisor.DeleteChild(ctx, r.rt, r.sup, id)
			r.settle(rt)
			_, c := r.m.find(id)
			switch {
			case c == nil:
				r.wantErr(rt, "delete_child "+id, err, supervisor.ErrNotFound)
			case c.running:
				r.wantErr(rt, "delete_child "+id, err, supervisor.ErrRunning)
			default:
				r.wantErr(rt, "delete_child "+id, err, nil)
				r.m.remove(id)
			}
		},
		"start_child": func(rt *rapid.T) {
			if !r.m.alive {
				rt.Skip("supervisor gone")
			}
			var id string
			if len(r.m.children) > 0 && rapid.Bool().Draw(rt, "existing id") {
				id = r.pick(rt, false).id
			} else {
				id = fmt.Sprintf("c%d", r.m.nextID)
				r.m.nextID++
			}
			restart := rapid.SampledFrom(restarts).Draw(rt, "restart")
			_, err := supervisor.StartChild(ctx, r.rt, r.sup, r.spec(id, restart))
			r.settle(rt)
			_, c := r.m.find(id)
			switch {
			case c != nil && c.running:
				r.wantErr(rt, "start_child "+id, err, actor.ErrAlreadyStarted)
			case c != nil:
				r.wantErr(rt, "start_child "+id, err, supervisor.ErrAlreadyPresent)
			default:
				r.wantErr(rt, "start_child "+id, err, nil)
				c = &modelChild{id: id, restart: restart}
				r.m.children = append(r.m.children, c)
				r.m.start(c)
			}
		},
		"new_tree": func(rt *rapid.T) {
			if r.m.alive {
				rt.Skip("the supervisor is still running")
			}
			r.startTree(rt)
		},
		"time_passes": func(rt *rapid.T) {
			d := time.Duration(rapid.IntRange(0, 6000).Draw(rt, "ms")) * time.Millisecond
			r.mt.Advance(d)
			r.m.now += d
			r.settle(rt)
		},
		"": func(rt *rapid.T) { r.check(rt) },
	})
}

// drawID draws the ID of a child the model has, or of one it never had.
func (r *modelRun) drawID(rt *rapid.T) string {
	if len(r.m.children) > 0 && rapid.Bool().Draw(rt, "known id") {
		return r.pick(rt, false).id
	}
	return "nobody"
}

func (r *modelRun) wantErr(rt *rapid.T, op string, err, want error) {
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		rt.Fatalf("%s = %v; want %v", op, err, want)
	}
}

// check compares the supervisor with the model: alive or not, its
// children in order and which of them run, counts, the names, and what
// the children reported since the last check.
func (r *modelRun) check(rt *rapid.T) {
	if got, want := r.j.take(), r.m.journal; !slices.Equal(got, want) {
		rt.Fatalf("children reported %q; the model expects %q", got, want)
	}
	r.m.journal = nil
	if alive := r.rt.Alive(r.sup); alive != r.m.alive {
		rt.Fatalf("supervisor alive = %v; the model says %v", alive, r.m.alive)
	}
	if !r.m.alive {
		if n := r.reg.Count(); n != 0 {
			rt.Fatalf("%d names left after the supervisor gave up", n)
		}
		return
	}
	kids, err := supervisor.WhichChildren(context.Background(), r.rt, r.sup)
	if err != nil {
		rt.Fatal(err)
	}
	var got, want []string
	for _, k := range kids {
		got = append(got, fmt.Sprintf("%s:%v:%v", k.ID, k.Restart, !k.PID.IsZero()))
		pid, named := r.reg.WhereIs(k.ID)
		if named != !k.PID.IsZero() || named && pid != k.PID {
			rt.Fatalf("child %s is %v but its name gives %v, %v", k.ID, k.PID, pid, named)
		}
	}
	running := 0
	for _, c := range r.m.children {
		want = append(want, fmt.Sprintf("%s:%v:%v", c.id, c.restart, c.running))
		if c.running {
			running++
		}
	}
	if !slices.Equal(got, want) {
		rt.Fatalf("children %v; the model has %v", got, want)
	}
	for _, name := range aliasNames {
		pid, found := r.reg.WhereIs(name)
		holder, held := r.m.aliases[name]
		want, _ := r.reg.WhereIs(holder)
		if found != held || held && pid != want {
			rt.Fatalf("%s is %v (%v); the model says %s holds it (%v)", name, pid, found, holder, want)
		}
	}
	n, err := supervisor.CountChildren(context.Background(), r.rt, r.sup)
	if err != nil || n.Specs != len(r.m.children) || n.Active != running {
		rt.Fatalf("counts %+v, %v; the model has %d specs, %d running", n, err, len(r.m.children), running)
	}
	d, err := supervisor.Describe(context.Background(), r.rt, r.sup)
	if err != nil || d.Restarts != inWindow(r.m) {
		rt.Fatalf("restarts in the window %d, %v; the model has %d", d.Restarts, err, inWindow(r.m))
	}
}

func inWindow(m *model) int {
	n := 0
	for _, at := range m.history {
		if m.now-at < m.window {
			n++
		}
	}
	return n
}
