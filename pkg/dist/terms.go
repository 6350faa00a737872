package dist

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/actorsh/actorsh/pkg/actor"
)

// Terms tells the codec an embedder's atoms, tuples and lists, as
// pkg/starkind's Terms does (the shell passes the same value to both).
type Terms interface {
	Atom(name string) any
	AtomName(v any) (string, bool)
	Tuple(items []any) any
	TupleItems(v any) ([]any, bool)
	List(items []any) any
	ListItems(v any) ([]any, bool)
}

// Atom, Tuple and DefaultTerms are terms for an embedder that has none of
// its own: atoms are Atom, tuples Tuple, lists []any.
type (
	Atom  string
	Tuple []any
)

// DefaultTerms are Atom, Tuple and []any.
var DefaultTerms Terms = defaultTerms{}

type defaultTerms struct{}

func (defaultTerms) Atom(name string) any { return Atom(name) }
func (defaultTerms) AtomName(v any) (string, bool) {
	a, ok := v.(Atom)
	return string(a), ok
}
func (defaultTerms) Tuple(items []any) any { return Tuple(items) }
func (defaultTerms) TupleItems(v any) ([]any, bool) {
	t, ok := v.(Tuple)
	return t, ok
}
func (defaultTerms) List(items []any) any { return items }
func (defaultTerms) ListItems(v any) ([]any, bool) {
	l, ok := v.([]any)
	return l, ok
}

// MaxTermBytes is the largest encoded term a node sends: NATS's default
// largest message, less room for headers.
const MaxTermBytes = 1<<20 - 4096

// maxDepth is how deeply terms may nest.
const maxDepth = 100

// Codec encodes terms for the wire and decodes them, for one node (with
// DefaultTerms if Terms is nil): its
// own PIDs (<0.S.0>) leave as <Index.S.Creation>, and come back as its
// own.
//
// The encoding is JSON, one object per term with a one-letter tag:
//
//	{"a":"ok"}                    atom (Go bools are the atoms true and false, nil the atom nil)
//	{"i":42}                      integer (64 bits)
//	{"f":1.5}                     float (not NaN or infinite)
//	{"s":"héllo"}                 string (UTF-8)
//	{"b":"/w=="}                  string that is not UTF-8, in base64
//	{"t":[...]}                   tuple
//	{"l":[...]}                   list
//	{"p":[2,17,0]}                PID: node index, number, creation
//	{"x":[{"p":...},"reason"]}    an EXIT message: its sender and its reason
//
// Exit reasons cross as the text the shell prints for them (normal,
// shutdown, {shutdown, x}, killed, noproc, noconnection, or any other),
// and come back as the runtime's own reasons where they are one.
// Anything else (references, functions, Go structs, maps) is refused with
// an error that names it: it means nothing on another node.
type Codec struct {
	Terms Terms
	Self  Node
}

// Encode encodes v, or says why it cannot cross to another node.
func (c Codec) Encode(v any) ([]byte, error) {
	if c.Terms == nil {
		c.Terms = DefaultTerms
	}
	var b bytes.Buffer
	if err := c.encode(&b, v, 0); err != nil {
		return nil, err
	}
	if b.Len() > MaxTermBytes {
		return nil, fmt.Errorf("term of %d bytes is too large to send to another node (at most %d)", b.Len(), MaxTermBytes)
	}
	return b.Bytes(), nil
}

// RefusedError is a value that cannot be sent to another node.
type RefusedError struct {
	Type string
	Why  string
}

func (e *RefusedError) Error() string {
	return "cannot send " + e.Type + " to another node: " + e.Why
}

func (c Codec) encode(b *bytes.Buffer, v any, depth int) error {
	if depth > maxDepth {
		return &RefusedError{Type: "a term", Why: fmt.Sprintf("it nests more than %d deep", maxDepth)}
	}
	switch x := v.(type) {
	case nil:
		b.WriteString(`{"a":"nil"}`)
	case bool:
		fmt.Fprintf(b, `{"a":"%t"}`, x)
	case int:
		fmt.Fprintf(b, `{"i":%d}`, x)
	case int8, int16, int32, int64, uint8, uint16, uint32:
		fmt.Fprintf(b, `{"i":%d}`, x)
	case uint:
		return c.encodeUint(b, uint64(x))
	case uint64:
		return c.encodeUint(b, x)
	case float32:
		return c.encodeFloat(b, float64(x))
	case float64:
		return c.encodeFloat(b, x)
	case string:
		if utf8.ValidString(x) {
			b.WriteString(`{"s":`)
			writeJSON(b, x)
		} else {
			b.WriteString(`{"b":"` + base64.StdEncoding.EncodeToString([]byte(x)) + `"`)
		}
		b.WriteByte('}')
	case actor.PID:
		w := c.WirePID(x)
		fmt.Fprintf(b, `{"p":[%d,%d,%d]}`, w.Node(), w.Serial(), w.Creation())
	case actor.Exit:
		b.WriteString(`{"x":[`)
		if err := c.encode(b, x.From, depth+1); err != nil {
			return err
		}
		b.WriteByte(',')
		writeJSON(b, actor.FormatReason(x.Reason))
		b.WriteString("]}")
	case actor.Ref:
		return &RefusedError{Type: "a reference", Why: "a reference means something only on the node that made it"}
	case actor.From:
		return &RefusedError{Type: "a caller's address", Why: "reply on the node the call came to"}
	default:
		if name, ok := c.Terms.AtomName(v); ok {
			b.WriteString(`{"a":`)
			writeJSON(b, name)
			b.WriteByte('}')
			return nil
		}
		if items, ok := c.Terms.TupleItems(v); ok {
			return c.encodeSeq(b, "t", items, depth)
		}
		if items, ok := c.Terms.ListItems(v); ok {
			return c.encodeSeq(b, "l", items, depth)
		}
		if items, ok := v.([]any); ok {
			return c.encodeSeq(b, "l", items, depth)
		}
		return &RefusedError{Type: fmt.Sprintf("a %T", v), Why: "only atoms, numbers, strings, tuples, lists and PIDs cross between nodes"}
	}
	return nil
}

func (c Codec) encodeUint(b *bytes.Buffer, x uint64) error {
	if x > math.MaxInt64 {
		return &RefusedError{Type: fmt.Sprintf("the integer %d", x), Why: "integers cross in 64 signed bits"}
	}
	fmt.Fprintf(b, `{"i":%d}`, x)
	return nil
}

func (c Codec) encodeFloat(b *bytes.Buffer, x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return &RefusedError{Type: fmt.Sprintf("the float %v", x), Why: "only finite floats cross"}
	}
	out, _ := json.Marshal(x)
	b.WriteString(`{"f":`)
	b.Write(out)
	if !bytes.ContainsAny(out, ".eE") {
		b.WriteString(".0") // a float stays a float
	}
	b.WriteByte('}')
	return nil
}

func (c Codec) encodeSeq(b *bytes.Buffer, tag string, items []any, depth int) error {
	b.WriteString(`{"` + tag + `":[`)
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := c.encode(b, it, depth+1); err != nil {
			return err
		}
	}
	b.WriteString("]}")
	return nil
}

func writeJSON(b *bytes.Buffer, s string) {
	out, _ := json.Marshal(s)
	b.Write(out)
}

// WirePID is how pid is known to other nodes: a PID of this node's,
// <0.S.0>, is <Index.S.Creation>; every other PID is as it was.
func (c Codec) WirePID(pid actor.PID) actor.PID {
	if pid.IsRemote() || pid.IsZero() {
		return pid
	}
	return actor.RemotePID(c.Self.Index, pid.Serial(), c.Self.Creation)
}

// LocalPID is the reverse of WirePID: a PID of this node's current life
// becomes <0.S.0>; every other PID is as it was.
func (c Codec) LocalPID(pid actor.PID) actor.PID {
	if pid.IsRemote() && pid.Node() == c.Self.Index && pid.Creation() == c.Self.Creation {
		return actor.Local(pid.Serial())
	}
	return pid
}

// ErrMalformed is what Decode returns for bytes that are not a term.
var ErrMalformed = errors.New("malformed term from another node")

// Decode reverses Encode.
func (c Codec) Decode(data []byte) (any, error) {
	if c.Terms == nil {
		c.Terms = DefaultTerms
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var raw any
	if err := d.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if d.More() {
		return nil, fmt.Errorf("%w: data after the term", ErrMalformed)
	}
	return c.decode(raw, 0)
}

func (c Codec) decode(raw any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nested more than %d deep", ErrMalformed, maxDepth)
	}
	obj, ok := raw.(map[string]any)
	if !ok || len(obj) != 1 {
		return nil, fmt.Errorf("%w: want an object with one tag", ErrMalformed)
	}
	for tag, val := range obj {
		switch tag {
		case "a":
			s, ok := val.(string)
			if !ok {
				break
			}
			return c.Terms.Atom(s), nil
		case "i":
			n, ok := val.(json.Number)
			if !ok || strings.ContainsAny(string(n), ".eE") {
				break
			}
			i, err := n.Int64()
			if err != nil {
				break
			}
			return i, nil
		case "f":
			n, ok := val.(json.Number)
			if !ok {
				break
			}
			f, err := n.Float64()
			if err != nil {
				break
			}
			return f, nil
		case "s":
			s, ok := val.(string)
			if !ok {
				break
			}
			return s, nil
		case "b":
			s, ok := val.(string)
			if !ok {
				break
			}
			out, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				break
			}
			return string(out), nil
		case "t", "l":
			arr, ok := val.([]any)
			if !ok {
				break
			}
			items := make([]any, len(arr))
			for i, it := range arr {
				v, err := c.decode(it, depth+1)
				if err != nil {
					return nil, err
				}
				items[i] = v
			}
			if tag == "t" {
				return c.Terms.Tuple(items), nil
			}
			return c.Terms.List(items), nil
		case "p":
			pid, ok := c.decodePID(val)
			if !ok {
				break
			}
			return pid, nil
		case "x":
			arr, ok := val.([]any)
			if !ok || len(arr) != 2 {
				break
			}
			from, err := c.decode(arr[0], depth+1)
			pid, isPID := from.(actor.PID)
			text, isText := arr[1].(string)
			if err != nil || !isPID || !isText {
				break
			}
			return actor.Exit{From: pid, Reason: DecodeReason(text)}, nil
		}
		return nil, fmt.Errorf("%w: bad %q", ErrMalformed, tag)
	}
	panic("unreachable")
}

func (c Codec) decodePID(val any) (actor.PID, bool) {
	arr, ok := val.([]any)
	if !ok || len(arr) != 3 {
		return actor.PID{}, false
	}
	var n [3]uint64
	limits := [3]uint64{math.MaxUint16, 1<<40 - 1, math.MaxUint8}
	for i, x := range arr {
		num, ok := x.(json.Number)
		if !ok {
			return actor.PID{}, false
		}
		v, err := num.Int64()
		if err != nil || v < 0 || uint64(v) > limits[i] {
			return actor.PID{}, false
		}
		n[i] = uint64(v)
	}
	if n[0] == 0 {
		if n[1] != 0 || n[2] != 0 {
			return actor.PID{}, false // only the zero PID has node 0 on the wire
		}
		return actor.PID{}, true
	}
	return c.LocalPID(actor.RemotePID(uint16(n[0]), n[1], uint8(n[2]))), true
}

// EncodeReason is how an exit reason crosses: as it prints.
func EncodeReason(err error) string { return actor.FormatReason(err) }

// DecodeReason turns a reason's text back into the runtime's own reason
// where it is one (normal, shutdown, {shutdown, X}, kill, killed, noproc,
// noconnection), and into a reason of that text otherwise.
func DecodeReason(s string) error {
	switch s {
	case "normal":
		return actor.ErrNormal
	case "shutdown":
		return actor.ErrShutdown
	case "kill":
		return actor.ErrKill
	case "killed":
		return actor.ErrKilled
	case "noproc":
		return actor.ErrNoProc
	case "noconnection":
		return ErrNoConnection
	}
	if inner, ok := strings.CutPrefix(s, "{shutdown, "); ok && strings.HasSuffix(inner, "}") {
		return actor.Shutdown(inner[:len(inner)-1])
	}
	return actor.Reason(s)
}
