package shell

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeSessions: every session shown in the README (a text block of
// "actorsh> " prompts and their output) prints, when run, exactly what
// the README says it prints, so the front page cannot drift from the tool.
func TestReadmeSessions(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	sessions := readmeSessions(string(data))
	if len(sessions) == 0 {
		t.Fatal("README.md shows no actorsh> session; this test would check nothing")
	}
	t.Chdir("../..") // sessions name files as from the repository's root
	for i, sess := range sessions {
		code, out, errOut := runMain(t, "-c", strings.Join(sess.commands, "\n"))
		if code != ExitOK || errOut != "" || out != sess.output {
			t.Errorf("README session %d: code %d, stderr %q\n--- got\n%s--- README\n%s", i+1, code, errOut, out, sess.output)
		}
	}
}

type readmeSession struct {
	commands []string
	output   string
}

// readmeSessions finds the ```text blocks that hold a prompt.
func readmeSessions(md string) []readmeSession {
	var sessions []readmeSession
	var cur *readmeSession
	for _, line := range strings.Split(md, "\n") {
		switch {
		case cur == nil && line == "```text":
			cur = &readmeSession{}
		case cur != nil && line == "```":
			if len(cur.commands) > 0 {
				sessions = append(sessions, *cur)
			}
			cur = nil
		case cur != nil:
			if cmd, ok := strings.CutPrefix(line, "actorsh> "); ok {
				cur.commands = append(cur.commands, cmd)
			} else {
				cur.output += line + "\n"
			}
		}
	}
	return sessions
}
