package natsdist_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/dist"
)

// waitMsg waits for b's n-th message.
func waitMsg(t *testing.T, b *box, n int) any {
	t.Helper()
	eventually(t, 5*time.Second, fmt.Sprintf("message %d", n), func() bool { return len(b.messages()) >= n })
	return b.messages()[n-1]
}

func TestLinksAndMonitorsAcrossNodes(t *testing.T) {
	c := newCluster()
	a, b := join(t, c, "a", srv.URL()), join(t, c, "b", srv.URL())
	eventually(t, 5*time.Second, "a sees b", func() bool { return len(a.Members()) == 2 })
	eventually(t, 5*time.Second, "b sees a", func() bool { return len(b.Members()) == 2 })
	onA := func(pid actor.PID) actor.PID { return a.Codec().LocalPID(b.Codec().WirePID(pid)) }
	onB := func(pid actor.PID) actor.PID { return b.Codec().LocalPID(a.Codec().WirePID(pid)) }

	// A trapping process on a links to one on b and monitors it; b's
	// exits: a gets the EXIT and the DOWN with its reason.
	watcher := &box{trap: true}
	w := spawn(t, a, watcher, actor.Name{})
	target := spawn(t, b, &box{}, actor.Name{})
	if err := a.Runtime().Link(w, onA(target)); err != nil {
		t.Fatal(err)
	}
	ref := a.Runtime().Monitor(w, onA(target))
	time.Sleep(100 * time.Millisecond) // the link and monitor reach b (they are asynchronous, as Erlang's)
	if err := b.Runtime().Stop(t.Context(), target, actor.Reason("boom")); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{fmt.Sprint(waitMsg(t, watcher, 1)): true, fmt.Sprint(waitMsg(t, watcher, 2)): true}
	for _, want := range []string{fmt.Sprintf("{'EXIT', %v, boom}", onA(target)), fmt.Sprintf("{'DOWN', %v, process, %v, boom}", ref, onA(target))} {
		if !got[want] {
			t.Fatalf("a's watcher got %v; want %s", got, want)
		}
	}
	// A link from b's side to a process of a that does not trap: its exit
	// kills it.
	victim := spawn(t, a, &box{}, actor.Name{})
	exited, _ := a.Runtime().Watch(victim)
	linker := spawn(t, b, &box{}, actor.Name{})
	if err := b.Runtime().Link(linker, onB(victim)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	b.Runtime().Exit(actor.PID{}, linker, actor.Reason("crash"))
	select {
	case r := <-exited:
		if r.Error() != "crash" {
			t.Fatalf("the linked process on a exited with %v; want crash", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the exit did not cross the link")
	}
	// A monitor of a process that is gone: DOWN noproc. Of a node that is
	// not there: DOWN noconnection, at once.
	m2 := &box{}
	w2 := spawn(t, a, m2, actor.Name{})
	r2 := a.Runtime().Monitor(w2, onA(target))
	if d := waitMsg(t, m2, 1).(actor.Down); d.Ref != r2 || !errors.Is(d.Reason, actor.ErrNoProc) {
		t.Fatalf("monitor of a dead remote process: %v", d)
	}
	r3 := a.Runtime().Monitor(w2, actor.RemotePID(9, 1, 0))
	if d := waitMsg(t, m2, 2).(actor.Down); d.Ref != r3 || !errors.Is(d.Reason, dist.ErrNoConnection) {
		t.Fatalf("monitor on a node that is not there: %v", d)
	}

	// b dies without leaving: when its lease ends, a's links and monitors
	// of b's processes fire with noconnection.
	w3box := &box{trap: true}
	w3 := spawn(t, a, w3box, actor.Name{})
	far := spawn(t, b, &box{}, actor.Name{})
	_ = a.Runtime().Link(w3, onA(far))
	r4 := a.Runtime().Monitor(w3, onA(far))
	time.Sleep(100 * time.Millisecond)
	b.Kill()
	got = map[string]bool{fmt.Sprint(waitMsg(t, w3box, 1)): true, fmt.Sprint(waitMsg(t, w3box, 2)): true}
	for _, want := range []string{fmt.Sprintf("{'EXIT', %v, noconnection}", onA(far)), fmt.Sprintf("{'DOWN', %v, process, %v, noconnection}", r4, onA(far))} {
		if !got[want] {
			t.Fatalf("after b's lease: %v; want %s", got, want)
		}
	}
}

// A process's send of a value that cannot cross is an event, not a
// silent loss; a link or monitor of a PID from an earlier life of a node
// that is back fires at once with noproc.
func TestRefusedSendAndEarlierLives(t *testing.T) {
	c := newCluster()
	a, b := join(t, c, "a", srv.URL()), join(t, c, "b", srv.URL())
	eventually(t, 5*time.Second, "a sees b", func() bool { return len(a.Members()) == 2 })
	ea := record(a)
	target := spawn(t, b, &box{}, actor.Name{})
	onA := a.Codec().LocalPID(b.Codec().WirePID(target))
	if a.Runtime().Send(onA, actor.Ref{}) {
		t.Fatal("a Ref was sent to another node")
	}
	ev := ea.wait(t, 5*time.Second, "send_refused", func(e dist.Event) bool { return e.Kind == dist.SendRefused })
	if ev.Name != onA.String() || ev.Other != "b" || !strings.Contains(ev.Reason, "reference") {
		t.Fatalf("send_refused = %+v", ev)
	}
	// b's next life: a PID of its first names nobody.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b2 := join(t, c, "b", srv.URL())
	eventually(t, 5*time.Second, "a sees b's next life", func() bool {
		for _, m := range a.Members() {
			if m.Name == "b" && m.Creation == b2.Self().Creation {
				return true
			}
		}
		return false
	})
	watcher := &box{trap: true}
	w := spawn(t, a, watcher, actor.Name{})
	_ = a.Runtime().Link(w, onA)
	ref := a.Runtime().Monitor(w, onA)
	got := map[string]bool{fmt.Sprint(waitMsg(t, watcher, 1)): true, fmt.Sprint(waitMsg(t, watcher, 2)): true}
	for _, want := range []string{fmt.Sprintf("{'EXIT', %v, noproc}", onA), fmt.Sprintf("{'DOWN', %v, process, %v, noproc}", ref, onA)} {
		if !got[want] {
			t.Fatalf("link and monitor of an earlier life: %v; want %s", got, want)
		}
	}
}
