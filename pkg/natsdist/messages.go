package natsdist

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
	"github.com/nats-io/nats.go"
)

// Messages between nodes go on one core NATS subject per node,
// ash.<cluster>.n.<index>, with the target process in a header: a node has
// one subscription however many processes it runs. Core NATS delivers at
// most once and in order from one connection to one subscription, which
// is Erlang's guarantee between two processes. Headers:
//
//	k     cast, info, exit or call
//	to    the target's number on its node; tc the creation it is from
//	from  the sender's PID as other nodes know it
//	t     a call's time left, in milliseconds
//
// The body is the term (for exit, the reason's text), in the [dist.Codec]
// encoding. A call's reply has the answer in its body, or a header e with
// the reason it failed (noproc, timeout, an exit reason).

func (n *Node) subject(index uint16) string {
	return "ash." + n.cfg.Cluster + ".n." + strconv.Itoa(int(index))
}

// target returns the live node a remote PID belongs to.
func (n *Node) target(to actor.PID) (*member, bool) {
	m, ok := n.member(to.Node())
	if !ok || m.Creation != to.Creation() || m.Index == n.self.Index && m.Creation == n.self.Creation {
		return nil, false
	}
	return m, true
}

func (n *Node) msg(kind string, from, to actor.PID, data []byte) *nats.Msg {
	m := nats.NewMsg(n.subject(to.Node()))
	m.Header.Set("k", kind)
	m.Header.Set("to", strconv.FormatUint(to.Serial(), 10))
	m.Header.Set("tc", strconv.Itoa(int(to.Creation())))
	m.Header.Set("from", n.codec.WirePID(from).String())
	m.Data = data
	return m
}

// Check reports whether v can be sent to another node, and if not why.
func (n *Node) Check(v any) error {
	_, err := n.codec.Encode(v)
	return err
}

// Deliver implements [actor.Remote]: a cast or message to a process of
// another node. A message to a node that is gone, or to a PID from an
// earlier life of its node, is dropped (false), as Erlang drops it.
func (n *Node) Deliver(from, to actor.PID, msg any, cast bool) bool {
	m, ok := n.target(to)
	if !ok {
		return false
	}
	data, err := n.codec.Encode(msg)
	if err != nil {
		// A process's send has no error to return: the refusal is an
		// event, so that it is not lost silently.
		n.emit(dist.Event{Kind: dist.SendRefused, Holder: from, Other: m.Name, Name: to.String(), Reason: err.Error()})
		return false
	}
	kind := "info"
	if cast {
		kind = "cast"
	}
	return n.nc.PublishMsg(n.msg(kind, from, to, data)) == nil
}

// Exit implements [actor.Remote]: an exit signal to a process of another
// node.
func (n *Node) Exit(from, to actor.PID, reason error) bool {
	if _, ok := n.target(to); !ok {
		return false
	}
	return n.nc.PublishMsg(n.msg("exit", from, to, []byte(dist.EncodeReason(reason)))) == nil
}

// Call implements [actor.Remote]: a request to the target's node, which
// makes the call there. A node that is gone fails at once with
// {nodedown, Name}.
func (n *Node) Call(ctx context.Context, from, to actor.PID, req any) (any, error) {
	m, ok := n.target(to)
	if !ok {
		if m, known := n.member(to.Node()); known && m.Creation != to.Creation() {
			return nil, actor.ErrNoProc // a PID from an earlier life of a live node
		}
		return nil, &dist.NodeDownError{Node: n.nodeName(to.Node())}
	}
	data, err := n.codec.Encode(req)
	if err != nil {
		return nil, err
	}
	msg := n.msg("call", from, to, data)
	if dl, ok := ctx.Deadline(); ok {
		msg.Header.Set("t", strconv.FormatInt(time.Until(dl).Milliseconds(), 10))
	}
	reply, err := n.nc.RequestMsgWithContext(ctx, msg)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return nil, &dist.NodeDownError{Node: m.Name}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		return nil, actor.ErrTimeout
	case err != nil:
		return nil, err
	}
	if e := reply.Header.Get("e"); e != "" {
		if reply.Header.Get("exited") != "" {
			return nil, &actor.ExitError{PID: to, Reason: dist.DecodeReason(e)}
		}
		return nil, dist.DecodeReason(e)
	}
	return n.codec.Decode(reply.Data)
}

// nodeName is the name of the node with index i, as far as this node
// knows, or its index.
func (n *Node) nodeName(i uint16) string {
	n.mu.Lock()
	name, ok := n.names[i]
	n.mu.Unlock()
	if ok {
		return name
	}
	ctx, cancel := context.WithTimeout(n.ctx, time.Second)
	defer cancel()
	if e, err := n.nodes.Get(ctx, "index."+strconv.Itoa(int(i))); err == nil {
		n.mu.Lock()
		n.names[i] = string(e.Value())
		n.mu.Unlock()
		return string(e.Value())
	}
	return "node " + strconv.Itoa(int(i))
}

// receive handles what other nodes send this one. It runs on the
// subscription's one goroutine, in arrival order, and never blocks: calls
// are put in their process's mailbox here (so they keep their place among
// the sender's casts) and waited for on a goroutine of the node's.
func (n *Node) receive(m *nats.Msg) {
	serial, err := strconv.ParseUint(m.Header.Get("to"), 10, 64)
	creation, cerr := strconv.Atoi(m.Header.Get("tc"))
	kind := m.Header.Get("k")
	from, ferr := actor.ParsePID(m.Header.Get("from"))
	if ferr != nil {
		from = actor.PID{}
	}
	from = n.codec.LocalPID(from)
	if err != nil || cerr != nil || serial == 0 || serial > 1<<40-1 || creation < 0 || creation > 255 {
		n.replyErr(m, kind, actor.ErrNoProc)
		return
	}
	if creation != int(n.self.Creation) {
		// A PID of this node's earlier life: no such process. A link or a
		// monitor hears so, as a call does.
		gone := actor.RemotePID(n.self.Index, serial, uint8(creation))
		switch kind {
		case "link":
			n.signal("linkexit", gone, from, []byte("noproc"), "")
		case "monitor":
			n.signal("down", gone, from, []byte("noproc"), m.Header.Get("ref"))
		default:
			n.replyErr(m, kind, actor.ErrNoProc)
		}
		return
	}
	to := actor.Local(serial)
	switch kind {
	case "link", "unlink", "linkexit", "monitor", "demonitor", "down":
		n.receiveSignal(kind, from, to, m)
	case "exit":
		n.rt.Exit(from, to, dist.DecodeReason(string(m.Data)))
	case "cast", "info":
		v, err := n.codec.Decode(m.Data)
		if err != nil {
			return
		}
		if kind == "cast" {
			n.rt.Cast(to, v)
		} else {
			n.rt.Send(to, v)
		}
	case "call":
		v, err := n.codec.Decode(m.Data)
		if err != nil {
			n.replyErr(m, kind, err)
			return
		}
		req, err := n.rt.SendRequest(to, v)
		if err != nil {
			n.replyErr(m, kind, actor.ErrNoProc)
			return
		}
		wait := actor.DefaultCallTimeout
		if ms, err := strconv.ParseInt(m.Header.Get("t"), 10, 64); err == nil && ms > 0 {
			wait = time.Duration(ms) * time.Millisecond
		}
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			ctx, cancel := context.WithTimeout(n.ctx, wait)
			defer cancel()
			v, err := req.Wait(ctx)
			if err != nil {
				var ce *actor.CallError
				var ee *actor.ExitError
				switch {
				case errors.As(err, &ee):
					n.reply(m, ee.Reason, true)
					return
				case errors.As(err, &ce):
					err = ce.Err
				}
				n.replyErr(m, kind, err)
				return
			}
			data, err := n.codec.Encode(v)
			if err != nil {
				n.replyErr(m, kind, actor.Reason(err.Error()))
				return
			}
			_ = m.Respond(data)
		}()
	}
}

func (n *Node) replyErr(m *nats.Msg, kind string, reason error) {
	if kind == "call" {
		n.reply(m, reason, false)
	}
}

// reply answers a call with the reason it failed; exited says the callee
// exited before it replied.
func (n *Node) reply(m *nats.Msg, reason error, exited bool) {
	if m.Reply == "" {
		return
	}
	r := nats.NewMsg(m.Reply)
	r.Header.Set("e", dist.EncodeReason(reason))
	if exited {
		r.Header.Set("exited", "1")
	}
	_ = m.RespondMsg(r)
}
