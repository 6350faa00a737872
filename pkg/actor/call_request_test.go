package actor_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// echoActor replies to every call with the request.
type echoActor struct{}

func (echoActor) Init(*actor.Process) error { return nil }
func (echoActor) HandleCall(_ *actor.Process, _ actor.From, req any) (any, error) {
	return req, nil
}
func (echoActor) HandleCast(*actor.Process, any) error { return nil }

// silentActor never replies.
type silentActor struct{ echoActor }

func (silentActor) HandleCall(*actor.Process, actor.From, any) (any, error) {
	return actor.NoReply, nil
}

func TestSendRequest(t *testing.T) {
	rt := actor.NewRuntime(actor.Options{})
	defer rt.Shutdown(context.Background())
	pid, err := rt.Spawn(context.Background(), echoActor{}, actor.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r1, err := rt.SendRequest(pid, 1)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := rt.SendRequest(pid, 2)
	// replies are taken in any order, each once
	if v, err := r2.Wait(context.Background()); v != 2 || err != nil {
		t.Errorf("second request: %v, %v; want 2", v, err)
	}
	if v, err := r1.Wait(context.Background()); v != 1 || err != nil {
		t.Errorf("first request: %v, %v; want 1", v, err)
	}
	if r1.PID() != pid {
		t.Errorf("PID() = %v, want %v", r1.PID(), pid)
	}

	quiet, _ := rt.Spawn(context.Background(), silentActor{}, actor.SpawnOptions{})
	r, _ := rt.SendRequest(quiet, "hello")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := r.Wait(ctx); !errors.Is(err, actor.ErrTimeout) {
		t.Errorf("a request with no reply: %v, want a timeout", err)
	}

	rt.Exit(actor.PID{}, pid, actor.ErrKill)
	rt.Quiesce(context.Background())
	if _, err := rt.SendRequest(pid, 3); !errors.Is(err, actor.ErrNoProc) {
		t.Errorf("a request to a dead process: %v, want noproc", err)
	}
}
