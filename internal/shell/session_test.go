package shell

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/actorsh/actorsh/pkg/actor"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSessionExecAndClose(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	s, err := NewSession(ios, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, line := range []string{
		"spawn greeter alice",
		"spawn ticker 1h --name t; spawn counter --name c --link",
		"sup start w --strategy one_for_all; spawn echo --sup w --name e; kill e boom",
	} {
		if err := s.Exec(ctx, line); err != nil {
			t.Fatalf("Exec(%q): %v", line, err)
		}
	}
	err = s.Exec(ctx, "call nobody get; echo not reached")
	if err == nil || !strings.Contains(err.Error(), "call nobody get") {
		t.Fatalf("Exec(call nobody) = %v", err)
	}
	if strings.Contains(out.String(), "not reached") {
		t.Error("the command after a failure ran")
	}
	if !strings.Contains(out.String(), "👋 alice") || !strings.Contains(out.String(), "sup w restarted e as") {
		t.Errorf("output:\n%s", out.String())
	}
	// Close stops every process and goroutine: goleak checks at exit.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// FuzzExec feeds arbitrary lines to a session: whatever the input, the
// shell must not panic, every line must finish (a command that waits
// honours the context), a failing command must change nothing, the output
// must stay bounded, and the shell must still run a good command
// afterwards.
func FuzzExec(f *testing.F) {
	for _, s := range []string{
		"spawn greeter alice", "spawn counter --name c --count 3", "kill c boom", "call c {add, 5}",
		"sup start w --strategy rest_for_one; spawn echo --sup w --name e", "reg new t --keys duplicate; reg register t k e",
		"reg match t k {_, x}", "trap e on; link e c; kill c", "monitor e c", "tree", "ls --all", "info e", "state e",
		"spawn greeter x --atom-name", "atoms --limit 1", "help sup start", "events 5", "trace on", "send <0.1.0> x",
		"stop <0.1.0>", "kill 0.1.0 kill", "sup terminate root <0.2.0>", "whereis \"a b\"", "echo 'x", "{[",
		"suspend c1", "call c1 get --async", "await #Ref<0.0.0.1>", "reg select names {_, _, _}", "watch 1ms --count 2 ls",
		"spawn counter --name \"\"", "call c1 get --timeout 0s", "sleep 5s", "spawn sleeper 10s --name s; call s x",
	} {
		f.Add(s)
	}
	for _, in := range badInputs {
		f.Add(in.line)
	}
	f.Chdir(f.TempDir()) // record, msc --out and kind new write files where they are told
	f.Fuzz(func(t *testing.T, line string) {
		if strings.Contains(line, "source") || strings.Contains(line, "bench") {
			return // reads files, or measures for long: not what this test is about
		}
		ios, _, out, _ := iostreams.Test()
		s, err := NewSession(ios, Options{AtomLimit: 50})
		if err != nil {
			t.Fatal(err)
		}
		closed := false
		defer func() {
			if !closed {
				s.Close()
			}
		}()
		if err := s.Exec(context.Background(), "spawn counter --name c1; sup start w1; reg new r1"); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, s)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		done := make(chan error, 1)
		go func() { done <- s.Exec(ctx, line) }()
		select {
		case err = <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("%q did not finish 30 s after its context ended", line)
		}
		cancel()
		cmds, splitErr := SplitLine(line)
		if err != nil && splitErr == nil && len(cmds) == 1 && cmds[0][0] != "!" {
			if after := snapshot(t, s); after != before {
				t.Fatalf("%q failed (%v) and changed the session:\nbefore:\n%s\nafter:\n%s", line, err, before, after)
			}
		}
		if err := s.Exec(context.Background(), "spawn counter --name zz_after; call zz_after inc"); err != nil {
			t.Fatalf("after %q the shell no longer works: %v", line, err)
		}
		closed = true
		s.Close() // every goroutine that writes output is gone
		if out.Len() > maxFuzzOutput {
			t.Fatalf("%q printed %d bytes; a line may print at most %d", line, out.Len(), maxFuzzOutput)
		}
	})
}

// maxFuzzOutput bounds what one fuzzed line may print (spawn --count
// 1000000 prints a summary, not a million lines).
const maxFuzzOutput = 1 << 20

// snapshot is what a failing command must not change: the processes with
// their kinds, names, links, monitors and flags, the registries and their
// entries, and the atom table.
func snapshot(t *testing.T, s *Session) string {
	t.Helper()
	rt := s.runtime()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rt.Quiesce(ctx); err != nil {
		t.Fatalf("Quiesce: %v", err)
	}
	var lines []string
	rt.Processes(func(pid actor.PID) bool {
		in, err := rt.Info(pid)
		if err == nil {
			var keys []string
			for _, r := range in.Registered {
				keys = append(keys, r.Key)
			}
			lines = append(lines, fmt.Sprintf("%v %s names=%v links=%v monitors=%v trap=%v suspended=%v",
				pid, in.Behaviour, keys, in.Links, in.Monitors, in.TrapExit, in.Status == actor.StatusSuspended))
		}
		return true
	})
	sort.Strings(lines)
	var more []string
	s.mu.Lock()
	for name, r := range s.regs {
		more = append(more, fmt.Sprintf("registry %s %d", name, r.Count()))
	}
	atoms := s.atoms
	s.mu.Unlock()
	sort.Strings(more)
	used, _ := atoms.count()
	more = append(more, fmt.Sprintf("atoms %d", used))
	return strings.Join(append(lines, more...), "\n")
}

// TestCompletionFromPrefix: live names complete from the typed prefix,
// and however many names match, completion offers at most
// completionLimit of them.
func TestCompletionFromPrefix(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	s, err := NewSession(ios, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Exec(context.Background(), "spawn counter --name w{i} --count 1000"); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec(context.Background(), "kind load ../../kinds/stack.star"); err != nil {
		t.Fatal(err)
	}
	c := &completer{s: s}
	complete := func(line string) []string {
		cands, n := c.Do([]rune(line), len([]rune(line)))
		typed := line[len(line)-n:]
		var out []string
		for _, r := range cands {
			out = append(out, typed+strings.TrimSpace(string(r)))
		}
		return out
	}
	got := complete("call w1")
	if len(got) != 112 { // w1, w10..w19, w100..w199, w1000
		t.Errorf("call w1<Tab>: %d candidates; want 112", len(got))
	}
	for _, name := range got {
		if !strings.HasPrefix(name, "w1") {
			t.Errorf("call w1<Tab> offered %q", name)
		}
	}
	if got := complete("call w"); len(got) != completionLimit {
		t.Errorf("call w<Tab> with 1000 matching names: %d candidates; want the limit, %d", len(got), completionLimit)
	}
	// Completion only where it fits: kinds after kinds, files after
	// source, nothing after ls or sleep, and CMD after time, watch and !.
	for line, want := range map[string]string{
		"kinds c":                      "counter crasher",
		"spawn st":                     "stack",
		"kind show st":                 "stack",
		"kinds counter ":               "",
		"ls ":                          "",
		"sleep ":                       "",
		"ls --sort m":                  "mailbox",
		"time call w100":               "w100 w1000",
		"watch 1s call w100":           "w100 w1000",
		"watch 1s --count 3 call w100": "w100 w1000",
		"! kill w100":                  "w100 w1000",
		"! spaw":                       "spawn",
		"tree w":                       "",
		"sup terminate root w100":      "w100 w1000",
		"trace o":                      "on off",
		"trap w1 o":                    "on off",
		"source session_t":             "session_test.go",
	} {
		if got := strings.Join(complete(line), " "); got != want {
			t.Errorf("%s<Tab> = %q; want %q", line, got, want)
		}
	}
}
