package supervisor_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// TestOTPRecordings runs the scenarios of testdata/otp/scenarios.exs on
// actorsh and compares what happens, line for line, with what Elixir/OTP
// did in them (testdata/otp/recording.txt, made by scripts/record-otp.sh).
// Where actorsh differs on purpose, deviations says what it does and why.
func TestOTPRecordings(t *testing.T) {
	want := readRecording(t)
	for name := range want {
		if !slices.ContainsFunc(otpScenarios, func(sc otpScenario) bool { return sc.name == name }) {
			t.Errorf("OTP's recording has %s, which actorsh does not run", name)
		}
	}
	for _, sc := range otpScenarios {
		t.Run(sc.name, func(t *testing.T) {
			o := &otpRun{t: t, j: &journal{}}
			sc.run(o)
			rec, ok := want[sc.name]
			if !ok {
				t.Fatalf("no recording of %s: run scripts/record-otp.sh", sc.name)
			}
			if dev, ok := deviations[sc.name]; ok {
				if !slices.Equal(o.lines, dev.actorsh) {
					t.Fatalf("actorsh:\n%s\nthe documented deviation says:\n%s", strings.Join(o.lines, "\n"), strings.Join(dev.actorsh, "\n"))
				}
				if !slices.Equal(rec, dev.otp) {
					t.Fatalf("OTP's recording:\n%s\nthe documented deviation says OTP does:\n%s", strings.Join(rec, "\n"), strings.Join(dev.otp, "\n"))
				}
				return
			}
			if !slices.Equal(o.lines, rec) {
				t.Errorf("actorsh:\n%s\nOTP:\n%s", strings.Join(o.lines, "\n"), strings.Join(rec, "\n"))
			}
		})
	}
}

// deviations are the scenarios where actorsh does not do what OTP does,
// on purpose.
var deviations = map[string]struct {
	otp, actorsh []string
	why          string
}{
	"init_fails": {
		otp:     []string{"start_link: {:error, :boom}", "caller got EXIT :normal"},
		actorsh: []string{"start_link: {:error, :boom}", "caller got nothing"},
		why: "a failed start unlinks from the caller first, as proc_lib does since OTP 26: the caller " +
			"learns of the failure from the result, not from an exit signal too",
	},
	"window_edge": {
		otp:     []string{"a second restart 1.1 s later: supervisor exited: shutdown"},
		actorsh: []string{"a second restart 1.1 s later: supervisor alive"},
		why: "OTP stamps restarts in whole seconds and keeps those at most max_seconds old, so its window " +
			"reaches back between max_seconds and max_seconds + 1 seconds; actorsh's is exactly max_seconds",
	},
}

func readRecording(t *testing.T) map[string][]string {
	f, err := os.Open("testdata/otp/recording.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		name, what, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("recording line %q", line)
		}
		out[name] = append(out[name], what)
	}
	return out
}

type otpRun struct {
	t     *testing.T
	rt    *actor.Runtime
	j     *journal
	lines []string
}

func (o *otpRun) out(format string, args ...any) {
	o.lines = append(o.lines, fmt.Sprintf(format, args...))
}

func (o *otpRun) runtime(opts actor.Options) *actor.Runtime {
	o.rt = actor.NewRuntime(opts)
	o.t.Cleanup(func() { o.rt.Shutdown(context.Background()) })
	return o.rt
}

func (o *otpRun) settle() { settle(o.t, o.rt) }

func (o *otpRun) journal() {
	for _, l := range o.j.take() {
		o.out("%s", l)
	}
}

// otpWorker is W of scenarios.exs: it traps exits, reports its start and
// its terminate, exits with any reason it is cast, unlinks from its
// supervisor when told, and is slow to answer a call.
type otpWorker struct {
	id      string
	j       *journal
	entered chan struct{} // closed when a call is being handled, if set
}

func (w *otpWorker) Init(p *actor.Process) error {
	p.TrapExit(true)
	w.j.add("start %s", w.id)
	return nil
}

func (w *otpWorker) HandleCast(p *actor.Process, msg any) error {
	if msg == "unlink_from_parent" {
		p.Unlink(p.Parent())
		return nil
	}
	return msg.(error)
}

func (w *otpWorker) HandleCall(p *actor.Process, _ actor.From, _ any) (any, error) {
	if w.entered != nil {
		close(w.entered)
	}
	select {
	case <-time.After(5 * time.Second):
	case <-p.Done():
	}
	return "late", nil
}

func (w *otpWorker) Terminate(*actor.Process, error) { w.j.add("stop %s", w.id) }

func (o *otpRun) child(id string, r supervisor.Restart) supervisor.ChildSpec {
	return supervisor.ChildSpec{ID: id, Restart: r, New: func([]any) (actor.Actor, error) { return &otpWorker{id: id, j: o.j}, nil }}
}

func (o *otpRun) children(ids ...string) []supervisor.ChildSpec {
	var cs []supervisor.ChildSpec
	for _, id := range ids {
		cs = append(cs, o.child(id, supervisor.Permanent))
	}
	return cs
}

func (o *otpRun) start(opts supervisor.Options, children ...supervisor.ChildSpec) actor.PID {
	sup, err := supervisor.Start(context.Background(), o.rt, opts, children...)
	if err != nil {
		o.t.Fatal(err)
	}
	o.j.take()
	return sup
}

func (o *otpRun) crash(sup actor.PID, id string, reason error) {
	pid := childPID(o.t, o.rt, sup, id)
	if errors.Is(reason, actor.ErrKilled) {
		o.rt.Exit(actor.PID{}, pid, actor.ErrKill)
		return
	}
	o.rt.Cast(pid, reason)
}

// which is S.children: each child and whether it runs, in start order.
func (o *otpRun) which(sup actor.PID) string {
	kids, err := supervisor.WhichChildren(context.Background(), o.rt, sup)
	if err != nil {
		o.t.Fatal(err)
	}
	var parts []string
	for _, k := range kids {
		state := "running"
		switch {
		case k.Restarting:
			state = ":restarting"
		case k.PID.IsZero():
			state = ":undefined"
		}
		parts = append(parts, k.ID+":"+state)
	}
	return strings.Join(parts, " ")
}

// exitOf waits for the supervisor's exit, as a monitor's DOWN would say it.
func (o *otpRun) exitOf(exited <-chan error, wait time.Duration) string {
	select {
	case r := <-exited:
		return "supervisor exited: " + reasonText(r)
	case <-time.After(wait):
		return "supervisor alive"
	}
}

// reasonText is S.reason: how scenarios.exs prints a reason.
func reasonText(r error) string {
	var se *actor.ShutdownError
	switch {
	case errors.Is(r, actor.ErrNormal):
		return "normal"
	case errors.As(r, &se):
		return "{shutdown, x}"
	case errors.Is(r, actor.ErrShutdown):
		return "shutdown"
	case errors.Is(r, actor.ErrKilled):
		return "killed"
	}
	return ":" + actor.FormatReason(r)
}

// result is the show function of child_management.
func result(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, actor.ErrAlreadyStarted):
		return "error already_started"
	}
	var ce *supervisor.ChildError
	if errors.As(err, &ce) {
		return "error :" + supervisor.FormatError(ce.Err)
	}
	return "error " + err.Error()
}

var otpReasons = []error{actor.ErrNormal, actor.ErrShutdown, actor.Shutdown("x"), actor.ErrKilled, actor.Reason("boom")}

type otpScenario struct {
	name string
	run  func(o *otpRun)
}

var otpScenarios = []otpScenario{
	{"restart_table", func(o *otpRun) {
		rt := o.runtime(actor.Options{})
		for _, r := range restarts {
			for _, reason := range otpReasons {
				sup := o.start(supervisor.Options{MaxRestarts: 10}, o.child("w", r))
				o.crash(sup, "w", reason)
				o.settle()
				kids, _ := supervisor.WhichChildren(context.Background(), rt, sup)
				what := "removed"
				if len(kids) == 1 {
					what = "not_restarted"
					if !kids[0].PID.IsZero() {
						what = "restarted"
					}
				}
				o.out("%v %s -> %s", r, reasonText(reason), what)
				rt.Stop(context.Background(), sup, actor.ErrShutdown)
				o.j.take()
			}
		}
	}},
	{"one_for_all_terminated_sibling", func(o *otpRun) {
		o.runtime(actor.Options{})
		sup := o.start(supervisor.Options{Strategy: supervisor.OneForAll}, o.children("a", "b", "c")...)
		if err := supervisor.TerminateChild(context.Background(), o.rt, sup, "b"); err != nil {
			o.t.Fatal(err)
		}
		o.crash(sup, "a", actor.Reason("boom"))
		o.settle()
		o.journal()
		o.out("%s", o.which(sup))
	}},
	{"rest_for_one_order", func(o *otpRun) {
		o.runtime(actor.Options{})
		sup := o.start(supervisor.Options{Strategy: supervisor.RestForOne}, o.children("a", "b", "c", "d")...)
		o.crash(sup, "b", actor.Reason("boom"))
		o.settle()
		o.journal()
	}},
	{"one_for_all_temporary", func(o *otpRun) {
		o.runtime(actor.Options{})
		sup := o.start(supervisor.Options{Strategy: supervisor.OneForAll},
			o.child("a", supervisor.Permanent), o.child("t", supervisor.Temporary), o.child("c", supervisor.Permanent))
		o.crash(sup, "a", actor.Reason("boom"))
		o.settle()
		o.journal()
		o.out("%s", o.which(sup))
	}},
	{"intensity", func(o *otpRun) {
		o.runtime(actor.Options{})
		sup := o.start(supervisor.Options{MaxRestarts: 2, MaxSeconds: 5}, o.children("a", "b", "c")...)
		exited, _ := o.rt.Watch(sup)
		for range 3 {
			o.crash(sup, "a", actor.Reason("boom"))
			o.settle()
		}
		o.out("%s", o.exitOf(exited, time.Second))
		o.journal()
	}},
	{"max_restarts_zero", func(o *otpRun) {
		o.runtime(actor.Options{})
		sup := o.start(supervisor.Options{MaxRestarts: supervisor.NoRestarts}, o.children("a")...)
		exited, _ := o.rt.Watch(sup)
		o.crash(sup, "a", actor.Reason("boom"))
		o.out("%s", o.exitOf(exited, time.Second))
	}},
	{"window_edge", func(o *otpRun) {
		mt := actor.NewManualTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		o.runtime(actor.Options{Time: mt})
		sup := o.start(supervisor.Options{MaxRestarts: 1, MaxSeconds: 1}, o.children("a")...)
		exited, _ := o.rt.Watch(sup)
		o.crash(sup, "a", actor.Reason("boom"))
		o.settle()
		mt.Advance(1100 * time.Millisecond)
		o.crash(sup, "a", actor.Reason("boom"))
		o.settle()
		o.out("a second restart 1.1 s later: %s", o.exitOf(exited, 0))
	}},
	{"window_slides", func(o *otpRun) {
		mt := actor.NewManualTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		o.runtime(actor.Options{Time: mt})
		sup := o.start(supervisor.Options{MaxRestarts: 1, MaxSeconds: 1}, o.children("a")...)
		exited, _ := o.rt.Watch(sup)
		o.crash(sup, "a", actor.Reason("boom"))
		o.settle()
		mt.Advance(2100 * time.Millisecond)
		o.crash(sup, "a", actor.Reason("boom"))
		o.settle()
		alive := "supervisor alive"
		if !o.rt.Alive(sup) {
			alive = "supervisor gave up"
		}
		o.out("a second restart 2.1 s later: %s", alive)
		o.crash(sup, "a", actor.Reason("boom"))
		o.out("a third at once: %s", o.exitOf(exited, time.Second))
	}},
	{"child_management", func(o *otpRun) {
		o.runtime(actor.Options{})
		ctx, rt := context.Background(), o.rt
		sup := o.start(supervisor.Options{}, o.children("a")...)
		restart := func() error { _, err := supervisor.RestartChild(ctx, rt, sup, "a"); return err }
		startA := func() error {
			_, err := supervisor.StartChild(ctx, rt, sup, o.child("a", supervisor.Permanent))
			return err
		}
		o.out("terminate_child nobody: %s", result(supervisor.TerminateChild(ctx, rt, sup, "nobody")))
		o.out("restart_child a (running): %s", result(restart()))
		o.out("delete_child a (running): %s", result(supervisor.DeleteChild(ctx, rt, sup, "a")))
		o.out("start_child a (running): %s", result(startA()))
		o.out("terminate_child a: %s", result(supervisor.TerminateChild(ctx, rt, sup, "a")))
		o.out("start_child a (terminated): %s", result(startA()))
		o.out("restart_child a (terminated): %s", result(restart()))
		supervisor.TerminateChild(ctx, rt, sup, "a")
		o.out("delete_child a (terminated): %s", result(supervisor.DeleteChild(ctx, rt, sup, "a")))
		o.out("delete_child a (deleted): %s", result(supervisor.DeleteChild(ctx, rt, sup, "a")))
		o.out("restart_child a (deleted): %s", result(restart()))
	}},
	{"unlinked_child", func(o *otpRun) {
		o.runtime(actor.Options{})
		sup := o.start(supervisor.Options{}, o.children("a")...)
		pid := childPID(o.t, o.rt, sup, "a")
		o.rt.Cast(pid, "unlink_from_parent")
		o.settle()
		o.rt.Exit(actor.PID{}, pid, actor.ErrKill)
		o.settle()
		n, _ := supervisor.CountChildren(context.Background(), o.rt, sup)
		o.out("specs %d active %d", n.Specs, n.Active)
	}},
	{"terminate_while_restarting", func(o *otpRun) {
		o.runtime(actor.Options{})
		var flaky atomic.Bool
		sup := o.start(supervisor.Options{MaxRestarts: 1_000_000, MaxSeconds: 1}, supervisor.ChildSpec{ID: "f",
			New: func([]any) (actor.Actor, error) {
				if flaky.Load() {
					return nil, errors.New("start_failed")
				}
				return &otpWorker{id: "f", j: o.j}, nil
			}})
		flaky.Store(true)
		o.rt.Exit(actor.PID{}, childPID(o.t, o.rt, sup, "f"), actor.ErrKill)
		waitFor(o.t, "the restart to fail", func() bool { return o.which(sup) == "f::restarting" })
		o.out("before: %s", strings.TrimPrefix(o.which(sup), "f:"))
		o.out("terminate_child: :%s", result(supervisor.TerminateChild(context.Background(), o.rt, sup, "f")))
		flaky.Store(false)
		// Nothing may start it again: wait a while for what must not happen.
		time.Sleep(50 * time.Millisecond)
		o.out("after: %s", o.which(sup))
	}},
	{"start_raises", func(o *otpRun) {
		o.runtime(actor.Options{})
		sup := o.start(supervisor.Options{})
		_, err := supervisor.StartChild(context.Background(), o.rt, sup, supervisor.ChildSpec{ID: "bad",
			New: func([]any) (actor.Actor, error) { var m map[string]int; m["missing"]++; return nil, nil }})
		alive := "dead"
		if o.rt.Alive(sup) {
			alive = "alive"
		}
		status := "ok"
		if err != nil {
			status = "error"
		}
		o.out("start_child: %s, supervisor %s", status, alive)
	}},
	{"dynamic_max_children", func(o *otpRun) {
		o.runtime(actor.Options{})
		sup, err := supervisor.StartDynamic(context.Background(), o.rt, supervisor.DynamicOptions{MaxChildren: 1})
		if err != nil {
			o.t.Fatal(err)
		}
		supervisor.StartChild(context.Background(), o.rt, sup, o.child("a", supervisor.Permanent))
		_, err = supervisor.StartChild(context.Background(), o.rt, sup, o.child("b", supervisor.Permanent))
		if errors.Is(err, supervisor.ErrMaxChildren) {
			o.out("second: {:error, :max_children}")
		} else {
			o.out("second: %v", err)
		}
	}},
	{"dead_process", func(o *otpRun) {
		rt := o.runtime(actor.Options{})
		msgs := make(chan any, 2)
		dead, _ := rt.Spawn(context.Background(), &otpWorker{id: "dead", j: o.j}, actor.SpawnOptions{})
		rt.Exit(actor.PID{}, dead, actor.ErrKill)
		o.settle()
		var linkErr error
		watcher, _ := rt.Spawn(context.Background(), &fnActor{
			init: func(p *actor.Process) error { p.TrapExit(true); return nil },
			cast: func(p *actor.Process, msg any) error {
				if msg == "monitor" {
					p.Monitor(dead)
				} else {
					linkErr = p.Link(dead)
				}
				return nil
			},
			info: func(_ *actor.Process, msg any) error { msgs <- msg; return nil },
		}, actor.SpawnOptions{})
		rt.Cast(watcher, "monitor")
		if d, ok := (<-msgs).(actor.Down); ok && d.PID == dead {
			o.out("monitor: DOWN :%s", actor.FormatReason(d.Reason))
		}
		rt.Cast(watcher, "link")
		if e, ok := (<-msgs).(actor.Exit); ok && e.From == dead && linkErr == nil {
			o.out("link while trapping: EXIT :%s", actor.FormatReason(e.Reason))
		}
	}},
	{"killed_mid_call", func(o *otpRun) {
		rt := o.runtime(actor.Options{})
		entered := make(chan struct{})
		srv, _ := rt.Spawn(context.Background(), &otpWorker{id: "srv", j: o.j, entered: entered}, actor.SpawnOptions{})
		errs := make(chan error, 1)
		go func() { _, err := rt.Call(context.Background(), srv, "slow"); errs <- err }()
		<-entered
		rt.Exit(actor.PID{}, srv, actor.ErrKill)
		var ee *actor.ExitError
		if err := <-errs; errors.As(err, &ee) {
			o.out("caller exited: :%s", actor.FormatReason(ee.Reason))
		} else {
			o.out("caller got %v", err)
		}
	}},
}

func init() {
	otpScenarios = append(otpScenarios, otpScenario{"init_fails", func(o *otpRun) {
		rt := o.runtime(actor.Options{})
		msgs := make(chan any, 2)
		results := make(chan error, 1)
		caller, _ := rt.Spawn(context.Background(), &fnActor{
			init: func(p *actor.Process) error { p.TrapExit(true); return nil },
			cast: func(p *actor.Process, _ any) error {
				_, err := p.SpawnLink(&fnActor{init: func(*actor.Process) error { return actor.Reason("boom") }}, actor.SpawnOptions{})
				results <- err
				return nil
			},
			info: func(_ *actor.Process, msg any) error { msgs <- msg; return nil },
		}, actor.SpawnOptions{})
		rt.Cast(caller, nil)
		o.out("start_link: {:error, %s}", reasonText(<-results))
		o.settle()
		select {
		case m := <-msgs:
			o.out("caller got %v", m)
		default:
			o.out("caller got nothing")
		}
	}})
}

// fnActor is an actor made of functions.
type fnActor struct {
	init func(p *actor.Process) error
	cast func(p *actor.Process, msg any) error
	info func(p *actor.Process, msg any) error
}

func (a *fnActor) Init(p *actor.Process) error                { return a.init(p) }
func (a *fnActor) HandleCast(p *actor.Process, msg any) error { return a.cast(p, msg) }
func (a *fnActor) HandleInfo(p *actor.Process, msg any) error { return a.info(p, msg) }
