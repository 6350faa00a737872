package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// runDemo drives the service over HTTP the way a client would; when it
// returns, run shuts the service down.
func runDemo(out io.Writer, base string) {
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	get := func(method, path string) {
		req, _ := http.NewRequest(method, base+path, nil)
		resp, err := client.Do(req)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			fmt.Fprintf(out, "%s %s: %v\n", method, path, err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Fprintf(out, "%s %-26s %d %s\n", method, path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	// statsWhen polls /stats until cond holds (at most 5 s: the HTTP side
	// has no Quiesce of its own), then prints it.
	statsWhen := func(cond func(Snapshot) bool) {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			resp, err := client.Get(base + "/stats")
			if err != nil {
				break
			}
			var snap Snapshot
			err = json.NewDecoder(resp.Body).Decode(&snap)
			resp.Body.Close()
			if err == nil && cond(snap) {
				break
			}
		}
		get("GET", "/stats")
	}

	get("GET", "/greet?person=alice")
	get("GET", "/greet?person=alice")
	get("GET", "/greet?person=bob")

	// Ten concurrent first visits for the same name: one start wins, the
	// others get already_started and call the winner.
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { get("GET", "/greet?person=carol") })
	}
	wg.Wait()

	get("GET", "/greet?person=mallory") // panics: 500, the transient child is restarted
	statsWhen(func(s Snapshot) bool { return s.Started == 5 && s.Crashed == 1 })

	// Greeters go idle (-idle in the demo is short) and exit normal.
	statsWhen(func(s Snapshot) bool { return len(s.Running) == 0 })

	get("GET", "/greet?person=dave")
	var before Snapshot
	if resp, err := client.Get(base + "/stats"); err == nil {
		json.NewDecoder(resp.Body).Decode(&before)
		resp.Body.Close()
	}
	get("POST", "/crash-stats") // rest_for_one: stats and GreeterSupervisor restart
	statsWhen(func(s Snapshot) bool { return s.PID != before.PID })
	get("GET", "/greet?person=dave")
}
