// Package starkind turns a Starlark module into a kind of process: an
// actor.Actor factory whose callbacks are the module's functions, found by
// name as Elixir finds a GenServer's (init, handle_call, handle_cast,
// handle_info, handle_continue, terminate), with OTP's return values:
//
//	"""Counts; call get | {add, N}; cast inc."""
//	RESTART = "permanent"
//
//	def init(start = 0):
//	    return ("ok", start)
//
//	def handle_call(req, frm, n):
//	    if req == "get":
//	        return ("reply", n, n)
//	    return ("reply", ("error", "unknown"), n)
//
//	def handle_cast(msg, n):
//	    return ("noreply", n + 1)
//
// State and messages are frozen: a callback returns the new state rather
// than changing the old, and mutating it fails with the file and line.
// Each callback runs under a step limit; going past it, a Starlark error
// or a return value of the wrong shape ends the process with the reason
// {starlark, "file:line: message"}, for its supervisor to handle as any
// crash.
//
// This is not a sandbox against memory exhaustion: go.starlark.net has no
// memory limit, and a kind can allocate as much as it likes. It has no
// file, network, environment or wall-clock access; now() reads the
// runtime's clock.
//
// This package is the only importer of go.starlark.net in actorsh.
package starkind

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/actorsh/actorsh/pkg/actor"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// DefaultMaxSteps is how many Starlark steps one callback may take when
// Options.MaxSteps is zero.
const DefaultMaxSteps = 1_000_000

// Options configures the kinds Load makes.
type Options struct {
	// MaxSteps bounds each callback (DefaultMaxSteps if zero).
	MaxSteps uint64
	// Terms maps the embedder's terms (DefaultTerms if nil).
	Terms Terms
	// Log prints what log() and print() say, for the process p.
	// Nothing is printed if it is nil.
	Log func(p *actor.Process, text string)
	// Resolve turns a name given where a PID is wanted (send("c1", x))
	// into a PID; without it only PIDs are accepted.
	Resolve func(name string) (actor.PID, bool)
	// Spawn starts a process for spawn(kind, *args, name=, sup=): a kind
	// the embedder knows (Starlark or not), named name if it is not
	// empty, under the supervisor sup ("" for the embedder's default).
	// Without it spawn is not available.
	Spawn func(p *actor.Process, kind string, args []any, name, sup string) (actor.PID, error)
	// Register and Unregister name the calling process, for register(name)
	// and unregister(name); without them those are not available.
	Register   func(p *actor.Process, name string) error
	Unregister func(p *actor.Process, name string) error
	// Registries give reg_register(reg, key, value=None),
	// reg_unregister(reg, key), reg_lookup(reg, key) (a list of (pid,
	// value)) and reg_dispatch(reg, key, msg) (send to every process under
	// key; it returns how many) on the embedder's registries; without it
	// those are not available.
	Registries Registries
	// Seed seeds random(): each process draws from its own generator,
	// seeded with Seed and its PID, so a run repeats.
	Seed uint64
}

// Registries are the embedder's registries, by name, as a kind sees them.
type Registries interface {
	Register(p *actor.Process, reg, key string, value any) error
	Unregister(p *actor.Process, reg, key string) error
	// Lookup returns the processes under key, with their values, in PID order.
	Lookup(reg, key string) ([]actor.PID, []any, error)
}

// Kind is a loaded Starlark module: a kind of process.
type Kind struct {
	Name    string // the process kind (Behaviour), from the file name or Load's name
	Doc     string // the module's docstring, its first line describes the kind
	Restart string // its RESTART constant, or "" if it has none
	File    string
	Source  []byte // the module as loaded

	// Version counts the loads of this kind's name: 1 for the first
	// (Reload gives the next).
	Version int

	opts    Options
	globals starlark.StringDict
	fns     map[string]*starlark.Function

	// next is the version Reload made, which processes of this one move to
	// at their next callback if upgrade is set.
	next    atomic.Pointer[Kind]
	upgrade atomic.Bool

	mu    sync.Mutex
	procs map[actor.PID]struct{} // processes started on this version (some may be gone)
}

// fileOptions are the dialect: while loops and recursion (processes loop
// by design; the step limit bounds them), if/for at top level, no global
// reassignment.
var fileOptions = &syntax.FileOptions{While: true, Recursion: true, TopLevelControl: true, Set: true}

// callbacks are the functions Load looks for, with how many parameters
// each takes (init takes the spawn arguments).
var callbacks = map[string]int{
	"init": -1, "handle_call": 3, "handle_cast": 2, "handle_info": 2,
	"handle_continue": 2, "terminate": 2, "code_change": 3,
}

// Load runs a module's top level once and returns the kind it defines.
// src is the source (a string or []byte), or nil to read filename. name is
// the kind's name; "" takes the file name without its extension.
func Load(name, filename string, src any, opts Options) (*Kind, error) {
	if opts.MaxSteps == 0 {
		opts.MaxSteps = DefaultMaxSteps
	}
	if opts.Terms == nil {
		opts.Terms = DefaultTerms
	}
	if name == "" {
		base := filename[strings.LastIndexAny(filename, `/\`)+1:]
		name = strings.TrimSuffix(base, ".star")
	}
	if src == nil {
		b, err := os.ReadFile(filename)
		if err != nil {
			return nil, err
		}
		src = b
	}
	var source []byte
	switch x := src.(type) {
	case string:
		source = []byte(x)
	case []byte:
		source = x
	}
	f, err := fileOptions.Parse(filename, src, 0)
	if err != nil {
		return nil, err
	}
	k := &Kind{Name: name, File: filename, Source: source, opts: opts, fns: map[string]*starlark.Function{}, Version: 1, procs: map[actor.PID]struct{}{}}
	k.Doc = docstring(f)
	thread := &starlark.Thread{Name: "load " + filename, Load: noLoad}
	thread.SetMaxExecutionSteps(opts.MaxSteps)
	globals, err := starlark.ExecFileOptions(fileOptions, thread, filename, src, k.builtins())
	if err != nil {
		return nil, loadError(err)
	}
	globals.Freeze()
	k.globals = globals
	if r, ok := globals["RESTART"]; ok {
		s, ok := starlark.AsString(r)
		if !ok || s != "permanent" && s != "transient" && s != "temporary" {
			return nil, fmt.Errorf("%s: RESTART must be \"permanent\", \"transient\" or \"temporary\", not %s", filename, r)
		}
		k.Restart = s
	}
	for cb, arity := range callbacks {
		v, ok := globals[cb]
		if !ok {
			continue
		}
		fn, ok := v.(*starlark.Function)
		if !ok {
			return nil, fmt.Errorf("%s: %s must be a function, not a %s", filename, cb, v.Type())
		}
		if arity >= 0 && fn.NumParams() != arity {
			return nil, fmt.Errorf("%s: %s takes %d parameters, not %d", filename, cb, arity, fn.NumParams())
		}
		k.fns[cb] = fn
	}
	if k.fns["init"] == nil {
		return nil, fmt.Errorf("%s: a kind needs an init function: def init(): return (\"ok\", state)", filename)
	}
	return k, nil
}

// noLoad refuses load(): a kind is one file.
func noLoad(*starlark.Thread, string) (starlark.StringDict, error) {
	return nil, errors.New("load is not available in a kind: a kind is one file")
}

func loadError(err error) error {
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		return errors.New(ee.Backtrace())
	}
	return err
}

// docstring is the module's first statement if it is a string.
func docstring(f *syntax.File) string {
	if len(f.Stmts) == 0 {
		return ""
	}
	if e, ok := f.Stmts[0].(*syntax.ExprStmt); ok {
		if lit, ok := e.X.(*syntax.Literal); ok && lit.Token == syntax.STRING {
			if s, ok := lit.Value.(string); ok {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}

// Summary is the first line of the docstring.
func (k *Kind) Summary() string {
	line, _, _ := strings.Cut(k.Doc, "\n")
	return line
}

// Arity is how many arguments init takes: at least min, at most max (-1
// for no limit, with *args).
func (k *Kind) Arity() (min, max int) {
	fn := k.fns["init"]
	n := fn.NumParams()
	max = n
	if fn.HasVarargs() {
		n-- // *args and **kwargs are counted among the parameters
		max = -1
	}
	if fn.HasKwargs() {
		n--
		if max >= 0 {
			max--
		}
	}
	for min < n && fn.ParamDefault(min) == nil {
		min++
	}
	if max > n {
		max = n
	}
	return min, max
}

// Params are the names of init's parameters, for a usage line: optional
// ones in brackets, *args as NAME....
func (k *Kind) Params() []string {
	fn := k.fns["init"]
	n := fn.NumParams()
	if fn.HasKwargs() {
		n--
	}
	var out []string
	for i := 0; i < n; i++ {
		name, _ := fn.Param(i)
		name = strings.ToUpper(name)
		switch {
		case fn.HasVarargs() && i == n-1:
			out = append(out, "["+name+"...]")
		case fn.ParamDefault(i) != nil:
			out = append(out, "["+name+"]")
		default:
			out = append(out, name)
		}
	}
	return out
}

// Reload loads a new version of the kind from filename ("" for its own
// file) or src (nil: read the file), for new processes. With upgrade, processes of this version move to the
// new one at their next callback, after the new code's code_change(old_vsn,
// state, extra) if it has one, as a release upgrade does. Without it they
// keep running this version's code.
func (k *Kind) Reload(filename string, src any, upgrade bool) (*Kind, error) {
	if filename == "" {
		filename = k.File
	}
	next, err := Load(k.Name, filename, src, k.opts)
	if err != nil {
		return nil, err
	}
	next.Version = k.Version + 1
	k.upgrade.Store(upgrade)
	k.next.Store(next)
	return next, nil
}

// Live returns the processes running this version's code now, in PID
// order.
func (k *Kind) Live(rt *actor.Runtime) []actor.PID {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []actor.PID
	for pid := range k.procs {
		if rt.Alive(pid) {
			out = append(out, pid)
		} else {
			delete(k.procs, pid)
		}
	}
	slices.SortFunc(out, func(a, b actor.PID) int { return cmp.Compare(a.ID(), b.ID()) })
	return out
}

func (k *Kind) track(pid actor.PID, on bool) {
	k.mu.Lock()
	if on {
		k.procs[pid] = struct{}{}
	} else {
		delete(k.procs, pid)
	}
	k.mu.Unlock()
}

// New returns a process of this kind, to be given to Spawn, with the
// arguments init is called with.
func (k *Kind) New(args []any) actor.Actor {
	return &process{name: k.Name, kind: k, args: args}
}
