package supervisor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// sup is the supervisor process.
type sup struct {
	rt       *actor.Runtime
	self     actor.PID
	dynamic  bool
	strategy Strategy
	maxR     int
	maxT     time.Duration
	history  []time.Time
	initial  []ChildSpec
	children []*child // static: in start order
	byPID    index    // running children
	waiting  []*child // dynamic: children whose restart failed
	// waitingWhy is, for each child in waiting, the exit it is restarted
	// for, so that the restart that works at last is narrated as one.
	waitingWhy  map[*child]restartCause
	maxChildren int
	extra       []any
}

type child struct {
	spec       ChildSpec
	pid        actor.PID
	restarts   int
	restarting bool
}

func (s *sup) Behaviour() string {
	if s.dynamic {
		return BehaviourDynamic
	}
	return BehaviourSupervisor
}

func (s *sup) Init(p *actor.Process) error {
	p.TrapExit(true)
	s.rt = p.Runtime()
	s.self = p.Self()
	for _, spec := range s.initial {
		c := &child{spec: spec}
		if err := s.start(c); err != nil && !errors.Is(err, actor.ErrIgnore) {
			s.stopAll()
			return &StartError{ID: spec.ID, Reason: err}
		}
		if c.pid.IsZero() && spec.Restart == Temporary {
			continue
		}
		s.children = append(s.children, c)
	}
	s.initial = nil
	return nil
}

// start starts a child, from its spec's New or Start, as ours: linked to
// us as its parent before its Init runs. A panic in New or Start is the
// start's error, as a crashing start function is {error, Reason} in OTP:
// the supervisor lives on.
func (s *sup) start(c *child) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = actor.NewPanicError(r)
		}
	}()
	var pid actor.PID
	switch {
	case c.spec.New != nil:
		a, err := c.spec.New(s.extra)
		if err != nil {
			return err
		}
		if a == nil {
			return actor.ErrIgnore
		}
		pid, err = s.rt.Spawn(context.Background(), a, actor.SpawnOptions{Name: c.spec.Name, Parent: s.self, Restarts: c.restarts})
		if err != nil {
			return err
		}
	case c.spec.Start != nil:
		sp := &Spawner{rt: s.rt, parent: s.self, restarts: c.restarts, extra: s.extra}
		defer func() {
			if err != nil && !sp.pid.IsZero() {
				s.rt.Hooks().ExitNow(s.self, sp.pid, actor.ErrKill) // spawned, then failed: it must not outlive the start
			}
		}()
		pid, err = c.spec.Start(sp)
		if err != nil {
			return err
		}
		if !pid.IsZero() && pid != sp.pid {
			return fmt.Errorf("supervisor: child %q: Start returned %v, which it did not spawn with its Spawner", c.spec.ID, pid)
		}
	default:
		return errNoStart
	}
	if pid.IsZero() {
		return actor.ErrIgnore
	}
	c.pid = pid
	c.restarting = false
	s.byPID.add(pid, c)
	return nil
}

// childErr wraps a child management error with its subject.
func (s *sup) childErr(id string, pid actor.PID, err error) error {
	return &ChildError{Supervisor: s.self, ID: id, PID: pid, Err: err}
}

func (s *sup) HandleCall(_ *actor.Process, _ actor.From, req any) (any, error) {
	switch r := req.(type) {
	case startChildReq:
		return s.startChild(r.spec), nil
	case terminateChildReq:
		return result{err: s.terminateChild(r)}, nil
	case restartChildReq:
		c, err := s.stoppedChild(r.id)
		if err != nil {
			return result{err: s.childErr(r.id, actor.PID{}, err)}, nil
		}
		err = s.start(c)
		return result{pid: c.pid, err: err}, nil
	case deleteChildReq:
		c, err := s.stoppedChild(r.id)
		if err != nil {
			return result{err: s.childErr(r.id, actor.PID{}, err)}, nil
		}
		s.remove(c)
		return result{}, nil
	case whichChildrenReq:
		return s.which(), nil
	case countChildrenReq:
		return s.count(), nil
	case childReq:
		c := s.byPID.get(r.pid)
		if c == nil {
			return result{err: s.childErr("", r.pid, ErrNotFound)}, nil
		}
		return s.info(c), nil
	case pageReq:
		return s.page(r.after, r.limit), nil
	case describeReq:
		return s.describe(), nil
	}
	// OTP's supervisor crashes on a call it does not know (a function
	// clause error), and with it its whole subtree; this one refuses it and
	// goes on, so a stray call cannot wipe a tree.
	return nil, actor.ReplyError(&UnknownRequestError{Supervisor: s.self, Request: req})
}

// HandleCast ignores casts: a supervisor takes none, and OTP's would crash
// on one; a stray cast must not wipe a tree.
func (s *sup) HandleCast(*actor.Process, any) error { return nil }

func (s *sup) describe() Description {
	return Description{
		Dynamic: s.dynamic, Strategy: s.strategy, MaxRestarts: s.maxR, MaxSeconds: int(s.maxT / time.Second),
		MaxChildren: s.maxChildren, ExtraArguments: slices.Clone(s.extra), Restarts: inWindow(s.history, s.rt.Now(), s.maxT),
		Counts: s.count(),
	}
}

// State implements actor.StateGetter: a consistent copy of the
// supervisor's state (see [State]), made between requests.
func (s *sup) State() any {
	st := State{Description: s.describe(), History: slices.Clone(s.history)}
	if !s.dynamic {
		st.Children = s.which()
	}
	return st
}

// stoppedChild finds a static supervisor's child that is neither running
// nor being restarted, as restart_child and delete_child need.
func (s *sup) stoppedChild(id string) (*child, error) {
	if s.dynamic {
		return nil, ErrDynamic
	}
	s.forgetDead() // a child that died unlinked is terminated, not running
	c := s.find(id)
	switch {
	case c == nil:
		return nil, ErrNotFound
	case !c.pid.IsZero():
		return nil, ErrRunning
	case c.restarting:
		return nil, ErrRestarting
	}
	return c, nil
}

func (s *sup) startChild(spec ChildSpec) result {
	if s.dynamic {
		if s.maxChildren > 0 && s.byPID.len()+len(s.waiting) >= s.maxChildren {
			return result{err: s.childErr(spec.ID, actor.PID{}, ErrMaxChildren)}
		}
		c := &child{spec: spec}
		err := s.start(c)
		return result{pid: c.pid, err: err}
	}
	if c := s.find(spec.ID); c != nil {
		if !c.pid.IsZero() {
			return result{err: &actor.AlreadyStartedError{Name: spec.ID, PID: c.pid}}
		}
		return result{err: s.childErr(spec.ID, actor.PID{}, ErrAlreadyPresent)}
	}
	c := &child{spec: spec}
	err := s.start(c)
	if err != nil && !errors.Is(err, actor.ErrIgnore) {
		return result{err: err}
	}
	if !(c.pid.IsZero() && spec.Restart == Temporary) {
		s.children = append(s.children, c)
	}
	return result{pid: c.pid, err: err}
}

func (s *sup) terminateChild(r terminateChildReq) error {
	var c *child
	if r.pid.IsZero() {
		if s.dynamic {
			return s.childErr(r.id, actor.PID{}, ErrDynamic)
		}
		c = s.find(r.id)
	} else {
		c = s.byPID.get(r.pid)
	}
	if c == nil {
		return s.childErr(r.id, r.pid, ErrNotFound)
	}
	s.stopChild(c)
	// A restart that was pending is off: terminate_child wins over a
	// try_again_restart, as in OTP.
	c.restarting = false
	if s.dynamic || c.spec.Restart == Temporary {
		s.remove(c)
	}
	return nil
}

func (s *sup) find(id string) *child {
	for _, c := range s.children {
		if c.spec.ID == id {
			return c
		}
	}
	return nil
}

func (s *sup) remove(c *child) {
	if !c.pid.IsZero() {
		s.byPID.del(c.pid)
	}
	if i := slices.Index(s.children, c); i >= 0 {
		s.children = slices.Delete(s.children, i, i+1)
	}
	if i := slices.Index(s.waiting, c); i >= 0 {
		s.waiting = slices.Delete(s.waiting, i, i+1)
		delete(s.waitingWhy, c)
	}
}

func (s *sup) info(c *child) ChildInfo {
	return ChildInfo{ID: c.spec.ID, PID: c.pid, Restarting: c.restarting, Type: c.spec.Type,
		Restart: c.spec.Restart, Shutdown: c.spec.shutdown(), Restarts: c.restarts}
}

// page returns up to limit running children with PIDs after after, in PID
// order (a static supervisor's in start order). For a DynamicSupervisor it
// costs a search and the page, however many children there are.
func (s *sup) page(after actor.PID, limit int) []ChildInfo {
	var out []ChildInfo
	if !s.dynamic {
		for _, c := range s.children {
			if len(out) < limit && (after.IsZero() || c.pid.ID() > after.ID()) {
				out = append(out, s.info(c))
			}
		}
		return out
	}
	for _, c := range s.byPID.after(after, limit) {
		out = append(out, s.info(c))
	}
	return out
}

func (s *sup) which() []ChildInfo {
	s.forgetDead()
	var out []ChildInfo
	if !s.dynamic {
		for _, c := range s.children {
			out = append(out, s.info(c))
		}
		return out
	}
	s.byPID.each(func(c *child) { out = append(out, s.info(c)) })
	for _, c := range s.waiting {
		out = append(out, s.info(c))
	}
	return out
}

func (s *sup) count() Counts {
	s.forgetDead()
	var n Counts
	add := func(c *child) {
		n.Specs++
		if !c.pid.IsZero() {
			n.Active++
		}
		if c.spec.Type == SupervisorChild {
			n.Supervisors++
		} else {
			n.Workers++
		}
	}
	if s.dynamic {
		s.byPID.each(add)
		for _, c := range s.waiting {
			add(c)
		}
	} else {
		for _, c := range s.children {
			add(c)
		}
	}
	return n
}

// forgetDead drops running children that are dead without our knowing: a
// child that was unlinked from us (only such a child can die unnoticed).
// OTP's count_children likewise asks is_process_alive. Such a child is not
// restarted, as OTP's supervisor, which never hears of it, would not;
// a static supervisor keeps its spec, as terminated.
func (s *sup) forgetDead() {
	var dead []*child
	s.byPID.each(func(c *child) {
		if !s.rt.Alive(c.pid) {
			dead = append(dead, c)
		}
	})
	for _, c := range dead {
		old := c.pid
		s.byPID.del(old)
		c.pid = actor.PID{}
		if s.rt.Hooks().Listening() {
			s.emit(actor.Event{Kind: actor.EventNotRestarted, PID: old, Name: c.spec.ID, Reason: actor.ErrNoProc,
				Detail: c.spec.Restart.String() + ": died unlinked from its supervisor"})
		}
		if s.dynamic || c.spec.Restart == Temporary {
			s.remove(c)
		}
	}
}

func (s *sup) HandleInfo(_ *actor.Process, msg any) error {
	switch m := msg.(type) {
	case actor.Exit:
		c := s.byPID.del(m.From)
		if c == nil {
			return nil // an exit from a child we already stopped, or from a stranger
		}
		c.pid = actor.PID{}
		return s.childExited(c, m.From, m.Reason)
	case tryAgain:
		return s.tryAgain(m.ids)
	}
	return nil
}

// emit reports a decision, with the supervisor's restart budget: the
// restarts within the window now, unless e says how many already.
func (s *sup) emit(e actor.Event) {
	e.Clock = s.rt.Hooks().Clock(s.self)
	e.Supervisor = s.self
	e.MaxRestarts = s.maxR
	e.Window = s.maxT
	if e.Restarts == 0 {
		e.Restarts = inWindow(s.history, s.rt.Now(), s.maxT)
	}
	s.rt.Hooks().Emit(e)
}

// childExited applies the restart type, the intensity and the strategy.
func (s *sup) childExited(c *child, old actor.PID, reason error) error {
	var d decision
	if s.dynamic {
		d = decide(OneForOne, c.spec.Restart, 1, 0, nil, reason, s.history, s.rt.Now(), s.maxR, s.maxT, true)
	} else {
		temporary := func(j int) bool { return s.children[j].spec.Restart == Temporary }
		d = decide(s.strategy, c.spec.Restart, len(s.children), slices.Index(s.children, c), temporary, reason, s.history, s.rt.Now(), s.maxR, s.maxT, true)
	}
	if !d.Restart {
		if s.rt.Hooks().Listening() {
			s.emit(actor.Event{Kind: actor.EventNotRestarted, PID: old, Name: c.spec.ID, Reason: reason, Detail: d.Why})
		}
		if s.dynamic || c.spec.Restart == Temporary {
			s.remove(c)
		}
		return nil
	}
	s.history = d.History
	if d.GiveUp {
		s.gaveUp()
		return actor.ErrShutdown
	}
	if s.dynamic {
		return s.restartDynamic(c, old, reason)
	}
	stop, start := d.stop, d.starts()
	causes := map[string]restartCause{c.spec.ID: {old: old, reason: reason, direct: true}}
	var gone []*child
	for _, j := range stop {
		sib := s.children[j]
		if !sib.pid.IsZero() {
			causes[sib.spec.ID] = restartCause{old: sib.pid, reason: actor.ErrShutdown}
		}
		s.stopChild(sib)
		if sib.spec.Restart == Temporary {
			gone = append(gone, sib)
		}
	}
	cause := c.spec.ID
	var ids []string
	for _, j := range start {
		ids = append(ids, s.children[j].spec.ID)
	}
	for _, g := range gone {
		s.remove(g)
	}
	return s.restartIDs(ids, causes, cause)
}

type restartCause struct {
	old    actor.PID
	reason error
	direct bool // the child that exited, not a sibling restarted with it
}

func notRestartedWhy(r Restart, reason error) string {
	if r == Temporary {
		return "never restarted"
	}
	return actor.FormatReason(reason) + " is a clean exit"
}

// addRestart counts a restart against the intensity and reports whether
// the supervisor must give up.
func (s *sup) addRestart() bool {
	var over bool
	s.history, over = exceeded(s.history, s.rt.Now(), s.maxR, s.maxT)
	if over {
		s.gaveUp()
	}
	return over
}

// gaveUp reports that the supervisor exceeded its intensity.
func (s *sup) gaveUp() {
	if !s.rt.Hooks().Listening() {
		return
	}
	n, children := s.count().Active, "children"
	if n == 1 {
		children = "child"
	}
	s.emit(actor.Event{Kind: actor.EventGaveUp, PID: s.self, Reason: actor.ErrShutdown, Restarts: len(s.history),
		Detail: fmt.Sprintf("stopping %d %s", n, children)})
}

// restartIDs starts the children with the given IDs in order. If one
// fails, it and the rest are retried later through a tryAgain message,
// each retry counting as a restart, as OTP does. A child taken out of the
// restart meanwhile (by TerminateChild) is skipped.
func (s *sup) restartIDs(ids []string, causes map[string]restartCause, cause string) error {
	if causes != nil { // the first attempt: these children are now being restarted
		for _, id := range ids {
			if c := s.find(id); c != nil && c.pid.IsZero() {
				c.restarting = true
			}
		}
	}
	for k, id := range ids {
		c := s.find(id)
		if c == nil || !c.pid.IsZero() || !c.restarting {
			continue
		}
		c.restarts++
		if err := s.start(c); err != nil && !errors.Is(err, actor.ErrIgnore) {
			if s.rt.Hooks().Listening() {
				s.emit(actor.Event{Kind: actor.EventRestartFailed, Name: id, Reason: err})
			}
			s.retryLater(err, tryAgain{ids: ids[k:]})
			return nil
		}
		c.restarting = false
		if s.rt.Hooks().Listening() {
			rc := causes[id]
			e := actor.Event{Kind: actor.EventRestarted, PID: rc.old, Other: c.pid, Name: id, Reason: rc.reason}
			if !rc.direct {
				e.Reason = actor.ErrShutdown
				e.Detail = s.strategy.String() + ": " + cause + " exited"
			}
			s.emit(e)
		}
	}
	return nil
}

func (s *sup) restartDynamic(c *child, old actor.PID, reason error) error {
	c.restarts++
	if err := s.start(c); err != nil {
		if errors.Is(err, actor.ErrIgnore) {
			return nil
		}
		c.restarting = true
		s.waiting = append(s.waiting, c)
		if s.waitingWhy == nil {
			s.waitingWhy = map[*child]restartCause{}
		}
		s.waitingWhy[c] = restartCause{old: old, reason: reason, direct: true}
		if s.rt.Hooks().Listening() {
			s.emit(actor.Event{Kind: actor.EventRestartFailed, Name: c.spec.ID, Reason: err})
		}
		s.retryLater(err, tryAgain{})
		return nil
	}
	if s.rt.Hooks().Listening() {
		s.emit(actor.Event{Kind: actor.EventRestarted, PID: old, Other: c.pid, Name: c.spec.ID, Reason: reason})
	}
	return nil
}

// nameRetryDelay is how long a restart that found its child's name taken
// waits before trying again.
const nameRetryDelay = time.Millisecond

// retryLater sends the supervisor the tryAgain for a failed restart. OTP
// retries at once. When the start failed because the child's name is
// still held, the holder is most often on its way out (a child of a
// supervisor that was killed, which has not yet taken the exit signal the
// kill sent it); the BEAM's scheduler lets it finish first, goroutines do
// not promise to, and an immediate retry would spend the whole restart
// intensity in one burst. So that retry waits nameRetryDelay. Each retry
// still counts as a restart, so a name held for good still ends in the
// supervisor giving up.
func (s *sup) retryLater(err error, msg tryAgain) {
	if errors.Is(err, actor.ErrAlreadyStarted) {
		s.rt.SendAfter(s.self, msg, nameRetryDelay)
		return
	}
	s.rt.Send(s.self, msg)
}

func (s *sup) tryAgain(ids []string) error {
	if s.addRestart() {
		return actor.ErrShutdown
	}
	if !s.dynamic {
		return s.restartIDs(ids, nil, "")
	}
	waiting := s.waiting
	s.waiting = nil
	for i, c := range waiting {
		c.restarts++
		if err := s.start(c); err != nil && !errors.Is(err, actor.ErrIgnore) {
			s.waiting = append(s.waiting, waiting[i:]...)
			s.retryLater(err, tryAgain{})
			return nil
		}
		c.restarting = false
		why := s.waitingWhy[c]
		delete(s.waitingWhy, c)
		if s.rt.Hooks().Listening() && !c.pid.IsZero() {
			s.emit(actor.Event{Kind: actor.EventRestarted, PID: why.old, Other: c.pid, Name: c.spec.ID, Reason: why.reason})
		}
	}
	return nil
}

// DeepStack tells the runtime that a supervisor's callbacks run deep (see
// actor.DeepStack).
func (s *sup) DeepStack() {}
