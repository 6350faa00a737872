//go:build linux || darwin

package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestREPLObserve: observe typed at the prompt starts the observer beside
// the REPL, and a kill typed at that prompt shows in the page's tree, in
// a real Chromium (see internal/shell's browser tests for the rules: a
// missing browser fails under CI=true, skips elsewhere).
func TestREPLObserve(t *testing.T) {
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no chromium on PATH: .ci/run installs it")
		}
		t.Skip("no chromium on PATH: this test needs one (apt-get install -y chromium)")
	}
	tm := startREPL(t, "ACTORSH_HISTORY=", "NO_COLOR=1")
	tm.typ("sup start workers\r")
	tm.expect(`workers`)
	tm.typ("spawn counter --sup workers --name c1\r")
	tm.expect(`<0\.3\.0> c1`)
	tm.typ("observe\r")
	tm.expect(`observer at http://127\.0\.0\.1:\d+/\?token=[0-9a-f]+`)
	tm.mu.Lock()
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+/\?token=[0-9a-f]+`).FindString(tm.out.String())
	tm.mu.Unlock()

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path))...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	pid := func() string {
		tctx, c := context.WithTimeout(ctx, 10*time.Second)
		defer c()
		v, err := chromedp.Run(tctx, chromedp.Evaluate[string](`(document.querySelector('li[data-name="c1"]') || {dataset: {}}).dataset.pid || ""`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	deadline := time.Now().Add(10 * time.Second)
	for pid() != "0.3.0" {
		if time.Now().After(deadline) {
			t.Fatal("the page never showed c1 as <0.3.0>")
		}
		time.Sleep(20 * time.Millisecond)
	}
	tm.typ("kill c1\r")
	began := time.Now()
	for pid() == "0.3.0" {
		if time.Since(began) > 10*time.Second {
			t.Fatal("the page still shows c1 as <0.3.0> 10 s after kill c1 at the prompt")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("kill c1 typed at the prompt showed in the page in %v", time.Since(began))
	tm.typ("exit\r")
	tm.wait()
}
