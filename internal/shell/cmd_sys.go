package shell

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"github.com/spf13/cobra"
)

// This file holds the commands that act on a process from outside its
// message flow: suspend and resume (like :sys.suspend/1 and resume/1),
// and the asynchronous call's await.

func newCmdSuspend(s *Session) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "suspend TARGET [--timeout D]",
		Short: "suspend a process, like :sys.suspend/1: its messages wait until resume",
		Long: "Once it has handled what is already in its mailbox, a suspended process handles nothing but\n" +
			"state and stop until resume TARGET: messages, casts, calls and trapped exits wait in its\n" +
			"mailbox, in order (a call to it times out), and kill still ends it. Its supervisor does not\n" +
			"notice. info shows it as suspended.",
		Example: "suspend c1; cast c1 inc; info c1; resume c1",
		Args:    exactArgs(1, "a TARGET"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, err := s.resolveLocal(args[0])
			if err != nil {
				return err
			}
			if timeout <= 0 {
				return fmt.Errorf("--timeout must be positive")
			}
			if s.runtime().Suspended(pid) {
				s.result("suspend", fmt.Sprintf("ok (%v was suspended already)", pid), map[string]any{"pid": pid.String(), "changed": false})
				return nil
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			if err := s.runtime().Suspend(ctx, pid); err != nil {
				if errors.Is(err, actor.ErrTimeout) {
					return fmt.Errorf("timeout: %v did not take the request within %v (busy in a callback?); it suspends itself when it does", pid, timeout)
				}
				return err
			}
			s.result("suspend", "ok", map[string]any{"pid": pid.String(), "changed": true})
			return nil
		},
	}
	durationFlag(cmd.Flags(), &timeout, "timeout", actor.DefaultCallTimeout, "how long to wait for the process to take the request: a duration, or infinity")
	return cmd
}

func newCmdResume(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:     "resume TARGET",
		Short:   "resume a suspended process, like :sys.resume/1: it handles what waited, in order",
		Example: "suspend c1; cast c1 inc; resume c1",
		Args:    exactArgs(1, "a TARGET"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, err := s.resolveLocal(args[0])
			if err != nil {
				return err
			}
			if !s.runtime().Resume(pid) {
				return fmt.Errorf("%v is not suspended: suspend TARGET suspends a process", pid)
			}
			s.result("resume", "ok", map[string]any{"pid": pid.String()})
			return nil
		},
	}
}

// maxRequests bounds the calls made with --async that wait for await.
const maxRequests = 10_000

// request is a call made with call --async.
type request struct {
	pid   actor.PID
	send  *actor.Request // nil for a supervisor's, which callProcess answers
	done  chan struct{}  // closed when reply and err are set
	reply any
	err   error
}

// callAsync sends a call on a goroutine the session owns and prints the
// request's ref at once; the reply is narrated when it comes and kept for
// await, as GenServer.send_request/2 keeps it for receive_response/2.
func (s *Session) callAsync(pid actor.PID, msg any, target string, timeout time.Duration) error {
	rt := s.runtime()
	s.mu.Lock()
	if len(s.requests) >= maxRequests {
		s.mu.Unlock()
		return fmt.Errorf("%d calls made with --async wait for await already: await some first", maxRequests)
	}
	// The request is in the callee's mailbox before the command ends, so
	// what the next command sends comes after it, and under virtual time
	// the timer it sets is there for sleep to fire.
	var send *actor.Request
	if !supervisor.IsSupervisor(rt, pid) { // a supervisor's are answered by callProcess
		var err error
		if send, err = rt.SendRequest(pid, msg); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	ref := rt.MakeRef()
	r := &request{pid: pid, done: make(chan struct{}), send: send}
	s.requests[ref] = r
	s.mu.Unlock()
	s.bg.Go(func() {
		ctx, cancel := s.callContext(s.bgCtx, timeout)
		defer cancel()
		if send != nil {
			r.reply, r.err = s.waitRequest(ctx, send, target, timeout)
		} else {
			r.reply, r.err = s.callProcess(ctx, pid, msg, target, timeout, true)
		}
		// told before await can take it, so that an await's narration is
		// the same every run
		if s.bgCtx.Err() == nil { // else the session is closing: nobody is left to tell
			text := fmt.Sprintf("reply to %v from %s: %s", ref, s.display(pid, ""), FormatTerm(r.reply))
			obj := map[string]any{"type": "reply", "ref": ref.String(), "pid": pid.String(), "reply": FormatTerm(r.reply)}
			if r.err != nil {
				text = fmt.Sprintf("no reply to %v from %s: %s", ref, s.display(pid, ""), r.err.Error())
				obj = map[string]any{"type": "reply", "ref": ref.String(), "pid": pid.String(), "error": r.err.Error()}
			}
			s.out.event(record{text: s.pal.Dim(text), obj: obj, subject: pid, clock: rt.Hooks().Clock(pid)})
		}
		close(r.done)
	})
	s.setLast(ref.String())
	s.result("call", ref.String(), map[string]any{"pid": pid.String(), "ref": ref.String(), "async": true})
	return nil
}

// waitRequest waits for a call --async's reply, at most timeout: on the
// virtual clock under virtual time.
func (s *Session) waitRequest(ctx context.Context, r *actor.Request, target string, timeout time.Duration) (any, error) {
	reply, err := waitOnClock(ctx, s.clock.manual(), r, timeout)
	return reply, s.callError(err, r.PID(), target, timeout)
}

// awaitReply waits for r's reply at most timeout: on the virtual clock,
// moving it while the runtime is blocked, under virtual time.
func (s *Session) awaitReply(ctx context.Context, r *request, timeout time.Duration) error {
	if m := s.clock.manual(); m != nil {
		answered := func() bool { return false }
		if r.send != nil {
			answered = r.send.Answered
		}
		return s.waitVirtual(ctx, m, timeout, r.done, answered)
	}
	wait := time.NewTimer(timeout)
	defer wait.Stop()
	select {
	case <-r.done:
		return nil
	case <-wait.C:
		return actor.ErrTimeout
	case <-ctx.Done():
		return ctx.Err()
	}
}

func newCmdAwait(s *Session) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "await REF [--timeout D]",
		Short:       "wait for the reply to a call --async and print it, like GenServer.receive_response/2",
		Long: "Prints the reply to the call REF (as call --async printed it), waiting at most --timeout for it;\n" +
			"a wait that times out leaves the request to await again, and Ctrl-C ends the wait.",
		Example: "call c1 get --async; await $_\ncall s1 {sleep, 500} --async; call c1 get; await #Ref<0.0.0.1> --timeout 2s",
		Args:    exactArgs(1, "a REF (#Ref<0.0.0.N>, as call --async printed it)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := actor.ParseRef(args[0])
			if err != nil {
				return fmt.Errorf("%q is not a reference: want #Ref<0.0.0.N>, as call --async printed it", clip(args[0]))
			}
			if timeout <= 0 {
				return fmt.Errorf("--timeout must be positive")
			}
			s.mu.Lock()
			r := s.requests[ref]
			s.mu.Unlock()
			if r == nil {
				return fmt.Errorf("no call --async is waiting under %v (await takes each reply once)", ref)
			}
			if err := s.awaitReply(cmd.Context(), r, timeout); err != nil {
				if errors.Is(err, errVirtualTimeout) || errors.Is(err, actor.ErrTimeout) {
					return fmt.Errorf("timeout: no reply to %v from %v within %v; await it again later", ref, r.pid, timeout)
				}
				return err
			}
			s.mu.Lock()
			delete(s.requests, ref)
			s.mu.Unlock()
			if r.err != nil {
				return r.err
			}
			s.setLast(FormatTerm(r.reply))
			s.result("await", FormatTerm(r.reply), map[string]any{"ref": ref.String(), "pid": r.pid.String(), "reply": FormatTerm(r.reply)})
			return nil
		},
	}
	durationFlag(cmd.Flags(), &timeout, "timeout", actor.DefaultCallTimeout, "how long to wait for the reply: a duration, or infinity")
	return cmd
}
