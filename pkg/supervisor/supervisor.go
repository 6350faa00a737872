package supervisor

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// Options configures a static supervisor for [Start]. The zero value is a
// one_for_one supervisor allowing 3 restarts in 5 seconds.
type Options struct {
	// Name registers the supervisor under a via name.
	Name actor.Name
	// Strategy is OneForOne (zero value), OneForAll or RestForOne.
	Strategy Strategy
	// MaxRestarts is the most restarts allowed within MaxSeconds before the
	// supervisor gives up. Zero means 3; use NoRestarts for OTP's
	// max_restarts: 0 (the first restart makes it give up).
	MaxRestarts int
	// MaxSeconds is the window for MaxRestarts. Zero means 5.
	MaxSeconds int
}

// DynamicOptions configures a DynamicSupervisor for [StartDynamic]. The
// zero value allows unlimited children and 3 restarts in 5 seconds.
type DynamicOptions struct {
	// Name registers the supervisor under a via name.
	Name actor.Name
	// MaxRestarts and MaxSeconds are as in [Options].
	MaxRestarts int
	MaxSeconds  int
	// MaxChildren limits the number of children; zero means no limit.
	// StartChild past it fails with ErrMaxChildren.
	MaxChildren int
	// ExtraArguments are handed to every child's Start function, which
	// reads them with [ExtraArguments], like :extra_arguments.
	ExtraArguments []any
}

// NoRestarts, as MaxRestarts, allows no restart at all.
const NoRestarts = -1

func intensity(maxR, maxS int) (int, time.Duration) {
	switch {
	case maxR == 0:
		maxR = 3
	case maxR < 0:
		maxR = 0
	}
	if maxS <= 0 {
		maxS = 5
	}
	return maxR, time.Duration(maxS) * time.Second
}

type extraKey struct{}

// ExtraArguments returns the DynamicSupervisor's extra arguments from the
// ctx its child's Start function receives.
func ExtraArguments(ctx context.Context) []any {
	v, _ := ctx.Value(extraKey{}).([]any)
	return v
}

// The behaviours reported by [actor.Runtime.Info] for supervisors.
const (
	BehaviourSupervisor = "supervisor"
	BehaviourDynamic    = "dynamic_supervisor"
)

// Start starts a supervisor with the given children, like
// Supervisor.start_link/2. The supervisor traps exits and starts the
// children in order, each before the next; it returns once all have
// started. If one fails to start, those already started are stopped in
// reverse order and Start returns a [StartError].
//
// Started inside another supervisor's child Start function (with its
// ctx), the new supervisor is that supervisor's child.
func Start(ctx context.Context, rt *actor.Runtime, opts Options, children ...ChildSpec) (actor.PID, error) {
	seen := make(map[string]bool, len(children))
	for _, c := range children {
		if seen[c.ID] {
			return actor.PID{}, fmt.Errorf("supervisor: duplicate child id %q", c.ID)
		}
		seen[c.ID] = true
	}
	maxR, maxT := intensity(opts.MaxRestarts, opts.MaxSeconds)
	s := &sup{rt: rt, strategy: opts.Strategy, maxR: maxR, maxT: maxT, initial: children}
	return rt.Spawn(ctx, s, actor.SpawnOptions{Name: opts.Name})
}

// StartDynamic starts a DynamicSupervisor with no children, like
// DynamicSupervisor.start_link/1. Children are added with [StartChild];
// the strategy is one_for_one.
func StartDynamic(ctx context.Context, rt *actor.Runtime, opts DynamicOptions) (actor.PID, error) {
	maxR, maxT := intensity(opts.MaxRestarts, opts.MaxSeconds)
	s := &sup{rt: rt, dynamic: true, maxR: maxR, maxT: maxT, maxChildren: opts.MaxChildren, extra: opts.ExtraArguments}
	return rt.Spawn(ctx, s, actor.SpawnOptions{Name: opts.Name})
}

// Is reports whether pid is a live supervisor or DynamicSupervisor.
func Is(rt *actor.Runtime, pid actor.PID) bool {
	b, ok := rt.Behaviour(pid)
	return ok && (b == BehaviourSupervisor || b == BehaviourDynamic)
}

// request calls the supervisor after checking that it is one, so that a
// request to any other process fails instead of crashing that process.
func request(ctx context.Context, rt *actor.Runtime, sup actor.PID, req any) (any, error) {
	b, ok := rt.Behaviour(sup)
	if !ok {
		return nil, actor.ErrNoProc
	}
	if b != BehaviourSupervisor && b != BehaviourDynamic {
		return nil, fmt.Errorf("%w: %v is a %s", ErrNotSupervisor, sup, b)
	}
	return rt.CallInfinity(ctx, sup, req) // as OTP's supervisor calls: no timeout
}

type (
	startChildReq     struct{ spec ChildSpec }
	terminateChildReq struct {
		id  string
		pid actor.PID
	}
	restartChildReq  struct{ id string }
	deleteChildReq   struct{ id string }
	whichChildrenReq struct{}
	countChildrenReq struct{}
	describeReq      struct{}
	childReq         struct{ pid actor.PID }
	pageReq          struct {
		after actor.PID
		limit int
	}
	tryAgain struct{ ids []string } // restart the children that failed to start
)

type result struct {
	pid actor.PID
	err error
}

// ask makes a request whose answer is a T.
func ask[T any](ctx context.Context, rt *actor.Runtime, sup actor.PID, req any) (T, error) {
	r, err := request(ctx, rt, sup, req)
	if err != nil {
		var zero T
		return zero, err
	}
	return r.(T), nil
}

// pidRequest makes a request answered with a result.
func pidRequest(ctx context.Context, rt *actor.Runtime, sup actor.PID, req any) (actor.PID, error) {
	res, err := ask[result](ctx, rt, sup, req)
	if err != nil {
		return actor.PID{}, err
	}
	return res.pid, res.err
}

// StartChild adds a child and starts it, like Supervisor.start_child/2
// and DynamicSupervisor.start_child/2. A static supervisor appends it to
// its children; its ID must be new (ErrAlreadyPresent, or an
// actor.AlreadyStartedError if a running child has it). A DynamicSupervisor
// fails with ErrMaxChildren when full. If the child's Start fails, nothing
// is added and its error is returned; actor.ErrIgnore means the child did
// not start (a static supervisor keeps its spec).
func StartChild(ctx context.Context, rt *actor.Runtime, sup actor.PID, spec ChildSpec) (actor.PID, error) {
	return pidRequest(ctx, rt, sup, startChildReq{spec})
}

// TerminateChild stops the child with the given ID, like
// Supervisor.terminate_child/2, using its shutdown. The spec stays (it can
// be restarted with RestartChild or removed with DeleteChild) unless the
// child is temporary. ErrNotFound if there is no such child;
// DynamicSupervisors have no IDs: use TerminateChildPID.
func TerminateChild(ctx context.Context, rt *actor.Runtime, sup actor.PID, id string) error {
	_, err := pidRequest(ctx, rt, sup, terminateChildReq{id: id})
	return err
}

// TerminateChildPID stops the child with the given PID, like
// DynamicSupervisor.terminate_child/2. A DynamicSupervisor forgets the
// child; a static supervisor treats it as TerminateChild of its ID.
func TerminateChildPID(ctx context.Context, rt *actor.Runtime, sup, pid actor.PID) error {
	_, err := pidRequest(ctx, rt, sup, terminateChildReq{pid: pid})
	return err
}

// RestartChild starts a static supervisor's terminated child again, like
// Supervisor.restart_child/2. It fails with ErrRunning, ErrRestarting or
// ErrNotFound.
func RestartChild(ctx context.Context, rt *actor.Runtime, sup actor.PID, id string) (actor.PID, error) {
	return pidRequest(ctx, rt, sup, restartChildReq{id})
}

// DeleteChild removes a terminated child's spec, like
// Supervisor.delete_child/2. It fails with ErrRunning, ErrRestarting or
// ErrNotFound.
func DeleteChild(ctx context.Context, rt *actor.Runtime, sup actor.PID, id string) error {
	_, err := pidRequest(ctx, rt, sup, deleteChildReq{id})
	return err
}

// ChildInfo describes a child, like an entry of which_children.
type ChildInfo struct {
	ID         string
	PID        actor.PID // zero if not running
	Restarting bool      // a restart failed and will be tried again
	Type       ChildType
	Restart    Restart
	Shutdown   time.Duration
	Restarts   int // how often this child has been restarted
}

// WhichChildren lists the children, like which_children/1: a static
// supervisor's in start order, a DynamicSupervisor's in PID order.
func WhichChildren(ctx context.Context, rt *actor.Runtime, sup actor.PID) ([]ChildInfo, error) {
	return ask[[]ChildInfo](ctx, rt, sup, whichChildrenReq{})
}

// Child returns what sup knows of its running child pid, or ErrNotFound.
// It costs the same however many children sup has.
func Child(ctx context.Context, rt *actor.Runtime, sup, pid actor.PID) (ChildInfo, error) {
	r, err := request(ctx, rt, sup, childReq{pid})
	if err != nil {
		return ChildInfo{}, err
	}
	if res, ok := r.(result); ok {
		return ChildInfo{}, res.err
	}
	return r.(ChildInfo), nil
}

// ChildrenPage returns up to limit of sup's children with PIDs greater
// than after (zero: from the start), in PID order for a DynamicSupervisor
// and start order for a static one: a page of which_children for
// supervisors with millions of children.
func ChildrenPage(ctx context.Context, rt *actor.Runtime, sup, after actor.PID, limit int) ([]ChildInfo, error) {
	if limit <= 0 {
		return nil, nil
	}
	return ask[[]ChildInfo](ctx, rt, sup, pageReq{after, limit})
}

// Counts is the result of CountChildren, like count_children/1.
type Counts struct {
	Specs       int // all children, running or not
	Active      int // running children
	Supervisors int // children of type Supervisor
	Workers     int // children of type Worker
}

// CountChildren counts the children, like count_children/1.
func CountChildren(ctx context.Context, rt *actor.Runtime, sup actor.PID) (Counts, error) {
	return ask[Counts](ctx, rt, sup, countChildrenReq{})
}

// Description is a supervisor's configuration and restart budget.
type Description struct {
	Dynamic     bool
	Strategy    Strategy
	MaxRestarts int
	MaxSeconds  int
	MaxChildren int // DynamicSupervisor only; zero is unlimited
	// Restarts counts the restarts within the last MaxSeconds: the part of
	// the budget used.
	Restarts int
	Counts   Counts
}

// Describe returns sup's configuration and how much of its restart budget
// is used.
func Describe(ctx context.Context, rt *actor.Runtime, sup actor.PID) (Description, error) {
	return ask[Description](ctx, rt, sup, describeReq{})
}

// sup is the supervisor process.
type sup struct {
	rt          *actor.Runtime
	self        actor.PID
	dynamic     bool
	strategy    Strategy
	maxR        int
	maxT        time.Duration
	history     []time.Time
	initial     []ChildSpec
	children    []*child // static: in start order
	byPID       index    // running children
	waiting     []*child // dynamic: children whose restart failed
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

// start runs the child's Start with a ctx that makes it our child.
func (s *sup) start(c *child) error {
	if c.spec.Start == nil {
		return errors.New("supervisor: child spec has no Start function")
	}
	ctx := actor.WithStartInfo(context.Background(), actor.StartInfo{Parent: s.self, Restarts: c.restarts})
	if s.extra != nil {
		ctx = context.WithValue(ctx, extraKey{}, s.extra)
	}
	pid, err := c.spec.Start(ctx)
	if err != nil {
		return err
	}
	if pid.IsZero() {
		return actor.ErrIgnore
	}
	// A Start that ignored ctx left the process unlinked: link it now, so
	// that its exit reaches us. (If it already died unlinked, nothing
	// will; that is the Start function's bug, as in OTP.)
	_ = s.rt.Link(s.self, pid)
	c.pid = pid
	c.restarting = false
	s.byPID.add(pid, c)
	return nil
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
			return result{err: err}, nil
		}
		err = s.start(c)
		return result{pid: c.pid, err: err}, nil
	case deleteChildReq:
		c, err := s.stoppedChild(r.id)
		if err != nil {
			return result{err: err}, nil
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
			return result{err: ErrNotFound}, nil
		}
		return s.info(c), nil
	case pageReq:
		return s.page(r.after, r.limit), nil
	case describeReq:
		maxR := s.maxR
		return Description{
			Dynamic: s.dynamic, Strategy: s.strategy, MaxRestarts: maxR, MaxSeconds: int(s.maxT / time.Second),
			MaxChildren: s.maxChildren, Restarts: inWindow(s.history, time.Now(), s.maxT), Counts: s.count(),
		}, nil
	}
	return nil, fmt.Errorf("supervisor: unknown request %T", req)
}

// stoppedChild finds a static supervisor's child that is neither running
// nor being restarted, as restart_child and delete_child need.
func (s *sup) stoppedChild(id string) (*child, error) {
	if s.dynamic {
		return nil, ErrDynamic
	}
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
			return result{err: ErrMaxChildren}
		}
		c := &child{spec: spec}
		err := s.start(c)
		return result{pid: c.pid, err: err}
	}
	if c := s.find(spec.ID); c != nil {
		if !c.pid.IsZero() {
			return result{err: &actor.AlreadyStartedError{Name: spec.ID, PID: c.pid}}
		}
		return result{err: ErrAlreadyPresent}
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
			return ErrDynamic
		}
		c = s.find(r.id)
	} else {
		c = s.byPID.get(r.pid)
	}
	if c == nil {
		return ErrNotFound
	}
	s.stopChild(c)
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
	info := s.info
	var out []ChildInfo
	if !s.dynamic {
		for _, c := range s.children {
			out = append(out, info(c))
		}
		return out
	}
	s.byPID.each(func(c *child) { out = append(out, info(c)) })
	for _, c := range s.waiting {
		out = append(out, info(c))
	}
	return out
}

func (s *sup) count() Counts {
	var n Counts
	add := func(c *child) {
		n.Specs++
		if !c.pid.IsZero() {
			n.Active++
		}
		if c.spec.Type == Supervisor {
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
	e.Clock = s.rt.Clock(s.self)
	e.Supervisor = s.self
	e.MaxRestarts = s.maxR
	e.Window = s.maxT
	if e.Restarts == 0 {
		e.Restarts = inWindow(s.history, time.Now(), s.maxT)
	}
	s.rt.Emit(e)
}

// childExited applies the restart type, the intensity and the strategy.
func (s *sup) childExited(c *child, old actor.PID, reason error) error {
	if !ShouldRestart(c.spec.Restart, reason) {
		if s.rt.Listening() {
			s.emit(actor.Event{Kind: actor.EventNotRestarted, PID: old, Name: c.spec.ID, Reason: reason,
				Detail: c.spec.Restart.String() + ": " + notRestartedWhy(c.spec.Restart, reason)})
		}
		if s.dynamic || c.spec.Restart == Temporary {
			s.remove(c)
		}
		return nil
	}
	if over := s.addRestart(); over {
		return actor.ErrShutdown
	}
	if s.dynamic {
		return s.restartDynamic(c, old, reason)
	}
	i := slices.Index(s.children, c)
	stop, start := plan(s.strategy, len(s.children), i, func(j int) bool { return s.children[j].spec.Restart == Temporary })
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
	s.history, over = exceeded(s.history, time.Now(), s.maxR, s.maxT)
	if over && s.rt.Listening() {
		n, children := s.count().Active, "children"
		if n == 1 {
			children = "child"
		}
		s.emit(actor.Event{Kind: actor.EventGaveUp, PID: s.self, Reason: actor.ErrShutdown, Restarts: len(s.history),
			Detail: fmt.Sprintf("stopping %d %s", n, children)})
	}
	return over
}

// restartIDs starts the children with the given IDs in order. If one
// fails, it and the rest are retried later through a tryAgain message,
// each retry counting as a restart, as OTP does.
func (s *sup) restartIDs(ids []string, causes map[string]restartCause, cause string) error {
	for k, id := range ids {
		c := s.find(id)
		if c == nil || !c.pid.IsZero() {
			continue
		}
		c.restarts++
		if err := s.start(c); err != nil && !errors.Is(err, actor.ErrIgnore) {
			c.restarting = true
			if s.rt.Listening() {
				s.emit(actor.Event{Kind: actor.EventRestartFailed, Name: id, Reason: err})
			}
			s.rt.Send(s.self, tryAgain{ids: ids[k:]})
			return nil
		}
		if s.rt.Listening() {
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
		if s.rt.Listening() {
			s.emit(actor.Event{Kind: actor.EventRestartFailed, Name: c.spec.ID, Reason: err})
		}
		s.rt.Send(s.self, tryAgain{})
		return nil
	}
	if s.rt.Listening() {
		s.emit(actor.Event{Kind: actor.EventRestarted, PID: old, Other: c.pid, Name: c.spec.ID, Reason: reason})
	}
	return nil
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
			s.rt.Send(s.self, tryAgain{})
			return nil
		}
	}
	return nil
}

// Terminate stops the children: a static supervisor's one at a time in
// reverse start order, a DynamicSupervisor's all at once.
func (s *sup) Terminate(_ *actor.Process, _ error) { s.stopAll() }

// parallelStop is how many children a DynamicSupervisor's shutdown gives
// each goroutine that signals them, at least.
const parallelStop = 4096

func (s *sup) stopAll() {
	if !s.dynamic {
		for i := len(s.children) - 1; i >= 0; i-- {
			s.stopChild(s.children[i])
		}
		return
	}
	type stopping struct {
		pid  actor.PID
		done <-chan error
		d    time.Duration
	}
	children := s.byPID.takeNewestFirst()
	signal := func(children []*child) (all []stopping) {
		for _, c := range children {
			pid := c.pid
			c.pid = actor.PID{}
			if st, ok := s.signalStop(pid, c.spec.shutdown()); ok {
				all = append(all, stopping{pid, st, c.spec.shutdown()})
			}
		}
		return all
	}
	// Most children exit on the goroutine that signals them (see
	// signalStop); with many, the signalling is shared among GOMAXPROCS
	// goroutines, which this one waits for.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(children)/parallelStop))
	parts := slices.Collect(slices.Chunk(children, max(1, (len(children)+workers-1)/workers)))
	waits := make([][]stopping, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Go(func() { waits[i] = signal(part) })
	}
	wg.Wait()
	all := slices.Concat(waits...)
	began := time.Now()
	for _, st := range all {
		s.awaitStop(st.pid, st.done, st.d, began)
	}
}

// stopChild stops one child as its shutdown says, and waits for it.
func (s *sup) stopChild(c *child) {
	pid := c.pid
	if pid.IsZero() {
		return
	}
	s.byPID.del(pid)
	c.pid = actor.PID{}
	if done, ok := s.signalStop(pid, c.spec.shutdown()); ok {
		s.awaitStop(pid, done, c.spec.shutdown(), time.Now())
	}
}

// signalStop unlinks the child (so that its exit does not come back to us
// as a message) and sends it shutdown, or kill for BrutalKill. A child that
// was idle and does not trap exits has exited when it returns (false);
// otherwise it returns a channel to wait on for the child's exit.
func (s *sup) signalStop(pid actor.PID, d time.Duration) (<-chan error, bool) {
	s.rt.Unlink(s.self, pid)
	reason := actor.ErrShutdown
	if d == BrutalKill {
		reason = actor.ErrKill
	}
	if _, exited := s.rt.ExitNow(s.self, pid, reason); exited {
		return nil, false
	}
	// Running, trapping, or already exiting: wait until it is gone, and
	// with it its names (a restart may want them back at once).
	done, _ := s.rt.Watch(pid)
	return done, true
}

// awaitStop waits for a child told to stop at began, killing it once its
// shutdown time has passed.
func (s *sup) awaitStop(pid actor.PID, done <-chan error, d time.Duration, began time.Time) {
	if d == BrutalKill || d == Infinity {
		<-done
		return
	}
	t := time.NewTimer(d - time.Since(began))
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.rt.Exit(s.self, pid, actor.ErrKill)
		<-done
	}
}
