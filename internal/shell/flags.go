package shell

import (
	"errors"
	"strconv"
	"time"

	"github.com/spf13/pflag"
)

// decimal is an int flag that reads decimal numbers only: pflag's own
// reads 010 as 8 and 0x10 as 16, which no user of --count means.
type decimal struct{ p *int }

func (d decimal) String() string { return strconv.Itoa(*d.p) }
func (d decimal) Type() string   { return "int" }

// Set reads a value, quoted or not: typed flags are parsed before the
// quotes of the words are removed (see unquoteWords), so they remove
// their own, once.
func (d decimal) Set(s string) error {
	n, err := strconv.Atoi(unquote(s))
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return errors.New("out of range")
		}
		return errors.New("want a decimal number")
	}
	*d.p = n
	return nil
}

// intFlag defines a decimal int flag, as pflag's IntVar does.
func intFlag(f *pflag.FlagSet, p *int, name string, value int, usage string) {
	*p = value
	f.Var(decimal{p}, name, usage)
}

// duration is a time.Duration flag whose error says what a duration looks
// like, where pflag's passes on time.ParseDuration's.
type duration struct{ p *time.Duration }

func (d duration) String() string {
	if *d.p == infinity {
		return "infinity"
	}
	return d.p.String()
}
func (d duration) Type() string { return "duration" }

// infinity is what a duration flag reads for "infinity", as
// GenServer.call takes :infinity: longer than any session.
const infinity = time.Duration(1<<63 - 1)

func (d duration) Set(s string) error {
	s = unquote(s) // as decimal's Set
	if s == "infinity" {
		*d.p = infinity
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration (examples: 500ms, 2s, 1m) nor infinity")
	}
	*d.p = v
	return nil
}

// durationFlag defines a duration flag, as pflag's DurationVar does.
func durationFlag(f *pflag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	f.Var(duration{p}, name, usage)
}
