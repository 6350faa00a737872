package shell

import (
	"slices"
	"testing"

	"github.com/actorsh/actorsh/internal/iostreams"
)

func TestNegativesAsArgs(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	s, err := NewSession(ios, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	root := s.newTree()
	for _, tc := range []struct{ in, want []string }{
		{[]string{"send", "e", "hello"}, []string{"send", "e", "hello"}},
		{[]string{"send", "e", "-7"}, []string{"send", "--", "e", "-7"}},
		{[]string{"call", "c", "-3", "--timeout", "1s"}, []string{"call", "--timeout", "1s", "--", "c", "-3"}},
		{[]string{"sup", "start", "x", "--max-restarts", "-1"}, []string{"sup", "start", "x", "--max-restarts", "-1"}},
		{[]string{"spawn", "counter", "--link", "-5"}, []string{"spawn", "--link", "--", "counter", "-5"}},
		{[]string{"spawn", "counter", "--name=-5", "-6"}, []string{"spawn", "--name=-5", "--", "counter", "-6"}},
		{[]string{"echo", "-5"}, []string{"echo", "-5"}}, // echo parses no flags
	} {
		if got := negativesAsArgs(root, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("negativesAsArgs(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
