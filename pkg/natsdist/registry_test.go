package natsdist_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
	"github.com/actorsh/actorsh/pkg/natsdist"
)

func registry(t *testing.T, n *natsdist.Node, name string) *natsdist.Registry {
	t.Helper()
	r, err := n.Registry(t.Context(), name)
	if err != nil {
		t.Fatalf("registry %s on %s: %v", name, n.Self().Name, err)
	}
	return r
}

func TestClaims(t *testing.T) {
	c := newCluster()
	a, b := join(t, c, "a", srv.URL()), join(t, c, "b", srv.URL())
	ra, rb := registry(t, a, "users"), registry(t, b, "users")
	eb := record(b)
	alice := spawn(t, a, &box{}, actor.Via(ra, "alice"))
	// b cannot take the name: already_started, naming a's process as b
	// knows it, and saying so in an event.
	_, err := b.Runtime().Spawn(t.Context(), &box{}, actor.SpawnOptions{Name: actor.Via(rb, "alice")})
	var as *actor.AlreadyStartedError
	remote := b.Codec().LocalPID(a.Codec().WirePID(alice))
	if !errors.As(err, &as) || as.PID != remote || !remote.IsRemote() {
		t.Fatalf("second claim = %v; want already_started %v", err, remote)
	}
	ev := eb.wait(t, time.Second, "claim_refused", func(e dist.Event) bool { return e.Kind == dist.ClaimRefused })
	if ev.Name != "alice" || ev.Holder != remote || ev.Other != "a" || !strings.Contains(ev.String(), "held by "+remote.String()+" on node a") {
		t.Fatalf("refusal event = %+v (%s)", ev, ev)
	}
	// Lookups on b converge; a strong lookup reads through at once.
	took := eventually(t, 5*time.Second, "b's cache has alice", func() bool { p, ok := rb.WhereIs("alice"); return ok && p == remote })
	t.Logf("b's cache had alice %v after the claim was refused", took)
	if p, node, ok, err := rb.Lookup(t.Context(), "alice", true); err != nil || !ok || p != remote || node != "a" {
		t.Fatalf("strong lookup = %v %s %v %v", p, node, ok, err)
	}
	// A message through the name reaches alice.
	if v, err := b.Runtime().CallName(t.Context(), actor.Via(rb, "alice"), atom("self")); err != nil || v != remote {
		t.Fatalf("call via the cluster name = %v, %v", v, err)
	}
	// alice exits: her name is released before her exit is announced, so
	// b may claim it at once when it hears of the exit.
	if err := a.Runtime().Stop(t.Context(), alice, actor.ErrNormal); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := rb.Lookup(t.Context(), "alice", true); ok {
		t.Fatal("alice's name outlived her")
	}
	bob := spawn(t, b, &box{}, actor.Via(rb, "alice"))
	eventually(t, 5*time.Second, "a sees b's alice", func() bool {
		p, ok := ra.WhereIs("alice")
		return ok && p == a.Codec().LocalPID(b.Codec().WirePID(bob))
	})
	// Unregister releases too.
	rb.UnregisterName("alice", bob)
	if _, _, ok, _ := ra.Lookup(t.Context(), "alice", true); ok {
		t.Fatal("unregistered name still held")
	}
}

func TestAnyStringIsAName(t *testing.T) {
	c := newCluster()
	a := join(t, c, "a", srv.URL())
	r := registry(t, a, "odd names: *>. \x00")
	names := []string{"", "a.b", "a/b", "a_b", "a-b", "*", ">", "a b", "ü", "\xff", strings.Repeat("x", natsdist.MaxNameBytes), "k", "kx"}
	pids := map[string]actor.PID{}
	for _, name := range names {
		pids[name] = spawn(t, a, &box{}, actor.Via(r, name))
	}
	for _, name := range names {
		if p, _, ok, err := r.Lookup(t.Context(), name, true); err != nil || !ok || p != pids[name] {
			t.Errorf("lookup %q = %v %v %v; want %v", name, p, ok, err, pids[name])
		}
	}
	var got []string
	for _, e := range r.Names() {
		got = append(got, e.Name)
	}
	want := slices.Clone(names)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("names = %q; want %q", got, want)
	}
	_, err := a.Runtime().Spawn(t.Context(), &box{}, actor.SpawnOptions{Name: actor.Via(r, strings.Repeat("x", natsdist.MaxNameBytes+1))})
	if err == nil || !strings.Contains(err.Error(), "at most 1024 bytes") {
		t.Fatalf("a name too long = %v", err)
	}
}

// A node that dies without leaving: its lease expires, a survivor releases
// its names and says which, and they can be claimed again.
func TestLeaseExpiryReleasesNames(t *testing.T) {
	c := newCluster()
	a, b, third := join(t, c, "a", srv.URL()), join(t, c, "b", srv.URL()), join(t, c, "c", srv.URL())
	ra, rb := registry(t, a, "users"), registry(t, b, "users")
	registry(t, third, "users")
	ea, ec := record(a), record(third)
	for _, name := range []string{"x", "y"} {
		spawn(t, b, &box{}, actor.Via(rb, name))
	}
	eventually(t, 5*time.Second, "a sees b's names", func() bool { return len(ra.Names()) == 2 })
	killed := time.Now()
	b.Kill()
	ea.wait(t, 10*time.Second, "lease_expired on a", func(e dist.Event) bool { return e.Kind == dist.LeaseExpired && e.Node == "b" })
	ec.wait(t, 10*time.Second, "lease_expired on c", func(e dist.Event) bool { return e.Kind == dist.LeaseExpired && e.Node == "b" })
	// Both survivors reap; each name is released once, by one of them.
	var released []string
	collect := func() {
		released = nil
		for _, e := range []*events{ea, ec} {
			e.mu.Lock()
			for _, ev := range e.all {
				if ev.Kind == dist.NamesReleased && ev.Other == "b" && ev.Registry == "users" {
					released = append(released, ev.Names...)
				}
			}
			e.mu.Unlock()
		}
	}
	eventually(t, 10*time.Second, "x and y released", func() bool { collect(); return len(released) >= 2 })
	took := time.Since(killed)
	time.Sleep(200 * time.Millisecond) // a second release would show by now
	collect()
	slices.Sort(released)
	if !slices.Equal(released, []string{"x", "y"}) {
		t.Fatalf("released by the survivors: %q; want x and y once each", released)
	}
	t.Logf("b's names released %v after it died (lease 1s)", took)
	if len(a.Members()) != 2 {
		t.Fatalf("a's members: %+v", a.Members())
	}
	spawn(t, a, &box{}, actor.Via(ra, "x"))
}
