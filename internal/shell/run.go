package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// LineSource yields lines of commands: readline on a terminal, a scanner
// over a file or a pipe, or the -c string.
type LineSource interface {
	Next() (string, error) // io.EOF at the end
}

// stringLines is a LineSource over a fixed list of lines (for -c).
type stringLines struct {
	lines []string
	i     int
}

func (s *stringLines) Next() (string, error) {
	if s.i >= len(s.lines) {
		return "", io.EOF
	}
	s.i++
	return s.lines[s.i-1], nil
}

// errFailed reports that a command failed (already printed).
var errFailed = errors.New("a command failed")

// RunSource runs every line of src; file names the source in errors
// (FILE:LINE: command: message). It stops at the first failing command
// unless keep-going is on, and returns errFailed if any failed, errExit if
// a command asked to exit, or ctx.Err() if interrupted.
func (s *Session) RunSource(ctx context.Context, file string, src LineSource, keepGoing bool) error {
	return s.runSource(ctx, location{file: file}, src, keepGoing)
}

// runSource is RunSource with the source's location: from a file, source
// finds relative paths beside it.
func (s *Session) runSource(ctx context.Context, at location, src LineSource, keepGoing bool) error {
	file := at.file
	failed := false
	outer, outerKeepGoing, outerMore := s.at, s.keepGoing, s.more
	s.keepGoing = keepGoing
	defer func() { s.at, s.keepGoing, s.more = outer, outerKeepGoing, outerMore }()
	next := 1
	s.more = func(string) (string, error) {
		line, err := src.Next()
		if err == nil {
			next++
		}
		return line, err
	}
	for {
		n := next
		at.line = n
		s.at = at
		line, err := src.Next()
		next++
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(s.io.ErrOut, "%s:%d: %v\n", file, n, err)
			return errFailed
		}
		if n == 1 && strings.HasPrefix(line, "#!") {
			continue
		}
		// A line ending in a backslash goes on on the next line; errors
		// name the line it began on.
		for strings.HasSuffix(line, "\\") && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			line = strings.TrimSuffix(line, "\\")
			more, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				fmt.Fprintf(s.io.ErrOut, "%s:%d: %v\n", file, next, err)
				return errFailed
			}
			next++
			line += " " + more
		}
		cmds, err := SplitLine(line)
		if err == nil {
			cmds, err = expandArgs(cmds, at.args)
		}
		if err != nil {
			cmds = nil
			fmt.Fprintf(s.io.ErrOut, "%s:%d: %s: %v\n", file, n, clip(strings.TrimSpace(line)), err)
			failed = true
			if !keepGoing {
				return errFailed
			}
		}
		s.mu.Lock()
		top := s.depth == 0 // a sourced file's lines run inside its source command, which holds execMu
		s.mu.Unlock()
		for _, words := range cmds {
			if top {
				s.execMu.Lock()
			}
			err := s.execWords(ctx, words)
			if top {
				s.execMu.Unlock()
			}
			switch {
			case err == nil:
			case errors.Is(err, errExit):
				return err // exit or exit N
			case ctx.Err() != nil:
				fmt.Fprintf(s.io.ErrOut, "%s:%d: %s: interrupted\n", file, n, strings.Join(words, " "))
				return ctx.Err()
			default:
				if !errors.Is(err, errFailed) { // a sourced file's failure is printed where it happened
					fmt.Fprintf(s.io.ErrOut, "%s:%d: %v\n", file, n, err)
				}
				failed = true
				if !keepGoing {
					return errFailed
				}
			}
		}
	}
	if failed {
		return errFailed
	}
	return nil
}

// location is where the command running now came from, for --json errors.
type location struct {
	file   string
	line   int
	isFile bool     // file is a path, not -c or stdin
	args   []string // the script's arguments, for $1, $@ and $#
}

// expandArgs replaces the script's arguments in words: $1 to $9 (and
// ${10} on) by one argument, a word that is $@ by all of them, one word
// each, and $# by their number. Other $ are left as they are.
func expandArgs(cmds [][]string, args []string) ([][]string, error) {
	for i, words := range cmds {
		var out []string
		for _, w := range words {
			switch {
			case w == "$@":
				out = append(out, args...)
			case !strings.Contains(w, "$"):
				out = append(out, w)
			default:
				x, err := expandWord(w, args)
				if err != nil {
					return nil, err
				}
				out = append(out, x)
			}
		}
		cmds[i] = out
	}
	return cmds, nil
}

// expandWord replaces $N, ${N} and $# in one word.
func expandWord(w string, args []string) (string, error) {
	var b strings.Builder
	for j := 0; j < len(w); j++ {
		if w[j] != '$' || j+1 == len(w) {
			b.WriteByte(w[j])
			continue
		}
		rest := w[j+1:]
		var num string
		switch {
		case rest[0] == '#':
			b.WriteString(strconv.Itoa(len(args)))
			j++
			continue
		case rest[0] >= '1' && rest[0] <= '9':
			num = rest[:1]
		case rest[0] == '{':
			end := strings.IndexByte(rest, '}')
			if end < 0 || strings.Trim(rest[1:end], "0123456789") != "" || end == 1 {
				b.WriteByte('$')
				continue
			}
			num = rest[1:end]
			j += 2 // the braces
		default:
			b.WriteByte('$')
			continue
		}
		k, _ := strconv.Atoi(num)
		if k < 1 || k > len(args) {
			return "", fmt.Errorf("$%s: the script was given %d argument%s (actorsh run FILE ARG...)", num, len(args), plural(len(args)))
		}
		b.WriteString(args[k-1])
		j += len(num)
	}
	return b.String(), nil
}
