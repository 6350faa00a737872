package actor_test

import (
	"errors"
	"testing"

	"github.com/actorsh/actorsh/pkg/actor"
)

// TestSignalEffect is the table of exit signals, as OTP has it.
func TestSignalEffect(t *testing.T) {
	boom := actor.Reason("boom")
	for _, c := range []struct {
		name                  string
		reason                error
		trap, link, self      bool
		wantFatal             error
		wantTrapped, wantNone bool
	}{
		{name: "kill, sent directly, even to a trapper", reason: actor.ErrKill, trap: true, wantFatal: actor.ErrKilled},
		{name: "kill along a link is killed, and trappable", reason: actor.ErrKill, trap: true, link: true, wantTrapped: true},
		{name: "kill along a link ends a non-trapper", reason: actor.ErrKill, link: true, wantFatal: actor.ErrKilled},
		{name: "a reason ends a non-trapper", reason: boom, wantFatal: boom},
		{name: "a trapper gets it as a message", reason: boom, trap: true, wantTrapped: true},
		{name: "normal is ignored", reason: actor.ErrNormal, wantNone: true},
		{name: "normal to oneself ends it", reason: actor.ErrNormal, self: true, wantFatal: actor.ErrNormal},
		{name: "a trapper gets normal as a message", reason: actor.ErrNormal, trap: true, wantTrapped: true},
		{name: "shutdown ends a non-trapper", reason: actor.ErrShutdown, wantFatal: actor.ErrShutdown},
	} {
		fatal, trapped := actor.SignalEffect(c.reason, c.trap, c.link, c.self)
		switch {
		case c.wantNone && (fatal != nil || trapped),
			c.wantTrapped && (fatal != nil || !trapped),
			c.wantFatal != nil && (!errors.Is(fatal, c.wantFatal) || trapped):
			t.Errorf("%s: fatal %v, trapped %v", c.name, fatal, trapped)
		}
	}
}
