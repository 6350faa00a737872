package natsdist

import (
	"cmp"
	"slices"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
	"github.com/nats-io/nats.go"
)

// Links and monitors across nodes. The runtime keeps its side of each (a
// link in the local process's set, a monitor in the watcher's); the node
// keeps an index of those that cross to other nodes, so that when a node
// is gone (its lease ended, or it left) every local process linked to one
// of its processes gets an exit signal noconnection and every monitor of
// one of them a DOWN noconnection, as Erlang's distribution does.

type pair struct{ local, remote actor.PID }

type outMonitor struct{ watcher, target actor.PID }

type inKey struct {
	watcher actor.PID // of another node
	ref     string    // the monitor's reference on the watcher's node
}

type inMonitor struct {
	target actor.PID // of this node
	ref    actor.Ref // the monitor's reference here
}

type crossings struct {
	links  map[pair]struct{}
	out    map[actor.Ref]outMonitor
	in     map[inKey]inMonitor
	inByID map[actor.Ref]inKey
}

func newCrossings() crossings {
	return crossings{links: map[pair]struct{}{}, out: map[actor.Ref]outMonitor{}, in: map[inKey]inMonitor{}, inByID: map[actor.Ref]inKey{}}
}

func (n *Node) signal(kind string, from, to actor.PID, data []byte, ref string) bool {
	if _, ok := n.target(to); !ok {
		return false
	}
	m := n.msg(kind, from, to, data)
	if ref != "" {
		m.Header.Set("ref", ref)
	}
	return n.nc.PublishMsg(m) == nil
}

// Link implements [actor.Remote].
func (n *Node) Link(from, to actor.PID) {
	n.mu.Lock()
	n.x.links[pair{from, to}] = struct{}{}
	n.mu.Unlock()
	if !n.signal("link", from, to, nil, "") {
		n.linkGone(pair{from, to}, n.goneReason(to))
	}
}

// Unlink implements [actor.Remote].
func (n *Node) Unlink(from, to actor.PID) {
	n.mu.Lock()
	delete(n.x.links, pair{from, to})
	n.mu.Unlock()
	n.signal("unlink", from, to, nil, "")
}

// LinkExit implements [actor.Remote].
func (n *Node) LinkExit(from, to actor.PID, reason error) {
	n.mu.Lock()
	delete(n.x.links, pair{from, to})
	n.mu.Unlock()
	n.signal("linkexit", from, to, []byte(dist.EncodeReason(reason)), "")
}

// Monitor implements [actor.Remote]. A monitor of a process whose node
// is gone fires at once, with noconnection (noproc for a PID of an
// earlier life of a live node).
func (n *Node) Monitor(watcher, target actor.PID, ref actor.Ref) {
	n.mu.Lock()
	n.x.out[ref] = outMonitor{watcher, target}
	n.mu.Unlock()
	if !n.signal("monitor", watcher, target, nil, ref.String()) {
		n.mu.Lock()
		delete(n.x.out, ref)
		n.mu.Unlock()
		n.rt.Hooks().RemoteDown(watcher, ref, target, n.goneReason(target))
	}
}

// Demonitor implements [actor.Remote].
func (n *Node) Demonitor(watcher, target actor.PID, ref actor.Ref) {
	n.mu.Lock()
	delete(n.x.out, ref)
	n.mu.Unlock()
	n.signal("demonitor", watcher, target, nil, ref.String())
}

// Down implements [actor.Remote]: a process of this node that a process
// of another monitored has exited.
func (n *Node) Down(watcher actor.PID, ref actor.Ref, target actor.PID, reason error) {
	n.mu.Lock()
	k, ok := n.x.inByID[ref]
	delete(n.x.inByID, ref)
	delete(n.x.in, k)
	n.mu.Unlock()
	if ok {
		n.signal("down", target, watcher, []byte(dist.EncodeReason(reason)), k.ref)
	}
}

// goneReason is why a signal to pid's node cannot go: noproc for a PID of
// an earlier life of a live node, noconnection otherwise.
func (n *Node) goneReason(pid actor.PID) error {
	if m, ok := n.member(pid.Node()); ok && m.Creation != pid.Creation() {
		return actor.ErrNoProc
	}
	return dist.ErrNoConnection
}

func (n *Node) linkGone(p pair, reason error) {
	n.mu.Lock()
	delete(n.x.links, p)
	n.mu.Unlock()
	n.rt.Hooks().RemoteLinkExit(p.remote, p.local, reason)
}

// receiveSignal handles link, unlink, linkexit, monitor, demonitor and
// down from another node.
func (n *Node) receiveSignal(kind string, from, to actor.PID, m *nats.Msg) {
	h := n.rt.Hooks()
	ref := m.Header.Get("ref")
	switch kind {
	case "link":
		if err := h.RemoteLink(to, from); err != nil {
			n.signal("linkexit", to, from, []byte("noproc"), "")
			return
		}
		n.mu.Lock()
		n.x.links[pair{to, from}] = struct{}{}
		n.mu.Unlock()
	case "unlink":
		h.RemoteUnlink(to, from)
		n.mu.Lock()
		delete(n.x.links, pair{to, from})
		n.mu.Unlock()
	case "linkexit":
		n.mu.Lock()
		delete(n.x.links, pair{to, from})
		n.mu.Unlock()
		h.RemoteLinkExit(from, to, dist.DecodeReason(string(m.Data)))
	case "monitor":
		local, ok := h.RemoteMonitor(from, to)
		if !ok {
			n.signal("down", to, from, []byte("noproc"), ref)
			return
		}
		n.mu.Lock()
		k := inKey{from, ref}
		n.x.in[k] = inMonitor{to, local}
		n.x.inByID[local] = k
		n.mu.Unlock()
	case "demonitor":
		n.mu.Lock()
		k := inKey{from, ref}
		im, ok := n.x.in[k]
		delete(n.x.in, k)
		delete(n.x.inByID, im.ref)
		n.mu.Unlock()
		if ok {
			h.RemoteDemonitor(im.target, im.ref)
		}
	case "down":
		r, err := actor.ParseRef(ref)
		if err != nil {
			return
		}
		n.mu.Lock()
		_, ok := n.x.out[r]
		delete(n.x.out, r)
		n.mu.Unlock()
		if ok {
			h.RemoteDown(to, r, from, dist.DecodeReason(string(m.Data)))
		}
	}
}

// nodeGone delivers noconnection for every link and monitor that crosses
// to node index (every node, if index is 0: this node is cut off).
func (n *Node) nodeGone(index uint16) {
	on := func(p actor.PID) bool { return index == 0 || p.Node() == index }
	n.mu.Lock()
	var links []pair
	for p := range n.x.links {
		if on(p.remote) {
			links = append(links, p)
			delete(n.x.links, p)
		}
	}
	type down struct {
		ref actor.Ref
		m   outMonitor
	}
	var downs []down
	for ref, m := range n.x.out {
		if on(m.target) {
			downs = append(downs, down{ref, m})
			delete(n.x.out, ref)
		}
	}
	var ins []inMonitor
	for k, im := range n.x.in {
		if on(k.watcher) {
			ins = append(ins, im)
			delete(n.x.in, k)
			delete(n.x.inByID, im.ref)
		}
	}
	n.mu.Unlock()
	h := n.rt.Hooks()
	sortPairs(links)
	for _, p := range links {
		h.RemoteLinkExit(p.remote, p.local, dist.ErrNoConnection)
	}
	for _, d := range downs {
		h.RemoteDown(d.m.watcher, d.ref, d.m.target, dist.ErrNoConnection)
	}
	for _, im := range ins {
		h.RemoteDemonitor(im.target, im.ref)
	}
}

func sortPairs(ps []pair) {
	slices.SortFunc(ps, func(a, b pair) int {
		return cmp.Or(cmp.Compare(a.local.ID(), b.local.ID()), cmp.Compare(a.remote.ID(), b.remote.ID()))
	})
}
