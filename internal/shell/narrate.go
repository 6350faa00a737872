package shell

import (
	"errors"
	"fmt"
	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/actorsh/actorsh/pkg/starkind"
	"strings"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// onEvent turns a runtime event into narration: one readable line in text
// mode (for the events a learner needs), one JSON object for every event
// in --json mode.
func (s *Session) onEvent(e actor.Event) {
	s.mu.Lock()
	narrate := s.narrate
	s.trackRetryLocked(e)
	stopper := s.trackStopperLocked(e)
	s.keepCrashLocked(e)
	s.mu.Unlock()
	text := ""
	if narrate {
		text = s.describe(e, stopper)
	}
	if s.watch.on() { // the closure is made only for an observer
		s.watch.tell(func() map[string]any {
			o := eventObject(e)
			if text != "" {
				o["text"] = plainText(text)
			}
			return o
		})
	}
	if !s.rec.counting() {
		s.rec.add(entry{typ: entryEvent, ev: e, text: plainText(text), by: stopper, clock: e.Clock})
	}
	r := record{text: text, subject: e.PID, clock: e.Clock}
	if s.json {
		r.obj = eventObject(e) // text mode has no use for it
	}
	switch e.Kind {
	case actor.EventSpawned, actor.EventGaveUp, actor.EventRestartFailed:
		r.subject = actor.PID{}
	}
	if text == "" && !s.json {
		return
	}
	s.out.event(r)
}

// retryKey names a child a supervisor is restarting.
type retryKey struct {
	sup actor.PID
	id  string
}

// trackRetryLocked keeps the restarts a supervisor will try again, so
// settle waits for them as it waits for the rest of a command's effects.
func (s *Session) trackRetryLocked(e actor.Event) {
	switch e.Kind {
	case actor.EventRestartFailed:
		if s.retrying == nil {
			s.retrying = map[retryKey]bool{}
		}
		s.retrying[retryKey{e.Supervisor, e.Name}] = true
	case actor.EventRestarted, actor.EventNotRestarted:
		delete(s.retrying, retryKey{e.Supervisor, e.Name})
	case actor.EventExited, actor.EventGaveUp:
		for k := range s.retrying { // a supervisor that is gone retries nothing
			if k.sup == e.PID { // for gave_up too, the supervisor itself
				delete(s.retrying, k)
			}
		}
	}
}

// maxStoppers bounds stoppedBy: signals that are trapped leave entries
// that no exit removes.
const maxStoppers = 10_000

// trackStopperLocked remembers which supervisor signalled a process, and
// for an exit returns (and forgets) the supervisor that stopped it.
func (s *Session) trackStopperLocked(e actor.Event) (stopper actor.PID) {
	switch e.Kind {
	case actor.EventSignal:
		if e.Other.IsZero() || e.Detail == "link" || !supervisor.IsSupervisor(s.rt, e.Other) {
			return actor.PID{}
		}
		if s.stoppedBy == nil || len(s.stoppedBy) >= maxStoppers {
			s.stoppedBy = map[actor.PID]actor.PID{}
		}
		s.stoppedBy[e.PID] = e.Other
	case actor.EventExited:
		stopper = s.stoppedBy[e.PID]
		delete(s.stoppedBy, e.PID)
	}
	return stopper
}

// retryPending reports whether a supervisor has a restart to try again.
func (s *Session) retryPending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.retrying) > 0
}

// eventObject is the stable JSON form of an event (see `help json`).
func eventObject(e actor.Event) map[string]any {
	o := map[string]any{"type": "event", "event": e.Kind.String(), "pid": e.PID.String()}
	if !e.Other.IsZero() {
		o["other"] = e.Other.String()
	}
	if !e.Supervisor.IsZero() {
		o["supervisor"] = e.Supervisor.String()
	}
	if e.Name != "" {
		o["name"] = e.Name
	}
	if e.Reason != nil {
		o["reason"] = actor.FormatReason(e.Reason)
	}
	if e.Detail != "" {
		o["detail"] = e.Detail
	}
	if e.Message != nil {
		o["message"] = FormatTerm(e.Message)
	}
	if e.Kind == actor.EventHandled {
		o["state"] = stateText(e.State)
	}
	if e.MaxRestarts != 0 || e.Window != 0 {
		o["restarts"] = e.Restarts
		o["max_restarts"] = e.MaxRestarts
		o["max_seconds"] = int(e.Window / time.Second)
	}
	return o
}

func budget(e actor.Event) string {
	return fmt.Sprintf("%d/%d in %s", e.Restarts, e.MaxRestarts, seconds(e.Window))
}

func seconds(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
	return d.String()
}

// crash is a Starlark kind's crash, kept for info on the process that
// replaced the one that crashed.
type crash struct {
	reason, backtrace string
}

// maxCrashes bounds the crashes kept for info.
const maxCrashes = 1000

// keepCrashLocked remembers a Starlark crash under the process's name
// (the name its restart takes again).
func (s *Session) keepCrashLocked(e actor.Event) {
	var se *starkind.Error
	if e.Kind != actor.EventExited || e.Name == "" || !errors.As(e.Reason, &se) {
		return
	}
	if s.crashes == nil || len(s.crashes) >= maxCrashes {
		s.crashes = map[string]crash{}
	}
	s.crashes[e.Name] = crash{reason: se.Error(), backtrace: se.Backtrace}
}

// lastCrash is the Starlark crash of the process that in replaced (one of
// its kind, under its first name), if it had one.
func (s *Session) lastCrash(in actor.Info) (crash, bool) {
	if in.Restarts == 0 || len(in.Registered) == 0 {
		return crash{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.crashes[in.Registered[0].Key]
	return c, ok
}

// starlarkTrace is the Starlark call stack of a Starlark kind's crash,
// dimmed and indented under its exit line, or "".
func starlarkTrace(p *iostreams.Palette, reason error) string {
	var se *starkind.Error
	if !errors.As(reason, &se) || se.Backtrace == "" {
		return ""
	}
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(se.Backtrace, "\n"), "\n") {
		b.WriteString("\n" + p.Dim("    "+strings.TrimSpace(line)))
	}
	return b.String()
}

// traced names a traced process: its PID and first registered name.
func (s *Session) traced(pid actor.PID) string {
	s.mu.Lock()
	names := s.names
	s.mu.Unlock()
	if keys := names.Keys(pid); len(keys) > 0 {
		return pid.String() + " " + keys[0]
	}
	return pid.String()
}

// supName names a supervisor for narration.
func (s *Session) supName(pid actor.PID) string {
	s.mu.Lock()
	names := s.names
	s.mu.Unlock()
	if keys := names.Keys(pid); len(keys) > 0 {
		return keys[0]
	}
	return pid.String()
}

// describe is an event's line of narration, or "" for events told only
// in --json. Every exit has its line, printed before the lines of what it
// causes (DOWNs, EXITs, a supervisor's decision), which come after it in
// causal order; stopper is the supervisor that stopped the process, if one
// did.
func (s *Session) describe(e actor.Event, stopper actor.PID) string {
	p := s.pal
	reason := func() string { return p.Warn(actor.FormatReason(e.Reason)) }
	switch e.Kind {
	case actor.EventExited:
		if !stopper.IsZero() {
			return fmt.Sprintf("%s exited: %s (stopped by sup %s)", s.display(e.PID, e.Name), reason(), p.Name(s.supName(stopper)))
		}
		return fmt.Sprintf("%s exited: %s", s.display(e.PID, e.Name), reason()) + starlarkTrace(p, e.Reason)
	case actor.EventRestarted:
		why := e.Detail // a sibling restarted by the strategy
		if why == "" {
			why = budget(e)
		}
		return fmt.Sprintf("sup %s restarted %s as %s (%s)", p.Name(s.supName(e.Supervisor)), p.Name(e.Name), p.PID(e.Other.String()), why)
	case actor.EventNotRestarted:
		return fmt.Sprintf("sup %s did not restart %s (%s)", p.Name(s.supName(e.Supervisor)), p.Name(e.Name), e.Detail)
	case actor.EventRestartFailed:
		return fmt.Sprintf("sup %s could not restart %s: %s (will retry)", p.Name(s.supName(e.Supervisor)), p.Name(e.Name), reason())
	case actor.EventGaveUp:
		return p.Error(fmt.Sprintf("sup %s exceeded %d restart%s in %s: %s, exiting: shutdown",
			s.supName(e.PID), e.MaxRestarts, plural(e.MaxRestarts), seconds(e.Window), e.Detail))
	case actor.EventDown:
		return fmt.Sprintf("%s got DOWN for %s: %s", p.PID(e.PID.String()), p.PID(e.Other.String()), reason())
	case actor.EventReceived: // as :sys.trace prints "*DBG* c got call inc"
		return p.Dim(fmt.Sprintf("trace %s got %s %s", s.traced(e.PID), e.Detail, FormatTerm(e.Message)))
	case actor.EventHandled: // "*DBG* c sent 1 to ..., new state 1"
		if e.Detail == "call" {
			return p.Dim(fmt.Sprintf("trace %s replied %s, new state %s", s.traced(e.PID), FormatTerm(e.Message), stateText(e.State)))
		}
		return p.Dim(fmt.Sprintf("trace %s new state %s", s.traced(e.PID), stateText(e.State)))
	}
	return ""
}
