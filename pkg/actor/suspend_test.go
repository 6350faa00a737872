package actor_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// logger records the casts it handles, in order, as its state.
type logger struct {
	mu  sync.Mutex
	got []any
}

func (l *logger) Init(*actor.Process) error { return nil }
func (l *logger) HandleCast(_ *actor.Process, msg any) error {
	l.mu.Lock()
	l.got = append(l.got, msg)
	l.mu.Unlock()
	return nil
}
func (l *logger) HandleCall(_ *actor.Process, _ actor.From, req any) (any, error) { return req, nil }
func (l *logger) State() any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.got)
}

// A suspended process answers State and Stop, holds everything else in
// order until Resume, and dies of a kill as ever: :sys.suspend/resume.
func TestSuspendResume(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	l := &logger{}
	pid := spawn(t, rt, l)
	rt.Cast(pid, 1)
	if err := rt.Suspend(ctx, pid); err != nil {
		t.Fatal(err)
	}
	if !rt.Suspended(pid) {
		t.Fatal("Suspended is false after Suspend")
	}
	rt.Cast(pid, 2)
	rt.Cast(pid, 3)
	quiesce(t, rt) // a suspended process is idle: Quiesce does not wait for it
	st, err := rt.State(ctx, pid)
	if err != nil {
		t.Fatalf("State of a suspended process: %v", err)
	}
	if !slices.Equal(st.([]any), []any{1}) {
		t.Fatalf("suspended, it handled %v; want only the cast sent before Suspend", st)
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := rt.Call(cctx, pid, "hello"); !errors.Is(err, actor.ErrTimeout) {
		t.Fatalf("a call to a suspended process: %v; want a timeout", err)
	}
	if in, err := rt.Info(pid); err != nil || in.MessageQueueLen != 3 {
		t.Fatalf("mailbox while suspended: %d (%v); want the 2 casts and the call", in.MessageQueueLen, err)
	}
	if !rt.Resume(pid) {
		t.Fatal("Resume reported false")
	}
	if rt.Resume(pid) {
		t.Fatal("a second Resume reported true")
	}
	quiesce(t, rt)
	st, _ = rt.State(ctx, pid)
	if !slices.Equal(st.([]any), []any{1, 2, 3}) {
		t.Fatalf("after Resume it handled %v; want 1, 2, 3 in order", st)
	}

	// Stop and kill still end a suspended process.
	if err := rt.Suspend(ctx, pid); err != nil {
		t.Fatal(err)
	}
	if err := rt.Stop(ctx, pid, actor.ErrShutdown); err != nil {
		t.Fatalf("Stop of a suspended process: %v", err)
	}
	other := spawn(t, rt, &logger{})
	if err := rt.Suspend(ctx, other); err != nil {
		t.Fatal(err)
	}
	done := watch(t, rt, other)
	rt.Exit(actor.PID{}, other, actor.ErrKill)
	if r := reasonOf(t, done); !errors.Is(r, actor.ErrKilled) {
		t.Fatalf("killed while suspended: %v", r)
	}
	if err := rt.Suspend(ctx, other); !errors.Is(err, actor.ErrNoProc) {
		t.Fatalf("Suspend of a dead process: %v", err)
	}
}

// Suspend in the middle of a batch: the messages taken with it wait.
func TestSuspendInBatch(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	block, busy := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var got []any
	pid := spawn(t, rt, &fn{cast: func(_ *actor.Process, msg any) error {
		if msg == "block" {
			close(busy)
			<-block
		}
		mu.Lock()
		got = append(got, msg)
		mu.Unlock()
		return nil
	}})
	handled := func() []any { mu.Lock(); defer mu.Unlock(); return slices.Clone(got) }
	rt.Cast(pid, "block") // busy: what follows is queued, and taken as one batch
	<-busy
	rt.Cast(pid, 1)
	errc := make(chan error, 1)
	go func() { errc <- rt.Suspend(ctx, pid) }()
	for {
		if in, _ := rt.Info(pid); in.MessageQueueLen == 2 {
			break // the cast and the suspend request are queued
		}
		time.Sleep(time.Millisecond)
	}
	for i := 2; i <= 100; i++ {
		rt.Cast(pid, i)
	}
	close(block)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	quiesce(t, rt)
	if h := handled(); !slices.Equal(h, []any{"block", 1}) {
		t.Fatalf("suspended, it handled %v; want block, 1", h)
	}
	rt.Resume(pid)
	quiesce(t, rt)
	if h := handled(); len(h) != 101 || h[100] != 100 {
		t.Fatalf("after Resume it has handled %d of 101, last %v", len(h), h[len(h)-1])
	}
}
