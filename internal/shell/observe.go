package shell

// This file holds observe: the browser observer beside the session (see
// internal/observe), fed by the session's events and driven through the
// same command table as the prompt.

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/actorsh/actorsh/internal/observe"
	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/supervisor"
	"github.com/spf13/cobra"
)

// watcher is a function the session's events go to: each as a function
// that makes its --json object, when the watcher wants it.
type watcher = *func(func() map[string]any)

// watchers are the functions the session's events go to, besides the
// narration (the observer's).
type watchers struct {
	mu   sync.Mutex
	list atomic.Pointer[[]watcher]
}

func (w *watchers) add(fn func(func() map[string]any)) (cancel func()) {
	f := &fn
	w.mu.Lock()
	defer w.mu.Unlock()
	var cur []watcher
	if p := w.list.Load(); p != nil {
		cur = *p
	}
	next := append(append([]watcher(nil), cur...), f)
	w.list.Store(&next)
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		var next []watcher
		if p := w.list.Load(); p != nil {
			for _, g := range *p {
				if g != f {
					next = append(next, g)
				}
			}
		}
		if len(next) == 0 {
			w.list.Store(nil)
			return
		}
		w.list.Store(&next)
	}
}

// on reports whether anyone watches.
func (w *watchers) on() bool { return w.list.Load() != nil }

// tell gives an event to the watchers, if there are any.
func (w *watchers) tell(obj func() map[string]any) {
	p := w.list.Load()
	if p == nil {
		return
	}
	for _, f := range *p {
		(*f)(obj)
	}
}

// Events is observe.Backend's: every runtime event as its --json object,
// with its narration as text.
func (s *Session) Events(fn func(func() map[string]any)) (cancel func()) {
	return s.watch.add(fn)
}

// errBusy is an observer's command that found the prompt's still running.
var errBusy = errors.New("the shell is running another command (one typed at the prompt, or a file's): try again when it is done")

// ExecJSON is observe.Backend's Exec: it runs line as the prompt would,
// once no other command runs, and returns the results as --json objects.
// What the command causes is narrated at the prompt as ever.
func (s *Session) ExecJSON(ctx context.Context, line string) ([]map[string]any, error) {
	cmds, err := SplitLine(line)
	if err != nil {
		return nil, err
	}
	for _, words := range cmds {
		if notFromPage[words[0]] || (words[0] == "kind" && len(words) > 1 && (words[1] == "new" || words[1] == "edit")) {
			return nil, fmt.Errorf("%s is the prompt's to run, not the observer's: a page cannot end the session, its observer, or take the prompt's input", words[0])
		}
	}
	for !s.execMu.TryLock() {
		select {
		case <-ctx.Done():
			return nil, errBusy
		case <-time.After(5 * time.Millisecond):
		}
	}
	defer s.execMu.Unlock()
	var objs []map[string]any
	s.out.mu.Lock()
	s.out.capture = func(r record) {
		switch {
		case r.obj != nil:
			objs = append(objs, r.obj)
		case r.text != "":
			objs = append(objs, map[string]any{"type": "text", "text": plainText(r.text)})
		}
	}
	s.out.mu.Unlock()
	s.cmdJSON = true
	defer func() {
		s.cmdJSON = false
		s.out.mu.Lock()
		s.out.capture = nil
		s.out.mu.Unlock()
	}()
	err = s.exec(ctx, line)
	return objs, err
}

// notFromPage are the commands a page may not run: exit (and its names),
// observe (a page would stop the server it talks through), and those that
// run until Ctrl-C at the prompt (watch, learn watch); kind new and kind
// edit, which read the prompt's lines or open its editor, are refused too.
var notFromPage = map[string]bool{"exit": true, "q": true, "quit": true, "observe": true, "learn": true, "watch": true}

// observerBackend adapts a session to observe.Backend.
type observerBackend struct{ s *Session }

func (b observerBackend) Exec(ctx context.Context, line string) ([]map[string]any, error) {
	return b.s.ExecJSON(ctx, line)
}

func (b observerBackend) Events(fn func(func() map[string]any)) func() { return b.s.Events(fn) }

// startObserver starts the session's observer on addr, once, and returns
// its URL.
func (s *Session) startObserver(addr string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.observer != nil {
		return s.observerURL, false, nil
	}
	srv, err := observe.New(observerBackend{s}, observe.Options{})
	if err != nil {
		return "", false, err
	}
	url, err := srv.Start(addr)
	if err != nil {
		srv.Close()
		return "", false, err
	}
	s.observer, s.observerURL = srv, url
	return url, true, nil
}

// stopObserver stops the observer, if one runs.
func (s *Session) stopObserver() bool {
	s.mu.Lock()
	srv := s.observer
	s.observer, s.observerURL = nil, ""
	s.mu.Unlock()
	if srv == nil {
		return false
	}
	srv.Close()
	return true
}

func newCmdObserve(s *Session) *cobra.Command {
	var addr string
	var open bool
	c := &cobra.Command{
		Annotations: map[string]string{completeKey: "stop"},
		Use:         "observe [stop] [--addr HOST:PORT] [--open]",
		Short:       "watch the session in a browser: the tree, processes, restarts, as they happen",
		Long: "Starts a web observer beside the prompt, on loopback only, and prints its URL (with a token\n" +
			"that every request must carry): the supervision tree with each supervisor's restart budget,\n" +
			"processes, a process, registries, the narration as it happens, why and the sequence chart. Its\n" +
			"buttons run commands through the prompt's command table. observe again prints the URL;\n" +
			"observe stop stops it. --open opens it in the browser (xdg-open or open).",
		Example: "observe\nobserve --addr 127.0.0.1:0\nobserve; observe stop",
		Args:    rangeArgs(0, 1, "nothing, or stop"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if args[0] != "stop" {
					return badChoice("", args[0], []string{"stop"})
				}
				if !s.stopObserver() {
					return errors.New("no observer runs: observe starts one")
				}
				s.result("observe", "observer stopped", map[string]any{"observer": "stopped"})
				return nil
			}
			url, started, err := s.startObserver(addr)
			if err != nil {
				return err
			}
			text := "observer at " + url
			if !started {
				text = "observer already at " + url
			}
			if open {
				if err := openBrowser(url); err != nil {
					text += " (could not open a browser: " + err.Error() + ")"
				}
			}
			s.result("observe", text, map[string]any{"url": url})
			return nil
		},
	}
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "where to listen: a loopback HOST:PORT (port 0: any free one)")
	c.Flags().BoolVar(&open, "open", false, "open the URL in the browser")
	return c
}

// openBrowser opens url with the system's opener.
func openBrowser(url string) error {
	name := "xdg-open"
	if runtime.GOOS == "darwin" {
		name = "open"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("no %s here; open the URL yourself", name)
	}
	c := exec.Command(path, url)
	if err := c.Start(); err != nil {
		return err
	}
	go c.Wait() // the opener returns at once; reap it
	return nil
}

// Snapshot is observe.Backend's: what the pages show, read from the
// runtime, the registries and the flight recorder directly (not through
// a command, so that it answers while one runs at the prompt).
func (s *Session) Snapshot(ctx context.Context, what string, args map[string]string) (any, error) {
	rt := s.runtime()
	switch what {
	case "tree":
		top := s.rootPID()
		if name := args["root"]; name != "" {
			pid, err := s.supervisorPID(name)
			if err != nil {
				return nil, err
			}
			top = pid
		}
		var b strings.Builder
		return s.tree(ctx, &b, top, "", "", 0)
	case "children":
		sup, err := s.supervisorPID(args["sup"])
		if err != nil {
			return nil, err
		}
		limit, _ := strconv.Atoi(args["limit"])
		if limit <= 0 {
			limit = 50
		}
		var after actor.PID
		if a := args["after"]; a != "" {
			if after, err = actor.ParsePID(a); err != nil {
				return nil, fmt.Errorf("after %q: want a PID", clip(a))
			}
		}
		like := args["q"]
		var out []map[string]any
		scanned := 0
		for len(out) < limit && scanned < maxScanned {
			page, err := supervisor.ChildrenPage(ctx, rt, sup, after, 2000)
			if err != nil {
				return nil, err
			}
			if len(page) == 0 {
				break
			}
			for _, c := range page {
				after = c.PID
				scanned++
				// a child's ID is the name it was started with: match that
				// first, and look at the process only for a match
				if like != "" && !strings.Contains(c.ID, like) {
					continue
				}
				name := c.ID
				if in, err := rt.Info(c.PID); err == nil {
					if n := nameOf(in); n != "" {
						name = n
					}
				}
				kind, _ := rt.Hooks().Behaviour(c.PID)
				out = append(out, map[string]any{"id": c.ID, "name": name, "pid": pidOrNil(c.PID), "kind": kind,
					"restart": c.Restart.String(), "restarts": c.Restarts})
				if len(out) == limit {
					break
				}
			}
		}
		d, err := supervisor.Describe(ctx, rt, sup)
		if err != nil {
			return nil, err
		}
		return map[string]any{"children": out, "count": d.Counts.Specs, "next": after.String()}, nil
	case "procs":
		limit, _ := strconv.Atoi(args["limit"])
		if limit <= 0 {
			limit = 100
		}
		sortKey := args["sort"]
		if sortKey == "" {
			sortKey = "pid"
		}
		sorts := append(slices.Clone(lsSorts), "handled")
		if !slices.Contains(sorts, sortKey) {
			return nil, badChoice("sort", sortKey, sorts)
		}
		like := args["q"]
		var rows []row
		rt.Processes(func(pid actor.PID) bool {
			in, err := rt.Info(pid)
			if err != nil {
				return true
			}
			r := row{info: in, name: nameOf(in)}
			if like != "" && !strings.Contains(r.name, like) && !strings.Contains(in.Behaviour, like) {
				return true
			}
			rows = append(rows, r)
			// in PID order the first limit will do; another order looks
			// at up to maxScanned
			return (sortKey != "pid" || len(rows) < limit) && len(rows) < maxScanned
		})
		if sortKey == "handled" { // the messages it has handled, most first
			slices.SortStableFunc(rows, func(a, b row) int { return cmpUint(b.info.MessagesHandled, a.info.MessagesHandled) })
		} else {
			sortRows(rows, sortKey)
		}
		rows = rows[:min(len(rows), limit)]
		out := []map[string]any{}
		for i := range rows {
			s.fillSup(ctx, &rows[i])
			r := rows[i]
			out = append(out, map[string]any{"pid": r.info.PID.String(), "name": r.name, "kind": r.info.Behaviour, "supervisor": r.sup,
				"restart": r.restart, "status": r.info.Status.String(), "mailbox": r.info.MessageQueueLen,
				"handled": r.info.MessagesHandled, "restarts": r.restarts})
		}
		return map[string]any{"processes": out, "total": rt.NumProcesses()}, nil
	case "proc":
		pid, err := s.resolve(args["pid"])
		if err != nil {
			return nil, err
		}
		in, err := rt.Info(pid)
		if err != nil {
			return nil, fmt.Errorf("%v is not alive", pid)
		}
		obj := infoObject(in)
		obj["name"] = nameOf(in)
		if st, err := rt.State(ctx, pid); err == nil {
			obj["state"] = stateText(st)
		}
		// what it got and did lately, if it is traced
		var msgs []string
		for _, e := range s.rec.entries() {
			if e.typ == entryEvent && e.ev.PID == pid && (e.ev.Kind == actor.EventReceived || e.ev.Kind == actor.EventHandled) && e.text != "" {
				msgs = append(msgs, e.text)
			}
		}
		obj["messages"] = msgs[max(0, len(msgs)-10):]
		return obj, nil
	case "regs":
		s.mu.Lock()
		var regs []map[string]any
		for _, r := range s.regs {
			regs = append(regs, map[string]any{"name": r.Name(), "keys": r.Kind().String(), "partitions": r.Partitions(), "entries": r.Count()})
		}
		s.mu.Unlock()
		slices.SortFunc(regs, func(a, b map[string]any) int { return strings.Compare(a["name"].(string), b["name"].(string)) })
		return map[string]any{"registries": regs}, nil
	case "why":
		h := s.history()
		e, ok := h.subjectOf(args["target"], false)
		if kind := args["event"]; kind != "" { // a timeline line's event: the newest of its kind about the process
			pid, _ := actor.ParsePID(args["target"])
			e, ok = h.newest(kind, pid)
		}
		if !ok {
			return nil, fmt.Errorf("nothing in the flight recorder about %q", clip(args["target"]))
		}
		var chain []map[string]any
		for _, st := range h.explain(e) {
			chain = append(chain, st.obj)
		}
		return map[string]any{"event": e.seq, "chain": chain}, nil
	case "msc":
		limit, _ := strconv.Atoi(args["limit"])
		ch := s.history().chart(nil, nil, 0, limit)
		return map[string]any{"svg": ch.svg(), "mermaid": ch.mermaid(), "rows": len(ch.steps)}, nil
	}
	return nil, fmt.Errorf("no snapshot %q", what)
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// maxScanned bounds the processes a sorted snapshot looks at.
const maxScanned = 100_000

func (b observerBackend) Snapshot(ctx context.Context, what string, args map[string]string) (any, error) {
	return b.s.Snapshot(ctx, what, args)
}
