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
	dropped int      // events not held because maxHeld were already
	history []record // the last events, for the events command: a ring once full
	next    int      // where the next record goes in a full history
	// rec is the session's flight recorder, which keeps results and
	// puts what a command caused in order when the output does.
	rec *recorder
	// capture, if set, takes the running command's results instead of
	// the writer (the observer's commands; events print as ever).
	capture func(record)
}

// writeRaw writes b to the output's writer under its lock: the lab's
// other nodes print their lines through the session's output this way.
func (o *output) writeRaw(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.w.Write(b)
}

// maxHeld is how many events a command's output holds back at most: past
// it, events are counted and not kept, so that memory stays bounded while
// a long command runs beside a busy process (a ticker during a 25 s call
// once held millions).
const maxHeld = 10_000

// record is one line of output: text for people, an object for --json.
type record struct {
	text string
	obj  map[string]any
	raw  string // already encoded JSON line(s), for --json

	clock   uint64    // the logical clock of the event (see actor.Process.Clock)
	subject actor.PID // the process the record is about
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
	if o.rec != nil && r.text != "" {
		o.rec.addNow(entry{typ: entryResult, text: plainText(r.text)})
	}
	if o.capture != nil {
		o.capture(r)
		return
	}
	o.writeLocked(r)
}

// event prints a runtime event or a process's output, or holds it while
// a command runs.
func (o *output) event(r record) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if r.text != "" || o.json {
		// A ring: the oldest record gives way, and nothing is copied.
		if len(o.history) < historySize {
			o.history = append(o.history, r)
		} else {
			o.history[o.next] = r
			o.next = (o.next + 1) % historySize
		}
	}
	if o.holding {
		if len(o.held) >= maxHeld {
			o.dropped++
			return
		}
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
	if o.rec != nil {
		o.rec.flush()
	}
	// Causal order, not arrival order: processes reacting to the same
	// event at once report on different goroutines in any order, but
	// their logical clocks (ties broken by PID) order them the same way
	// every run. So does a new process's greeting, which comes after the
	// supervisor's "restarted as" that started it.
	sort.SliceStable(o.held, func(i, j int) bool {
		a, b := o.held[i], o.held[j]
		if a.clock != b.clock {
			return a.clock < b.clock
		}
		return a.subject.ID() < b.subject.ID()
	})
	for _, r := range o.held {
		o.writeLocked(r)
	}
	o.held = nil
	if o.dropped > 0 {
		n := o.dropped
		o.dropped = 0
		o.writeLocked(record{text: fmt.Sprintf("... and %d more events not shown (more than %d while one command ran; events N shows the last)", n, maxHeld),
			obj: map[string]any{"type": "events_not_shown", "count": n}})
	}
	if release {
		o.holding = false
	}
}

func (o *output) recent(n int) []record {
	o.mu.Lock()
	defer o.mu.Unlock()
	ordered := append(append([]record(nil), o.history[o.next:]...), o.history[:o.next]...)
	if n > len(ordered) || n <= 0 {
		n = len(ordered)
	}
	return ordered[len(ordered)-n:]
}
