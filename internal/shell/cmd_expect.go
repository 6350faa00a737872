package shell

// This file holds expect, the assertion of scripts and lessons: a small
// grammar of checks against the runtime as it is and against what the
// flight recorder saw since the expectations before.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"github.com/spf13/cobra"
)

const expectLong = `Checks one thing and fails the script (FILE:LINE: and the narration that led up to it)
when it does not hold. The checks:
  expect whereis NAME == PID     NAME names PID (also != PID; PID may be undefined)
  expect alive TARGET            TARGET is a running process (expect dead TARGET: it is not)
  expect restarted NAME          a supervisor restarted NAME
  expect not-restarted NAME      a supervisor decided not to restart NAME
  expect exited NAME [REASON]    NAME exited (with REASON, as narration prints it)
  expect kept NAME               NAME did not exit: the same process goes on
  expect down NAME [REASON]      a monitor of NAME fired: its holder got DOWN (with REASON)
  expect gave-up SUP             SUP exceeded its restart intensity
  expect output TEXT             a line printed contains TEXT (a process's, a result, narration)
  expect last VALUE              the last result ($_: a call's reply, a PID) is VALUE, as printed
  expect tree SUP KEY=VALUE...   SUP has restarts=N/M (used of its budget), children=N (running),
                                 strategy=S
  expect count names|processes|atoms N
                                 the names registry holds N names; N processes run; N atoms
                                 of the simulated atom table are used
  expect count children SUP N    SUP has N running children
restarted, not-restarted, exited, gave-up and output look at what happened since the
expectations before (or the session's start): expectations in a row check the same commands.
The others check the runtime now.`

func newCmdExpect(s *Session) *cobra.Command {
	return keepRaw(&cobra.Command{
		Annotations:        map[string]string{completeKey: "whereis|alive|dead|restarted|not-restarted|exited|kept|down|gave-up|output|last|tree|count process..."},
		Use:                "expect CHECK...",
		Short:              "check that something holds (a name, a restart, an exit, output, a budget), or fail the script",
		Long:               expectLong,
		Example:            "kill c1; expect restarted c1; expect whereis c1 != <0.4.0>\nexpect tree workers restarts=0/3 children=2\nexpect count names 8",
		DisableFlagParsing: true,
		Args:               rangeArgs(1, 64, "a check, e.g. expect restarted c1"),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Expectations in a row check the same stretch: what happened
			// since the expectations before the last commands.
			s.rec.flush()
			if s.actedSince(s.expectAt) {
				s.expectFrom = s.expectAt
			}
			since := s.expectFrom
			defer func() { s.rec.flush(); s.expectAt = s.rec.lastSeq() }()
			words := make([]string, len(args))
			for i, a := range args {
				words[i] = unquote(a)
			}
			ok, detail, err := s.check(cmd.Context(), words, since)
			if err != nil {
				return err
			}
			if !ok {
				return &expectError{detail: detail, before: s.narrationSince(since)}
			}
			s.result("expect", "", map[string]any{"check": strings.Join(words, " "), "ok": true})
			return nil
		},
	}, 0)
}

// looking are the commands that only look at what happened: an
// expectation after them checks the same stretch as the one before them.
var looking = map[string]bool{"expect": true, "why": true, "why-not": true, "msc": true}

// actedSince reports whether a command ran after seq that did more than
// look (see looking).
func (s *Session) actedSince(seq int) bool {
	for _, e := range s.rec.entries() {
		if e.seq > seq && e.typ == entryCommand {
			if name, _, _ := strings.Cut(e.text, " "); !looking[name] {
				return true
			}
		}
	}
	return false
}

// expectError is a failed expectation: what was found instead, and the
// narration that came before it.
type expectError struct {
	detail string
	before []string
}

func (e *expectError) Error() string {
	var b strings.Builder
	b.WriteString(e.detail)
	if len(e.before) > 0 {
		b.WriteString("\n  what happened before it:")
		for _, l := range e.before {
			b.WriteString("\n    " + l)
		}
	} else {
		b.WriteString("\n  (nothing was printed since the expectations before)")
	}
	return b.String()
}

// maxBefore bounds the narration a failed expectation shows.
const maxBefore = 12

// narrationSince is what was printed after seq: results, narration and
// what processes said, at most the last maxBefore lines.
func (s *Session) narrationSince(seq int) []string {
	var lines []string
	entries := s.rec.entries()
	commands := map[int]string{}
	for _, e := range entries {
		if e.typ == entryCommand {
			commands[e.seq], _, _ = strings.Cut(e.text, " ")
		}
	}
	for _, e := range entries {
		if e.seq <= seq || e.text == "" || looking[commands[e.cmd]] {
			continue
		}
		switch e.typ {
		case entryEvent, entryOutput, entryResult, entryCluster:
			lines = append(lines, strings.Split(e.text, "\n")...)
		}
	}
	if len(lines) > maxBefore {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-maxBefore)}, lines[len(lines)-maxBefore:]...)
	}
	return lines
}

// withReason checks expect exited|down NAME [REASON]: an event that is
// matches, with REASON if given; said words what was found instead
// (the reasons), none that nothing was.
func withReason(w []string, what string, events func(func(entry) bool) (entry, bool), is func(entry) bool,
	said func(reasons string) string, none string) (bool, string, error) {
	if len(w) != 2 && len(w) != 3 {
		return false, "", fmt.Errorf("want expect %s NAME [REASON]", what)
	}
	var reasons []string
	if _, ok := events(func(e entry) bool {
		if e.typ != entryEvent || !is(e) {
			return false
		}
		r := actor.FormatReason(e.ev.Reason)
		reasons = append(reasons, r)
		return len(w) == 2 || r == w[2]
	}); ok {
		return true, "", nil
	}
	if len(reasons) > 0 {
		return false, said(strings.Join(reasons, ", then ")), nil
	}
	return false, none, nil
}

// check runs one expectation: whether it holds, and if not, what was
// found; err is a check that is not well formed.
func (s *Session) check(ctx context.Context, w []string, since int) (bool, string, error) {
	want := func(n int, form string) error {
		if len(w) != n {
			return fmt.Errorf("want %s", form)
		}
		return nil
	}
	h := s.history()
	events := func(match func(entry) bool) (entry, bool) {
		for _, e := range h.entries {
			if e.seq > since && match(e) {
				return e, true
			}
		}
		return entry{}, false
	}
	switch w[0] {
	case "whereis":
		if len(w) != 4 || (w[2] != "==" && w[2] != "!=") {
			return false, "", errors.New("want expect whereis NAME == PID (or != PID; PID may be undefined)")
		}
		pid, found := s.lookupName(w[1])
		got := "undefined"
		if found {
			got = pid.String()
		}
		if w[3] != "undefined" {
			if _, err := actor.ParsePID(w[3]); err != nil {
				return false, "", fmt.Errorf("%q is not a PID (<0.4.0>) or undefined", clip(w[3]))
			}
		}
		if (got == w[3]) == (w[2] == "==") {
			return true, "", nil
		}
		return false, fmt.Sprintf("whereis %s is %s", w[1], got), nil
	case "alive", "dead":
		if err := want(2, "expect "+w[0]+" TARGET"); err != nil {
			return false, "", err
		}
		pid, err := s.resolve(w[1])
		alive := err == nil && s.runtime().Alive(pid)
		if alive == (w[0] == "alive") {
			return true, "", nil
		}
		if alive {
			return false, fmt.Sprintf("%s is alive, as %s", w[1], pid), nil
		}
		return false, w[1] + " is not a running process", nil
	case "restarted", "not-restarted", "gave-up":
		if err := want(2, "expect "+w[0]+" NAME"); err != nil {
			return false, "", err
		}
		kind := map[string]actor.EventKind{"restarted": actor.EventRestarted, "not-restarted": actor.EventNotRestarted, "gave-up": actor.EventGaveUp}[w[0]]
		if _, ok := events(func(e entry) bool {
			if e.typ != entryEvent || e.ev.Kind != kind {
				return false
			}
			if kind == actor.EventGaveUp {
				return h.label(e.ev.PID) == w[1] || e.ev.PID.String() == w[1]
			}
			return e.ev.Name == w[1]
		}); ok {
			return true, "", nil
		}
		switch w[0] {
		case "not-restarted":
			return false, fmt.Sprintf("no supervisor decided not to restart %s since the expectations before", w[1]), nil
		case "gave-up":
			return false, fmt.Sprintf("%s did not give up since the expectations before", w[1]), nil
		}
		return false, fmt.Sprintf("%s was not restarted since the expectations before", w[1]), nil
	case "exited":
		return withReason(w, "exited", events, func(e entry) bool { return e.ev.Kind == actor.EventExited && h.exitOf(e, w[1]) },
			func(rs string) string { return fmt.Sprintf("%s exited with %s", w[1], rs) },
			w[1]+" did not exit since the expectations before")
	case "down":
		return withReason(w, "down", events, func(e entry) bool {
			return e.ev.Kind == actor.EventDown && (h.label(e.ev.Other) == w[1] || e.ev.Other.String() == w[1])
		},
			func(rs string) string { return fmt.Sprintf("the DOWN for %s said %s", w[1], rs) },
			fmt.Sprintf("no DOWN for %s since the expectations before: is it monitored?", w[1]))
	case "kept":
		if err := want(2, "expect kept NAME"); err != nil {
			return false, "", err
		}
		if _, err := s.resolve(w[1]); err != nil {
			return false, "", err
		}
		if e, ok := events(func(e entry) bool {
			return e.typ == entryEvent && e.ev.Kind == actor.EventExited && h.exitOf(e, w[1])
		}); ok {
			return false, fmt.Sprintf("%s exited with %s", w[1], actor.FormatReason(e.ev.Reason)), nil
		}
		return true, "", nil
	case "last":
		if len(w) < 2 {
			return false, "", errors.New("want expect last VALUE, e.g. expect last 1")
		}
		v := strings.Join(w[1:], " ")
		if s.last == v {
			return true, "", nil
		}
		if s.last == "" {
			return false, "there is no last result yet (call, spawn, whereis give one)", nil
		}
		return false, fmt.Sprintf("the last result is %s", s.last), nil
	case "output":
		if err := want(2, `expect output TEXT, e.g. expect output "👋 alice"`); err != nil {
			return false, "", err
		}
		if _, ok := events(func(e entry) bool {
			return (e.typ == entryOutput || e.typ == entryResult || e.typ == entryEvent || e.typ == entryCluster) && strings.Contains(e.text, w[1])
		}); ok {
			return true, "", nil
		}
		return false, fmt.Sprintf("nothing printed since the expectations before contains %q", w[1]), nil
	case "tree":
		if len(w) < 3 {
			return false, "", errors.New("want expect tree SUP KEY=VALUE..., e.g. expect tree workers restarts=1/3")
		}
		pid, err := s.resolveLocal(w[1])
		if err != nil {
			return false, "", err
		}
		d, err := supervisor.Describe(ctx, s.runtime(), pid)
		if err != nil {
			return false, "", fmt.Errorf("%s is not a supervisor", w[1])
		}
		for _, kv := range w[2:] {
			k, v, ok := strings.Cut(kv, "=")
			var got string
			switch k {
			case "restarts":
				got = fmt.Sprintf("%d/%d", d.Restarts, d.MaxRestarts)
			case "children":
				got = strconv.Itoa(d.Counts.Active)
			case "strategy":
				got = d.Strategy.String()
				if d.Dynamic {
					got = "dynamic"
				}
			default:
				ok = false
			}
			if !ok {
				return false, "", fmt.Errorf("%q: want restarts=N/M, children=N or strategy=S", clip(kv))
			}
			if got != v {
				return false, fmt.Sprintf("%s has %s=%s", w[1], k, got), nil
			}
		}
		return true, "", nil
	case "count":
		var got int
		switch {
		case len(w) == 3 && w[1] == "names":
			s.mu.Lock()
			got = s.names.Count()
			s.mu.Unlock()
		case len(w) == 3 && w[1] == "processes":
			got = s.runtime().NumProcesses()
		case len(w) == 3 && w[1] == "atoms":
			s.mu.Lock()
			got, _ = s.atoms.count()
			s.mu.Unlock()
		case len(w) == 4 && w[1] == "children":
			pid, err := s.resolveLocal(w[2])
			if err != nil {
				return false, "", err
			}
			c, err := supervisor.CountChildren(ctx, s.runtime(), pid)
			if err != nil {
				return false, "", fmt.Errorf("%s is not a supervisor", w[2])
			}
			got = c.Active
		default:
			return false, "", errors.New("want expect count names N, count processes N, count atoms N or count children SUP N")
		}
		n, err := strconv.Atoi(w[len(w)-1])
		if err != nil {
			return false, "", fmt.Errorf("%q: want a count", clip(w[len(w)-1]))
		}
		if got != n {
			return false, fmt.Sprintf("%s count is %d", strings.Join(w[1:len(w)-1], " "), got), nil
		}
		return true, "", nil
	}
	return false, "", badChoice("", w[0], []string{"whereis", "alive", "dead", "restarted", "not-restarted", "exited", "kept", "down", "gave-up", "output", "last", "tree", "count"})
}
