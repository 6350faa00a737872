package shell

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"github.com/spf13/cobra"
)

func newCmdSup(s *Session) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sup start|children|count|terminate|restart|delete ...",
		Short: "make and manage supervisors",
		Example: "sup start workers --strategy one_for_all\nsup start pool --dynamic --max-children 10\n" +
			"sup children workers\nsup terminate workers c1; sup restart workers c1",
		Args: subcommandArgs,
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	cmd.AddCommand(newCmdSupStart(s), newCmdSupChildren(s), newCmdSupCount(s), newCmdSupTerminate(s), newCmdSupRestart(s), newCmdSupDelete(s))
	return cmd
}

func newCmdSupStart(s *Session) *cobra.Command {
	var strategy, parent, restart, shutdown string
	var maxR, maxS, maxChildren int
	var dynamic bool
	var children, extra []string
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "start NAME [--strategy S] [--max-restarts N] [--max-seconds S] [--parent SUP] [--restart R] [--shutdown S] [--child KIND:NAME[:ARG,...]]... [--dynamic [--max-children N] [--extra-arguments ARG]...]",
		Short:       "start a supervisor named NAME under root (or --parent)",
		Long: "A static supervisor starts its --child children in order, as Supervisor.start_link does with its\n" +
			"child list, and starts them again whenever it is itself restarted; spawn --sup NAME adds more,\n" +
			"like Supervisor.start_child. With --dynamic it is a DynamicSupervisor (one_for_one, optionally\n" +
			"--max-children, and --extra-arguments put before the arguments of every child spawned under it,\n" +
			"like :extra_arguments). --shutdown is how long its parent waits for it to stop (default infinity).",
		Example: "sup start workers --strategy rest_for_one --max-restarts 2\nsup start pool --dynamic --max-children 100\n" +
			"sup start pair --strategy one_for_all --child counter:c1 --child ticker:t1:500ms\n" +
			"sup start tickers --dynamic --extra-arguments 500ms; spawn ticker --sup tickers --name t1",
		Args: exactArgs(1, "a NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if name == "" || len(name) > maxNameLen {
				return fmt.Errorf("a supervisor needs a name of 1 to %d bytes", maxNameLen)
			}
			if err := checkName("supervisor name", name); err != nil {
				return err
			}
			st, err := supervisor.ParseStrategy(strategy)
			if err != nil {
				return badChoice("strategy", strategy, strategyChoices)
			}
			if dynamic && st != supervisor.OneForOne {
				return fmt.Errorf("a DynamicSupervisor is always one_for_one")
			}
			if maxChildren != 0 && !dynamic {
				return fmt.Errorf("--max-children is for --dynamic supervisors")
			}
			if len(extra) > 0 && !dynamic {
				return fmt.Errorf("--extra-arguments is for --dynamic supervisors: a static one's children have their own (--child KIND:NAME:ARG)")
			}
			if maxR < 0 || maxS < 1 || maxChildren < 0 {
				return fmt.Errorf("--max-restarts must be 0 or more, --max-seconds 1 or more, --max-children 0 (no limit) or more")
			}
			if maxS > supervisor.MaxWindow {
				return fmt.Errorf("--max-seconds is at most %d (a year)", supervisor.MaxWindow)
			}
			r := supervisor.Permanent
			if restart != "" {
				if r, err = supervisor.ParseRestart(restart); err != nil {
					return badChoice("restart", restart, restartChoices)
				}
			}
			down := supervisor.Infinity
			if shutdown != "" {
				if down, err = parseShutdown(shutdown); err != nil {
					return err
				}
			}
			if dynamic && len(children) > 0 {
				return fmt.Errorf("a DynamicSupervisor starts with no children: add them with spawn --sup %s", name)
			}
			specs, err := s.initialChildren(children)
			if err != nil {
				return err
			}
			s.mu.Lock()
			rt, names, sup := s.rt, s.names, s.root
			s.mu.Unlock()
			if parent != "" {
				if sup, err = s.supervisorPID(parent); err != nil {
					return err
				}
			}
			if maxR == 0 {
				maxR = supervisor.NoRestarts
			}
			spec := supervisor.Spec(name, supervisor.Options{Name: names.Via(name), Strategy: st, MaxRestarts: maxR, MaxSeconds: maxS}, specs...)
			if dynamic {
				extraArgs := make([]any, len(extra))
				for i, a := range extra {
					extraArgs[i] = a
				}
				spec = supervisor.DynamicSpec(name, supervisor.DynamicOptions{Name: names.Via(name), MaxRestarts: maxR, MaxSeconds: maxS,
					MaxChildren: maxChildren, ExtraArguments: extraArgs})
			}
			spec.Restart, spec.Shutdown = r, down
			pid, err := supervisor.StartChild(cmd.Context(), rt, sup, spec)
			if err != nil {
				return supError(err, s.supName(sup), name)
			}
			kind := "supervisor, " + st.String()
			if dynamic {
				kind = "dynamic_supervisor"
			}
			shown := maxR
			if shown < 0 {
				shown = 0
			}
			s.setLast(pid.String())
			obj := map[string]any{"pid": pid.String(), "name": name, "dynamic": dynamic, "strategy": st.String(), "max_restarts": shown, "max_seconds": maxS}
			if len(extra) > 0 {
				kind += ", extra arguments " + strings.Join(extra, " ")
				obj["extra_arguments"] = extra
			}
			s.result("sup start", fmt.Sprintf("%s (%s, %d restart%s in %ds)", s.display(pid, name), kind, shown, plural(shown), maxS), obj)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&strategy, "strategy", "one_for_one", "one_for_one, one_for_all or rest_for_one")
	intFlag(f, &maxR, "max-restarts", 3, "restarts allowed within --max-seconds")
	intFlag(f, &maxS, "max-seconds", 5, "the window for --max-restarts")
	f.StringVar(&parent, "parent", "", "start it under SUP instead of root")
	f.StringVar(&restart, "restart", "", "its own restart type under its parent (default permanent)")
	f.BoolVar(&dynamic, "dynamic", false, "make a DynamicSupervisor")
	f.StringVar(&shutdown, "shutdown", "", "brutal_kill, a duration, or infinity (default infinity, as OTP's supervisors)")
	f.StringArrayVar(&children, "child", nil, "a child to start with it, KIND:NAME or KIND:NAME:ARG,ARG (repeatable, in order)")
	intFlag(f, &maxChildren, "max-children", 0, "DynamicSupervisor: most children (0: no limit)")
	f.StringArrayVar(&extra, "extra-arguments", nil, "DynamicSupervisor: an argument put before every child's own (repeatable, in order)")
	return cmd
}

// initialChildren reads sup start's --child KIND:NAME[:ARG,...] values
// into child specs, each with its kind's restart type.
func (s *Session) initialChildren(children []string) ([]supervisor.ChildSpec, error) {
	var specs []supervisor.ChildSpec
	seen := map[string]bool{}
	for _, c := range children {
		parts := strings.SplitN(c, ":", 3)
		if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
			return nil, fmt.Errorf("--child %q: want KIND:NAME or KIND:NAME:ARG,ARG, e.g. --child counter:c1", clip(c))
		}
		k, err := s.kind(parts[0])
		if err != nil {
			return nil, err
		}
		name := parts[1]
		if err := checkName("--child name", name); err != nil {
			return nil, err
		}
		if len(name) > maxNameLen {
			return nil, fmt.Errorf("--child name is %d bytes long; the limit is %d", len(name), maxNameLen)
		}
		if seen[name] {
			return nil, fmt.Errorf("--child %s appears twice; each child needs its own NAME", clip(name))
		}
		seen[name] = true
		var args []string
		if len(parts) == 3 && parts[2] != "" {
			args = strings.Split(parts[2], ",")
		}
		if len(args) < k.min || len(args) > k.max {
			return nil, fmt.Errorf("--child %s: %s takes %s", clip(c), k.name, argCount(k))
		}
		specs = append(specs, s.childSpec(k, args, name, k.restart, 0, false, false, nil))
	}
	return specs, nil
}

func newCmdSupChildren(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "supervisor"},
		Use:         "children SUP",
		Short:       "a supervisor's children, like which_children/1",
		Example:     "sup children workers",
		Args:        exactArgs(1, "a SUP"),
		RunE: func(cmd *cobra.Command, args []string) error {
			sup, err := s.supervisorPID(args[0])
			if err != nil {
				return err
			}
			cs, err := supervisor.WhichChildren(cmd.Context(), s.runtime(), sup)
			if err != nil {
				return err
			}
			if s.asJSON() {
				for _, c := range cs {
					s.result("sup children", "", map[string]any{"id": c.ID, "pid": pidOrNil(c.PID), "type": c.Type.String(),
						"restart": c.Restart.String(), "shutdown": supervisor.FormatShutdown(c.Shutdown), "restarts": c.Restarts, "restarting": c.Restarting})
				}
				s.result("sup children", "", map[string]any{"sup": sup.String(), "count": len(cs)})
				return nil
			}
			if len(cs) == 0 {
				s.out.result(record{text: fmt.Sprintf("%s has no children; spawn KIND --sup %s starts one", args[0], args[0])})
				return nil
			}
			var b strings.Builder
			tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tPID\tTYPE\tRESTART\tSHUTDOWN\tRESTARTS")
			for _, c := range cs {
				pid := c.PID.String()
				if c.PID.IsZero() {
					pid = "undefined"
					if c.Restarting {
						pid = "restarting"
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", c.ID, pid, c.Type, c.Restart, supervisor.FormatShutdown(c.Shutdown), c.Restarts)
			}
			tw.Flush()
			s.out.result(record{text: strings.TrimRight(b.String(), "\n")})
			return nil
		},
	}
}

// supError explains the OTP results of child management. The library's
// errors name the supervisor by PID; the shell's name it as the user did.
func supError(err error, sup, child string) error {
	switch {
	case errors.Is(err, supervisor.ErrRunning):
		return fmt.Errorf("%w: %s is running; sup terminate %s %s first", supervisor.ErrRunning, child, sup, child)
	case errors.Is(err, supervisor.ErrRestarting):
		return fmt.Errorf("%w: %s is being restarted; try again shortly", supervisor.ErrRestarting, child)
	case errors.Is(err, supervisor.ErrNotFound):
		return fmt.Errorf("%w: %s has no child %s; sup children %s lists them", supervisor.ErrNotFound, sup, child, sup)
	case errors.Is(err, supervisor.ErrAlreadyPresent):
		return fmt.Errorf("%w: %s has a stopped child %s; sup restart or sup delete it", supervisor.ErrAlreadyPresent, sup, child)
	case errors.Is(err, supervisor.ErrMaxChildren):
		return fmt.Errorf("%w: %s is full (see its --max-children)", supervisor.ErrMaxChildren, sup)
	case errors.Is(err, supervisor.ErrDynamic):
		return fmt.Errorf("%s is a DynamicSupervisor: its children have no IDs to restart or delete", sup)
	}
	return err
}

func pidOrNil(p actor.PID) any {
	if p.IsZero() {
		return nil
	}
	return p.String()
}

func newCmdSupCount(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "supervisor"},
		Use:         "count SUP",
		Short:       "count a supervisor's children, like count_children/1",
		Example:     "sup count workers",
		Args:        exactArgs(1, "a SUP"),
		RunE: func(cmd *cobra.Command, args []string) error {
			sup, err := s.supervisorPID(args[0])
			if err != nil {
				return err
			}
			n, err := supervisor.CountChildren(cmd.Context(), s.runtime(), sup)
			if err != nil {
				return err
			}
			s.result("sup count", fmt.Sprintf("specs: %d, active: %d, supervisors: %d, workers: %d", n.Specs, n.Active, n.Supervisors, n.Workers),
				map[string]any{"specs": n.Specs, "active": n.Active, "supervisors": n.Supervisors, "workers": n.Workers})
			return nil
		},
	}
}

func newCmdSupTerminate(s *Session) *cobra.Command {
	var dryRun bool
	c := &cobra.Command{
		Annotations: map[string]string{completeKey: "supervisor process"},
		Use:         "terminate SUP CHILD [--dry-run]",
		Short:       "stop a child by ID or PID, like terminate_child/2 (its spec stays unless temporary or dynamic)",
		Example:     "sup terminate workers c1\nsup terminate root <0.2.0>\nsup terminate workers c1 --dry-run",
		Args:        exactArgs(2, "a SUP and a CHILD (ID or PID)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			sup, err := s.supervisorPID(args[0])
			if err != nil {
				return err
			}
			child := args[1]
			rt := s.runtime()
			if dryRun {
				return s.dryTerminate(cmd.Context(), sup, args)
			}
			if pid, perr := actor.ParsePID(child); perr == nil {
				err = supervisor.TerminateChildPID(cmd.Context(), rt, sup, pid)
			} else if d, _ := supervisor.Describe(cmd.Context(), rt, sup); d.Dynamic {
				// A DynamicSupervisor has no IDs: accept the child's name.
				pid, ok := s.lookupName(child)
				if !ok {
					return s.unknownName(child)
				}
				err = supervisor.TerminateChildPID(cmd.Context(), rt, sup, pid)
			} else {
				err = supervisor.TerminateChild(cmd.Context(), rt, sup, child)
			}
			if err != nil {
				return supError(err, args[0], child)
			}
			s.result("sup terminate", "", map[string]any{"supervisor": sup.String(), "child": child})
			return nil
		},
	}
	c.Flags().BoolVar(&dryRun, "dry-run", false, "say what would happen, and do nothing")
	return c
}

func newCmdSupRestart(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "supervisor process"},
		Use:         "restart SUP ID",
		Short:       "start a terminated child again, like restart_child/2",
		Example:     "sup terminate workers c1; sup restart workers c1",
		Args:        exactArgs(2, "a SUP and a child ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			sup, err := s.supervisorPID(args[0])
			if err != nil {
				return err
			}
			pid, err := supervisor.RestartChild(cmd.Context(), s.runtime(), sup, args[1])
			if err != nil {
				return supError(err, args[0], args[1])
			}
			s.result("sup restart", s.display(pid, args[1]), map[string]any{"pid": pid.String(), "id": args[1]})
			return nil
		},
	}
}

func newCmdSupDelete(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "supervisor process"},
		Use:         "delete SUP ID",
		Short:       "remove a terminated child's spec, like delete_child/2",
		Example:     "sup terminate workers c1; sup delete workers c1",
		Args:        exactArgs(2, "a SUP and a child ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			sup, err := s.supervisorPID(args[0])
			if err != nil {
				return err
			}
			if err := supervisor.DeleteChild(cmd.Context(), s.runtime(), sup, args[1]); err != nil {
				return supError(err, args[0], args[1])
			}
			s.result("sup delete", "", map[string]any{"id": args[1]})
			return nil
		},
	}
}
