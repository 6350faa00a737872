package supervisor

import (
	"slices"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

func TestStateDecide(t *testing.T) {
	now := time.Date(2000, 1, 1, 0, 0, 10, 0, time.UTC)
	kids := []ChildInfo{{ID: "a", Restart: Permanent}, {ID: "b", Restart: Transient}, {ID: "c", Restart: Temporary}, {ID: "d", Restart: Permanent}}
	st := func(s Strategy, history ...time.Time) State {
		return State{Description: Description{Strategy: s, MaxRestarts: 2, MaxSeconds: 5}, Children: kids, History: history}
	}
	cases := []struct {
		name   string
		st     State
		child  ChildInfo
		reason error
		want   Decision
	}{
		{"transient, normal", st(OneForOne), kids[1], actor.ErrNormal,
			Decision{Why: "transient: normal is a clean exit"}},
		{"temporary, crash", st(OneForOne), kids[2], actor.Reason("boom"),
			Decision{Why: "temporary: never restarted"}},
		{"one_for_one", st(OneForOne), kids[1], actor.Reason("boom"),
			Decision{Restart: true, Restarts: 1, Start: []string{"b"}}},
		{"one_for_all: the temporary child is stopped and not started", st(OneForAll), kids[1], actor.ErrKilled,
			Decision{Restart: true, Restarts: 1, Stop: []string{"d", "c", "a"}, Start: []string{"a", "b", "d"}}},
		{"rest_for_one", st(RestForOne), kids[1], actor.ErrKilled,
			Decision{Restart: true, Restarts: 1, Stop: []string{"d", "c"}, Start: []string{"b", "d"}}},
		{"the window forgets old restarts", st(OneForOne, now.Add(-6*time.Second), now.Add(-5*time.Second), now.Add(-time.Second)), kids[0], actor.ErrKilled,
			Decision{Restart: true, Restarts: 2, Start: []string{"a"}}},
		{"a third restart in 5 s is one too many", st(OneForOne, now.Add(-2*time.Second), now.Add(-time.Second)), kids[0], actor.ErrKilled,
			Decision{Restart: true, GiveUp: true, Restarts: 3}},
		{"a DynamicSupervisor", State{Description: Description{Dynamic: true, MaxRestarts: 2, MaxSeconds: 5}}, ChildInfo{ID: "x", Restart: Permanent}, actor.ErrKilled,
			Decision{Restart: true, Restarts: 1, Start: []string{"x"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := slices.Clone(c.st.History)
			got := c.st.Decide(c.child, c.reason, now)
			if got.Restart != c.want.Restart || got.Why != c.want.Why || got.GiveUp != c.want.GiveUp || got.Restarts != c.want.Restarts ||
				!slices.Equal(got.Stop, c.want.Stop) || !slices.Equal(got.Start, c.want.Start) {
				t.Errorf("Decide = %+v\nwant %+v", got, c.want)
			}
			if !slices.Equal(c.st.History, before) {
				t.Errorf("Decide changed the state's history: %v, was %v", c.st.History, before)
			}
		})
	}
}
