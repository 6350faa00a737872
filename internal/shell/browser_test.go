package shell

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/actorsh/actorsh/internal/observe"
	"github.com/chromedp/chromedp"
)

// The browser tests drive the observer's page in a real Chromium: under
// CI=true a missing browser fails them (.ci/run installs Debian's
// chromium); elsewhere they skip, saying so. Screenshots go to
// $ACTORSH_SCREENSHOTS when it is set (the README's come from there).

func browser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no chromium on PATH: .ci/run installs it (apt-get install -y chromium)")
		}
		t.Skip("no chromium on PATH: the browser tests need one (apt-get install -y chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.WindowSize(1200, 700))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout of its own
		t.Fatal(err)
	}
	return ctx
}

// observed is a session with an observer on loopback.
func observed(t *testing.T, opts Options) (*Session, string) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	var out syncBuffer
	ios.Out = &out
	s, err := NewSession(ios, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	url, _, err := s.startObserver("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return s, url
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("ACTORSH_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: a PNG
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// within runs an action with a timeout of its own.
func within[T any](t *testing.T, ctx context.Context, d time.Duration, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// pidOf is the PID the page shows for name.
func pidOf(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	return within(t, ctx, 10*time.Second, chromedp.Evaluate[string](
		fmt.Sprintf(`(document.querySelector('li[data-name=%q]') || {dataset: {}}).dataset.pid || ""`, name)))
}

// waitPID waits until the page shows name with a PID other than old, and
// says how long that took.
func waitPID(t *testing.T, ctx context.Context, name, old string) (string, time.Duration) {
	t.Helper()
	began := time.Now()
	for time.Since(began) < 10*time.Second {
		if pid := pidOf(t, ctx, name); pid != "" && pid != old {
			return pid, time.Since(began)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the page still shows %s as %s after 10 s", name, old)
	return "", 0
}

func TestBrowserObserver(t *testing.T) {
	ctx := browser(t)
	s, url := observed(t, Options{})
	if err := s.Exec(context.Background(), "sup start workers --max-restarts 3; spawn counter --sup workers --name c1; spawn counter --sup workers --name c2"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS(`li[data-name="c1"]`)))
	within(t, ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS(`.status.live`)))

	// a kill typed at the prompt shows in the page's tree
	old := pidOf(t, ctx, "c1")
	if err := s.Exec(context.Background(), "kill c1"); err != nil {
		t.Fatal(err)
	}
	fresh, took := waitPID(t, ctx, "c1", old)
	t.Logf("a kill at the prompt showed in the page in %v (%s -> %s)", took, old, fresh)
	if pid, _ := s.lookupName("c1"); pidKey(pid.String()) != fresh {
		t.Errorf("the page shows c1 as %s, the runtime as %v", fresh, pid)
	}

	// the budget bar says 1/3
	budget := within(t, ctx, 10*time.Second, chromedp.Text(chromedp.CSS(`li[data-name="workers"] > details > summary .budgettext`)))
	if budget != "1/3 in 5s" {
		t.Errorf("workers' budget reads %q, want 1/3 in 5s", budget)
	}
	// and the timeline narrates the restart (its frame may come after the
	// tree was read again)
	tctx, cancelPoll := context.WithTimeout(ctx, 10*time.Second)
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](`document.getElementById("timeline").textContent.includes("sup workers restarted c1")`)); err != nil {
		line, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("timeline").textContent`))
		t.Errorf("the timeline does not narrate the restart: %q", line)
	}
	cancelPoll()
	screenshot(t, ctx, "observer-tree.png")

	// a kill clicked in the page happens in the runtime
	before, _ := s.lookupName("c2")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`li[data-name="c2"] > .node button.act`))); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if now, ok := s.lookupName("c2"); ok && now != before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("c2 is still %v after its kill button was clicked", before)
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitPID(t, ctx, "c2", pidKey(before.String()))

	// why, clicked, explains the restart
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`li[data-name="c1"] > .node button.act:nth-of-type(2)`))); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 10*time.Second, chromedp.Poll[bool](`document.getElementById("why").textContent.includes("sent by")`))

	// why, for a line of the timeline: the exit it tells
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#timeline li.why-able`))); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 10*time.Second, chromedp.Poll[bool](`document.getElementById("why").textContent.includes("exited with killed, sent by")`))

	// the processes page, busiest first, and one process with its actions
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav button[data-tab="procs"]`))); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS(`#procs tbody tr`)))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#procs tbody tr[data-pid="0.2.0"]`))); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 10*time.Second, chromedp.Poll[bool](`document.getElementById("proc").textContent.includes("supervisor")`))
	// a traced process's card shows what it got
	if err := s.Exec(context.Background(), "trace on c1; call c1 inc"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#procs tbody tr[data-pid="`+fresh+`"]`))); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 10*time.Second, chromedp.Poll[bool](`document.getElementById("proc").textContent.includes("got call inc")`))
	screenshot(t, ctx, "observer-why.png")
	// registries and the sequence chart
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav button[data-tab="regs"]`))); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 10*time.Second, chromedp.Poll[bool](`document.getElementById("regs").textContent.includes("names")`))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav button[data-tab="chart"]`))); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 10*time.Second, chromedp.Poll[bool](`!!document.querySelector("#chart svg text")`))
}

func pidKey(pid string) string { return strings.Trim(pid, "<>") }

// TestBrowserBigTree: a tree of many processes loads, paged, in the
// page; the time it takes is measured and reported, not asserted.
func TestBrowserBigTree(t *testing.T) {
	ctx := browser(t)
	n := 1_000_000
	if raceEnabled || testing.Short() {
		n = 100_000 // the race detector makes a million spawns take minutes
	}
	s, url := observed(t, Options{})
	began := time.Now()
	if err := s.Exec(context.Background(), fmt.Sprintf("events off; spawn counter --name w{i} --count %d", n)); err != nil {
		t.Fatal(err)
	}
	t.Logf("spawned %d processes in %v", n, time.Since(began))
	began = time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 60*time.Second, chromedp.WaitVisible(chromedp.CSS(`li[data-name="w1"]`)))
	t.Logf("the page showed the tree of %d processes in %v", n, time.Since(began))
	more := within(t, ctx, 10*time.Second, chromedp.Text(chromedp.CSS(`li.more`)))
	if want := fmt.Sprintf("... and %d more", n-10); !strings.HasPrefix(more, want) {
		t.Errorf("the tree's summary says %q, want %q", more, want)
	}
	rows := within(t, ctx, 10*time.Second, chromedp.Evaluate[int](`document.querySelectorAll("li").length`))
	if rows > 100 {
		t.Errorf("the page renders %d rows for %d processes", rows, n)
	}
	// the next page of children, on demand
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`li.more button.act`))); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS(`li[data-name="w60"]`)))
	// a search among the children
	began = time.Now()
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`li.more input.search`), "w99999\n")); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 60*time.Second, chromedp.WaitVisible(chromedp.CSS(`li[data-name="w99999"]`)))
	t.Logf("a search among %d children found w99999 in %v", n, time.Since(began))
	// what happens among the children the page does not show is counted,
	// not streamed to it
	if err := s.Exec(context.Background(), "spawn counter --name x{i} --count 20"); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 10*time.Second, chromedp.Poll[bool](`document.getElementById("elsewhere").textContent.includes("events elsewhere")`))
	if n := within(t, ctx, 10*time.Second, chromedp.Evaluate[int](`document.getElementById("timeline").children.length`)); n > 5 {
		t.Errorf("the timeline shows %d lines of what happened where the page does not look", n)
	}
}

var _ = observe.DefaultFrame
