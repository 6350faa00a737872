package shell

// This file holds the flight recorder: a small ring, always on, of what
// happened in the session (commands with their FILE:LINE, runtime events,
// what processes said, results, clock changes), in the order the
// transcript shows them. why, why-not, msc and expect read it; record
// start FILE writes it out as JSON lines and replay FILE runs a recording
// again (the schema is in help record).

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
)

// entryType says what an entry records.
type entryType uint8

const (
	entryCommand entryType = iota + 1 // a command, as typed, with where it came from
	entryEvent                        // a runtime event
	entryOutput                       // what a process said
	entryResult                       // a command's result
	entryClock                        // the time was made virtual or real, or moved on
	entryDropped                      // events the recorder could not keep while one command ran
	entryFailed                       // the command during which it is recorded failed
	entryCluster                      // a cluster event: a node joined, left, lost its lease; names released, claims refused
)

var entryTypeNames = [...]string{entryCommand: "command", entryEvent: "event", entryOutput: "output",
	entryResult: "result", entryClock: "clock", entryDropped: "dropped", entryFailed: "failed", entryCluster: "cluster"}

func (t entryType) String() string { return entryTypeNames[t] }

// entry is one thing the recorder keeps.
type entry struct {
	seq  int
	typ  entryType
	at   time.Time // the session's time when it happened
	cmd  int       // the command it happened during (its seq), 0 if none
	text string    // the command as typed; what was said or printed; the narration of an event; clock: virtual, real or advance
	// A command's place: its file and line, the command it ran inside
	// (source), and the lines of its body (kind new).
	file   string
	line   int
	parent int
	body   []string
	// An event, or who said an output.
	ev  actor.Event
	pid actor.PID
	by  actor.PID   // an exit: the supervisor that stopped the process, if one did
	cev *dist.Event // a cluster event
	// count is a dropped entry's number of events; a clock advance's
	// duration is d.
	count int
	d     time.Duration

	clock uint64 // the logical clock, which orders what one command caused
}

// ringSize is how many entries the recorder keeps: enough for why and
// msc about the last few hundred commands, small enough to be always on.
const ringSize = 10_000

// recorder is the flight recorder. Events come from the runtime's
// goroutines; the rest from the session's.
type recorder struct {
	mu      sync.Mutex
	ring    []entry // a ring once full: ring[next] is the oldest
	next    int
	seq     int     // the last seq given
	open    []int   // the commands running now, innermost last
	pending []entry // what the running command caused, put in causal order when it ends
	keys    []sortKey
	file    *recording // record start's file, or nil
	// tap, if set, sees every entry as it goes into the ring (a replay
	// keeps them all, however many the ring lets go).
	tap func(entry)
	// now is the session's clock, read for an entry that is kept.
	now func() time.Time
	// full is set while the running command's pending entries are at
	// their bound: what comes then is only counted, without the lock.
	full    atomic.Bool
	dropped atomic.Int64
}

// recording is a file record start writes to.
type recording struct {
	path    string
	f       *os.File
	w       *bufio.Writer
	entries int
	err     error
}

// command records a command about to run and returns its seq.
func (r *recorder) command(text string, at location, now time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushLocked()
	e := entry{typ: entryCommand, at: now, text: text, file: at.file, line: at.line}
	if len(r.open) > 0 {
		e.parent = r.open[len(r.open)-1]
		e.cmd = e.parent
	}
	seq := r.appendLocked(e)
	r.open = append(r.open, seq)
	return seq
}

// body records the lines a command read after its own (kind new's body).
func (r *recorder) body(seq int, lines []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.getLocked(seq); e != nil {
		e.body = lines
	}
}

// done records that the command seq finished, and how: what it caused
// goes into the ring in causal order.
func (r *recorder) done(seq int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushLocked()
	if err != nil && !errors.Is(err, errExit) {
		r.appendLocked(entry{typ: entryFailed, cmd: seq, text: err.Error()})
	}
	if n := len(r.open); n > 0 && r.open[n-1] == seq {
		r.open = r.open[:n-1]
	}
}

// flush puts what happened so far into the ring, as the output prints it.
func (r *recorder) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushLocked()
}

// add records what happened: at once between commands, in causal order
// when the running command ends.
func (r *recorder) add(e entry) {
	if r.full.Load() {
		r.dropped.Add(1)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.now != nil {
		e.at = r.now()
	}
	if len(r.open) == 0 {
		r.appendLocked(e)
		return
	}
	e.cmd = r.open[len(r.open)-1]
	if len(r.pending) >= ringSize {
		r.full.Store(true)
		r.dropped.Add(1)
		return
	}
	r.pending = append(r.pending, e)
}

// counting reports that the running command's entries are at their
// bound, so that a caller can count what happened without building an
// entry for it.
func (r *recorder) counting() bool {
	if r.full.Load() {
		r.dropped.Add(1)
		return true
	}
	return false
}

// addNow records what a command itself does (its result, a clock change),
// after what it caused so far.
func (r *recorder) addNow(e entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushLocked()
	if len(r.open) > 0 {
		e.cmd = r.open[len(r.open)-1]
	}
	r.appendLocked(e)
}

func (r *recorder) flushLocked() {
	// The order of output.flush: logical clocks, ties broken by PID. The
	// keys are sorted, not the entries, which are large.
	keys := r.keys[:0]
	for i := range r.pending {
		e := &r.pending[i]
		keys = append(keys, sortKey{clock: e.clock, id: subjectOf(e).ID(), i: int32(i)})
	}
	slices.SortStableFunc(keys, func(a, b sortKey) int {
		if c := cmp.Compare(a.clock, b.clock); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	for _, k := range keys {
		r.appendLocked(r.pending[k.i])
	}
	r.keys = keys[:0]
	clear(r.pending)
	r.pending = r.pending[:0]
	r.full.Store(false)
	if n := r.dropped.Swap(0); n > 0 {
		e := entry{typ: entryDropped, count: int(n)}
		if len(r.open) > 0 {
			e.cmd = r.open[len(r.open)-1]
		}
		r.appendLocked(e)
	}
}

// sortKey orders a pending entry.
type sortKey struct {
	clock, id uint64
	i         int32
}

// subjectOf is the process an entry is about, as output orders records.
func subjectOf(e *entry) actor.PID {
	if e.typ == entryOutput {
		return e.pid
	}
	switch e.ev.Kind {
	case actor.EventSpawned, actor.EventGaveUp, actor.EventRestartFailed:
		return actor.PID{}
	}
	return e.ev.PID
}

func (r *recorder) appendLocked(e entry) int {
	r.seq++
	e.seq = r.seq
	if len(r.ring) < ringSize {
		r.ring = append(r.ring, e)
	} else {
		r.ring[r.next] = e
		r.next = (r.next + 1) % ringSize
	}
	if r.file != nil {
		r.file.write(e)
	}
	if r.tap != nil {
		r.tap(e)
	}
	return e.seq
}

// getLocked returns the entry seq, if the ring still holds it.
func (r *recorder) getLocked(seq int) *entry {
	first := r.seq - len(r.ring) + 1
	if seq < first || seq > r.seq {
		return nil
	}
	return &r.ring[(r.next+seq-first)%len(r.ring)]
}

// entries returns a copy of the ring, oldest first.
func (r *recorder) entries() []entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.entriesLocked()
}

func (r *recorder) entriesLocked() []entry {
	return append(append([]entry(nil), r.ring[r.next:]...), r.ring[:r.next]...)
}

// span says how many entries the ring holds, and the first and last seq.
func (r *recorder) span() (n, first, last int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.ring) == 0 {
		return 0, 0, 0
	}
	return len(r.ring), r.seq - len(r.ring) + 1, r.seq
}

// save writes what the ring holds to path, after a header, and says how
// many entries.
func (r *recorder) save(path string, header map[string]any) (int, error) {
	r.flush()
	entries := r.entries()
	if len(entries) > 0 {
		header["seq"] = entries[0].seq
		header["whole"] = entries[0].seq == 1
	}
	header["setup"] = 0
	f, err := os.Create(path)
	if err != nil {
		return 0, createError(path, err)
	}
	rec := &recording{path: path, f: f, w: bufio.NewWriter(f)}
	rec.line(header)
	for _, e := range entries {
		rec.write(e)
	}
	if err := rec.w.Flush(); err != nil && rec.err == nil {
		rec.err = err
	}
	if err := f.Close(); err != nil && rec.err == nil {
		rec.err = err
	}
	if rec.err != nil {
		return 0, fmt.Errorf("writing %s: %w", path, rec.err)
	}
	return rec.entries, nil
}

// lastSeq is the seq of the newest entry.
func (r *recorder) lastSeq() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seq
}

// start begins writing every entry from now on to path, after a header.
func (r *recorder) start(path string, header map[string]any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.file != nil {
		return fmt.Errorf("already recording to %s: record stop first", r.file.path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return createError(path, err)
	}
	r.flushLocked()
	// The commands so far go first, marked setup: a replay runs them to
	// get to where the recording began, and checks from there.
	var setup []entry
	for _, e := range r.entriesLocked() {
		if e.typ == entryCommand {
			setup = append(setup, e)
		}
	}
	header["seq"] = r.seq + 1
	header["setup"] = len(setup)
	header["whole"] = len(r.ring) == 0 || r.ring[r.next].seq == 1 // the ring still holds the session's start
	rec := &recording{path: path, f: f, w: bufio.NewWriter(f)}
	rec.line(header)
	for _, e := range setup {
		o := entryObject(e)
		o["setup"] = true
		rec.line(o)
	}
	r.file = rec
	return nil
}

// stop ends the recording and says where it went and how much.
func (r *recorder) stop() (path string, entries int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.file == nil {
		return "", 0, errNotRecording
	}
	r.flushLocked()
	rec := r.file
	r.file = nil
	if err := rec.w.Flush(); err != nil && rec.err == nil {
		rec.err = err
	}
	if err := rec.f.Close(); err != nil && rec.err == nil {
		rec.err = err
	}
	return rec.path, rec.entries, rec.err
}

// recordingTo is the file being recorded to, or "".
func (r *recorder) recordingTo() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.file == nil {
		return ""
	}
	return r.file.path
}

// errNotRecording is record stop with no recording.
var errNotRecording = errors.New("not recording: record start FILE begins")

// plainText is text without the terminal's colour codes.
func plainText(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// close ends a recording the session left running.
func (r *recorder) close() {
	if r.recordingTo() != "" {
		r.stop()
	}
}

func (rec *recording) write(e entry) {
	rec.entries++
	rec.line(entryObject(e))
}

func (rec *recording) line(obj map[string]any) {
	if rec.err != nil {
		return
	}
	enc := json.NewEncoder(rec.w)
	enc.SetEscapeHTML(false)
	rec.err = enc.Encode(obj)
}

// entryObject is an entry's line in a recording (see help record).
func entryObject(e entry) map[string]any {
	var o map[string]any
	switch e.typ {
	case entryEvent:
		o = eventObject(e.ev)
		o["clock"] = e.ev.Clock
	case entryOutput:
		o = map[string]any{"pid": e.pid.String(), "text": e.text}
	case entryCommand:
		o = map[string]any{"cmd": e.text}
		if e.file != "" {
			o["file"], o["line"] = e.file, e.line
		}
		if e.parent != 0 {
			o["parent"] = e.parent
		}
		if len(e.body) > 0 {
			o["body"] = e.body
		}
	case entryResult:
		o = map[string]any{"text": e.text}
	case entryClock:
		o = map[string]any{"clock": e.text}
		if e.d != 0 {
			o["advance"] = e.d.String()
		}
	case entryDropped:
		o = map[string]any{"count": e.count}
	case entryFailed:
		o = map[string]any{"error": e.text}
	case entryCluster:
		o = clusterEventObject(*e.cev)
		o["text"] = e.text
	}
	o["type"] = e.typ.String()
	o["seq"] = e.seq
	if !e.at.IsZero() {
		o["time"] = e.at.UTC().Format(time.RFC3339Nano)
	}
	if e.cmd != 0 && e.typ != entryCommand {
		o["during"] = e.cmd
	}
	return o
}
