package supervisor

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

func TestShouldRestart(t *testing.T) {
	boom := actor.Reason("boom")
	panicked := &actor.PanicError{Value: "x"}
	tests := []struct {
		reason                          error
		permanent, transient, temporary bool
	}{
		{actor.ErrNormal, true, false, false},
		{actor.ErrShutdown, true, false, false},
		{actor.Shutdown("maintenance"), true, false, false},
		{actor.ErrKilled, true, true, false},
		{boom, true, true, false},
		{panicked, true, true, false},
		{fmt.Errorf("wrapped: %w", actor.ErrNormal), true, false, false},
	}
	for _, tt := range tests {
		for r, want := range map[Restart]bool{Permanent: tt.permanent, Transient: tt.transient, Temporary: tt.temporary} {
			if got := ShouldRestart(r, tt.reason); got != want {
				t.Errorf("ShouldRestart(%v, %v) = %v; want %v", r, tt.reason, got, want)
			}
		}
	}
}

func TestExceeded(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(secs ...float64) []time.Time {
		var out []time.Time
		for _, s := range secs {
			out = append(out, t0.Add(time.Duration(s*float64(time.Second))))
		}
		return out
	}
	tests := []struct {
		history  []time.Time
		now      float64
		max      int
		within   time.Duration
		wantKept int
		want     bool
	}{
		{nil, 0, 3, 5 * time.Second, 1, false},            // first restart
		{at(0, 1), 2, 3, 5 * time.Second, 3, false},       // third restart: at the limit, allowed
		{at(0, 1, 2), 3, 3, 5 * time.Second, 4, true},     // fourth within 5s: give up
		{at(0, 1, 2), 5, 3, 5 * time.Second, 3, false},    // the first fell out of the window
		{at(0, 1, 2), 4.999, 3, 5 * time.Second, 4, true}, // just inside
		{nil, 0, 0, 5 * time.Second, 1, true},             // max_restarts 0: the first restart is too many
		{at(0, 2, 4), 6, 3, 5 * time.Second, 3, false},    // steady restarts every 2s never add up
	}
	for _, tt := range tests {
		h := slices.Clone(tt.history)
		kept, got := exceeded(h, t0.Add(time.Duration(tt.now*float64(time.Second))), tt.max, tt.within)
		if got != tt.want || len(kept) != tt.wantKept {
			t.Errorf("exceeded(%v, +%vs, %d, %v) = %d kept, %v; want %d, %v", tt.history, tt.now, tt.max, tt.within, len(kept), got, tt.wantKept, tt.want)
		}
	}
}

func TestPlan(t *testing.T) {
	none := func(int) bool { return false }
	tests := []struct {
		name      string
		s         Strategy
		n, i      int
		temporary func(int) bool
		stop      []int
		start     []int
	}{
		{"b died under OneForOne in [a b c]: restart b", OneForOne, 3, 1, none, nil, []int{1}},
		{"b died under OneForAll in [a b c]: stop c, a; restart a, b, c", OneForAll, 3, 1, none, []int{2, 0}, []int{0, 1, 2}},
		{"b died under RestForOne in [a b c]: stop c; restart b, c", RestForOne, 3, 1, none, []int{2}, []int{1, 2}},
		{"c died under RestForOne in [a b c]: restart c", RestForOne, 3, 2, none, nil, []int{2}},
		{"a died under RestForOne in [a b c]: stop c, b; restart a, b, c", RestForOne, 3, 0, none, []int{2, 1}, []int{0, 1, 2}},
		{"b died under OneForAll with temporary c: stop c, a; restart a, b", OneForAll, 3, 1, func(j int) bool { return j == 2 }, []int{2, 0}, []int{0, 1}},
	}
	for _, tt := range tests {
		stop, start := plan(tt.s, tt.n, tt.i, tt.temporary)
		if !slices.Equal(stop, tt.stop) || !slices.Equal(start, tt.start) {
			t.Errorf("%s: plan = stop %v, start %v; want stop %v, start %v", tt.name, stop, start, tt.stop, tt.start)
		}
	}
}

func TestParse(t *testing.T) {
	for _, s := range []Strategy{OneForOne, OneForAll, RestForOne} {
		if got, err := ParseStrategy(s.String()); err != nil || got != s {
			t.Errorf("ParseStrategy(%q) = %v, %v", s, got, err)
		}
	}
	for _, r := range []Restart{Permanent, Transient, Temporary} {
		if got, err := ParseRestart(r.String()); err != nil || got != r {
			t.Errorf("ParseRestart(%q) = %v, %v", r, got, err)
		}
	}
	if _, err := ParseRestart("sometimes"); err == nil {
		t.Error("ParseRestart(sometimes) succeeded")
	}
	if _, err := ParseStrategy("all_for_one"); err == nil {
		t.Error("ParseStrategy(all_for_one) succeeded")
	}
	var se error = &StartError{ID: "db", Reason: actor.Reason("econnrefused")}
	if !errors.Is(se, actor.ErrShutdown) || se.Error() != `{shutdown, {failed_to_start_child, "db", econnrefused}}` {
		t.Errorf("StartError = %v", se)
	}
}
