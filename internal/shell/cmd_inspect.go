package shell

// This file holds the commands that look at processes: whereis, ls,
// info, state and tree.

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"github.com/spf13/cobra"
)

func newCmdWhereis(s *Session) *cobra.Command {
	var strong bool
	c := &cobra.Command{
		Use:   "whereis [REG] NAME [--strong]",
		Short: "the PID registered under NAME (in REG, default names), or undefined",
		Long: "Looks NAME up in the names registry, or in REG (one made with reg new, where spawn --via\n" +
			"names processes), like Process.whereis/1 or Registry.lookup/2. REG/NAME works as a TARGET too.\n" +
			"In a cluster registry the answer comes from this node's cache, which follows the cluster within\n" +
			"milliseconds (docs/CLUSTER.md says how far it may lag); --strong asks the cluster instead.",
		Example: "whereis c1\nwhereis sessions user42\nwhereis users alice --strong",
		Args:    rangeArgs(1, 2, "a NAME, or a REG and a NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[len(args)-1]
			var pid actor.PID
			var ok bool
			obj := map[string]any{"name": name, "pid": nil}
			if cr, cluster := s.clusterRegistry(args[0]); len(args) == 2 && cluster {
				p, node, found, err := cr.Lookup(cmd.Context(), name, strong)
				if err != nil {
					return fmt.Errorf("whereis %s %s --strong: the cluster did not answer: %w", args[0], clip(name), err)
				}
				pid, ok = p, found
				obj["registry"], obj["strong"] = args[0], strong
				if found {
					obj["node"] = node
				}
			} else if strong {
				return errors.New("--strong is for cluster registries (reg new NAME --scope cluster): a local lookup is always up to date")
			} else if len(args) == 2 {
				reg, err := s.registry(args[0])
				if err != nil {
					return err
				}
				if pid, ok, err = lookupUnique(reg, name); err != nil {
					return fmt.Errorf("%w; reg lookup lists them", err)
				}
			} else {
				pid, ok = s.lookupName(name)
			}
			if !ok {
				s.result("whereis", "undefined", obj)
				return nil
			}
			s.setLast(pid.String())
			obj["pid"] = pid.String()
			text := s.pal.PID(pid.String())
			if node, ok := obj["node"].(string); ok && pid.IsRemote() {
				text += " (on node " + node + ")"
			}
			s.result("whereis", text, obj)
			return nil
		},
	}
	c.Flags().BoolVar(&strong, "strong", false, "in a cluster registry: ask the cluster, not this node's cache")
	return c
}

// row is one process in ls.
type row struct {
	info     actor.Info
	name     string
	sup      string
	restart  string
	restarts int
}

// lsSorts are ls's --sort keys: mailbox and restarts put the largest
// first, as observer's process list does.
var lsSorts = []string{"pid", "name", "kind", "mailbox", "restarts"}

func newCmdLs(s *Session) *cobra.Command {
	var supName, kindName, nameGlob, sortKey string
	var limit int
	var all bool
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "ls [--sup SUP] [--kind KIND] [--name GLOB] [--sort KEY] [--limit N] [--all]",
		Short:       "list processes: PID, name, kind, supervisor, restart type, status, mailbox, restarts",
		Long: "Lists processes in PID order, at most --limit of them. --name keeps those whose name matches\n" +
			"GLOB (* ? [a-z], as in a shell); --sort orders by pid, name, kind, mailbox or restarts\n" +
			"(mailbox and restarts: largest first), so ls --sort mailbox --limit 5 finds the busiest.",
		Example: "ls\nls --sup greeters\nls --kind counter --all\nls --name 'user*'\nls --sort mailbox --limit 5",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt := s.runtime()
			var onlySup actor.PID
			if supName != "" {
				pid, err := s.supervisorPID(supName)
				if err != nil {
					return err
				}
				onlySup = pid
			}
			if kindName != "" && kindName != "supervisor" && kindName != "dynamic_supervisor" && kindName != "shell" {
				if _, err := s.kind(kindName); err != nil {
					return err
				}
			}
			if _, err := path.Match(nameGlob, ""); err != nil {
				return fmt.Errorf("--name %q is not a pattern: use * ? and [a-z], as in a shell", clip(nameGlob))
			}
			if sortKey == "" {
				sortKey = "pid"
			}
			if !slices.Contains(lsSorts, sortKey) {
				return badChoice("sort", sortKey, lsSorts)
			}
			if limit < 0 {
				return fmt.Errorf("--limit must be 0 (all) or more, not %d", limit)
			}
			if limit == 0 || all {
				limit = int(^uint(0) >> 1)
			}
			// In PID order rows can be cut at the limit as they come; any
			// other order looks at every match first.
			keep := limit
			if sortKey != "pid" {
				keep = int(^uint(0) >> 1)
			}
			var rows []row
			total := 0
			filtered := !onlySup.IsZero() || kindName != "" || nameGlob != ""
			if !filtered {
				total = rt.NumProcesses() // no need to look at every process
			}
			rt.Processes(func(pid actor.PID) bool {
				if !onlySup.IsZero() {
					if parent, _ := rt.Hooks().Parent(pid); parent != onlySup {
						return true
					}
				}
				if kindName != "" {
					if b, _ := rt.Hooks().Behaviour(pid); b != kindName {
						return true
					}
				}
				if len(rows) >= keep && nameGlob == "" {
					if filtered {
						total++
					}
					return filtered // keep counting only when filtering
				}
				in, err := rt.Info(pid)
				if err != nil {
					return true
				}
				r := row{info: in, name: nameOf(in)}
				if nameGlob != "" {
					if ok, _ := path.Match(nameGlob, r.name); !ok {
						return true
					}
				}
				if filtered {
					total++
				}
				if len(rows) < keep {
					rows = append(rows, r)
				}
				return true
			})
			if sortKey == "restarts" {
				for i := range rows {
					s.fillSup(cmd.Context(), &rows[i])
				}
			}
			sortRows(rows, sortKey)
			if len(rows) > limit {
				rows = rows[:limit]
			}
			if sortKey != "restarts" {
				for i := range rows {
					s.fillSup(cmd.Context(), &rows[i])
				}
			}
			s.printLs(rows, total)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&supName, "sup", "", "only the children of SUP")
	f.StringVar(&kindName, "kind", "", "only processes of KIND")
	f.StringVar(&nameGlob, "name", "", "only processes whose name matches GLOB")
	f.StringVar(&sortKey, "sort", "", "order by pid, name, kind, mailbox or restarts (default pid)")
	intFlag(f, &limit, "limit", 50, "show at most N processes")
	f.BoolVar(&all, "all", false, "show every process")
	return cmd
}

// fillSup adds a row's supervisor, restart type and restart count.
func (s *Session) fillSup(ctx context.Context, r *row) {
	rt := s.runtime()
	in := r.info
	if in.Parent.IsZero() || !supervisor.IsSupervisor(rt, in.Parent) {
		return
	}
	r.sup = s.supName(in.Parent)
	if c, err := supervisor.Child(ctx, rt, in.Parent, in.PID); err == nil {
		r.restart = c.Restart.String()
		r.restarts = c.Restarts
	}
}

// sortRows orders ls's rows by key; ties stay in PID order.
func sortRows(rows []row, key string) {
	var cmp func(a, b row) int
	switch key {
	case "name":
		cmp = func(a, b row) int { return strings.Compare(a.name, b.name) }
	case "kind":
		cmp = func(a, b row) int { return strings.Compare(a.info.Behaviour, b.info.Behaviour) }
	case "mailbox":
		cmp = func(a, b row) int { return b.info.MessageQueueLen - a.info.MessageQueueLen }
	case "restarts":
		cmp = func(a, b row) int { return b.restarts - a.restarts }
	default:
		return
	}
	slices.SortStableFunc(rows, cmp)
}

func (s *Session) printLs(rows []row, total int) {
	if s.asJSON() {
		for _, r := range rows {
			s.result("ls", "", map[string]any{
				"pid": r.info.PID.String(), "name": r.name, "kind": r.info.Behaviour, "supervisor": r.sup,
				"restart": r.restart, "status": r.info.Status.String(), "mailbox": r.info.MessageQueueLen, "restarts": r.restarts,
			})
		}
		s.result("ls", "", map[string]any{"total": total, "shown": len(rows)})
		return
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PID\tNAME\tKIND\tSUP\tRESTART\tSTATUS\tMBOX\tRESTARTS")
	dash := func(v string) string {
		if v == "" {
			return "-"
		}
		return v
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%v\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", r.info.PID, dash(r.name), r.info.Behaviour, dash(r.sup),
			dash(r.restart), r.info.Status, r.info.MessageQueueLen, r.restarts)
	}
	tw.Flush()
	text := strings.TrimRight(b.String(), "\n")
	if total > len(rows) {
		text += fmt.Sprintf("\n%d of %d processes shown; --all shows every one, --limit N more", len(rows), total)
	} else {
		text += fmt.Sprintf("\n%d process%s", total, pluralEs(total))
	}
	s.out.result(record{text: text})
}

func pluralEs(n int) string {
	if n == 1 {
		return ""
	}
	return "es"
}

func newCmdInfo(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:     "info TARGET",
		Aliases: []string{"i"}, // IEx's i
		Short:   "everything about one process, like Process.info/1",
		Example: "info c1\ninfo <0.5.0>",
		Args:    exactArgs(1, "a TARGET (name or PID)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, err := s.resolveLocal(args[0])
			if err != nil {
				return err
			}
			in, err := s.runtime().Info(pid)
			if err != nil {
				return err
			}
			var names []string
			for _, r := range in.Registered {
				names = append(names, fmt.Sprintf("%s (%v)", r.Key, r.Owner))
			}
			pids := func(ps []actor.PID) string {
				if len(ps) == 0 {
					return "-"
				}
				var out []string
				for i, p := range ps {
					if i == 20 {
						out = append(out, fmt.Sprintf("... %d more", len(ps)-20))
						break
					}
					out = append(out, p.String())
				}
				return strings.Join(out, " ")
			}
			parent := "-"
			if !in.Parent.IsZero() {
				parent = in.Parent.String()
				if supervisor.IsSupervisor(s.runtime(), in.Parent) {
					parent += " " + s.supName(in.Parent)
				}
			}
			lines := [][2]string{
				{"pid", in.PID.String()},
				{"names", orDash(strings.Join(names, ", "))},
				{"kind", in.Behaviour},
				{"status", in.Status.String()},
				{"mailbox", strconv.Itoa(in.MessageQueueLen)},
				{"handled", strconv.FormatUint(in.MessagesHandled, 10)},
				{"links", pids(in.Links)},
				{"monitors", pids(in.Monitors)},
				{"monitored_by", pids(in.MonitoredBy)},
				{"trap_exit", strconv.FormatBool(in.TrapExit)},
				{"parent", parent},
				{"restarts", strconv.Itoa(in.Restarts)},
				{"started", in.Started.UTC().Format(time.RFC3339)},
			}
			var b strings.Builder
			for _, l := range lines {
				fmt.Fprintf(&b, "%-13s %s\n", l[0]+":", l[1])
			}
			obj := infoObject(in)
			// A Starlark kind's process that was restarted after a crash: the
			// crash, and where in the code it happened.
			if crash, ok := s.lastCrash(in); ok {
				fmt.Fprintf(&b, "%-13s %s\n", "last_crash:", crash.reason)
				for _, line := range strings.Split(strings.TrimRight(crash.backtrace, "\n"), "\n") {
					fmt.Fprintf(&b, "%-13s %s\n", "", strings.TrimSpace(line))
				}
				obj["last_crash"] = map[string]any{"reason": crash.reason, "backtrace": crash.backtrace}
			}
			s.result("info", strings.TrimRight(b.String(), "\n"), obj)
			return nil
		},
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newCmdState(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:     "state TARGET",
		Short:   "a process's state, like :sys.get_state/1",
		Example: "state c1",
		Args:    exactArgs(1, "a TARGET (name or PID)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pid, err := s.resolveLocal(args[0])
			if err != nil {
				return err
			}
			st, err := s.runtime().State(cmd.Context(), pid)
			if err != nil {
				return err
			}
			text := stateText(st)
			s.result("state", text, map[string]any{"pid": pid.String(), "state": text})
			return nil
		},
	}
}

// stateText shows a state as a term, like :sys.get_state/1. A
// supervisor's is {supervisor, Strategy, {intensity, MaxR, MaxS},
// {restarts, N}, [{Id, Child, Type, Restart}]}, a DynamicSupervisor's
// {dynamic_supervisor, {intensity, MaxR, MaxS}, {restarts, N}, {children,
// N}, {max_children, N}}. A Go value that is no term shows as opaque, not
// as Go syntax with its pointers.
func stateText(st any) string {
	switch v := st.(type) {
	case Atom, Tuple, List, string, int64, float64, int:
		return FormatTerm(v)
	case bool:
		return FormatTerm(Atom(strconv.FormatBool(v)))
	case nil:
		return "nil"
	case supervisor.State:
		intensity := Tuple{Atom("intensity"), v.MaxRestarts, v.MaxSeconds}
		restarts := Tuple{Atom("restarts"), v.Restarts}
		if v.Dynamic {
			return FormatTerm(Tuple{Atom("dynamic_supervisor"), intensity, restarts,
				Tuple{Atom("children"), v.Counts.Active}, Tuple{Atom("max_children"), v.MaxChildren}})
		}
		kids := List{}
		for _, k := range v.Children {
			kids = append(kids, Tuple{Atom(k.ID), childTerm(k), Atom(k.Type.String()), Atom(k.Restart.String())})
		}
		return FormatTerm(Tuple{Atom("supervisor"), Atom(v.Strategy.String()), intensity, restarts, kids})
	}
	return "opaque (a value that is no term)"
}

func newCmdTree(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "supervisor"},
		Use:         "tree [SUP]",
		Short:       "the supervision tree, with strategies and restart budgets used",
		Example:     "tree\ntree greeters",
		Args:        rangeArgs(0, 1, "at most one SUP"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s.mu.Lock()
			top := s.root
			s.mu.Unlock()
			if len(args) == 1 {
				var err error
				if top, err = s.supervisorPID(args[0]); err != nil {
					return err
				}
			}
			var b strings.Builder
			node, err := s.tree(cmd.Context(), &b, top, "", "", 0)
			if err != nil {
				return err
			}
			s.result("tree", strings.TrimRight(b.String(), "\n"), map[string]any{"tree": node})
			return nil
		},
	}
}

// infoObject is info's --json object: the values typed (numbers,
// booleans, lists of PIDs).
func infoObject(in actor.Info) map[string]any {
	pidList := func(ps []actor.PID) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, p.String())
		}
		return out
	}
	registered := []map[string]any{}
	for _, r := range in.Registered {
		registered = append(registered, map[string]any{"key": r.Key, "registry": fmt.Sprint(r.Owner)})
	}
	return map[string]any{
		"pid": in.PID.String(), "names": registered, "kind": in.Behaviour, "status": in.Status.String(),
		"mailbox": in.MessageQueueLen, "handled": in.MessagesHandled, "links": pidList(in.Links),
		"monitors": pidList(in.Monitors), "monitored_by": pidList(in.MonitoredBy), "trap_exit": in.TrapExit,
		"parent": pidOrNil(in.Parent), "restarts": in.Restarts, "started": in.Started.UTC().Format(time.RFC3339),
	}
}

// tree lists every child of a supervisor with up to treeChildLimit
// children, and the first treeShown and a summary of larger ones.
const (
	treeChildLimit = 50
	treeShown      = 10
)

// tree writes the supervision tree under sup and returns it as nested
// objects for --json: a supervisor's pid, name, kind, strategy, restart
// budget, specs and children (supervisors nested; workers with id, pid,
// status, kind, restart and restarts), and how many children it left out.
func (s *Session) tree(ctx context.Context, b *strings.Builder, sup actor.PID, first, rest string, depth int) (map[string]any, error) {
	rt := s.runtime()
	d, err := supervisor.Describe(ctx, rt, sup)
	if err != nil {
		return nil, err
	}
	strategy := d.Strategy.String()
	behaviour := "supervisor"
	if d.Dynamic {
		behaviour = "dynamic_supervisor"
	}
	kids := "children"
	if d.Counts.Specs == 1 {
		kids = "child"
	}
	fmt.Fprintf(b, "%s%s %s (%s, %s, %d/%d restarts in %ds, %d %s)\n", first, s.pal.Name(s.supName(sup)), s.pal.PID(sup.String()),
		behaviour, strategy, d.Restarts, d.MaxRestarts, d.MaxSeconds, d.Counts.Specs, kids)
	node := map[string]any{"pid": sup.String(), "name": s.supName(sup), "kind": behaviour, "strategy": strategy,
		"restarts": d.Restarts, "max_restarts": d.MaxRestarts, "max_seconds": d.MaxSeconds, "specs": d.Counts.Specs}
	children := []any{}
	node["children"] = children
	if depth > 20 {
		return node, nil
	}
	var shown []supervisor.ChildInfo
	if d.Counts.Specs > treeChildLimit {
		// A large supervisor: its first children, then a summary.
		if shown, err = supervisor.ChildrenPage(ctx, rt, sup, actor.PID{}, treeShown); err != nil {
			return nil, err
		}
	} else if shown, err = supervisor.WhichChildren(ctx, rt, sup); err != nil {
		return nil, err
	}
	more := d.Counts.Specs - len(shown)
	for i, c := range shown {
		last := i == len(shown)-1 && more == 0
		branch, indent := "├─ ", "│  "
		if last {
			branch, indent = "└─ ", "   "
		}
		if c.Type == supervisor.SupervisorChild && !c.PID.IsZero() && supervisor.IsSupervisor(rt, c.PID) {
			sub, err := s.tree(ctx, b, c.PID, rest+branch, rest+indent, depth+1)
			if err != nil {
				return nil, err
			}
			children = append(children, sub)
			continue
		}
		status, state := c.PID.String(), "running"
		if c.PID.IsZero() {
			status, state = "not running", "not running"
			if c.Restarting {
				status, state = "restarting", "restarting"
			}
		}
		kind := "-"
		if b, ok := rt.Hooks().Behaviour(c.PID); ok {
			kind = b
		}
		extra := ""
		if c.Restarts > 0 {
			extra = fmt.Sprintf(", %d restart%s", c.Restarts, plural(c.Restarts))
		}
		fmt.Fprintf(b, "%s%s%s %s (%s, %s%s)\n", rest, branch, s.pal.PID(status), c.ID, kind, c.Restart, extra)
		children = append(children, map[string]any{"id": c.ID, "pid": pidOrNil(c.PID), "status": state, "kind": kind,
			"restart": c.Restart.String(), "restarts": c.Restarts})
	}
	node["children"] = children
	if more > 0 {
		s.treeSummary(b, rt, sup, shown, more, rest)
		node["more"] = more
	}
	return node, nil
}

// treeSummary counts the children of a large supervisor that tree did not
// list, by kind.
func (s *Session) treeSummary(b *strings.Builder, rt *actor.Runtime, sup actor.PID, shown []supervisor.ChildInfo, more int, rest string) {
	listed := make(map[actor.PID]bool, len(shown))
	for _, c := range shown {
		listed[c.PID] = true
	}
	byKind := map[string]int{}
	running := 0
	rt.Processes(func(pid actor.PID) bool {
		if parent, _ := rt.Hooks().Parent(pid); parent == sup && !listed[pid] {
			k, _ := rt.Hooks().Behaviour(pid)
			byKind[k]++
			running++
		}
		return true
	})
	if n := more - running; n > 0 {
		byKind["not running"] += n
	}
	var parts []string
	for k, n := range byKind {
		parts = append(parts, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(parts)
	fmt.Fprintf(b, "%s└─ ... %d more: %s\n", rest, more, strings.Join(parts, ", "))
}
