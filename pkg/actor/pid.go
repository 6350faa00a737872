package actor

import (
	"errors"
	"strconv"
	"strings"
)

// PID identifies a process within a [Runtime]. It is a small comparable
// value: use it as a map key, compare it with ==, copy it freely.
//
// A Runtime hands out PIDs in sequence, starting at <0.1.0>, and never
// reuses one, so a PID that once named a process names no other. The zero
// PID names no process; it prints as <0.0.0> and is used as the sender of
// signals that come from outside any process (a Go program or the shell).
type PID struct {
	id uint64
}

// ErrBadPID is returned by [ParsePID] for text that is not a PID.
var ErrBadPID = errors.New("actor: malformed pid")

// String formats p the way Erlang prints a local pid: <0.N.0>.
func (p PID) String() string {
	b := make([]byte, 0, 24)
	b = append(b, "<0."...)
	b = strconv.AppendUint(b, p.id, 10)
	b = append(b, ".0>"...)
	return string(b)
}

// IsZero reports whether p is the zero PID, which names no process.
func (p PID) IsZero() bool { return p.id == 0 }

// ID returns the N of <0.N.0>.
func (p PID) ID() uint64 { return p.id }

// PIDOf returns the PID whose ID is n, the inverse of [PID.ID], for data
// structures that keep PIDs as numbers. Like [ParsePID], it says nothing
// of whether the process exists.
func PIDOf(n uint64) PID { return PID{id: n} }

// MarshalText implements encoding.TextMarshaler, so PIDs appear as "<0.N.0>"
// in JSON.
func (p PID) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with [ParsePID].
func (p *PID) UnmarshalText(b []byte) error {
	q, err := ParsePID(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// ParsePID reverses [PID.String]. It accepts "<0.N.0>" and, for typing at a
// prompt, the bare "0.N.0". Other node or serial numbers than 0 are rejected,
// since a runtime is a single node.
func ParsePID(s string) (PID, error) {
	t := s
	if strings.HasPrefix(t, "<") {
		if !strings.HasSuffix(t, ">") {
			return PID{}, badPID(s)
		}
		t = t[1 : len(t)-1]
	}
	rest, ok := strings.CutPrefix(t, "0.")
	if !ok {
		return PID{}, badPID(s)
	}
	num, ok := strings.CutSuffix(rest, ".0")
	if !ok {
		return PID{}, badPID(s)
	}
	n, ok := parseCount(num)
	if !ok {
		return PID{}, badPID(s)
	}
	return PID{id: n}, nil
}

// parseCount reads the decimal number inside a PID or a Ref, in its one
// spelling: digits only, no leading zeros, within 64 bits.
func parseCount(num string) (uint64, bool) {
	if num == "" || len(num) > 20 || (len(num) > 1 && num[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(num, 10, 64)
	return n, err == nil
}

func badPID(s string) error {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return &pidError{text: s}
}

type pidError struct{ text string }

func (e *pidError) Error() string {
	return "actor: malformed pid " + strconv.Quote(e.text) + " (want <0.N.0> or 0.N.0)"
}
func (e *pidError) Unwrap() error { return ErrBadPID }
