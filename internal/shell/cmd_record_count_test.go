package shell

import (
	"strings"
	"testing"
)

// A command that caused more than the recorder keeps at once is compared
// by count: which entries were kept depends on the order they came in.
func TestCompareCounts(t *testing.T) {
	if err := compareCounts(3, 12000, 12000); err != nil {
		t.Fatalf("equal counts: %v", err)
	}
	err := compareCounts(3, 12000, 11999)
	if err == nil || !strings.Contains(err.Error(), "diverged at command 3: it caused 12000 events and outputs when recorded, 11999 when replayed") {
		t.Fatalf("unequal counts: %v", err)
	}
}
