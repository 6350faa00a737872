package natsdist_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
	"github.com/actorsh/actorsh/pkg/natsdist"
)

// servers starts three nats-servers clustered on 127.0.0.1.
func servers(t *testing.T) []*natsdist.Server {
	t.Helper()
	var ports []int
	var routes []string
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
		routes = append(routes, "nats://"+ln.Addr().String())
		ln.Close()
	}
	var out []*natsdist.Server
	t.Cleanup(func() {
		for _, s := range out {
			s.Shutdown()
		}
	})
	for i := range 3 {
		s, err := natsdist.Serve(natsdist.ServerOptions{Name: fmt.Sprintf("s%d", i), StoreDir: t.TempDir(), Cluster: "c", ClusterPort: ports[i], Routes: routes})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	for _, s := range out {
		if err := s.Ready(20 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func joinR3(t *testing.T, cluster, name, url string) *natsdist.Node {
	t.Helper()
	rt := actor.NewRuntime(actor.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	n, err := natsdist.Join(ctx, natsdist.Config{
		Name: name, Cluster: cluster, URL: url, Runtime: rt, Terms: dist.DefaultTerms,
		LeaseTTL: 2 * time.Second, Renew: 500 * time.Millisecond, Replicas: 3,
	})
	if err != nil {
		t.Fatalf("join %s: %v", name, err)
	}
	t.Cleanup(func() {
		n.Kill()
		_ = rt.Shutdown(context.Background())
	})
	return n
}

// On three servers with three replicas a claim needs two of them: with
// one down claims go on; the one server left alone cannot claim, and
// refuses rather than let a second holder in.
func TestThreeServers(t *testing.T) {
	ss := servers(t)
	start := time.Now()
	a := joinR3(t, "r3", "a", ss[0].URL())
	b := joinR3(t, "r3", "b", ss[1].URL())
	c := joinR3(t, "r3", "c", ss[2].URL())
	t.Logf("three servers and nodes ready in %v", time.Since(start))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var regs []*natsdist.Registry
	for _, n := range []*natsdist.Node{a, b, c} {
		r, err := n.Registry(ctx, "users")
		if err != nil {
			t.Fatal(err)
		}
		regs = append(regs, r)
	}
	x := spawn(t, a, &box{}, actor.Via(regs[0], "x"))
	for i, n := range []*natsdist.Node{b, c} {
		_, err := n.Runtime().Spawn(t.Context(), &box{}, actor.SpawnOptions{Name: actor.Via(regs[i+1], "x")})
		var as *actor.AlreadyStartedError
		if !errors.As(err, &as) || as.PID != n.Codec().LocalPID(a.Codec().WirePID(x)) {
			t.Fatalf("%s's claim of x = %v", n.Self().Name, err)
		}
	}
	// What a claim costs with three replicas (logged for docs/PERFORMANCE.md).
	pid := spawn(t, a, &box{}, actor.Name{})
	const claims = 200
	begin := time.Now()
	for i := range claims {
		if err := regs[0].RegisterName(fmt.Sprintf("k%d", i), pid); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d claims on three servers, three replicas: %v each", claims, time.Since(begin)/claims)
	// One server down: the other two are a majority.
	ss[0].Shutdown()
	eventually(t, 20*time.Second, "b claims y with s0 down", func() bool {
		_, err := b.Runtime().Spawn(t.Context(), &box{}, actor.SpawnOptions{Name: actor.Via(regs[1], "y")})
		return err == nil
	})
	// Two down: c's server is the minority and cannot claim.
	ss[1].Shutdown()
	_, err := c.Runtime().Spawn(t.Context(), &box{}, actor.SpawnOptions{Name: actor.Via(regs[2], "z")})
	if err == nil {
		t.Fatal("a server without a majority let a claim through")
	}
	t.Logf("the minority's claim: %v", err)
}
