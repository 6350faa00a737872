package shell

import (
	"strings"
	"testing"

	"github.com/actorsh/actorsh/internal/iostreams"
)

// The session every catalogue line runs in, and what shows its state.
const (
	badPrelude  = "spawn counter --name c1; spawn counter --name c2; sup start w0; reg new topics --keys duplicate"
	badSnapshot = "ls --all; reg ls; tree; atoms"
)

// TestBadInputs runs the bad-input catalogue: each line, after a prelude,
// must fail with exit status 1 and its error, on one line and nothing
// else on stderr, print nothing on stdout and change nothing (processes,
// names, registries, the tree and the atom table are as without it).
func TestBadInputs(t *testing.T) {
	if len(badInputs) < 150 {
		t.Fatalf("the catalogue has %d inputs; it must have at least 150", len(badInputs))
	}
	run := func(script string) (code int, stdout, stderr string) {
		ios, _, out, errOut := iostreams.Test()
		code = Main([]string{"--keep-going", "-c", script}, ios)
		return code, out.String(), errOut.String()
	}
	code, want, stderr := run(badPrelude + "\n" + badSnapshot)
	if code != 0 || stderr != "" {
		t.Fatalf("the prelude fails: %d %s", code, stderr)
	}
	seen := map[string]bool{}
	for _, in := range badInputs {
		if seen[in.line] {
			t.Errorf("%q is in the catalogue twice", in.line)
		}
		seen[in.line] = true
		code, stdout, stderr := run(badPrelude + "\n" + in.line + "\n" + badSnapshot)
		name := in.line
		if len(name) > 60 {
			name = name[:60]
		}
		if code != ExitFailed {
			t.Errorf("%s: exit status %d; want %d", name, code, ExitFailed)
		}
		if stdout != want {
			t.Errorf("%s: it printed or changed something:\n%s", name, lineDiff(want, stdout))
		}
		wantErr := "-c:2: " + shown(in.line) + ": " + in.err + "\n"
		if stderr != wantErr {
			t.Errorf("%s:\n got stderr %q\nwant        %q", name, stderr, wantErr)
		}
	}
}

// TestBadInvocations: bad use of actorsh itself is a usage error (status
// 2) that says what to do, in plain words.
func TestBadInvocations(t *testing.T) {
	for _, tt := range []struct {
		args []string
		err  string
	}{
		{[]string{"--nosuch"}, "actorsh: unknown flag --nosuch"},
		{[]string{"--colour", "never"}, "actorsh: unknown flag --colour (did you mean --color?)"},
		{[]string{"-c"}, "actorsh: --command wants a value"},
		{[]string{"bench", "extra"}, `actorsh: bench takes no arguments, only flags (got "extra"): actorsh bench --help lists them`},
		{[]string{"run"}, "actorsh: run wants a command FILE, then the script's ARGs if any"},
		{[]string{"nosuch.ash"}, `actorsh: "nosuch.ash" is neither a command nor a file`},
		{[]string{"--color", "sometimes"}, `actorsh: --color "sometimes": want auto, always or never`},
		{[]string{"--atom-limit", "x"}, `actorsh: --atom-limit "x": want a decimal number`},
	} {
		ios, _, out, errOut := iostreams.Test()
		code := Main(tt.args, ios)
		if code != ExitUsage {
			t.Errorf("actorsh %v: exit status %d; want %d", tt.args, code, ExitUsage)
		}
		if out.Len() != 0 {
			t.Errorf("actorsh %v printed %q", tt.args, out.String())
		}
		if first, _, _ := strings.Cut(errOut.String(), "\n"); first != tt.err {
			t.Errorf("actorsh %v:\n got %q\nwant %q", tt.args, first, tt.err)
		}
	}
}

// lineDiff shows the lines of got that differ from want.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := range max(len(w), len(g)) {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString("-" + a + "\n+" + c + "\n")
		}
	}
	return b.String()
}
