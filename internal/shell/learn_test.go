package shell

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actorsh/actorsh/internal/course"
	"github.com/actorsh/actorsh/internal/iostreams"
)

// TestLessons proves every lesson of the course sound, as rustlings'
// users asked of its exercises: the check fails on the exercise as the
// learner gets it, and passes on the reference solution; the exercise has
// blanks to fill; there are hints and a story.
func TestLessons(t *testing.T) {
	lessons, err := course.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lessons {
		t.Run(l.Name, func(t *testing.T) {
			if len(l.Hints) == 0 || strings.TrimSpace(l.Story) == "" || l.Title == "" {
				t.Errorf("a lesson needs a title, a story and hints: %q, %d bytes of story, %d hints", l.Title, len(l.Story), len(l.Hints))
			}
			paras := strings.Split(strings.TrimSpace(l.Story), "\n\n")
			end := strings.Join(paras[max(0, len(paras)-2):], "\n\n") // the pointer, and its code block
			if !strings.Contains(end, "Elixir") {
				t.Errorf("the story does not end by pointing at the Elixir code; it ends %q", end)
			}
			if len(course.Blanks(l.Start)) == 0 {
				t.Errorf("%s has no blanks (%s) to fill in", l.Exercise, course.Blank)
			}
			if len(course.Blanks(l.Solution)) > 0 {
				t.Errorf("solution/%s still has blanks", l.Exercise)
			}
			steps, _ := course.Steps(l.Check)
			checks := 0
			for _, st := range steps {
				if st.Expect {
					checks++
				}
			}
			if checks == 0 {
				t.Fatal("check.ash has no expect line: it would check nothing")
			}
			dir := t.TempDir()
			run := func(src []byte) verifyResult {
				f := filepath.Join(dir, l.Exercise)
				if err := os.WriteFile(f, src, 0o644); err != nil {
					t.Fatal(err)
				}
				return runChecks(context.Background(), l, f, src)
			}
			untouched := run(l.Start)
			if untouched.Status == "pass" {
				t.Errorf("the exercise passes as it is given: %+v", untouched)
			}
			solved := run(l.Solution)
			if solved.Status != "pass" || len(solved.Tests) != checks {
				t.Errorf("the solution does not pass: status %s, message %q", solved.Status, solved.Message)
				for _, c := range solved.Tests {
					if c.Status != "pass" {
						t.Errorf("  %s: %s", c.Name, c.Message)
					}
				}
			}
			for _, res := range []verifyResult{untouched, solved} {
				b, err := json.Marshal(res)
				if err != nil {
					t.Fatal(err)
				}
				if err := validExercism(b); err != nil {
					t.Errorf("learn verify --json is not Exercism's results format: %v\n%s", err, b)
				}
			}
			// the solution with its first expectation's target undone
			// fails too: the checks look at what the file does
			if l.Kind() == "" {
				broken := bytes.Replace(l.Solution, []byte("\nspawn "), []byte("\n# spawn "), 1)
				if !bytes.Equal(broken, l.Solution) {
					if res := run(broken); res.Status == "pass" {
						t.Errorf("the solution with its first spawn commented out still passes")
					}
				}
			}
		})
	}
}

// validExercism checks results against Exercism's test-runner interface,
// version 3: version 3; status pass, fail or error; a message when the
// status is error; tests (unless error), each with a name, a status, a
// message when it did not pass, test_code, and task_id a positive whole
// number if present.
func validExercism(b []byte) error {
	var r map[string]any
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	if v, ok := r["version"].(float64); !ok || v != 3 {
		return errorf("version %v, want 3", r["version"])
	}
	status, _ := r["status"].(string)
	switch status {
	case "pass", "fail":
	case "error":
		if m, _ := r["message"].(string); m == "" {
			return errorf("status error wants a message")
		}
	default:
		return errorf("status %q, want pass, fail or error", r["status"])
	}
	tests, ok := r["tests"].([]any)
	if !ok && status != "error" {
		return errorf("no tests array")
	}
	for i, x := range tests {
		tc, ok := x.(map[string]any)
		if !ok {
			return errorf("tests[%d] is not an object", i)
		}
		if n, _ := tc["name"].(string); n == "" {
			return errorf("tests[%d] has no name", i)
		}
		st, _ := tc["status"].(string)
		if st != "pass" && st != "fail" && st != "error" {
			return errorf("tests[%d].status %q", i, tc["status"])
		}
		if m, _ := tc["message"].(string); st != "pass" && m == "" {
			return errorf("tests[%d] did not pass and says nothing", i)
		}
		if _, ok := tc["test_code"].(string); !ok {
			return errorf("tests[%d] has no test_code", i)
		}
		if id, ok := tc["task_id"]; ok {
			if n, ok := id.(float64); !ok || n < 1 || n != float64(int(n)) {
				return errorf("tests[%d].task_id %v", i, id)
			}
		}
	}
	return nil
}

func errorf(format string, args ...any) error { return &jsonError{msg: fmt.Sprintf(format, args...)} }

type jsonError struct{ msg string }

func (e *jsonError) Error() string { return e.msg }

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLearnWatch: learn watch checks the exercise, then again when it is
// saved, and ends when it passes.
func TestLearnWatch(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	lessons, err := course.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	l := lessons[0]
	var out syncBuffer
	ios, _, _, _ := iostreams.Test()
	ios.Out = &out
	s, err := NewSession(ios, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.openCourse("")
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.ensure(l)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Exec(ctx, "learn watch "+l.Name) }()
	var ended error
	finished := false
	waitOut := func(text string) {
		t.Helper()
		for !strings.Contains(out.String(), text) {
			if finished {
				t.Fatalf("watch ended (%v) before it printed %q:\n%s", ended, text, out.String())
			}
			select {
			case ended = <-done:
				finished = true
			case <-ctx.Done():
				t.Fatalf("no %q:\n%s", text, out.String())
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	waitOut("Not yet")
	if err := os.WriteFile(f, l.Solution, 0o644); err != nil {
		t.Fatal(err)
	}
	waitOut("Well done")
	if !finished {
		ended = <-done
	}
	if ended != nil {
		t.Fatalf("watch ended with %v after the exercise passed", ended)
	}
	if n := strings.Count(out.String(), l.Name+": "); n != 2 {
		t.Errorf("watch checked %d times; want twice (at the start, after the save):\n%s", n, out.String())
	}
}
