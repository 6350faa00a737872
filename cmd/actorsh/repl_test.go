//go:build linux || darwin

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actorsh/actorsh/internal/course"
	"github.com/creack/pty"
)

// term drives actorsh through a pseudo-terminal, as a person would.
type term struct {
	t    *testing.T
	cmd  *exec.Cmd
	f    *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	seen int // output before this offset has been matched already
	done chan struct{}
}

func startREPL(t *testing.T, env ...string) *term {
	t.Helper()
	bin, err := exec.LookPath("actorsh")
	if err != nil {
		t.Skip("actorsh not on PATH:", err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Skip("no pty:", err)
	}
	tm := &term{t: t, cmd: cmd, f: f, done: make(chan struct{})}
	go func() {
		defer close(tm.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			tm.mu.Lock()
			tm.out.Write(buf[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
		<-tm.done
	})
	tm.expect(`actorsh> `)
	return tm
}

func (tm *term) typ(s string) {
	tm.t.Helper()
	if _, err := tm.f.WriteString(s); err != nil {
		tm.t.Fatal(err)
	}
}

// expect waits until the output after the last match matches re.
func (tm *term) expect(re string) {
	tm.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		tm.mu.Lock()
		rest := tm.out.String()[tm.seen:]
		if loc := rx.FindStringIndex(rest); loc != nil {
			tm.seen += loc[1]
			tm.mu.Unlock()
			return
		}
		tm.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.t.Fatalf("no %q in the terminal output after the last match:\n%s", re, tm.out.String()[tm.seen:])
}

func (tm *term) wait() int {
	tm.t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- tm.cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				return ee.ExitCode()
			}
			tm.t.Fatal(err)
		}
		return 0
	case <-time.After(15 * time.Second):
		tm.t.Fatal("actorsh did not exit")
		return -1
	}
}

func TestREPL(t *testing.T) {
	hist := filepath.Join(t.TempDir(), "state", "history")
	tm := startREPL(t, "ACTORSH_HISTORY="+hist, "NO_COLOR=1")

	tm.typ("spawn counter --name c1\r")
	tm.expect(`<0\.2\.0> c1`)
	tm.typ("call c1 inc\r")
	tm.expect(outputLine("1"))

	// Tab completes commands, kinds, flags and live names.
	tm.typ("spa\t")
	tm.expect(`spawn `)
	tm.typ("coun\t")
	tm.expect(`counter `)
	tm.typ("--na\t")
	tm.expect(`--name `)
	tm.typ("c2\r")
	tm.expect(`<0\.3\.0> c2`)
	tm.typ("call c\t")
	tm.expect(`c1|c2`) // two candidates are listed
	tm.typ("2 get\r")
	tm.expect(outputLine("0"))

	// Ctrl-C at the prompt clears the line.
	tm.typ("this is not a command\x03")
	tm.expect(`\^C`)
	tm.typ("echo cleared\r")
	tm.expect(outputLine("cleared"))

	// Ctrl-C during a command interrupts it, and the shell goes on. The
	// marker printed first shows the line is running (the Ctrl-C handler
	// is in place before a line runs), so no sleep has to guess.
	tm.typ("echo go; sleep 30s\r")
	tm.expect(outputLine("go"))
	tm.typ("\x03")
	tm.expect(`interrupted`)
	tm.typ("echo still here\r")
	tm.expect(outputLine("still here"))

	// An error is reported and the shell goes on.
	tm.typ("call nobody get\r")
	tm.expect(`error: call nobody get: no process is registered as "nobody"`)

	// Ctrl-D leaves with status 0.
	tm.typ("\x04")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code after Ctrl-D = %d; want 0", code)
	}
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatalf("history file: %v", err)
	}
	if !strings.Contains(string(data), "spawn counter --name c1") {
		t.Errorf("history %q lacks the first command", data)
	}

	// A new session recalls history: Up arrow, and Ctrl-R search.
	tm = startREPL(t, "ACTORSH_HISTORY="+hist, "NO_COLOR=1")
	tm.typ("\x1b[A")
	tm.expect(`call nobody get`)
	tm.typ("\x03")
	tm.expect(`\^C`) // the line is cleared before the search begins
	tm.typ("\x12cleared")
	tm.expect(`echo cleared`)
	tm.typ("\r")
	// Leaving the search, readline may redraw the line (erase codes) before
	// the command's output, depending on how fast the keys arrived.
	tm.expect(outputLine("cleared"))
	tm.typ("exit\r")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code after exit = %d; want 0", code)
	}
}

// outputLine matches a line a command printed: after the newline of the
// typed line, readline may redraw (erase codes, carriage returns) before
// the output, depending on how fast the keys arrived and the machine's
// load.
func outputLine(text string) string {
	return `\r\n(?:\x1b\[[0-9;]*[A-Za-z]|\r)*` + regexp.QuoteMeta(text) + `\r\n`
}

func TestREPLNoHistory(t *testing.T) {
	dir := t.TempDir()
	tm := startREPL(t, "ACTORSH_HISTORY=", "XDG_STATE_HOME="+dir, "NO_COLOR=1")
	tm.typ("echo hello\r")
	tm.expect(outputLine("hello"))
	tm.typ("\x04")
	tm.wait()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("ACTORSH_HISTORY= still wrote %v", entries)
	}
}

// With --json the REPL's stdout holds JSON objects only: the banner, the
// prompt and the echo of what is typed go to stderr (user trial M6). The
// REPL runs on a terminal, so stdin and stdout are one pty and stderr is
// another.
func TestREPLJSONStdout(t *testing.T) {
	bin, err := exec.LookPath("actorsh")
	if err != nil {
		t.Skip("actorsh not on PATH:", err)
	}
	outM, outS, err := pty.Open()
	if err != nil {
		t.Skip("no pty:", err)
	}
	defer outM.Close()
	errM, errS, err := pty.Open()
	if err != nil {
		t.Skip("no pty:", err)
	}
	defer errM.Close()
	cmd := exec.Command(bin, "--json")
	cmd.Env = append(os.Environ(), "ACTORSH_HISTORY=", "NO_COLOR=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = outS, outS, errS
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	outS.Close()
	errS.Close()
	var mu sync.Mutex
	var stdout, stderr bytes.Buffer
	copyTo := func(b *bytes.Buffer, f *os.File) {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			mu.Lock()
			b.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}
	go copyTo(&stdout, outM)
	go copyTo(&stderr, errM)
	waitFor := func(b *bytes.Buffer, text string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			mu.Lock()
			got := strings.Contains(b.String(), text)
			mu.Unlock()
			if got {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q: stdout %q, stderr %q", text, stdout.String(), stderr.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// Type once the prompt is there: readline has the terminal in raw
	// mode then, so the terminal itself echoes nothing on stdout.
	waitFor(&stderr, "actorsh> ")
	if _, err := outM.Write([]byte("echo hello\r")); err != nil {
		t.Fatal(err)
	}
	waitFor(&stdout, `"text":"hello"`)
	// and again once the prompt is back: between lines the terminal is not
	// in raw mode, and would echo what is typed onto stdout
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		prompts := strings.Count(stderr.String(), "actorsh> ")
		mu.Unlock()
		if prompts >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	outM.Write([]byte("exit\r"))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("actorsh --json did not leave on exit")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, l := range strings.Split(strings.TrimSpace(strings.ReplaceAll(stdout.String(), "\r\n", "\n")), "\n") {
		if l == "exit" {
			// the terminal's own echo of the last line typed, when it came
			// before readline had the terminal in raw mode again (on a
			// loaded machine): the pty's line discipline wrote it, not
			// actorsh
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(l), &obj); err != nil {
			t.Errorf("stdout line %q is not a JSON object", l)
		}
	}
	if !strings.Contains(stderr.String(), "OTP-style actors in Go") {
		t.Errorf("the banner is not on stderr: %q", stderr.String())
	}
}

// TestREPLLearn walks the first lesson at the prompt, as a learner would:
// the story and where the exercise is, a verify that fails, the file
// edited (here, by the test), a verify that passes, the progress.
func TestREPLLearn(t *testing.T) {
	lessons, err := course.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	l := lessons[0]
	state := t.TempDir()
	tm := startREPL(t, "ACTORSH_HISTORY=", "NO_COLOR=1", "XDG_STATE_HOME="+state)
	tm.typ("learn\r")
	tm.expect(`0 of 13 done`)
	tm.typ("learn " + l.Name + "\r")
	tm.expect(`Your exercise: \$XDG_STATE_HOME/actorsh/course/` + l.Name + `/` + l.Exercise)
	tm.typ("learn verify\r")
	tm.expect(`fill in the blanks`)
	tm.expect(`Not yet`)
	if err := os.WriteFile(filepath.Join(state, "actorsh", "course", l.Name, l.Exercise), l.Solution, 0o644); err != nil {
		t.Fatal(err)
	}
	tm.typ("learn verify\r")
	tm.expect(`Well done\. learn next goes on to `)
	tm.typ("learn\r")
	tm.expect(`✓ ` + l.Name)
	tm.expect(`1 of 13 done`)
	tm.typ("exit\r")
	if code := tm.wait(); code != 0 {
		t.Errorf("exit status %d", code)
	}
}
