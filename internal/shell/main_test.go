package shell

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/actorsh/actorsh/internal/iostreams"
)

func runMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	code = Main(args, ios)
	return code, out.String(), errOut.String()
}

// TestCommandLines: newlines in -c separate commands as in a file, and
// errors name the line.
func TestCommandLines(t *testing.T) {
	code, out, errOut := runMain(t, "-c", "echo a\necho b; echo c\nnosuch")
	if code != ExitFailed || out != "a\nb\nc\n" || !strings.HasPrefix(errOut, "-c:3: nosuch: ") {
		t.Fatalf("-c with newlines: code %d, stdout %q, stderr %q; want a, b, c and an error at -c:3", code, out, errOut)
	}
}

// TestVersion: --version says which actorsh and which Go.
func TestVersion(t *testing.T) {
	code, out, _ := runMain(t, "--version")
	if code != ExitOK || !strings.HasPrefix(out, "actorsh ") || !strings.Contains(out, "(go1.") {
		t.Fatalf("--version: code %d, %q", code, out)
	}
}

// TestExitStatus: exit N ends a script with status N.
func TestExitStatus(t *testing.T) {
	if code, out, _ := runMain(t, "-c", "echo before; exit 3; echo after"); code != 3 || out != "before\n" {
		t.Fatalf("exit 3: code %d, stdout %q; want 3 and only before", code, out)
	}
	if code, _, _ := runMain(t, "-c", "exit"); code != ExitOK {
		t.Fatalf("exit: code %d; want 0", code)
	}
	if code, _, errOut := runMain(t, "-c", "exit 999"); code != ExitFailed || !strings.Contains(errOut, "exit status is a number from 0 to 255") {
		t.Fatalf("exit 999: code %d, %q; want a failure saying what an exit status is", code, errOut)
	}
}

// TestLongLine: a line over 1 MiB in a command file is an error that says
// FILE:LINE.
func TestLongLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "long.ash")
	if err := os.WriteFile(path, []byte("echo short\necho "+strings.Repeat("a", 2<<20)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runMain(t, "run", path)
	if code != ExitFailed || out != "short\n" || !strings.HasPrefix(errOut, path+":2: a line longer than 1048576 bytes") {
		t.Fatalf("a 2 MiB line: code %d, stdout %q, stderr %q", code, out, clip(errOut))
	}
}

func TestRoundDuration(t *testing.T) {
	for _, tt := range []struct{ in, want time.Duration }{
		{1234, 1234},
		{123456, 123500},
		{20312345, 20310000},
		{1234567891, 1235000000},
		{90 * time.Minute, 90 * time.Minute},
	} {
		if got := roundDuration(tt.in); got != tt.want {
			t.Errorf("roundDuration(%v) = %v; want %v", tt.in, got, tt.want)
		}
	}
}
