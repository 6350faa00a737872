package shell

// This file holds --dry-run for kill, stop and sup terminate: what would
// happen, worked out from the runtime as it is and the supervisors' own
// decision function (supervisor.State.Decide), with nothing done.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// prediction is what a dry run says would happen.
type prediction struct {
	lines        []string
	exits        []predictedExit
	restarts     []string // "<0.2.0>/ID": the supervisor's PID and the child's ID, in order
	notRestarted []string // the same
	gaveUp       []string // supervisor PIDs
}

type predictedExit struct {
	pid    actor.PID
	reason string
}

// predictor works a dry run out.
type predictor struct {
	s       *Session
	ctx     context.Context
	rt      *actor.Runtime
	p       prediction
	exiting map[actor.PID]bool
	states  map[actor.PID]*supervisor.State
}

func (s *Session) predictor(ctx context.Context) *predictor {
	return &predictor{s: s, ctx: ctx, rt: s.runtime(), exiting: map[actor.PID]bool{}, states: map[actor.PID]*supervisor.State{}}
}

func (pr *predictor) say(format string, args ...any) {
	pr.p.lines = append(pr.p.lines, fmt.Sprintf(format, args...))
}

func (pr *predictor) name(pid actor.PID) string {
	if in, err := pr.rt.Info(pid); err == nil {
		if n := nameOf(in); n != "" {
			return n + " " + pid.String()
		}
	}
	return pid.String()
}

// state is a supervisor's state, fetched once and then kept up to date
// with the restarts the dry run has it make.
func (pr *predictor) state(sup actor.PID) (*supervisor.State, bool) {
	if st, ok := pr.states[sup]; ok {
		return st, true
	}
	v, err := pr.rt.State(pr.ctx, sup)
	if err != nil {
		return nil, false
	}
	st, ok := v.(supervisor.State)
	if !ok {
		return nil, false
	}
	pr.states[sup] = &st
	return &st, true
}

// signal predicts an exit signal with reason sent to pid from outside.
func (pr *predictor) signal(pid actor.PID, reason error) {
	in, err := pr.rt.Info(pid)
	if err != nil {
		return
	}
	switch fatal, trapped := actor.SignalEffect(reason, in.TrapExit, false, false); {
	case fatal != nil:
		pr.exit(pid, fatal)
	case trapped:
		pr.say("%s traps exits: it would get {'EXIT', <0.0.0>, %s} and go on", pr.name(pid), actor.FormatReason(reason))
	default:
		pr.say("%s would ignore the normal exit signal (it does not trap exits)", pr.name(pid))
	}
}

// exit predicts that pid exits with reason, and what that causes.
func (pr *predictor) exit(pid actor.PID, reason error) {
	pr.exitAs(pid, reason, "")
}

// exitAs is exit; a process its supervisor stops (stoppedBy, the
// strategy) leaves no decision to it.
func (pr *predictor) exitAs(pid actor.PID, reason error, stoppedBy string) {
	if pr.exiting[pid] || len(pr.p.exits) > maxPredicted {
		return
	}
	in, err := pr.rt.Info(pid)
	if err != nil {
		return
	}
	pr.exiting[pid] = true
	if stoppedBy != "" {
		pr.say("%s would be stopped: %s (%s)", pr.name(pid), actor.FormatReason(reason), stoppedBy)
	} else {
		pr.say("%s would exit: %s", pr.name(pid), actor.FormatReason(reason))
	}
	pr.p.exits = append(pr.p.exits, predictedExit{pid: pid, reason: actor.FormatReason(reason)})
	// a supervisor's children go with it: stopped with shutdown, or, when
	// it was killed, ended by the link
	if st, ok := pr.state(pid); ok {
		childReason := actor.ErrShutdown
		if errors.Is(reason, actor.ErrKilled) {
			childReason = actor.ErrKilled
		}
		for _, c := range pr.children(pid, st) {
			pr.exit(c, childReason)
		}
	}
	// then as the runtime tells them: the parent, links, monitors
	if !in.Parent.IsZero() && !pr.exiting[in.Parent] && stoppedBy == "" {
		pr.decide(in.Parent, pid, reason)
	}
	// links that are not the parent or a child: a process linked to a
	// sibling races its supervisor, and the prediction takes the signals
	// in the order they are sent
	for _, l := range in.Links {
		if l == in.Parent || pr.exiting[l] {
			continue
		}
		if lin, err := pr.rt.Info(l); err == nil && lin.Parent != pid {
			switch fatal, trapped := actor.SignalEffect(reason, lin.TrapExit, true, false); {
			case fatal != nil:
				pr.exit(l, fatal)
			case trapped:
				pr.say("%s traps exits: it would get {'EXIT', %s, %s}", pr.name(l), pid, actor.FormatReason(reason))
			}
		}
	}
	for _, m := range in.MonitoredBy {
		if !pr.exiting[m] {
			pr.say("%s would get DOWN for %s: %s", pr.name(m), pid, actor.FormatReason(reason))
		}
	}
}

// children lists a supervisor's running children, newest first for a
// DynamicSupervisor (as it stops them), last first for a static one.
func (pr *predictor) children(sup actor.PID, st *supervisor.State) []actor.PID {
	var out []actor.PID
	if st.Dynamic {
		page, err := supervisor.ChildrenPage(pr.ctx, pr.rt, sup, actor.PID{}, maxPredicted)
		if err != nil {
			return nil
		}
		for i := len(page) - 1; i >= 0; i-- {
			out = append(out, page[i].PID)
		}
		return out
	}
	for i := len(st.Children) - 1; i >= 0; i-- {
		if !st.Children[i].PID.IsZero() {
			out = append(out, st.Children[i].PID)
		}
	}
	return out
}

// maxPredicted bounds a dry run's exits (a supervisor of millions).
const maxPredicted = 1000

// decide predicts sup's decision on its child pid's exit, with the
// supervisor's own rule.
func (pr *predictor) decide(sup, pid actor.PID, reason error) {
	st, ok := pr.state(sup)
	if !ok {
		return
	}
	info, err := supervisor.Child(pr.ctx, pr.rt, sup, pid)
	if err != nil {
		return
	}
	supName := pr.name(sup)
	d := st.Decide(info, reason, pr.rt.Now())
	st.History = d.History
	key := sup.String() + "/" + info.ID
	switch {
	case !d.Restart:
		pr.say("sup %s would not restart %s (%s)", supName, info.ID, d.Why)
		pr.p.notRestarted = append(pr.p.notRestarted, key)
	case d.GiveUp:
		pr.say("sup %s would give up: a restart would be its %s within %ds, more than its %d", supName, ordinal(d.Restarts), st.MaxSeconds, st.MaxRestarts)
		pr.p.gaveUp = append(pr.p.gaveUp, sup.String())
		pr.exit(sup, actor.ErrShutdown)
	default:
		for _, id := range d.Stop {
			if c := childPID(st, id); !c.IsZero() {
				pr.exitAs(c, actor.ErrShutdown, st.Strategy.String())
			}
		}
		rule := info.Restart.String()
		if len(d.Start) > 1 || (len(d.Start) == 1 && d.Start[0] != info.ID) {
			rule += ", " + st.Strategy.String()
		}
		pr.say("sup %s would restart %s (%s): %d/%d restarts in %ds after", supName, strings.Join(d.Start, ", "), rule, d.Restarts, st.MaxRestarts, st.MaxSeconds)
		for _, id := range d.Start {
			pr.p.restarts = append(pr.p.restarts, sup.String()+"/"+id)
		}
	}
}

func childPID(st *supervisor.State, id string) actor.PID {
	for _, c := range st.Children {
		if c.ID == id {
			return c.PID
		}
	}
	return actor.PID{}
}

func ordinal(n int) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return fmt.Sprintf("%dth", n)
	case n%10 == 1:
		return fmt.Sprintf("%dst", n)
	case n%10 == 2:
		return fmt.Sprintf("%dnd", n)
	case n%10 == 3:
		return fmt.Sprintf("%drd", n)
	}
	return fmt.Sprintf("%dth", n)
}

// showPrediction prints a dry run's prediction as the command's result.
func (s *Session) showPrediction(cmd string, p prediction) {
	text := cmd + " --dry-run: nothing done; it would go like this:"
	if len(p.lines) == 0 {
		text += "\n  nothing would happen"
	}
	for _, l := range p.lines {
		text += "\n  " + l
	}
	var exits []map[string]any
	for _, e := range p.exits {
		exits = append(exits, map[string]any{"pid": e.pid.String(), "reason": e.reason})
	}
	s.result(strings.Fields(cmd)[0], text, map[string]any{"dry_run": true, "lines": p.lines, "exits": exits,
		"restarts": p.restarts, "not_restarted": p.notRestarted, "gave_up": p.gaveUp})
}

// dryTerminate predicts sup terminate SUP CHILD: the child exits with
// shutdown and the supervisor, which was asked, does not restart it.
func (s *Session) dryTerminate(ctx context.Context, sup actor.PID, args []string) error {
	pr := s.predictor(ctx)
	child := args[1]
	pid, err := actor.ParsePID(child)
	if err != nil {
		st, ok := pr.state(sup)
		if !ok {
			return fmt.Errorf("%s is not a supervisor", args[0])
		}
		if st.Dynamic {
			p, ok := s.lookupName(child)
			if !ok {
				return s.unknownName(child)
			}
			pid = p
		} else if pid = childPID(st, child); pid.IsZero() {
			return supError(supervisor.ErrNotFound, args[0], child)
		}
	}
	if _, err := supervisor.Child(ctx, pr.rt, sup, pid); err != nil {
		return supError(err, args[0], child)
	}
	pr.exiting[sup] = true // it stops the child itself: no restart decision
	pr.exit(pid, actor.ErrShutdown)
	pr.say("sup %s would not restart it: terminate_child stops a child for good", pr.name(sup))
	s.showPrediction("sup terminate "+strings.Join(args, " "), pr.p)
	return nil
}
