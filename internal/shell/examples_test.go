package shell

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/spf13/cobra"
)

// examplePrelude sets up the names that help's examples use, as a lesson
// would have before it reached them.
const examplePrelude = `sup start workers; sup start greeters
spawn counter --name c1 --sup workers; spawn counter --name c2 --sup workers
spawn echo --name e1; spawn sleeper 1s --name s1; spawn counter --name g1 --sup greeters
reg new topics --keys duplicate; reg new sessions --partitions 8`

// prelude is what an example needs first: one that creates a name gets a
// session without it.
func prelude(example string) string {
	if p, ok := clusterPrelude[example]; ok {
		return p
	}
	switch {
	case strings.HasPrefix(example, "sup start"), strings.HasPrefix(example, "reg new"), strings.HasPrefix(example, "source"):
		return ""
	case strings.HasPrefix(example, "spawn"):
		return "sup start workers"
	case strings.HasPrefix(example, "kind show"), strings.HasPrefix(example, "kind edit"):
		return "kind load kinds/stack.star"
	}
	return examplePrelude
}

// clusterPrelude is what the cluster's examples need: a node (on a NATS
// server of the test's own, see ACTORSH_NATS below), or nodes in the
// process.
var clusterPrelude = map[string]string{
	"node join a": "", "node join a --ephemeral": "",
	"node leave":                                  "node join a --ephemeral",
	"reg new users --scope cluster":               "node join a --ephemeral",
	"whereis users alice --strong":                "node join a --ephemeral\nreg new users --scope cluster",
	"on b spawn counter --via users --name alice": "node start a b c\non b reg new users --scope cluster",
	"on c whereis users alice":                    "node start a b c\non c reg new users --scope cluster",
	"partition a | b c":                           "node start a b c",
	"heal":                                        "node start a b c\npartition a | b c",
	"node start a b c":                            "", "node start a b c --lease 2s": "",
}

// exampleForever are the examples that run until Ctrl-C: they get a
// deadline instead, and must still be running at it.
var exampleForever = map[string]bool{
	"watch 1s ls --sort mailbox --limit 5": true,
}

// exampleErrors are the examples that show an error on purpose, with
// what the error says.
var exampleErrors = map[string]string{
	"call s1 hello --timeout 100ms": "no reply from",
	"kind new pinger":               "reads the lines that follow it", // its lines follow in a file or at the prompt
	"learn verify greeter":          "not done yet",                   // the exercise is as it was given: not done
	// NATS servers elsewhere, with credentials this test has not
	"node join b --nats nats://10.0.0.5:4222 --creds app.creds":                       "connect to NATS at nats://10.0.0.5:4222",
	"node join web-1 --nats nats://nats.internal:4222 --creds web.creds --replicas 3": "connect to NATS at nats://nats.internal:4222",
}

// TestHelpExamples: every example that help prints runs without an error
// in a session that has the names the examples mention.
func TestHelpExamples(t *testing.T) {
	var examples []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, line := range strings.Split(c.Example, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				examples = append(examples, line)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	ios, _, _, _ := iostreams.Test()
	probe, err := NewSession(ios, Options{})
	if err != nil {
		t.Fatal(err)
	}
	walk(probe.newTree())
	probe.Close()
	if len(examples) < 40 {
		t.Fatalf("found %d examples; help shows more than 40", len(examples))
	}
	t.Chdir("../..")                        // examples name files as from the repository's root
	t.Setenv("XDG_STATE_HOME", t.TempDir()) // learn keeps its files and progress there
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", "true") // kind edit's editor: leaves the file as it was
	for _, ex := range examples {
		if strings.HasPrefix(ex, "bench") {
			continue // bench runs a million processes; bench_json.txtar runs it small
		}
		t.Run(ex, func(t *testing.T) {
			t.Setenv("ACTORSH_NATS", "nats://"+freeAddr(t)) // node join embeds its server here
			if strings.Contains(ex, ".jsonl") || strings.Contains(ex, "--out") {
				t.Chdir(t.TempDir()) // record and msc --out write their files here
			}
			ios, _, out, errOut := iostreams.Test()
			s, err := NewSession(ios, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			for _, line := range strings.Split(prelude(ex), "\n") {
				if err := s.Exec(ctx, line); err != nil {
					t.Fatalf("prelude for %q: %v", ex, err)
				}
			}
			if exampleForever[ex] {
				short, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
				defer cancel()
				if err := s.Exec(short, ex); !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("help example %q should run until interrupted; it ended with %v", ex, err)
				}
				return
			}
			err = s.Exec(ctx, ex)
			if want, ok := exampleErrors[ex]; ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("help example %q shows an error that says %q; got %v", ex, want, err)
				}
				return
			}
			if err != nil && !errors.Is(err, errExit) {
				t.Errorf("help example %q: %v\nstdout:\n%s\nstderr:\n%s", ex, err, clip(out.String()), errOut.String())
			}
		})
	}
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
