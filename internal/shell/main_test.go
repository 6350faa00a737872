package shell

import (
	"strings"
	"testing"

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
