package natsdist

import (
	"context"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// A watch misses deletes made while its connection was down; the periodic
// reconcile drops such entries from the cache (and adds what it missed)
// within one interval.
func TestReconcileMendsTheCache(t *testing.T) {
	s, err := Serve(ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(context.Background())
	n, err := Join(t.Context(), Config{Name: "a", URL: s.URL(), Runtime: rt, LeaseTTL: time.Second, Reconcile: 200 * time.Millisecond, Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	r, err := n.Registry(t.Context(), "users")
	if err != nil {
		t.Fatal(err)
	}
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
