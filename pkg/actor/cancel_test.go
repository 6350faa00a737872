package actor_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// TestBlockingCallsHonourCtx: every call of the runtime that waits stops
// waiting when its ctx ends, with an error that matches the ctx's (a
// deadline: context.DeadlineExceeded; a cancel: context.Canceled), after
// exactly as long as the ctx allowed. The process they wait on is busy in
// a callback throughout.
func TestBlockingCallsHonourCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		release := make(chan struct{})
		defer close(release)
		busy := spawn(t, rt, &fn{
			init: func(p *actor.Process) error { p.TrapExit(true); return nil },
			cast: func(*actor.Process, any) error { <-release; return nil },
		})
		rt.Cast(busy, "block")
		names := newNames(rt)
		if err := names.RegisterName("busy", busy); err != nil {
			t.Fatal(err)
		}
		calls := []struct {
			name string
			call func(ctx context.Context) error
		}{
			{"Call", func(ctx context.Context) error { _, err := rt.Call(ctx, busy, 1); return err }},
			{"CallName", func(ctx context.Context) error { _, err := rt.CallName(ctx, actor.Via(names, "busy"), 1); return err }},
			{"CallAs", func(ctx context.Context) error { _, err := actor.CallAs[int](ctx, rt, busy, 1); return err }},
			{"CallInfinity", func(ctx context.Context) error { _, err := rt.Hooks().CallInfinity(ctx, busy, 1); return err }},
			{"State", func(ctx context.Context) error { _, err := rt.State(ctx, busy); return err }},
			{"Stop", func(ctx context.Context) error { return rt.Stop(ctx, busy, actor.ErrNormal) }},
			{"Wait", func(ctx context.Context) error { _, err := rt.Wait(ctx, busy); return err }},
			{"Quiesce", func(ctx context.Context) error { return rt.Quiesce(ctx) }},
			{"Process.Call", func(ctx context.Context) error {
				errs := make(chan error, 1)
				caller := spawn(t, rt, &fn{cast: func(p *actor.Process, _ any) error {
					_, err := p.Call(ctx, busy, 1)
					errs <- err
					return nil
				}})
				rt.Cast(caller, nil)
				return <-errs
			}},
		}
		for _, c := range calls {
			for _, cancel := range []bool{false, true} {
				var ctx context.Context
				var stop context.CancelFunc
				want := context.DeadlineExceeded
				if cancel {
					ctx, stop = context.WithCancel(context.Background())
					time.AfterFunc(30*time.Millisecond, stop)
					want = context.Canceled
				} else {
					ctx, stop = context.WithTimeout(context.Background(), 30*time.Millisecond)
				}
				start := time.Now()
				err := c.call(ctx)
				stop()
				if !errors.Is(err, want) {
					t.Errorf("%s with a ctx that ends: %v; want %v", c.name, err, want)
				}
				if d := time.Since(start); d != 30*time.Millisecond {
					t.Errorf("%s returned after %v; want 30ms, when its ctx ended", c.name, d)
				}
			}
		}
		// Spawn looks at ctx before it starts anything.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := rt.Spawn(ctx, &fn{}, actor.SpawnOptions{}); !errors.Is(err, context.Canceled) {
			t.Errorf("Spawn with a cancelled ctx: %v; want context.Canceled", err)
		}
	})
}
