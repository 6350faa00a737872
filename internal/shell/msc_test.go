package shell

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/actorsh/actorsh/internal/iostreams"
)

// chartSession runs a session whose names and reasons hold the characters
// that XML, mermaid and PlantUML read as syntax.
func chartSession(t *testing.T) *Session {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	s, err := NewSession(ios, Options{VirtualClock: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, line := range []string{
		`sup start "w<&>" --strategy one_for_all`,
		`spawn counter --sup "w<&>" --name "a&b"`,
		`spawn counter --sup "w<&>" --name "c;#d"`,
		`spawn counter --name "l\"1"`,
		`call "a&b" inc`,
		`kill "a&b" "<boom>"`,
		`kill "l\"1" "x;y#z"`,
	} {
		if err := s.Exec(context.Background(), line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	return s
}

// TestMscSVGWellFormed: the SVG is well-formed XML, whatever the names.
func TestMscSVGWellFormed(t *testing.T) {
	s := chartSession(t)
	c := s.history().chart(nil, nil, 0, 0)
	if len(c.steps) < 10 {
		t.Fatalf("the chart has %d rows; want the session's spawns, kills, exits and restarts", len(c.steps))
	}
	svg := c.svg()
	d := xml.NewDecoder(strings.NewReader(svg))
	texts := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "text" {
			texts++
		}
	}
	if want := len(c.lines) + len(c.steps); texts != want {
		t.Errorf("the SVG has %d text elements; want one per lifeline and row, %d", texts, want)
	}
	if !strings.Contains(svg, "restart a&amp;b (1/3 in 5s)") {
		t.Errorf("the SVG does not show a&b's restart, escaped:\n%s", svg)
	}
}

// TestMscMermaidParses checks every line of the mermaid chart against
// the grammar of the sequenceDiagram subset msc writes: odd names must not
// break out of a participant, an arrow or a note.
func TestMscMermaidParses(t *testing.T) {
	s := chartSession(t)
	text := s.history().chart(nil, nil, 0, 0).mermaid()
	lines := strings.Split(text, "\n")
	if lines[0] != "sequenceDiagram" {
		t.Fatalf("first line %q, want sequenceDiagram", lines[0])
	}
	participant := regexp.MustCompile(`^    participant p[0-9]+ as [^<>;#\n]+$`)
	// message text: no raw <, >, ; or #, except in entity codes (#60;)
	const msg = `(?:[^<>;#\n]|#[0-9]+;)+`
	arrow := regexp.MustCompile(`^    p[0-9]+->>p[0-9]+: ` + msg + `$`)
	note := regexp.MustCompile(`^    Note over p[0-9]+: ` + msg + `$`)
	declared := map[string]bool{}
	for _, l := range lines[1:] {
		switch {
		case participant.MatchString(l):
			declared[strings.Fields(l)[1]] = true
		case arrow.MatchString(l), note.MatchString(l):
			for _, p := range regexp.MustCompile(`p[0-9]+`).FindAllString(strings.SplitN(l, ":", 2)[0], -1) {
				if !declared[p] {
					t.Errorf("%q uses %s before it is declared", l, p)
				}
			}
		default:
			t.Errorf("not a line of a sequenceDiagram: %q", l)
		}
	}
	for _, want := range []string{`exited: "#60;boom#62;"`, `exit "x#59;y#35;z"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the chart does not show %q:\n%s", want, text)
		}
	}
}
