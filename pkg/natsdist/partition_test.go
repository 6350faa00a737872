package natsdist_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
)

// A holder cut off from the cluster stops its named processes before its
// lease can end, the others release its names and may take them, and
// when it is back it does not take them again.
func TestPartitionedHolderFences(t *testing.T) {
	c := newCluster()
	p := newProxy(t, srv.Addr().String())
	a, b := join(t, c, "a", srv.URL()), join(t, c, "b", p.URL())
	ra, rb := registry(t, a, "users"), registry(t, b, "users")
	ea, eb := record(a), record(b)
	x := spawn(t, b, &box{}, actor.Via(rb, "x"))
	exited, _ := b.Runtime().Watch(x)
	eventually(t, 5*time.Second, "a sees x", func() bool { _, ok := ra.WhereIs("x"); return ok })

	cut := time.Now()
	p.Cut()
	fence := eb.wait(t, 5*time.Second, "fenced", func(e dist.Event) bool { return e.Kind == dist.Fenced })
	fencedAfter := time.Since(cut)
	if !slices.Equal(fence.Names, []string{"users:x"}) {
		t.Fatalf("fence event = %+v", fence)
	}
	select {
	case reason := <-exited:
		if !errors.Is(reason, dist.ErrNoConnection) {
			t.Fatalf("x exited with %v; want noconnection", reason)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("x did not stop when b was fenced")
	}
	// The claim of a node that is cut off is refused at once.
	if _, err := b.Runtime().Spawn(t.Context(), &box{}, actor.SpawnOptions{Name: actor.Via(rb, "z")}); err == nil {
		t.Fatal("a fenced node claimed a name")
	}
	rel := ea.wait(t, 10*time.Second, "names_released", func(e dist.Event) bool { return e.Kind == dist.NamesReleased && e.Other == "b" })
	releasedAfter := time.Since(cut)
	if !slices.Equal(rel.Names, []string{"x"}) {
		t.Fatalf("release event = %+v", rel)
	}
	// The fence came before the servers ended the lease, and within the
	// lease time plus one renewal of the cut (with a second for a loaded
	// machine's scheduling: the bound is a promise of docs/CLUSTER.md).
	if fencedAfter > releasedAfter {
		t.Fatalf("b fenced after %v, but its names were released after %v", fencedAfter, releasedAfter)
	}
	if bound := time.Second + 300*time.Millisecond + time.Second; fencedAfter > bound {
		t.Fatalf("b fenced %v after the cut; the promise is lease (1s) + one renewal (300ms)", fencedAfter)
	}
	t.Logf("cut at 0: b fenced at %v, a released b's names at %v (lease 1s, renew 300ms)", fencedAfter, releasedAfter)
	ax := spawn(t, a, &box{}, actor.Via(ra, "x"))

	p.Mend()
	eb.wait(t, 10*time.Second, "rejoined", func(e dist.Event) bool { return e.Kind == dist.Rejoined })
	// Back: b does not hold x, and a claim of it names a's holder.
	_, err := b.Runtime().Spawn(t.Context(), &box{}, actor.SpawnOptions{Name: actor.Via(rb, "x")})
	var as *actor.AlreadyStartedError
	if !errors.As(err, &as) || as.PID != b.Codec().LocalPID(a.Codec().WirePID(ax)) {
		t.Fatalf("b's claim of x after the heal = %v", err)
	}
	eventually(t, 5*time.Second, "a sees b again", func() bool { return len(a.Members()) == 2 })
	// And b's cache converges on a's x.
	eventually(t, 5*time.Second, "b's cache has a's x", func() bool { p, ok := rb.WhereIs("x"); return ok && p.IsRemote() })
	spawn(t, b, &box{}, actor.Via(rb, "z"))
}
