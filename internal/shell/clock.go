package shell

// This file holds the session's clock, real or virtual, and the clock
// command: under virtual time, sleep and clock advance move the time at
// once, so "four kills within five seconds" is exact and takes no wall
// time.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/spf13/cobra"
)

// clock is the session's TimeSource: the system clock, or a ManualTime
// that moves only when the shell moves it. The runtime, its timers,
// callback timeouts and the supervisors' restart windows all read it.
type clock struct {
	mu      sync.Mutex
	virtual *actor.ManualTime // nil: real time
	origin  time.Time         // where virtual time began
}

// virtualEpoch is where --clock virtual starts the time: the same every
// run, so transcripts are too.
var virtualEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// startVirtual makes time virtual from at.
func (c *clock) startVirtual(at time.Time) {
	c.virtual, c.origin = actor.NewManualTime(at), at
}

func (c *clock) source() actor.TimeSource {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.virtual != nil {
		return c.virtual
	}
	return actor.SystemTime{}
}

func (c *clock) Now() time.Time { return c.source().Now() }

func (c *clock) AfterFunc(d time.Duration, f func()) func() bool {
	return c.source().AfterFunc(d, f)
}

// manual is the virtual clock, or nil under real time.
func (c *clock) manual() *actor.ManualTime {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.virtual
}

// errRealTime is clock advance under real time.
var errRealTime = errors.New("time is real: clock virtual makes it virtual first")

// advance moves virtual time d forward, timer by timer, letting the
// runtime settle after each so that what a timer causes happens before
// the next timer, as it would in real time.
func (s *Session) advance(ctx context.Context, d time.Duration) error {
	m := s.clock.manual()
	if m == nil {
		return errRealTime
	}
	until := m.Now().Add(d)
	s.rec.addNow(entry{typ: entryClock, at: m.Now(), text: "advance", d: d})
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		next, ok := m.Next()
		if !ok || next.After(until) {
			break
		}
		m.Advance(max(0, next.Sub(m.Now())))
		s.settle(ctx)
		s.out.flush(false)
	}
	m.Advance(max(0, until.Sub(m.Now())))
	s.settle(ctx)
	return nil
}

func newCmdClock(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "virtual|real|advance none"},
		Use:         "clock [virtual|real|advance D]",
		Short:       "show the session's clock, or make it virtual (sleep then takes no time) or real again",
		Long: "Under virtual time the runtime's clock moves only when the shell moves it: sleep D and clock\n" +
			"advance D move it D at once, firing the timers, callback timeouts and restart windows that fall\n" +
			"due, in order. So a script that kills a child four times within five seconds is exact, and\n" +
			"instant. --clock virtual starts the time at 2000-01-01 (the same every run); clock virtual starts\n" +
			"it from the real time now, and timers set under real time keep running on that. clock shows the\n" +
			"time since virtual time began.\n" +
			"clock real is refused while timers wait on the virtual clock (advance past them first).\n" +
			"A call's --timeout is on the virtual clock too, and while the shell waits for a reply and\n" +
			"nothing in the runtime can move on by itself (the callee sleeps on a virtual timer), the time\n" +
			"moves on to the next timer, so a call to a process that sleeps 5 s replies at once.",
		Example: "clock\nclock virtual; spawn ticker 1s --name t; clock advance 3s\nclock virtual; clock real",
		Args:    rangeArgs(0, 2, "virtual, real, or advance D"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				m := s.clock.manual()
				if m == nil {
					s.result("clock", "real: "+time.Now().UTC().Format(time.RFC3339Nano), map[string]any{"clock": "real", "now": time.Now().UTC().Format(time.RFC3339Nano)})
					return nil
				}
				now := m.Now()
				s.clock.mu.Lock()
				elapsed := now.Sub(s.clock.origin)
				s.clock.mu.Unlock()
				s.result("clock", fmt.Sprintf("virtual: +%v since it began (%d timer%s waiting)", elapsed, m.Pending(), plural(m.Pending())),
					map[string]any{"clock": "virtual", "now": now.UTC().Format(time.RFC3339Nano), "elapsed": elapsed.String(), "timers": m.Pending()})
				return nil
			}
			switch args[0] {
			case "virtual":
				if len(args) != 1 {
					return errors.New("clock virtual takes nothing more")
				}
				s.clock.mu.Lock()
				if s.clock.virtual == nil {
					s.clock.startVirtual(time.Now()) // on from the real time, so restart windows stay whole
				}
				s.clock.mu.Unlock()
				s.rec.addNow(entry{typ: entryClock, at: s.clock.Now(), text: "virtual"})
				s.result("clock", "virtual: time moves only with sleep and clock advance", map[string]any{"clock": "virtual"})
			case "real":
				if len(args) != 1 {
					return errors.New("clock real takes nothing more")
				}
				s.clock.mu.Lock()
				m := s.clock.virtual
				if m != nil && m.Pending() > 0 {
					s.clock.mu.Unlock()
					verb := "wait"
					if m.Pending() == 1 {
						verb = "waits"
					}
					return fmt.Errorf("%d timer%s %s on the virtual clock: clock advance past them first, or they would never fire", m.Pending(), plural(m.Pending()), verb)
				}
				s.clock.virtual = nil
				s.clock.mu.Unlock()
				s.rec.addNow(entry{typ: entryClock, at: s.clock.Now(), text: "real"})
				s.result("clock", "real", map[string]any{"clock": "real"})
			case "advance":
				if len(args) != 2 {
					return errors.New("want clock advance D, e.g. clock advance 5s")
				}
				d, err := parseDuration(args[1])
				if err != nil {
					return err
				}
				if err := s.advance(cmd.Context(), d); err != nil {
					return err
				}
				s.result("clock", "", map[string]any{"clock": "virtual", "advanced": d.String()})
			default:
				return badChoice("", args[0], []string{"virtual", "real", "advance"})
			}
			return nil
		},
	}
}

// errVirtualTimeout ends a call whose timeout passed on the virtual clock.
var errVirtualTimeout = errors.New("virtual timeout")

// idlePoll is how often a call waiting under virtual time looks whether
// the runtime can still move on by itself.
const idlePoll = 2 * time.Millisecond

// callVirtual calls pid under virtual time, the timeout a timer on the
// virtual clock. With moveTime (a call the shell waits for) the time moves
// while the runtime is blocked (see waitVirtual): a call to a process that
// sleeps 5 s replies at once, 5 virtual seconds later, and one to a
// process that never replies times out at once, at its timeout. Without
// (call --async) the time is left to sleep, clock advance and await.
func (s *Session) callVirtual(ctx context.Context, m *actor.ManualTime, pid actor.PID, msg any, timeout time.Duration, moveTime bool) (any, error) {
	req, err := s.runtime().SendRequest(pid, msg)
	if err != nil {
		return nil, err
	}
	if !moveTime {
		return waitOnClock(ctx, m, req, timeout)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var reply any
	done := make(chan struct{})
	go func() {
		defer close(done)
		reply, err = req.Wait(ctx)
	}()
	if werr := s.waitVirtual(ctx, m, timeout, done, req.Answered); werr != nil {
		cancel(werr)
		<-done
		if errors.Is(werr, errVirtualTimeout) && err != nil {
			return nil, actor.ErrTimeout
		}
		if err != nil {
			return nil, werr
		}
	}
	return reply, err
}

// waitOnClock waits for req's reply, at most timeout on the virtual
// clock m (on none when m is nil: then ctx says how long), and moves no
// time itself.
func waitOnClock(ctx context.Context, m *actor.ManualTime, req *actor.Request, timeout time.Duration) (any, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if m != nil && timeout != infinity {
		defer m.AfterFunc(timeout, func() { cancel(errVirtualTimeout) })()
	}
	reply, err := req.Wait(ctx)
	if err != nil && errors.Is(context.Cause(ctx), errVirtualTimeout) {
		return nil, actor.ErrTimeout
	}
	return reply, err
}

// waitVirtual waits for done under virtual time, at most timeout on the
// virtual clock. While it waits and nothing in the runtime can move on by
// itself (every goroutine that owns a process is blocked inside a
// callback, as a sleeper waiting on a virtual timer is), the time moves to
// the next timer, as testing/synctest moves a bubble's clock when all its
// goroutines are blocked; the timeout is one of those timers. answered
// reports that what done waits for has happened and done is about to
// close: the time must not move then. It returns errVirtualTimeout when
// the timeout passed first, ctx's error when ctx (Ctrl-C) ended the wait.
func (s *Session) waitVirtual(ctx context.Context, m *actor.ManualTime, timeout time.Duration, done <-chan struct{}, answered func() bool) error {
	expired := make(chan struct{})
	if timeout != infinity {
		defer m.AfterFunc(timeout, func() { close(expired) })()
	}
	rt := s.runtime()
	tick := time.NewTicker(idlePoll)
	defer tick.Stop()
	last := map[actor.PID]uint64{}
	for {
		select {
		case <-done:
			return nil
		case <-expired:
			return errVirtualTimeout
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		// Blocked: the goroutines that own processes are all inside the
		// same callbacks as at the last look (their handled counts have
		// not moved).
		now := map[actor.PID]uint64{}
		rt.Hooks().Running(func(pid actor.PID, handled uint64) { now[pid] = handled })
		blocked := int64(len(now)+rt.Hooks().Zombies()) >= rt.Hooks().Active()
		for pid, h := range now {
			if was, ok := last[pid]; !ok || was != h {
				blocked = false
			}
		}
		last = now
		if !blocked || answered() {
			continue
		}
		if next, ok := m.Next(); ok {
			d := max(0, next.Sub(m.Now()))
			s.rec.addNow(entry{typ: entryClock, at: m.Now(), text: "advance", d: d})
			m.Advance(d)
			last = map[actor.PID]uint64{} // look again before moving on
		}
	}
}

// callContext is the context of a call with a timeout: on the real clock
// a deadline, under virtual time none (callVirtual keeps the timeout on
// the virtual clock).
func (s *Session) callContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if s.clock.manual() != nil || timeout == infinity {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, timeout)
}
