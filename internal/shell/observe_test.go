package shell

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/actorsh/actorsh/internal/observe"
)

// TestObserverDrivesSession: the observer's actions run in the session,
// through the prompt's command table; its snapshots are the --json
// results; the event stream tells what the action caused; the prompt
// still narrates it.
func TestObserverDrivesSession(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	var narration syncBuffer
	ios.Out = &narration
	_ = out
	s, err := NewSession(ios, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Exec(ctx, "sup start workers --max-restarts 3; spawn counter --sup workers --name c1"); err != nil {
		t.Fatal(err)
	}
	srv, err := observe.New(observerBackend{s}, observe.Options{Frame: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer func() {
		ts.CloseClientConnections()
		srv.Close()
		ts.Close()
	}()
	q := "?token=" + srv.Token()

	req, _ := http.NewRequest("GET", ts.URL+"/api/events"+q, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := make(chan map[string]any, 100)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var obj map[string]any
				if json.Unmarshal([]byte(data), &obj) == nil {
					events <- obj
				}
			}
		}
		close(events)
	}()

	post, err := http.Post(ts.URL+"/api/cmd"+q, "application/json", strings.NewReader(`{"line": "kill c1"}`))
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != 200 {
		t.Fatalf("POST kill c1: %d", post.StatusCode)
	}
	deadline := time.After(10 * time.Second)
	for seen := false; !seen; {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("the event stream ended")
			}
			seen = e["event"] == "restarted" && e["name"] == "c1" && strings.Contains(e["text"].(string), "sup workers restarted c1")
		case <-deadline:
			t.Fatal("no restarted event for c1 on the stream")
		}
	}
	if !strings.Contains(narration.String(), "c1 exited: killed") {
		t.Errorf("the prompt did not narrate the observer's kill:\n%s", narration.String())
	}
	// a page cannot end the session or its observer
	for _, line := range []string{"exit", "observe stop", "spawn counter; q", "kind new x", "watch 1s ls"} {
		if _, err := s.ExecJSON(ctx, line); err == nil || !strings.Contains(err.Error(), "is the prompt's to run") {
			t.Errorf("ExecJSON(%q) = %v, want a refusal", line, err)
		}
	}
	// the tree snapshot is tree's --json result, budget included
	tr, err := http.Get(ts.URL + "/api/tree" + q + "&root=workers")
	if err != nil {
		t.Fatal(err)
	}
	var tree map[string]any
	json.NewDecoder(tr.Body).Decode(&tree)
	tr.Body.Close()
	if tree["restarts"] != float64(1) || tree["max_restarts"] != float64(3) {
		t.Errorf("the tree's budget: %v/%v, want 1/3", tree["restarts"], tree["max_restarts"])
	}
	// snapshots answer while a command runs at the prompt
	long := make(chan error, 1)
	go func() { long <- s.Exec(ctx, "sleep 300ms") }()
	time.Sleep(50 * time.Millisecond)
	pr, err := http.Get(ts.URL + "/api/procs" + q + "&q=c1")
	if err != nil {
		t.Fatal(err)
	}
	var procs struct {
		Processes []map[string]any `json:"processes"`
	}
	json.NewDecoder(pr.Body).Decode(&procs)
	pr.Body.Close()
	if len(procs.Processes) != 1 || procs.Processes[0]["name"] != "c1" || procs.Processes[0]["supervisor"] != "workers" {
		t.Errorf("procs q=c1 during a sleep: %v", procs.Processes)
	}
	if err := <-long; err != nil {
		t.Fatal(err)
	}
	// a command typed at the prompt meanwhile is not disturbed: its
	// output is the prompt's
	before := narration.String()
	if err := s.Exec(ctx, "whereis c1"); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimPrefix(narration.String(), before); !strings.Contains(got, "<0.") {
		t.Errorf("whereis at the prompt printed %q", got)
	}
}
