package starkind_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/starkind"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newRuntime(t *testing.T) *actor.Runtime {
	t.Helper()
	rt := actor.NewRuntime(actor.Options{})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := rt.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return rt
}

func load(t *testing.T, file string, opts starkind.Options) *starkind.Kind {
	t.Helper()
	k, err := starkind.Load("", "testdata/"+file, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCounterKind(t *testing.T) {
	var mu sync.Mutex
	var logged []string
	k := load(t, "counter.star", starkind.Options{Log: func(_ *actor.Process, s string) {
		mu.Lock()
		logged = append(logged, s)
		mu.Unlock()
	}})
	if k.Name != "counter" || k.Restart != "permanent" || !strings.HasPrefix(k.Summary(), "Counts:") {
		t.Fatalf("kind %q restart %q doc %q", k.Name, k.Restart, k.Summary())
	}
	if min, max := k.Arity(); min != 0 || max != 1 {
		t.Errorf("Arity = %d, %d; want 0, 1", min, max)
	}
	if p := k.Params(); !reflect.DeepEqual(p, []string{"[START]"}) {
		t.Errorf("Params = %q", p)
	}
	rt := newRuntime(t)
	ctx := context.Background()
	pid, err := rt.Spawn(ctx, k.New([]any{int64(5)}), actor.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rt.Cast(pid, starkind.Atom("inc"))
	call := func(req any) any {
		t.Helper()
		r, err := rt.Call(ctx, pid, req)
		if err != nil {
			t.Fatalf("call %v: %v", req, err)
		}
		return r
	}
	if got := call(starkind.Atom("get")); got != int64(6) {
		t.Errorf("get = %v; want 6", got)
	}
	if got := call(starkind.Tuple{starkind.Atom("add"), int64(4)}); got != int64(10) {
		t.Errorf("add 4 = %v; want 10", got)
	}
	if got := call(starkind.Atom("nosuch")); !reflect.DeepEqual(got, starkind.Tuple{"error", starkind.Atom("unknown_request")}) {
		t.Errorf("unknown = %#v", got)
	}
	if got := call(starkind.Atom("later")); !reflect.DeepEqual(got, starkind.Tuple{"late", int64(10)}) {
		t.Errorf("a deferred reply = %#v; want {late, 10}", got)
	}
	rt.Cast(pid, starkind.Atom("warm"))
	if got := call(starkind.Atom("get")); got != int64(110) {
		t.Errorf("after the continue: %v; want 110", got)
	}
	mu.Lock()
	if !reflect.DeepEqual(logged, []string{"continued warmed"}) {
		t.Errorf("logged %q", logged)
	}
	mu.Unlock()
	if st, err := rt.State(ctx, pid); err != nil || st != int64(110) {
		t.Errorf("State = %v, %v", st, err)
	}
	if in, _ := rt.Info(pid); in.Behaviour != "counter" {
		t.Errorf("behaviour %q", in.Behaviour)
	}
	if got := call(starkind.Atom("bye")); got != "bye" {
		t.Errorf("stop with a reply: %v", got)
	}
}

// A callback past the step limit, a Starlark error, a return value of the
// wrong shape and a change to frozen state each end the process with
// {starlark, "file:line: message"}.
func TestCrashes(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	k := load(t, "counter.star", starkind.Options{MaxSteps: 10_000})
	for _, tt := range []struct {
		msg  any
		want string
	}{
		{starkind.Atom("loop"), `counter.star: handle_cast took more than 10000 steps (the limit of one callback)`},
		{starkind.Atom("bad"), `counter: handle_cast returned tuple ("nope", 0); want ("noreply", state) or ("stop", reason, state)`},
	} {
		pid, err := rt.Spawn(ctx, k.New(nil), actor.SpawnOptions{})
		if err != nil {
			t.Fatal(err)
		}
		done, _ := rt.Watch(pid)
		rt.Cast(pid, tt.msg)
		reason := <-done
		var se *starkind.Error
		if !errors.As(reason, &se) || !strings.Contains(se.Message, tt.want) {
			t.Errorf("%v: exit reason %v; want {starlark, ...%s}", tt.msg, reason, tt.want)
		}
	}
	f := load(t, "frozen.star", starkind.Options{})
	pid, err := rt.Spawn(ctx, f.New(nil), actor.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	done, _ := rt.Watch(pid)
	rt.Cast(pid, int64(3))
	reason := <-done
	if !strings.Contains(reason.Error(), "frozen.star:7: append: cannot append to frozen list") {
		t.Errorf("changing frozen state: %v", reason)
	}
}

func TestLoadErrors(t *testing.T) {
	for src, want := range map[string]string{
		"x = 1": "a kind needs an init function",
		"def init(a, b, c): pass\ndef handle_call(x): pass": "handle_call takes 3 parameters, not 1",
		"RESTART = 'sometimes'\ndef init(): pass":           `RESTART must be "permanent", "transient" or "temporary"`,
		"def init(:":                            "k.star:1:11",
		"load('x.star', 'y')\ndef init(): pass": "load is not available in a kind",
	} {
		_, err := starkind.Load("k", "k.star", src, starkind.Options{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%q) = %v; want %q", src, err, want)
		}
	}
}

// A kill ends a process busy in a Starlark callback at once, and the
// callback stops too: nothing is left running for Shutdown to report.
func TestKillDuringCallback(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	spinning := make(chan struct{}, 1)
	k := load(t, "counter.star", starkind.Options{MaxSteps: 1 << 50, Log: func(*actor.Process, string) { spinning <- struct{}{} }})
	pid, err := rt.Spawn(ctx, k.New(nil), actor.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rt.Cast(pid, starkind.Atom("spin"))
	<-spinning // inside the loop now
	done, _ := rt.Watch(pid)
	rt.Exit(actor.PID{}, pid, actor.ErrKill)
	if r := <-done; !errors.Is(r, actor.ErrKilled) {
		t.Fatalf("exit reason %v", r)
	}
	// The process is gone; its goroutine leaves the callback at the next
	// look (a zombie until then).
	deadline := time.Now().Add(10 * time.Second)
	for rt.Hooks().Zombies() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the killed process's callback is still running")
		}
		time.Sleep(time.Millisecond)
	}
}

// Terms cross into Starlark and back: what a kind replies with is what it
// was called with (atoms arrive as strings, and atom() sends one back);
// a dict or an integer past 64 bits is refused as a reply, with the reason.
func TestTermsRoundTrip(t *testing.T) {
	rt := newRuntime(t)
	ctx := context.Background()
	k := load(t, "echo.star", starkind.Options{})
	pid, err := rt.Spawn(ctx, k.New(nil), actor.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ref := rt.MakeRef()
	for _, v := range []any{
		int64(-7), int64(1) << 62, 3.5, "text with \"quotes\"", "",
		starkind.Tuple{"a", int64(1), starkind.Tuple{}}, []any{int64(1), []any{"x"}, starkind.Tuple{2.5}},
		pid, ref, []any{},
	} {
		got, err := rt.Call(ctx, pid, v)
		if err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		if !reflect.DeepEqual(got, v) {
			t.Errorf("%#v came back as %#v", v, got)
		}
	}
	if got, _ := rt.Call(ctx, pid, starkind.Atom("inc")); got != "inc" {
		t.Errorf("an atom arrives as a string: got %#v", got)
	}
	if got, _ := rt.Call(ctx, pid, starkind.Tuple{"to_atom", "ok"}); got != starkind.Atom("ok") {
		t.Errorf("atom() sends an atom: got %#v", got)
	}
	for _, req := range []string{"dict", "big"} {
		done, _ := rt.Watch(pid)
		_, err := rt.Call(ctx, pid, req)
		reason := <-done
		want := map[string]string{"dict": "a dict cannot cross a mailbox", "big": "larger than 64 bits"}[req]
		if err == nil || !strings.Contains(reason.Error(), want) {
			t.Errorf("%s: call %v, exit %v; want an exit naming %q", req, err, reason, want)
		}
		if pid, err = rt.Spawn(ctx, k.New(nil), actor.SpawnOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}
