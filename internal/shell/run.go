package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// LineSource yields lines of commands: readline on a terminal, a scanner
// over a file or a pipe, or the -c string.
type LineSource interface {
	Next() (string, error) // io.EOF at the end
}

var errEOF = io.EOF

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
	outer, outerKeepGoing := s.at, s.keepGoing
	s.keepGoing = keepGoing
	defer func() { s.at, s.keepGoing = outer, outerKeepGoing }()
	for n := 1; ; n++ {
		at.line = n
		s.at = at
		line, err := src.Next()
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
		cmds, err := SplitLine(line)
		if err != nil {
			cmds = nil
			fmt.Fprintf(s.io.ErrOut, "%s:%d: %s: %v\n", file, n, strings.TrimSpace(line), err)
			failed = true
			if !keepGoing {
				return errFailed
			}
		}
		for _, words := range cmds {
			err := s.execWords(ctx, words)
			switch {
			case err == nil:
			case errors.Is(err, errExit):
				return err // exit or exit N
			case ctx.Err() != nil:
				fmt.Fprintf(s.io.ErrOut, "%s:%d: %s: interrupted\n", file, n, strings.Join(words, " "))
				return ctx.Err()
			default:
				fmt.Fprintf(s.io.ErrOut, "%s:%d: %v\n", file, n, err)
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
	isFile bool // file is a path, not -c or stdin
}
