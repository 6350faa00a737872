package shell

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitLine(t *testing.T) {
	tests := []struct {
		in   string
		want [][]string
	}{
		{"spawn greeter alice", [][]string{{"spawn", "greeter", "alice"}}},
		{"  a  b ;; c ", [][]string{{"a", "b"}, {"c"}}},
		{`send c1 {add, 5}; call c1 "a b"`, [][]string{{"send", "c1", "{add, 5}"}, {"call", "c1", `"a b"`}}},
		{"send x [1, {2; 3}]", [][]string{{"send", "x", "[1, {2; 3}]"}}},
		{"echo hi # a comment", [][]string{{"echo", "hi"}}},
		{"# only a comment", nil},
		{"echo it's fine", [][]string{{"echo", "it's", "fine"}}},
		{"echo a#b", [][]string{{"echo", "a#b"}}},
		{`x 'it''s'`, [][]string{{"x", `'it''s'`}}},
		{"", nil},
	}
	for _, tt := range tests {
		got, err := SplitLine(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitLine(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{`echo "open`, "send x {a, [b}", "send x }", "x {"} {
		if _, err := SplitLine(bad); err == nil {
			t.Errorf("SplitLine(%q) succeeded; want an error", bad)
		}
	}
	if got := unquote(`"a \"b\"\tc"`); got != "a \"b\"\tc" {
		t.Errorf("unquote = %q", got)
	}
	if got := unquote("plain"); got != "plain" {
		t.Errorf("unquote(plain) = %q", got)
	}
}

// FuzzSplitLine checks that splitting is a fixed point: the words of a
// line, joined with spaces (each command quoted as needed and separated by
// ';'), split back into the same words.
func FuzzSplitLine(f *testing.F) {
	for _, s := range []string{"spawn greeter alice", `send c1 {add, "x y"}; ls`, "echo it's # c", `x 'a\'b' [1,2]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cmds, err := SplitLine(s)
		if err != nil {
			if _, ok := err.(*SplitError); !ok {
				t.Fatalf("SplitLine(%q) error %T", s, err)
			}
			return
		}
		var parts []string
		for _, words := range cmds {
			parts = append(parts, strings.Join(words, " "))
		}
		again, err := SplitLine(strings.Join(parts, "; "))
		if err != nil {
			t.Fatalf("re-splitting %q: %v", strings.Join(parts, "; "), err)
		}
		if !reflect.DeepEqual(again, cmds) {
			t.Fatalf("SplitLine(%q) = %q; split again: %q", s, cmds, again)
		}
		for _, words := range cmds {
			for _, w := range words {
				if w == "" {
					t.Fatalf("SplitLine(%q) gave an empty word", s)
				}
			}
		}
	})
}

func TestExpandArgs(t *testing.T) {
	args := []string{"a", "b c", "3", "4", "5", "6", "7", "8", "9", "ten"}
	for _, tt := range []struct{ in, want string }{
		{"echo $1 $2", "echo|a|b c"},
		{"echo $@", "echo|a|b c|3|4|5|6|7|8|9|ten"},
		{"echo x$@", "echo|x$@"},
		{"echo $# ${10} $10", "echo|10|ten|a0"},
		{"echo $ $x '$gen_cast' ${} ${x} $", "echo|$|$x|'$gen_cast'|${}|${x}|$"},
		{"echo {$1, $2}", "echo|{a, b c}"},
	} {
		cmds, err := SplitLine(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := expandArgs(cmds, args)
		if err != nil || strings.Join(got[0], "|") != tt.want {
			t.Errorf("expandArgs(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	cmds, _ := SplitLine("echo ${11}")
	if _, err := expandArgs(cmds, args); err == nil || !strings.Contains(err.Error(), "$11: the script was given 10 arguments") {
		t.Errorf("expandArgs(${11}) error = %v", err)
	}
}
