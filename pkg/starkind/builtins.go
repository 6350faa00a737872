package starkind

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"go.starlark.net/starlark"
)

// builtins are what a kind's code can call besides Starlark's own. Those
// that act on a process act on the one whose callback is running.
func (k *Kind) builtins() starlark.StringDict {
	b := func(name string, fn func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error)) *starlark.Builtin {
		return starlark.NewBuiltin(name, fn)
	}
	return starlark.StringDict{
		"self":           b("self", k.self),
		"send":           b("send", k.deliver(false)),
		"cast":           b("cast", k.deliver(true)),
		"call":           b("call", k.call),
		"reply":          b("reply", k.reply),
		"send_after":     b("send_after", k.sendAfter),
		"trap_exit":      b("trap_exit", k.trapExit),
		"link":           b("link", k.link(true)),
		"unlink":         b("unlink", k.link(false)),
		"monitor":        b("monitor", k.monitor),
		"demonitor":      b("demonitor", k.demonitor),
		"exit":           b("exit", k.exit),
		"whereis":        b("whereis", k.whereis),
		"log":            b("log", k.logBuiltin),
		"now":            b("now", k.now),
		"random":         b("random", k.random),
		"spawn":          b("spawn", k.spawn),
		"register":       b("register", k.register(true)),
		"unregister":     b("unregister", k.register(false)),
		"reg_register":   b("reg_register", k.regRegister),
		"reg_unregister": b("reg_unregister", k.regUnregister),
		"reg_lookup":     b("reg_lookup", k.regLookup),
		"reg_dispatch":   b("reg_dispatch", k.regDispatch),
		"sleep":          b("sleep", k.sleep),
		"atom": b("atom", func(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var name string
			if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &name); err != nil {
				return nil, err
			}
			return atomValue(name), nil
		}),
		"continue_": b("continue_", func(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var arg starlark.Value
			if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &arg); err != nil {
				return nil, err
			}
			return continueValue{arg}, nil
		}),
	}
}

func (k *Kind) self(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	return PID{ap.Self()}, nil
}

// target is a PID, or a name the embedder resolves.
func (k *Kind) target(builtin string, v starlark.Value) (actor.PID, error) {
	switch x := v.(type) {
	case PID:
		return x.pid, nil
	case starlark.String:
		if k.opts.Resolve != nil {
			if pid, ok := k.opts.Resolve(string(x)); ok {
				return pid, nil
			}
			return actor.PID{}, fmt.Errorf("%s: no process is registered as %s", builtin, x)
		}
	}
	return actor.PID{}, fmt.Errorf("%s: want a pid (or a registered name), not %s", builtin, describe(v))
}

// term turns a value a kind sends into a Go term, refusing what cannot
// cross a mailbox.
func (k *Kind) term(builtin string, v starlark.Value) (any, error) {
	t, err := k.fromStarlark(v, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", builtin, err)
	}
	return t, nil
}

func (k *Kind) deliver(cast bool) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		ap, err := callerOf(thread, fn.Name())
		if err != nil {
			return nil, err
		}
		var to, msg starlark.Value
		if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 2, &to, &msg); err != nil {
			return nil, err
		}
		pid, err := k.target(fn.Name(), to)
		if err != nil {
			return nil, err
		}
		m, err := k.term(fn.Name(), msg)
		if err != nil {
			return nil, err
		}
		if cast {
			ap.Cast(pid, m)
		} else {
			ap.Send(pid, m)
		}
		return msg, nil
	}
}

// call(to, req, timeout=5000) calls another process and returns its
// reply; a timeout or the callee's exit is this process's crash, as in
// GenServer.call.
func (k *Kind) call(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	var to, req starlark.Value
	timeout := int64(actor.DefaultCallTimeout / time.Millisecond)
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "to", &to, "req", &req, "timeout?", &timeout); err != nil {
		return nil, err
	}
	pid, err := k.target(fn.Name(), to)
	if err != nil {
		return nil, err
	}
	r, err := k.term(fn.Name(), req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(timeout)*time.Millisecond)
	defer cancel()
	reply, err := ap.Call(ctx, pid, r)
	if err != nil {
		return nil, fmt.Errorf("call %v: %v", pid, err)
	}
	return k.toStarlark(reply)
}

func (k *Kind) reply(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	var frm, v starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 2, &frm, &v); err != nil {
		return nil, err
	}
	f, ok := frm.(fromValue)
	if !ok {
		return nil, fmt.Errorf("reply: want the frm handle_call was given, not %s", describe(frm))
	}
	t, err := k.term(fn.Name(), v)
	if err != nil {
		return nil, err
	}
	ap.Reply(f.from, t)
	return starlark.None, nil
}

// sendAfter(to, msg, ms) sends msg to to after ms milliseconds of the
// runtime's time, like Process.send_after/3.
func (k *Kind) sendAfter(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	var to, msg starlark.Value
	var ms int64
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 3, &to, &msg, &ms); err != nil {
		return nil, err
	}
	if ms < 0 {
		return nil, fmt.Errorf("send_after: %d ms is negative", ms)
	}
	pid, err := k.target(fn.Name(), to)
	if err != nil {
		return nil, err
	}
	m, err := k.term(fn.Name(), msg)
	if err != nil {
		return nil, err
	}
	ap.Runtime().SendAfter(pid, m, time.Duration(ms)*time.Millisecond)
	return starlark.None, nil
}

func (k *Kind) trapExit(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	on := true
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0, &on); err != nil {
		return nil, err
	}
	return starlark.Bool(ap.TrapExit(on)), nil
}

func (k *Kind) link(on bool) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		ap, err := callerOf(thread, fn.Name())
		if err != nil {
			return nil, err
		}
		var to starlark.Value
		if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &to); err != nil {
			return nil, err
		}
		pid, err := k.target(fn.Name(), to)
		if err != nil {
			return nil, err
		}
		if !on {
			ap.Unlink(pid)
			return starlark.None, nil
		}
		if err := ap.Link(pid); err != nil {
			return nil, fmt.Errorf("link: %v", err)
		}
		return starlark.None, nil
	}
}

func (k *Kind) monitor(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	var to starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &to); err != nil {
		return nil, err
	}
	pid, err := k.target(fn.Name(), to)
	if err != nil {
		return nil, err
	}
	return Ref{ap.Monitor(pid)}, nil
}

func (k *Kind) demonitor(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	var ref Ref
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &ref); err != nil {
		return nil, err
	}
	return starlark.Bool(ap.Demonitor(ref.ref)), nil
}

// exit(to, reason) sends an exit signal, like Process.exit/2.
func (k *Kind) exit(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	var to, reason starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 2, &to, &reason); err != nil {
		return nil, err
	}
	pid, err := k.target(fn.Name(), to)
	if err != nil {
		return nil, err
	}
	p := &process{kind: k}
	ap.Runtime().Exit(ap.Self(), pid, p.reason(reason))
	return starlark.None, nil
}

func (k *Kind) whereis(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &name); err != nil {
		return nil, err
	}
	if k.opts.Resolve != nil {
		if pid, ok := k.opts.Resolve(name); ok {
			return PID{pid}, nil
		}
	}
	return starlark.None, nil
}

// log(...) prints its arguments, as print does, for the process.
func (k *Kind) logBuiltin(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	if len(kwargs) > 0 {
		return nil, fmt.Errorf("log: takes no keyword arguments")
	}
	parts := make([]string, len(args))
	for i, a := range args {
		if s, ok := starlark.AsString(a); ok {
			parts[i] = s
		} else {
			parts[i] = a.String()
		}
	}
	k.log(ap, strings.Join(parts, " "))
	return starlark.None, nil
}

// now() is the runtime's time in milliseconds (virtual under a virtual
// clock): the only clock a kind can read.
func (k *Kind) now(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	return starlark.MakeInt64(ap.Runtime().Now().UnixMilli()), nil
}

// sleep(ms) blocks the callback, as :timer.sleep/1 does; a kill ends it
// at once.
func (k *Kind) sleep(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	var ms int64
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &ms); err != nil {
		return nil, err
	}
	if ms < 0 {
		return nil, fmt.Errorf("sleep: %d ms is negative", ms)
	}
	up := make(chan struct{})
	defer ap.Runtime().Hooks().AfterFunc(time.Duration(ms)*time.Millisecond, func() { close(up) })()
	select {
	case <-up:
	case <-ap.Done():
		return nil, fmt.Errorf("killed")
	}
	return starlark.None, nil
}

// random() is a float in [0, 1) from the process's own generator, seeded
// with Options.Seed and the process's PID: the same run draws the same.
func (k *Kind) random(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	p := thread.Local(procKey).(*process)
	if p.rng == nil {
		p.rng = rand.New(rand.NewPCG(k.opts.Seed, uint64(ap.Self().ID())))
	}
	return starlark.Float(p.rng.Float64()), nil
}

// spawn(kind, *args, name="", sup="") starts a process of any kind the
// embedder knows, and returns its PID.
func (k *Kind) spawn(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	if k.opts.Spawn == nil {
		return nil, errors.New("spawn: not available here")
	}
	if len(args) == 0 {
		return nil, errors.New("spawn: want a kind, as spawn(\"stack\", 1, 2, name=\"s\")")
	}
	kind, ok := starlark.AsString(args[0])
	if !ok {
		return nil, fmt.Errorf("spawn: the kind is a string, not %s", describe(args[0]))
	}
	var name, sup string
	if err := starlark.UnpackArgs(fn.Name(), nil, kwargs, "name?", &name, "sup?", &sup); err != nil {
		return nil, err
	}
	terms := make([]any, len(args)-1)
	for i, a := range args[1:] {
		if terms[i], err = k.term(fn.Name(), a); err != nil {
			return nil, err
		}
	}
	pid, err := k.opts.Spawn(ap, kind, terms, name, sup)
	if err != nil {
		return nil, fmt.Errorf("spawn %s: %v", kind, err)
	}
	return PID{pid}, nil
}

func (k *Kind) register(on bool) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		ap, err := callerOf(thread, fn.Name())
		if err != nil {
			return nil, err
		}
		var name string
		if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &name); err != nil {
			return nil, err
		}
		f := k.opts.Register
		if !on {
			f = k.opts.Unregister
		}
		if f == nil {
			return nil, fmt.Errorf("%s: not available here", fn.Name())
		}
		if err := f(ap, name); err != nil {
			return nil, fmt.Errorf("%s %s: %v", fn.Name(), name, err)
		}
		return starlark.None, nil
	}
}

func (k *Kind) registries(builtin string) (Registries, error) {
	if k.opts.Registries == nil {
		return nil, fmt.Errorf("%s: not available here", builtin)
	}
	return k.opts.Registries, nil
}

// reg_register(reg, key, value=None) registers the calling process under
// key in the registry reg, like Registry.register/3.
func (k *Kind) regRegister(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	var reg, key string
	var value starlark.Value = starlark.None
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "reg", &reg, "key", &key, "value?", &value); err != nil {
		return nil, err
	}
	r, err := k.registries(fn.Name())
	if err != nil {
		return nil, err
	}
	v, err := k.term(fn.Name(), value)
	if err != nil {
		return nil, err
	}
	if err := r.Register(ap, reg, key, v); err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	return starlark.None, nil
}

func (k *Kind) regUnregister(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	var reg, key string
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 2, &reg, &key); err != nil {
		return nil, err
	}
	r, err := k.registries(fn.Name())
	if err != nil {
		return nil, err
	}
	if err := r.Unregister(ap, reg, key); err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	return starlark.None, nil
}

// lookup is reg_lookup's and reg_dispatch's: the processes under key.
func (k *Kind) lookup(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, extra ...any) ([]actor.PID, []any, error) {
	var reg, key string
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 2+len(extra), append([]any{&reg, &key}, extra...)...); err != nil {
		return nil, nil, err
	}
	r, err := k.registries(fn.Name())
	if err != nil {
		return nil, nil, err
	}
	pids, values, err := r.Lookup(reg, key)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	return pids, values, nil
}

// reg_lookup(reg, key) is a list of (pid, value), like Registry.lookup/2.
func (k *Kind) regLookup(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	pids, values, err := k.lookup(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	out := make([]starlark.Value, len(pids))
	for i, pid := range pids {
		v, err := k.toStarlark(values[i])
		if err != nil {
			return nil, err
		}
		out[i] = starlark.Tuple{PID{pid}, v}
	}
	return starlark.NewList(out), nil
}

// reg_dispatch(reg, key, msg) sends msg to every process under key, like
// Registry.dispatch/3 with send/2, and returns how many it reached.
func (k *Kind) regDispatch(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ap, err := callerOf(thread, fn.Name())
	if err != nil {
		return nil, err
	}
	var msg starlark.Value
	pids, _, err := k.lookup(fn, args, kwargs, &msg)
	if err != nil {
		return nil, err
	}
	m, err := k.term(fn.Name(), msg)
	if err != nil {
		return nil, err
	}
	for _, pid := range pids {
		ap.Send(pid, m)
	}
	return starlark.MakeInt(len(pids)), nil
}
