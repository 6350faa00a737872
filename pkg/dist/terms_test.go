package dist_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
)

type (
	atom  = dist.Atom
	tuple = dist.Tuple
	list  = []any
)

var (
	nodeA = dist.Codec{Self: dist.Node{Name: "a", Index: 1, Creation: 3}}
	nodeB = dist.Codec{Self: dist.Node{Name: "b", Index: 2, Creation: 1}}
)

func TestCodecRoundTrip(t *testing.T) {
	b17 := actor.RemotePID(2, 17, 1)
	tests := []struct {
		in   any // on node a
		wire string
		out  any // on node b
	}{
		{atom("ok"), `{"a":"ok"}`, atom("ok")},
		{true, `{"a":"true"}`, atom("true")},
		{nil, `{"a":"nil"}`, atom("nil")},
		{42, `{"i":42}`, int64(42)},
		{int64(math.MinInt64), `{"i":-9223372036854775808}`, int64(math.MinInt64)},
		{uint64(7), `{"i":7}`, int64(7)},
		{1.5, `{"f":1.5}`, 1.5},
		{2.0, `{"f":2.0}`, 2.0},
		{"héllo \"x\"", `{"s":"héllo \"x\""}`, "héllo \"x\""},
		{"\xff\x00", `{"b":"/wA="}`, "\xff\x00"},
		{tuple{atom("add"), 5}, `{"t":[{"a":"add"},{"i":5}]}`, tuple{atom("add"), int64(5)}},
		{list{}, `{"l":[]}`, list{}},
		{[]any{"x"}, `{"l":[{"s":"x"}]}`, list{"x"}},
		// a's own process leaves as <1.5.3>; b's own comes home as <0.17.0>
		{actor.Local(5), `{"p":[1,5,3]}`, actor.RemotePID(1, 5, 3)},
		{b17, `{"p":[2,17,1]}`, actor.Local(17)},
		// a PID of b's previous life stays a remote PID: it names nobody now
		{actor.RemotePID(2, 17, 0), `{"p":[2,17,0]}`, actor.RemotePID(2, 17, 0)},
		{actor.PID{}, `{"p":[0,0,0]}`, actor.PID{}},
		{actor.Exit{From: actor.Local(5), Reason: actor.Shutdown("x")}, `{"x":[{"p":[1,5,3]},"{shutdown, x}"]}`, actor.Exit{From: actor.RemotePID(1, 5, 3), Reason: actor.Shutdown("x")}},
	}
	for _, tt := range tests {
		b, err := nodeA.Encode(tt.in)
		if err != nil || string(b) != tt.wire {
			t.Errorf("Encode(%#v) = %s, %v; want %s", tt.in, b, err, tt.wire)
			continue
		}
		got, err := nodeB.Decode(b)
		if err != nil || !reflect.DeepEqual(got, tt.out) {
			t.Errorf("Decode(%s) on b = %#v, %v; want %#v", b, got, err, tt.out)
		}
	}
}

func TestCodecRefuses(t *testing.T) {
	deep := any(atom("x"))
	for range 101 {
		deep = tuple{deep}
	}
	for _, v := range []any{
		actor.Ref{}, struct{}{}, map[string]any{}, math.NaN(), math.Inf(1), uint64(math.MaxUint64),
		tuple{atom("ok"), func() {}}, deep, strings.Repeat("x", dist.MaxTermBytes),
	} {
		_, err := nodeA.Encode(v)
		if err == nil || !strings.Contains(err.Error(), "to another node") && !strings.Contains(err.Error(), "cannot send") {
			t.Errorf("Encode(%T) = %v; want a refusal", v, err)
		}
	}
	var re *dist.RefusedError
	if _, err := nodeA.Encode(actor.Ref{}); !errors.As(err, &re) || !strings.Contains(err.Error(), "reference") {
		t.Errorf("Encode(Ref) = %v", err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, s := range []string{``, `{}`, `{"a":1}`, `{"i":1.5}`, `{"i":99999999999999999999}`, `{"p":[0,1,0]}`, `{"p":[65536,1,0]}`,
		`{"p":[1,1099511627776,0]}`, `{"t":[{"q":1}]}`, `{"a":"x","s":"y"}`, `{"a":"x"} {"a":"y"}`, `{"b":"!"}`, `[1]`, `{"x":[{"a":"x"},"r"]}`} {
		if _, err := nodeB.Decode([]byte(s)); !errors.Is(err, dist.ErrMalformed) {
			t.Errorf("Decode(%s) error = %v; want ErrMalformed", s, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"a":"ok"}`, `{"t":[{"i":1},{"p":[2,3,4]}]}`, `{"x":[{"p":[1,5,3]},"boom"]}`, `{"b":"/wA="}`, `{"f":1e300}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := nodeB.Decode(data)
		if err != nil {
			return
		}
		// What decodes encodes, and decodes again to the same.
		b, err := nodeB.Encode(v)
		if err != nil {
			t.Fatalf("Decode(%q) = %#v, which does not encode: %v", data, v, err)
		}
		w, err := nodeB.Decode(b)
		if err != nil || !reflect.DeepEqual(v, w) {
			t.Fatalf("round trip of %#v: %#v, %v", v, w, err)
		}
	})
}

func TestDecodeReason(t *testing.T) {
	for s, want := range map[string]error{"normal": actor.ErrNormal, "killed": actor.ErrKilled, "noconnection": dist.ErrNoConnection, "{shutdown, bye}": actor.Shutdown("bye"), "boom": actor.Reason("boom")} {
		got := dist.DecodeReason(s)
		if actor.FormatReason(got) != s || !errors.Is(got, want) && got.Error() != want.Error() {
			t.Errorf("DecodeReason(%q) = %v; want %v", s, got, want)
		}
	}
}
