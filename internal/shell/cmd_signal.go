package shell

// This file holds the commands that end processes or tie them together:
// kill, stop, link, unlink, monitor, demonitor and trap.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/spf13/cobra"
)

// workspaceGuard refuses to end root or the shell's own process unless
// forced: one stray kill or stop would end every process of the session
// (root's), or every --link child (the shell process's).
func (s *Session) workspaceGuard(verb string, pid actor.PID, force bool) error {
	if force {
		return nil
	}
	s.mu.Lock()
	root, shell, rt := s.root, s.shell, s.rt
	s.mu.Unlock()
	switch pid {
	case root:
		n := rt.NumProcesses() - 1 // not root itself, nor the shell's process
		if rt.Alive(shell) {
			n--
		}
		return fmt.Errorf("root is the session's root supervisor: %s root ends it and every process under it (%d running now), "+
			"and a fresh, empty root takes its place; %s root --force does that", verb, n, verb)
	case shell:
		return fmt.Errorf("shell is the shell's own process: %s shell ends it and, through their links, the processes "+
			"spawned with --link; %s shell --force does that", verb, verb)
	}
	return nil
}

func newCmdKill(s *Session) *cobra.Command {
	var force, dryRun bool
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "process none"},
		Use:         "kill TARGET [REASON] [--force] [--dry-run]",
		Short:       "send an exit signal, like Process.exit/2 (default reason: kill)",
		Long: "kill cannot be trapped and leaves the reason killed. Other reasons end a process that does not\n" +
			"trap exits (normal is ignored); a process that traps exits gets an {'EXIT', From, Reason} message.\n" +
			"root and the shell's own process are the session's: they take --force. --dry-run says what would\n" +
			"happen (who exits, who restarts by which rule, the budget after, who gives up and what its parent\n" +
			"then does), from the supervisors' own decision function, and does nothing.",
		Example: "kill c1\nkill c1 boom\nkill c1 normal\nkill c1 {shutdown, maintenance}\nkill c1 --dry-run",
		Args:    rangeArgs(1, 2, "a TARGET and an optional REASON"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, err := s.resolve(args[0])
			if err != nil {
				return err
			}
			if err := s.workspaceGuard("kill", pid, force || dryRun); err != nil {
				return err
			}
			reason := actor.ErrKill
			if len(args) == 2 {
				t, err := s.parseTerm(args[1])
				if err != nil {
					return err
				}
				reason = termReason(t)
			}
			if dryRun {
				pr := s.predictor(cmd.Context())
				pr.signal(pid, reason)
				s.showPrediction("kill "+strings.Join(args, " "), pr.p)
				return nil
			}
			rt := s.runtime()
			in, _ := rt.Info(pid)
			rt.Exit(actor.PID{}, pid, reason)
			s.settle(cmd.Context())
			obj := map[string]any{"pid": pid.String(), "reason": actor.FormatReason(reason), "alive": rt.Alive(pid)}
			text := ""
			if rt.Alive(pid) {
				if in.TrapExit {
					text = fmt.Sprintf("%s traps exits: the signal arrived as {'EXIT', <0.0.0>, %s}", s.display(pid, nameOf(in)), actor.FormatReason(reason))
				} else {
					text = fmt.Sprintf("%s ignored the normal exit signal (it does not trap exits)", s.display(pid, nameOf(in)))
				}
			}
			s.result("kill", text, obj)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "kill root or the shell's own process all the same")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "say what would happen, and do nothing")
	return keepRaw(cmd, 1)
}

func newCmdStop(s *Session) *cobra.Command {
	var timeout time.Duration
	var force, dryRun bool
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "process none"},
		Use:         "stop TARGET [REASON] [--timeout D] [--force] [--dry-run]",
		Short:       "stop a process through its Terminate, like GenServer.stop/3 (default reason: normal)",
		Long: "A permanent child comes straight back: its supervisor restarts it, as after kill. To end it\n" +
			"for good, sup terminate SUP ID stops it and keeps its spec (sup delete SUP ID drops that too);\n" +
			"a child of a DynamicSupervisor is gone after sup terminate SUP PID. --dry-run says what would\n" +
			"happen, and does nothing.",
		Example: "stop c1\nstop c1 shutdown\nstop s1 --timeout 30s\nstop c1 --dry-run",
		Args:    rangeArgs(1, 2, "a TARGET and an optional REASON"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, err := s.resolveLocal(args[0])
			if err != nil {
				return err
			}
			if err := s.workspaceGuard("stop", pid, force || dryRun); err != nil {
				return err
			}
			reason := actor.ErrNormal
			if len(args) == 2 {
				t, err := s.parseTerm(args[1])
				if err != nil {
					return err
				}
				reason = termReason(t)
			}
			if dryRun {
				pr := s.predictor(cmd.Context())
				pr.exit(pid, reason)
				s.showPrediction("stop "+strings.Join(args, " "), pr.p)
				return nil
			}
			if timeout <= 0 {
				return fmt.Errorf("--timeout must be positive")
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			if err := s.runtime().Stop(ctx, pid, reason); err != nil {
				s.mu.Lock()
				root := s.root
				s.mu.Unlock()
				if pid == root && errors.Is(err, context.DeadlineExceeded) && cmd.Context().Err() == nil {
					// A root stuck in its Terminate (a child with shutdown
					// infinity that does not stop) would hold every later
					// command: the session needs a root, so this one is killed.
					s.runtime().Exit(actor.PID{}, pid, actor.ErrKill)
					s.settle(cmd.Context())
					s.result("stop", fmt.Sprintf("root did not stop within %v (a child of it is still stopping), so it was killed", timeout),
						map[string]any{"pid": pid.String(), "reason": "killed", "killed": true})
					return nil
				}
				if errors.Is(err, context.DeadlineExceeded) {
					return fmt.Errorf("%s did not stop within %v: the stop waits behind its messages and the callback it is in, "+
						"and still happens after them; --timeout waits longer, kill %s ends it now", args[0], timeout, args[0])
				}
				return err
			}
			s.result("stop", "", map[string]any{"pid": pid.String(), "reason": actor.FormatReason(reason)})
			return nil
		},
	}
	durationFlag(cmd.Flags(), &timeout, "timeout", actor.DefaultCallTimeout, "how long to wait for it to stop: a duration, or infinity")
	cmd.Flags().BoolVar(&force, "force", false, "stop root or the shell's own process all the same")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "say what would happen, and do nothing")
	keepRaw(cmd, 1)
	return cmd
}

func twoTargets(s *Session, args []string) (actor.PID, actor.PID, error) {
	a, err := s.resolve(args[0])
	if err != nil {
		return a, a, err
	}
	b, err := s.resolve(args[1])
	return a, b, err
}

func newCmdLink(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:     "link A B",
		Short:   "link two processes: when one exits, the other gets an exit signal",
		Example: "link c1 c2",
		Args:    exactArgs(2, "two TARGETs"),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, b, err := twoTargets(s, args)
			if err != nil {
				return err
			}
			if err := s.runtime().Link(a, b); err != nil {
				return err
			}
			s.result("link", "", map[string]any{"a": a.String(), "b": b.String()})
			return nil
		},
	}
}

func newCmdUnlink(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:     "unlink A B",
		Short:   "remove the link between two processes",
		Example: "unlink c1 c2",
		Args:    exactArgs(2, "two TARGETs"),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, b, err := twoTargets(s, args)
			if err != nil {
				return err
			}
			s.runtime().Unlink(a, b)
			s.result("unlink", "", map[string]any{"a": a.String(), "b": b.String()})
			return nil
		},
	}
}

func newCmdMonitor(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:   "monitor A B",
		Short: "make A monitor B: when B exits, A gets a DOWN message",
		Long: "Like Process.monitor/1: B given as a PID that is no longer alive is monitored all the same,\n" +
			"and A gets {'DOWN', Ref, process, B, noproc} at once, as in OTP.",
		Example: "monitor e1 c1",
		Args:    exactArgs(2, "two TARGETs: the watcher, then the watched"),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := s.resolve(args[0])
			if err != nil {
				return err
			}
			b, err := s.resolve(args[1])
			if err != nil {
				// A PID, alive or not, can be monitored: a dead one gives a
				// DOWN with noproc. A name that is not registered is more
				// likely a typo, and stays an error.
				pid, perr := actor.ParsePID(args[1])
				if perr != nil {
					return err
				}
				b = pid
			}
			ref := s.runtime().Monitor(a, b)
			s.setLast(ref.String())
			s.result("monitor", ref.String(), map[string]any{"watcher": a.String(), "target": b.String(), "ref": ref.String()})
			return nil
		},
	}
}

func newCmdDemonitor(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "process none"},
		Use:         "demonitor A REF",
		Short:       "remove the monitor REF that A holds, like Process.demonitor/1",
		Long: "Removes the monitor REF (as monitor printed it) that A holds; A gets no DOWN for it.\n" +
			"A DOWN already delivered stays in A's mailbox, as in OTP.",
		Example: "demonitor e1 #Ref<0.0.0.1>",
		Args:    exactArgs(2, "a TARGET (the watcher) and a REF (#Ref<0.0.0.N>, as monitor printed it)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := s.resolveLocal(args[0])
			if err != nil {
				return err
			}
			ref, err := actor.ParseRef(args[1])
			if err != nil {
				return fmt.Errorf("%q is not a reference: want #Ref<0.0.0.N>, as monitor printed it", clip(args[1]))
			}
			removed := s.runtime().Demonitor(a, ref)
			text := "true"
			if !removed {
				text = fmt.Sprintf("true (%v held no monitor %v: nothing changed)", a, ref)
			}
			s.result("demonitor", text, map[string]any{"watcher": a.String(), "ref": ref.String(), "removed": removed})
			return nil
		},
	}
}

func newCmdTrap(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "process on|off"},
		Use:         "trap TARGET on|off",
		Short:       "make a process trap exits (or stop), like Process.flag(:trap_exit, true)",
		Example:     "trap e1 on",
		Args:        exactArgs(2, "a TARGET and on or off"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, err := s.resolveLocal(args[0])
			if err != nil {
				return err
			}
			var on bool
			switch args[1] {
			case "on", "true":
				on = true
			case "off", "false":
			default:
				return badChoice("", args[1], []string{"on", "off"})
			}
			if err := s.runtime().Hooks().SetTrapExit(pid, on); err != nil {
				return err
			}
			s.result("trap", "", map[string]any{"pid": pid.String(), "trap_exit": on})
			return nil
		},
	}
}
