package shell

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/actorsh/actorsh/pkg/actor"
	"pgregory.net/rapid"
)

// TestDryRunPredicts: over random supervision trees and random kills and
// stops, what --dry-run predicts (who exits, which children restart,
// which do not, which supervisors give up) is what then happens when the
// same command runs for real.
func TestDryRunPredicts(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ios, _, _, _ := iostreams.Test()
		s, err := NewSession(ios, Options{VirtualClock: true})
		if err != nil {
			rt.Fatal(err)
		}
		defer s.Close()
		ctx := context.Background()
		exec := func(line string) {
			if err := s.Exec(ctx, line); err != nil {
				rt.Fatalf("%s: %v", line, err)
			}
		}
		var names []string
		nsups := rapid.IntRange(1, 3).Draw(rt, "supervisors")
		for i := range nsups {
			sup := fmt.Sprintf("s%d", i)
			strategy := rapid.SampledFrom([]string{"one_for_one", "one_for_all", "rest_for_one"}).Draw(rt, "strategy")
			exec(fmt.Sprintf("sup start %s --strategy %s --max-restarts %d", sup, strategy, rapid.IntRange(0, 3).Draw(rt, "max_restarts")))
			for j := range rapid.IntRange(1, 3).Draw(rt, "children") {
				name := fmt.Sprintf("%s_c%d", sup, j)
				restart := rapid.SampledFrom([]string{"permanent", "transient", "temporary"}).Draw(rt, "restart")
				exec(fmt.Sprintf("spawn counter --sup %s --name %s --restart %s", sup, name, restart))
				names = append(names, name)
			}
		}
		// At most one link, across supervisors: a link between siblings
		// races their supervisor (does it stop the other first?), and two
		// links into one supervisor race each other, so neither has one
		// outcome to predict.
		for range rapid.IntRange(0, 1).Draw(rt, "links") {
			a, b := rapid.SampledFrom(names).Draw(rt, "a"), rapid.SampledFrom(names).Draw(rt, "b")
			if a[:2] != b[:2] {
				s.Exec(ctx, "link "+a+" "+b) // either may be gone by now
			}
		}
		for range rapid.IntRange(1, 4).Draw(rt, "commands") {
			target := rapid.SampledFrom(append(names, "s0")).Draw(rt, "target")
			pid, ok := s.lookupName(target)
			if !ok {
				continue
			}
			verb := rapid.SampledFrom([]string{"kill", "stop"}).Draw(rt, "verb")
			reason := rapid.SampledFrom([]string{"", "boom", "normal", "shutdown"}).Draw(rt, "reason")
			cmd := verb + " " + target
			if reason != "" {
				cmd += " " + reason
			}
			// the prediction, from the same code --dry-run runs
			pr := s.predictor(ctx)
			r := actor.ErrKill
			if verb == "stop" {
				r = actor.ErrNormal
			}
			if reason != "" {
				t, _ := s.parseTerm(reason)
				r = termReason(t)
			}
			if verb == "kill" {
				pr.signal(pid, r)
			} else {
				pr.exit(pid, r)
			}
			before := s.rec.lastSeq()
			exec(cmd)
			got := outcome(s, before)
			want := predicted(pr.p)
			if !slices.Equal(got.exits, want.exits) || !slices.Equal(got.restarts, want.restarts) ||
				!slices.Equal(got.notRestarted, want.notRestarted) || !slices.Equal(got.gaveUp, want.gaveUp) {
				rt.Fatalf("%s: predicted\n%+v\nhappened\n%+v\nprediction:\n%v", cmd, want, got, pr.p.lines)
			}
		}
	})
}

type outcomes struct {
	exits, restarts, notRestarted, gaveUp []string
}

// predicted is a prediction as sorted sets.
func predicted(p prediction) outcomes {
	var o outcomes
	for _, e := range p.exits {
		o.exits = append(o.exits, e.pid.String())
	}
	o.restarts = slices.Clone(p.restarts)
	o.notRestarted = slices.Clone(p.notRestarted)
	o.gaveUp = slices.Clone(p.gaveUp)
	for _, l := range []*[]string{&o.exits, &o.restarts, &o.notRestarted, &o.gaveUp} {
		sort.Strings(*l)
	}
	return o
}

// outcome is what the flight recorder saw after seq, as sorted sets.
func outcome(s *Session, seq int) outcomes {
	var o outcomes
	for _, e := range s.rec.entries() {
		if e.seq <= seq || e.typ != entryEvent {
			continue
		}
		ev := e.ev
		switch ev.Kind {
		case actor.EventExited:
			o.exits = append(o.exits, ev.PID.String())
		case actor.EventRestarted:
			o.restarts = append(o.restarts, ev.Supervisor.String()+"/"+ev.Name)
		case actor.EventNotRestarted:
			o.notRestarted = append(o.notRestarted, ev.Supervisor.String()+"/"+ev.Name)
		case actor.EventGaveUp:
			o.gaveUp = append(o.gaveUp, ev.PID.String())
		}
	}
	for _, l := range []*[]string{&o.exits, &o.restarts, &o.notRestarted, &o.gaveUp} {
		sort.Strings(*l)
	}
	return o
}
