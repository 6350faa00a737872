package actor_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

func TestSendAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		ch := make(chan any, 4)
		pid := spawn(t, rt, inbox(ch))
		start := time.Now()
		rt.SendAfter(pid, "tick", 3*time.Second)
		cancelled := rt.SendAfter(pid, "never", time.Second)
		if !cancelled.Stop() {
			t.Fatal("Stop of a pending timer = false")
		}
		if cancelled.Stop() {
			t.Error("second Stop = true; want false")
		}
		if m := <-ch; m != "tick" || time.Since(start) != 3*time.Second {
			t.Errorf("got %v after %v; want tick after 3s", m, time.Since(start))
		}
		synctest.Wait()
		if len(ch) != 0 {
			t.Errorf("cancelled timer delivered %v", <-ch)
		}
	})
}

func TestCallbackTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		fired := make(chan time.Time, 4)
		pid := spawn(t, rt, &fn{
			init: func(p *actor.Process) error { p.SetTimeout(time.Second); return nil },
			cast: func(p *actor.Process, msg any) error {
				p.SetTimeout(2 * time.Second)
				return nil
			},
			info: func(p *actor.Process, msg any) error {
				if _, ok := msg.(actor.Timeout); ok {
					fired <- time.Now()
				}
				return nil
			},
		})
		start := time.Now()
		// The timeout from Init fires after 1s of silence.
		if at := <-fired; at.Sub(start) != time.Second {
			t.Errorf("Init timeout fired after %v; want 1s", at.Sub(start))
		}
		// A cast re-arms it for 2s; a message before then cancels it.
		rt.Cast(pid, "arm")
		time.Sleep(1500 * time.Millisecond)
		rt.Send(pid, "interrupt") // no new timeout asked for: none fires
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if len(fired) != 0 {
			t.Errorf("timeout fired after a message arrived: %v", <-fired)
		}
		rt.Cast(pid, "arm")
		synctest.Wait()
		before := time.Now()
		if at := <-fired; at.Sub(before) != 2*time.Second {
			t.Errorf("re-armed timeout fired after %v; want 2s", at.Sub(before))
		}
	})
}
