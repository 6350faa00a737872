package actor_test

import (
	"errors"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
)

func TestParsePID(t *testing.T) {
	for _, s := range []string{"<0.1.0>", "0.1.0", "<0.1099511627775.0>", "<2.17.0>", "<65535.1.255>"} {
		if _, err := actor.ParsePID(s); err != nil {
			t.Errorf("ParsePID(%q) error %v", s, err)
		}
	}
	for _, s := range []string{"", "<>", "<0.1.0", "0.1.0>", "<0.1.1>", "<65536.1.0>", "<2.1.256>", "<0.1099511627776.0>", "<2.1.0.0>", "<0..0>", "<0.01.0>", "<0.-1.0>", "<0.1a.0>", "<0.18446744073709551616.0>", "alice", " <0.1.0>"} {
		if _, err := actor.ParsePID(s); !errors.Is(err, actor.ErrBadPID) {
			t.Errorf("ParsePID(%q) error = %v; want ErrBadPID", s, err)
		}
	}
}

func FuzzParsePID(f *testing.F) {
	for _, s := range []string{"<0.1.0>", "0.42.0", "<0.0.0>", "<0.1.0", "0.01.0", "<0.99999999999999999999.0>", "<2.17.0>", "3.4.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pid, err := actor.ParsePID(s)
		if err != nil {
			if !errors.Is(err, actor.ErrBadPID) {
				t.Fatalf("ParsePID(%q) error %v does not match ErrBadPID", s, err)
			}
			return
		}
		// Round trip: String then ParsePID gives the same PID, and the
		// canonical text is what was parsed, with or without brackets.
		str := pid.String()
		back, err := actor.ParsePID(str)
		if err != nil || back != pid {
			t.Fatalf("ParsePID(%q) = %v, %v; want %v", str, back, err, pid)
		}
		if str != s && "<"+s+">" != str {
			t.Fatalf("ParsePID(%q) = %v: a second spelling of the same PID", s, str)
		}
		var u actor.PID
		if err := u.UnmarshalText([]byte(str)); err != nil || u != pid {
			t.Fatalf("UnmarshalText(%q) = %v, %v", str, u, err)
		}
	})
}

func TestParseRef(t *testing.T) {
	rt := newRuntime(t)
	a, _ := rt.Spawn(t.Context(), &fn{}, actor.SpawnOptions{})
	b, _ := rt.Spawn(t.Context(), &fn{}, actor.SpawnOptions{})
	ref := rt.Monitor(a, b)
	back, err := actor.ParseRef(ref.String())
	if err != nil || back != ref {
		t.Fatalf("ParseRef(%q) = %v, %v; want %v", ref.String(), back, err, ref)
	}
	for _, s := range []string{"", "#Ref<0.0.0.0>", "#Ref<0.0.0.01>", "#Ref<0.0.0.1", "Ref<0.0.0.1>", "#Ref<0.0.1.1>", "#Ref<0.0.0.-1>", "#Ref<0.0.0.18446744073709551616>", "<0.1.0>"} {
		if _, err := actor.ParseRef(s); !errors.Is(err, actor.ErrBadRef) {
			t.Errorf("ParseRef(%q) error = %v; want ErrBadRef", s, err)
		}
	}
}

func TestRemotePID(t *testing.T) {
	p := actor.RemotePID(2, 17, 3)
	if p.String() != "<2.17.3>" || p.Node() != 2 || p.Serial() != 17 || p.Creation() != 3 || !p.IsRemote() {
		t.Fatalf("RemotePID(2, 17, 3) = %v (node %d serial %d creation %d)", p, p.Node(), p.Serial(), p.Creation())
	}
	if q := actor.Local(17); q.String() != "<0.17.0>" || q.IsRemote() || q == p {
		t.Fatalf("Local(17) = %v", q)
	}
	if back, err := actor.ParsePID("<2.17.3>"); err != nil || back != p {
		t.Fatalf("ParsePID(<2.17.3>) = %v, %v", back, err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("RemotePID(0, 1, 0) did not panic")
		}
	}()
	actor.RemotePID(0, 1, 0)
}
