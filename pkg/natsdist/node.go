package natsdist

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config is how a node joins a cluster.
type Config struct {
	// Name is the node's name, unique among the cluster's live nodes.
	Name string
	// Cluster names the cluster (default "ash"): nodes of different
	// clusters can share a NATS server without seeing each other.
	Cluster string
	// URL is the NATS server to connect to; Options are nats.go's (for
	// credentials: nats.UserCredentials, nats.UserInfo, nats.Token).
	URL         string
	Credentials Credentials
	Options     []nats.Option
	// Runtime is the node's runtime; Terms its embedder's terms (nil:
	// dist.DefaultTerms).
	Runtime *actor.Runtime
	Terms   dist.Terms
	// LeaseTTL is how long a node's lease lasts without renewal (default
	// 5s, at least 1s); Renew how often it is renewed (default LeaseTTL*3/10).
	LeaseTTL time.Duration
	Renew    time.Duration
	// Reconcile is how often a registry's cache is compared with its
	// bucket (default 10s), and ReleaseWait how long a release waits for
	// the cluster to confirm it (default 2s).
	Reconcile   time.Duration
	ReleaseWait time.Duration
	// MarkerTTL is how long the marker of a released name stays in its
	// bucket (default 1m, at least 1s): watchers see it at once, and
	// after it the name leaves no trace.
	MarkerTTL time.Duration
	// Replicas of each bucket (default 1; 3 on a three-server cluster).
	// Memory keeps the buckets in memory (as for lessons and tests).
	Replicas int
	Memory   bool
}

// Credentials are how a node proves who it is to a NATS server that
// wants it: a .creds file (JWT and NKey, as nsc writes), a user and
// password, or a token. At most one.
type Credentials struct {
	File     string
	User     string
	Password string
	Token    string
}

func (c Credentials) options() ([]nats.Option, error) {
	set := 0
	var opts []nats.Option
	if c.File != "" {
		set++
		opts = append(opts, nats.UserCredentials(c.File))
	}
	if c.User != "" {
		set++
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	} else if c.Password != "" {
		return nil, errors.New("a password needs a user")
	}
	if c.Token != "" {
		set++
		opts = append(opts, nats.Token(c.Token))
	}
	if set > 1 {
		return nil, errors.New("give one of a credentials file, a user and password, or a token")
	}
	return opts, nil
}

func (c *Config) defaults() error {
	if c.Name == "" || len(c.Name) > 64 {
		return errors.New("a node needs a name of 1 to 64 bytes")
	}
	if c.Cluster == "" {
		c.Cluster = "ash"
	}
	if !subjectSafe(c.Cluster) {
		return fmt.Errorf("cluster name %q: use letters, digits, - and _", c.Cluster)
	}
	if c.Runtime == nil {
		return errors.New("a node needs a runtime")
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = 5 * time.Second
	}
	if c.LeaseTTL < time.Second {
		return errors.New("a lease lasts at least 1s (the NATS server's least marker TTL)")
	}
	if c.Renew == 0 {
		c.Renew = c.LeaseTTL * 3 / 10
	}
	if c.Renew >= c.LeaseTTL {
		return errors.New("a lease must be renewed more often than it lasts")
	}
	if c.Reconcile == 0 {
		c.Reconcile = 10 * time.Second
	}
	if c.ReleaseWait == 0 {
		c.ReleaseWait = 2 * time.Second
	}
	if c.MarkerTTL == 0 {
		c.MarkerTTL = time.Minute
	}
	if c.MarkerTTL < time.Second {
		return errors.New("a released name's marker stays at least 1s (the NATS server's least TTL)")
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	return nil
}

func subjectSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

// enc is how any string becomes part of a key or a bucket's name:
// base64url without padding, so it is one token of [-_a-zA-Z0-9].
func enc(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// Node is a runtime in a cluster.
type Node struct {
	cfg   Config
	rt    *actor.Runtime
	self  dist.Node
	codec dist.Codec
	nc    *nats.Conn
	js    jetstream.JetStream
	nodes jetstream.KeyValue

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	sub    *nats.Subscription

	mu       sync.Mutex
	started  time.Time
	leaseRev uint64
	fenced   bool
	closed   bool
	members  map[uint16]*member
	names    map[uint16]string // every node seen, live or not
	regs     map[string]*Registry
	subs     []subscription // in the order they came
	nextSub  int
	reconnCh chan struct{}
	x        crossings // links and monitors with other nodes' processes (links.go)
}

type member struct {
	dist.Node
	started time.Time
	renewed time.Time
	ttl     time.Duration // its lease's
}

// lease is the value of a node's lease key.
type lease struct {
	Name     string        `json:"name"`
	Index    uint16        `json:"index"`
	Creation uint8         `json:"creation"`
	Started  time.Time     `json:"started"`
	TTL      time.Duration `json:"ttl"`
}

// identity is the value of a node name's key: its index and last creation.
type identity struct {
	Index    uint16 `json:"index"`
	Creation uint8  `json:"creation"`
}

// ErrNameInUse is Join's error for a name whose node is alive.
var ErrNameInUse = errors.New("a live node has that name")

// Join connects rt to the cluster as node cfg.Name: it claims the name's
// index, takes a lease and keeps renewing it, and makes itself the
// runtime's Remote. Close leaves.
func Join(ctx context.Context, cfg Config) (*Node, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, rt: cfg.Runtime, members: map[uint16]*member{}, names: map[uint16]string{}, x: newCrossings(), regs: map[string]*Registry{}, reconnCh: make(chan struct{})}
	creds, err := cfg.Credentials.options()
	if err != nil {
		return nil, err
	}
	opts := append([]nats.Option{
		nats.Name("actorsh " + cfg.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		// Connection trouble shows in what it causes (a fence, a release
		// pending), not as lines nats.go would print on stderr.
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}),
		nats.DisconnectErrHandler(func(*nats.Conn, error) {}),
		nats.ReconnectHandler(func(*nats.Conn) {
			n.mu.Lock()
			close(n.reconnCh)
			n.reconnCh = make(chan struct{})
			n.mu.Unlock()
		}),
	}, creds...)
	opts = append(opts, cfg.Options...)
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", cfg.URL, err)
	}
	n.nc = nc
	if err := n.join(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	return n, nil
}

func (n *Node) storage() jetstream.StorageType {
	if n.cfg.Memory {
		return jetstream.MemoryStorage
	}
	return jetstream.FileStorage
}

// bucket opens a bucket, making it if it is not there. A new cluster's
// first bucket waits for JetStream's meta leader, so each attempt is short
// and retried while ctx lasts.
func (n *Node) bucket(ctx context.Context, name string, markers bool) (jetstream.KeyValue, error) {
	cfg := jetstream.KeyValueConfig{Bucket: name, History: 1, Storage: n.storage(), Replicas: n.cfg.Replicas}
	if markers {
		cfg.LimitMarkerTTL = n.cfg.LeaseTTL
	}
	// A new cluster's first bucket waits for JetStream's meta leader
	// (about 2 s on three servers): tries of 2 s, for 15 s at most.
	ctx, stop := context.WithTimeout(ctx, 15*time.Second)
	defer stop()
	var last error
	for attempt := 0; attempt < 20; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		kv, err := n.js.CreateOrUpdateKeyValue(actx, cfg)
		cancel()
		if err == nil {
			return kv, nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("bucket %s: %w", name, last)
}

func (n *Node) join(ctx context.Context) error {
	js, err := jetstream.New(n.nc)
	if err != nil {
		return err
	}
	n.js = js
	n.nodes, err = n.bucket(ctx, "ash_"+n.cfg.Cluster+"_nodes", true)
	if err != nil {
		return err
	}
	id, rev, err := n.identity(ctx)
	if err != nil {
		return err
	}
	n.self = dist.Node{Name: n.cfg.Name, Index: id.Index, Creation: id.Creation}
	// The lease first: if a live node has this name, nothing else changes.
	n.started = time.Now()
	lrev, err := n.nodes.Create(ctx, n.leaseKey(), n.leaseValue(), jetstream.KeyTTL(n.cfg.LeaseTTL))
	if errors.Is(err, jetstream.ErrKeyExists) {
		return fmt.Errorf("node %s: %w in cluster %s (if it is gone, its lease ends within %v)", n.cfg.Name, ErrNameInUse, n.cfg.Cluster, n.cfg.LeaseTTL)
	}
	if err != nil {
		return fmt.Errorf("node %s: lease: %w", n.cfg.Name, err)
	}
	n.leaseRev = lrev
	renewedAt := n.started
	// This life's creation: one more than the last one's.
	if rev != 0 {
		id.Creation++
		if _, err := n.nodes.Update(ctx, nameKey(n.cfg.Name), mustJSON(id), rev); err != nil {
			_ = n.nodes.Delete(context.Background(), n.leaseKey(), jetstream.LastRevision(lrev))
			return fmt.Errorf("node %s: another node of this name is starting: %w", n.cfg.Name, err)
		}
		n.self.Creation = id.Creation
		if lrev, err = n.renewOnce(ctx, lrev); err != nil {
			return err
		}
		n.leaseRev = lrev
	}
	n.codec = dist.Codec{Terms: n.cfg.Terms, Self: n.self}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	sub, err := n.nc.Subscribe(n.subject(n.self.Index), n.receive)
	if err != nil {
		return err
	}
	n.sub = sub
	if err := n.watchMembers(ctx); err != nil {
		n.cancel()
		return err
	}
	n.rt.SetRemote(n)
	n.wg.Add(1)
	go n.renewLoop(renewedAt)
	return nil
}

func nameKey(name string) string { return "name." + enc(name) }
func (n *Node) leaseKey() string { return "lease." + enc(n.cfg.Name) }

func (n *Node) leaseValue() []byte {
	return mustJSON(lease{Name: n.cfg.Name, Index: n.self.Index, Creation: n.self.Creation, Started: n.started, TTL: n.cfg.LeaseTTL})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// identity finds the index of the node's name, claiming the next free one
// for a name never seen; rev is the name key's revision, 0 if new.
func (n *Node) identity(ctx context.Context) (identity, uint64, error) {
	e, err := n.nodes.Get(ctx, nameKey(n.cfg.Name))
	if err == nil {
		var id identity
		if err := json.Unmarshal(e.Value(), &id); err != nil || id.Index == 0 {
			return identity{}, 0, fmt.Errorf("node %s: its record in the cluster is damaged: %s", n.cfg.Name, e.Value())
		}
		return id, e.Revision(), nil
	}
	if !errors.Is(err, jetstream.ErrKeyNotFound) {
		return identity{}, 0, err
	}
	for i := 1; i < 1<<16; i++ {
		key := "index." + strconv.Itoa(i)
		_, err := n.nodes.Create(ctx, key, []byte(n.cfg.Name))
		if errors.Is(err, jetstream.ErrKeyExists) {
			e, gerr := n.nodes.Get(ctx, key)
			if gerr != nil || string(e.Value()) != n.cfg.Name {
				continue
			}
		} else if err != nil {
			return identity{}, 0, err
		}
		id := identity{Index: uint16(i)}
		if _, err := n.nodes.Create(ctx, nameKey(n.cfg.Name), mustJSON(id)); err != nil {
			if errors.Is(err, jetstream.ErrKeyExists) {
				return n.identity(ctx) // a twin took it first: use what it wrote
			}
			return identity{}, 0, err
		}
		return id, 0, nil
	}
	return identity{}, 0, errors.New("the cluster has 65535 node names already")
}

// Self is the node's identity.
func (n *Node) Self() dist.Node { return n.self }

// Codec is the node's term codec.
func (n *Node) Codec() dist.Codec { return n.codec }

// Runtime is the node's runtime.
func (n *Node) Runtime() *actor.Runtime { return n.rt }

// Subscribe calls f for each cluster event from now on, on the node's own
// goroutines (f must not block); cancel stops it.
func (n *Node) Subscribe(f func(dist.Event)) (cancel func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	id := n.nextSub
	n.nextSub++
	n.subs = append(n.subs, subscription{id, f})
	return func() {
		n.mu.Lock()
		n.subs = slices.DeleteFunc(n.subs, func(s subscription) bool { return s.id == id })
		n.mu.Unlock()
	}
}

type subscription struct {
	id int
	f  func(dist.Event)
}

func (n *Node) emit(e dist.Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if e.Node == "" {
		e.Node = n.self.Name
	}
	n.mu.Lock()
	subs := slices.Clone(n.subs)
	n.mu.Unlock()
	for _, s := range subs {
		s.f(e)
	}
}

// Members lists the cluster's live nodes by index, as this node sees them.
func (n *Node) Members() []dist.Member {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := time.Now()
	out := make([]dist.Member, 0, len(n.members))
	for _, m := range n.members {
		health := "up"
		if m.Index != n.self.Index && now.Sub(m.renewed) > 2*n.cfg.Renew {
			health = "late"
		}
		out = append(out, dist.Member{Node: m.Node, Self: m.Index == n.self.Index, Started: m.started, Renewed: m.renewed, Health: health})
	}
	slices.SortFunc(out, func(a, b dist.Member) int { return cmp.Compare(a.Index, b.Index) })
	return out
}

// member returns the live node with index i.
func (n *Node) member(i uint16) (*member, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	m, ok := n.members[i]
	return m, ok
}

// reconnected is closed when the connection is next re-established.
func (n *Node) reconnected() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.reconnCh
}

// waitUnfenced waits up to d for the node to hold a lease again, if it is
// fenced: a supervisor restarting a cluster-named child while its node is
// cut off tries again every d, not at once.
func (n *Node) waitUnfenced(d time.Duration) bool {
	if !n.Fenced() {
		return true
	}
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-deadline.C:
			return !n.Fenced()
		case <-n.ctx.Done():
			return false
		case <-tick.C:
			if !n.Fenced() {
				return true
			}
		}
	}
}

// NodeName is the name of the node with index i, as far as this node
// knows (it may be gone), or "node I".
func (n *Node) NodeName(i uint16) string { return n.nodeName(i) }

// Fenced reports whether the node has lost its lease and stopped its
// cluster-named processes, until it renews again.
func (n *Node) Fenced() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.fenced
}

// watchMembers keeps the member list from the lease keys, and reaps the
// names of nodes whose lease expired.
func (n *Node) watchMembers(ctx context.Context) error {
	w, err := n.nodes.Watch(n.ctx, "lease.>")
	if err != nil {
		return err
	}
	// The initial values, up to the nil that ends them, before Join returns.
	init := true
	for init {
		select {
		case e := <-w.Updates():
			if e == nil {
				init = false
				break
			}
			n.memberUpdate(e, true)
		case <-ctx.Done():
			_ = w.Stop()
			return ctx.Err()
		}
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		defer func() { _ = w.Stop() }()
		for {
			select {
			case <-n.ctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e != nil {
					n.memberUpdate(e, false)
				}
			}
		}
	}()
	return nil
}

func (n *Node) memberUpdate(e jetstream.KeyValueEntry, initial bool) {
	switch e.Operation() {
	case jetstream.KeyValuePut:
		var l lease
		if err := json.Unmarshal(e.Value(), &l); err != nil || l.Index == 0 {
			return
		}
		n.mu.Lock()
		m, known := n.members[l.Index]
		fresh := !known || m.Creation != l.Creation
		if fresh {
			m = &member{Node: dist.Node{Name: l.Name, Index: l.Index, Creation: l.Creation}, started: l.Started}
			n.members[l.Index] = m
		}
		m.renewed = time.Now() // as this node heard it: no clocks compared
		m.ttl = l.TTL
		n.names[l.Index] = l.Name
		n.mu.Unlock()
		if fresh && !initial {
			n.emit(dist.Event{Kind: dist.NodeUp, Node: l.Name})
		}
	case jetstream.KeyValueDelete, jetstream.KeyValuePurge:
		name := e.Key()[len("lease."):]
		raw, err := base64.RawURLEncoding.DecodeString(name)
		if err != nil {
			return
		}
		n.mu.Lock()
		var gone *member
		for i, m := range n.members {
			if m.Name == string(raw) {
				gone = m
				delete(n.members, i)
			}
		}
		self := string(raw) == n.self.Name
		n.mu.Unlock()
		if gone == nil || self {
			return
		}
		if e.Operation() == jetstream.KeyValueDelete {
			n.emit(dist.Event{Kind: dist.NodeLeft, Node: gone.Name})
			n.nodeGone(gone.Index)
			return
		}
		ttl := gone.ttl
		if ttl == 0 {
			ttl = n.cfg.LeaseTTL
		}
		n.emit(dist.Event{Kind: dist.LeaseExpired, Node: gone.Name, Reason: fmt.Sprintf("not renewed for %v", ttl)})
		n.nodeGone(gone.Index)
		n.reapAll(gone.Node, "its lease expired")
	}
}

// registriesLocked lists the open registries by name (n.mu held).
func (n *Node) registriesLocked() []*Registry {
	regs := make([]*Registry, 0, len(n.regs))
	for _, r := range n.regs {
		regs = append(regs, r)
	}
	slices.SortFunc(regs, func(a, b *Registry) int { return strings.Compare(a.name, b.name) })
	return regs
}

// reapAll releases the names node held in every registry this node has
// open.
func (n *Node) reapAll(node dist.Node, why string) {
	n.mu.Lock()
	regs := n.registriesLocked()
	n.mu.Unlock()
	for _, r := range regs {
		r.reap(node, why)
	}
}

// renewLoop renews the lease every Renew. If it cannot renew before the
// lease would end (counted from the sending of the last renewal that was
// confirmed, so never after the servers end it), the node fences itself;
// once it can renew again it takes a fresh lease.
func (n *Node) renewLoop(lastOK time.Time) {
	defer n.wg.Done()
	timer := time.NewTimer(n.cfg.Renew)
	defer timer.Stop()
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-timer.C:
		}
		deadline := lastOK.Add(n.cfg.LeaseTTL)
		wait := min(n.cfg.Renew, time.Until(deadline))
		if wait <= 0 {
			wait = n.cfg.Renew
		}
		sent := time.Now()
		ctx, cancel := context.WithTimeout(n.ctx, wait)
		err := n.renew(ctx)
		cancel()
		if n.ctx.Err() != nil {
			return
		}
		switch {
		case err == nil:
			lastOK = sent
			if n.Fenced() {
				n.mu.Lock()
				n.fenced = false
				n.mu.Unlock()
				n.emit(dist.Event{Kind: dist.Rejoined})
			}
		case errors.Is(err, jetstream.ErrKeyExists), errors.Is(err, jetstream.ErrKeyRevisionMismatch), isWrongLastSeq(err):
			// The servers ended the lease: fence now, take a new one next.
			n.fence("the cluster ended its lease")
			n.mu.Lock()
			n.leaseRev = 0
			n.mu.Unlock()
		default:
			if !time.Now().Before(deadline) {
				why := err.Error()
				if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) || errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrNoResponders) {
					why = fmt.Sprintf("no answer from NATS for %v", n.cfg.LeaseTTL)
				}
				n.fence(why)
			}
		}
		next := n.cfg.Renew - time.Since(sent)
		if !n.Fenced() {
			next = min(next, time.Until(lastOK.Add(n.cfg.LeaseTTL)))
		}
		timer.Reset(max(next, time.Millisecond))
	}
}

func isWrongLastSeq(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

// renew renews the lease by compare-and-swap on its revision (so a lease
// the servers ended is not brought back), or takes a new one after a fence.
func (n *Node) renew(ctx context.Context) error {
	n.mu.Lock()
	rev := n.leaseRev
	n.mu.Unlock()
	if rev == 0 {
		rev, err := n.nodes.Create(ctx, n.leaseKey(), n.leaseValue(), jetstream.KeyTTL(n.cfg.LeaseTTL))
		if err != nil {
			return fmt.Errorf("retake lease: %w", err)
		}
		n.mu.Lock()
		n.leaseRev = rev
		n.mu.Unlock()
		return nil
	}
	rev, err := n.renewOnce(ctx, rev)
	if err != nil {
		return err
	}
	n.mu.Lock()
	n.leaseRev = rev
	n.mu.Unlock()
	return nil
}

func (n *Node) renewOnce(ctx context.Context, rev uint64) (uint64, error) {
	ack, err := n.js.Publish(ctx, "$KV.ash_"+n.cfg.Cluster+"_nodes."+n.leaseKey(), n.leaseValue(),
		jetstream.WithMsgTTL(n.cfg.LeaseTTL), jetstream.WithExpectLastSequencePerSubject(rev))
	if err != nil {
		return 0, err
	}
	return ack.Sequence, nil
}

// fence stops the node's cluster-named processes: it could not renew its
// lease, so the survivors will release its names, and its processes must
// not act under them meanwhile.
func (n *Node) fence(why string) {
	n.mu.Lock()
	if n.fenced {
		n.mu.Unlock()
		return
	}
	n.fenced = true
	regs := n.registriesLocked()
	n.mu.Unlock()
	var names []string
	var pids []actor.PID
	for _, r := range regs {
		ns, ps := r.held()
		names = append(names, ns...)
		pids = append(pids, ps...)
	}
	slices.Sort(names)
	n.emit(dist.Event{Kind: dist.Fenced, Names: names, Reason: why})
	for _, pid := range pids {
		n.rt.Exit(actor.PID{}, pid, dist.ErrNoConnection)
	}
	n.nodeGone(0) // cut off from every node
	n.mu.Lock()
	n.members = map[uint16]*member{n.self.Index: n.members[n.self.Index]}
	n.mu.Unlock()
}

// Close leaves the cluster: the node releases its names, ends its lease
// (the others hear it left) and stops its goroutines. The runtime goes on
// as a single node.
func (n *Node) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	regs := n.registriesLocked()
	n.mu.Unlock()
	n.nodeGone(0) // links and monitors across nodes end with the connection
	n.rt.SetRemote(nil)
	n.cancel()
	n.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), n.cfg.ReleaseWait)
	defer cancel()
	for _, r := range regs {
		r.releaseAll(ctx)
	}
	if n.sub != nil {
		_ = n.sub.Unsubscribe()
	}
	n.mu.Lock()
	rev := n.leaseRev
	n.mu.Unlock()
	var err error
	if rev != 0 {
		err = n.nodes.Delete(ctx, n.leaseKey(), jetstream.LastRevision(rev))
	}
	n.nc.Close()
	return err
}

// Kill drops the node's connection without leaving, as a crash would: its
// lease and names stay until the lease expires. For tests and lessons.
func (n *Node) Kill() {
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	n.rt.SetRemote(nil)
	n.cancel()
	n.nc.Close()
	n.wg.Wait()
}
