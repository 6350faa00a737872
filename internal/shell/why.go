package shell

// This file holds why and why-not: they walk the flight recorder's causal
// chain backwards from an event (a restart, an exit, a supervisor giving
// up, a DOWN, an exit signal, a name change) and say it in prose, with
// the rule that fired and the restart budget.

import (
	"context"
	"errors"
	"fmt"
	"github.com/actorsh/actorsh/pkg/dist"
	"slices"
	"strings"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"github.com/spf13/cobra"
)

// history is the flight recorder's entries, read for why, why-not and msc.
type history struct {
	s       *Session
	entries []entry
	labels  map[actor.PID]string
	named   map[string][]entry // the naming events of each name, for msc (made when first needed)
}

func (s *Session) history() *history {
	h := &history{s: s, entries: s.rec.entries(), labels: map[actor.PID]string{}}
	for _, e := range h.entries {
		if e.typ != entryEvent {
			continue
		}
		ev := e.ev
		switch ev.Kind {
		case actor.EventSpawned, actor.EventExited:
			if ev.Name != "" {
				h.labels[ev.PID] = ev.Name
			}
		case actor.EventRegistered:
			if ev.Detail == RegistryName || h.labels[ev.PID] == "" {
				h.labels[ev.PID] = ev.Name
			}
		case actor.EventRestarted:
			if h.labels[ev.Other] == "" {
				h.labels[ev.Other] = ev.Name
			}
		}
	}
	return h
}

// label is a process's name, as the recorder last saw it, or "".
func (h *history) label(pid actor.PID) string {
	if l, ok := h.labels[pid]; ok {
		return l
	}
	if in, err := h.s.runtime().Info(pid); err == nil {
		return nameOf(in)
	}
	return ""
}

// exitOf reports whether the exit e is of the process target names: by
// the name it had when it exited (PIDs start again after the simulated
// VM crashed, so a name from the recorder's labels may be a later
// process's), or its PID.
func (h *history) exitOf(e entry, target string) bool {
	if e.ev.Name != "" {
		return e.ev.Name == target || e.ev.PID.String() == target
	}
	return h.label(e.ev.PID) == target || e.ev.PID.String() == target
}

// who names a process: "c1 <0.4.0>", or "<0.4.0>".
func (h *history) who(pid actor.PID) string {
	if l := h.label(pid); l != "" {
		return l + " " + pid.String()
	}
	return pid.String()
}

// find returns the entry seq.
func (h *history) find(seq int) (entry, bool) {
	i := h.index(seq)
	if i < 0 || i >= len(h.entries) {
		return entry{}, false
	}
	return h.entries[i], true
}

// index is where the entry seq is (or would be) in the entries, which
// the recorder numbers one after another.
func (h *history) index(seq int) int {
	if len(h.entries) == 0 {
		return 0
	}
	return seq - h.entries[0].seq
}

// before returns the newest event before seq that match accepts.
func (h *history) before(seq int, match func(actor.Event) bool) (entry, bool) {
	for i := min(h.index(seq), len(h.entries)) - 1; i >= 0; i-- {
		if e := h.entries[i]; e.typ == entryEvent && match(e.ev) {
			return e, true
		}
	}
	return entry{}, false
}

// after returns the oldest event after seq that match accepts.
func (h *history) after(seq int, match func(actor.Event) bool) (entry, bool) {
	for i := max(h.index(seq)+1, 0); i < len(h.entries); i++ {
		if e := h.entries[i]; e.typ == entryEvent && match(e.ev) {
			return e, true
		}
	}
	return entry{}, false
}

// clusterBefore returns the newest cluster event before seq of one of
// kinds.
func (h *history) clusterBefore(seq int, kinds ...dist.EventKind) (entry, bool) {
	for i := min(h.index(seq), len(h.entries)) - 1; i >= 0; i-- {
		if e := h.entries[i]; e.typ == entryCluster && slices.Contains(kinds, e.cev.Kind) {
			return e, true
		}
	}
	return entry{}, false
}

// clusterStep is the cluster event that explains a reason of
// noconnection at seq, if there is one: this node was cut off (a fence),
// or the other process's node is gone.
func (h *history) clusterStep(seq int, reason error, self bool) (step, bool) {
	if !errors.Is(reason, dist.ErrNoConnection) {
		return step{}, false
	}
	kinds := []dist.EventKind{dist.LeaseExpired, dist.NodeLeft, dist.Fenced}
	if self {
		kinds = []dist.EventKind{dist.Fenced}
	}
	e, ok := h.clusterBefore(seq, kinds...)
	if !ok {
		return step{}, false
	}
	return h.step(e, clusterRule(*e.cev), map[string]any{"rule": "cluster", "cluster_event": string(e.cev.Kind)}), true
}

// clusterRule says a cluster event and the rule behind it.
func clusterRule(e dist.Event) string {
	switch e.Kind {
	case dist.Fenced:
		return fmt.Sprintf("Node %s could not renew its lease (%s): a node cut off from the cluster stops its cluster-named processes with reason noconnection before its lease can end, so that no name ever has two holders.", e.Node, e.Reason)
	case dist.LeaseExpired:
		return fmt.Sprintf("Node %s's lease expired (%s): a node that stops renewing it is taken for gone, its links and monitors across nodes fire with noconnection and its names are released.", e.Node, e.Reason)
	case dist.NodeLeft:
		return fmt.Sprintf("Node %s left the cluster: its links and monitors across nodes fire with noconnection; it released its names itself.", e.Node)
	case dist.NamesReleased:
		if e.Reason == "its node left" {
			return fmt.Sprintf("%s released its own names in %s (%s) as it left.", e.Node, e.Registry, strings.Join(e.Names, ", "))
		}
		return fmt.Sprintf("%s released %s in %s, held by node %s, because %s: any survivor releases a gone node's names, each by compare-and-swap on the claim it saw, so a later claim is never removed.", e.Node, strings.Join(e.Names, ", "), e.Registry, e.Other, e.Reason)
	case dist.ClaimRefused:
		if e.Holder.IsZero() {
			return fmt.Sprintf("The claim of %q in %s was refused: %s. A claim needs the cluster's confirmation; without it the name stays free rather than taken twice.", e.Name, e.Registry, e.Reason)
		}
		return fmt.Sprintf("The claim of %q in %s was refused: %v holds it, on node %s. A cluster name has at most one holder: a claim is a create in the cluster's key-value store, which fails when the name is there.", e.Name, e.Registry, e.Holder, e.Other)
	case dist.ReleasePending:
		return fmt.Sprintf("The release of %q in %s is pending (%s): the name is released when the cluster confirms it, or with this node's lease at the latest.", e.Name, e.Registry, e.Reason)
	case dist.Rejoined:
		return fmt.Sprintf("Node %s renews its lease again, with a new one: the names it lost while cut off stay released, and its processes claim them again only as new claims.", e.Node)
	case dist.NodeUp:
		return fmt.Sprintf("Node %s joined the cluster.", e.Node)
	}
	return e.String()
}

// exitBefore returns pid's exit, the newest before seq.
func (h *history) exitBefore(seq int, pid actor.PID) (entry, bool) {
	return h.before(seq, func(x actor.Event) bool { return x.Kind == actor.EventExited && x.PID == pid })
}

// command is the command an entry happened during, as "`kill c1`
// (demo.ash:7)", or "".
func (h *history) command(e entry) string {
	c, ok := h.find(e.cmd)
	if !ok || c.typ != entryCommand {
		return ""
	}
	text := "`" + c.text + "`"
	if c.file == "" {
		return text + " (at the prompt)"
	}
	return fmt.Sprintf("%s (%s:%d)", text, c.file, c.line)
}

// step is one link of a causal chain: its prose, and its --json object.
type step struct {
	text string
	obj  map[string]any
}

func (h *history) step(e entry, text string, extra map[string]any) step {
	obj := map[string]any{"seq": e.seq, "text": text}
	if e.typ == entryEvent {
		obj["event"] = e.ev.Kind.String()
		obj["pid"] = e.ev.PID.String()
		if l := h.label(e.ev.PID); l != "" {
			obj["name"] = l
		}
		if e.ev.Reason != nil {
			obj["reason"] = actor.FormatReason(e.ev.Reason)
		}
	}
	if c, ok := h.find(e.cmd); ok && c.typ == entryCommand {
		obj["command"] = c.text
		if c.file != "" {
			obj["file"], obj["line"] = c.file, c.line
		}
	}
	for k, v := range extra {
		obj[k] = v
	}
	return step{text: text, obj: obj}
}

// maxChain bounds a causal chain (links of links of links...).
const maxChain = 20

// exitChain explains why the process of the exit e exited, and what
// caused that, back to a command or the process's own code.
func (h *history) exitChain(e entry, depth int) []step {
	ev := e.ev
	pid := ev.PID
	reason := actor.FormatReason(ev.Reason)
	if depth >= maxChain {
		return []step{h.step(e, fmt.Sprintf("%s exited with %s.", h.who(pid), reason), nil)}
	}
	if !e.by.IsZero() { // a supervisor stopped it
		sup := h.who(e.by)
		if r, ok := h.after(e.seq, func(x actor.Event) bool {
			return x.Kind == actor.EventRestarted && x.PID == pid && x.Detail != ""
		}); ok {
			strategy, cause := strategyCause(r.ev)
			text := fmt.Sprintf("%s exited with %s: %s stopped it because it is %s and %s exited.", h.who(pid), reason, sup, strategy, cause)
			out := []step{h.step(e, text, map[string]any{"rule": strategy, "supervisor": e.by.String()})}
			if c, ok := h.before(e.seq, func(x actor.Event) bool {
				return x.Kind == actor.EventExited && x.Other == e.by && h.label(x.PID) == cause
			}); ok {
				out = append(out, h.exitChain(c, depth+1)...)
			}
			return out
		}
		if g, ok := h.before(e.seq+1, func(x actor.Event) bool { return x.Kind == actor.EventGaveUp && x.PID == e.by }); ok && g.cmd == e.cmd {
			text := fmt.Sprintf("%s exited with %s: %s stopped it when it gave up.", h.who(pid), reason, sup)
			return append([]step{h.step(e, text, map[string]any{"supervisor": e.by.String()})}, h.gaveUpChain(g, depth+1)...)
		}
		if x, ok := h.exitBefore(e.seq, e.by); ok && x.cmd == e.cmd {
			text := fmt.Sprintf("%s exited with %s: %s stopped it on its way out.", h.who(pid), reason, sup)
			return append([]step{h.step(e, text, map[string]any{"supervisor": e.by.String()})}, h.exitChain(x, depth+1)...)
		}
		text := fmt.Sprintf("%s exited with %s: %s stopped it", h.who(pid), reason, sup)
		if c := h.command(e); c != "" {
			text += ", as " + c + " asked"
		}
		return []step{h.step(e, text+".", map[string]any{"supervisor": e.by.String()})}
	}
	if g, ok := h.before(e.seq, func(x actor.Event) bool { return x.Kind == actor.EventGaveUp && x.PID == pid }); ok && g.cmd == e.cmd {
		text := fmt.Sprintf("%s exited with %s: it gave up.", h.who(pid), reason)
		return append([]step{h.step(e, text, nil)}, h.gaveUpChain(g, depth+1)...)
	}
	// an exit signal, from outside or from a link
	if sig, ok := h.before(e.seq, func(x actor.Event) bool { return x.Kind == actor.EventSignal && x.PID == pid }); ok && signalEnds(sig.ev, ev.Reason) {
		if c, ok := h.clusterStep(e.seq, ev.Reason, sig.ev.Other.IsZero()); ok {
			var text string
			if sig.ev.Other.IsZero() {
				text = fmt.Sprintf("%s exited with %s: its node stopped it.", h.who(pid), reason)
			} else {
				text = fmt.Sprintf("%s exited with %s: it is linked to %s, of a node that is gone.", h.who(pid), reason, h.who(sig.ev.Other))
			}
			return []step{h.step(e, text, nil), c}
		}
		if sig.ev.Other.IsZero() {
			text := fmt.Sprintf("%s exited with %s, sent by %s.", h.who(pid), reason, orSomething(h.command(sig), "the shell"))
			return []step{h.step(e, text, nil)}
		}
		from := sig.ev.Other
		text := fmt.Sprintf("%s exited with %s: it is linked to %s, which exited with %s.", h.who(pid), reason, h.who(from), actor.FormatReason(sig.ev.Reason))
		out := []step{h.step(e, text, map[string]any{"rule": "link", "from": from.String()})}
		if x, ok := h.exitBefore(sig.seq+1, from); ok {
			out = append(out, h.exitChain(x, depth+1)...)
		}
		return out
	}
	text := fmt.Sprintf("%s exited with %s", h.who(pid), reason)
	if c := h.command(e); c != "" {
		text += " during " + c
	} else {
		text += ", between commands (a timer or a message)"
	}
	return []step{h.step(e, text+".", nil)}
}

// signalEnds reports whether the exit signal sig explains an exit with
// reason: kill ends a process with killed, any other with its reason.
func signalEnds(sig actor.Event, reason error) bool {
	got, sent := actor.FormatReason(reason), actor.FormatReason(sig.Reason)
	return got == sent || (sent == "kill" && got == "killed")
}

func orSomething(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

// strategyCause reads a sibling's restart ("one_for_all: c1 exited", as
// the supervisor words it): the strategy, and the child whose exit it was.
func strategyCause(ev actor.Event) (strategy, cause string) {
	strategy, cause, _ = strings.Cut(ev.Detail, ": ")
	return strategy, strings.TrimSuffix(cause, " exited")
}

// restartChain explains the restart e.
func (h *history) restartChain(e entry, depth int) []step {
	ev := e.ev
	sup := h.who(ev.Supervisor)
	child := ev.Name + " " + ev.Other.String()
	if ev.Detail != "" { // a sibling, restarted by the strategy
		strategy, cause := strategyCause(ev)
		text := fmt.Sprintf("%s was restarted because %s is %s: %s exited.", child, sup, strategy, cause)
		out := []step{h.step(e, text, map[string]any{"rule": strategy, "supervisor": ev.Supervisor.String()})}
		if x, ok := h.before(e.seq, func(x actor.Event) bool {
			return x.Kind == actor.EventExited && x.Other == ev.Supervisor && h.label(x.PID) == cause
		}); ok {
			out = append(out, h.exitChain(x, depth+1)...)
		}
		return append(out, h.budgetStep(e))
	}
	key, rule := "its", "its restart type"
	if info, err := supervisor.Child(context.Background(), h.s.runtime(), ev.Supervisor, ev.Other); err == nil {
		key, rule = info.Restart.String(), info.Restart.String()
		switch info.Restart {
		case supervisor.Permanent:
			rule = "permanent (always restarted)"
		case supervisor.Transient:
			rule = "transient and " + actor.FormatReason(ev.Reason) + " is abnormal"
		}
	}
	text := fmt.Sprintf("%s was restarted by %s because it is %s.", child, sup, rule)
	out := []step{h.step(e, text, map[string]any{"rule": key, "supervisor": ev.Supervisor.String()})}
	if x, ok := h.exitBefore(e.seq, ev.PID); ok {
		out = append(out, h.exitChain(x, depth+1)...)
	}
	return append(out, h.budgetStep(e))
}

// budgetStep says how much of its restart budget the supervisor of e has
// used, how many more exits make it give up and by when, and what its
// parent would then do.
func (h *history) budgetStep(e entry) step {
	ev := e.ev
	sup := h.label(ev.Supervisor)
	if sup == "" {
		sup = ev.Supervisor.String()
	}
	text := fmt.Sprintf("%s has used %d of %d restarts in %s", sup, ev.Restarts, ev.MaxRestarts, seconds(ev.Window))
	obj := map[string]any{"restarts": ev.Restarts, "max_restarts": ev.MaxRestarts, "max_seconds": int(ev.Window / time.Second)}
	left := ev.MaxRestarts - ev.Restarts + 1 // the exit after the budget's last restart ends it
	if oldest, ok := h.oldestRestart(e); ok {
		until := oldest.Add(ev.Window)
		text += fmt.Sprintf("; %d more exit%s before %s and it gives up with shutdown", left, plural(left), clockTime(until))
		obj["gives_up_after"], obj["before"] = left, until.UTC().Format(time.RFC3339Nano)
	}
	if parent := h.parentWould(ev.Supervisor); parent != "" {
		text += ", and " + parent
		obj["parent"] = parent
	}
	return step{text: text + ".", obj: map[string]any{"seq": e.seq, "text": text + ".", "budget": obj}}
}

// oldestRestart is the time of the oldest restart of e's supervisor that
// is still inside its window at e.
func (h *history) oldestRestart(e entry) (time.Time, bool) {
	ev := e.ev
	var times []time.Time
	for _, x := range h.entries {
		if (x.seq > e.seq && x.cmd != e.cmd) || x.typ != entryEvent || x.ev.Supervisor != ev.Supervisor {
			continue
		}
		if (x.ev.Kind == actor.EventRestarted && x.ev.Detail == "") || x.ev.Kind == actor.EventRestartFailed {
			times = append(times, x.at)
		}
	}
	n := ev.Restarts
	if n <= 0 || n > len(times) || e.at.IsZero() {
		return time.Time{}, false
	}
	return times[len(times)-n], true
}

// clockTime writes a time of day, to the millisecond when it has them.
func clockTime(t time.Time) string {
	if t.Nanosecond() == 0 {
		return t.UTC().Format("15:04:05")
	}
	return t.UTC().Format("15:04:05.000")
}

// parentWould says what the parent of sup does when sup gives up:
// "root will restart it (permanent, one_for_one)".
func (h *history) parentWould(sup actor.PID) string {
	if sup == h.s.rootPID() {
		return "the shell will start a fresh root"
	}
	rt := h.s.runtime()
	in, err := rt.Info(sup)
	if err != nil || in.Parent.IsZero() {
		return ""
	}
	parent := h.label(in.Parent)
	if parent == "" {
		parent = in.Parent.String()
	}
	if !supervisor.IsSupervisor(rt, in.Parent) {
		return fmt.Sprintf("its parent %s gets an exit signal with shutdown", parent)
	}
	ctx := context.Background()
	d, err := supervisor.Describe(ctx, rt, in.Parent)
	if err != nil {
		return ""
	}
	c, err := supervisor.Child(ctx, rt, in.Parent, sup)
	if err != nil {
		return ""
	}
	strategy := d.Strategy.String()
	if supervisor.ShouldRestart(c.Restart, actor.ErrShutdown) {
		return fmt.Sprintf("%s will restart it (%s, %s)", parent, c.Restart, strategy)
	}
	return fmt.Sprintf("%s will not restart it (%s: shutdown is a clean exit)", parent, c.Restart)
}

// notRestartedChain explains a supervisor's decision not to restart.
func (h *history) notRestartedChain(e entry, depth int) []step {
	ev := e.ev
	typ, _, _ := strings.Cut(ev.Detail, ":")
	var rule string
	switch typ {
	case "temporary":
		rule = "temporary: temporary children are never restarted"
	case "transient":
		rule = fmt.Sprintf("transient and exited %s: transient children restart only after an abnormal exit", actor.FormatReason(ev.Reason))
	default:
		rule = ev.Detail
	}
	text := fmt.Sprintf("%s %s was not restarted by %s: it is %s.", ev.Name, ev.PID, h.who(ev.Supervisor), rule)
	out := []step{h.step(e, text, map[string]any{"rule": typ, "supervisor": ev.Supervisor.String()})}
	if x, ok := h.exitBefore(e.seq, ev.PID); ok {
		out = append(out, h.exitChain(x, depth+1)...)
	}
	return out
}

// gaveUpChain explains a supervisor giving up.
func (h *history) gaveUpChain(e entry, depth int) []step {
	ev := e.ev
	text := fmt.Sprintf("%s gave up: %d restarts within %s would be more than its intensity allows (%d in %s), so it stopped its children and exited with shutdown.",
		h.who(ev.PID), ev.Restarts, seconds(ev.Window), ev.MaxRestarts, seconds(ev.Window))
	out := []step{h.step(e, text, map[string]any{"rule": "intensity", "restarts": ev.Restarts, "max_restarts": ev.MaxRestarts, "max_seconds": int(ev.Window / time.Second)})}
	if r, ok := h.after(e.seq, func(x actor.Event) bool { return x.Kind == actor.EventRestarted && x.PID == ev.PID }); ok {
		out = append(out, h.step(r, fmt.Sprintf("%s restarted it as %s.", h.who(r.ev.Supervisor), r.ev.Other), nil))
	}
	if x, ok := h.before(e.seq, func(x actor.Event) bool { return x.Kind == actor.EventExited && x.Other == ev.PID }); ok && depth < maxChain {
		out = append(out, h.exitChain(x, depth+1)...)
	}
	return out
}

// explain is the chain for any event.
func (h *history) explain(e entry) []step {
	if e.typ == entryCluster {
		return []step{h.step(e, clusterRule(*e.cev), map[string]any{"rule": "cluster", "cluster_event": string(e.cev.Kind)})}
	}
	ev := e.ev
	switch ev.Kind {
	case actor.EventRestarted:
		return h.restartChain(e, 0)
	case actor.EventNotRestarted:
		return h.notRestartedChain(e, 0)
	case actor.EventGaveUp:
		return h.gaveUpChain(e, 0)
	case actor.EventExited:
		return h.exitChain(e, 0)
	case actor.EventRestartFailed:
		text := fmt.Sprintf("%s could not restart %s: %s; it tries again, and each try counts against its budget.",
			h.who(ev.Supervisor), ev.Name, actor.FormatReason(ev.Reason))
		return []step{h.step(e, text, nil)}
	case actor.EventDown:
		text := fmt.Sprintf("%s got DOWN for %s: it monitors it, and it exited with %s.", h.who(ev.PID), h.who(ev.Other), actor.FormatReason(ev.Reason))
		out := []step{h.step(e, text, map[string]any{"rule": "monitor"})}
		if c, ok := h.clusterStep(e.seq, ev.Reason, false); ok {
			return append(out, c)
		}
		if x, ok := h.exitBefore(e.seq, ev.Other); ok {
			out = append(out, h.exitChain(x, 1)...)
		}
		return out
	case actor.EventSignal:
		if ev.Other.IsZero() {
			text := fmt.Sprintf("%s got an exit signal %s, sent by %s.", h.who(ev.PID), actor.FormatReason(ev.Reason), orSomething(h.command(e), "the shell"))
			return []step{h.step(e, text, nil)}
		}
		text := fmt.Sprintf("%s got an exit signal from %s (EXIT %s): they are linked, and %s exited.",
			h.who(ev.PID), h.who(ev.Other), actor.FormatReason(ev.Reason), h.who(ev.Other))
		out := []step{h.step(e, text, map[string]any{"rule": "link"})}
		if x, ok := h.exitBefore(e.seq, ev.Other); ok {
			out = append(out, h.exitChain(x, 1)...)
		}
		return out
	case actor.EventRegistered, actor.EventUnregistered:
		verb := "names"
		if ev.Kind == actor.EventUnregistered {
			verb = "no longer names"
		}
		text := fmt.Sprintf("%s %s %s in registry %s", ev.Name, verb, ev.PID, ev.Detail)
		if s, ok := h.before(e.seq+1, func(x actor.Event) bool { return x.Kind == actor.EventRestarted && x.Other == ev.PID }); ok && s.cmd == e.cmd {
			text += ": its restart took the name again."
			return append([]step{h.step(e, text, nil)}, h.restartChain(s, 1)...)
		}
		if x, ok := h.exitBefore(e.seq, ev.PID); ok && ev.Kind == actor.EventUnregistered {
			return append([]step{h.step(e, text+": the process exited.", nil)}, h.exitChain(x, 1)...)
		}
		out := []step{h.step(e, text+prefix(", since ", h.command(e))+".", nil)}
		if ev.Kind == actor.EventRegistered {
			if x, ok := h.after(e.seq, func(x actor.Event) bool { return x.Kind == actor.EventExited && x.PID == ev.PID }); ok {
				out = append(out, h.step(x, fmt.Sprintf("%s has since exited, which let the name go:", ev.PID), nil))
				out = append(out, h.exitChain(x, 1)...)
			}
		}
		return out
	case actor.EventSpawned:
		if s, ok := h.after(e.seq-1, func(x actor.Event) bool { return x.Kind == actor.EventRestarted && x.Other == ev.PID }); ok && s.cmd == e.cmd {
			return h.restartChain(s, 0)
		}
		text := fmt.Sprintf("%s was started", h.who(ev.PID))
		if c := h.command(e); c != "" {
			text += " by " + c
		}
		return []step{h.step(e, text+".", nil)}
	}
	return []step{h.step(e, fmt.Sprintf("event %d: %s %s.", e.seq, ev.Kind, h.who(ev.PID)), nil)}
}

func prefix(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// newest is the newest event of kind (as --json names it) about pid: its
// own, or, for a restart, the new process's.
func (h *history) newest(kind string, pid actor.PID) (entry, bool) {
	for i := len(h.entries) - 1; i >= 0; i-- {
		e := h.entries[i]
		if e.typ == entryEvent && e.ev.Kind.String() == kind && (e.ev.PID == pid || (e.ev.Kind == actor.EventRestarted && e.ev.Other == pid)) {
			return e, true
		}
	}
	return entry{}, false
}

// about reports whether the event e is about the process target names.
func (h *history) about(e entry, target string, pid actor.PID) bool {
	ev := e.ev
	is := func(p actor.PID) bool {
		if p.IsZero() {
			return false
		}
		return p == pid || (target != "" && h.label(p) == target)
	}
	switch ev.Kind {
	case actor.EventRestarted:
		return is(ev.Other) || is(ev.PID) || ev.Name == target
	case actor.EventNotRestarted, actor.EventRestartFailed:
		return ev.Name == target || is(ev.PID)
	case actor.EventExited, actor.EventGaveUp, actor.EventSpawned, actor.EventDown:
		return is(ev.PID)
	case actor.EventSignal:
		return is(ev.PID) && !ev.Other.IsZero() // an EXIT from a link; a kill's signal is told by the exit
	case actor.EventRegistered, actor.EventUnregistered:
		return ev.Name == target || is(ev.PID)
	}
	return false
}

// subjectOf is subject for a TARGET as typed: a name, or a PID.
func (h *history) subjectOf(arg string, whyNot bool) (entry, bool) {
	pid, err := actor.ParsePID(arg)
	if err == nil {
		arg = h.label(pid)
	}
	return h.subject(arg, pid, whyNot)
}

// subject finds the event why explains for target: the newest that is
// about it, skipping those another explains better (the name a restart
// took again, the unregistering an exit did).
func (h *history) subject(target string, pid actor.PID, whyNot bool) (entry, bool) {
	for i := len(h.entries) - 1; i >= 0; i-- {
		e := h.entries[i]
		if e.typ != entryEvent || !h.about(e, target, pid) {
			continue
		}
		switch e.ev.Kind {
		case actor.EventRegistered:
			if sp, ok := h.before(e.seq, func(x actor.Event) bool { return x.Kind == actor.EventSpawned && x.PID == e.ev.PID }); ok && sp.cmd == e.cmd {
				continue // the spawn or restart that took the name says more
			}
		case actor.EventUnregistered:
			if x, ok := h.exitBefore(e.seq, e.ev.PID); ok && x.cmd == e.cmd {
				continue // the exit that let the name go says more
			}
		case actor.EventExited:
			// the supervisor's decision after it says more
			if _, ok := h.after(e.seq, func(x actor.Event) bool {
				return (x.Kind == actor.EventRestarted || x.Kind == actor.EventNotRestarted) && x.PID == e.ev.PID
			}); ok {
				continue
			}
		case actor.EventSpawned, actor.EventDown, actor.EventSignal:
			if whyNot {
				continue
			}
		}
		return e, true
	}
	return entry{}, false
}

// rootPID is the root supervisor's PID.
func (s *Session) rootPID() actor.PID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.root
}

func newCmdWhy(s *Session) *cobra.Command {
	return newWhyCommand(s, false)
}

func newCmdWhyNot(s *Session) *cobra.Command {
	return newWhyCommand(s, true)
}

func newWhyCommand(s *Session, whyNot bool) *cobra.Command {
	var event int
	use, short := "why TARGET | --event N", "say why something happened to a process (a restart, an exit, a DOWN, a name), back to its cause"
	example := "kill c1; why c1\nspawn greeter alice; why greeter_for_alice"
	if whyNot {
		use, short = "why-not TARGET | --event N", "say why a process was not restarted (its restart type, or its supervisor gave up)"
		example = "spawn greeter alice; why-not greeter_for_alice\nstop c1; why-not c1"
	}
	c := &cobra.Command{
		Annotations: map[string]string{completeKey: "process"},
		Use:         use,
		Short:       short,
		Long: "Walks the flight recorder's causal chain back from the last event about TARGET (a name or\n" +
			"a PID), or from event N (the seq of record and msc), and says it in prose, one link a line:\n" +
			"which rule fired (the restart type, the strategy, a link, a monitor, the intensity), what\n" +
			"exited and with what reason, and the command that began it with its FILE:LINE. After a\n" +
			"restart it says how much of the supervisor's budget is used, how many more exits before when\n" +
			"make it give up, and what its parent would then do. why-not explains a restart that did not\n" +
			"happen. --json gives the chain as objects. The recorder keeps the last 10000 entries.",
		Example: example,
		Args:    rangeArgs(0, 1, "a TARGET, or --event N"),
		RunE: func(cmd *cobra.Command, args []string) error {
			h := s.history()
			var e entry
			switch {
			case event != 0 && len(args) == 0:
				var ok bool
				if e, ok = h.find(event); !ok || e.typ != entryEvent && e.typ != entryCluster {
					return fmt.Errorf("no event %d in the flight recorder (record shows what it holds)", event)
				}
			case len(args) == 1 && event == 0:
				var ok bool
				if e, ok = h.subjectOf(args[0], whyNot); !ok {
					if whyNot {
						if _, err := s.resolve(args[0]); err == nil {
							return fmt.Errorf("%s has not exited: there is no restart to miss", args[0])
						}
					}
					return fmt.Errorf("nothing in the flight recorder about %q (it keeps the last %d entries); ls lists processes", clip(args[0]), ringSize)
				}
			default:
				return errors.New("want a TARGET or --event N, e.g. why c1")
			}
			chain := h.explain(e)
			if whyNot {
				chain = h.whyNot(e, chain)
			}
			var lines []string
			var objs []map[string]any
			for _, st := range chain {
				lines = append(lines, st.text)
				objs = append(objs, st.obj)
			}
			name := "why"
			if whyNot {
				name = "why-not"
			}
			s.result(name, strings.Join(lines, "\n"), map[string]any{"event": e.seq, "chain": objs})
			return nil
		},
	}
	c.Flags().IntVar(&event, "event", 0, "explain the event with this seq (record and msc show them)")
	return c
}

// whyNot turns the chain of the event why-not found into an answer: a
// decision not to restart is the answer; a restart says it did happen.
func (h *history) whyNot(e entry, chain []step) []step {
	switch e.ev.Kind {
	case actor.EventRestarted:
		head := h.step(e, fmt.Sprintf("%s was restarted, as %s (why %s says why).", e.ev.Name, e.ev.Other, e.ev.Name), nil)
		return []step{head}
	case actor.EventExited:
		ev := e.ev
		if g, ok := h.after(e.seq, func(x actor.Event) bool { return x.Kind == actor.EventGaveUp && x.PID == ev.Other }); ok {
			head := h.step(e, fmt.Sprintf("%s was not restarted: its supervisor gave up.", h.who(ev.PID)), nil)
			return append([]step{head}, h.gaveUpChain(g, 1)...)
		}
		if ev.Other.IsZero() || !h.wasSupervisor(ev.Other) {
			head := h.step(e, fmt.Sprintf("%s was not restarted: no supervisor watches it.", h.who(ev.PID)), map[string]any{"rule": "unsupervised"})
			return append([]step{head}, chain...)
		}
	}
	return chain
}

// wasSupervisor reports whether pid is, or was, a supervisor.
func (h *history) wasSupervisor(pid actor.PID) bool {
	if supervisor.IsSupervisor(h.s.runtime(), pid) {
		return true
	}
	_, ok := h.before(1<<62, func(x actor.Event) bool {
		return x.Kind == actor.EventSpawned && x.PID == pid && x.Detail == "supervisor"
	})
	return ok
}
