package starkind

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
	"go.starlark.net/starlark"
)

// Terms says how the embedder's Go values stand for Erlang terms, so that
// messages, replies and state cross between Go and Starlark: which Go
// values are atoms, tuples and lists, and how a term becomes an exit
// reason. DefaultTerms uses this package's Atom and Tuple, and []any.
// They are pkg/dist's Terms (which the wire's codec uses too), and a
// Reason.
type Terms interface {
	dist.Terms
	// Reason is the exit reason a term stands for: normal, shutdown and
	// kill as the runtime's own.
	Reason(term any) error
}

// Atom is an atom in DefaultTerms: pkg/dist's, so that a kind's terms
// cross to other nodes as they are.
type Atom = dist.Atom

// Tuple is a tuple in DefaultTerms (pkg/dist's).
type Tuple = dist.Tuple

// DefaultTerms maps atoms to Atom, tuples to Tuple and lists to []any:
// dist.DefaultTerms, with the reasons the runtime knows.
var DefaultTerms Terms = defaultTerms{dist.DefaultTerms}

type defaultTerms struct{ dist.Terms }

func (defaultTerms) Reason(term any) error {
	if a, ok := term.(Atom); ok {
		switch a {
		case "normal":
			return actor.ErrNormal
		case "shutdown":
			return actor.ErrShutdown
		case "kill":
			return actor.ErrKill
		}
		return actor.Reason(string(a))
	}
	return actor.Reason(fmt.Sprint(term))
}

// toStarlark turns a Go term into a frozen Starlark value. Atoms become
// strings (a kind compares msg == "inc" whether inc came as an atom or a
// string); PIDs, refs and froms are values of their own.
func (k *Kind) toStarlark(v any) (starlark.Value, error) {
	t := k.opts.Terms
	var out starlark.Value
	switch x := v.(type) {
	case nil:
		out = starlark.None
	case bool:
		out = starlark.Bool(x)
	case int:
		out = starlark.MakeInt(x)
	case int64:
		out = starlark.MakeInt64(x)
	case float64:
		out = starlark.Float(x)
	case string:
		out = starlark.String(x)
	case actor.PID:
		out = PID{x}
	case actor.Ref:
		out = Ref{x}
	case actor.From:
		out = fromValue{x}
	case actor.Exit:
		out = starlark.Tuple{starlark.String("EXIT"), PID{x.From}, starlark.String(actor.FormatReason(x.Reason))}
	case actor.Down:
		out = starlark.Tuple{starlark.String("DOWN"), Ref{x.Ref}, starlark.String("process"), PID{x.PID}, starlark.String(actor.FormatReason(x.Reason))}
	case actor.Timeout:
		out = starlark.String("timeout")
	case error:
		out = starlark.String(actor.FormatReason(x))
	default:
		if name, ok := t.AtomName(v); ok {
			out = starlark.String(name)
			break
		}
		if items, ok := t.TupleItems(v); ok {
			tup := make(starlark.Tuple, len(items))
			for i, it := range items {
				sv, err := k.toStarlark(it)
				if err != nil {
					return nil, err
				}
				tup[i] = sv
			}
			out = tup
			break
		}
		if items, ok := t.ListItems(v); ok {
			elems := make([]starlark.Value, len(items))
			for i, it := range items {
				sv, err := k.toStarlark(it)
				if err != nil {
					return nil, err
				}
				elems[i] = sv
			}
			out = starlark.NewList(elems)
			break
		}
		return nil, fmt.Errorf("%T is not a term a Starlark kind can take", v)
	}
	out.Freeze()
	return out, nil
}

// errNotATerm is a value that cannot cross a mailbox.
var errNotATerm = errors.New("cannot cross a mailbox")

// fromStarlark turns a Starlark value into a Go term. With lenient (for
// state shown by state), dicts, sets and functions become terms too;
// otherwise they are refused, as values that cannot cross a mailbox.
func (k *Kind) fromStarlark(v starlark.Value, lenient bool) (any, error) {
	t := k.opts.Terms
	switch x := v.(type) {
	case starlark.NoneType:
		return t.Atom("nil"), nil
	case starlark.Bool:
		if x {
			return t.Atom("true"), nil
		}
		return t.Atom("false"), nil
	case starlark.Int:
		if n, ok := x.Int64(); ok {
			return n, nil
		}
		if lenient {
			return t.Atom(x.BigInt().String()), nil
		}
		return nil, fmt.Errorf("%s is larger than 64 bits: %w", truncate(x.BigInt().String()), errNotATerm)
	case starlark.Float:
		return float64(x), nil
	case starlark.String:
		return string(x), nil
	case atomValue:
		return t.Atom(string(x)), nil
	case PID:
		return x.pid, nil
	case Ref:
		return x.ref, nil
	case fromValue: // a caller to reply to later, as OTP's From can be sent
		return x.from, nil
	case starlark.Tuple:
		items, err := k.fromSeq(x, lenient)
		if err != nil {
			return nil, err
		}
		return t.Tuple(items), nil
	case *starlark.List:
		vals := make([]starlark.Value, x.Len())
		for i := range vals {
			vals[i] = x.Index(i)
		}
		items, err := k.fromSeq(vals, lenient)
		if err != nil {
			return nil, err
		}
		return t.List(items), nil
	case *starlark.Dict:
		if !lenient {
			return nil, fmt.Errorf("a dict %w (send a list of tuples: dict.items())", errNotATerm)
		}
		// As a map prints in Erlang: pairs, here as a list of 2-tuples,
		// sorted for a stable display.
		var pairs []any
		for _, kv := range x.Items() {
			pair, err := k.fromSeq(kv, true)
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, t.Tuple(pair))
		}
		sort.SliceStable(pairs, func(i, j int) bool { return fmt.Sprint(pairs[i]) < fmt.Sprint(pairs[j]) })
		return t.Tuple([]any{t.Atom("dict"), t.List(pairs)}), nil
	}
	if lenient {
		return t.Atom(v.Type()), nil
	}
	return nil, fmt.Errorf("a %s %w", v.Type(), errNotATerm)
}

func (k *Kind) fromSeq(vals []starlark.Value, lenient bool) ([]any, error) {
	items := make([]any, len(vals))
	for i, v := range vals {
		it, err := k.fromStarlark(v, lenient)
		if err != nil {
			return nil, err
		}
		items[i] = it
	}
	return items, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:20] + "..." + s[len(s)-10:]
	}
	return s
}

// PID is a process identifier in Starlark: it prints as <0.5.0> and can
// be compared and used as a dict key.
type PID struct{ pid actor.PID }

func (p PID) String() string        { return p.pid.String() }
func (p PID) Type() string          { return "pid" }
func (p PID) Freeze()               {}
func (p PID) Truth() starlark.Bool  { return starlark.True }
func (p PID) Hash() (uint32, error) { return uint32(p.pid.ID()), nil }

// Ref is a reference in Starlark, as monitor returns it.
type Ref struct{ ref actor.Ref }

func (r Ref) String() string        { return r.ref.String() }
func (r Ref) Type() string          { return "ref" }
func (r Ref) Freeze()               {}
func (r Ref) Truth() starlark.Bool  { return starlark.True }
func (r Ref) Hash() (uint32, error) { return starlark.String(r.ref.String()).Hash() }

// atomValue is an atom made with atom("x"): a string on the Starlark
// side that leaves as an atom (plain strings leave as strings).
type atomValue string

func (a atomValue) String() string        { return string(a) }
func (a atomValue) Type() string          { return "atom" }
func (a atomValue) Freeze()               {}
func (a atomValue) Truth() starlark.Bool  { return starlark.True }
func (a atomValue) Hash() (uint32, error) { return starlark.String(a).Hash() }

// fromValue is the caller of handle_call, for reply(frm, value).
type fromValue struct{ from actor.From }

func (f fromValue) String() string        { return "<from>" }
func (f fromValue) Type() string          { return "from" }
func (f fromValue) Freeze()               {}
func (f fromValue) Truth() starlark.Bool  { return starlark.True }
func (f fromValue) Hash() (uint32, error) { return 0, errors.New("a from is not hashable") }

// continueValue is continue_(x) in a return value.
type continueValue struct{ arg starlark.Value }

func (c continueValue) String() string {
	return "continue_(" + c.arg.String() + ")"
}
func (c continueValue) Type() string          { return "continue" }
func (c continueValue) Freeze()               { c.arg.Freeze() }
func (c continueValue) Truth() starlark.Bool  { return starlark.True }
func (c continueValue) Hash() (uint32, error) { return 0, errors.New("a continue is not hashable") }

// describe names a Starlark value for an error: its type and a short
// rendering.
func describe(v starlark.Value) string {
	s := v.String()
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strings.TrimSpace(v.Type() + " " + s)
}
