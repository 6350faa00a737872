package natsdist

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// A watch misses deletes made while its connection was down; the periodic
// reconcile drops such entries from the cache (and adds what it missed)
// within one interval.
func TestReconcileMendsTheCache(t *testing.T) {
	n, r := lone(t, Config{LeaseTTL: time.Second, Reconcile: 200 * time.Millisecond})
	// What a missed delete leaves: an entry the bucket no longer has.
	r.mu.Lock()
	r.cache["ghost"] = holder{Node: "b", Index: 2, Serial: 7, rev: 1}
	r.mu.Unlock()
	// And a claim the watch did not bring (written past the watch).
	if _, err := r.kv.Create(t.Context(), key("missed"), mustJSON(holder{Node: "a", Index: n.self.Index, Creation: n.self.Creation, Serial: 9})); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, ghost := r.WhereIs("ghost")
		_, missed := r.WhereIs("missed")
		if !ghost && missed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5s the cache still has ghost=%v, missed=%v", ghost, missed)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Released names leave no tombstones once their markers' TTL has passed.
func TestReleasesLeaveNoTombstones(t *testing.T) {
	n, r := lone(t, Config{MarkerTTL: time.Second})
	rt := n.Runtime()
	count := func() uint64 {
		st, err := r.kv.Status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return st.Values()
	}
	for i := range 50 {
		pid, err := rt.Spawn(t.Context(), &idle{}, actor.SpawnOptions{Name: actor.Via(r, fmt.Sprint("n", i))})
		if err != nil {
			t.Fatal(err)
		}
		if err := rt.Stop(t.Context(), pid, actor.ErrNormal); err != nil {
			t.Fatal(err)
		}
	}
	if c := count(); c != 50 {
		t.Fatalf("%d messages in the bucket after 50 releases; want their 50 markers", c)
	}
	// A name released and claimed again works while its marker is there.
	if _, err := rt.Spawn(t.Context(), &idle{}, actor.SpawnOptions{Name: actor.Via(r, "n0")}); err != nil {
		t.Fatalf("claim over a marker: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for count() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d messages in the bucket 10s after the releases (marker TTL 1s); want the one live claim", count())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, ok := r.WhereIs("n0"); !ok {
		t.Fatal("the live claim is gone from the cache")
	}
}

type idle struct{}

func (idle) Init(*actor.Process) error { return nil }

// lone is node a, alone on a server of its own, with cfg's times, and its
// registry users; all of it ends with the test.
func lone(t *testing.T, cfg Config) (*Node, *Registry) {
	t.Helper()
	s, err := Serve(ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	rt := actor.NewRuntime(actor.Options{})
	t.Cleanup(func() { _ = rt.Shutdown(context.Background()) })
	cfg.Name, cfg.URL, cfg.Runtime, cfg.Memory = "a", s.URL(), rt, true
	n, err := Join(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Close() })
	r, err := n.Registry(t.Context(), "users")
	if err != nil {
		t.Fatal(err)
	}
	return n, r
}
