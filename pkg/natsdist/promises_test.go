package natsdist_test

import (
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// Messages from one process to another across nodes arrive at most once
// and in order, also when the connection is cut and comes back on the
// way: what was lost is lost, nothing comes twice or out of order.
func TestMessagesAtMostOnceInOrder(t *testing.T) {
	c := newCluster()
	p := newProxy(t, srv.Addr().String())
	a, b := join(t, c, "a", p.URL()), join(t, c, "b", srv.URL())
	eventually(t, 5*time.Second, "a sees b", func() bool { return len(a.Members()) == 2 })
	got := &box{}
	to := a.Codec().LocalPID(b.Codec().WirePID(spawn(t, b, got, actor.Name{})))
	const N = 3000
	for i := range N {
		if i == N/3 {
			p.Cut()
		}
		if i == N/3+200 {
			p.Mend()
			time.Sleep(400 * time.Millisecond) // a reconnects (the lease, 1s, holds)
		}
		a.Runtime().Send(to, int64(i))
	}
	last := int64(N - 1)
	eventually(t, 10*time.Second, "the last message", func() bool {
		ms := got.messages()
		return len(ms) > 0 && ms[len(ms)-1] == last
	})
	ms := got.messages()
	prev := int64(-1)
	for _, m := range ms {
		v := m.(int64)
		if v <= prev {
			t.Fatalf("message %d came after %d: out of order or twice", v, prev)
		}
		prev = v
	}
	t.Logf("%d of %d messages arrived, each once and in order; %d were lost with the connection", len(ms), N, N-len(ms))
	if len(ms) == N {
		t.Log("(none was lost: the client buffered them while it reconnected)")
	}
}
