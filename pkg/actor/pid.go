package actor

import (
	"errors"
	"strconv"
	"strings"
)

// PID identifies a process. It is a small comparable value: use it as a
// map key, compare it with ==, copy it freely.
//
// A Runtime hands out PIDs in sequence, starting at <0.1.0>, and never
// reuses one, so a PID that once named a process names no other. The zero
// PID names no process; it prints as <0.0.0> and is used as the sender of
// signals that come from outside any process (a Go program or the shell).
//
// A PID prints as <N.S.C>, as Erlang's do: N is the node (0 for this
// runtime's own processes), S the process's number within its node and C
// the node's creation, which tells a node's lives apart. A runtime's own
// PIDs are always <0.S.0>; PIDs of other nodes are made by a distribution
// layer (see [RemotePID] and [Remote]), which tells the runtime where to
// deliver what is sent to them. In 64 bits: 16 for the node, 8 for the
// creation, 40 for the number, so a runtime can spawn 2^40-1 processes.
type PID struct {
	id uint64
}

const (
	serialBits   = 40
	creationBits = 8
	maxSerial    = 1<<serialBits - 1
	maxCreation  = 1<<creationBits - 1
	maxNode      = 1<<16 - 1
)

// ErrBadPID is returned by [ParsePID] for text that is not a PID.
var ErrBadPID = errors.New("actor: malformed pid")

// String formats p the way Erlang prints a pid: <0.N.0> for a local one,
// <2.17.0> for process 17 of node 2.
func (p PID) String() string {
	b := make([]byte, 0, 24)
	b = append(b, '<')
	b = strconv.AppendUint(b, uint64(p.Node()), 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, p.Serial(), 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, uint64(p.Creation()), 10)
	b = append(b, '>')
	return string(b)
}

// IsZero reports whether p is the zero PID, which names no process.
func (p PID) IsZero() bool { return p.id == 0 }

// ID returns p as one number, for data structures that keep PIDs as
// numbers; [PIDOf] is its inverse. For a local PID it is the N of <0.N.0>.
func (p PID) ID() uint64 { return p.id }

// Node is the N of <N.S.C>: 0 for this runtime's own processes.
func (p PID) Node() uint16 { return uint16(p.id >> (serialBits + creationBits)) }

// Serial is the S of <N.S.C>, the process's number within its node.
func (p PID) Serial() uint64 { return p.id & maxSerial }

// Creation is the C of <N.S.C>, the life of its node the PID is from.
func (p PID) Creation() uint8 { return uint8(p.id >> serialBits) }

// IsRemote reports whether p names a process of another node.
func (p PID) IsRemote() bool { return p.Node() != 0 }

// Local returns the PID a node's own runtime knows its process s by.
func Local(s uint64) PID { return PID{id: s & maxSerial} }

// RemotePID returns the PID of process serial of node (1 or more) in its
// life creation, for a distribution layer to hand to the runtime. It
// panics if node is 0 or serial is beyond 2^40-1.
func RemotePID(node uint16, serial uint64, creation uint8) PID {
	if node == 0 || serial > maxSerial {
		panic("actor: RemotePID(" + strconv.Itoa(int(node)) + ", " + strconv.FormatUint(serial, 10) + "): out of range")
	}
	return PID{id: uint64(node)<<(serialBits+creationBits) | uint64(creation)<<serialBits | serial}
}

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

// ParsePID reverses [PID.String]. It accepts "<N.S.C>" and, for typing at
// a prompt, the bare "N.S.C". A local PID (N = 0) has C = 0; N is at most
// 65535, S at most 2^40-1 and C at most 255.
func ParsePID(s string) (PID, error) {
	t := s
	if strings.HasPrefix(t, "<") {
		if !strings.HasSuffix(t, ">") {
			return PID{}, badPID(s)
		}
		t = t[1 : len(t)-1]
	}
	parts := strings.Split(t, ".")
	if len(parts) != 3 {
		return PID{}, badPID(s)
	}
	node, ok1 := parseCount(parts[0])
	num, ok2 := parseCount(parts[1])
	creation, ok3 := parseCount(parts[2])
	if !ok1 || !ok2 || !ok3 || node > maxNode || num > maxSerial || creation > maxCreation {
		return PID{}, badPID(s)
	}
	if node == 0 {
		if creation != 0 {
			return PID{}, badPID(s)
		}
		return PID{id: num}, nil
	}
	return RemotePID(uint16(node), num, uint8(creation)), nil
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
	return "actor: malformed pid " + strconv.Quote(e.text) + " (want <0.N.0>, <node.N.creation> or 0.N.0)"
}
func (e *pidError) Unwrap() error { return ErrBadPID }
