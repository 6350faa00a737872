package shell

// This file holds the commands that deliver messages: send, cast and
// call, with the term parsing they share and the calls a supervisor
// answers.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"github.com/spf13/cobra"
)

// parseTerm parses a message; its atoms go into the atom table, as on
// the BEAM.
func (s *Session) parseTerm(word string) (any, error) {
	t, err := ParseTerm(word)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	atoms := s.atoms
	s.mu.Unlock()
	if err := eachAtom(t, atoms.atom); err != nil {
		var full *atomTableFullError
		if errors.As(err, &full) {
			full.from = "a term typed in a command (a message or a reason)"
		}
		return nil, err
	}
	return t, nil
}

func eachAtom(t any, f func(string) error) error {
	switch v := t.(type) {
	case Atom:
		return f(string(v))
	case Tuple:
		for _, x := range v {
			if err := eachAtom(x, f); err != nil {
				return err
			}
		}
	case List:
		for _, x := range v {
			if err := eachAtom(x, f); err != nil {
				return err
			}
		}
	}
	return nil
}

func messageArgs(what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < 2 {
			return fmt.Errorf("want a TARGET and a MSG; usage: %s", c.Use)
		}
		if len(args) > 2 {
			return fmt.Errorf("%s takes one message, got %d words: use a tuple such as {add, 5} or quote a string", what, len(args)-1)
		}
		return nil
	}
}

// targetAndMessage resolves TARGET and parses MSG, the arguments of
// send, cast and call.
func (s *Session) targetAndMessage(args []string) (actor.PID, any, error) {
	pid, err := s.resolve(args[0])
	if err != nil {
		return pid, nil, err
	}
	msg, err := s.parseTerm(args[1])
	if err == nil {
		err = s.checkRemote(pid, msg)
	}
	return pid, msg, err
}

// newCmdDeliver makes send and cast, which differ only in where the
// message goes.
func newCmdDeliver(s *Session, name, short, example string, deliver func(rt *actor.Runtime, pid actor.PID, msg any) bool) *cobra.Command {
	return keepRaw(&cobra.Command{
		Annotations: map[string]string{completeKey: "process none"},
		Use:         name + " TARGET MSG",
		Short:       short,
		Example:     example,
		Args:        messageArgs(name),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, msg, err := s.targetAndMessage(args)
			if err != nil {
				return err
			}
			deliver(s.runtime(), pid, msg)
			s.result(name, "", map[string]any{"pid": pid.String(), "message": FormatTerm(msg)})
			return nil
		},
	}, 1)
}

func newCmdSend(s *Session) *cobra.Command {
	return newCmdDeliver(s, "send", "send a message to a process's HandleInfo, like send/2",
		"send e1 hello\nsend e1 {ping, 1}", (*actor.Runtime).Send)
}

func newCmdCast(s *Session) *cobra.Command {
	return newCmdDeliver(s, "cast", "cast a message to a process's HandleCast, like GenServer.cast/2",
		"cast c1 inc\ncast c1 {add, 5}", (*actor.Runtime).Cast)
}

func newCmdCall(s *Session) *cobra.Command {
	var timeout time.Duration
	var async bool
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "process none"},
		Use:         "call TARGET MSG [--timeout D] [--async]",
		Short:       "call a process and print the reply, like GenServer.call/3",
		Long: "With --async the call is sent and the shell goes on at once, like GenServer.send_request/2:\n" +
			"it prints the request's ref, the reply is narrated when it comes, and await REF prints it\n" +
			"(like receive_response/2). So you can act on a process while another is busy.",
		Example: "call c1 get\ncall c1 {add, 5}\ncall s1 hello --timeout 100ms\ncall s1 {sleep, 5000} --async; kill s1",
		Args:    messageArgs("call"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if timeout <= 0 { // before the MSG, whose atoms are made when it is read
				return fmt.Errorf("--timeout must be positive")
			}
			pid, msg, err := s.targetAndMessage(args)
			if err != nil {
				return err
			}
			if async {
				return s.callAsync(pid, msg, args[0], timeout)
			}
			ctx, cancel := s.callContext(cmd.Context(), timeout)
			defer cancel()
			reply, err := s.callProcess(ctx, pid, msg, args[0], timeout, false)
			// What the call caused comes first, as a trace of the callee
			// shows its receipt and reply before the caller has the reply.
			s.settle(cmd.Context())
			s.out.flush(false)
			if err != nil {
				return err
			}
			s.setLast(FormatTerm(reply))
			s.result("call", FormatTerm(reply), map[string]any{"pid": pid.String(), "reply": FormatTerm(reply)})
			return nil
		},
	}
	durationFlag(cmd.Flags(), &timeout, "timeout", actor.DefaultCallTimeout, "how long to wait for the reply: a duration, or infinity")
	cmd.Flags().BoolVar(&async, "async", false, "send the call and go on; await REF prints the reply")
	keepRaw(cmd, 1)
	return cmd
}

// callProcess calls pid, answering for a supervisor the calls an OTP
// supervisor answers; target is what the user typed, for errors. Under
// virtual time a call the shell waits for moves the time while the
// runtime is blocked (see callVirtual); a background one (call --async)
// leaves the time to sleep and clock advance, its timeout on the virtual
// clock.
func (s *Session) callProcess(ctx context.Context, pid actor.PID, msg any, target string, timeout time.Duration, background bool) (any, error) {
	if supervisor.IsSupervisor(s.runtime(), pid) {
		if reply, ok, err := s.supervisorCall(ctx, pid, msg); ok {
			return reply, err
		}
	}
	var reply any
	var err error
	if m := s.clock.manual(); m != nil {
		reply, err = s.callVirtual(ctx, m, pid, msg, timeout, !background)
	} else {
		reply, err = s.runtime().Call(ctx, pid, msg)
	}
	if err != nil {
		return nil, s.callError(err, pid, target, timeout)
	}
	return reply, nil
}

// callError says why a call got no reply, in the shell's words.
func (s *Session) callError(err error, pid actor.PID, target string, timeout time.Duration) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, supervisor.ErrUnknownRequest):
		return fmt.Errorf("%w: %s is a supervisor: it answers which_children and count_children (see also sup children, sup count)",
			supervisor.ErrUnknownRequest, clip(target))
	case errors.Is(err, actor.ErrTimeout), errors.Is(err, errVirtualTimeout):
		return fmt.Errorf("timeout: no reply from %v within %v", pid, timeout)
	}
	var exit *actor.ExitError
	if errors.As(err, &exit) {
		// The callee died before it replied, as GenServer.call exits with.
		return fmt.Errorf("%v exited before it replied: %s", exit.PID, actor.FormatReason(exit.Reason))
	}
	return err
}

// childTerm is a child as OTP's supervisor names it: its PID, or
// restarting, or undefined when it is not running.
func childTerm(k supervisor.ChildInfo) any {
	switch {
	case k.Restarting:
		return Atom("restarting")
	case k.PID.IsZero():
		return Atom("undefined")
	}
	return k.PID
}

// supervisorCall answers the calls an OTP supervisor answers, as terms:
// which_children ([{Id, Child, Type, Modules}], Child a PID, undefined or
// restarting) and count_children ([{specs, N}, {active, N}, {supervisors,
// N}, {workers, N}]). It reports false for any other request, which the
// supervisor itself refuses.
func (s *Session) supervisorCall(ctx context.Context, sup actor.PID, msg any) (any, bool, error) {
	rt := s.runtime()
	switch msg {
	case Atom("which_children"):
		kids, err := supervisor.WhichChildren(ctx, rt, sup)
		if err != nil {
			return nil, true, err
		}
		out := List{}
		for _, k := range kids {
			child := childTerm(k)
			var mods List
			if _, running := child.(actor.PID); running {
				if b, ok := rt.Hooks().Behaviour(k.PID); ok {
					mods = List{Atom(b)}
				}
			}
			out = append(out, Tuple{Atom(k.ID), child, Atom(k.Type.String()), mods})
		}
		return out, true, nil
	case Atom("count_children"):
		n, err := supervisor.CountChildren(ctx, rt, sup)
		if err != nil {
			return nil, true, err
		}
		return List{Tuple{Atom("specs"), n.Specs}, Tuple{Atom("active"), n.Active},
			Tuple{Atom("supervisors"), n.Supervisors}, Tuple{Atom("workers"), n.Workers}}, true, nil
	}
	return nil, false, nil
}
