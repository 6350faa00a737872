package shell

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/actorsh/actorsh/pkg/actor"
)

func TestParseTerm(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"hello", Atom("hello")},
		{"'Hello world'", Atom("Hello world")},
		{"42", int64(42)},
		{"-7", int64(-7)},
		{"3.14", 3.14},
		{"1.0e3", 1000.0},
		{`"hi \"there\"\n"`, "hi \"there\"\n"},
		{"{add, 5}", Tuple{Atom("add"), int64(5)}},
		{"{}", Tuple{}},
		{"[1, [2], {x}]", List{int64(1), List{int64(2)}, Tuple{Atom("x")}}},
		{"  { a ,b }  ", Tuple{Atom("a"), Atom("b")}},
		{"node@host", Atom("node@host")},
		{"<0.5.0>", mustPID("<0.5.0>")},
		{"{down, <0.5.0>, #Ref<0.0.0.7>}", Tuple{Atom("down"), mustPID("<0.5.0>"), mustRef("#Ref<0.0.0.7>")}},
	}
	for _, tt := range tests {
		got, err := ParseTerm(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseTerm(%q) = %#v, %v; want %#v", tt.in, got, err, tt.want)
		}
	}
}

func mustPID(s string) actor.PID {
	pid, err := actor.ParsePID(s)
	if err != nil {
		panic(err)
	}
	return pid
}

func mustRef(s string) actor.Ref {
	ref, err := actor.ParseRef(s)
	if err != nil {
		panic(err)
	}
	return ref
}

func TestParseTermErrors(t *testing.T) {
	tests := []struct {
		in  string
		col int
		msg string
	}{
		{"", 1, "empty term"},
		{"{add, 5", 1, "never closed"},
		{"{add 5}", 6, "want ','"},
		{"Hello", 1, "variable"},
		{"_x", 1, "variable"},
		{"12ab", 3, "in a number"},
		{`"open`, 1, "never closed"},
		{"a b", 3, "after the term"},
		{"99999999999999999999", 1, "out of range"},
		{"-", 2, "digit"},
		{"{a,}", 4, "unexpected"},
		{`"\q"`, 3, "unknown escape"},
		{"é", 1, "unexpected"},
		{"{a, é}", 5, "unexpected"},
		{"<0.5", 1, "a PID is written"},
		{"{<0.2.3>}", 2, "a PID is written"},
		{"#Ref<1>", 1, "a reference is written"},
		{"#x", 1, "a reference is written"},
	}
	for _, tt := range tests {
		_, err := ParseTerm(tt.in)
		var te *TermError
		if !errors.As(err, &te) || te.Col != tt.col || !strings.Contains(te.Msg, tt.msg) {
			t.Errorf("ParseTerm(%q) error = %v; want column %d, %q", tt.in, err, tt.col, tt.msg)
		}
	}
	deep := strings.Repeat("{", 200) + strings.Repeat("}", 200)
	if _, err := ParseTerm(deep); err == nil || !strings.Contains(err.Error(), "too deep") {
		t.Errorf("ParseTerm(200 nested tuples) error = %v; want too deep", err)
	}
}

func TestPatterns(t *testing.T) {
	pat, err := ParsePattern("{admin, _}")
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[string]bool{"{admin, 1}": true, "{admin, {x}}": true, "{user, 1}": false, "{admin}": false, "admin": false} {
		term, _ := ParseTerm(v)
		if got := matchTerm(pat, term); got != want {
			t.Errorf("match({admin, _}, %s) = %v; want %v", v, got, want)
		}
	}
	if _, err := ParseTerm("_"); err == nil {
		t.Error("_ parsed as a message term; it is only a pattern wildcard")
	}
}

func FuzzParseTerm(f *testing.F) {
	for _, s := range []string{"hello", "{add, 5}", `"x\"y"`, "[1, 2.5, 'A b']", "-0.0", "1.0e300", "{[{}]}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		term, err := ParseTerm(s)
		if err != nil {
			var te *TermError
			if !errors.As(err, &te) || te.Col < 1 {
				t.Fatalf("ParseTerm(%q) error %v is not a TermError with a column", s, err)
			}
			return
		}
		// Round trip: formatting then parsing gives the same term, and
		// formatting is stable.
		text := FormatTerm(term)
		back, err := ParseTerm(text)
		if err != nil {
			t.Fatalf("ParseTerm(FormatTerm(%#v) = %q): %v", term, text, err)
		}
		if FormatTerm(back) != text {
			t.Fatalf("format not stable: %q then %q", text, FormatTerm(back))
		}
	})
}

// Strings print with their control and bidi characters escaped, so a
// term cannot change the terminal or forge a line (reliability review
// D12), and the parser reads every escape back.
func TestFormatTermEscapesControls(t *testing.T) {
	for _, s := range []string{"\x1b[31mred\x1b[0m", "bell\a", "right\u202eleft", "nul\x00", "cr\r\nlf", "tab\t", "é ✓", "\x7f"} {
		out := FormatTerm(s)
		for _, r := range out {
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
				t.Errorf("FormatTerm(%q) = %q: it holds %U", s, out, r)
			}
		}
		back, err := ParseTerm(out)
		if err != nil || back != s {
			t.Errorf("ParseTerm(%q) = %q, %v; want %q", out, back, err, s)
		}
	}
}
