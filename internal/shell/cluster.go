package shell

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/spf13/cobra"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
	"github.com/actorsh/actorsh/pkg/natsdist"
)

// cluster is the session's place in a cluster: its node, the cluster
// registries it has opened, and whether it started the NATS server it
// joined (the session keeps that server: see Session.embedded).
type cluster struct {
	node     *natsdist.Node
	embedded bool
	url      string
	regs     map[string]*natsdist.Registry
	unsub    func()
}

// joinOptions are node join's.
type joinOptions struct {
	url       string
	creds     string
	user      string
	password  string
	token     string
	cluster   string
	lease     time.Duration
	replicas  int
	ephemeral bool
}

// DefaultNATS is where a node looks for a NATS server when given none,
// and where it embeds one if nothing listens there. ACTORSH_NATS changes
// it (tests use a free port).
const DefaultNATS = "nats://127.0.0.1:4222"

func defaultNATS() string {
	if u := os.Getenv("ACTORSH_NATS"); u != "" {
		return u
	}
	return DefaultNATS
}

// joinCluster makes the session node name of a cluster.
func (s *Session) joinCluster(ctx context.Context, name string, o joinOptions) error {
	s.mu.Lock()
	cl, rt := s.cl, s.rt
	s.mu.Unlock()
	if cl != nil {
		return fmt.Errorf("this session is node %s already; node leave first", cl.node.Self().Name)
	}
	if err := checkNodeName(name); err != nil {
		return err
	}
	cl = &cluster{regs: map[string]*natsdist.Registry{}, url: o.url}
	how := "joined the NATS server at " + o.url
	if cl.url == "" {
		cl.url = defaultNATS()
		u, err := url.Parse(cl.url)
		if err != nil || u.Hostname() == "" {
			return fmt.Errorf("ACTORSH_NATS=%q is not a nats://HOST:PORT URL", cl.url)
		}
		if natsdist.Listening(u.Host) {
			how = "joined the NATS server at " + cl.url
		} else {
			srv, where, err := embedServer(u, o.ephemeral, "")
			if err != nil {
				return err
			}
			cl.embedded = true
			s.mu.Lock()
			s.embedded = append(s.embedded, srv)
			s.mu.Unlock()
			how = "started NATS on " + u.Host + " (" + where + "); it runs until this shell ends, actorsh nats serve runs one on its own"
		}
	}
	node, err := natsdist.Join(ctx, natsdist.Config{
		Name: name, Cluster: o.cluster, URL: cl.url, Runtime: rt, Terms: shellTerms{},
		Credentials: natsdist.Credentials{File: o.creds, User: o.user, Password: o.password, Token: o.token},
		LeaseTTL:    o.lease, Replicas: o.replicas, Memory: o.ephemeral,
	})
	if err != nil {
		return err
	}
	cl.node = node
	cl.unsub = node.Subscribe(s.onClusterEvent)
	s.mu.Lock()
	s.cl = cl
	s.mu.Unlock()
	self := node.Self()
	s.result("node join", fmt.Sprintf("node %s (index %d, creation %d) in cluster %s: %s", self.Name, self.Index, self.Creation, orDefault(o.cluster, "ash"), how),
		map[string]any{"node": self.Name, "index": self.Index, "creation": self.Creation, "cluster": orDefault(o.cluster, "ash"), "url": cl.url, "embedded": cl.embedded})
	return nil
}

// embedServer starts a NATS server with JetStream where u says, on
// loopback only, its state in store (default $XDG_STATE_HOME/actorsh/nats)
// or, ephemeral, in memory; where says which.
func embedServer(u *url.URL, ephemeral bool, store string) (srv *natsdist.Server, where string, err error) {
	host, port := u.Hostname(), u.Port()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, "", fmt.Errorf("nothing listens at %s, and actorsh embeds a NATS server on loopback only: start one there, or give --nats URL", u.Host)
	}
	p := 4222
	if port != "" {
		if _, err := fmt.Sscan(port, &p); err != nil {
			return nil, "", fmt.Errorf("bad port in %s", u)
		}
	}
	o := natsdist.ServerOptions{Host: host, Port: p}
	where = "in memory"
	if !ephemeral {
		if store == "" {
			home, err := stateHome()
			if err != nil {
				return nil, "", err
			}
			store = filepath.Join(home, "nats")
		}
		o.StoreDir = store
		where = "state in " + store
	}
	if srv, err = natsdist.Serve(o); err != nil {
		return nil, "", err
	}
	return srv, where, nil
}

// leaveCluster leaves: names released, lease ended. A server the session
// embedded runs on (see stopEmbedded).
func (s *Session) leaveCluster() (string, error) {
	s.mu.Lock()
	cl := s.cl
	s.cl = nil
	s.mu.Unlock()
	if cl == nil {
		return "", dist.ErrNotClustered
	}
	cl.unsub()
	err := cl.node.Close()
	return cl.node.Self().Name, err
}

// dropNode takes the session's node down as a crash would (no goodbye:
// the others release its names when its lease ends), for a simulated VM
// crash and node kill; it returns the node, nil if there was none.
func (s *Session) dropNode() *cluster {
	s.mu.Lock()
	cl := s.cl
	s.cl = nil
	s.mu.Unlock()
	if cl != nil {
		cl.unsub()
		cl.node.Kill() // a server it embedded runs on: it is not the VM's
	}
	return cl
}

// stopEmbedded stops the NATS servers the session started: other nodes
// may use them, so they run until the session ends, past node leave.
func (s *Session) stopEmbedded() {
	s.mu.Lock()
	servers := s.embedded
	s.embedded = nil
	s.mu.Unlock()
	for _, srv := range servers {
		srv.Shutdown()
	}
}

// clusterNode returns the session's node, or why there is none.
func (s *Session) clusterNode() (*cluster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cl == nil {
		return nil, dist.ErrNotClustered
	}
	return s.cl, nil
}

// clusterRegistry returns the cluster registry name, if the session has
// opened it.
func (s *Session) clusterRegistry(name string) (*natsdist.Registry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cl == nil {
		return nil, false
	}
	r, ok := s.cl.regs[name]
	return r, ok
}

// onClusterEvent narrates a cluster event and records it.
func (s *Session) onClusterEvent(e dist.Event) {
	text := e.String()
	obj := clusterEventObject(e)
	s.rec.add(entry{typ: entryCluster, text: text, cev: &e})
	if s.watch.on() {
		s.watch.tell(func() map[string]any { o := clusterEventObject(e); o["text"] = text; return o })
	}
	s.mu.Lock()
	narrate := s.narrate
	s.mu.Unlock()
	if !narrate && !s.json {
		return
	}
	r := record{text: s.pal.Warn(text)}
	if s.json {
		r.obj = obj
	}
	s.out.event(r)
}

func clusterEventObject(e dist.Event) map[string]any {
	o := map[string]any{"type": "cluster", "event": string(e.Kind), "node": e.Node, "time": e.Time.UTC().Format(time.RFC3339Nano)}
	if e.Other != "" {
		o["other"] = e.Other
	}
	if e.Registry != "" {
		o["registry"] = e.Registry
	}
	if e.Name != "" {
		o["name"] = e.Name
	}
	if len(e.Names) > 0 {
		o["names"] = e.Names
	}
	if !e.Holder.IsZero() {
		o["holder"] = e.Holder.String()
	}
	if e.Reason != "" {
		o["reason"] = e.Reason
	}
	return o
}

// remoteTarget reports whether pid, of another node, names a process of
// a node that is in the cluster now, or why not.
func (s *Session) remoteTarget(pid actor.PID) error {
	cl, err := s.clusterNode()
	if err != nil {
		return fmt.Errorf("%v is a process of node %d, and this session is in no cluster (node join NAME joins one)", pid, pid.Node())
	}
	for _, m := range cl.node.Members() {
		if m.Index == pid.Node() {
			if m.Creation != pid.Creation() {
				return fmt.Errorf("%v is from an earlier life of node %s (now creation %d): noproc", pid, m.Name, m.Creation)
			}
			return nil
		}
	}
	return fmt.Errorf("%v is on node %s, which is not in the cluster now (nodedown); nodes lists the members", pid, strings.TrimPrefix(cl.node.NodeName(pid.Node()), "node "))
}

// checkRemote refuses a message for another node that cannot cross.
func (s *Session) checkRemote(pid actor.PID, msg any) error {
	if !pid.IsRemote() {
		return nil
	}
	cl, err := s.clusterNode()
	if err != nil {
		return err
	}
	return cl.node.Check(msg)
}

// nodeRows are the members for nodes.
func nodeRows(ms []dist.Member) ([]string, []any) {
	rows := []string{}
	objs := []any{}
	w := 4
	for _, m := range ms {
		w = max(w, len(m.Name))
	}
	rows = append(rows, fmt.Sprintf("%-*s  %5s  %8s  %-6s  %s", w, "NODE", "INDEX", "CREATION", "HEALTH", "UP FOR"))
	for _, m := range ms {
		self := ""
		if m.Self {
			self = "  (this session)"
		}
		up := time.Since(m.Started).Round(time.Second)
		rows = append(rows, fmt.Sprintf("%-*s  %5d  %8d  %-6s  %s%s", w, m.Name, m.Index, m.Creation, m.Health, up, self))
		objs = append(objs, map[string]any{"node": m.Name, "index": m.Index, "creation": m.Creation, "health": m.Health, "self": m.Self,
			"started": m.Started.UTC().Format(time.RFC3339Nano), "renewed": m.Renewed.UTC().Format(time.RFC3339Nano)})
	}
	return rows, objs
}

// clusterRegNames lists the session's cluster registries, sorted.
func (s *Session) clusterRegNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cl == nil {
		return nil
	}
	var out []string
	for n := range s.cl.regs {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// openClusterRegistry opens the cluster registry name for the session.
func (s *Session) openClusterRegistry(ctx context.Context, name string) error {
	cl, err := s.clusterNode()
	if err != nil {
		return fmt.Errorf("--scope cluster needs a cluster: %w", err)
	}
	s.mu.Lock()
	_, local := s.regs[name]
	_, open := cl.regs[name]
	s.mu.Unlock()
	if local {
		return fmt.Errorf("registry %q exists already, in this session: a cluster registry needs another name", name)
	}
	if open {
		return fmt.Errorf("registry %q exists already, in the cluster", name)
	}
	r, err := cl.node.Registry(ctx, name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	cl.regs[name] = r
	s.mu.Unlock()
	n := len(r.Names())
	s.result("reg new", fmt.Sprintf("registry %s (cluster, unique, %d names now)", name, n),
		map[string]any{"name": name, "keys": "unique", "scope": "cluster", "names": n})
	return nil
}

// newNATSCmd is actorsh nats serve: the NATS server a cluster of shells
// shares, on its own, so that it does not stop with the first shell.
func newNATSCmd(ios *iostreams.IOStreams, code *int) *cobra.Command {
	var addr, store string
	var ephemeral bool
	serve := &cobra.Command{
		Use:   "serve [--addr HOST:PORT] [--store DIR | --ephemeral]",
		Short: "run the NATS server (with JetStream) that actorsh --node joins, until Ctrl-C",
		Long: "Runs a NATS server on loopback for a cluster of actorsh shells on this machine: each\n" +
			"actorsh --node NAME joins it. Its state is kept in --store (default\n" +
			"$XDG_STATE_HOME/actorsh/nats) or in memory (--ephemeral).",
		Example: "actorsh nats serve\nactorsh nats serve --addr 127.0.0.1:4333 --ephemeral   # then ACTORSH_NATS=nats://127.0.0.1:4333",
		Args:    flagsOnly("nats serve", ""),
		RunE: func(cmd *cobra.Command, args []string) error {
			*code = serveNATS(ios, addr, store, ephemeral)
			return nil
		},
	}
	serve.Flags().StringVar(&addr, "addr", strings.TrimPrefix(DefaultNATS, "nats://"), "where to listen: a loopback HOST:PORT")
	serve.Flags().StringVar(&store, "store", "", "keep JetStream's state in `DIR` (default $XDG_STATE_HOME/actorsh/nats)")
	serve.Flags().BoolVar(&ephemeral, "ephemeral", false, "keep the state in memory only")
	c := &cobra.Command{
		Use:   "nats serve",
		Short: "the NATS server a cluster of actorsh nodes shares",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("nats has one subcommand, serve (got %q)", clip(args[0]))}
			}
			return usageError{errors.New("nats wants a subcommand: actorsh nats serve")}
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	c.AddCommand(serve)
	return c
}

func serveNATS(ios *iostreams.IOStreams, addr, store string, ephemeral bool) int {
	u, err := url.Parse("nats://" + addr)
	if err != nil || u.Hostname() == "" {
		fmt.Fprintf(ios.ErrOut, "actorsh nats serve: --addr %q: want HOST:PORT\n", clip(addr))
		return ExitUsage
	}
	if natsdist.Listening(u.Host) {
		fmt.Fprintf(ios.ErrOut, "actorsh nats serve: something listens at %s already (another actorsh nats serve, or a shell's embedded server)\n", u.Host)
		return ExitFailed
	}
	srv, where, err := embedServer(u, ephemeral, store)
	if err != nil {
		fmt.Fprintf(ios.ErrOut, "actorsh nats serve: %v\n", err)
		return ExitFailed
	}
	defer srv.Shutdown()
	fmt.Fprintf(ios.Out, "NATS with JetStream at %s (%s); actorsh --node NAME joins it. Ctrl-C stops it.\n", srv.URL(), where)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return ExitOK
}

// checkNodeName allows what a host name allows, and _ and @: a node's
// name is typed in on, partition and its narration.
func checkNodeName(name string) error {
	if name == "" || len(name) > 64 {
		return errors.New("a node needs a name of 1 to 64 bytes")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.@", c)) {
			return fmt.Errorf("node name %q: use letters, digits and - _ . @", clip(name))
		}
	}
	return nil
}

// resolveLocal is resolve for the commands that act on this node's
// processes only (info, state, stop, trap, suspend, resume, trace,
// demonitor): a process of another node gets an error that says where
// to run the command.
func (s *Session) resolveLocal(target string) (actor.PID, error) {
	pid, err := s.resolve(target)
	if err != nil || !pid.IsRemote() {
		return pid, err
	}
	where := fmt.Sprintf("node %d", pid.Node())
	if cl, cerr := s.clusterNode(); cerr == nil {
		where = cl.node.NodeName(pid.Node())
		if !strings.HasPrefix(where, "node ") {
			where = "node " + where
		}
	}
	return actor.PID{}, fmt.Errorf("%v is a process of %s: this command acts on this node's processes (run it on %s; send, cast, call, kill, link and monitor reach other nodes)", pid, where, strings.TrimPrefix(where, "node "))
}
