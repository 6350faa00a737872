package main

import (
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
	settle := func() { time.Sleep(50 * time.Millisecond) } // the HTTP side has no Quiesce of its own

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
	settle()
	get("GET", "/stats")

	time.Sleep(300 * time.Millisecond) // greeters go idle (-idle in the demo is short) and exit normal
	get("GET", "/stats")

	get("GET", "/greet?person=dave")
	get("POST", "/crash-stats") // rest_for_one: stats and GreeterSupervisor restart
	settle()
	get("GET", "/stats")
	get("GET", "/greet?person=dave")
}
