package shell

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/actorsh/actorsh/pkg/actor"
)

// output serialises everything a session prints: command results,
// narration of runtime events and what processes say. While a command
// runs, narration is held back and printed after the command's result,
// once the runtime has settled, so transcripts are the same every run.
type output struct {
	mu      sync.Mutex
	w       io.Writer
	json    bool
	holding bool
	held    []record
	history []record // the last events, for the events command

	// A process that has just been spawned may say something (a greeting
	// from its continue step) before the line that introduces it (the
	// spawn result, or its supervisor's "restarted as") is printed, since
	// the two happen on different goroutines. Its records wait in
	// deferred until it is introduced, so the output is the same every run.
	pending  map[actor.PID]bool
	deferred map[actor.PID][]record
	early    map[actor.PID]bool // introduced before their spawn was flushed
}

// record is one line of output: text for people, an object for --json.
type record struct {
	text string
	obj  map[string]any
	raw  string // already encoded JSON line(s), for --json

	clock      uint64    // the logical clock of the event (see actor.Process.Clock)
	subject    actor.PID // the process the record is about
	spawned    actor.PID // a process that has just started
	introduces actor.PID // a process this record introduces
}

const historySize = 1000

func (o *output) setWriter(w io.Writer) {
	o.mu.Lock()
	o.w = w
	o.mu.Unlock()
}

func (o *output) writeLocked(r record) {
	if o.json && r.raw != "" {
		io.WriteString(o.w, r.raw)
		return
	}
	if o.json {
		enc := json.NewEncoder(o.w)
		enc.SetEscapeHTML(false) // PIDs print as "<0.5.0>", not "\u003c0.5.0\u003e"
		if err := enc.Encode(r.obj); err != nil {
			enc.Encode(map[string]any{"type": "error", "error": err.Error()})
		}
		return
	}
	if r.text == "" {
		return
	}
	fmt.Fprintln(o.w, r.text)
}

// result prints a command's result at once.
func (o *output) result(r record) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writeLocked(r)
	o.introduceLocked(r.introduces, false)
}

// introduce ends the wait of pid's records without printing anything.
func (o *output) introduce(pid actor.PID) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.introduceLocked(pid, false)
}

// introduceLocked ends the wait of pid's records; with write, they are
// written now.
func (o *output) introduceLocked(pid actor.PID, write bool) {
	if pid.IsZero() {
		return
	}
	if !o.pending[pid] {
		if o.holding {
			if o.early == nil {
				o.early = map[actor.PID]bool{}
			}
			o.early[pid] = true
		}
		return
	}
	delete(o.pending, pid)
	if write {
		for _, d := range o.deferred[pid] {
			o.writeLocked(d)
		}
		delete(o.deferred, pid)
	}
}

// event prints a runtime event or a process's output, or holds it while
// a command runs.
func (o *output) event(r record) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if r.text != "" || o.json {
		if len(o.history) == historySize {
			copy(o.history, o.history[1:])
			o.history = o.history[:historySize-1]
		}
		o.history = append(o.history, r)
	}
	if o.holding {
		o.held = append(o.held, r)
		return
	}
	o.writeLocked(r)
}

// hold starts holding events back.
func (o *output) hold() {
	o.mu.Lock()
	o.holding = true
	o.mu.Unlock()
}

// flush prints what was held; with release, stops holding.
func (o *output) flush(release bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.pending == nil {
		o.pending = map[actor.PID]bool{}
		o.deferred = map[actor.PID][]record{}
	}
	// Records of processes introduced by a result since the last flush.
	for pid, ds := range o.deferred {
		if !o.pending[pid] {
			for _, d := range ds {
				o.writeLocked(d)
			}
			delete(o.deferred, pid)
		}
	}
	// Causal order, not arrival order: processes reacting to the same
	// event at once report on different goroutines in any order, but
	// their logical clocks (ties broken by PID) order them the same way
	// every run.
	sort.SliceStable(o.held, func(i, j int) bool {
		a, b := o.held[i], o.held[j]
		if a.clock != b.clock {
			return a.clock < b.clock
		}
		return a.subject.ID() < b.subject.ID()
	})
	for _, r := range o.held {
		if !r.spawned.IsZero() {
			if o.early[r.spawned] {
				delete(o.early, r.spawned)
			} else {
				o.pending[r.spawned] = true
			}
		}
		if !r.subject.IsZero() && o.pending[r.subject] {
			o.deferred[r.subject] = append(o.deferred[r.subject], r)
			continue
		}
		o.writeLocked(r)
		o.introduceLocked(r.introduces, true)
	}
	o.held = nil
	if release {
		o.holding = false
		var pids []actor.PID
		for pid := range o.deferred {
			pids = append(pids, pid)
		}
		sort.Slice(pids, func(i, j int) bool { return pids[i].ID() < pids[j].ID() })
		for _, pid := range pids {
			for _, d := range o.deferred[pid] {
				o.writeLocked(d)
			}
		}
		clear(o.pending)
		clear(o.deferred)
		clear(o.early)
	}
}

func (o *output) recent(n int) []record {
	o.mu.Lock()
	defer o.mu.Unlock()
	if n > len(o.history) || n <= 0 {
		n = len(o.history)
	}
	return append([]record(nil), o.history[len(o.history)-n:]...)
}
