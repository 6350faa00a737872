package registry

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
)

// names is the table behind one partition of a unique registry: open
// addressing with linear probing over 40-byte slots, each holding a key of
// up to [inlineKey] bytes, a fingerprint of its hash, and its PID. Finding
// a name costs one cache miss, where a Go map with string keys costs
// three dependent ones: its control word, its slot, and the key's bytes.
//
// Writers hold the partition's lock. [names.find] takes no lock at all:
// every slot carries a sequence number that a writer makes odd while it
// changes the slot, and a reader that sees the number odd, or changed
// after reading the slot, reads again (a seqlock). Every field is an
// atomic word, so the Go memory model (and the race detector) vouches for
// it. A deleted slot keeps its place as a tombstone, so a name is never
// moved while a reader may be looking for it; a rebuild copies the live
// slots to a fresh table and marks the old one moved, and a reader that
// finds its table moved starts again from the new one.
//
// Slots hold no pointers, so the garbage collector never scans the table.
type names struct {
	slots []slot
	mask  uint64
	mix   *seed
	used  int // full and deleted slots; writers only
	live  int // full slots; writers only
	moved atomic.Bool
}

const (
	keyWords  = 3
	inlineKey = keyWords * 8 // the longest key a slot holds
	minSlots  = 8
)

type slot struct {
	// meta is the sequence number (bits 0-31, odd while a writer changes
	// the slot), the key's length (bits 32-36), the slot's state (bits
	// 37-38) and a fingerprint of the key's hash (bits 39-63).
	meta atomic.Uint64
	pid  atomic.Uint64
	key  [keyWords]atomic.Uint64 // the key's bytes, little-endian, zero-padded
}

// Slot states.
const (
	empty   = 0
	full    = 1
	deleted = 2
)

const (
	seqBits   = 0xffffffff
	stateMask = 3 << 37
)

func metaState(m uint64) uint64 { return m >> 37 & 3 }
func metaLen(m uint64) int      { return int(m >> 32 & 31) }

// packed is a key as a slot holds it, with its hash.
type packed struct {
	w [keyWords]uint64
	n int
	h uint64
}

// set makes k key, which must be at most inlineKey bytes; k.h is left to
// the caller. (Filling k in place, rather than returning a packed, spares
// the CPU a copy it would read back before the stores had landed.)
func (k *packed) set(key string) {
	n := len(key)
	k.n = n
	if n < 8 {
		var w uint64
		for i := n - 1; i >= 0; i-- {
			w = w<<8 | uint64(key[i])
		}
		k.w = [keyWords]uint64{w}
		return
	}
	k.w = [keyWords]uint64{}
	for i := 0; i+8 <= n; i += 8 {
		k.w[i>>3] = le64(key[i:])
	}
	if r := n & 7; r != 0 { // the last r bytes: the key's last eight, shifted
		k.w[n>>3] = le64(key[n-8:]) >> (64 - 8*r)
	}
}

// le64 returns s's first eight bytes as a little-endian word (one load).
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// meta returns the meta word of a settled slot holding k, sequence number
// zero.
func (k *packed) meta() uint64 {
	return uint64(k.n)<<32 | full<<37 | k.h>>24<<39
}

// String returns the key.
func (k *packed) String() string {
	var b [inlineKey]byte
	for i, w := range k.w {
		binary.LittleEndian.PutUint64(b[i*8:], w)
	}
	return string(b[:k.n])
}

// seed keys the hash of a registry's short keys.
type seed [4]uint64

func newSeed() (s seed) {
	for i := range s {
		s[i] = rand.Uint64()
	}
	return s
}

// hash returns k's hash under s. Keys of a names table are at most three
// words, so they are hashed as words, with wyhash's mix (a 128-bit
// product folded to 64 bits): a few instructions and no call, which
// matters because a lookup is mostly waiting for memory, and the fewer
// instructions each takes, the more of them the CPU keeps in flight.
func (s *seed) hash(k *packed) uint64 {
	a := fold(k.w[0]^s[0], k.w[1]^s[1])
	b := fold(k.w[2]^s[2], uint64(k.n)^s[3])
	return fold(a^s[1], b^s[2])
}

func fold(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func newNames(n int, mix *seed) *names {
	return &names{slots: make([]slot, n), mask: uint64(n - 1), mix: mix}
}

// holds reports whether s, whose meta word was m, holds k in a settled
// state. It compares every word without branching on any, so that the CPU
// goes on to the next lookup while this one waits for memory.
func (s *slot) holds(m uint64, k *packed) bool {
	return (m^k.meta())&^(seqBits-1)|
		(s.key[0].Load()^k.w[0])|(s.key[1].Load()^k.w[1])|(s.key[2].Load()^k.w[2]) == 0
}

// unpack returns the key of s, whose meta word was m (without its hash).
func (s *slot) unpack(m uint64) packed {
	k := packed{n: metaLen(m)}
	for i := range k.w {
		k.w[i] = s.key[i].Load()
	}
	return k
}

// find returns the PID held under k, without any lock. stable is false if
// a writer changed a slot while find read it (or the table was replaced),
// in which case the caller looks again.
func (t *names) find(k *packed) (pid uint64, found, stable bool) {
	for i := k.h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		m := s.meta.Load()
		if s.holds(m, k) {
			pid = s.pid.Load()
			if s.meta.Load() != m {
				return 0, false, false
			}
			return pid, true, !t.moved.Load()
		}
		if m&1 != 0 {
			return 0, false, false
		}
		if metaState(m) == empty {
			return 0, false, !t.moved.Load()
		}
	}
}

// lookup is find for callers that hold the partition's lock, under which
// nothing changes: it returns the slot holding k, or -1.
func (t *names) lookup(k *packed) int {
	for i := k.h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		m := s.meta.Load()
		if s.holds(m, k) {
			return int(i)
		}
		if metaState(m) == empty {
			return -1
		}
	}
}

// insert stores k under pid; k must not be present. The caller holds the
// partition's lock and has called [names.room].
func (t *names) insert(k *packed, pid uint64) {
	i := k.h & t.mask
	for metaState(t.slots[i].meta.Load()) == full {
		i = (i + 1) & t.mask
	}
	s := &t.slots[i]
	m := s.meta.Load()
	if metaState(m) == empty {
		t.used++
	}
	t.live++
	seq := uint32(m) + 1
	s.meta.Store(uint64(seq)) // odd: readers of this slot wait
	s.pid.Store(pid)
	for j, w := range k.w {
		s.key[j].Store(w)
	}
	s.meta.Store(uint64(seq+1) | k.meta())
}

// remove empties slot i. A slot followed by an empty one becomes empty
// (no probe goes past it), and so do the tombstones just before it;
// otherwise it becomes a tombstone.
func (t *names) remove(i int) {
	t.live--
	next := (uint64(i) + 1) & t.mask
	if metaState(t.slots[next].meta.Load()) != empty {
		t.setState(uint64(i), deleted)
		return
	}
	for j := uint64(i); ; j = (j - 1) & t.mask {
		t.setState(j, empty)
		t.used--
		if metaState(t.slots[(j-1)&t.mask].meta.Load()) != deleted {
			return
		}
	}
}

// setState changes slot i's state alone, bumping its sequence number so
// that a reader in the middle of the slot reads it again.
func (t *names) setState(i, state uint64) {
	s := &t.slots[i]
	m := s.meta.Load()
	s.meta.Store(uint64(uint32(m)+2) | m&^(seqBits|stateMask) | state<<37)
}

// room returns the table to insert into: t, or a rebuilt one when t is
// three quarters used (tombstones count).
func (t *names) room() *names {
	if (t.used+1)*4 <= len(t.slots)*3 {
		return t
	}
	return t.rebuild(t.live + 1)
}

// shrunk returns t, or a smaller rebuilt table when t is mostly empty, so
// that the memory of a million names that have gone is given back.
func (t *names) shrunk() *names {
	if len(t.slots) <= minSlots || t.live*16 >= len(t.slots) {
		return t
	}
	return t.rebuild(t.live)
}

// rebuild copies the live slots into a new table sized for n names: the
// smallest power of two that they fill less than half of. The caller
// publishes it, then marks t moved.
func (t *names) rebuild(n int) *names {
	size := minSlots
	for size <= 2*n {
		size *= 2
	}
	nt := newNames(size, t.mix)
	t.each(func(k *packed, pid uint64) bool {
		k.h = t.mix.hash(k)
		nt.insert(k, pid)
		return true
	})
	return nt
}

// each calls fn with every name in the table (its key without the hash)
// until fn returns false, and reports whether it saw them all. The caller
// holds the partition's lock.
func (t *names) each(fn func(k *packed, pid uint64) bool) bool {
	for i := range t.slots {
		s := &t.slots[i]
		m := s.meta.Load()
		if metaState(m) != full {
			continue
		}
		k := s.unpack(m)
		if !fn(&k, s.pid.Load()) {
			return false
		}
	}
	return true
}

// eachBelow calls fn with the names of the slots before end, in a table
// that has been replaced and no longer changes.
func (t *names) eachBelow(end int, fn func(k *packed)) {
	for i := range t.slots[:end] {
		s := &t.slots[i]
		if m := s.meta.Load(); metaState(m) == full {
			k := s.unpack(m)
			fn(&k)
		}
	}
}

// eachFrom calls fn with the names of slots i on, up to n of them, and
// returns the slot to go on from: len(t.slots) once it has seen them all.
// The caller holds the partition's lock.
func (t *names) eachFrom(i, n int, fn func(k *packed, pid uint64)) int {
	for ; i < len(t.slots) && n > 0; i++ {
		s := &t.slots[i]
		m := s.meta.Load()
		if metaState(m) != full {
			continue
		}
		k := s.unpack(m)
		fn(&k, s.pid.Load())
		n--
	}
	return i
}

// spin is how a reader waits for a writer in the middle of a slot: the
// writer holds the slot for a few stores, so trying again at once almost
// always succeeds; a writer that lost its thread is given the CPU.
func spin(tries int) {
	if tries > 64 {
		runtime.Gosched()
	}
}
