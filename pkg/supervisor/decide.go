package supervisor

import (
	"slices"
	"time"
)

// Decision is what a supervisor does when one of its children exits: the
// rule a supervisor applies, as a value, so that a tool can say what would
// happen without making it happen (actorsh's kill --dry-run).
type Decision struct {
	// Restart reports whether the child's restart type calls for a
	// restart; when it does not, Why says why ("transient: normal is a
	// clean exit"), as the NotRestarted event does.
	Restart bool
	Why     string
	// GiveUp reports that the restart would be one more than the
	// intensity allows: the supervisor stops its children and exits with
	// shutdown.
	GiveUp bool
	// Restarts is how many restarts the window holds after this one.
	Restarts int
	// Stop are the IDs of the siblings stopped first, in order, and Start
	// the IDs of the children started, in order (one_for_all,
	// rest_for_one; one_for_one restarts the child alone).
	Stop, Start []string
	// History is the supervisor's restart history afterwards, for the
	// decision on a next exit.
	History []time.Time
}

// Decide says what the supervisor whose state is st does when its child
// exits with reason at now: the same function the supervisor applies.
// For a static supervisor child is one of st.Children; for a
// DynamicSupervisor, the child's ChildInfo (from [Child]).
func (st State) Decide(child ChildInfo, reason error, now time.Time) Decision {
	window := time.Duration(st.MaxSeconds) * time.Second
	if st.Dynamic {
		d := decide(OneForOne, child.Restart, 1, 0, nil, reason, st.History, now, st.MaxRestarts, window, false)
		return d.public([]ChildInfo{child})
	}
	i := slices.IndexFunc(st.Children, func(c ChildInfo) bool { return c.ID == child.ID })
	if i < 0 {
		return Decision{Why: "not a child of this supervisor", History: slices.Clone(st.History)}
	}
	temporary := func(j int) bool { return st.Children[j].Restart == Temporary }
	return decide(st.Strategy, st.Children[i].Restart, len(st.Children), i, temporary, reason, st.History, now, st.MaxRestarts, window, false).public(st.Children)
}

// decision is decide's result, with children as indexes. one_for_one
// leaves start nil (see starts): a DynamicSupervisor's restart costs no
// allocation for it.
type decision struct {
	Decision
	i           int
	stop, start []int
}

// starts is the indexes of the children to start, in order.
func (d decision) starts() []int {
	if d.start == nil && d.Restart && !d.GiveUp {
		return []int{d.i}
	}
	return d.start
}

func (d decision) public(children []ChildInfo) Decision {
	out := d.Decision
	for _, j := range d.stop {
		out.Stop = append(out.Stop, children[j].ID)
	}
	for _, j := range d.starts() {
		out.Start = append(out.Start, children[j].ID)
	}
	return out
}

// decide applies the restart type, the intensity and the strategy to the
// exit of child i (of restart type restart) of n children, of which
// temporary tells the temporary ones (one_for_one needs none). The
// result holds the new history; history itself is left as it was unless
// own (the supervisor's own, which it replaces by the result). The
// supervisor's childExited and State.Decide both use it.
func decide(strategy Strategy, restart Restart, n, i int, temporary func(int) bool, reason error, history []time.Time, now time.Time, maxR int, window time.Duration, own bool) decision {
	d := decision{i: i}
	if !ShouldRestart(restart, reason) {
		d.Why = restart.String() + ": " + notRestartedWhy(restart, reason)
		d.History = history
		d.Restarts = inWindow(history, now, window)
		return d
	}
	d.Restart = true
	if !own {
		history = slices.Clip(history) // exceeded appends to a copy
	}
	d.History, d.GiveUp = exceeded(history, now, maxR, window)
	d.Restarts = len(d.History)
	if d.GiveUp {
		return d
	}
	if strategy != OneForOne {
		d.stop, d.start = plan(strategy, n, i, temporary)
	}
	return d
}
