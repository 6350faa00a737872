package shell

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestOutputBounded: while a command runs, at most maxHeld events are
// held; the rest are counted and said, so memory stays bounded.
func TestOutputBounded(t *testing.T) {
	var b bytes.Buffer
	o := &output{w: &b}
	o.hold()
	for i := range maxHeld + 500 {
		o.event(record{text: fmt.Sprintf("tick %d", i), clock: uint64(i)})
	}
	if len(o.held) != maxHeld {
		t.Fatalf("held %d events; want at most %d", len(o.held), maxHeld)
	}
	o.flush(true)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != maxHeld+1 || !strings.HasPrefix(lines[maxHeld], "... and 500 more events not shown") {
		t.Fatalf("%d lines, the last %q; want %d and a line saying 500 were not shown", len(lines), lines[len(lines)-1], maxHeld+1)
	}
}

// TestHistoryRing: the events command sees the last historySize events,
// oldest first.
func TestHistoryRing(t *testing.T) {
	o := &output{w: &bytes.Buffer{}}
	for i := range historySize + 7 {
		o.event(record{text: fmt.Sprint(i)})
	}
	got := o.recent(3)
	if len(got) != 3 || got[0].text != fmt.Sprint(historySize+4) || got[2].text != fmt.Sprint(historySize+6) {
		t.Fatalf("recent(3) = %v; want the last three in order", got)
	}
	if all := o.recent(0); len(all) != historySize || all[0].text != "7" {
		t.Fatalf("recent(0) has %d, first %q; want %d from 7", len(all), all[0].text, historySize)
	}
}

// TestShellMailboxBounded: the shell process keeps at most
// maxShellMailbox messages for flush, and counts the rest.
func TestShellMailboxBounded(t *testing.T) {
	a := &shellActor{}
	for i := range maxShellMailbox + 5 {
		a.keep(FormatTerm(int64(i)))
	}
	kept, dropped := a.take()
	if len(kept) != maxShellMailbox || dropped != 5 || kept[0] != "0" {
		t.Fatalf("kept %d (first %q), dropped %d; want %d from 0, and 5", len(kept), kept[0], dropped, maxShellMailbox)
	}
	if kept, dropped := a.take(); len(kept) != 0 || dropped != 0 {
		t.Fatalf("after take: %d kept, %d dropped; want none", len(kept), dropped)
	}
}
