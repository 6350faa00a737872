package shell

import (
	"context"
	"strings"
	"testing"

	"github.com/actorsh/actorsh/internal/iostreams"
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
	if !strings.Contains(out.String(), "👋 alice") || !strings.Contains(out.String(), "e boom -> restarted as") {
		t.Errorf("output:\n%s", out.String())
	}
	// Close stops every process and goroutine: goleak checks at exit.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
