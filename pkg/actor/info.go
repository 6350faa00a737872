package actor

import (
	"cmp"
	"slices"
	"time"
)

// Status is what a process is doing, as in Process.info(pid, :status).
type Status uint8

// The statuses of a process.
const (
	StatusWaiting   Status = iota // idle, waiting for a message
	StatusRunning                 // a callback is running or about to run
	StatusExiting                 // exiting: cleanup in progress
	StatusSuspended               // suspended by Suspend, and not running
)

// String returns waiting, running, exiting or suspended.
func (s Status) String() string {
	switch s {
	case StatusRunning:
		return "running"
	case StatusExiting:
		return "exiting"
	case StatusSuspended:
		return "suspended"
	}
	return "waiting"
}

// MarshalText makes the status a JSON string.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Registration is one entry a process holds in a registry.
type Registration struct {
	Owner Cleaner // the registry
	Key   string
}

// Info is a snapshot of a process for inspection, like Process.info/1.
type Info struct {
	PID             PID
	Behaviour       string // from [Behaviour], or the actor's Go type
	Status          Status
	MessageQueueLen int
	MessagesHandled uint64
	Links           []PID // in PID order, the parent first if linked
	Monitors        []PID // processes this one monitors
	MonitoredBy     []PID // processes that monitor this one
	TrapExit        bool
	Parent          PID // zero if none
	Restarts        int // restarts of its child spec before this process started
	Started         time.Time
	Registered      []Registration
}

// behaviour is [Hooks.Behaviour].
func (rt *Runtime) behaviour(pid PID) (string, bool) {
	p := rt.table.get(pid.id)
	if p == nil {
		return "", false
	}
	p.mu.Lock()
	dead := p.flags&fDead != 0
	p.mu.Unlock()
	if dead {
		return "", false
	}
	return behaviourName(p.actor), true // the actor never changes: no lock needed
}

// parent is [Hooks.Parent].
func (rt *Runtime) parent(pid PID) (PID, bool) {
	p := rt.table.get(pid.id)
	if p == nil {
		return PID{}, false
	}
	return p.parent, true // immutable after Spawn
}

// Info returns a snapshot of pid, or ErrNoProc if it is not alive. It does
// not wait for the process: it reads what the process has published.
func (rt *Runtime) Info(pid PID) (Info, error) {
	p := rt.table.get(pid.id)
	if p == nil {
		return Info{}, ErrNoProc
	}
	in, children, err := p.info()
	if err == nil && len(children) > 0 {
		// Links from children are recorded by the children only.
		rt.eachChild(p, children, func(c *Process) {
			c.mu.Lock()
			if parentLinked(p, c) {
				in.Links = append(in.Links, c.pid)
			}
			c.mu.Unlock()
		})
		slices.SortFunc(in.Links, func(a, b PID) int { return cmp.Compare(a.id, b.id) })
	}
	return in, err
}

func (p *Process) info() (in Info, children []PID, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.flags&fDead != 0 {
		return Info{}, nil, ErrNoProc
	}
	in = Info{
		PID:             p.pid,
		Behaviour:       behaviourName(p.actor),
		MessageQueueLen: int(p.q.n) + int(p.batch.Load()&^sigUrgent),
		MessagesHandled: p.handled - uint64(p.batch.Load()&^sigUrgent),
		TrapExit:        p.flags&fTrap != 0,
		Parent:          p.parent,
		Restarts:        int(p.restarts),
		Started:         time.Unix(0, p.started),
	}
	switch {
	case p.flags&fExiting != 0:
		in.Status = StatusExiting
	case p.flags&fRunning != 0:
		in.Status = StatusRunning
	case p.flags&fSuspended != 0:
		in.Status = StatusSuspended
	}
	if p.flags&fParentLink != 0 {
		in.Links = append(in.Links, p.parent)
	}
	if p.name.c != nil {
		in.Registered = append(in.Registered, Registration{Owner: p.name.c, Key: p.name.key})
	}
	if x := p.ext; x != nil {
		in.Links = append(in.Links, x.links.sorted()...)
		if x.childLinks > 0 {
			children = slices.Clone(x.children)
		}
		in.Monitors = sortedValues(x.monitors)
		in.MonitoredBy = sortedValues(x.monitoredBy)
		for _, a := range x.attach {
			in.Registered = append(in.Registered, Registration{Owner: a.c, Key: a.key})
		}
	}
	return in, children, nil
}

func sortedValues(m map[Ref]PID) []PID {
	if len(m) == 0 {
		return nil
	}
	var s pidSet
	for _, pid := range m {
		s.add(pid)
	}
	return s.sorted()
}
