package natsdist

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
	"github.com/nats-io/nats.go/jetstream"
)

// MaxNameBytes is the longest name a cluster registry takes.
const MaxNameBytes = 1024

// Registry is a cluster registry: unique names shared by every node that
// opens a registry of the same name. It is an [actor.Namer], so a via name
// in it names a process at spawn, and an [actor.Cleaner]: a holder's exit
// releases its name before the exit is announced (within ReleaseWait).
type Registry struct {
	n      *Node
	name   string
	bucket string
	kv     jetstream.KeyValue

	mu      sync.Mutex
	cache   map[string]holder    // every name, as watched
	mine    map[string]claim     // the names this node's processes hold
	refused map[string]actor.PID // the holder a claim was last refused for, told once
	pending map[string]claim     // releases not yet confirmed
}

// holder is a registry entry: who holds a name. It is also the value
// stored under the name's key.
type holder struct {
	Node     string `json:"node"`
	Index    uint16 `json:"index"`
	Creation uint8  `json:"creation"`
	Serial   uint64 `json:"pid"`
	rev      uint64
}

type claim struct {
	pid actor.PID
	rev uint64
}

// valid reports whether an entry read from the bucket names a process.
func (h holder) valid() bool {
	return h.Node != "" && h.Index != 0 && h.Serial != 0 && h.Serial < 1<<40
}

// wire is the holder's PID as other nodes know it.
func (h holder) wire() actor.PID { return actor.RemotePID(h.Index, h.Serial, h.Creation) }

func key(name string) string { return "k" + enc(name) }

func unkey(k string) (string, bool) {
	if len(k) == 0 || k[0] != 'k' {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(k[1:])
	return string(b), err == nil
}

// Registry opens the cluster registry name, creating its bucket if no
// node has; it returns the one already open if called again.
func (n *Node) Registry(ctx context.Context, name string) (*Registry, error) {
	if name == "" || len(name) > 64 {
		return nil, errors.New("a cluster registry needs a name of 1 to 64 bytes")
	}
	n.mu.Lock()
	if r, ok := n.regs[name]; ok {
		n.mu.Unlock()
		return r, nil
	}
	n.mu.Unlock()
	bucket := "ash_" + n.cfg.Cluster + "_reg_" + enc(name)
	kv, err := n.bucket(ctx, bucket, true)
	if err != nil {
		return nil, err
	}
	r := &Registry{n: n, name: name, bucket: bucket, kv: kv, cache: map[string]holder{}, mine: map[string]claim{}, pending: map[string]claim{}, refused: map[string]actor.PID{}}
	if err := r.reconcile(ctx); err != nil {
		return nil, err
	}
	n.mu.Lock()
	if old, ok := n.regs[name]; ok {
		n.mu.Unlock()
		return old, nil
	}
	n.regs[name] = r
	n.mu.Unlock()
	if err := r.watch(); err != nil {
		return nil, err
	}
	n.wg.Add(1)
	go r.reconcileLoop()
	return r, nil
}

// Name is the registry's name.
func (r *Registry) Name() string { return r.name }

// TakenError is a claim of a name another process holds.
type TakenError struct {
	Registry string
	Name     string
	PID      actor.PID
	Node     string
}

func (e *TakenError) Error() string {
	return fmt.Sprintf("%q in %s is held by %v on node %s", e.Name, e.Registry, e.PID, e.Node)
}

// Holder is the process that has the name, so that Spawn reports it in
// its already_started.
func (e *TakenError) Holder() actor.PID { return e.PID }

// Is matches actor.ErrAlreadyStarted.
func (e *TakenError) Is(target error) bool { return target == actor.ErrAlreadyStarted }

// ErrFenced is the error of a claim made while the node cannot renew its
// lease.
var ErrFenced = errors.New("this node is cut off from the cluster (its lease lapsed): no claims until it renews")

// RegisterName claims name for pid, one of this node's processes: a
// JetStream KV create, so of two claims of one name across the cluster
// exactly one succeeds. A taken name is a *TakenError naming the holder.
func (r *Registry) RegisterName(name string, pid actor.PID) error {
	if len(name) > MaxNameBytes {
		return fmt.Errorf("a cluster name is at most %d bytes (this one is %d)", MaxNameBytes, len(name))
	}
	if pid.IsRemote() || pid.IsZero() {
		return fmt.Errorf("only a process of this node can claim a name here (%v is not)", pid)
	}
	if !r.n.waitUnfenced(r.n.cfg.ReleaseWait) {
		return ErrFenced
	}
	h := holder{Node: r.n.self.Name, Index: r.n.self.Index, Creation: r.n.self.Creation, Serial: pid.Serial()}
	ctx, cancel := context.WithTimeout(r.n.ctx, r.n.cfg.ReleaseWait)
	defer cancel()
	var rev uint64
	var err error
	reaped := false
	for attempt := 0; attempt < 5; attempt++ {
		rev, err = r.kv.Create(ctx, key(name), mustJSON(h))
		// A create over a released name is a compare-and-swap on the
		// release's revision: losing it to another claim is "taken" too.
		if !errors.Is(err, jetstream.ErrKeyExists) && !isWrongLastSeq(err) {
			break
		}
		old, gerr := r.get(ctx, name)
		if gerr != nil {
			err = gerr
			break
		}
		if old.Node == "" {
			continue // released meanwhile
		}
		// A holder of a node whose lease is gone is released first (the
		// reaper may not have come to it yet), then the claim is made again.
		if !reaped && !r.n.leaseLive(ctx, old) {
			reaped = true
			if r.del(ctx, name, old.rev) == nil {
				r.n.emit(dist.Event{Kind: dist.NamesReleased, Other: old.Node, Registry: r.name, Names: []string{name}, Reason: "its node's lease expired"})
			}
			continue
		}
		holderPID := r.n.codec.LocalPID(old.wire())
		// Told once per holder: a supervisor retrying a restart would
		// otherwise repeat it a hundred times.
		r.mu.Lock()
		told := r.refused[name] == holderPID
		r.refused[name] = holderPID
		r.mu.Unlock()
		if !told {
			r.n.emit(dist.Event{Kind: dist.ClaimRefused, Registry: r.name, Name: name, Holder: holderPID, Other: old.Node})
		}
		return &TakenError{Registry: r.name, Name: name, PID: holderPID, Node: old.Node}
	}
	if err != nil {
		r.n.emit(dist.Event{Kind: dist.ClaimRefused, Registry: r.name, Name: name, Reason: err.Error()})
		return fmt.Errorf("claim %q in %s: the cluster did not confirm it: %w", name, r.name, err)
	}
	h.rev = rev
	attachErr := r.n.rt.Hooks().Attach(pid, r, name, func() error {
		r.mu.Lock()
		delete(r.refused, name)
		r.mine[name] = claim{pid: pid, rev: rev}
		r.cache[name] = h
		r.mu.Unlock()
		return nil
	})
	if attachErr != nil {
		_ = r.del(ctx, name, rev)
		return attachErr
	}
	return nil
}

// del releases name by compare-and-swap on rev: a purge whose marker
// tells the watchers at once and is gone after MarkerTTL, so that a
// bucket of short-lived names does not grow with tombstones.
func (r *Registry) del(ctx context.Context, name string, rev uint64) error {
	return r.kv.Purge(ctx, key(name), jetstream.LastRevision(rev), jetstream.PurgeTTL(r.n.cfg.MarkerTTL))
}

// leaseLive reports whether the node of h is alive in the life h is from,
// reading its lease key (not the member list, which may lag).
func (n *Node) leaseLive(ctx context.Context, h holder) bool {
	e, err := n.nodes.Get(ctx, "lease."+enc(h.Node))
	if err != nil {
		return !errors.Is(err, jetstream.ErrKeyNotFound) && !errors.Is(err, jetstream.ErrKeyDeleted) // unknown: assume alive
	}
	var l lease
	if json.Unmarshal(e.Value(), &l) != nil {
		return true
	}
	return l.Creation == h.Creation
}

// UnregisterName releases name if pid holds it.
func (r *Registry) UnregisterName(name string, pid actor.PID) {
	r.n.rt.Hooks().Detach(pid, r, name, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		c, ok := r.mine[name]
		return ok && c.pid == pid
	})
	r.release(name, pid)
}

// ProcessExited releases the name of a process that exited, before its
// exit is announced.
func (r *Registry) ProcessExited(pid actor.PID, name string) { r.release(name, pid) }

// release deletes name by compare-and-swap on its claim's revision, so a
// release never removes someone else's later claim. If the cluster does
// not confirm within ReleaseWait the release is pending: retried by the
// reconciler, and done by the survivors when this node's lease ends.
func (r *Registry) release(name string, pid actor.PID) {
	r.mu.Lock()
	c, ok := r.mine[name]
	if !ok || c.pid != pid {
		r.mu.Unlock()
		return
	}
	delete(r.mine, name)
	if h, ok := r.cache[name]; ok && h.rev == c.rev {
		delete(r.cache, name)
	}
	r.mu.Unlock()
	if r.n.Fenced() {
		r.pend(name, c, "this node is cut off; the survivors release it when its lease ends")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.n.cfg.ReleaseWait)
	defer cancel()
	err := r.del(ctx, name, c.rev)
	if err != nil && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) && !isWrongLastSeq(err) {
		r.pend(name, c, err.Error())
	}
}

func (r *Registry) pend(name string, c claim, why string) {
	r.mu.Lock()
	r.pending[name] = c
	r.mu.Unlock()
	r.n.emit(dist.Event{Kind: dist.ReleasePending, Registry: r.name, Name: name, Reason: why})
}

// releaseAll releases every name this node holds, as it leaves.
func (r *Registry) releaseAll(ctx context.Context) {
	r.mu.Lock()
	all := make(map[string]claim, len(r.mine)+len(r.pending))
	for k, c := range r.pending {
		all[k] = c
	}
	for k, c := range r.mine {
		all[k] = c
	}
	r.mine, r.pending = map[string]claim{}, map[string]claim{}
	r.mu.Unlock()
	var names []string
	for name, c := range all {
		if r.del(ctx, name, c.rev) == nil {
			names = append(names, name)
		}
	}
	if len(names) > 0 {
		slices.Sort(names)
		r.n.emit(dist.Event{Kind: dist.NamesReleased, Other: r.n.self.Name, Registry: r.name, Names: names, Reason: "its node left"})
	}
}

// held lists the names this node's processes hold, and the processes.
func (r *Registry) held() ([]string, []actor.PID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.mine))
	var pids []actor.PID
	seen := map[actor.PID]bool{}
	for name, c := range r.mine {
		names = append(names, r.name+":"+name)
		if !seen[c.pid] {
			seen[c.pid] = true
			pids = append(pids, c.pid)
		}
	}
	slices.SortFunc(pids, func(a, b actor.PID) int { return cmp.Compare(a.Serial(), b.Serial()) })
	return names, pids
}

// WhereIs looks name up in the node's cache of the registry: what the
// watch has brought, which may lag a claim or release on another node by
// the watch's latency, or by a reconcile interval after a reconnect.
func (r *Registry) WhereIs(name string) (actor.PID, bool) {
	r.mu.Lock()
	h, ok := r.cache[name]
	r.mu.Unlock()
	if !ok {
		return actor.PID{}, false
	}
	return r.n.codec.LocalPID(h.wire()), true
}

// Lookup is WhereIs with its node's name; strong reads through to the
// bucket's stream leader instead of the cache (linearizable with claims).
func (r *Registry) Lookup(ctx context.Context, name string, strong bool) (actor.PID, string, bool, error) {
	if !strong {
		r.mu.Lock()
		h, ok := r.cache[name]
		r.mu.Unlock()
		if !ok {
			return actor.PID{}, "", false, nil
		}
		return r.n.codec.LocalPID(h.wire()), h.Node, true, nil
	}
	h, err := r.get(ctx, name)
	if err != nil {
		return actor.PID{}, "", false, err
	}
	if h.Node == "" {
		return actor.PID{}, "", false, nil
	}
	return r.n.codec.LocalPID(h.wire()), h.Node, true, nil
}

// get reads name's entry from the stream's leader: a direct get may be
// answered by a follower, so this is the raw API's last-by-subject
// request. A zero holder if there is none.
func (r *Registry) get(ctx context.Context, name string) (holder, error) {
	req := mustJSON(map[string]string{"last_by_subj": "$KV." + r.bucket + "." + key(name)})
	msg, err := r.n.nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET.KV_"+r.bucket, req)
	if err != nil {
		return holder{}, err
	}
	var resp struct {
		Message *struct {
			Seq  uint64 `json:"seq"`
			Hdrs []byte `json:"hdrs"`
			Data []byte `json:"data"`
		} `json:"message"`
		Error *struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return holder{}, err
	}
	if resp.Error != nil {
		if resp.Error.Code == 404 {
			return holder{}, nil
		}
		return holder{}, errors.New(resp.Error.Description)
	}
	if resp.Message == nil || len(resp.Message.Data) == 0 || deleted(resp.Message.Hdrs) {
		return holder{}, nil
	}
	var h holder
	if err := json.Unmarshal(resp.Message.Data, &h); err != nil || !h.valid() {
		return holder{}, fmt.Errorf("entry for %q is damaged: %s", name, resp.Message.Data)
	}
	h.rev = resp.Message.Seq
	return h, nil
}

// deleted reports whether a stored message's headers mark a delete, a
// purge or an expiry.
func deleted(hdrs []byte) bool {
	s := string(hdrs)
	for _, mark := range []string{"KV-Operation: DEL", "KV-Operation: PURGE", "Nats-Marker-Reason"} {
		if strings.Contains(s, mark) {
			return true
		}
	}
	return false
}

// Names lists the registry's names from the cache, sorted, with holders.
func (r *Registry) Names() []Entry {
	r.mu.Lock()
	out := make([]Entry, 0, len(r.cache))
	for name, h := range r.cache {
		out = append(out, Entry{Name: name, PID: r.n.codec.LocalPID(h.wire()), Node: h.Node})
	}
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Entry is a name and its holder.
type Entry struct {
	Name string    `json:"name"`
	PID  actor.PID `json:"pid"`
	Node string    `json:"node"`
}

func (r *Registry) apply(e jetstream.KeyValueEntry) {
	name, ok := unkey(e.Key())
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.cache[name]; ok && old.rev > e.Revision() {
		return
	}
	switch e.Operation() {
	case jetstream.KeyValuePut:
		var h holder
		if json.Unmarshal(e.Value(), &h) != nil || !h.valid() {
			return
		}
		h.rev = e.Revision()
		r.cache[name] = h
	default:
		delete(r.cache, name)
	}
}

// watch keeps the cache from the bucket's updates.
func (r *Registry) watch() error {
	w, err := r.kv.WatchAll(r.n.ctx, jetstream.UpdatesOnly())
	if err != nil {
		return err
	}
	r.n.wg.Add(1)
	go func() {
		defer r.n.wg.Done()
		defer func() { _ = w.Stop() }()
		for {
			select {
			case <-r.n.ctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e != nil {
					r.apply(e)
				}
			}
		}
	}()
	return nil
}

// reconcile reads the whole bucket and makes the cache agree with it: a
// watch misses deletes made while its connection was down. Entries newer
// than the read are kept. Holders whose node's lease is gone are reaped.
func (r *Registry) reconcile(ctx context.Context) error {
	st, err := r.kv.Status(ctx)
	if err != nil {
		return err
	}
	var last uint64
	if s, ok := st.(*jetstream.KeyValueBucketStatus); ok {
		last = s.StreamInfo().State.LastSeq
	}
	w, err := r.kv.WatchAll(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	snap := map[string]holder{}
	for {
		var e jetstream.KeyValueEntry
		select {
		case e = <-w.Updates():
		case <-ctx.Done():
			return ctx.Err()
		}
		if e == nil {
			break
		}
		name, ok := unkey(e.Key())
		if !ok || e.Operation() != jetstream.KeyValuePut {
			continue
		}
		var h holder
		if json.Unmarshal(e.Value(), &h) != nil || !h.valid() {
			continue
		}
		h.rev = e.Revision()
		snap[name] = h
	}
	r.mu.Lock()
	for name, h := range r.cache {
		if _, ok := snap[name]; !ok && h.rev <= last {
			delete(r.cache, name)
		}
	}
	for name, h := range snap {
		if old, ok := r.cache[name]; !ok || old.rev <= h.rev {
			r.cache[name] = h
		}
	}
	pending := make(map[string]claim, len(r.pending))
	for k, c := range r.pending {
		pending[k] = c
	}
	r.mu.Unlock()
	// Releases that did not go through before.
	if !r.n.Fenced() {
		for name, c := range pending {
			err := r.del(ctx, name, c.rev)
			if err == nil || errors.Is(err, jetstream.ErrKeyRevisionMismatch) || isWrongLastSeq(err) {
				r.mu.Lock()
				if p, ok := r.pending[name]; ok && p.rev == c.rev {
					delete(r.pending, name)
				}
				r.mu.Unlock()
			}
		}
	}
	r.reapDead(ctx, snap)
	return nil
}

// reapDead releases the names of nodes whose lease is gone, found in a
// reconcile: the survivors' watch may have missed the lease's end.
func (r *Registry) reapDead(ctx context.Context, snap map[string]holder) {
	type life struct {
		name     string
		creation uint8
	}
	live := map[life]bool{}
	byNode := map[life][]string{}
	for name, h := range snap {
		l := life{h.Node, h.Creation}
		if h.Node == r.n.self.Name && h.Creation == r.n.self.Creation {
			continue
		}
		if _, ok := live[l]; !ok {
			live[l] = r.n.leaseLive(ctx, h)
		}
		if !live[l] {
			byNode[l] = append(byNode[l], name)
		}
	}
	lives := make([]life, 0, len(byNode))
	for l := range byNode {
		lives = append(lives, l)
	}
	slices.SortFunc(lives, func(a, b life) int {
		return cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(a.creation, b.creation))
	})
	for _, l := range lives {
		r.releaseOf(ctx, byNode[l], snap, l.name, "its node's lease is gone")
	}
}

// reap releases, by compare-and-swap, the names node held: its lease
// expired. Any survivor may do it; each name is released once.
func (r *Registry) reap(node dist.Node, why string) {
	ctx, cancel := context.WithTimeout(r.n.ctx, r.n.cfg.LeaseTTL)
	defer cancel()
	r.mu.Lock()
	var names []string
	snap := map[string]holder{}
	for name, h := range r.cache {
		if h.Node == node.Name && h.Creation == node.Creation {
			names = append(names, name)
			snap[name] = h
		}
	}
	r.mu.Unlock()
	r.releaseOf(ctx, names, snap, node.Name, why)
}

func (r *Registry) releaseOf(ctx context.Context, names []string, snap map[string]holder, node, why string) {
	slices.Sort(names)
	var done []string
	for _, name := range names {
		if err := r.del(ctx, name, snap[name].rev); err == nil {
			done = append(done, name)
		}
	}
	if len(done) > 0 {
		r.n.emit(dist.Event{Kind: dist.NamesReleased, Other: node, Registry: r.name, Names: done, Reason: why})
	}
}

func (r *Registry) reconcileLoop() {
	defer r.n.wg.Done()
	t := time.NewTicker(r.n.cfg.Reconcile)
	defer t.Stop()
	for {
		select {
		case <-r.n.ctx.Done():
			return
		case <-t.C:
		case <-r.n.reconnected():
		}
		ctx, cancel := context.WithTimeout(r.n.ctx, r.n.cfg.Reconcile)
		_ = r.reconcile(ctx)
		cancel()
	}
}
