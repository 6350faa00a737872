package shell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/actorsh/actorsh/pkg/natsdist"
	"github.com/spf13/cobra"
)

// lab is a cluster of nodes in one process, for lessons: node start a b c
// makes this session node a and two more sessions nodes b and c, each
// connected to a NATS server of the lab's own through a cable that
// partition cuts and heal mends, so a netsplit is exact.
type lab struct {
	server *natsdist.Server
	order  []string // the nodes, as started; the first is this session
	cables map[string]*natsdist.Cable
	nodes  map[string]*Session // the other nodes' sessions
	lease  time.Duration
}

// nodeWriter writes each line with a prefix ("[b] "), a whole line at a
// time, with write (the session's output, under its lock).
type nodeWriter struct {
	mu     sync.Mutex
	write  func([]byte) (int, error)
	prefix string
	buf    []byte
}

func (p *nodeWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		line := append([]byte(p.prefix), p.buf[:i+1]...)
		p.buf = p.buf[i+1:]
		if _, err := p.write(line); err != nil {
			return len(b), err
		}
	}
	return len(b), nil
}

func (s *Session) labOf() *lab {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lab
}

// startLab starts nodes names in this process: this session is the first.
func (s *Session) startLab(ctx context.Context, names []string, lease time.Duration) error {
	if s.labOf() != nil {
		return errors.New("the nodes run already: node stop ends them")
	}
	if _, err := s.clusterNode(); err == nil {
		return errors.New("this session is in a cluster already: node leave first")
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return fmt.Errorf("node %s is named twice", n)
		}
		seen[n] = true
		if err := checkNodeName(n); err != nil {
			return err
		}
	}
	srv, err := natsdist.Serve(natsdist.ServerOptions{Port: 0})
	if err != nil {
		return err
	}
	l := &lab{server: srv, order: names, cables: map[string]*natsdist.Cable{}, nodes: map[string]*Session{}, lease: lease}
	fail := func(err error) error {
		l.stop(s)
		return err
	}
	for _, n := range names {
		c, err := natsdist.NewCable(srv.Addr().String())
		if err != nil {
			return fail(err)
		}
		l.cables[n] = c
	}
	s.mu.Lock()
	s.lab = l
	s.mu.Unlock()
	for i, n := range names {
		target := s
		if i > 0 {
			ios := &iostreams.IOStreams{In: strings.NewReader(""), Out: &nodeWriter{write: s.out.writeRaw, prefix: "[" + n + "] "},
				// What another node would write on stderr (its commands' errors
				// come back to on, which prints them here) goes with its lines.
				ErrOut: &nodeWriter{write: s.out.writeRaw, prefix: "[" + n + "] "}}
			ios.SetColor(s.io.ColorEnabled())
			child, err := NewSession(ios, s.opts)
			if err != nil {
				return fail(err)
			}
			l.nodes[n] = child
			target = child
		}
		if err := target.joinCluster(ctx, n, joinOptions{url: l.cables[n].URL(), ephemeral: true, lease: lease}); err != nil {
			return fail(fmt.Errorf("node %s: %w", n, err))
		}
	}
	s.result("node start", fmt.Sprintf("nodes %s run in this process (this session is %s); on NODE CMD runs CMD on a node, partition %s | %s splits them",
		strings.Join(names, ", "), names[0], names[0], strings.Join(names[1:], " ")),
		map[string]any{"nodes": names, "self": names[0]})
	return nil
}

// stop ends the lab: every node leaves, the server stops.
func (l *lab) stop(s *Session) {
	for _, n := range l.order {
		if c, ok := l.nodes[n]; ok {
			c.Close()
		}
	}
	_, _ = s.leaveCluster()
	for _, c := range l.cables {
		c.Close()
	}
	l.server.Shutdown()
	s.mu.Lock()
	s.lab = nil
	s.mu.Unlock()
}

// labNode is the session of lab node name (this session for the first).
func (s *Session) labNode(name string) (*Session, error) {
	l := s.labOf()
	if l == nil {
		return nil, errors.New("no nodes run in this process: node start a b c starts some")
	}
	if name == l.order[0] {
		return s, nil
	}
	if c, ok := l.nodes[name]; ok {
		return c, nil
	}
	msg := fmt.Sprintf("no node %q runs here", clip(name))
	if g := closest(name, l.order); g != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", g)
	}
	return nil, fmt.Errorf("%s; the nodes are %s", msg, strings.Join(l.order, ", "))
}

// partition cuts the lab in sides: the NATS server stays with the larger
// side (the first given of the largest), whose nodes go on; the others'
// cables are cut.
func (s *Session) partition(words []string) error {
	l := s.labOf()
	if l == nil {
		return errors.New("no nodes run in this process: node start a b c starts some")
	}
	sides := splitBars(words)
	if len(sides) < 2 {
		return errors.New("partition wants sides separated by |, e.g. partition a | b c")
	}
	seen := map[string]bool{}
	for _, side := range sides {
		if len(side) == 0 {
			return errors.New("each side of | needs a node")
		}
		for _, n := range side {
			if _, err := s.labNode(n); err != nil {
				return err
			}
			if seen[n] {
				return fmt.Errorf("node %s is on two sides", n)
			}
			seen[n] = true
		}
	}
	var missing []string
	for _, n := range l.order {
		if !seen[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("every node goes on a side; %s is on none", strings.Join(missing, ", "))
	}
	major := 0
	for i, side := range sides {
		if len(side) > len(sides[major]) {
			major = i
		}
	}
	var cut []string
	for i, side := range sides {
		for _, n := range side {
			if i == major {
				l.cables[n].Mend()
			} else {
				l.cables[n].Cut()
				cut = append(cut, n)
			}
		}
	}
	slices.Sort(cut)
	var parts []string
	for _, side := range sides {
		parts = append(parts, strings.Join(side, " "))
	}
	s.result("partition", fmt.Sprintf("partitioned %s: the NATS server is with %s; %s cannot reach it (their leases lapse in %v)",
		strings.Join(parts, " | "), strings.Join(sides[major], " "), strings.Join(cut, " "), l.leaseOrDefault()),
		map[string]any{"sides": sides, "with_server": sides[major], "cut_off": cut})
	return nil
}

// splitBars splits words at | (also a|b, a |b, a| b).
func splitBars(words []string) [][]string {
	sides := [][]string{{}}
	for _, w := range words {
		parts := strings.Split(w, "|")
		for i, p := range parts {
			if i > 0 {
				sides = append(sides, []string{})
			}
			if p != "" {
				sides[len(sides)-1] = append(sides[len(sides)-1], p)
			}
		}
	}
	return sides
}

func (l *lab) leaseOrDefault() time.Duration {
	if l.lease == 0 {
		return 5 * time.Second
	}
	return l.lease
}

func newCmdPartition(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "partition NODE... | NODE...",
		Short:       "split the nodes of node start into sides that cannot reach each other",
		Long: "Splits the nodes that node start runs: the NATS server stays with the larger side (the first\n" +
			"given, when the largest are as large), and the other sides' nodes lose it, exactly as a\n" +
			"netsplit would cut them off. What happens then is what docs/CLUSTER.md promises: the cut-off\n" +
			"nodes cannot claim names, stop their cluster-named processes before their leases lapse, and the\n" +
			"others release those names. heal joins them again.",
		Example: "node start a b c\npartition a | b c\nheal",
		Args:    rangeArgs(2, 1<<16, "sides of nodes separated by |, e.g. a | b c"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.partition(args)
		},
	}
}

func newCmdHeal(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "none"},
		Use:         "heal",
		Short:       "end a partition: every node reaches the NATS server again",
		Args:        exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			l := s.labOf()
			if l == nil {
				return errors.New("no nodes run in this process: node start a b c starts some")
			}
			var mended []string
			for _, n := range l.order {
				if l.cables[n].IsCut() {
					l.cables[n].Mend()
					mended = append(mended, n)
				}
			}
			text := "no partition to heal"
			if len(mended) > 0 {
				text = "healed: " + strings.Join(mended, " ") + " reach the NATS server again (a node cut off takes a new lease; the names it lost stay released)"
			}
			s.result("heal", text, map[string]any{"mended": mended})
			return nil
		},
	}
}

func newCmdOn(s *Session) *cobra.Command {
	return keepRaw(&cobra.Command{
		Annotations:        map[string]string{completeKey: "none cmdline"},
		Use:                "on NODE CMD",
		Short:              "run CMD on node NODE of node start",
		Example:            "on b spawn counter --via users --name alice\non c whereis users alice",
		DisableFlagParsing: true,
		Args:               rangeArgs(2, 1<<20, "a NODE and a CMD to run there"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := s.labNode(unquote(args[0]))
			if err != nil {
				return err
			}
			if t == s {
				return s.runSettled(cmd.Context(), args[1:])
			}
			t.execMu.Lock()
			defer t.execMu.Unlock()
			err = t.runSettled(cmd.Context(), args[1:])
			t.out.flush(false)
			if err != nil {
				return fmt.Errorf("on %s: %w", args[0], err)
			}
			return nil
		},
	}, 1)
}

// killNode ends lab node name as kill -9 ends a program: its connection
// drops without leaving, its processes are gone, its lease and names stay
// until the lease expires.
func (s *Session) killNode(name string) error {
	t, err := s.labNode(name)
	if err != nil {
		return err
	}
	l := s.labOf()
	if t == s {
		return fmt.Errorf("%s is this session: node kill ends another node (node stop ends them all)", name)
	}
	t.dropNode()
	t.Close()
	s.mu.Lock()
	delete(l.nodes, name)
	l.order = slices.DeleteFunc(l.order, func(n string) bool { return n == name })
	s.mu.Unlock()
	l.cables[name].Close()
	delete(l.cables, name)
	s.result("node kill", fmt.Sprintf("node %s is gone, as after kill -9: its names stay taken until its lease expires (%v)", name, l.leaseOrDefault()),
		map[string]any{"node": name})
	return nil
}
