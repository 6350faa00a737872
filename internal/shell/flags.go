package shell

import (
	"errors"
	"strconv"

	"github.com/spf13/pflag"
)

// decimal is an int flag that reads decimal numbers only: pflag's own
// reads 010 as 8 and 0x10 as 16, which no user of --count means.
type decimal struct{ p *int }

func (d decimal) String() string { return strconv.Itoa(*d.p) }
func (d decimal) Type() string   { return "int" }

func (d decimal) Set(s string) error {
	n, err := strconv.Atoi(s)
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
