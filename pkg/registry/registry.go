package registry

import (
	"errors"
	"fmt"
	"hash/maphash"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/actorsh/actorsh/pkg/actor"
)

// KeyMode is the kind of a registry: whether a key names one process or
// many, as Registry's :keys option.
type KeyMode uint8

const (
	// Unique registries map each key to at most one process, like
	// keys: :unique. Only unique registries give via names.
	Unique KeyMode = iota
	// Duplicate registries map a key to any number of processes (and a
	// process to a key any number of times), like keys: :duplicate: for
	// pub/sub with Dispatch.
	Duplicate
)

// String returns unique or duplicate.
func (k KeyMode) String() string {
	if k == Duplicate {
		return "duplicate"
	}
	return "unique"
}

// Options configures [New]. The zero value is a unique registry.
type Options struct {
	// Name identifies the registry in events, errors and the shell.
	Name string
	// Keys is Unique (the zero value) or Duplicate.
	Keys KeyMode
	// Partitions is how many independently locked partitions the registry
	// is split into, as Registry's :partitions option. Zero picks four per
	// CPU (at least 8), which suits most uses; 1 gives a single lock.
	Partitions int
}

// Entry is one registration: a process and the value it registered with.
type Entry struct {
	PID   actor.PID
	Value any
}

// KeyEntry is an Entry with its key, as returned by [Registry.Select].
type KeyEntry struct {
	Key   string
	PID   actor.PID
	Value any
}

// Errors.
var (
	// ErrAlreadyRegistered matches every [AlreadyRegisteredError].
	ErrAlreadyRegistered = errors.New("already_registered")
	// ErrNotUnique is returned for operations that need a unique registry
	// (via names, UpdateValue) on a duplicate one.
	ErrNotUnique = errors.New("registry: via names need a unique registry")
)

// AlreadyRegisteredError is returned when a key of a unique registry is
// taken, like {:error, {:already_registered, pid}}.
type AlreadyRegisteredError struct {
	Registry string
	Key      string
	PID      actor.PID // the holder
}

func (e *AlreadyRegisteredError) Error() string {
	return "already_registered: " + quote(e.Key) + " is " + e.PID.String()
}

// Is reports a match with ErrAlreadyRegistered.
func (e *AlreadyRegisteredError) Is(target error) bool { return target == ErrAlreadyRegistered }

// Holder returns the process that holds the key, so that a Spawn under a
// via name that is taken reports it (actor.Namer).
func (e *AlreadyRegisteredError) Holder() actor.PID { return e.PID }

func quote(s string) string {
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// Registry is a string-keyed process registry, the Go form of Elixir's
// Registry. It is a data structure, not a process: it starts no goroutine,
// and its methods may be called from any goroutine. See the package
// documentation for its guarantees.
type Registry struct {
	rt    *actor.Runtime
	name  string
	keys  KeyMode
	seed  maphash.Seed // hashes long keys and duplicate registries' keys
	mix   seed         // hashes short keys of unique registries
	parts []partition

	metaMu sync.RWMutex
	meta   map[string]any
}

// A partition of a unique registry keeps keys of up to inlineKey bytes in
// a names table, which WhereIs reads without taking the lock, and longer
// keys in a map; values other than nil live beside them in vals. A
// partition of a duplicate registry keeps everything in dup.
type partition struct {
	mu   sync.RWMutex // held by writers, and by readers other than WhereIs
	tab  atomic.Pointer[names]
	long map[string]actor.PID
	vals map[string]any
	dup  map[string]map[actor.PID][]any
	n    int    // entries
	gen  uint64 // counts writes, so that a callback run unlocked can tell whether it still applies
	_    [64]byte
}

// replace publishes t's rebuilt table nt.
func (p *partition) replace(t, nt *names) {
	if nt != t {
		p.tab.Store(nt)
		t.moved.Store(true)
	}
}

// holder returns the process holding key in a unique registry; k and
// short are as [Registry.locate] left them. The caller holds the lock.
func (p *partition) holder(key string, k *packed, short bool) (actor.PID, bool) {
	if !short {
		pid, ok := p.long[key]
		return pid, ok
	}
	t := p.tab.Load()
	if i := t.lookup(k); i >= 0 {
		return actor.PIDOf(t.slots[i].pid.Load()), true
	}
	return actor.PID{}, false
}

// Scan copies a names table's entries under the partition's lock a chunk
// at a time: the first chunk small, for callers that want a few names of
// millions, then larger ones.
const (
	firstScanChunk = 32
	maxScanChunk   = 1024
)

// scan calls fn with the partition's entries until it returns false, and
// reports whether it saw them all. fn runs with no lock held: the names
// table is copied a chunk at a time under the read lock, going on from
// the slot where the last chunk ended (a name does not move within a
// table); if the table was rebuilt in between, the scan starts again on
// the new one and skips the names it has delivered (those of the old
// table's slots it went past: a table that has been replaced no longer
// changes). The maps (a duplicate registry's entries, keys too long for a
// slot) are copied whole.
func (p *partition) scan(fn func(key string, pid actor.PID, value any) bool) bool {
	var (
		batch []KeyEntry
		t     *names
		next  int
		chunk = firstScanChunk
		skip  map[string]bool
	)
	deliver := func() bool {
		for i := range batch {
			if !fn(batch[i].Key, batch[i].PID, batch[i].Value) {
				return false
			}
			batch[i] = KeyEntry{}
		}
		batch = batch[:0]
		return true
	}
	for {
		p.mu.RLock()
		cur := p.tab.Load()
		if cur == nil {
			p.mu.RUnlock()
			break
		}
		if t != nil && cur != t {
			if skip == nil {
				skip = make(map[string]bool)
			}
			t.eachBelow(next, func(k *packed) { skip[k.String()] = true })
			next = 0
		}
		t = cur
		next = t.eachFrom(next, chunk, func(k *packed, pid uint64) {
			if key := k.String(); !skip[key] {
				batch = append(batch, KeyEntry{Key: key, PID: actor.PIDOf(pid), Value: p.vals[key]})
			}
		})
		done := next >= len(t.slots)
		p.mu.RUnlock()
		if !deliver() {
			return false
		}
		if done {
			break
		}
		chunk = min(2*chunk, maxScanChunk)
	}
	p.mu.RLock()
	for k, m := range p.dup {
		for pid, vals := range m {
			for _, v := range vals {
				batch = append(batch, KeyEntry{Key: k, PID: pid, Value: v})
			}
		}
	}
	for key, pid := range p.long {
		batch = append(batch, KeyEntry{Key: key, PID: pid, Value: p.vals[key]})
	}
	p.mu.RUnlock()
	return deliver()
}

var (
	_ actor.Namer   = (*Registry)(nil)
	_ actor.Cleaner = (*Registry)(nil)
)

// New returns an empty registry whose entries belong to processes of rt.
func New(rt *actor.Runtime, opts Options) *Registry {
	n := opts.Partitions
	if n <= 0 {
		n = max(8, 4*runtime.GOMAXPROCS(0))
	}
	r := &Registry{rt: rt, name: opts.Name, keys: opts.Keys, seed: maphash.MakeSeed(), mix: newSeed(), parts: make([]partition, n)}
	for i := range r.parts {
		if r.keys == Unique {
			r.parts[i].tab.Store(newNames(minSlots, &r.mix))
			r.parts[i].long = make(map[string]actor.PID)
			r.parts[i].vals = make(map[string]any)
		} else {
			r.parts[i].dup = make(map[string]map[actor.PID][]any)
		}
	}
	return r
}

// Name returns the registry's name.
func (r *Registry) Name() string { return r.name }

// String returns the registry's name.
func (r *Registry) String() string { return r.name }

// Kind returns Unique or Duplicate.
func (r *Registry) Kind() KeyMode { return r.keys }

// Partitions returns the number of partitions.
func (r *Registry) Partitions() int { return len(r.parts) }

// locate returns key's partition. In a unique registry, a key a names
// slot can hold is short: locate fills k with it and its hash.
func (r *Registry) locate(key string, k *packed) (p *partition, short bool) {
	var h uint64
	if short = r.keys == Unique && len(key) <= inlineKey; short {
		k.set(key)
		h = r.mix.hash(k)
		k.h = h
	} else {
		h = maphash.String(r.seed, key)
	}
	return r.partOf(h), short
}

// partOf returns the partition of a key with hash h: it comes from the
// hash's high bits, and the slot in a names table from its low bits.
func (r *Registry) partOf(h uint64) *partition {
	return &r.parts[(h>>32)*uint64(len(r.parts))>>32]
}

// Register registers pid under key with value, like Registry.register/3
// (which registers the calling process: from a callback, pass p.Self()).
//
// In a unique registry a taken key fails with an [AlreadyRegisteredError]
// naming the holder, even if the holder is pid. In a duplicate registry
// every call adds an entry. It fails with actor.ErrNoProc if pid is not
// alive. The entry is removed when pid exits, before any link, monitor or
// supervisor hears of the exit.
func (r *Registry) Register(pid actor.PID, key string, value any) error {
	var k packed
	p, short := r.locate(key, &k)
	err := r.rt.Hooks().Attach(pid, r, key, func() error {
		p.mu.Lock()
		defer p.mu.Unlock()
		if r.keys == Unique {
			if holder, ok := p.holder(key, &k, short); ok {
				return &AlreadyRegisteredError{Registry: r.name, Key: key, PID: holder}
			}
			if !short {
				p.long[key] = pid
			} else {
				t := p.tab.Load()
				nt := t.room()
				p.replace(t, nt)
				nt.insert(&k, pid.ID())
			}
			if value != nil {
				p.vals[key] = value
			}
		} else {
			m := p.dup[key]
			if m == nil {
				m = make(map[actor.PID][]any, 1)
				p.dup[key] = m
			}
			m[pid] = append(m[pid], value)
		}
		p.n++
		p.gen++
		return nil
	})
	if err == nil && r.rt.Hooks().Listening() {
		r.rt.Hooks().Emit(actor.Event{Kind: actor.EventRegistered, PID: pid, Name: key, Detail: r.name, Clock: r.rt.Hooks().Clock(pid)})
	}
	return err
}

// Unregister removes pid's entries under key, like Registry.unregister/2.
// It does nothing if there are none. In a duplicate registry it costs in
// proportion to pid's own entries, however many processes share the key.
func (r *Registry) Unregister(pid actor.PID, key string) {
	r.unregister(pid, key, nil, 0)
}

// UnregisterMatch removes those of pid's entries under key whose value
// satisfies match, like Registry.unregister_match/4. match runs with no
// lock held, so it may call r and the runtime; if the entries change
// meanwhile, it runs again on the new ones. A panic in match is returned
// as an actor.PanicError, and nothing is removed.
func (r *Registry) UnregisterMatch(pid actor.PID, key string, match func(value any) bool) error {
	for {
		vals, gen := r.valuesAt(pid, key)
		if len(vals) == 0 {
			return nil
		}
		drop, err := matches(vals, match)
		if err != nil {
			return err
		}
		if !slices.Contains(drop, true) {
			return nil
		}
		if r.unregister(pid, key, drop, gen) {
			return nil
		}
	}
}

// matches runs match over vals, turning a panic into an error.
func matches(vals []any, match func(any) bool) (drop []bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("registry: match: %w", actor.NewPanicError(p))
		}
	}()
	drop = make([]bool, len(vals))
	for i, v := range vals {
		drop[i] = match(v)
	}
	return drop, nil
}

// unregister removes pid's entries under key: all (drop is nil) or those
// whose place drop marks in the list valuesAt returned at gen. It reports
// false if the partition changed since gen, and then removes nothing.
func (r *Registry) unregister(pid actor.PID, key string, drop []bool, gen uint64) (done bool) {
	removed, stale := false, false
	r.rt.Hooks().Detach(pid, r, key, func() (gone bool) {
		removed, gone, stale = r.remove(pid, key, drop, gen)
		return gone
	})
	if removed && r.rt.Hooks().Listening() {
		r.rt.Hooks().Emit(actor.Event{Kind: actor.EventUnregistered, PID: pid, Name: key, Detail: r.name, Clock: r.rt.Hooks().Clock(pid)})
	}
	return !stale
}

// valuesAt returns pid's values under key, in their stored order, and the
// partition's write count then.
func (r *Registry) valuesAt(pid actor.PID, key string) ([]any, uint64) {
	var k packed
	p, short := r.locate(key, &k)
	p.mu.RLock()
	defer p.mu.RUnlock()
	if r.keys == Unique {
		if holder, ok := p.holder(key, &k, short); ok && holder == pid {
			return []any{p.vals[key]}, p.gen
		}
		return nil, p.gen
	}
	return slices.Clone(p.dup[key][pid]), p.gen
}

// remove deletes pid's entries under key (with drop, those it marks, if
// the partition is still at gen; stale reports it was not) and reports
// whether any went, and whether pid holds none under key now.
func (r *Registry) remove(pid actor.PID, key string, drop []bool, gen uint64) (removed, gone, stale bool) {
	var k packed
	p, short := r.locate(key, &k)
	p.mu.Lock()
	defer p.mu.Unlock()
	if drop != nil && p.gen != gen {
		return false, false, true
	}
	if r.keys == Unique {
		if holder, ok := p.holder(key, &k, short); !ok || holder != pid {
			return false, true, false
		}
		if drop != nil && !drop[0] {
			return false, false, false
		}
		p.gen++
		if short {
			t := p.tab.Load()
			t.remove(t.lookup(&k))
			p.replace(t, t.shrunk())
		} else {
			delete(p.long, key)
		}
		delete(p.vals, key)
		p.n--
		return true, true, false
	}
	m := p.dup[key]
	vals, ok := m[pid]
	if !ok {
		return false, true, false
	}
	p.gen++
	if drop == nil {
		delete(m, pid)
		p.n -= len(vals)
	} else {
		kept := vals[:0]
		for i, v := range vals {
			if !drop[i] {
				kept = append(kept, v)
			}
		}
		p.n -= len(vals) - len(kept)
		if len(kept) == 0 {
			delete(m, pid)
		} else {
			m[pid] = kept
		}
	}
	if len(m) == 0 {
		delete(p.dup, key)
	}
	return true, len(m[pid]) == 0, false
}

// ProcessExited implements actor.Cleaner: the runtime calls it when pid
// exits, once per key pid held here.
func (r *Registry) ProcessExited(pid actor.PID, key string) {
	r.remove(pid, key, nil, 0)
}

// Lookup returns the entries under key, like Registry.lookup/2: at most
// one in a unique registry; in a duplicate registry, in no particular
// order. Every PID returned was alive when its entry was read.
func (r *Registry) Lookup(key string) []Entry {
	var k packed
	p, short := r.locate(key, &k)
	p.mu.RLock()
	defer p.mu.RUnlock()
	if r.keys == Unique {
		if pid, ok := p.holder(key, &k, short); ok {
			return []Entry{{PID: pid, Value: p.vals[key]}}
		}
		return nil
	}
	m := p.dup[key]
	out := make([]Entry, 0, len(m))
	for pid, vals := range m {
		for _, v := range vals {
			out = append(out, Entry{PID: pid, Value: v})
		}
	}
	return out
}

// WhereIs returns the process registered under key in a unique registry
// (actor.Namer). It allocates nothing, and for keys of up to 24 bytes it
// takes no lock: lookups from any number of goroutines never wait for
// each other. In a duplicate registry it reports false.
func (r *Registry) WhereIs(key string) (actor.PID, bool) {
	if len(key) > inlineKey || r.keys != Unique {
		return r.whereIsLong(key)
	}
	// r.locate, spelled out: as a call it costs this path 8 ns in 95.
	var k packed
	k.set(key)
	k.h = r.mix.hash(&k)
	p := r.partOf(k.h)
	pid, found, stable := p.tab.Load().find(&k)
	if !stable {
		return p.findAgain(&k)
	}
	return actor.PIDOf(pid), found
}

// findAgain is WhereIs after it met a writer: it looks until no writer
// gets in the way.
func (p *partition) findAgain(k *packed) (actor.PID, bool) {
	for tries := 0; ; tries++ {
		spin(tries)
		if pid, found, stable := p.tab.Load().find(k); stable {
			return actor.PIDOf(pid), found
		}
	}
}

// whereIsLong is WhereIs for keys longer than a names slot holds, and for
// duplicate registries, which have no names.
func (r *Registry) whereIsLong(key string) (actor.PID, bool) {
	if r.keys != Unique {
		return actor.PID{}, false
	}
	p := r.partOf(maphash.String(r.seed, key))
	p.mu.RLock()
	pid, ok := p.long[key]
	p.mu.RUnlock()
	return pid, ok
}

// RegisterName implements actor.Namer for via names: it registers pid
// under name with a nil value. Via names need a unique registry.
func (r *Registry) RegisterName(name string, pid actor.PID) error {
	if r.keys != Unique {
		return ErrNotUnique
	}
	return r.Register(pid, name, nil)
}

// UnregisterName implements actor.Namer.
func (r *Registry) UnregisterName(name string, pid actor.PID) { r.Unregister(pid, name) }

// Via returns a via name in r, for actor.SpawnOptions.Name.
func (r *Registry) Via(key string) actor.Name { return actor.Via(r, key) }

// Keys returns the keys pid holds in r, sorted, like Registry.keys/2. It
// costs in proportion to pid's own entries.
func (r *Registry) Keys(pid actor.PID) []string {
	keys := r.rt.Hooks().Attached(pid, r)
	slices.Sort(keys)
	return keys
}

// Values returns the values pid registered under key, like
// Registry.values/3.
func (r *Registry) Values(key string, pid actor.PID) []any {
	vals, _ := r.valuesAt(pid, key)
	return vals
}

// UpdateValue replaces the value pid holds under key in a unique registry
// with update(old), like Registry.update_value/3. It fails if pid does not
// hold key. update runs with no lock held, so it may call r and the
// runtime; if the partition changes meanwhile, it runs again on the new
// value. A panic in update is returned as an actor.PanicError, and
// nothing changes.
func (r *Registry) UpdateValue(pid actor.PID, key string, update func(old any) any) (newValue, oldValue any, err error) {
	if r.keys != Unique {
		return nil, nil, ErrNotUnique
	}
	var k packed
	p, short := r.locate(key, &k)
	for {
		p.mu.RLock()
		holder, ok := p.holder(key, &k, short)
		oldValue, gen := p.vals[key], p.gen
		p.mu.RUnlock()
		if !ok || holder != pid {
			return nil, nil, errors.New("registry: " + pid.String() + " does not hold " + quote(key))
		}
		if newValue, err = updated(update, oldValue); err != nil {
			return nil, oldValue, err
		}
		p.mu.Lock()
		if p.gen != gen {
			p.mu.Unlock()
			continue
		}
		p.gen++
		if newValue == nil {
			delete(p.vals, key)
		} else {
			p.vals[key] = newValue
		}
		p.mu.Unlock()
		return newValue, oldValue, nil
	}
}

// updated runs update, turning a panic into an error.
func updated(update func(any) any, old any) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("registry: update: %w", actor.NewPanicError(p))
		}
	}()
	return update(old), nil
}

// Count returns the number of entries, like Registry.count/1.
func (r *Registry) Count() int {
	n := 0
	for i := range r.parts {
		p := &r.parts[i]
		p.mu.RLock()
		n += p.n
		p.mu.RUnlock()
	}
	return n
}

// CountKey returns the number of entries under key.
func (r *Registry) CountKey(key string) int {
	return r.CountMatch(key, nil)
}

// CountMatch returns the number of entries under key whose value
// satisfies match (all, if match is nil), like Registry.count_match/3.
func (r *Registry) CountMatch(key string, match func(value any) bool) int {
	n := 0
	for _, e := range r.Lookup(key) {
		if match == nil || match(e.Value) {
			n++
		}
	}
	return n
}

// Match returns the entries under key whose value satisfies match, like
// Registry.match/3 with a pattern.
func (r *Registry) Match(key string, match func(value any) bool) []Entry {
	all := r.Lookup(key)
	out := all[:0]
	for _, e := range all {
		if match(e.Value) {
			out = append(out, e)
		}
	}
	return out
}

// Select returns every entry for which keep returns true (all, if keep is
// nil), like Registry.select/2, in no particular order. keep runs with no
// lock held (see [Registry.Scan]).
func (r *Registry) Select(keep func(key string, pid actor.PID, value any) bool) []KeyEntry {
	var out []KeyEntry
	r.Scan(func(k string, pid actor.PID, v any) bool {
		if keep == nil || keep(k, pid, v) {
			out = append(out, KeyEntry{Key: k, PID: pid, Value: v})
		}
		return true
	})
	return out
}

// Scan calls fn for entries until it returns false, partition by
// partition, in no particular order, and reports whether it saw them all.
// Unlike Select it can stop early, so a caller that wants a few matches
// from millions of entries does not pay for them all. fn runs with no
// lock held (entries are copied a few hundred at a time), so it may call r
// and the runtime; entries that change meanwhile may or may not be seen,
// and none is seen twice. A panic in fn reaches the caller.
func (r *Registry) Scan(fn func(key string, pid actor.PID, value any) bool) bool {
	for i := range r.parts {
		if !r.parts[i].scan(fn) {
			return false
		}
	}
	return true
}

// Dispatch calls fn with the entries under key, if there are any, like
// Registry.dispatch/3: the way to publish to every subscriber of a key.
// fn runs without the registry locked. Dispatch returns the number of
// entries.
func (r *Registry) Dispatch(key string, fn func([]Entry)) int {
	entries := r.Lookup(key)
	if len(entries) > 0 {
		fn(entries)
	}
	return len(entries)
}

// Meta returns the registry metadata stored under key, like
// Registry.meta/2.
func (r *Registry) Meta(key string) (any, bool) {
	r.metaMu.RLock()
	defer r.metaMu.RUnlock()
	v, ok := r.meta[key]
	return v, ok
}

// PutMeta stores registry metadata, like Registry.put_meta/3.
func (r *Registry) PutMeta(key string, value any) {
	r.metaMu.Lock()
	defer r.metaMu.Unlock()
	if r.meta == nil {
		r.meta = make(map[string]any)
	}
	r.meta[key] = value
}

// DeleteMeta removes registry metadata, like Registry.delete_meta/2.
func (r *Registry) DeleteMeta(key string) {
	r.metaMu.Lock()
	defer r.metaMu.Unlock()
	delete(r.meta, key)
}
