package supervisor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
	// MaxSeconds is the window for MaxRestarts, in whole seconds as OTP's
	// period is (an int, not a time.Duration, so that a spec reads as its
	// OTP twin). Zero means 5; at most MaxWindow.
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
	// ExtraArguments are handed to every child's New (and Start's
	// [Spawner].Extra), like :extra_arguments.
	ExtraArguments []any
}

// NoRestarts, as MaxRestarts, allows no restart at all.
const NoRestarts = -1

// MaxWindow is the longest restart window, in seconds (a year): longer
// MaxSeconds are cut to it, so the window always fits a time.Duration.
const MaxWindow = 365 * 24 * 3600

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
	return maxR, time.Duration(min(maxS, MaxWindow)) * time.Second
}

// The behaviours reported by [actor.Runtime.Info] for supervisors.
const (
	BehaviourSupervisor = "supervisor"
	BehaviourDynamic    = "dynamic_supervisor"
)

// New returns a static supervisor with the given children as an actor,
// for a supervisor that is another's child ([Spec]) or that a program
// spawns itself; [Start] is New and Spawn in one. It fails if two
// children share an ID. opts.Name is not used: the spawner names it.
func New(opts Options, children ...ChildSpec) (actor.Actor, error) {
	seen := make(map[string]bool, len(children))
	for _, c := range children {
		if seen[c.ID] {
			return nil, fmt.Errorf("supervisor: duplicate child id %q", c.ID)
		}
		seen[c.ID] = true
	}
	maxR, maxT := intensity(opts.MaxRestarts, opts.MaxSeconds)
	return &sup{strategy: opts.Strategy, maxR: maxR, maxT: maxT, initial: children}, nil
}

// NewDynamic returns a DynamicSupervisor as an actor, as [New] does.
func NewDynamic(opts DynamicOptions) actor.Actor {
	maxR, maxT := intensity(opts.MaxRestarts, opts.MaxSeconds)
	return &sup{dynamic: true, maxR: maxR, maxT: maxT, maxChildren: opts.MaxChildren, extra: opts.ExtraArguments}
}

// Spec returns the child spec of a static supervisor with the given
// options and children, for nesting one supervisor under another: its
// Type is SupervisorChild (shutdown infinity) and it is named opts.Name.
func Spec(id string, opts Options, children ...ChildSpec) ChildSpec {
	return ChildSpec{ID: id, Type: SupervisorChild, Name: opts.Name,
		New: func([]any) (actor.Actor, error) { return New(opts, children...) }}
}

// DynamicSpec returns the child spec of a DynamicSupervisor, as [Spec].
func DynamicSpec(id string, opts DynamicOptions) ChildSpec {
	return ChildSpec{ID: id, Type: SupervisorChild, Name: opts.Name,
		New: func([]any) (actor.Actor, error) { return NewDynamic(opts), nil }}
}

// Start starts a supervisor with the given children, like
// Supervisor.start_link/2. The supervisor traps exits and starts the
// children in order, each before the next; it returns once all have
// started. If one fails to start, those already started are stopped in
// reverse order and Start returns a [StartError].
func Start(ctx context.Context, rt *actor.Runtime, opts Options, children ...ChildSpec) (actor.PID, error) {
	a, err := New(opts, children...)
	if err != nil {
		return actor.PID{}, err
	}
	return rt.Spawn(ctx, a, actor.SpawnOptions{Name: opts.Name})
}

// StartDynamic starts a DynamicSupervisor with no children, like
// DynamicSupervisor.start_link/1. Children are added with [StartChild];
// the strategy is one_for_one.
func StartDynamic(ctx context.Context, rt *actor.Runtime, opts DynamicOptions) (actor.PID, error) {
	return rt.Spawn(ctx, NewDynamic(opts), actor.SpawnOptions{Name: opts.Name})
}

// IsSupervisor reports whether pid is a live supervisor or
// DynamicSupervisor.
func IsSupervisor(rt *actor.Runtime, pid actor.PID) bool {
	b, ok := rt.Hooks().Behaviour(pid)
	return ok && (b == BehaviourSupervisor || b == BehaviourDynamic)
}

// The requests below are calls to the supervisor with timeout infinity,
// as OTP makes them: they wait for the supervisor however long its
// children take to start or stop, unless ctx ends first. Then they return
// ctx.Err() (errors.Is(err, context.DeadlineExceeded) for a deadline) and
// the request is still carried out. With a ctx that cannot end, such as
// context.Background(), an idle supervisor runs on the caller's goroutine
// until it has answered (see actor.Hooks.CallInfinity), which is the
// cheapest way to start many children.

// request calls the supervisor after checking that it is one, so that a
// request to any other process fails instead of crashing that process.
func request(ctx context.Context, rt *actor.Runtime, sup actor.PID, req any) (any, error) {
	b, ok := rt.Hooks().Behaviour(sup)
	if !ok {
		return nil, &actor.CallError{PID: sup, Err: actor.ErrNoProc}
	}
	if b != BehaviourSupervisor && b != BehaviourDynamic {
		return nil, fmt.Errorf("%w: %v is a %s", ErrNotSupervisor, sup, b)
	}
	return rt.Hooks().CallInfinity(ctx, sup, req)
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

// The requests print as the OTP supervisor's calls do, for traces.
func (r startChildReq) String() string     { return "{start_child, " + strconv.Quote(r.spec.ID) + "}" }
func (r terminateChildReq) String() string { return "{terminate_child, " + childRef(r.id, r.pid) + "}" }
func (r restartChildReq) String() string   { return "{restart_child, " + strconv.Quote(r.id) + "}" }
func (r deleteChildReq) String() string    { return "{delete_child, " + strconv.Quote(r.id) + "}" }
func (whichChildrenReq) String() string    { return "which_children" }
func (countChildrenReq) String() string    { return "count_children" }
func (describeReq) String() string         { return "get_status" }
func (r childReq) String() string          { return "{get_child, " + r.pid.String() + "}" }
func (r pageReq) String() string {
	return "{which_children, " + r.after.String() + ", " + strconv.Itoa(r.limit) + "}"
}
func (r tryAgain) String() string {
	ids := make([]string, len(r.ids))
	for i, id := range r.ids {
		ids[i] = strconv.Quote(id)
	}
	return "{try_again_restart, [" + strings.Join(ids, ", ") + "]}"
}

// String writes a start's answer as OTP's is: {ok, <0.5.0>} or {error, Reason}.
func (r result) String() string {
	if r.err != nil {
		return "{error, " + actor.FormatReason(r.err) + "}"
	}
	if r.pid.IsZero() {
		return "ok"
	}
	return "{ok, " + r.pid.String() + "}"
}

// childRef is a child as terminate_child names it: its ID, or its PID.
func childRef(id string, pid actor.PID) string {
	if id != "" {
		return strconv.Quote(id)
	}
	return pid.String()
}

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
// fails with ErrMaxChildren when full. If the child fails to start,
// nothing is added and its error is returned (a panic in New or Start as
// an actor.PanicError); actor.ErrIgnore means the child did not start (a
// static supervisor keeps its spec).
func StartChild(ctx context.Context, rt *actor.Runtime, sup actor.PID, spec ChildSpec) (actor.PID, error) {
	return pidRequest(ctx, rt, sup, startChildReq{spec})
}

// TerminateChild stops the child with the given ID, like
// Supervisor.terminate_child/2, using its shutdown; a child whose restart
// is pending is not restarted. The spec stays (it can be restarted with
// RestartChild or removed with DeleteChild) unless the child is
// temporary. ErrNotFound if there is no such child; DynamicSupervisors
// have no IDs: use TerminateChildPID.
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
// supervisor's in start order, a DynamicSupervisor's in PID order. A child
// that was unlinked from the supervisor and has died is no longer listed
// as running (a DynamicSupervisor forgets it).
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
	Supervisors int // children of type SupervisorChild
	Workers     int // children of type WorkerChild
}

// String writes the counts as count_children answers them:
// [{specs, 2}, {active, 2}, {supervisors, 0}, {workers, 2}].
func (n Counts) String() string {
	return fmt.Sprintf("[{specs, %d}, {active, %d}, {supervisors, %d}, {workers, %d}]", n.Specs, n.Active, n.Supervisors, n.Workers)
}

// String writes the child as which_children lists it, with its restart
// type: {"c1", <0.5.0>, worker, permanent} (undefined if not running,
// restarting if a restart is to be tried again).
func (c ChildInfo) String() string {
	child := c.PID.String()
	switch {
	case c.Restarting:
		child = "restarting"
	case c.PID.IsZero():
		child = "undefined"
	}
	return fmt.Sprintf("{%s, %s, %s, %s}", strconv.Quote(c.ID), child, c.Type, c.Restart)
}

// CountChildren counts the children, like count_children/1. Active counts
// only children that are alive, as OTP's does.
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
	// ExtraArguments are a DynamicSupervisor's (a copy of the slice).
	ExtraArguments []any
	// Restarts counts the restarts within the last MaxSeconds: the part of
	// the budget used.
	Restarts int
	Counts   Counts
}

// String writes the description as a term: {one_for_one, {intensity, 3,
// 5}, {restarts, 0}, [{specs, 2}, ...]}; dynamic_supervisor for a
// DynamicSupervisor.
func (d Description) String() string {
	kind := d.Strategy.String()
	if d.Dynamic {
		kind = "dynamic_supervisor"
	}
	return fmt.Sprintf("{%s, {intensity, %d, %d}, {restarts, %d}, %v}", kind, d.MaxRestarts, d.MaxSeconds, d.Restarts, d.Counts)
}

// Describe returns sup's configuration and how much of its restart budget
// is used.
func Describe(ctx context.Context, rt *actor.Runtime, sup actor.PID) (Description, error) {
	return ask[Description](ctx, rt, sup, describeReq{})
}

// State is what actor.Runtime.State reports for a supervisor, like
// :sys.get_state/1: its description and, for a static supervisor, its
// children in start order (a DynamicSupervisor's can be millions: page
// them with ChildrenPage). It is a copy, made by the supervisor between
// requests, so it is consistent and safe to read.
type State struct {
	Description
	Children []ChildInfo
	// History holds the times of the restarts in the window, oldest
	// first, for [State.Decide].
	History []time.Time
}

var errNoStart = errors.New("supervisor: child spec has neither New nor Start")

// ErrUnknownRequest matches the error a supervisor answers a call with
// when the call is not one of this package's requests: a supervisor
// refuses such calls (and ignores casts) and goes on, where OTP's would
// crash and take its children with it.
var ErrUnknownRequest = errors.New("unknown_request")

// UnknownRequestError is the answer to a call a supervisor does not know.
type UnknownRequestError struct {
	Supervisor actor.PID
	Request    any
}

func (e *UnknownRequestError) Error() string {
	return fmt.Sprintf("unknown_request: supervisor %v does not take %v", e.Supervisor, e.Request)
}

// Is reports a match with ErrUnknownRequest.
func (e *UnknownRequestError) Is(target error) bool { return target == ErrUnknownRequest }
