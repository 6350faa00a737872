package starkind

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"go.starlark.net/starlark"
)

// process is one process of a Starlark kind: the kind's frozen module and
// this process's state, a frozen Starlark value.
type process struct {
	name  string // the kind's, the same in every version: Behaviour reads it from other goroutines
	kind  *Kind
	args  []any
	state starlark.Value
	rng   *rand.Rand // random()'s, made when first used
}

// threadKey is the thread-local that holds the calling process.
const threadKey = "starkind.process"

// procKey is the thread-local that holds the *process, for random().
const procKey = "starkind.state"

// DeepStack asks the runtime for warm workers: the Starlark interpreter
// runs deep, and a fresh goroutine's stack would grow on every callback.
func (p *process) DeepStack() {}

// Behaviour is the kind's name, as ls and info show it.
func (p *process) Behaviour() string { return p.name }

// State is the process's state as a term, like :sys.get_state/1.
func (p *process) State() any {
	if p.state == nil {
		return nil
	}
	v, err := p.kind.fromStarlark(p.state, true)
	if err != nil {
		return p.state.String()
	}
	return v
}

// maybeUpgrade moves the process to its kind's next version, if a reload
// asked for it: the new code's code_change(old_vsn, state, extra) turns the
// state, as in a release upgrade.
func (p *process) maybeUpgrade(ap *actor.Process) error {
	for {
		next := p.kind.next.Load()
		if next == nil || !p.kind.upgrade.Load() {
			return nil
		}
		old := p.kind
		p.kind = next
		old.track(ap.Self(), false)
		next.track(ap.Self(), true)
		if next.fns["code_change"] != nil {
			res, err := p.run(ap, "code_change", starlark.MakeInt(old.Version), p.state, starlark.None)
			if err != nil {
				return err
			}
			tag, rest := tagged(res)
			if tag != "ok" || len(rest) != 1 {
				return next.crash(&returnError{next.Name, "code_change", `("ok", state)`, res})
			}
			rest[0].Freeze()
			p.state = rest[0]
		}
		next.log(ap, fmt.Sprintf("upgraded from version %d to %d", old.Version, next.Version))
	}
}

// run calls a callback on a pooled thread, bounded by the step limit,
// with the process available to the builtins. A Starlark error becomes
// the exit reason {starlark, "file:line: message"}.
func (p *process) run(ap *actor.Process, name string, args ...starlark.Value) (starlark.Value, error) {
	r := runners.Get().(*runner)
	r.start(p, ap)
	v, err := starlark.Call(&r.thread, p.kind.fns[name], args, nil)
	tooMany := r.thread.ExecutionSteps() >= p.kind.opts.MaxSteps
	r.done()
	if err != nil {
		if tooMany {
			// Where a loop was cut short says little; the callback and the
			// limit say what happened.
			return nil, &Error{Message: fmt.Sprintf("%s: %s took more than %d steps (the limit of one callback)",
				p.kind.File, name, p.kind.opts.MaxSteps), terms: p.kind.opts.Terms}
		}
		return nil, p.kind.crash(err)
	}
	return v, nil
}

// runner is a Starlark thread and what its hooks need, pooled: a callback
// costs no allocation for them.
type runner struct {
	thread starlark.Thread
	p      *process
	ap     *actor.Process
	limit  uint64
}

var runners = sync.Pool{New: func() any {
	r := &runner{}
	r.thread.Load = noLoad
	r.thread.Print = r.print
	r.thread.OnMaxSteps = r.onMaxSteps
	return r
}}

func (r *runner) start(p *process, ap *actor.Process) {
	r.p, r.ap, r.limit = p, ap, p.kind.opts.MaxSteps
	r.thread.Name = p.kind.Name
	r.thread.Steps = 0
	r.thread.Uncancel()
	r.thread.SetLocal(threadKey, ap)
	r.thread.SetLocal(procKey, p)
	// The steps are counted out a chunk at a time: between chunks, a
	// process that was killed meanwhile stops at once (the runtime has
	// already ended it; only this goroutine was left inside the callback).
	r.thread.SetMaxExecutionSteps(min(r.limit, killCheckSteps))
}

func (r *runner) done() {
	r.p, r.ap = nil, nil
	r.thread.SetLocal(threadKey, nil)
	r.thread.SetLocal(procKey, nil)
	runners.Put(r)
}

func (r *runner) print(_ *starlark.Thread, msg string) { r.p.kind.log(r.ap, msg) }

func (r *runner) onMaxSteps(th *starlark.Thread) {
	steps := th.ExecutionSteps()
	switch {
	case steps >= r.limit:
		th.Cancel("too many steps")
	case killed(r.ap):
		th.Cancel("killed")
	default:
		th.SetMaxExecutionSteps(min(r.limit, steps+killCheckSteps))
	}
}

// killCheckSteps is how many steps a callback runs between looks at
// whether its process was killed.
const killCheckSteps = 10_000

// killed reports whether the process has exited (a kill ends it at once,
// even inside a callback).
func killed(ap *actor.Process) bool {
	select {
	case <-ap.Done():
		return true
	default:
		return false
	}
}

// Error is how a Starlark kind's process crashes: the reason is
// {starlark, Message}, and Backtrace has the Starlark call stack.
type Error struct {
	Message   string // "file:line:col: message" at the innermost Starlark frame
	Backtrace string
	terms     Terms
}

func (e *Error) Error() string {
	return fmt.Sprintf("{starlark, %q}", e.Message)
}

// Term is the reason as a term of the embedder's: {starlark, Message}.
func (e *Error) Term() any {
	return e.terms.Tuple([]any{e.terms.Atom("starlark"), e.Message})
}

func (k *Kind) crash(err error) error {
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		msg := ee.Msg
		if n := len(ee.CallStack); n > 0 {
			// The innermost frame in the kind's file names where it went wrong.
			for i := n - 1; i >= 0; i-- {
				if pos := ee.CallStack[i].Pos; pos.Filename() == k.File {
					msg = fmt.Sprintf("%s:%d: %s", pos.Filename(), pos.Line, ee.Msg)
					break
				}
			}
		}
		return &Error{Message: msg, Backtrace: ee.Backtrace(), terms: k.opts.Terms}
	}
	var re *returnError
	if errors.As(err, &re) {
		return &Error{Message: re.Error(), terms: k.opts.Terms}
	}
	return err
}

// returnError is a callback's return value of the wrong shape.
type returnError struct {
	kind, callback, want string
	got                  starlark.Value
}

func (e *returnError) Error() string {
	return fmt.Sprintf("%s: %s returned %s; want %s", e.kind, e.callback, describe(e.got), e.want)
}

func (k *Kind) log(ap *actor.Process, text string) {
	if k.opts.Log != nil {
		k.opts.Log(ap, text)
	}
}

// Init calls init(*args): ("ok", state), ("ok", state, continue_(x) or a
// timeout in ms), "ignore" or ("stop", reason).
func (p *process) Init(ap *actor.Process) error {
	err := p.init(ap)
	if err == nil {
		p.kind.track(ap.Self(), true)
	}
	return err
}

func (p *process) init(ap *actor.Process) error {
	args := make(starlark.Tuple, len(p.args))
	for i, a := range p.args {
		v, err := p.kind.toStarlark(a)
		if err != nil {
			return err
		}
		args[i] = v
	}
	res, err := p.run(ap, "init", args...)
	if err != nil {
		return err
	}
	if s, ok := starlark.AsString(res); ok && s == "ignore" {
		return actor.ErrIgnore
	}
	tag, rest := tagged(res)
	switch {
	case tag == "ok" && (len(rest) == 1 || len(rest) == 2):
		return p.settle(ap, rest[0], rest[1:], "init")
	case tag == "stop" && len(rest) == 1:
		return p.reason(rest[0])
	}
	return p.kind.crash(&returnError{p.kind.Name, "init", `("ok", state), ("ok", state, continue_(x) or timeout), "ignore" or ("stop", reason)`, res})
}

// settle takes a callback's new state and what may follow it: a
// continue_(x), or a timeout in milliseconds (or "hibernate", ignored).
func (p *process) settle(ap *actor.Process, state starlark.Value, extra []starlark.Value, callback string) error {
	state.Freeze()
	p.state = state
	if len(extra) == 0 {
		return nil
	}
	switch x := extra[0].(type) {
	case continueValue:
		ap.Continue(x.arg)
		return nil
	case starlark.Int:
		if ms, ok := x.Int64(); ok && ms >= 0 {
			d := time.Duration(ms) * time.Millisecond
			if d == 0 {
				d = time.Nanosecond // 0 times out at once unless a message is waiting, as in OTP
			}
			ap.SetTimeout(d)
			return nil
		}
	case starlark.String:
		if x == "hibernate" {
			return nil
		}
	}
	return p.kind.crash(&returnError{p.kind.Name, callback, "continue_(x), a timeout in ms or \"hibernate\" after the state", extra[0]})
}

// reason is an exit reason from a Starlark value.
func (p *process) reason(v starlark.Value) error {
	t, err := p.kind.fromStarlark(v, true)
	if err != nil {
		return err
	}
	if s, ok := t.(string); ok { // ("stop", "normal") means the atom
		t = p.kind.opts.Terms.Atom(s)
	}
	return p.kind.opts.Terms.Reason(t)
}

// tagged splits ("tag", a, b) into "tag" and [a, b].
func tagged(v starlark.Value) (string, []starlark.Value) {
	t, ok := v.(starlark.Tuple)
	if !ok || len(t) == 0 {
		return "", nil
	}
	tag, ok := starlark.AsString(t[0])
	if !ok {
		return "", nil
	}
	return tag, t[1:]
}

// HandleCall calls handle_call(req, frm, state): ("reply", r, state[,
// extra]), ("noreply", state[, extra]) (reply later with reply(frm, r)),
// ("stop", reason, state) or ("stop", reason, r, state).
func (p *process) HandleCall(ap *actor.Process, from actor.From, req any) (any, error) {
	if err := p.maybeUpgrade(ap); err != nil {
		return nil, err
	}
	if p.kind.fns["handle_call"] == nil {
		return nil, p.undef("handle_call")
	}
	r, err := p.kind.toStarlark(req)
	if err != nil {
		return nil, err
	}
	res, err := p.run(ap, "handle_call", r, fromValue{from}, p.state)
	if err != nil {
		return nil, err
	}
	tag, rest := tagged(res)
	switch {
	case tag == "reply" && (len(rest) == 2 || len(rest) == 3):
		reply, err := p.kind.fromStarlark(rest[0], false)
		if err != nil {
			return nil, p.kind.crash(fmt.Errorf("%s: handle_call's reply %w", p.kind.Name, err))
		}
		return reply, p.settle(ap, rest[1], rest[2:], "handle_call")
	case tag == "noreply" && (len(rest) == 1 || len(rest) == 2):
		return actor.NoReply, p.settle(ap, rest[0], rest[1:], "handle_call")
	case tag == "stop" && len(rest) == 2:
		p.state = rest[1]
		return nil, p.reason(rest[0])
	case tag == "stop" && len(rest) == 3:
		reply, err := p.kind.fromStarlark(rest[1], false)
		if err != nil {
			return nil, p.kind.crash(fmt.Errorf("%s: handle_call's reply %w", p.kind.Name, err))
		}
		p.state = rest[2]
		return reply, actor.ReplyAndStop(p.reason(rest[0]))
	}
	return nil, p.kind.crash(&returnError{p.kind.Name, "handle_call", `("reply", r, state), ("noreply", state) or ("stop", reason[, r], state)`, res})
}

// noreply handles the return of handle_cast, handle_info and
// handle_continue: ("noreply", state[, extra]) or ("stop", reason, state).
func (p *process) noreply(ap *actor.Process, callback string, msg any) error {
	if err := p.maybeUpgrade(ap); err != nil {
		return err
	}
	m, err := p.kind.toStarlark(msg)
	if err != nil {
		return err
	}
	res, err := p.run(ap, callback, m, p.state)
	if err != nil {
		return err
	}
	tag, rest := tagged(res)
	switch {
	case tag == "noreply" && (len(rest) == 1 || len(rest) == 2):
		return p.settle(ap, rest[0], rest[1:], callback)
	case tag == "stop" && len(rest) == 2:
		p.state = rest[1]
		return p.reason(rest[0])
	}
	return p.kind.crash(&returnError{p.kind.Name, callback, `("noreply", state) or ("stop", reason, state)`, res})
}

// HandleCast calls handle_cast(msg, state); without one a cast ends the
// process, as GenServer's default does.
func (p *process) HandleCast(ap *actor.Process, msg any) error {
	if err := p.maybeUpgrade(ap); err != nil {
		return err
	}
	if p.kind.fns["handle_cast"] == nil {
		return p.undef("handle_cast")
	}
	return p.noreply(ap, "handle_cast", msg)
}

// HandleInfo calls handle_info(msg, state); without one the message is
// dropped, as GenServer's default does (it logs it).
func (p *process) HandleInfo(ap *actor.Process, msg any) error {
	if err := p.maybeUpgrade(ap); err != nil {
		return err
	}
	if p.kind.fns["handle_info"] == nil {
		return nil
	}
	return p.noreply(ap, "handle_info", msg)
}

// HandleContinue calls handle_continue(arg, state).
func (p *process) HandleContinue(ap *actor.Process, arg any) error {
	if err := p.maybeUpgrade(ap); err != nil {
		return err
	}
	if p.kind.fns["handle_continue"] == nil {
		return p.undef("handle_continue")
	}
	v, ok := arg.(starlark.Value) // continue_(x) keeps x as it was
	if !ok {
		return p.noreply(ap, "handle_continue", arg)
	}
	res, err := p.run(ap, "handle_continue", v, p.state)
	if err != nil {
		return err
	}
	tag, rest := tagged(res)
	switch {
	case tag == "noreply" && (len(rest) == 1 || len(rest) == 2):
		return p.settle(ap, rest[0], rest[1:], "handle_continue")
	case tag == "stop" && len(rest) == 2:
		p.state = rest[1]
		return p.reason(rest[0])
	}
	return p.kind.crash(&returnError{p.kind.Name, "handle_continue", `("noreply", state) or ("stop", reason, state)`, res})
}

// Terminate calls terminate(reason, state), if the kind has one.
func (p *process) Terminate(ap *actor.Process, reason error) {
	if p.kind.fns["terminate"] == nil || p.state == nil {
		return
	}
	// Its result is ignored, as OTP's is; a failure is told, as OTP's
	// error report tells it, and the exit reason stays.
	if _, err := p.run(ap, "terminate", starlark.String(actor.FormatReason(reason)), p.state); err != nil {
		p.kind.log(ap, "terminate failed: "+err.Error())
	}
}

func (p *process) undef(callback string) error {
	return fmt.Errorf("undef: %s has no %s", p.kind.Name, callback)
}

// callerOf is the process a builtin runs for.
func callerOf(thread *starlark.Thread, builtin string) (*actor.Process, error) {
	ap, _ := thread.Local(threadKey).(*actor.Process)
	if ap == nil {
		return nil, fmt.Errorf("%s: only a callback can call it, not the module's top level", builtin)
	}
	return ap, nil
}
