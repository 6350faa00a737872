// Package course holds actorsh's OTP course: lessons, each a folder with
// a story, an exercise the learner edits, a check built on expect, hints
// and a reference solution. The lessons are embedded in the binary;
// teachers can load their own from a directory in the same layout.
//
// A lesson folder NN-name holds:
//
//	lesson.md      the story: a "# Title" line first, then the text
//	setup.ash      commands run before the learner's file (optional)
//	exercise.ash   the learner's file: a command file, or a Starlark
//	  or NAME.star kind (NAME is the kind it defines), with blanks ___
//	check.ash      the checks: commands, and expect lines and ! CMD
//	               lines (CMD must fail), which are the checks; a comment
//	               "## task N: what" starts task N, and the comment line
//	               just before a check names it
//	hints.md       hints, one paragraph each, in the order to show them
//	solution/FILE  the reference solution, FILE named as the exercise
package course

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed lessons
var embedded embed.FS

// Builtin returns the lessons that come with actorsh.
func Builtin() ([]*Lesson, error) {
	sub, err := fs.Sub(embedded, "lessons")
	if err != nil {
		return nil, err
	}
	return Load(sub)
}

// Lesson is one lesson of the course.
type Lesson struct {
	Name     string // the folder's name without its NN- order prefix: "restart-types"
	Order    string // the prefix, which sorts the course: "02"
	Title    string
	Story    string // lesson.md after its title line
	Setup    string // setup.ash, or ""
	Exercise string // the exercise file's name: "exercise.ash" or "stack.star"
	Start    []byte // the exercise as the learner gets it
	Solution []byte // the reference solution
	Check    string // check.ash
	Hints    []string
}

// Kind is the Starlark kind the exercise defines, or "" for a command
// file.
func (l *Lesson) Kind() string {
	if strings.HasSuffix(l.Exercise, ".star") {
		return strings.TrimSuffix(l.Exercise, ".star")
	}
	return ""
}

// Load reads the lessons in fsys, one folder each, in the order of their
// NN- prefixes.
func Load(fsys fs.FS) ([]*Lesson, error) {
	dirs, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []*Lesson
	seen := map[string]bool{}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		l, err := loadLesson(fsys, d.Name())
		if err != nil {
			return nil, fmt.Errorf("lesson %s: %w", d.Name(), err)
		}
		if seen[l.Name] {
			return nil, fmt.Errorf("two lessons are named %s", l.Name)
		}
		seen[l.Name] = true
		out = append(out, l)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	if len(out) == 0 {
		return nil, errors.New("no lessons here: a lesson is a folder with lesson.md, an exercise, check.ash, hints.md and solution/")
	}
	return out, nil
}

func loadLesson(fsys fs.FS, dir string) (*Lesson, error) {
	l := &Lesson{Name: dir}
	if order, name, ok := strings.Cut(dir, "-"); ok && order != "" && strings.Trim(order, "0123456789") == "" {
		l.Order, l.Name = order, name
	}
	read := func(name string) (string, error) {
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		return string(b), err
	}
	story, err := read("lesson.md")
	if err != nil {
		return nil, errors.New("no lesson.md: it holds the story, a # Title line first")
	}
	title, rest, _ := strings.Cut(story, "\n")
	if !strings.HasPrefix(title, "# ") {
		return nil, errors.New("lesson.md must begin with a # Title line")
	}
	l.Title, l.Story = strings.TrimSpace(strings.TrimPrefix(title, "# ")), strings.TrimSpace(rest)
	if l.Setup, err = read("setup.ash"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if l.Check, err = read("check.ash"); err != nil {
		return nil, errors.New("no check.ash: the expectations that say whether the exercise is done")
	}
	hints, err := read("hints.md")
	if err != nil {
		return nil, errors.New("no hints.md")
	}
	for _, h := range strings.Split(hints, "\n\n") {
		if h = strings.TrimSpace(h); h != "" {
			l.Hints = append(l.Hints, h)
		}
	}
	if len(l.Hints) == 0 {
		return nil, errors.New("hints.md has no hints")
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && (n == "exercise.ash" || strings.HasSuffix(n, ".star")) {
			if l.Exercise != "" {
				return nil, fmt.Errorf("two exercises, %s and %s: a lesson has one", l.Exercise, n)
			}
			l.Exercise = n
		}
	}
	if l.Exercise == "" {
		return nil, errors.New("no exercise: exercise.ash, or NAME.star for a Starlark kind")
	}
	start, err := read(l.Exercise)
	if err != nil {
		return nil, err
	}
	solution, err := read(path.Join("solution", l.Exercise))
	if err != nil {
		return nil, fmt.Errorf("no solution/%s: the reference solution", l.Exercise)
	}
	l.Start, l.Solution = []byte(start), []byte(solution)
	return l, nil
}

// Find returns the lesson called name.
func Find(lessons []*Lesson, name string) (*Lesson, int, bool) {
	for i, l := range lessons {
		if l.Name == name {
			return l, i, true
		}
	}
	return nil, -1, false
}

// Blank is what the learner replaces in an exercise.
const Blank = "___"

// Blanks returns the lines (from 1) of src that still hold a blank,
// leaving out comment lines (which may talk about blanks).
func Blanks(src []byte) []int {
	var out []int
	for i, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if strings.Contains(line, Blank) {
			out = append(out, i+1)
		}
	}
	return out
}

// Task is a check.ash task: its number and what it is.
type Task struct {
	ID    int
	Title string
}

// Step is one line of check.ash to run: a command, or an expectation
// (Name says what it checks), in task Task.
type Step struct {
	Line   int
	Text   string
	Expect bool
	Name   string
	Task   int
}

// Steps splits check.ash into the commands to run and the checks, with
// their tasks.
func Steps(check string) ([]Step, []Task) {
	var steps []Step
	var tasks []Task
	task, comment := 0, ""
	for i, line := range strings.Split(check, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			comment = ""
		case strings.HasPrefix(t, "## task "):
			var n int
			rest := strings.TrimPrefix(t, "## task ")
			num, title, _ := strings.Cut(rest, ":")
			if _, err := fmt.Sscan(num, &n); err == nil {
				task = n
				tasks = append(tasks, Task{ID: n, Title: strings.TrimSpace(title)})
			}
			comment = ""
		case strings.HasPrefix(t, "#"):
			comment = strings.TrimSpace(strings.TrimLeft(t, "#"))
		default:
			st := Step{Line: i + 1, Text: t, Task: task}
			// an expectation, or a command meant to fail (! CMD)
			if strings.HasPrefix(t, "expect ") || t == "expect" || strings.HasPrefix(t, "! ") {
				st.Expect = true
				st.Name = comment
				if st.Name == "" {
					st.Name = t
				}
			}
			steps = append(steps, st)
			comment = ""
		}
	}
	return steps, tasks
}
