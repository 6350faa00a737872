package shell

import (
	"fmt"
	"strings"
)

// SplitError is a line that cannot be split into words.
type SplitError struct {
	Col int
	Msg string
}

func (e *SplitError) Error() string { return fmt.Sprintf("column %d: %s", e.Col, e.Msg) }

// SplitLine splits a line into commands (separated by ';') and each
// command into words. Words are separated by spaces and tabs; quotes
// ("..." and '...') and brackets ({...} and [...]) keep their content in
// one word, so a term such as {add, 5} or "hello world" is one word. Words
// keep their quotes, so terms can tell strings from atoms; see unquote.
// A '#' at the start of a word begins a comment that runs to the end of
// the line, unless it begins a reference (#Ref<0.0.0.1>). Empty commands are dropped.
func SplitLine(line string) ([][]string, error) {
	var cmds [][]string
	var words []string
	var w strings.Builder
	inWord := false
	var stack []byte // open brackets and quotes
	wordStart := 0
	flushWord := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	flushCmd := func() {
		flushWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			w.WriteByte(c)
			switch {
			case top == '"' || top == '\'':
				if c == '\\' && i+1 < len(line) {
					i++
					w.WriteByte(line[i])
				} else if c == top {
					stack = stack[:len(stack)-1]
				}
			case c == '"' || c == '\'' || c == '{' || c == '[':
				stack = append(stack, c)
			case c == '}' || c == ']':
				want := byte('}')
				if top == '[' {
					want = ']'
				}
				if c != want {
					return nil, &SplitError{Col: i + 1, Msg: fmt.Sprintf("%q closes %q", c, top)}
				}
				stack = stack[:len(stack)-1]
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			flushWord()
		case ';':
			flushCmd()
		case '#':
			if !inWord && !strings.HasPrefix(line[i:], "#Ref<") {
				flushCmd()
				return cmds, nil
			}
			if !inWord {
				inWord = true
				wordStart = i
				w.Reset()
			}
			w.WriteByte(c)
		case '}', ']':
			return nil, &SplitError{Col: i + 1, Msg: fmt.Sprintf("%q with nothing to close", c)}
		default:
			if !inWord {
				inWord = true
				wordStart = i
				w.Reset()
			}
			// A quote opens a quoted part at the start of a word (or right
			// after another quoted part); inside a word, as in it's, it is
			// an ordinary character.
			opens := c == '{' || c == '['
			if c == '"' || c == '\'' {
				opens = w.Len() == 0 || i > 0 && (line[i-1] == '"' || line[i-1] == '\'')
			}
			w.WriteByte(c)
			if opens {
				stack = append(stack, c)
			}
		}
	}
	if len(stack) > 0 {
		return nil, &SplitError{Col: wordStart + 1, Msg: fmt.Sprintf("%q is never closed", stack[len(stack)-1])}
	}
	flushCmd()
	return cmds, nil
}

// unquote turns a word into the text it stands for: a word in double or
// single quotes loses them and its escapes; any other word is itself.
func unquote(word string) string {
	if len(word) >= 2 && (word[0] == '"' || word[0] == '\'') && word[len(word)-1] == word[0] {
		var b strings.Builder
		for i := 1; i < len(word)-1; i++ {
			c := word[i]
			if c == '\\' && i+1 < len(word)-1 {
				i++
				switch word[i] {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				default:
					b.WriteByte(word[i])
				}
				continue
			}
			b.WriteByte(c)
		}
		return b.String()
	}
	return word
}
