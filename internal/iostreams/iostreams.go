// Package iostreams holds the shell's standard streams, what is known
// about them (terminal or not), and the colour palette that follows from
// that, so that commands never consult os.Stdout or global colour state.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"
)

// IOStreams are the streams a session reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	InTTY  bool
	OutTTY bool

	color bool
}

// System returns the process's standard streams, with terminals detected
// once. Colour is on when stdout is a terminal and NO_COLOR is unset.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.InTTY = isTerminal(os.Stdin)
	s.OutTTY = isTerminal(os.Stdout)
	s.color = s.OutTTY && os.Getenv("NO_COLOR") == ""
	return s
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// Test returns streams backed by buffers, with no terminal and no colour.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// SetColor forces colour on or off (--color=always|never).
func (s *IOStreams) SetColor(on bool) { s.color = on }

// ColorEnabled reports whether output is coloured.
func (s *IOStreams) ColorEnabled() bool { return s.color }

// Palette returns colour functions that honour the colour decision.
func (s *IOStreams) Palette() *Palette {
	mk := func(attrs ...color.Attribute) func(string) string {
		c := color.New(attrs...)
		if s.color {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return func(t string) string { return c.Sprint(t) }
	}
	return &Palette{
		PID:     mk(color.FgCyan),
		Name:    mk(color.Bold),
		Error:   mk(color.FgRed),
		Warn:    mk(color.FgYellow),
		OK:      mk(color.FgGreen),
		Dim:     mk(color.Faint),
		Heading: mk(color.Bold, color.Underline),
	}
}

// Palette colours pieces of output.
type Palette struct {
	PID, Name, Error, Warn, OK, Dim, Heading func(string) string
}
