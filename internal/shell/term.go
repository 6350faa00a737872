package shell

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/actorsh/actorsh/pkg/actor"
)

// The small term syntax messages are written in, after Erlang's:
//
//	atoms      hello  ok  'Hello world'
//	integers   42  -7
//	floats     3.14  -0.5  1.0e3
//	strings    "hello, world"  (escapes: \" \\ \n \t)
//	tuples     {add, 5}  {}
//	lists      [1, 2, 3]  []
//	PIDs       <0.5.0>
//	refs       #Ref<0.0.0.1>

// Atom is a term atom.
type Atom string

// Tuple is a term tuple.
type Tuple []any

// List is a term list.
type List []any

// TermError is a malformed term, with the column (1-based, in runes) where
// the problem is.
type TermError struct {
	Col int
	Msg string
}

func (e *TermError) Error() string {
	return fmt.Sprintf("malformed term at column %d: %s", e.Col, e.Msg)
}

// ParseTerm parses one term; nothing may follow it but spaces.
func ParseTerm(s string) (any, error) { return parseTermWith(s, false) }

func parseTermWith(s string, wild bool) (any, error) {
	p := &termParser{s: s, wild: wild}
	p.space()
	if p.i == len(p.s) {
		return nil, p.err("empty term")
	}
	t, err := p.term(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(p.s) {
		return nil, p.err(fmt.Sprintf("unexpected %q after the term", p.peekRune()))
	}
	return t, nil
}

type termParser struct {
	s    string
	i    int
	wild bool // _ is a wildcard (patterns)
}

const maxTermDepth = 100

func (p *termParser) col() int { return utf8.RuneCountInString(p.s[:p.i]) + 1 }

func (p *termParser) err(msg string) error { return &TermError{Col: p.col(), Msg: msg} }

func (p *termParser) peekRune() rune {
	r, _ := utf8.DecodeRuneInString(p.s[p.i:])
	return r
}

func (p *termParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *termParser) term(depth int) (any, error) {
	if depth > maxTermDepth {
		return nil, p.err("terms nest too deep")
	}
	if p.i >= len(p.s) {
		return nil, p.err("unexpected end of input")
	}
	c := p.s[p.i]
	switch {
	case c == '{':
		items, err := p.seq('{', '}', depth)
		return Tuple(items), err
	case c == '[':
		items, err := p.seq('[', ']', depth)
		return List(items), err
	case c == '"':
		return p.str()
	case c == '\'':
		s, err := p.quoted('\'')
		return Atom(s), err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == '<':
		return p.pid()
	case c == '#':
		return p.ref()
	case c >= 'a' && c <= 'z':
		start := p.i
		for p.i < len(p.s) && isAtomChar(p.s[p.i]) {
			p.i++
		}
		return Atom(p.s[start:p.i]), nil
	case c == '_' && p.wild && (p.i+1 == len(p.s) || !isAtomChar(p.s[p.i+1])):
		p.i++
		return wildcard{}, nil
	case c >= 'A' && c <= 'Z' || c == '_':
		start := p.i
		for p.i < len(p.s) && isAtomChar(p.s[p.i]) {
			p.i++
		}
		w := p.s[start:p.i]
		p.i = start
		return nil, p.err(fmt.Sprintf("%s starts with a capital, which Erlang reads as a variable: write '%s' for an atom or \"%s\" for a string", w, w, w))
	}
	return nil, p.err(fmt.Sprintf("unexpected %q", p.peekRune()))
}

// pid reads <0.N.0>, as the shell prints a PID.
func (p *termParser) pid() (any, error) {
	return p.bracketed("a PID is written <0.N.0>", func(t string) (any, error) { return actor.ParsePID(t) })
}

// ref reads #Ref<0.0.0.N>, as monitor prints a reference.
func (p *termParser) ref() (any, error) {
	return p.bracketed("a reference is written #Ref<0.0.0.N>", func(t string) (any, error) { return actor.ParseRef(t) })
}

// bracketed reads a term that runs to the next '>' with parse, or fails
// saying how it is written.
func (p *termParser) bracketed(how string, parse func(string) (any, error)) (any, error) {
	end := strings.IndexByte(p.s[p.i:], '>')
	if end < 0 {
		return nil, p.err(how)
	}
	t, err := parse(p.s[p.i : p.i+end+1])
	if err != nil {
		return nil, p.err(how)
	}
	p.i += end + 1
	return t, nil
}

func isAtomChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '@'
}

func (p *termParser) seq(open, close byte, depth int) ([]any, error) {
	start := p.i
	p.i++ // open
	items := []any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == close {
		p.i++
		return items, nil
	}
	for {
		p.space()
		t, err := p.term(depth + 1)
		if err != nil {
			return nil, err
		}
		items = append(items, t)
		p.space()
		if p.i >= len(p.s) {
			save := p.i
			p.i = start
			e := p.err(fmt.Sprintf("%q is never closed", open))
			p.i = save
			return nil, e
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case close:
			p.i++
			return items, nil
		default:
			return nil, p.err(fmt.Sprintf("want ',' or %q, got %q", close, p.peekRune()))
		}
	}
}

func (p *termParser) str() (string, error) { return p.quoted('"') }

func (p *termParser) quoted(q byte) (string, error) {
	start := p.i
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), nil
		case c == '\\' && p.i+1 < len(p.s):
			p.i++
			switch e := p.s[p.i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'e':
				b.WriteByte(0x1b)
			case 'x': // \x{1B}, as the shell prints control characters
				end := strings.IndexByte(p.s[p.i:], '}')
				if !strings.HasPrefix(p.s[p.i:], "x{") || end < 0 {
					return "", p.err("an escape \\x is written \\x{1B}")
				}
				n, err := strconv.ParseUint(p.s[p.i+2:p.i+end], 16, 32)
				if err != nil || n > unicode.MaxRune {
					return "", p.err(fmt.Sprintf("\\x{%s} is not a character", p.s[p.i+2:p.i+end]))
				}
				b.WriteRune(rune(n))
				p.i += end
			case '\\', '"', '\'':
				b.WriteByte(e)
			default:
				return "", p.err(fmt.Sprintf("unknown escape \\%c", e))
			}
			p.i++
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	p.i = start
	return "", p.err(fmt.Sprintf("%c is never closed", q))
}

func (p *termParser) number() (any, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return nil, p.err("want a digit after '-'")
	}
	isFloat := false
	if p.i+1 < len(p.s) && p.s[p.i] == '.' && p.s[p.i+1] >= '0' && p.s[p.i+1] <= '9' {
		isFloat = true
		p.i++
		digits()
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') && isFloat {
		save := p.i
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			p.i = save
		}
	}
	if p.i < len(p.s) && isAtomChar(p.s[p.i]) {
		return nil, p.err(fmt.Sprintf("unexpected %q in a number", p.peekRune()))
	}
	text := p.s[start:p.i]
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(f, 0) {
			p.i = start
			return nil, p.err("float out of range")
		}
		return f, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		p.i = start
		return nil, p.err("integer out of range (64 bits)")
	}
	return n, nil
}

// FormatTerm renders a term in the term syntax; ParseTerm(FormatTerm(t))
// gives t back for every term ParseTerm makes. Other Go values print with
// %v.
func FormatTerm(t any) string {
	var b strings.Builder
	formatTerm(&b, t)
	return b.String()
}

func formatTerm(b *strings.Builder, t any) {
	switch v := t.(type) {
	case Atom:
		if atomNeedsQuotes(string(v)) {
			b.WriteString(quoteWith(string(v), '\''))
		} else {
			b.WriteString(string(v))
		}
	case string:
		b.WriteString(quoteWith(v, '"'))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case int:
		b.WriteString(strconv.Itoa(v))
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") { // keep it a float: 1 -> 1.0
			s += ".0"
		} else if strings.Contains(s, "e") && !strings.Contains(s, ".") {
			mant, exp, _ := strings.Cut(s, "e")
			s = mant + ".0e" + exp
		}
		b.WriteString(s)
	case Tuple:
		formatSeq(b, '{', v, '}')
	case List:
		formatSeq(b, '[', v, ']')
	case error:
		b.WriteString(v.Error())
	case nil:
		b.WriteString("nil")
	default:
		// A Go slice from a package (a supervisor's children, say) is a
		// list of what its elements print as.
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
			items := make([]any, rv.Len())
			for i := range items {
				items[i] = rv.Index(i).Interface()
			}
			formatSeq(b, '[', items, ']')
			return
		}
		fmt.Fprintf(b, "%v", v)
	}
}

func formatSeq(b *strings.Builder, open byte, items []any, close byte) {
	b.WriteByte(open)
	for i, x := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		formatTerm(b, x)
	}
	b.WriteByte(close)
}

func atomNeedsQuotes(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return true
	}
	for i := 0; i < len(s); i++ {
		if !isAtomChar(s[i]) {
			return true
		}
	}
	return false
}

func quoteWith(s string, q byte) string {
	// Control and bidi characters are escaped, as Erlang prints them (\e,
	// \x{202E}), so that a term cannot change the terminal or forge a line;
	// ParseTerm reads every escape back.
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == 0x1b:
			b.WriteString(`\e`)
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError:
			fmt.Fprintf(&b, `\x{%X}`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// wildcard is _ in a pattern.
type wildcard struct{}

// ParsePattern parses a term in which _ matches anything.
func ParsePattern(s string) (any, error) {
	return parseTermWith(s, true)
}

func matchTerm(pat, v any) bool {
	switch p := pat.(type) {
	case wildcard:
		return true
	case Tuple:
		t, ok := v.(Tuple)
		return ok && matchAll(p, t)
	case List:
		l, ok := v.(List)
		return ok && matchAll(p, l)
	}
	return pat == v
}

func matchAll(pats, vs []any) bool {
	if len(pats) != len(vs) {
		return false
	}
	for i := range pats {
		if !matchTerm(pats[i], vs[i]) {
			return false
		}
	}
	return true
}
