package supervisor_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// blockingInit holds its Init until released.
type blockingInit struct{ release chan struct{} }

func (b *blockingInit) Init(*actor.Process) error { <-b.release; return nil }

// TestRequestsHonourTheirCtx: every supervisor request stops waiting when
// its ctx ends, with an error matching the ctx's, while the supervisor is
// busy starting a child whose Init blocks (as OTP's supervisor is, inside
// start_child).
func TestRequestsHonourTheirCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		ctx := context.Background()
		release := make(chan struct{})
		defer close(release)
		sup, err := supervisor.Start(ctx, rt, supervisor.Options{}, supervisor.ChildSpec{ID: "w", New: newActor(idler{})})
		if err != nil {
			t.Fatal(err)
		}
		w := childPID(t, rt, sup, "w")
		go supervisor.StartChild(ctx, rt, sup, supervisor.ChildSpec{ID: "blocked", New: newActor(&blockingInit{release})})
		synctest.Wait() // the supervisor is inside the blocked child's Init
		spec := supervisor.ChildSpec{ID: "x", New: newActor(idler{})}
		requests := []struct {
			name string
			call func(ctx context.Context) error
		}{
			{"StartChild", func(ctx context.Context) error { _, err := supervisor.StartChild(ctx, rt, sup, spec); return err }},
			{"TerminateChild", func(ctx context.Context) error { return supervisor.TerminateChild(ctx, rt, sup, "w") }},
			{"TerminateChildPID", func(ctx context.Context) error { return supervisor.TerminateChildPID(ctx, rt, sup, w) }},
			{"RestartChild", func(ctx context.Context) error { _, err := supervisor.RestartChild(ctx, rt, sup, "w"); return err }},
			{"DeleteChild", func(ctx context.Context) error { return supervisor.DeleteChild(ctx, rt, sup, "w") }},
			{"WhichChildren", func(ctx context.Context) error { _, err := supervisor.WhichChildren(ctx, rt, sup); return err }},
			{"Child", func(ctx context.Context) error { _, err := supervisor.Child(ctx, rt, sup, w); return err }},
			{"ChildrenPage", func(ctx context.Context) error {
				_, err := supervisor.ChildrenPage(ctx, rt, sup, actor.PID{}, 10)
				return err
			}},
			{"CountChildren", func(ctx context.Context) error { _, err := supervisor.CountChildren(ctx, rt, sup); return err }},
			{"Describe", func(ctx context.Context) error { _, err := supervisor.Describe(ctx, rt, sup); return err }},
		}
		for _, r := range requests {
			for _, cancel := range []bool{false, true} {
				var rctx context.Context
				var stop context.CancelFunc
				want := context.DeadlineExceeded
				if cancel {
					rctx, stop = context.WithCancel(ctx)
					time.AfterFunc(20*time.Millisecond, stop)
					want = context.Canceled
				} else {
					rctx, stop = context.WithTimeout(ctx, 20*time.Millisecond)
				}
				start := time.Now()
				err := r.call(rctx)
				stop()
				if !errors.Is(err, want) || time.Since(start) != 20*time.Millisecond {
					t.Errorf("%s = %v after %v; want %v after 20ms", r.name, err, time.Since(start), want)
				}
			}
		}
	})
}
