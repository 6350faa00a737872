package shell

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/spf13/cobra"
)

func newCmdReg(s *Session) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reg new|ls|lookup|register|unregister|count|match|dispatch|keys ...",
		Short: "make and query registries (the default one is names)",
		Example: "reg new topics --keys duplicate\nreg register topics news e1\nreg dispatch topics news hello\n" +
			"reg lookup names c1\nreg keys names c1",
		Args: subcommandArgs,
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	cmd.AddCommand(newCmdRegNew(s), newCmdRegLs(s), newCmdRegLookup(s), newCmdRegRegister(s), newCmdRegUnregister(s),
		newCmdRegCount(s), newCmdRegMatch(s), newCmdRegDispatch(s), newCmdRegKeys(s), newCmdRegValues(s), newCmdRegMeta(s), newCmdRegSelect(s))
	return cmd
}

func (s *Session) registry(name string) (*registry.Registry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.regs[name]; ok {
		return r, nil
	}
	var names []string
	for n := range s.regs {
		names = append(names, n)
	}
	msg := fmt.Sprintf("no registry %q", clip(name))
	if g := closest(name, names); g != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", g)
	}
	return nil, fmt.Errorf("%s; reg ls lists them, reg new makes one", msg)
}

// registryAndTarget resolves a REG and a TARGET argument.
func (s *Session) registryAndTarget(reg, target string) (*registry.Registry, actor.PID, error) {
	r, err := s.registry(reg)
	if err != nil {
		return nil, actor.PID{}, err
	}
	pid, err := s.resolve(target)
	return r, pid, err
}

func newCmdRegNew(s *Session) *cobra.Command {
	var keys, scope string
	var partitions int
	var meta []string
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "new NAME [--keys unique|duplicate] [--partitions N] [--meta KEY=VALUE]... [--scope local|cluster]",
		Short:       "make a registry, like Registry.start_link(keys: ..., name: ...)",
		Long: "Makes a registry of this session's (--scope local, the default), or opens the cluster registry\n" +
			"NAME that every node of the cluster shares (--scope cluster, after node join): unique names\n" +
			"claimed across the cluster. Two nodes cannot both hold a cluster name; whereis finds a\n" +
			"holder from this node's cache of the registry, whereis --strong asks the cluster.",
		Example: "reg new topics --keys duplicate\nreg new sessions --partitions 8\nreg new users --scope cluster",
		Args:    exactArgs(1, "a NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if name == "" || len(name) > maxNameLen {
				return fmt.Errorf("a registry needs a name of 1 to %d bytes", maxNameLen)
			}
			if err := checkName("registry name", name); err != nil {
				return err
			}
			switch scope {
			case "local":
			case "cluster":
				if cmd.Flags().Changed("keys") && keys != "unique" || cmd.Flags().Changed("partitions") || len(meta) > 0 {
					return errors.New("a cluster registry has unique keys, and no partitions or meta")
				}
				return s.openClusterRegistry(cmd.Context(), name)
			default:
				return badChoice("scope", scope, []string{"local", "cluster"})
			}
			var k registry.KeyMode
			switch keys {
			case "unique":
			case "duplicate":
				k = registry.Duplicate
			default:
				return badChoice("keys", keys, []string{"unique", "duplicate"})
			}
			if partitions < 1 || partitions > 1024 {
				return fmt.Errorf("--partitions must be between 1 and 1024")
			}
			type entry struct {
				key   string
				value any
			}
			var metas []entry
			for _, m := range meta {
				// A term flag keeps its quotes (see termFlags); quotes around
				// all of KEY=VALUE, as in 'owner="search team"', go here.
				if len(m) > 1 && (m[0] == '"' || m[0] == '\'') && m[len(m)-1] == m[0] {
					m = unquote(m)
				}
				k, v, ok := strings.Cut(m, "=")
				if !ok || k == "" {
					return fmt.Errorf("--meta %q: want KEY=VALUE, e.g. --meta owner=search", clip(m))
				}
				t, err := ParseTerm(v)
				if err != nil {
					return fmt.Errorf("--meta %s: %w", clip(k), err)
				}
				metas = append(metas, entry{k, t})
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if _, ok := s.regs[name]; ok {
				return fmt.Errorf("registry %q exists already", name)
			}
			if s.cl != nil && s.cl.regs[name] != nil {
				return fmt.Errorf("registry %q exists already, in the cluster", name)
			}
			r := registry.New(s.rt, registry.Options{Name: name, Keys: k, Partitions: partitions})
			for _, m := range metas {
				r.PutMeta(m.key, m.value)
			}
			s.regs[name] = r
			s.out.result(record{text: fmt.Sprintf("registry %s (%s, %d partitions)", name, k, r.Partitions()),
				obj: map[string]any{"type": "result", "cmd": "reg new", "name": name, "keys": k.String(), "partitions": r.Partitions()}})
			return nil
		},
	}
	cmd.Flags().StringVar(&keys, "keys", "unique", "unique or duplicate")
	cmd.Flags().StringVar(&scope, "scope", "local", "local (this session's) or cluster (shared by the cluster's nodes)")
	intFlag(cmd.Flags(), &partitions, "partitions", 8, "number of partitions")
	cmd.Flags().StringArrayVar(&meta, "meta", nil, "set metadata KEY to the term VALUE (repeatable), like Registry's meta: option")
	termFlags(cmd, "meta")
	return cmd
}

func newCmdRegLs(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "ls",
		Short:       "list registries",
		Args:        exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s.mu.Lock()
			var regs []*registry.Registry
			for _, r := range s.regs {
				regs = append(regs, r)
			}
			s.mu.Unlock()
			sort.Slice(regs, func(i, j int) bool { return regs[i].Name() < regs[j].Name() })
			cluster := s.clusterRegNames()
			if s.asJSON() {
				for _, r := range regs {
					s.result("reg ls", "", map[string]any{"name": r.Name(), "keys": r.Kind().String(), "partitions": r.Partitions(), "entries": r.Count(), "scope": "local"})
				}
				for _, name := range cluster {
					if cr, ok := s.clusterRegistry(name); ok {
						s.result("reg ls", "", map[string]any{"name": name, "keys": "unique", "entries": len(cr.Names()), "scope": "cluster"})
					}
				}
				return nil
			}
			var b strings.Builder
			tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tKEYS\tPARTITIONS\tENTRIES\tSCOPE")
			for _, r := range regs {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\tlocal\n", r.Name(), r.Kind(), r.Partitions(), r.Count())
			}
			for _, name := range cluster {
				if cr, ok := s.clusterRegistry(name); ok {
					fmt.Fprintf(tw, "%s\tunique\t-\t%d\tcluster\n", name, len(cr.Names()))
				}
			}
			tw.Flush()
			s.out.result(record{text: strings.TrimRight(b.String(), "\n")})
			return nil
		},
	}
}

// byPID sorts registry entries in PID order, for output that is the same
// every run, and returns them.
func byPID(es []registry.Entry) []registry.Entry {
	sort.Slice(es, func(i, j int) bool { return es[i].PID.ID() < es[j].PID.ID() })
	return es
}

func (s *Session) printEntries(cmd string, es []registry.Entry) {
	byPID(es)
	if s.asJSON() {
		for _, e := range es {
			s.result(cmd, "", map[string]any{"pid": e.PID.String(), "value": FormatTerm(e.Value)})
		}
		s.result(cmd, "", map[string]any{"count": len(es)})
		return
	}
	if len(es) == 0 {
		s.out.result(record{text: "no entries"})
		return
	}
	var lines []string
	for _, e := range es {
		lines = append(lines, fmt.Sprintf("%s %s", s.pal.PID(e.PID.String()), FormatTerm(e.Value)))
	}
	s.out.result(record{text: strings.Join(lines, "\n")})
}

func newCmdRegLookup(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "registry none..."},
		Use:         "lookup REG KEY",
		Short:       "the processes and values under KEY, like Registry.lookup/2",
		Example:     "reg lookup names c1\nreg lookup topics news",
		Args:        exactArgs(2, "a REG and a KEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := s.registry(args[0])
			if err != nil {
				return err
			}
			s.printEntries("reg lookup", r.Lookup(args[1]))
			return nil
		},
	}
}

func newCmdRegRegister(s *Session) *cobra.Command {
	return keepRaw(&cobra.Command{
		Annotations: map[string]string{completeKey: "registry none process"},
		Use:         "register REG KEY TARGET [VALUE]",
		Short:       "register TARGET under KEY with VALUE (a term; default nil), as the process would with Registry.register/3",
		Example:     "reg register topics news e1\nreg register sessions user42 c1 {since, 2020}",
		Args:        rangeArgs(3, 4, "a REG, a KEY, a TARGET and an optional VALUE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, pid, err := s.registryAndTarget(args[0], args[2])
			if err != nil {
				return err
			}
			var value any = Atom("nil")
			if len(args) == 4 {
				if value, err = s.parseTerm(args[3]); err != nil {
					return err
				}
			}
			key := args[1]
			if len(key) > maxNameLen {
				return fmt.Errorf("key is %d bytes long; the limit is %d", len(key), maxNameLen)
			}
			if err := checkName("key", key); err != nil {
				return err
			}
			if err := r.Register(pid, key, value); err != nil {
				return err
			}
			s.result("reg register", "", map[string]any{"registry": r.Name(), "key": key, "pid": pid.String()})
			return nil
		},
	}, 3)
}

func newCmdRegUnregister(s *Session) *cobra.Command {
	var pattern string
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "registry none process"},
		Use:         "unregister REG KEY TARGET [--match PATTERN]",
		Short:       "remove TARGET's entries under KEY, like Registry.unregister/2 (or unregister_match/3)",
		Example:     "reg unregister topics news e1\nreg unregister topics news e1 --match {admin, _}",
		Args:        exactArgs(3, "a REG, a KEY and a TARGET"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, pid, err := s.registryAndTarget(args[0], args[2])
			if err != nil {
				return err
			}
			key := args[1]
			before := len(r.Values(key, pid))
			if cmd.Flags().Changed("match") {
				pat, err := ParsePattern(pattern)
				if err != nil {
					return err
				}
				if err := r.UnregisterMatch(pid, key, func(v any) bool { return matchTerm(pat, v) }); err != nil {
					return err
				}
			} else {
				r.Unregister(pid, key)
			}
			removed := before - len(r.Values(key, pid))
			text := fmt.Sprintf("removed %d entr%s of %v under %s", removed, map[bool]string{true: "y", false: "ies"}[removed == 1], pid, key)
			if removed == 0 {
				text = fmt.Sprintf("%v had no such entries under %s: nothing changed", pid, key)
			}
			s.result("reg unregister", text, map[string]any{"registry": r.Name(), "key": key, "pid": pid.String(), "removed": removed})
			return nil
		},
	}
	cmd.Flags().StringVar(&pattern, "match", "", "remove only the entries whose value matches PATTERN (_ matches anything)")
	termFlags(cmd, "match")
	return cmd
}

func newCmdRegValues(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "registry none process"},
		Use:         "values REG KEY TARGET",
		Short:       "the values TARGET registered under KEY, like Registry.values/3",
		Example:     "reg values topics news e1",
		Args:        exactArgs(3, "a REG, a KEY and a TARGET"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, pid, err := s.registryAndTarget(args[0], args[2])
			if err != nil {
				return err
			}
			vals := r.Values(args[1], pid)
			terms := make([]string, len(vals))
			for i, v := range vals {
				terms[i] = FormatTerm(v)
			}
			s.result("reg values", FormatTerm(List(vals)), map[string]any{"values": terms})
			return nil
		},
	}
}

func newCmdRegMeta(s *Session) *cobra.Command {
	return keepRaw(&cobra.Command{
		Annotations: map[string]string{completeKey: "registry none..."},
		Use:         "meta REG KEY [VALUE]",
		Short:       "read (or with VALUE, set) a registry's metadata, like Registry.meta/2 and put_meta/3",
		Long: "Registries keep metadata beside their entries: reg new REG --meta KEY=VALUE sets it at the\n" +
			"start, reg meta REG KEY VALUE later. Reading prints {ok, VALUE}, or error if KEY has none.",
		Example: "reg meta topics owner\nreg meta topics owner {team, search}",
		Args:    rangeArgs(2, 3, "a REG and a KEY, and a VALUE to set"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := s.registry(args[0])
			if err != nil {
				return err
			}
			key := args[1]
			if len(args) == 3 {
				v, err := ParseTerm(args[2])
				if err != nil {
					return err
				}
				r.PutMeta(key, v)
				s.result("reg meta", "ok", map[string]any{"registry": r.Name(), "key": key, "value": FormatTerm(v)})
				return nil
			}
			v, ok := r.Meta(key)
			if !ok {
				s.result("reg meta", "error", map[string]any{"registry": r.Name(), "key": key, "value": nil})
				return nil
			}
			s.result("reg meta", FormatTerm(Tuple{Atom("ok"), v}), map[string]any{"registry": r.Name(), "key": key, "value": FormatTerm(v)})
			return nil
		},
	}, 2)
}

func newCmdRegCount(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "registry none..."},
		Use:         "count REG [KEY]",
		Short:       "count entries, in all or under KEY, like Registry.count/1",
		Example:     "reg count names\nreg count topics news",
		Args:        rangeArgs(1, 2, "a REG and an optional KEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := s.registry(args[0])
			if err != nil {
				return err
			}
			n := 0
			if len(args) == 2 {
				n = r.CountKey(args[1])
			} else {
				n = r.Count()
			}
			s.result("reg count", fmt.Sprint(n), map[string]any{"count": n})
			return nil
		},
	}
}

func newCmdRegMatch(s *Session) *cobra.Command {
	return keepRaw(&cobra.Command{
		Annotations: map[string]string{completeKey: "registry none..."},
		Use:         "match REG KEY PATTERN",
		Short:       "entries under KEY whose value matches PATTERN (_ matches anything), like Registry.match/3",
		Example:     "reg match topics news {admin, _}",
		Args:        exactArgs(3, "a REG, a KEY and a PATTERN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := s.registry(args[0])
			if err != nil {
				return err
			}
			pat, err := ParsePattern(args[2])
			if err != nil {
				return err
			}
			s.printEntries("reg match", r.Match(args[1], func(v any) bool { return matchTerm(pat, v) }))
			return nil
		},
	}, 2)
}

func newCmdRegDispatch(s *Session) *cobra.Command {
	return keepRaw(&cobra.Command{
		Annotations: map[string]string{completeKey: "registry none..."},
		Use:         "dispatch REG KEY MSG",
		Short:       "send MSG to every process under KEY, like Registry.dispatch/3 with send/2",
		Example:     "reg dispatch topics news {headline, \"extra!\"}",
		Args:        exactArgs(3, "a REG, a KEY and a MSG"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := s.registry(args[0])
			if err != nil {
				return err
			}
			msg, err := s.parseTerm(args[2])
			if err != nil {
				return err
			}
			rt := s.runtime()
			n := r.Dispatch(args[1], func(es []registry.Entry) {
				byPID(es)
				for _, e := range es {
					rt.Send(e.PID, msg)
				}
			})
			s.result("reg dispatch", fmt.Sprintf("dispatched to %d process%s", n, pluralEs(n)), map[string]any{"count": n})
			return nil
		},
	}, 2)
}

func newCmdRegKeys(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "registry process"},
		Use:         "keys REG TARGET",
		Short:       "the keys TARGET holds in REG, like Registry.keys/2",
		Example:     "reg keys names c1",
		Args:        exactArgs(2, "a REG and a TARGET"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, pid, err := s.registryAndTarget(args[0], args[1])
			if err != nil {
				return err
			}
			keys := r.Keys(pid)
			s.result("reg keys", strings.Join(keys, "\n"), map[string]any{"pid": pid.String(), "keys": keys})
			return nil
		},
	}
}

func newCmdRegSelect(s *Session) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "registry none..."},
		Use:         "select REG [PATTERN] [--limit N]",
		Short:       "entries in all keys whose {KEY, PID, VALUE} matches PATTERN, like Registry.select/2",
		Long: "PATTERN is matched against {KEY, PID, VALUE} for every entry, as the head of a match spec\n" +
			"is in Registry.select(reg, [{{:\"$1\", :\"$2\", :\"$3\"}, [], [...]}]); _ matches anything, and\n" +
			"the key may be written as an atom or a string. The entries print sorted by key, then PID;\n" +
			"--limit shows the first N of them.",
		Example: "reg select names\nreg select topics {news, _, _}\nreg select topics {_, <0.5.0>, _}\nreg select topics {_, _, {admin, _}} --limit 10",
		Args:    rangeArgs(1, 2, "a REG and an optional PATTERN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := s.registry(args[0])
			if err != nil {
				return err
			}
			if limit < 0 {
				return fmt.Errorf("--limit must be 0 (all) or more, not %d", limit)
			}
			var pat Tuple // nil: everything
			if len(args) == 2 {
				p, err := ParsePattern(args[1])
				if err != nil {
					return err
				}
				switch p := p.(type) {
				case wildcard:
				case Tuple:
					if len(p) != 3 {
						return fmt.Errorf("PATTERN matches {KEY, PID, VALUE}, a tuple of 3, not %d: e.g. {news, _, _}", len(p))
					}
					pat = p
				default:
					return fmt.Errorf("PATTERN matches {KEY, PID, VALUE}, not %s: e.g. {news, _, _}", clip(args[1]))
				}
			}
			es := r.Select(func(key string, pid actor.PID, value any) bool {
				return pat == nil || matchKey(pat[0], key) && matchTerm(pat[1], pid) && matchTerm(pat[2], value)
			})
			sort.Slice(es, func(i, j int) bool {
				if es[i].Key != es[j].Key {
					return es[i].Key < es[j].Key
				}
				return es[i].PID.ID() < es[j].PID.ID()
			})
			total := len(es)
			if limit > 0 && total > limit {
				es = es[:limit]
			}
			if s.asJSON() {
				for _, e := range es {
					s.result("reg select", "", map[string]any{"key": e.Key, "pid": e.PID.String(), "value": FormatTerm(e.Value)})
				}
				s.result("reg select", "", map[string]any{"count": total, "shown": len(es)})
				return nil
			}
			if total == 0 {
				s.out.result(record{text: "no entries"})
				return nil
			}
			lines := make([]string, 0, len(es)+1)
			for _, e := range es {
				lines = append(lines, fmt.Sprintf("%s %s %s", FormatTerm(e.Key), s.pal.PID(e.PID.String()), FormatTerm(e.Value)))
			}
			if len(es) < total {
				lines = append(lines, fmt.Sprintf("... %d more (of %d; raise --limit)", total-len(es), total))
			}
			s.out.result(record{text: strings.Join(lines, "\n")})
			return nil
		},
	}
	intFlag(cmd.Flags(), &limit, "limit", 0, "show at most N entries (0: all)")
	keepRaw(cmd, 1)
	return cmd
}

// matchKey matches a registry key: a pattern may write it as a string or
// an atom.
func matchKey(pat any, key string) bool {
	if a, ok := pat.(Atom); ok {
		return string(a) == key
	}
	return matchTerm(pat, key)
}
