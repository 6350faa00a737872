package shell

// This file holds msc: message sequence charts drawn from the flight
// recorder, as text for the terminal, mermaid and PlantUML for documents,
// and a self-contained SVG.

import (
	"fmt"
	"html"
	"os"
	"strings"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/spf13/cobra"
)

// mscStep is one row of a chart: an arrow between two lifelines, or a
// note over one (to is then -1).
type mscStep struct {
	seq      int
	from, to int // lifeline indexes; to < 0 for a note over from
	text     string
}

// chart is a sequence chart: lifelines in order of appearance and rows.
type chart struct {
	lines []string // lifeline labels; 0 is the shell
	steps []mscStep
}

// shellLine is the lifeline of the commands typed, "user" (the shell's
// own process, for --link and monitor shell, has a lifeline of its own).
const shellLine = 0

// maxChartSteps is how many rows msc draws by default (the newest).
const maxChartSteps = 40

func (h *history) chart(targets map[actor.PID]bool, names map[string]bool, since int, limit int) *chart {
	c := &chart{lines: []string{"user"}}
	index := map[actor.PID]int{}
	line := func(pid actor.PID) int {
		if pid.IsZero() {
			return shellLine
		}
		if i, ok := index[pid]; ok {
			return i
		}
		index[pid] = len(c.lines)
		c.lines = append(c.lines, h.who(pid))
		return index[pid]
	}
	wanted := func(pids ...actor.PID) bool {
		if len(targets) == 0 && len(names) == 0 {
			return true
		}
		for _, p := range pids {
			if !p.IsZero() && (targets[p] || names[h.label(p)]) {
				return true
			}
		}
		return false
	}
	// a process a restart started: its spawn is drawn as the restart
	restarted := map[actor.PID]bool{}
	for _, e := range h.entries {
		if e.typ == entryEvent && e.ev.Kind == actor.EventRestarted {
			restarted[e.ev.Other] = true
		}
	}
	// arrows and notes are added in the recorder's order; lifelines are
	// numbered afterwards, in order of first appearance among the rows kept
	type row struct {
		seq      int
		from, to actor.PID
		note     bool
		text     string
	}
	var rows []row
	for _, e := range h.entries {
		if e.seq < since {
			continue
		}
		switch e.typ {
		case entryCommand:
			name, rest, _ := strings.Cut(e.text, " ")
			switch name {
			case "call", "cast", "send":
				target, msg, _ := strings.Cut(rest, " ")
				if pid, err := h.resolveAt(target, e); err == nil && wanted(pid) {
					rows = append(rows, row{seq: e.seq, to: pid, text: strings.TrimSpace(name + " " + msg)})
				}
			}
			continue
		case entryResult:
			if c, ok := h.find(e.cmd); ok && strings.HasPrefix(c.text, "call ") {
				_, rest, _ := strings.Cut(c.text, " ")
				target, _, _ := strings.Cut(rest, " ")
				if pid, err := h.resolveAt(target, c); err == nil && wanted(pid) {
					rows = append(rows, row{seq: e.seq, from: pid, text: "reply " + e.text})
				}
			}
			continue
		case entryEvent:
		default:
			continue
		}
		ev := e.ev
		reason := actor.FormatReason(ev.Reason)
		switch ev.Kind {
		case actor.EventSpawned:
			if wanted(ev.PID, ev.Other) && !restarted[ev.PID] {
				rows = append(rows, row{seq: e.seq, from: ev.Other, to: ev.PID, text: "spawn " + ev.Detail})
			}
		case actor.EventSignal:
			if wanted(ev.PID, ev.Other) {
				label := "exit " + reason
				if ev.Detail == "link" {
					label = "EXIT " + reason + " (link)"
				}
				rows = append(rows, row{seq: e.seq, from: ev.Other, to: ev.PID, text: label})
			}
		case actor.EventExited:
			if wanted(ev.PID) {
				rows = append(rows, row{seq: e.seq, from: ev.PID, note: true, text: "exited: " + reason})
			}
		case actor.EventDown:
			if wanted(ev.PID, ev.Other) {
				rows = append(rows, row{seq: e.seq, from: ev.Other, to: ev.PID, text: "DOWN " + reason})
			}
		case actor.EventRestarted:
			if wanted(ev.PID, ev.Other, ev.Supervisor) || names[ev.Name] {
				why := ev.Detail
				if why == "" {
					why = budget(ev)
				}
				rows = append(rows, row{seq: e.seq, from: ev.Supervisor, to: ev.Other, text: "restart " + ev.Name + " (" + why + ")"})
			}
		case actor.EventNotRestarted:
			if wanted(ev.PID, ev.Supervisor) || names[ev.Name] {
				rows = append(rows, row{seq: e.seq, from: ev.Supervisor, note: true, text: "did not restart " + ev.Name + " (" + ev.Detail + ")"})
			}
		case actor.EventGaveUp:
			if wanted(ev.PID) {
				rows = append(rows, row{seq: e.seq, from: ev.PID, note: true,
					text: fmt.Sprintf("gave up: more than %d restarts in %s", ev.MaxRestarts, seconds(ev.Window))})
			}
		case actor.EventSent:
			// a command's own cast or send is drawn from the command
			if wanted(ev.PID, ev.Other) && !(ev.PID.IsZero() && h.fromCommand(e)) {
				verb := "cast"
				if ev.Detail == "info" {
					verb = "send"
				}
				rows = append(rows, row{seq: e.seq, from: ev.PID, to: ev.Other, text: verb + " " + FormatTerm(ev.Message)})
			}
		case actor.EventReceived:
			switch {
			case !wanted(ev.PID, ev.Other):
			case ev.Detail == "cast" || ev.Detail == "info": // drawn where it was sent
			case ev.Detail == "call" && !ev.Other.IsZero():
				rows = append(rows, row{seq: e.seq, from: ev.Other, to: ev.PID, text: "call " + FormatTerm(ev.Message)})
			case ev.Detail == "call" && h.fromCommand(e):
			default:
				rows = append(rows, row{seq: e.seq, from: ev.PID, note: true, text: "got " + ev.Detail + " " + FormatTerm(ev.Message)})
			}
		case actor.EventHandled:
			if ev.Detail != "call" || !wanted(ev.PID) {
				continue
			}
			if r, ok := h.before(e.seq, func(x actor.Event) bool {
				return x.Kind == actor.EventReceived && x.PID == ev.PID && x.Detail == "call"
			}); ok && !r.ev.Other.IsZero() {
				rows = append(rows, row{seq: e.seq, from: ev.PID, to: r.ev.Other, text: "reply " + FormatTerm(ev.Message)})
			}
		}
	}
	if limit > 0 && len(rows) > limit {
		rows = rows[len(rows)-limit:]
	}
	for _, r := range rows {
		st := mscStep{seq: r.seq, from: line(r.from), to: -1, text: r.text}
		if !r.note {
			st.to = line(r.to)
		}
		c.steps = append(c.steps, st)
	}
	return c
}

// fromCommand reports whether a traced process's receipt is the message a
// call, cast or send command sent it (drawn as the command's arrow).
func (h *history) fromCommand(e entry) bool {
	c, ok := h.find(e.cmd)
	if !ok {
		return false
	}
	name, _, _ := strings.Cut(c.text, " ")
	return name == "call" || name == "cast" || name == "send"
}

// resolveAt resolves a command's target as the chart draws it: the
// process the name named when the command ran, which the recorder may
// know better than the registry now.
func (h *history) resolveAt(target string, at entry) (actor.PID, error) {
	if pid, err := actor.ParsePID(target); err == nil {
		return pid, nil
	}
	if h.named == nil {
		h.named = map[string][]entry{}
		for _, e := range h.entries {
			if e.typ == entryEvent && (e.ev.Kind == actor.EventRegistered || e.ev.Kind == actor.EventSpawned) && e.ev.Name != "" {
				h.named[e.ev.Name] = append(h.named[e.ev.Name], e)
			}
		}
	}
	var found actor.PID
	for _, e := range h.named[target] {
		if e.seq > at.seq {
			break
		}
		found = e.ev.PID
	}
	if !found.IsZero() {
		return found, nil
	}
	return h.s.resolve(target)
}

func (c *chart) text() string {
	var b strings.Builder
	width := 0
	for _, l := range c.lines {
		width = max(width, len(l))
	}
	for _, st := range c.steps {
		from := c.lines[st.from]
		if st.to < 0 {
			fmt.Fprintf(&b, "%5d  %-*s   [%s]\n", st.seq, width, from, st.text)
			continue
		}
		fmt.Fprintf(&b, "%5d  %-*s ──▶ %s: %s\n", st.seq, width, from, c.lines[st.to], st.text)
	}
	return strings.TrimRight(b.String(), "\n")
}

// mermaidText escapes text for a mermaid message: its entity codes for
// the characters mermaid reads as syntax or HTML.
func mermaidText(s string) string {
	r := strings.NewReplacer("#", "#35;", ";", "#59;", "<", "#60;", ">", "#62;", "\n", " ")
	return r.Replace(s)
}

func (c *chart) mermaid() string {
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	for i, l := range c.lines {
		// a participant's label shows a PID in ‹›, which mermaid takes as
		// they are, where < and > would be read as HTML
		fmt.Fprintf(&b, "    participant p%d as %s\n", i, strings.NewReplacer("<", "‹", ">", "›", ";", ",", "#", "").Replace(l))
	}
	for _, st := range c.steps {
		if st.to < 0 {
			fmt.Fprintf(&b, "    Note over p%d: %s\n", st.from, mermaidText(st.text))
			continue
		}
		fmt.Fprintf(&b, "    p%d->>p%d: %s\n", st.from, st.to, mermaidText(st.text))
	}
	return strings.TrimRight(b.String(), "\n")
}

func plantText(s string) string {
	return strings.NewReplacer(`"`, `'`, "\n", " ").Replace(s)
}

func (c *chart) plantuml() string {
	var b strings.Builder
	b.WriteString("@startuml\n")
	for i, l := range c.lines {
		fmt.Fprintf(&b, "participant \"%s\" as p%d\n", plantText(l), i)
	}
	for _, st := range c.steps {
		if st.to < 0 {
			fmt.Fprintf(&b, "note over p%d : %s\n", st.from, plantText(st.text))
			continue
		}
		fmt.Fprintf(&b, "p%d -> p%d : %s\n", st.from, st.to, plantText(st.text))
	}
	b.WriteString("@enduml")
	return b.String()
}

// The SVG's geometry, in pixels.
const (
	svgColumn = 170
	svgRow    = 30
	svgTop    = 50
	svgMargin = 20
)

func (c *chart) svg() string {
	var b strings.Builder
	w := svgMargin*2 + svgColumn*len(c.lines)
	h := svgTop + svgRow*(len(c.steps)+1) + svgMargin
	x := func(i int) int { return svgMargin + svgColumn*i + svgColumn/2 }
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="monospace" font-size="11">`+"\n", w, h, w, h)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>` + "\n")
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n", w, h)
	for i, l := range c.lines {
		fmt.Fprintf(&b, `<rect x="%d" y="10" width="%d" height="24" rx="4" fill="#eef" stroke="#336"/>`, x(i)-svgColumn/2+8, svgColumn-16)
		fmt.Fprintf(&b, `<text x="%d" y="26" text-anchor="middle">%s</text>`, x(i), html.EscapeString(l))
		fmt.Fprintf(&b, `<line x1="%d" y1="34" x2="%d" y2="%d" stroke="#999" stroke-dasharray="4 3"/>`+"\n", x(i), x(i), h-svgMargin)
	}
	for k, st := range c.steps {
		y := svgTop + svgRow*k + svgRow/2
		text := html.EscapeString(st.text)
		if st.to < 0 {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="20" fill="#ffd" stroke="#aa6"/>`, x(st.from)-svgColumn/2+4, y-12, svgColumn-8)
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle"><title>event %d</title>%s</text>`+"\n", x(st.from), y+2, st.seq, text)
			continue
		}
		x1, x2 := x(st.from), x(st.to)
		if x1 == x2 { // to itself: a small loop
			fmt.Fprintf(&b, `<path d="M%d,%d h30 v10 h-30" fill="none" stroke="#333" marker-end="url(#arrow)"/>`, x1, y)
		} else {
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333" marker-end="url(#arrow)"/>`, x1, y, x2, y)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle"><title>event %d</title>%s</text>`+"\n", (x1+x2)/2, y-4, st.seq, text)
	}
	b.WriteString("</svg>")
	return b.String()
}

func newCmdMsc(s *Session) *cobra.Command {
	var format, out string
	var since, limit int
	c := &cobra.Command{
		Annotations: map[string]string{completeKey: "process..."},
		Use:         "msc [TARGET...] [--since N] [--limit N] [--format text|mermaid|plantuml|svg] [--out FILE]",
		Short:       "draw a message sequence chart of what the flight recorder saw",
		Long: "Draws the last events as a sequence chart: one lifeline per process (named by its registered\n" +
			"name) and one, user, for the commands; arrows for the commands' calls, casts and sends and the calls'\n" +
			"replies, spawns, exit signals (kill, and EXIT along links), DOWNs and restarts (with the rule\n" +
			"or the budget); notes for exits, decisions not to restart, a supervisor giving up and what traced\n" +
			"processes got. With TARGETs, only rows about them. --since N starts at event N (the seq of\n" +
			"record and why); --limit keeps the newest N rows (default 40). Formats: text for the terminal,\n" +
			"mermaid (sequenceDiagram) and plantuml for documents, svg, a self-contained picture; --out\n" +
			"writes it to FILE.",
		Example: "kill c1; msc c1\nmsc --format mermaid\nmsc --since 1 --format svg --out chart.svg",
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return fmt.Errorf("--limit %d: want 0 (all) or more", limit)
			}
			h := s.history()
			targets, names := map[actor.PID]bool{}, map[string]bool{}
			for _, a := range args {
				if pid, err := actor.ParsePID(a); err == nil {
					targets[pid] = true
					continue
				}
				pid, err := s.resolve(a)
				if err != nil && !h.knows(a) {
					return err
				}
				if err == nil {
					targets[pid] = true
				}
				names[a] = true
			}
			ch := h.chart(targets, names, since, limit)
			var text string
			switch format {
			case "text":
				text = ch.text()
			case "mermaid":
				text = ch.mermaid()
			case "plantuml":
				text = ch.plantuml()
			case "svg":
				text = ch.svg()
			default:
				return badChoice("format", format, []string{"text", "mermaid", "plantuml", "svg"})
			}
			if len(ch.steps) == 0 && format == "text" {
				text = "(nothing to draw: the flight recorder has no events about that)"
			}
			if out != "" {
				if err := os.WriteFile(out, []byte(text+"\n"), 0o644); err != nil {
					return createError(out, err)
				}
				s.result("msc", fmt.Sprintf("wrote a %s chart of %d rows to %s", format, len(ch.steps), out), map[string]any{"file": out, "rows": len(ch.steps), "format": format})
				return nil
			}
			s.result("msc", text, map[string]any{"format": format, "rows": len(ch.steps), "chart": text})
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "text", "text, mermaid, plantuml or svg")
	c.Flags().StringVar(&out, "out", "", "write the chart to FILE")
	c.Flags().IntVar(&since, "since", 0, "start at event N")
	c.Flags().IntVar(&limit, "limit", maxChartSteps, "draw the newest N rows (0: all)")
	return c
}

// knows reports whether the recorder saw a process named name.
func (h *history) knows(name string) bool {
	for _, l := range h.labels {
		if l == name {
			return true
		}
	}
	return false
}
