package shell

// This file holds the shell's own process, what --link links to, and
// flush, which prints its mailbox.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/spf13/cobra"
)

// shellProcess is the shell's own process, made on first use: it traps
// exits and says what it receives, as the IEx shell process would.
func (s *Session) shellProcess() (actor.PID, error) {
	s.mu.Lock()
	rt, pid, names := s.rt, s.shell, s.names
	s.mu.Unlock()
	if !pid.IsZero() && rt.Alive(pid) {
		return pid, nil
	}
	a := &shellActor{s: s}
	pid, err := rt.Spawn(context.Background(), a, actor.SpawnOptions{Name: names.Via("shell")})
	if err != nil {
		return pid, err
	}
	s.mu.Lock()
	s.shell, s.shellActor = pid, a
	s.mu.Unlock()
	return pid, nil
}

// maxShellMailbox bounds the messages the shell process keeps for flush.
const maxShellMailbox = 10000

// shellActor is the shell's own process. It keeps what it receives, as
// terms, until flush prints them, as IEx's flush/0 does.
type shellActor struct {
	s       *Session
	mu      sync.Mutex
	kept    []string
	dropped int
}

// keep adds a message, as a term, to those flush prints.
func (a *shellActor) keep(term string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.kept) >= maxShellMailbox {
		a.dropped++
		return
	}
	a.kept = append(a.kept, term)
}

// take returns and forgets what the shell process has received.
func (a *shellActor) take() (kept []string, dropped int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	kept, dropped = a.kept, a.dropped
	a.kept, a.dropped = nil, 0
	return kept, dropped
}

func (a *shellActor) Behaviour() string { return "shell" }
func (a *shellActor) State() any        { return Atom("nil") }
func (a *shellActor) Init(p *actor.Process) error {
	p.TrapExit(true)
	return nil
}
func (a *shellActor) HandleInfo(p *actor.Process, msg any) error {
	switch m := msg.(type) {
	case actor.Exit:
		term := fmt.Sprintf("{'EXIT', %v, %s}", m.From, actor.FormatReason(m.Reason))
		a.s.say(p, "shell got "+term)
		a.keep(term)
	case actor.Down:
		a.keep(fmt.Sprintf("{'DOWN', %v, process, %v, %s}", m.Ref, m.PID, actor.FormatReason(m.Reason)))
	default:
		a.keep(FormatTerm(msg))
	}
	return nil
}

// HandleCall refuses calls: the shell's process is there to be linked to
// and to hear of exits, and a stray call must not end it (and with it the
// processes started with --link).
func (a *shellActor) HandleCall(*actor.Process, actor.From, any) (any, error) {
	return nil, actor.ReplyError(errors.New("the shell's own process takes no calls; it is what --link links to"))
}

// HandleCast says what it got, as HandleInfo does.
func (a *shellActor) HandleCast(p *actor.Process, msg any) error {
	a.s.say(p, "shell got cast "+FormatTerm(msg))
	a.keep("{'$gen_cast', " + FormatTerm(msg) + "}")
	return nil
}

func newCmdFlush(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "flush",
		Short:       "print and forget the messages the shell's own process has received, like IEx's flush/0",
		Long: "The shell's own process (named shell) is what --link links to and what send, monitor and\n" +
			"cast can reach. It keeps what it receives (EXIT and DOWN messages, sends, casts as\n" +
			"{'$gen_cast', MSG}); flush prints them in order and empties its mailbox.",
		Example: "monitor shell c1; kill c1; flush\nsend shell hello; flush",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s.mu.Lock()
			a := s.shellActor
			s.mu.Unlock()
			var kept []string
			var dropped int
			if a != nil {
				kept, dropped = a.take()
			}
			if kept == nil {
				kept = []string{} // --json: [], not null
			}
			lines := slices.Clip(kept) // the appends below leave kept as it is
			if dropped > 0 {
				lines = append(lines, fmt.Sprintf("... and %d more messages not kept (the shell keeps %d)", dropped, maxShellMailbox))
			}
			lines = append(lines, "ok")
			s.result("flush", strings.Join(lines, "\n"), map[string]any{"messages": kept, "dropped": dropped})
			return nil
		},
	}
}
