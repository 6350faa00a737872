package actor_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// The run loop takes a busy mailbox in batches. These tests hold a process
// in its first message while more queue up, so that the rest is taken as
// one batch, and check that the batch changes nothing a process can see.

// held spawns a process whose HandleCast runs h, except that message 0
// waits for the returned release function; it casts 0 and waits until the
// process holds it.
func held(t *testing.T, rt *actor.Runtime, a *fn) (actor.PID, func()) {
	t.Helper()
	gate, in := make(chan struct{}), make(chan struct{})
	h := a.cast
	a.cast = func(p *actor.Process, msg any) error {
		if msg == 0 {
			close(in)
			<-gate
		}
		if h != nil {
			return h(p, msg)
		}
		return nil
	}
	pid := spawn(t, rt, a)
	rt.Cast(pid, 0)
	<-in
	return pid, sync.OnceFunc(func() { close(gate) })
}

func TestBatchExitJumpsTheQueue(t *testing.T) {
	rt := newRuntime(t)
	var mu sync.Mutex
	var got []any
	at5, killed := make(chan struct{}), make(chan struct{})
	pid, release := held(t, rt, &fn{cast: func(_ *actor.Process, msg any) error {
		mu.Lock()
		got = append(got, msg)
		mu.Unlock()
		if msg == 5 {
			close(at5)
			<-killed
		}
		return nil
	}})
	down := watch(t, rt, pid)
	for i := 1; i <= 100; i++ {
		rt.Cast(pid, i)
	}
	release()
	<-at5
	rt.Exit(actor.PID{}, pid, actor.Reason("boom"))
	close(killed)
	if r := reasonOf(t, down); !errors.Is(r, actor.Reason("boom")) {
		t.Fatalf("exit reason %v; want boom", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []any{0, 1, 2, 3, 4, 5}; !slices.Equal(got, want) {
		t.Fatalf("handled %v; want %v (the exit signal must not wait behind the batch)", got, want)
	}
}

func TestBatchContinueComesBeforeTheNextMessage(t *testing.T) {
	rt := newRuntime(t)
	var got []string
	pid, release := held(t, rt, &fn{
		cast: func(p *actor.Process, msg any) error {
			got = append(got, fmt.Sprint(msg))
			if msg == 3 {
				p.Continue("c")
			}
			return nil
		},
		cont: func(_ *actor.Process, arg any) error {
			got = append(got, fmt.Sprint(arg))
			return nil
		},
	})
	for i := 1; i <= 6; i++ {
		rt.Cast(pid, i)
	}
	release()
	quiesce(t, rt)
	if want := []string{"0", "1", "2", "3", "c", "4", "5", "6"}; !slices.Equal(got, want) {
		t.Fatalf("order %v; want %v", got, want)
	}
}

func TestBatchTimeoutCancelledByTheNextMessage(t *testing.T) {
	// A timeout asked for by message 3 is cancelled by message 4, queued
	// behind it in the same batch; one asked for by the last message fires.
	for _, tc := range []struct {
		setAt int
		want  []int
	}{{3, nil}, {6, []int{6}}} {
		t.Run(fmt.Sprint(tc.setAt), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := newRuntime(t)
				var mu sync.Mutex
				var timeouts []int
				last := 0
				pid, release := held(t, rt, &fn{
					cast: func(p *actor.Process, msg any) error {
						mu.Lock()
						last = msg.(int)
						mu.Unlock()
						if msg == tc.setAt {
							p.SetTimeout(time.Millisecond)
						}
						return nil
					},
					info: func(_ *actor.Process, msg any) error {
						if _, ok := msg.(actor.Timeout); ok {
							mu.Lock()
							timeouts = append(timeouts, last)
							mu.Unlock()
						}
						return nil
					},
				})
				for i := 1; i <= 6; i++ {
					rt.Cast(pid, i)
				}
				release()
				time.Sleep(time.Second)
				synctest.Wait()
				mu.Lock()
				defer mu.Unlock()
				if !slices.Equal(timeouts, tc.want) {
					t.Fatalf("timeouts after messages %v; want %v", timeouts, tc.want)
				}
			})
		})
	}
}

func TestBatchInfoCountsWhatIsLeft(t *testing.T) {
	rt := newRuntime(t)
	at2, go2 := make(chan struct{}), make(chan struct{})
	pid, release := held(t, rt, &fn{cast: func(_ *actor.Process, msg any) error {
		if msg == 2 {
			close(at2)
			<-go2
		}
		return nil
	}})
	for i := 1; i <= 10; i++ {
		rt.Cast(pid, i)
	}
	in, err := rt.Info(pid)
	if err != nil || in.MessageQueueLen != 10 || in.MessagesHandled != 1 {
		t.Fatalf("before the batch: %d queued, %d handled, %v; want 10, 1", in.MessageQueueLen, in.MessagesHandled, err)
	}
	release()
	<-at2
	in, err = rt.Info(pid)
	if err != nil || in.MessageQueueLen != 8 || in.MessagesHandled != 3 {
		t.Fatalf("in message 2 of the batch: %d queued, %d handled, %v; want 8, 3", in.MessageQueueLen, in.MessagesHandled, err)
	}
	close(go2)
	quiesce(t, rt)
	if in, _ = rt.Info(pid); in.MessageQueueLen != 0 || in.MessagesHandled != 11 {
		t.Fatalf("after: %d queued, %d handled; want 0, 11", in.MessageQueueLen, in.MessagesHandled)
	}
}

func TestBatchCallsBehindACrashFail(t *testing.T) {
	rt := newRuntime(t)
	pid, release := held(t, rt, &fn{cast: func(_ *actor.Process, msg any) error {
		if msg == 1 {
			return actor.Reason("crash")
		}
		return nil
	}})
	rt.Cast(pid, 1)
	const callers = 5
	errs := make(chan error, callers)
	for range callers {
		go func() {
			_, err := rt.Call(context.Background(), pid, "hello")
			errs <- err
		}()
	}
	for {
		in, err := rt.Info(pid)
		if err != nil {
			t.Fatal(err)
		}
		if in.MessageQueueLen == 1+callers {
			break
		}
		time.Sleep(time.Millisecond)
	}
	release()
	for range callers {
		var ee *actor.ExitError
		if err := <-errs; !errors.As(err, &ee) || !errors.Is(ee.Reason, actor.Reason("crash")) {
			t.Fatalf("call queued behind the crash: %v; want an exit error with reason crash", err)
		}
	}
}
