package shell

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/starkind"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// kind is a built-in process type the spawn command can start.
type kind struct {
	name    string
	args    string // usage of the arguments
	summary string
	detail  string
	restart supervisor.Restart
	min     int // arguments
	max     int
	// defaultName names the process when --name is not given ("" for none).
	defaultName func(args []string) string
	make        func(s *Session, args []string) (actor.Actor, error)
	star        *starkind.Kind // a kind loaded from Starlark (nil: built in)
	starOld     *starkind.Kind // its previous version, still running in processes not upgraded
	// starCur is the version make starts: a reload changes it while
	// supervisors may be restarting processes of the kind.
	starCur *atomic.Pointer[starkind.Kind]
}

func builtinKinds() []*kind {
	return []*kind{
		{
			name: "greeter", args: "NAME", min: 1, max: 1, restart: supervisor.Transient,
			summary: "the seed's Greeter: greets NAME from its continue step and stops with reason normal",
			detail: "Init returns {:continue, nil}; HandleContinue prints 👋 NAME and returns {:stop, :normal}.\n" +
				"Transient by default, so it is not restarted; named greeter_for_NAME unless --name says otherwise.",
			defaultName: func(a []string) string { return "greeter_for_" + a[0] },
			make:        func(s *Session, a []string) (actor.Actor, error) { return &greeter{s: s, person: a[0]}, nil },
		},
		{
			name: "counter", args: "[START]", min: 0, max: 1,
			summary: "keeps a number: call get | inc | {add, N} | reset; cast inc | {add, N} | reset",
			detail:  "call replies with the new value; cast changes it silently. state shows it.",
			make: func(s *Session, a []string) (actor.Actor, error) {
				c := &counter{}
				if len(a) == 1 {
					n, err := strconv.ParseInt(a[0], 10, 64)
					if err != nil {
						return nil, fmt.Errorf("START must be an integer, not %q", a[0])
					}
					c.n = n
				}
				return c, nil
			},
		},
		{
			name: "echo", min: 0, max: 0,
			summary: "replies to a call with the message; prints what it is sent or cast",
			detail:  "Also prints EXIT messages when it traps exits (see trap).",
			make:    func(s *Session, _ []string) (actor.Actor, error) { return &echo{s: s}, nil },
		},
		{
			name: "crasher", args: "[AFTER]", min: 0, max: 1,
			summary: "crashes on demand: send/cast/call crash or {crash, REASON}; or by itself AFTER a duration",
			detail: "Without a reason it crashes with boom. With AFTER (e.g. 2s) it crashes that long after each start,\n" +
				"for ever: give it a supervisor of its own (sup start lab; spawn crasher 2s --sup lab) to watch\n" +
				"lab reach its intensity, rather than spend root's budget.",
			make: func(s *Session, a []string) (actor.Actor, error) {
				d, err := durationArg(a, 0)
				if err == nil && d > 0 && d < minInterval {
					err = fmt.Errorf("AFTER must be at least %v (or left out)", minInterval)
				}
				return &crasher{s: s, after: d}, err
			},
		},
		{
			name: "ticker", args: "[INTERVAL]", min: 0, max: 1,
			summary: "prints tick N every INTERVAL (default 1s)",
			detail:  "Ticks come from SendAfter timers; state shows the count.",
			make: func(s *Session, a []string) (actor.Actor, error) {
				d, err := durationArg(a, time.Second)
				if err == nil && d < minInterval {
					err = fmt.Errorf("INTERVAL must be at least %v", minInterval)
				}
				return &ticker{s: s, every: d}, err
			},
		},
		{
			name: "sleeper", args: "[DURATION]", min: 0, max: 1,
			summary: "answers each call after DURATION (default 1s): for call timeouts",
			detail:  "While it sleeps it handles nothing else; kill still ends it at once.",
			make: func(s *Session, a []string) (actor.Actor, error) {
				d, err := durationArg(a, time.Second)
				return &sleeper{d: d}, err
			},
		},
	}
}

// minInterval is the shortest interval a ticker or crasher takes: a
// shorter one would print faster than anyone can read (a 1 ns ticker made
// a million lines a second).
const minInterval = time.Millisecond

// durationArg is a kind's optional duration argument, or def without one.
func durationArg(args []string, def time.Duration) (time.Duration, error) {
	if len(args) == 0 {
		return def, nil
	}
	return parseDuration(args[0])
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (examples: 500ms, 2s, 1m)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %s is negative", s)
	}
	return d, nil
}

type greeter struct {
	s      *Session
	person string
}

func (g *greeter) Behaviour() string { return "greeter" }
func (g *greeter) Init(p *actor.Process) error {
	p.Continue(nil)
	return nil
}
func (g *greeter) HandleContinue(p *actor.Process, _ any) error {
	g.s.say(p, "👋 "+g.person)
	return actor.ErrNormal
}
func (g *greeter) State() any { return g.person }

type counter struct{ n int64 }

func (c *counter) Behaviour() string         { return "counter" }
func (c *counter) Init(*actor.Process) error { return nil }
func (c *counter) State() any                { return c.n }

// errOverflow is a counter's answer to a sum past 64 bits, where an
// Erlang integer would grow.
var errOverflow = errors.New("overflow: a counter holds a 64-bit integer (Erlang's integers have no limit); it is unchanged")

// add adds n, unless the sum would wrap.
func (c *counter) add(n int64) error {
	if n > 0 && c.n > math.MaxInt64-n || n < 0 && c.n < math.MinInt64-n {
		return errOverflow
	}
	c.n += n
	return nil
}

func (c *counter) apply(msg any) (bool, error) {
	switch m := msg.(type) {
	case Atom:
		switch m {
		case "inc":
			return true, c.add(1)
		case "reset":
			c.n = 0
			return true, nil
		case "get":
			return true, nil
		}
	case Tuple:
		if len(m) == 2 && m[0] == Atom("add") {
			if n, ok := m[1].(int64); ok {
				return true, c.add(n)
			}
		}
	}
	return false, nil
}
func (c *counter) HandleCall(_ *actor.Process, _ actor.From, req any) (any, error) {
	ok, err := c.apply(req)
	if !ok {
		return Tuple{Atom("error"), Tuple{Atom("unknown_request"), req}}, nil
	}
	if err != nil {
		return nil, actor.ReplyError(err) // the caller gets the error; the counter goes on
	}
	return c.n, nil
}
func (c *counter) HandleCast(_ *actor.Process, msg any) error {
	c.apply(msg)
	return nil
}

type echo struct{ s *Session }

func (e *echo) Behaviour() string         { return "echo" }
func (e *echo) State() any                { return Atom("nil") }
func (e *echo) Init(*actor.Process) error { return nil }
func (e *echo) HandleCall(_ *actor.Process, _ actor.From, req any) (any, error) {
	return req, nil
}
func (e *echo) HandleCast(p *actor.Process, msg any) error {
	e.s.say(p, "cast "+FormatTerm(msg))
	return nil
}
func (e *echo) HandleInfo(p *actor.Process, msg any) error {
	switch m := msg.(type) {
	case actor.Exit:
		e.s.say(p, fmt.Sprintf("got {'EXIT', %v, %s}", m.From, actor.FormatReason(m.Reason)))
	case actor.Down:
		// The shell narrates every DOWN already.
	default:
		e.s.say(p, "got "+FormatTerm(msg))
	}
	return nil
}

type crasher struct {
	s     *Session
	after time.Duration
}

type crashNow struct{}

func (c *crasher) Behaviour() string { return "crasher" }

// State is when it crashes by itself: {after_ms, N}, or never.
func (c *crasher) State() any {
	if c.after <= 0 {
		return Tuple{Atom("after"), Atom("never")}
	}
	return Tuple{Atom("after_ms"), c.after.Milliseconds()}
}
func (c *crasher) Init(p *actor.Process) error {
	if c.after > 0 {
		p.Runtime().SendAfter(p.Self(), crashNow{}, c.after)
	}
	return nil
}
func (c *crasher) reason(msg any) error {
	switch m := msg.(type) {
	case crashNow:
		return actor.Reason("boom")
	case Atom:
		if m == "crash" {
			return actor.Reason("boom")
		}
	case Tuple:
		if len(m) == 2 && m[0] == Atom("crash") {
			return termReason(m[1])
		}
	}
	return nil
}
func (c *crasher) HandleInfo(_ *actor.Process, msg any) error { return c.reason(msg) }
func (c *crasher) HandleCast(_ *actor.Process, msg any) error { return c.reason(msg) }
func (c *crasher) HandleCall(_ *actor.Process, _ actor.From, req any) (any, error) {
	if err := c.reason(req); err != nil {
		return nil, err
	}
	return Atom("ok"), nil
}

type ticker struct {
	s     *Session
	every time.Duration
	ticks int64
}

type tick struct{}

func (t *ticker) Behaviour() string { return "ticker" }
func (t *ticker) State() any        { return t.ticks }
func (t *ticker) Init(p *actor.Process) error {
	p.Runtime().SendAfter(p.Self(), tick{}, t.every)
	return nil
}
func (t *ticker) HandleInfo(p *actor.Process, msg any) error {
	if _, ok := msg.(tick); ok {
		t.ticks++
		t.s.say(p, fmt.Sprintf("tick %d", t.ticks))
		p.Runtime().SendAfter(p.Self(), tick{}, t.every)
	}
	return nil
}

type sleeper struct{ d time.Duration }

func (s *sleeper) Behaviour() string         { return "sleeper" }
func (s *sleeper) State() any                { return Tuple{Atom("sleep_ms"), s.d.Milliseconds()} }
func (s *sleeper) Init(*actor.Process) error { return nil }
func (s *sleeper) HandleCall(p *actor.Process, _ actor.From, req any) (any, error) {
	up := make(chan struct{})
	defer p.Runtime().Hooks().AfterFunc(s.d, func() { close(up) })() // the runtime's clock: virtual time too
	select {
	case <-up:
	case <-p.Done():
	}
	return req, nil
}

// termReason turns a term into an exit reason: the standard atoms map to
// the runtime's reasons, {shutdown, X} to actor.Shutdown, anything else to
// a reason that prints as the term.
func termReason(t any) error {
	switch v := t.(type) {
	case Atom:
		switch v {
		case "normal":
			return actor.ErrNormal
		case "shutdown":
			return actor.ErrShutdown
		case "kill":
			return actor.ErrKill
		case "killed":
			return actor.ErrKilled
		}
		return actor.Reason(FormatTerm(v))
	case Tuple:
		if len(v) == 2 && v[0] == Atom("shutdown") {
			return actor.Shutdown(FormatTerm(v[1]))
		}
	}
	return actor.Reason(FormatTerm(t))
}
