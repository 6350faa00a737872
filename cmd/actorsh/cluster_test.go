//go:build linux || darwin

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// nodeProc is an actorsh program driven through its stdin, its --json
// output read line by line: a node of a cluster in a process of its own.
type nodeProc struct {
	t     *testing.T
	name  string
	cmd   *exec.Cmd
	in    io.WriteCloser
	mu    sync.Mutex
	lines []map[string]any
	raw   []string
	seen  int
	more  chan struct{}
	done  chan struct{}
}

func startNode(t *testing.T, name string, env []string, args ...string) *nodeProc {
	t.Helper()
	bin, err := exec.LookPath("actorsh")
	if err != nil {
		t.Skip("actorsh not on PATH:", err)
	}
	cmd := exec.Command(bin, append([]string{"--json", "--keep-going"}, args...)...)
	cmd.Env = append(cmd.Environ(), env...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &nodeProc{t: t, name: name, cmd: cmd, in: in, more: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var o map[string]any
			_ = json.Unmarshal(sc.Bytes(), &o)
			p.mu.Lock()
			p.lines = append(p.lines, o)
			p.raw = append(p.raw, sc.Text())
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		_ = in.Close()
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
		_ = cmd.Wait()
		if t.Failed() {
			p.mu.Lock()
			t.Logf("node %s said:\n%s\nstderr: %s", name, strings.Join(p.raw, "\n"), stderr.String())
			p.mu.Unlock()
		}
	})
	return p
}

func (p *nodeProc) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.in, line+"\n"); err != nil {
		p.t.Fatalf("node %s: %v", p.name, err)
	}
}

// expect waits up to d for a line (after those matched before) that f
// accepts, and returns it.
func (p *nodeProc) expect(d time.Duration, what string, f func(map[string]any) bool) map[string]any {
	p.t.Helper()
	deadline := time.After(d)
	for {
		p.mu.Lock()
		for i := p.seen; i < len(p.lines); i++ {
			if line := p.lines[i]; line != nil && f(line) {
				p.seen = i + 1
				p.mu.Unlock()
				return line
			}
		}
		p.mu.Unlock()
		select {
		case <-p.more:
		case <-p.done:
			p.t.Fatalf("node %s ended before %s", p.name, what)
		case <-deadline:
			p.t.Fatalf("node %s: no %s within %v", p.name, what, d)
		}
	}
}

func is(kv ...string) func(map[string]any) bool {
	return func(o map[string]any) bool {
		for i := 0; i < len(kv); i += 2 {
			if fmt.Sprint(o[kv[i]]) != kv[i+1] {
				return false
			}
		}
		return true
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Two programs on one machine: the first embeds a NATS server (nothing
// listens where it looks), the second joins it; a name claimed on one is
// found, called and refused on the other; the second is killed with
// SIGKILL, and the first releases its names when its lease ends and may
// take them.
func TestClusterOfPrograms(t *testing.T) {
	port := freePort(t)
	env := []string{fmt.Sprintf("ACTORSH_NATS=nats://127.0.0.1:%d", port), "XDG_STATE_HOME=" + t.TempDir()}
	a := startNode(t, "a", env, "--node", "a")
	joined := a.expect(20*time.Second, "a's join", is("cmd", "node join"))
	if joined["embedded"] != true || joined["node"] != "a" {
		t.Fatalf("a's join: %v", joined)
	}
	a.send("reg new users --scope cluster")
	a.expect(10*time.Second, "users on a", is("cmd", "reg new", "scope", "cluster"))

	b := startNode(t, "b", env)
	b.send("node join b --lease 1s")
	if j := b.expect(20*time.Second, "b's join", is("cmd", "node join")); j["embedded"] != false || j["index"] != 2.0 {
		t.Fatalf("b's join: %v", j)
	}
	b.send("reg new users --scope cluster")
	b.expect(10*time.Second, "users on b", is("cmd", "reg new"))
	b.send("spawn counter --via users --name bob")
	spawned := b.expect(10*time.Second, "bob", is("cmd", "spawn"))
	local := fmt.Sprint(spawned["pid"])
	remote := strings.Replace(local, "<0.", "<2.", 1)
	a.expect(10*time.Second, "b's join on a", is("type", "cluster", "event", "node_up", "node", "b"))

	a.send("whereis users bob --strong")
	if w := a.expect(10*time.Second, "whereis", is("cmd", "whereis")); w["pid"] != remote || w["node"] != "b" {
		t.Fatalf("a's whereis bob: %v; want %s on b", w, remote)
	}
	a.send("cast users/bob inc")
	a.send("call users/bob get")
	if c := a.expect(10*time.Second, "the call", is("cmd", "call")); fmt.Sprint(c["reply"]) != "1" {
		t.Fatalf("call bob get: %v", c)
	}
	a.send("spawn counter --via users --name bob")
	if e := a.expect(10*time.Second, "the refusal", is("type", "error")); !strings.Contains(fmt.Sprint(e["error"]), remote) {
		t.Fatalf("a's claim of bob: %v", e)
	}
	a.send("nodes")
	if n := a.expect(10*time.Second, "nodes", is("cmd", "nodes")); len(n["nodes"].([]any)) != 2 {
		t.Fatalf("nodes: %v", n)
	}

	// kill -9: no goodbye. The lease ends; a releases bob.
	killed := time.Now()
	if err := b.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	a.expect(15*time.Second, "b's lease expiry", is("type", "cluster", "event", "lease_expired", "node", "b"))
	rel := a.expect(15*time.Second, "bob released", is("type", "cluster", "event", "names_released", "other", "b"))
	t.Logf("b killed; its names released on a %v later (lease 1s)", time.Since(killed).Round(time.Millisecond))
	if fmt.Sprint(rel["names"]) != "[bob]" {
		t.Fatalf("released: %v", rel)
	}
	a.send("call " + remote + " get")
	if e := a.expect(10*time.Second, "nodedown", is("type", "error")); !strings.Contains(fmt.Sprint(e["error"]), "nodedown") {
		t.Fatalf("a call to the dead node's process: %v", e)
	}
	a.send("spawn counter --via users --name bob")
	if s := a.expect(10*time.Second, "a's bob", is("cmd", "spawn")); !strings.HasPrefix(fmt.Sprint(s["pid"]), "<0.") {
		t.Fatalf("a's spawn of bob: %v", s)
	}
}

// actorsh nats serve runs the server on its own; nodes join it, and it
// outlives them. --nats, --user and --password say where and who.
func TestNATSServe(t *testing.T) {
	port := freePort(t)
	bin, err := exec.LookPath("actorsh")
	if err != nil {
		t.Skip("actorsh not on PATH:", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	serve := exec.Command(bin, "nats", "serve", "--ephemeral", "--addr", addr)
	out, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = serve.Process.Signal(syscall.SIGTERM)
		_ = serve.Wait()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "NATS with JetStream at nats://"+addr+" (in memory)") {
		t.Fatalf("nats serve said %q, %v", line, err)
	}
	for _, name := range []string{"a", "b"} {
		cmd := exec.Command(bin, "--node", name, "--nats", "nats://"+addr, "-c", "nodes")
		got, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(got), "joined the NATS server at nats://"+addr) || !strings.Contains(string(got), "(this session)") {
			t.Fatalf("node %s: %s %v", name, got, err)
		}
	}
	// Credentials a node does not have stop it before it joins, saying why.
	got, err := exec.Command(bin, "--node", "c", "--nats", "nats://"+addr, "--creds", "missing.creds", "-c", "nodes").CombinedOutput()
	if err == nil || !strings.Contains(string(got), "missing.creds") {
		t.Fatalf("--creds of a file that is not there: %s %v", got, err)
	}
	got, err = exec.Command(bin, "--node", "c", "--nats", "nats://"+addr, "--token", "t", "--user", "u", "-c", "nodes").CombinedOutput()
	if err == nil || !strings.Contains(string(got), "give one of a credentials file, a user and password, or a token") {
		t.Fatalf("two kinds of credentials: %s %v", got, err)
	}
	// A second server at the same address is refused, saying why.
	got, err = exec.Command(bin, "nats", "serve", "--addr", addr).CombinedOutput()
	if err == nil || !strings.Contains(string(got), "something listens at "+addr+" already") {
		t.Fatalf("a second nats serve: %s %v", got, err)
	}
	// Flags of --node without --node are a usage error.
	got, err = exec.Command(bin, "--nats", "nats://"+addr, "-c", "nodes").CombinedOutput()
	if err == nil || !strings.Contains(string(got), "go with --node NAME") {
		t.Fatalf("--nats without --node: %s %v", got, err)
	}
}
