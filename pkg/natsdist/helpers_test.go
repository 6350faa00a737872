package natsdist_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
	"github.com/actorsh/actorsh/pkg/natsdist"
	"go.uber.org/goleak"
)

// srv is the package's embedded server: 127.0.0.1, a random port, memory.
// Each test is a cluster of its own name on it, so tests share nothing.
var srv *natsdist.Server

func TestMain(m *testing.M) {
	s, err := natsdist.Serve(natsdist.ServerOptions{Port: 0, StoreDir: ""})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv = s
	code := m.Run()
	s.Shutdown()
	if code == 0 {
		if err := goleak.Find(goleak.IgnoreCurrent()); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left:", err)
			code = 1
		}
	}
	os.Exit(code)
}

var clusters atomic.Int64

func newCluster() string { return fmt.Sprintf("t%d", clusters.Add(1)) }

// join starts a node with short leases on a runtime of its own.
func join(t *testing.T, cluster, name, url string) *natsdist.Node {
	t.Helper()
	rt := actor.NewRuntime(actor.Options{})
	n, err := natsdist.Join(t.Context(), natsdist.Config{
		Name: name, Cluster: cluster, URL: url, Runtime: rt, Terms: dist.DefaultTerms,
		LeaseTTL: time.Second, Renew: 300 * time.Millisecond, Reconcile: 500 * time.Millisecond, Memory: true,
	})
	if err != nil {
		t.Fatalf("join %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = n.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = rt.Shutdown(ctx)
	})
	return n
}

// events collects a node's cluster events.
type events struct {
	mu  sync.Mutex
	all []dist.Event
	ch  chan struct{}
}

func record(n *natsdist.Node) *events {
	e := &events{ch: make(chan struct{}, 1)}
	n.Subscribe(func(ev dist.Event) {
		e.mu.Lock()
		e.all = append(e.all, ev)
		e.mu.Unlock()
		select {
		case e.ch <- struct{}{}:
		default:
		}
	})
	return e
}

// wait waits up to d for an event f accepts.
func (e *events) wait(t *testing.T, d time.Duration, what string, f func(dist.Event) bool) dist.Event {
	t.Helper()
	deadline := time.After(d)
	for {
		e.mu.Lock()
		for _, ev := range e.all {
			if f(ev) {
				e.mu.Unlock()
				return ev
			}
		}
		e.mu.Unlock()
		select {
		case <-e.ch:
		case <-deadline:
			e.mu.Lock()
			defer e.mu.Unlock()
			t.Fatalf("no %s within %v; events: %v", what, d, e.all)
		}
	}
}

// eventually polls f every 10 ms for up to d.
func eventually(t *testing.T, d time.Duration, what string, f func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !f() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// box is a process that keeps what it is sent and answers calls.
type box struct {
	mu   sync.Mutex
	got  []any
	trap bool
}

func (b *box) Init(p *actor.Process) error {
	if b.trap {
		p.TrapExit(true)
	}
	return nil
}

func (b *box) keep(v any) {
	b.mu.Lock()
	b.got = append(b.got, v)
	b.mu.Unlock()
}

func (b *box) HandleCall(p *actor.Process, from actor.From, req any) (any, error) {
	switch req {
	case atom("crash"):
		return nil, actor.Reason("boom")
	case atom("self"):
		return p.Self(), nil
	case atom("ref"):
		return actor.Ref{}, nil
	}
	return tuple{atom("ok"), req}, nil
}
func (b *box) HandleCast(p *actor.Process, msg any) error {
	b.keep(tuple{atom("cast"), msg})
	return nil
}
func (b *box) HandleInfo(p *actor.Process, msg any) error { b.keep(msg); return nil }

func (b *box) messages() []any {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]any(nil), b.got...)
}

func spawn(t *testing.T, n *natsdist.Node, b *box, name actor.Name) actor.PID {
	t.Helper()
	pid, err := n.Runtime().Spawn(t.Context(), b, actor.SpawnOptions{Name: name})
	if err != nil {
		t.Fatalf("spawn on %s: %v", n.Self().Name, err)
	}
	return pid
}

type (
	atom  = dist.Atom
	tuple = dist.Tuple
)

// newProxy is a cable to the package's server, closed with the test.
func newProxy(t *testing.T, target string) *natsdist.Cable {
	t.Helper()
	c, err := natsdist.NewCable(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
