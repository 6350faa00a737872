package shell

// This file holds learn, the OTP course: lessons with a story, an
// exercise the learner edits, checks built on expect and virtual time,
// hints, and progress kept under $XDG_STATE_HOME/actorsh.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/actorsh/actorsh/internal/course"
	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/spf13/cobra"
)

const learnLong = `An OTP course that checks your work, as rustlings does for Rust. Each lesson tells a
story, then gives you a file to edit (a command file or a Starlark kind, with blanks ___ to
fill in); learn verify runs it in a fresh session under virtual time and checks it.

  learn                 the lessons, with your progress
  learn NAME            a lesson: its story, then where your exercise file is
  learn next            the first lesson you have not done
  learn hint [NAME]     the next hint (--all: every hint)
  learn verify [NAME]   check your exercise (--json: Exercism's test-runner results, version 3)
  learn watch [NAME]    check it again every time you save it, until it passes (Ctrl-C stops)
  learn reset NAME      give you the exercise as it was at the start

NAME defaults to the lesson you are on. Your exercise files and progress are kept under
$XDG_STATE_HOME/actorsh (~/.local/state/actorsh when it is unset). --dir DIR reads the
lessons from DIR instead of the ones built in, for teachers who write their own: a lesson is
a folder NN-name with lesson.md, setup.ash, exercise.ash or NAME.star, check.ash, hints.md
and solution/.`

func newCmdLearn(s *Session) *cobra.Command {
	var dir string
	var asJSON, all bool
	c := &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "learn [NAME | next | hint [NAME] | verify [NAME] | watch [NAME] | reset NAME] [--dir DIR]",
		Short:       "the OTP course: lessons with exercises that check themselves",
		Long:        learnLong,
		Example:     "learn\nlearn greeter\nlearn verify greeter\nlearn hint",
		Args:        rangeArgs(0, 2, "a lesson, or next, hint, verify, watch or reset and a lesson"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := s.openCourse(dir)
			if err != nil {
				return err
			}
			if len(args) == 0 {
				return c.list(s)
			}
			lesson := func(i int) (*course.Lesson, error) {
				if len(args) > i {
					return c.lesson(args[i])
				}
				return c.currentLesson()
			}
			switch args[0] {
			case "next":
				if len(args) > 1 {
					return errors.New("learn next takes nothing more")
				}
				l, ok := c.next()
				if !ok {
					s.result("learn", "You have done every lesson. learn lists them; learn verify NAME checks one again.", map[string]any{"done": true})
					return nil
				}
				return c.show(s, l)
			case "hint":
				l, err := lesson(1)
				if err != nil {
					return err
				}
				return c.hint(s, l, all)
			case "verify":
				l, err := lesson(1)
				if err != nil {
					return err
				}
				res, err := c.verify(cmd.Context(), s, l)
				if err != nil {
					return err
				}
				if asJSON { // the results say how it went; the run itself worked
					return c.printExercism(s, res)
				}
				first, err := c.recordPass(l, res)
				if err != nil {
					return err
				}
				c.printVerify(s, l, res, first)
				if res.Status != "pass" {
					return errNotYet
				}
				return nil
			case "watch":
				l, err := lesson(1)
				if err != nil {
					return err
				}
				return c.watch(cmd.Context(), s, l)
			case "reset":
				if len(args) != 2 {
					return errors.New("want learn reset NAME: it gives you that exercise as it was at the start")
				}
				l, err := c.lesson(args[1])
				if err != nil {
					return err
				}
				return c.reset(s, l)
			}
			if len(args) > 1 {
				return fmt.Errorf("learn %s takes nothing more; did you mean learn verify %s?", clip(args[0]), clip(args[0]))
			}
			l, err := c.lesson(args[0])
			if err != nil {
				return err
			}
			return c.show(s, l)
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "read the lessons from DIR (one folder each) instead of the built-in ones")
	c.Flags().BoolVar(&asJSON, "json", false, "learn verify: print Exercism's test-runner results (version 3)")
	c.Flags().BoolVar(&all, "all", false, "learn hint: every hint at once")
	return c
}

// errNotYet is a verify that did not pass: already said, so the command
// fails with a short note (a script stops, the exit status is 1).
var errNotYet = errors.New("not done yet")

// courseState is the learner's progress (learn.json).
type courseState struct {
	Version int               `json:"version"`
	Current string            `json:"current,omitempty"`
	Done    map[string]string `json:"done,omitempty"`  // lesson name: when it passed (RFC 3339)
	Hints   map[string]int    `json:"hints,omitempty"` // lesson name: hints shown
}

// courseRun is the course as one command sees it: the lessons, where the
// learner's files are, and the progress.
type courseRun struct {
	lessons []*course.Lesson
	home    string // $XDG_STATE_HOME/actorsh
	key     string // which course (the built-in one, or --dir's), for its own progress
	state   courseState
}

// stateHome is $XDG_STATE_HOME/actorsh, or ~/.local/state/actorsh.
func stateHome() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "actorsh"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("neither XDG_STATE_HOME nor HOME is set: the course needs a place for your files and progress")
	}
	return filepath.Join(home, ".local", "state", "actorsh"), nil
}

func (s *Session) openCourse(dir string) (*courseRun, error) {
	var lessons []*course.Lesson
	var err error
	key := "builtin"
	if dir == "" {
		lessons, err = course.Builtin()
	} else {
		abs, aerr := filepath.Abs(dir)
		if aerr != nil {
			return nil, aerr
		}
		if st, serr := os.Stat(abs); serr != nil || !st.IsDir() {
			return nil, fmt.Errorf("--dir %s: not a directory of lessons", clip(dir))
		}
		lessons, err = course.Load(os.DirFS(abs))
		key = "dir-" + strings.NewReplacer("/", "_", ":", "_", "\\", "_").Replace(strings.Trim(abs, "/"))
	}
	if err != nil {
		return nil, err
	}
	home, err := stateHome()
	if err != nil {
		return nil, err
	}
	c := &courseRun{lessons: lessons, home: home, key: key}
	c.load()
	return c, nil
}

// typable is a path of the course's as a learner can type it: from
// $XDG_STATE_HOME or ~ (so it is the same in every session, and the shell
// expands it).
func typable(path string) string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		if rel, err := filepath.Rel(d, path); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.Join("$XDG_STATE_HOME", rel)
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		if rel, err := filepath.Rel(home, path); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.Join("~", rel)
		}
	}
	return path
}

func (c *courseRun) statePath() string {
	if c.key == "builtin" {
		return filepath.Join(c.home, "learn.json")
	}
	return filepath.Join(c.home, "learn-"+c.key+".json")
}

func (c *courseRun) load() {
	c.state = courseState{Version: 1}
	b, err := os.ReadFile(c.statePath())
	if err != nil {
		return
	}
	if json.Unmarshal(b, &c.state) != nil {
		c.state = courseState{Version: 1} // unreadable progress starts afresh
	}
}

func (c *courseRun) save() error {
	if err := os.MkdirAll(filepath.Dir(c.statePath()), 0o755); err != nil {
		return createError(c.statePath(), err)
	}
	b, err := json.MarshalIndent(c.state, "", "  ")
	if err != nil {
		return err
	}
	tmp := c.statePath() + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return createError(tmp, err)
	}
	return os.Rename(tmp, c.statePath())
}

// file is where the learner's copy of l's exercise is.
func (c *courseRun) file(l *course.Lesson) string {
	dir := "course"
	if c.key != "builtin" {
		dir = "course-" + c.key
	}
	return filepath.Join(c.home, dir, l.Name, l.Exercise)
}

// ensure gives the learner their copy of the exercise if they have none.
func (c *courseRun) ensure(l *course.Lesson) (string, error) {
	f := c.file(l)
	if _, err := os.Stat(f); err == nil {
		return f, nil
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return "", createError(f, err)
	}
	if err := os.WriteFile(f, l.Start, 0o644); err != nil {
		return "", createError(f, err)
	}
	return f, nil
}

func (c *courseRun) names() []string {
	var out []string
	for _, l := range c.lessons {
		out = append(out, l.Name)
	}
	return out
}

func (c *courseRun) lesson(name string) (*course.Lesson, error) {
	if l, _, ok := course.Find(c.lessons, name); ok {
		return l, nil
	}
	msg := fmt.Sprintf("no lesson %q", clip(name))
	if g := closest(name, c.names()); g != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", g)
	}
	return nil, errors.New(msg + "; learn lists them")
}

func (c *courseRun) currentLesson() (*course.Lesson, error) {
	if c.state.Current != "" {
		if l, _, ok := course.Find(c.lessons, c.state.Current); ok {
			return l, nil
		}
	}
	if l, ok := c.next(); ok {
		return l, nil
	}
	return c.lessons[0], nil
}

// next is the first lesson not done, from the current one on.
func (c *courseRun) next() (*course.Lesson, bool) {
	start := 0
	if _, i, ok := course.Find(c.lessons, c.state.Current); ok {
		start = i
	}
	for k := range c.lessons {
		l := c.lessons[(start+k)%len(c.lessons)]
		if _, done := c.state.Done[l.Name]; !done {
			return l, true
		}
	}
	return nil, false
}

func (c *courseRun) list(s *Session) error {
	var b strings.Builder
	var objs []map[string]any
	done := 0
	for _, l := range c.lessons {
		mark := " "
		_, ok := c.state.Done[l.Name]
		if ok {
			mark = "✓"
			done++
		}
		here := " "
		if l.Name == c.state.Current {
			here = "→"
		}
		fmt.Fprintf(&b, "%s %s %-22s %s\n", here, mark, l.Name, l.Title)
		objs = append(objs, map[string]any{"name": l.Name, "title": l.Title, "done": ok, "current": l.Name == c.state.Current})
	}
	fmt.Fprintf(&b, "%d of %d done. learn NAME starts one; learn next goes on.", done, len(c.lessons))
	s.result("learn", b.String(), map[string]any{"lessons": objs, "done": done, "total": len(c.lessons)})
	return nil
}

// show prints a lesson's story and where the exercise is, and makes it
// the current lesson.
func (c *courseRun) show(s *Session, l *course.Lesson) error {
	f, err := c.ensure(l)
	if err != nil {
		return err
	}
	c.state.Current = l.Name
	if err := c.save(); err != nil {
		return err
	}
	src, err := os.ReadFile(f)
	if err != nil {
		return fileError(f, err)
	}
	var ex strings.Builder
	for _, line := range strings.Split(strings.TrimRight(string(src), "\n"), "\n") {
		if line != "" {
			ex.WriteString("    " + line)
		}
		ex.WriteString("\n")
	}
	text := fmt.Sprintf("%s\n\n%s\n\nYour exercise: %s\n\n%s\nEdit it, then: learn verify %s (or learn watch %s; learn hint if you are stuck)",
		s.pal.Name(l.Title), l.Story, typable(f), ex.String(), l.Name, l.Name)
	s.result("learn", text, map[string]any{"lesson": l.Name, "title": l.Title, "story": l.Story, "exercise": f})
	return nil
}

func (c *courseRun) hint(s *Session, l *course.Lesson, all bool) error {
	if c.state.Hints == nil {
		c.state.Hints = map[string]int{}
	}
	n := c.state.Hints[l.Name] + 1
	if all || n > len(l.Hints) {
		n = len(l.Hints)
	}
	c.state.Hints[l.Name] = n
	if err := c.save(); err != nil {
		return err
	}
	var b strings.Builder
	from := n - 1
	if all {
		from = 0
	}
	for i := from; i < n; i++ {
		fmt.Fprintf(&b, "hint %d of %d: %s\n", i+1, len(l.Hints), l.Hints[i])
	}
	more := "learn hint again for the next one"
	if n == len(l.Hints) {
		more = "that is the last hint; the lesson's story has the rest"
	}
	b.WriteString("(" + more + ")")
	s.result("learn", b.String(), map[string]any{"lesson": l.Name, "hints": l.Hints[from:n], "shown": n, "of": len(l.Hints)})
	return nil
}

func (c *courseRun) reset(s *Session, l *course.Lesson) error {
	f := c.file(l)
	if old, err := os.ReadFile(f); err == nil && !bytes.Equal(old, l.Start) {
		if err := os.WriteFile(f+".bak", old, 0o644); err != nil {
			return createError(f+".bak", err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return createError(f, err)
	}
	if err := os.WriteFile(f, l.Start, 0o644); err != nil {
		return createError(f, err)
	}
	delete(c.state.Done, l.Name)
	delete(c.state.Hints, l.Name)
	if err := c.save(); err != nil {
		return err
	}
	s.result("learn", fmt.Sprintf("%s is as it was at the start (your version is in %s.bak)", typable(f), filepath.Base(f)), map[string]any{"lesson": l.Name, "exercise": f})
	return nil
}

// checkResult is one check of a verify, as Exercism's test runner reports
// a test.
type checkResult struct {
	Name    string `json:"name"`
	Status  string `json:"status"` // pass, fail or error
	Message string `json:"message,omitempty"`
	Code    string `json:"test_code"`
	Task    int    `json:"task_id,omitempty"`
}

// verifyResult is a verify, in Exercism's test-runner format (version 3).
type verifyResult struct {
	Version int           `json:"version"`
	Status  string        `json:"status"` // pass, fail or error
	Message string        `json:"message,omitempty"`
	Tests   []checkResult `json:"tests"`
}

// verifyBudget bounds one verify: Exercism gives a test run 20 s.
const verifyBudget = 20 * time.Second

// verify runs l's setup, the learner's file and the checks in a fresh
// session under virtual time.
func (c *courseRun) verify(ctx context.Context, s *Session, l *course.Lesson) (verifyResult, error) {
	f, err := c.ensure(l)
	if err != nil {
		return verifyResult{}, err
	}
	src, err := os.ReadFile(f)
	if err != nil {
		return verifyResult{}, fileError(f, err)
	}
	return runChecks(ctx, l, f, src), nil
}

// runChecks is verify for the exercise src (at path f).
func runChecks(ctx context.Context, l *course.Lesson, f string, src []byte) verifyResult {
	steps, _ := course.Steps(l.Check)
	res := verifyResult{Version: 3, Status: "pass"}
	notRun := func(why string) {
		for _, st := range steps {
			if st.Expect {
				res.Tests = append(res.Tests, checkResult{Name: st.Name, Status: "fail", Message: why, Code: st.Text, Task: st.Task})
			}
		}
	}
	if lines := course.Blanks(src); len(lines) > 0 {
		res.Status = "fail"
		where := make([]string, len(lines))
		for i, n := range lines {
			where[i] = fmt.Sprintf("%s:%d", filepath.Base(f), n)
		}
		notRun("not checked yet: fill in the blanks (" + course.Blank + ") first, at " + strings.Join(where, ", "))
		return res
	}
	ctx, cancel := context.WithTimeout(ctx, verifyBudget)
	defer cancel()
	var out, errOut bytes.Buffer
	ios := &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	r, err := NewSession(ios, Options{VirtualClock: true})
	if err != nil {
		res.Status, res.Message = "error", err.Error()
		return res
	}
	defer r.Close()
	fail := func(what string) verifyResult {
		res.Status = "error"
		res.Message = strings.TrimSpace(what + "\n" + lastLines(out.String(), maxBefore))
		notRun("not checked: " + firstLine(what))
		return res
	}
	if l.Kind() != "" {
		if err := r.Exec(ctx, "kind load "+quoteWord(f)); err != nil {
			return fail(err.Error())
		}
	}
	if l.Setup != "" {
		if err := r.RunSource(ctx, l.Name+"/setup.ash", &stringLines{lines: strings.Split(l.Setup, "\n")}, false); err != nil {
			return fail("the lesson's setup failed (a bug in the lesson): " + strings.TrimSpace(errOut.String()))
		}
	}
	// the checks look at what the learner's file and the checks do, not
	// at what the setup did
	r.rec.flush()
	r.expectFrom, r.expectAt = r.rec.lastSeq(), r.rec.lastSeq()
	if l.Kind() == "" {
		r.at = location{file: f, isFile: true}
		if err := r.runSource(ctx, location{file: f, isFile: true}, NewScanner(bytes.NewReader(src)), false); err != nil {
			return fail(strings.TrimSpace(errOut.String()))
		}
	}
	broken := ""
	for _, st := range steps {
		if broken != "" {
			if st.Expect {
				res.Tests = append(res.Tests, checkResult{Name: st.Name, Status: "fail", Message: "not checked: " + broken, Code: st.Text, Task: st.Task})
			}
			continue
		}
		r.at = location{file: "check.ash", line: st.Line}
		err := r.Exec(ctx, st.Text)
		if !st.Expect {
			if err != nil {
				broken = fmt.Sprintf("check.ash:%d: %v", st.Line, err)
				res.Status = "fail"
			}
			continue
		}
		cr := checkResult{Name: st.Name, Status: "pass", Code: st.Text, Task: st.Task}
		if err != nil {
			cr.Status = "fail"
			cr.Message = err.Error()
			if why := r.whyFor(ctx, st.Text); why != "" {
				cr.Message += "\n  why: " + strings.ReplaceAll(why, "\n", "\n    ")
			}
			res.Status = "fail"
		}
		res.Tests = append(res.Tests, cr)
	}
	return res
}

// whyFor is, for a failed expectation about what happened to a name, what
// why (or why-not) says about that name, or "".
func (s *Session) whyFor(ctx context.Context, expect string) string {
	w := strings.Fields(expect)
	if len(w) < 3 {
		return ""
	}
	cmd := ""
	switch w[1] {
	case "restarted":
		cmd = "why-not "
	case "not-restarted", "exited", "gave-up":
		cmd = "why "
	default:
		return ""
	}
	var b bytes.Buffer
	prev := s.out.w
	s.out.setWriter(&b)
	err := s.Exec(ctx, cmd+w[2])
	s.out.setWriter(prev)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(plainText(b.String()))
}

// recordPass records a verify that passed (see passed); one that did not
// changes nothing.
func (c *courseRun) recordPass(l *course.Lesson, res verifyResult) (first bool, err error) {
	if res.Status != "pass" {
		return false, nil
	}
	return c.passed(l)
}

// passed records that l passed, and reports whether it is the first time.
func (c *courseRun) passed(l *course.Lesson) (first bool, err error) {
	if _, done := c.state.Done[l.Name]; !done {
		if c.state.Done == nil {
			c.state.Done = map[string]string{}
		}
		c.state.Done[l.Name] = time.Now().UTC().Format(time.RFC3339)
		first = true
	}
	c.state.Current = l.Name
	return first, c.save()
}

// printVerify prints a verify's results; first says the lesson passed for
// the first time.
func (c *courseRun) printVerify(s *Session, l *course.Lesson, res verifyResult, first bool) {
	var b strings.Builder
	passed := 0
	for _, t := range res.Tests {
		if t.Status == "pass" {
			passed++
		}
	}
	fmt.Fprintf(&b, "%s: %d of %d checks pass\n", l.Name, passed, len(res.Tests))
	if res.Status == "error" {
		fmt.Fprintf(&b, "%s\n", s.pal.Error("your file did not run to the end:"))
		for _, line := range strings.Split(res.Message, "\n") {
			b.WriteString("    " + line + "\n")
		}
	}
	shownFail := false
	for _, t := range res.Tests {
		if t.Status == "pass" {
			fmt.Fprintf(&b, "  %s %s\n", s.pal.Name("✓"), t.Name)
			continue
		}
		fmt.Fprintf(&b, "  %s %s\n", s.pal.Error("✗"), t.Name)
		switch {
		case !shownFail: // the first failure in full: what was expected, what happened, why
			for _, line := range strings.Split(t.Message, "\n") {
				b.WriteString("      " + line + "\n")
			}
			shownFail = true
		case !strings.HasPrefix(t.Message, "not check"): // the others in a line
			b.WriteString("      " + firstLine(t.Message) + "\n")
		}
	}
	if res.Status == "pass" {
		if next, ok := c.next(); ok {
			fmt.Fprintf(&b, "Well done. learn next goes on to %s.", next.Name)
		} else if first {
			b.WriteString("Well done: that was the last lesson you had left.")
		} else {
			b.WriteString("Well done.")
		}
	} else {
		fmt.Fprintf(&b, "Not yet: fix the first ✗ and verify again (learn hint %s helps).", l.Name)
	}
	s.result("learn", strings.TrimRight(b.String(), "\n"), map[string]any{"lesson": l.Name, "status": res.Status, "tests": res.Tests})
}

// printExercism prints a verify's results in Exercism's format.
func (c *courseRun) printExercism(s *Session, res verifyResult) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	s.out.result(record{text: string(b), raw: string(b) + "\n"})
	return nil
}

// watchPoll is how often learn watch looks at the exercise file.
const watchPoll = 200 * time.Millisecond

// watch verifies l now and again every time its file changes, until it
// passes or ctx ends.
func (c *courseRun) watch(ctx context.Context, s *Session, l *course.Lesson) error {
	f, err := c.ensure(l)
	if err != nil {
		return err
	}
	s.result("learn", fmt.Sprintf("watching %s: save it to check it again (Ctrl-C stops)", typable(f)), map[string]any{"watching": f})
	var last os.FileInfo
	for {
		st, err := os.Stat(f)
		if err != nil {
			return fileError(f, err)
		}
		if last == nil || !st.ModTime().Equal(last.ModTime()) || st.Size() != last.Size() {
			last = st
			res, err := c.verify(ctx, s, l)
			if err != nil {
				return err
			}
			first, err := c.recordPass(l, res)
			if err != nil {
				return err
			}
			c.printVerify(s, l, res, first)
			s.out.flush(false)
			if res.Status == "pass" {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(watchPoll):
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// quoteWord quotes a word for a command line if it needs it.
func quoteWord(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t\"'\\;#{}[]") {
		return w
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w) + `"`
}
