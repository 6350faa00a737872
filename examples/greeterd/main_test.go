package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemo runs the service and drives it over HTTP as its -demo flag
// does, checking the OTP behaviour its Elixir twin shows: visits share one
// worker per person, a crashing worker is restarted (transient), idle
// workers exit normally and are not restarted, a crash of Stats restarts
// Stats and the greeter supervisor after it (rest_for_one), and shutdown
// leaves no process.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, &out, []string{"-demo", "-idle", "200ms"}); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	text := out.String()
	t.Log(text)
	// PIDs come JSON-escaped: \u003c0.4.0\u003e.
	want := []string{
		`(?m)^GET /greet\?person=alice\s+200 "👋 alice \(visit 1, \\u003c0\.\d+\.0\\u003e\)"$`,
		`(?m)^GET /greet\?person=alice\s+200 "👋 alice \(visit 2, \\u003c0\.\d+\.0\\u003e\)"$`,
		`(?m)^GET /greet\?person=bob\s+200 "👋 bob \(visit 1, `,
		`(?m)^GET /greet\?person=mallory\s+500 worker crashed: mallory is not welcome$`,
		`(?m)^GET /stats\s+200 \{"started":5,"completed":0,"crashed":1,"running":\["alice","bob","carol","mallory"\]`,
		`(?m)^GET /stats\s+200 \{"started":5,"completed":4,"crashed":1,"running":\[\]`,
		`(?m)^POST /crash-stats\s+200 "cast sent to \\u003c0\.\d+\.0\\u003e"$`,
		`(?m)^GET /stats\s+200 \{"started":0,"completed":0,"crashed":0,"running":\[\]`,
		`(?m)^app supervisor exited: shutdown; 0 processes left$`,
	}
	for _, re := range want {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("output has no line matching %s", re)
		}
	}
	// The ten concurrent first visits of carol reached one worker, visits 1 to 10.
	var visits []string
	pids := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	carol := regexp.MustCompile(`person=carol\s+200 "👋 carol \(visit (\d+), (\\u003c0\.\d+\.0\\u003e)\)"`)
	for sc.Scan() {
		if m := carol.FindStringSubmatch(sc.Text()); m != nil {
			visits = append(visits, m[1])
			pids[m[2]] = true
		}
	}
	if len(visits) != 10 || len(pids) != 1 {
		t.Errorf("carol's visits %v by %d processes; want 10 visits by one", visits, len(pids))
	}
	// Both of dave's visits are his first: the greeter supervisor was
	// restarted, with its children, between them.
	if n := strings.Count(text, "👋 dave (visit 1,"); n != 2 {
		t.Errorf("dave's first visits: %d; want 2", n)
	}
}

// TestSize holds the program to the size that the review's API changes
// were meant to allow: at most 250 non-blank, non-comment lines.
func TestSize(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "//") {
			n++
		}
	}
	if n > 250 {
		t.Errorf("main.go has %d non-blank, non-comment lines; want at most 250", n)
	}
	t.Logf("main.go: %d non-blank, non-comment lines", n)
}
