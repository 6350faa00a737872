package natsdist_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
	"github.com/actorsh/actorsh/pkg/natsdist"
)

func TestJoinMembers(t *testing.T) {
	c := newCluster()
	a := join(t, c, "a", srv.URL())
	ea := record(a)
	b := join(t, c, "b", srv.URL())
	if a.Self().Index != 1 || b.Self().Index != 2 {
		t.Fatalf("indexes a=%d b=%d; want 1 and 2", a.Self().Index, b.Self().Index)
	}
	ea.wait(t, 5*time.Second, "node_up b", func(e dist.Event) bool { return e.Kind == dist.NodeUp && e.Node == "b" })
	ms := b.Members()
	if len(ms) != 2 || ms[0].Name != "a" || ms[1].Name != "b" || !ms[1].Self || ms[0].Self || ms[0].Health != "up" {
		t.Fatalf("b's members = %+v", ms)
	}
	// A second node of a live name is refused, and changes nothing.
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(t.Context())
	_, err := natsdist.Join(t.Context(), natsdist.Config{Name: "b", Cluster: c, URL: srv.URL(), Runtime: rt, LeaseTTL: time.Second, Memory: true})
	if !errors.Is(err, natsdist.ErrNameInUse) {
		t.Fatalf("a second b joined: %v", err)
	}
	if len(a.Members()) != 2 {
		t.Fatalf("a's members after the refused join: %+v", a.Members())
	}
	// b leaves; a hears it; b's name keeps its index in its next life,
	// with the next creation.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	ea.wait(t, 5*time.Second, "node_left b", func(e dist.Event) bool { return e.Kind == dist.NodeLeft && e.Node == "b" })
	b2 := join(t, c, "b", srv.URL())
	if b2.Self().Index != 2 || b2.Self().Creation != b.Self().Creation+1 {
		t.Fatalf("b's next life is %+v; its first was %+v", b2.Self(), b.Self())
	}
}

func TestRemoteMessages(t *testing.T) {
	c := newCluster()
	a := join(t, c, "a", srv.URL())
	b := join(t, c, "b", srv.URL())
	eventually(t, 5*time.Second, "a sees b", func() bool { return len(a.Members()) == 2 })
	bb := &box{}
	local := spawn(t, b, bb, actor.Name{})
	remote := a.Codec().LocalPID(b.Codec().WirePID(local))
	if remote.String() != fmt.Sprintf("<2.%d.%d>", local.Serial(), b.Self().Creation) {
		t.Fatalf("b's %v is %v on a", local, remote)
	}
	rt := a.Runtime()
	// A call there and back: the reply carries a PID of b's, which is b's
	// own on b and <2.N.C> on a.
	v, err := rt.Call(t.Context(), remote, atom("self"))
	if err != nil || v != remote {
		t.Fatalf("call self = %v, %v; want %v", v, err, remote)
	}
	if v, err := rt.Call(t.Context(), remote, tuple{atom("add"), 5}); err != nil || !reflect.DeepEqual(v, tuple{atom("ok"), tuple{atom("add"), int64(5)}}) {
		t.Fatalf("call = %#v, %v", v, err)
	}
	// Values that cannot cross are refused before they leave.
	if _, err := rt.Call(t.Context(), remote, actor.Ref{}); err == nil || !strings.Contains(err.Error(), "cannot send a reference") {
		t.Fatalf("call with a ref = %v", err)
	}
	if _, err := rt.Call(t.Context(), remote, atom("ref")); err == nil || !strings.Contains(err.Error(), "cannot send a reference") {
		t.Fatalf("a reply with a ref = %v", err)
	}
	// Casts and messages from a keep their order at b.
	const N = 500
	for i := range N {
		if i%2 == 0 {
			rt.Cast(remote, i)
		} else {
			rt.Send(remote, i)
		}
	}
	eventually(t, 10*time.Second, "b has every message", func() bool { return len(bb.messages()) == N })
	for i, m := range bb.messages() {
		want := any(int64(i))
		if i%2 == 0 {
			want = tuple{atom("cast"), int64(i)}
		}
		if !reflect.DeepEqual(m, want) {
			t.Fatalf("message %d at b is %#v; want %#v", i, m, want)
		}
	}
	// A crash in the remote call is its exit reason, as a local one's.
	_, err = rt.Call(t.Context(), remote, atom("crash"))
	var ee *actor.ExitError
	if !errors.As(err, &ee) || ee.Reason.Error() != "boom" || ee.PID != remote {
		t.Fatalf("call crash = %v; want the exit boom", err)
	}
	// The process is gone now: noproc.
	if _, err := rt.Call(t.Context(), remote, atom("x")); !errors.Is(err, actor.ErrNoProc) {
		t.Fatalf("call to a dead remote process = %v; want noproc", err)
	}
	// An exit signal crosses with its reason: a trapping process gets
	// {'EXIT', From, Reason} with a's PID as b knows it.
	trapper := &box{trap: true}
	tp := spawn(t, b, trapper, actor.Name{})
	ta := a.Codec().LocalPID(b.Codec().WirePID(tp))
	sender := spawn(t, a, &box{}, actor.Name{})
	rt.Exit(sender, ta, actor.Reason("bye"))
	eventually(t, 5*time.Second, "the EXIT at b", func() bool { return len(trapper.messages()) == 1 })
	got := trapper.messages()[0].(actor.Exit)
	if got.From != b.Codec().LocalPID(a.Codec().WirePID(sender)) || got.Reason.Error() != "bye" || !got.From.IsRemote() {
		t.Fatalf("EXIT at b = %+v", got)
	}
	// A node that is gone: nodedown at once.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "a sees b leave", func() bool { return len(a.Members()) == 1 })
	start := time.Now()
	_, err = rt.Call(t.Context(), ta, atom("x"))
	var nd *dist.NodeDownError
	if !errors.As(err, &nd) || nd.Node != "b" || err.Error() != "{nodedown, b}: "+ta.String() {
		t.Fatalf("call to a gone node = %v", err)
	}
	t.Logf("nodedown in %v", time.Since(start))
	if rt.Send(ta, 1) {
		t.Fatal("a message to a gone node reported sent")
	}
}

// A server that wants credentials refuses a node without them, with an
// error that says so, and takes one with them.
func TestCredentials(t *testing.T) {
	for _, tt := range []struct {
		name  string
		srv   natsdist.ServerOptions
		right natsdist.Credentials
		wrong natsdist.Credentials
	}{
		{"user", natsdist.ServerOptions{User: "ash", Password: "s3cret"}, natsdist.Credentials{User: "ash", Password: "s3cret"}, natsdist.Credentials{User: "ash", Password: "no"}},
		{"token", natsdist.ServerOptions{Token: "t0ken"}, natsdist.Credentials{Token: "t0ken"}, natsdist.Credentials{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := natsdist.Serve(tt.srv)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Shutdown()
			rt := actor.NewRuntime(actor.Options{})
			defer rt.Shutdown(t.Context())
			cfg := natsdist.Config{Name: "a", URL: s.URL(), Runtime: rt, Memory: true, Credentials: tt.wrong}
			if _, err := natsdist.Join(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "uthorization") {
				t.Fatalf("join with the wrong credentials: %v", err)
			}
			cfg.Credentials = tt.right
			n, err := natsdist.Join(t.Context(), cfg)
			if err != nil {
				t.Fatalf("join with the right credentials: %v", err)
			}
			n.Close()
		})
	}
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(t.Context())
	_, err := natsdist.Join(t.Context(), natsdist.Config{Name: "a", URL: srv.URL(), Runtime: rt, Credentials: natsdist.Credentials{Token: "x", User: "u"}})
	if err == nil || !strings.Contains(err.Error(), "give one of") {
		t.Fatalf("two kinds of credentials at once: %v", err)
	}
}

// A node whose renewals stop is "late" to the others before its lease
// ends.
func TestHealthLate(t *testing.T) {
	c := newCluster()
	p := newProxy(t, srv.Addr().String())
	a := join(t, c, "a", srv.URL())
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(t.Context())
	b, err := natsdist.Join(t.Context(), natsdist.Config{Name: "b", Cluster: c, URL: p.URL(), Runtime: rt, LeaseTTL: 3 * time.Second, Renew: 300 * time.Millisecond, Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	health := func() string {
		for _, m := range a.Members() {
			if m.Name == "b" {
				return m.Health
			}
		}
		return "gone"
	}
	eventually(t, 5*time.Second, "b up", func() bool { return health() == "up" })
	p.Cut()
	eventually(t, 5*time.Second, "b late", func() bool { return health() == "late" })
	p.Mend()
	eventually(t, 5*time.Second, "b up again", func() bool { return health() == "up" })
}
