package supervisor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// Strategy is how a supervisor reacts when a child that must be restarted
// exits.
type Strategy uint8

const (
	// OneForOne restarts only the child that exited.
	OneForOne Strategy = iota
	// OneForAll stops all other children (in reverse start order) and
	// restarts them all (in start order).
	OneForAll
	// RestForOne stops the children started after the one that exited (in
	// reverse order) and restarts it and them (in start order).
	RestForOne
)

var strategyNames = [...]string{OneForOne: "one_for_one", OneForAll: "one_for_all", RestForOne: "rest_for_one"}

// String returns one_for_one, one_for_all or rest_for_one.
func (s Strategy) String() string { return enumString(strategyNames[:], s, "Strategy") }

// ParseStrategy reverses [Strategy.String].
func ParseStrategy(s string) (Strategy, error) {
	return parseEnum[Strategy](strategyNames[:], s, "strategy")
}

// Restart is a child's restart type: which exits make its supervisor
// restart it.
//
//	exit reason                  | Permanent | Transient | Temporary
//	normal                       | restart   | no        | no
//	shutdown, {shutdown, X}      | restart   | no        | no
//	killed, custom reason, panic | restart   | restart   | no
type Restart uint8

const (
	// Permanent children are always restarted. The zero value.
	Permanent Restart = iota
	// Transient children are restarted only after an abnormal exit: not
	// after normal, shutdown or {shutdown, X}.
	Transient
	// Temporary children are never restarted, and never take part in the
	// restart of their siblings.
	Temporary
)

var restartNames = [...]string{Permanent: "permanent", Transient: "transient", Temporary: "temporary"}

// String returns permanent, transient or temporary.
func (r Restart) String() string { return enumString(restartNames[:], r, "Restart") }

// ParseRestart reverses [Restart.String].
func ParseRestart(s string) (Restart, error) {
	return parseEnum[Restart](restartNames[:], s, "restart type")
}

// enumString returns names[v], or type(v) for a value without a name.
func enumString[T ~uint8](names []string, v T, typ string) string {
	if int(v) < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", typ, v)
}

// parseEnum returns the value named s; what names the kind of value in
// the error, which lists the names.
func parseEnum[T ~uint8](names []string, s, what string) (T, error) {
	if i := slices.Index(names, s); i >= 0 {
		return T(i), nil
	}
	last := len(names) - 1
	return 0, fmt.Errorf("supervisor: unknown %s %q (want %s or %s)", what, s, strings.Join(names[:last], ", "), names[last])
}

// ShouldRestart reports whether a child of restart type r that exited
// with reason is restarted: the table in [Restart].
func ShouldRestart(r Restart, reason error) bool {
	switch r {
	case Permanent:
		return true
	case Transient:
		return !actor.IsNormal(reason)
	}
	return false
}

// ChildType says whether a child is a worker or a supervisor; it sets the
// default shutdown.
type ChildType uint8

const (
	WorkerChild     ChildType = iota // a worker: the zero value
	SupervisorChild                  // a supervisor: shutdown defaults to Infinity
)

// String returns worker or supervisor.
func (t ChildType) String() string {
	if t == SupervisorChild {
		return "supervisor"
	}
	return "worker"
}

// Shutdown values besides a timeout.
const (
	// BrutalKill stops the child with the kill signal at once.
	BrutalKill time.Duration = -1
	// Infinity waits for the child to stop however long it takes: the
	// default for supervisors, so that a subtree stops in order.
	Infinity time.Duration = math.MaxInt64
	// DefaultShutdown is the default for workers: shutdown, then kill after
	// 5 seconds.
	DefaultShutdown = 5 * time.Second
)

// ChildSpec describes a child, like a child specification map. The
// supervisor starts the child itself, at first and at every restart, from
// New (the usual form) or Start; either way the child is linked to the
// supervisor as its parent before its Init runs, as start_link does.
// The zero values give a permanent worker with a 5 second shutdown.
//
//	supervisor.ChildSpec{
//		ID:      "greeter_for_alice",
//		Name:    reg.Via("greeter_for_alice"),
//		Restart: supervisor.Transient,
//		New:     func([]any) (actor.Actor, error) { return &Greeter{Person: "alice"}, nil },
//	}
type ChildSpec struct {
	// ID names the child within its supervisor. Static supervisors need
	// it to be unique; DynamicSupervisors only report it.
	ID string
	// New makes the child's actor for each start, restarts included. extra
	// is the DynamicSupervisor's ExtraArguments (nil under a static
	// supervisor), as :extra_arguments are passed before a child's own
	// arguments. Returning a nil actor leaves the child not running, like
	// :ignore; an error fails the start.
	New func(extra []any) (actor.Actor, error)
	// Name, if set, registers the child under a via name at every start,
	// before its Init runs, as a GenServer's :name option does.
	Name actor.Name
	// Start is the other way to start the child, for a start that must do
	// more than New and Name can say: it must start the child with
	// sp.Spawn, once, and return its PID. Returning actor.ErrIgnore (or a
	// zero PID) leaves the child not running. A PID that sp did not spawn
	// fails the start, so a Start cannot leave a child the supervisor does
	// not supervise.
	Start func(sp *Spawner) (actor.PID, error)
	// Restart is Permanent (zero value), Transient or Temporary.
	Restart Restart
	// Shutdown is how the child is stopped: BrutalKill, a timeout after
	// which shutdown turns into kill, or Infinity. Zero means 5s for a
	// worker and Infinity for a supervisor.
	Shutdown time.Duration
	// Type is WorkerChild (zero value) or SupervisorChild.
	Type ChildType
}

func (c *ChildSpec) shutdown() time.Duration {
	switch {
	case c.Shutdown != 0:
		return c.Shutdown
	case c.Type == SupervisorChild:
		return Infinity
	}
	return DefaultShutdown
}

// Spawner starts a child for a [ChildSpec]'s Start function, linked to the
// supervisor as its parent.
type Spawner struct {
	rt       *actor.Runtime
	parent   actor.PID
	restarts int
	extra    []any
	pid      actor.PID // what Spawn started
}

// Runtime returns the supervisor's runtime.
func (sp *Spawner) Runtime() *actor.Runtime { return sp.rt }

// Extra returns the DynamicSupervisor's ExtraArguments (nil under a
// static supervisor).
func (sp *Spawner) Extra() []any { return sp.extra }

// Spawn starts the child, as [actor.Runtime.Spawn] does, with the
// supervisor as its parent (opts.Parent and opts.Restarts are set for
// you; opts.Link, if set, is an extra link). A second Spawn fails.
func (sp *Spawner) Spawn(a actor.Actor, opts actor.SpawnOptions) (actor.PID, error) {
	if !sp.pid.IsZero() {
		return actor.PID{}, fmt.Errorf("supervisor: a child's Start spawned %v already: it starts one process", sp.pid)
	}
	opts.Parent = sp.parent
	opts.Restarts = sp.restarts
	pid, err := sp.rt.Spawn(context.Background(), a, opts)
	if err == nil {
		sp.pid = pid
	}
	return pid, err
}

// FormatShutdown renders a shutdown value: brutal_kill, infinity or a
// duration.
func FormatShutdown(d time.Duration) string {
	switch d {
	case BrutalKill:
		return "brutal_kill"
	case Infinity:
		return "infinity"
	}
	return d.String()
}

// Errors returned by the child management functions, as in OTP. They come
// wrapped in a [ChildError] that names the supervisor and the child; match
// them with errors.Is.
var (
	ErrNotFound       = errors.New("not_found")
	ErrRunning        = errors.New("running")
	ErrRestarting     = errors.New("restarting")
	ErrAlreadyPresent = errors.New("already_present")
	ErrMaxChildren    = errors.New("max_children")
	ErrNotSupervisor  = errors.New("not_supervisor")
	ErrDynamic        = errors.New("not_supported_by_a_dynamic_supervisor")
)

// ChildError reports a child management request that failed: which
// supervisor, which child (by ID, or by PID for a DynamicSupervisor) and
// why (Err, one of the errors above). It unwraps to Err.
type ChildError struct {
	Supervisor actor.PID
	ID         string
	PID        actor.PID
	Err        error
}

func (e *ChildError) Error() string {
	who := e.ID
	switch {
	case !e.PID.IsZero():
		who = e.PID.String()
	case needsQuotes(who):
		who = strconv.Quote(who)
	}
	if who == "" {
		return FormatError(e.Err) + " (supervisor " + e.Supervisor.String() + ")"
	}
	return FormatError(e.Err) + ": " + who + " (supervisor " + e.Supervisor.String() + ")"
}

func (e *ChildError) Unwrap() error { return e.Err }

// FormatError renders an error of this package for people: the OTP atom
// of a sentinel, the message otherwise.
func FormatError(err error) string { return actor.FormatReason(err) }

// needsQuotes reports whether an ID must be quoted to read as one word.
func needsQuotes(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == '"' || r == '\\' || r > '~' {
			return true
		}
	}
	return false
}

// StartError reports that a child could not be started while a
// supervisor started, like {shutdown, {failed_to_start_child, Id, Reason}}.
// It matches actor.ErrShutdown and unwraps to the child's error.
type StartError struct {
	ID     string
	Reason error
}

func (e *StartError) Error() string {
	return fmt.Sprintf("{shutdown, {failed_to_start_child, %q, %s}}", e.ID, actor.FormatReason(e.Reason))
}

func (e *StartError) Unwrap() []error { return []error{actor.ErrShutdown, e.Reason} }

// exceeded records a restart at now in history and reports whether that
// makes more than max restarts within the window, which ends the
// supervisor. history holds the times of earlier restarts, oldest first;
// the result keeps only those still inside the window, now included.
// Pruning goes from the front, so a restart costs O(1) amortised however
// many restarts the window holds.
func exceeded(history []time.Time, now time.Time, max int, within time.Duration) ([]time.Time, bool) {
	i := 0
	for i < len(history) && now.Sub(history[i]) >= within {
		i++
	}
	kept := append(history[i:], now)
	return kept, len(kept) > max
}

// inWindow counts the restarts of history (oldest first) within the
// window ending at now.
func inWindow(history []time.Time, now time.Time, within time.Duration) int {
	i := sort.Search(len(history), func(i int) bool { return now.Sub(history[i]) < within })
	return len(history) - i
}

// plan decides what a static supervisor does when the child at index i
// (of n children) exits and must be restarted: which children to stop, in
// the order to stop them, and which to start, in the order to start them.
// temporary[j] reports whether child j is temporary. The stopped temporary
// children are not restarted (they are removed), and a temporary child is
// never the one restarted.
func plan(s Strategy, n, i int, temporary func(int) bool) (stop, start []int) {
	from := i
	switch s {
	case OneForOne:
		return nil, []int{i}
	case OneForAll:
		from = 0
	case RestForOne:
	}
	for j := n - 1; j >= from; j-- {
		if j != i {
			stop = append(stop, j)
		}
	}
	for j := from; j < n; j++ {
		if !temporary(j) {
			start = append(start, j)
		}
	}
	return stop, start
}
