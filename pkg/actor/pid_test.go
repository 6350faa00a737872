package actor_test

import (
	"errors"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
)

func TestParsePID(t *testing.T) {
	for _, s := range []string{"<0.1.0>", "0.1.0", "<0.18446744073709551615.0>"} {
		if _, err := actor.ParsePID(s); err != nil {
			t.Errorf("ParsePID(%q) error %v", s, err)
		}
	}
	for _, s := range []string{"", "<>", "<0.1.0", "0.1.0>", "<1.1.0>", "<0.1.1>", "<0..0>", "<0.01.0>", "<0.-1.0>", "<0.1a.0>", "<0.18446744073709551616.0>", "alice", " <0.1.0>"} {
		if _, err := actor.ParsePID(s); !errors.Is(err, actor.ErrBadPID) {
			t.Errorf("ParsePID(%q) error = %v; want ErrBadPID", s, err)
		}
	}
}

func FuzzParsePID(f *testing.F) {
	for _, s := range []string{"<0.1.0>", "0.42.0", "<0.0.0>", "<0.1.0", "0.01.0", "<0.99999999999999999999.0>"} {
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
