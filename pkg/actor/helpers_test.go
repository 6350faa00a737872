package actor_test

import (
	"context"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fn is an actor made of optional functions, so each test states only the
// behaviour it needs.
type fn struct {
	init func(p *actor.Process) error
	call func(p *actor.Process, from actor.From, req any) (any, error)
	cast func(p *actor.Process, msg any) error
	info func(p *actor.Process, msg any) error
	cont func(p *actor.Process, arg any) error
	term func(p *actor.Process, reason error)
}

func (a *fn) Init(p *actor.Process) error {
	if a.init != nil {
		return a.init(p)
	}
	return nil
}

func (a *fn) HandleCall(p *actor.Process, from actor.From, req any) (any, error) {
	if a.call != nil {
		return a.call(p, from, req)
	}
	return req, nil
}

func (a *fn) HandleCast(p *actor.Process, msg any) error {
	if a.cast != nil {
		return a.cast(p, msg)
	}
	return nil
}

func (a *fn) HandleInfo(p *actor.Process, msg any) error {
	if a.info != nil {
		return a.info(p, msg)
	}
	return nil
}

func (a *fn) HandleContinue(p *actor.Process, arg any) error {
	if a.cont != nil {
		return a.cont(p, arg)
	}
	return nil
}

func (a *fn) Terminate(p *actor.Process, reason error) {
	if a.term != nil {
		a.term(p, reason)
	}
}

// inbox returns an actor that forwards every info message to ch.
func inbox(ch chan<- any) *fn {
	return &fn{info: func(_ *actor.Process, msg any) error { ch <- msg; return nil }}
}

// trapper is an inbox that traps exits.
func trapper(ch chan<- any) *fn {
	a := inbox(ch)
	a.init = func(p *actor.Process) error { p.TrapExit(true); return nil }
	return a
}

func newRuntime(t testing.TB) *actor.Runtime {
	t.Helper()
	rt := actor.NewRuntime(actor.Options{})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := rt.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return rt
}

func spawn(t *testing.T, rt *actor.Runtime, a actor.Actor) actor.PID {
	t.Helper()
	pid, err := rt.Spawn(context.Background(), a, actor.SpawnOptions{})
	if err != nil {
		t.Fatalf("Spawn: %v", err)
	}
	return pid
}

// watch returns a channel that receives pid's exit reason: a monitor held
// by a helper process, set up before the caller goes on.
func watch(t *testing.T, rt *actor.Runtime, pid actor.PID) <-chan error {
	t.Helper()
	ch := make(chan any, 1)
	w := spawn(t, rt, inbox(ch))
	rt.Monitor(w, pid)
	out := make(chan error, 1)
	ctx := t.Context()
	go func() {
		select {
		case m := <-ch:
			out <- m.(actor.Down).Reason
			rt.Exit(actor.PID{}, w, actor.ErrKill)
		case <-ctx.Done():
		}
	}()
	return out
}

func reasonOf(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("process did not exit within 10s")
		return nil
	}
}

func recv(t *testing.T, ch <-chan any) any {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
		return nil
	}
}

func quiesce(t *testing.T, rt *actor.Runtime) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rt.Quiesce(ctx); err != nil {
		t.Fatalf("Quiesce: %v", err)
	}
}
