// Package observe is actorsh's live observer: a small web server on
// loopback that pushes the runtime's events to a page with Server-Sent
// Events, answers snapshots (the tree, processes, one process,
// registries) as JSON, and runs actions through the shell's own command
// table. Every request must carry the token printed with the URL.
package observe

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Backend is what the observer observes: a shell session.
type Backend interface {
	// Exec runs a command line as the prompt would and returns its
	// results as the --json objects.
	Exec(ctx context.Context, line string) ([]map[string]any, error)
	// Events calls fn with every runtime event until cancel is called:
	// event makes its --json object, when the server needs it (a burst of
	// a million events is counted, not encoded). fn must not block.
	Events(fn func(event func() map[string]any)) (cancel func())
	// Snapshot reads what the pages show, without running a command (so
	// it answers while one runs at the prompt): tree (root), children
	// (sup, after, limit, q), procs (sort, limit, q), proc (pid), regs,
	// why (target, and event: the newest event of that kind about it),
	// msc (limit).
	Snapshot(ctx context.Context, what string, args map[string]string) (any, error)
}

// Options configures a Server.
type Options struct {
	// Ring is how many events a reconnecting page can catch up on
	// (Last-Event-ID); zero: DefaultRing.
	Ring int
	// Frame is how often events go out to the pages at most; zero:
	// DefaultFrame (10 frames a second).
	Frame time.Duration
}

// The defaults.
const (
	DefaultRing  = 10_000
	DefaultFrame = 100 * time.Millisecond
)

// Server is an observer.
type Server struct {
	b     Backend
	opts  Options
	token string
	mux   *http.ServeMux

	mu      sync.Mutex
	ring    []event // a ring once full: ring[next] is the oldest
	next    int
	seq     uint64
	clients map[*client]bool
	cancel  func()

	// frames owns the goroutine that sends events out, frame by frame.
	frames     sync.WaitGroup
	stop       chan struct{}
	srv        *http.Server
	closed     bool
	sentFrames atomic.Int64
}

// Frames is how many frames of events have gone out: at most one per
// Options.Frame however many events came.
func (s *Server) Frames() int64 { return s.sentFrames.Load() }

type event struct {
	id   uint64
	obj  func() map[string]any
	data []byte    // obj's JSON, made when it is first sent
	pids [3]string // the processes it is about (pid, other, supervisor), for a page's view
}

// about reports whether e concerns what a page shows: a process in view
// (the event's own, or a supervisor's decision), or a child of a
// supervisor whose children it shows in full (a big one's are paged, and
// the page reads their count again).
func (e *event) about(view, full map[string]bool) bool {
	pid, other, sup := e.pids[0], e.pids[1], e.pids[2]
	return (pid != "" && view[pid]) || (sup != "" && view[sup]) || (other != "" && full[other])
}

// encode makes e's JSON if it has none yet.
func (e *event) encode() {
	if e.data != nil {
		return
	}
	obj := e.obj()
	obj["seq"] = e.id
	for i, k := range []string{"pid", "other", "supervisor"} {
		e.pids[i], _ = obj[k].(string)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		data, _ = json.Marshal(map[string]any{"type": "error", "error": err.Error(), "seq": e.id})
	}
	e.data, e.obj = data, nil
}

// client is one page's event stream.
type client struct {
	id string
	ch chan []event // frames to write; a slow page loses its stream, not the server's memory
	// view is the processes the page shows (nil: it follows everything),
	// full the supervisors whose children it shows in full: the stream
	// carries the events about them, and counts the rest.
	view, full map[string]bool
}

//go:embed web
var web embed.FS

// New makes an observer of b. Handler serves it (for tests); Start
// listens on loopback.
func New(b Backend, opts Options) (*Server, error) {
	if opts.Ring <= 0 {
		opts.Ring = DefaultRing
	}
	if opts.Frame <= 0 {
		opts.Frame = DefaultFrame
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return nil, err
	}
	s := &Server{b: b, opts: opts, token: hex.EncodeToString(tok), clients: map[*client]bool{}, stop: make(chan struct{})}
	s.routes()
	s.cancel = b.Events(s.push)
	s.frames.Add(1)
	go s.sendFrames()
	return s, nil
}

// Token is the secret every request must carry.
func (s *Server) Token() string { return s.token }

// Handler is the observer's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Start listens on addr, which must be a loopback address
// (127.0.0.1:0 picks a port), and returns the URL to open, token
// included.
func (s *Server) Start(addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: want HOST:PORT, e.g. 127.0.0.1:0", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("--addr %q: the observer listens on loopback only (127.0.0.1 or ::1): it can stop processes", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.srv = &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Unlock()
	go s.srv.Serve(ln) // ends with Close
	return fmt.Sprintf("http://%s/?token=%s", ln.Addr(), s.token), nil
}

// Close stops the server, ends the pages' streams and waits for the
// goroutines it owns.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv := s.srv
	s.mu.Unlock()
	s.cancel()
	close(s.stop)
	s.frames.Wait()
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			return srv.Close()
		}
	}
	return nil
}

// push takes a runtime event (on the runtime's goroutines: it must be
// quick) into the ring; sendFrames sends it.
func (s *Server) push(obj func() map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	e := event{id: s.seq, obj: obj}
	if len(s.ring) < s.opts.Ring {
		s.ring = append(s.ring, e)
	} else {
		s.ring[s.next] = e
		s.next = (s.next + 1) % s.opts.Ring
	}
}

// sinceLocked returns the events after id, oldest first, encoded, and
// whether the ring still held all of them.
func (s *Server) sinceLocked(id uint64) ([]event, bool) {
	if len(s.ring) == 0 || id >= s.seq {
		return nil, true
	}
	first := s.seq - uint64(len(s.ring)) + 1
	whole := id+1 >= first
	from := max(id+1, first)
	out := make([]event, 0, s.seq-from+1)
	for seq := from; seq <= s.seq; seq++ {
		e := &s.ring[(s.next+int(seq-first))%len(s.ring)]
		e.encode()
		out = append(out, *e)
	}
	return out, whole
}

// maxFrame is how many events one frame carries at most: in a burst
// (spawn --count a million) the pages get a burst event instead, and
// reload what they show.
const maxFrame = 1000

// clientBuffer is how many frames a page may fall behind before its
// stream is ended (it reconnects, and catches up from the ring).
const clientBuffer = 64

// sendFrames sends what came since the last frame to every page, at most
// once per Frame: a page gets at most 10 updates a second however fast
// the runtime goes.
func (s *Server) sendFrames() {
	defer s.frames.Done()
	tick := time.NewTicker(s.opts.Frame)
	defer tick.Stop()
	var sent uint64
	for {
		select {
		case <-s.stop:
			s.mu.Lock()
			for c := range s.clients {
				close(c.ch)
				delete(s.clients, c)
			}
			s.mu.Unlock()
			return
		case <-tick.C:
		}
		s.mu.Lock()
		if s.seq == sent {
			s.mu.Unlock()
			continue
		}
		var frame []event
		burst := s.seq-sent > maxFrame
		if burst {
			data, _ := json.Marshal(map[string]any{"type": "burst", "from": sent + 1, "to": s.seq, "count": s.seq - sent})
			frame = []event{{id: s.seq, data: data}}
		} else {
			frame, _ = s.sinceLocked(sent)
		}
		sent = s.seq
		s.sentFrames.Add(1)
		for c := range s.clients {
			out := frame
			if c.view != nil && !burst {
				out = viewOf(frame, c.view, c.full)
			}
			select {
			case c.ch <- out:
			default: // too slow: end its stream; EventSource reconnects with Last-Event-ID
				close(c.ch)
				delete(s.clients, c)
			}
		}
		s.mu.Unlock()
	}
}

// viewOf is the part of frame about the processes in view, then one
// elsewhere event counting the rest (its id the frame's last, so that a
// page that reconnects resumes after the frame).
func viewOf(frame []event, view, full map[string]bool) []event {
	var out []event
	others := 0
	for i := range frame {
		if frame[i].about(view, full) {
			out = append(out, frame[i])
		} else {
			others++
		}
	}
	if others > 0 {
		data, _ := json.Marshal(map[string]any{"type": "elsewhere", "count": others})
		out = append(out, event{id: frame[len(frame)-1].id, data: data})
	}
	return out
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	static, _ := fs.Sub(web, "web")
	files := http.FileServerFS(static)
	s.mux.Handle("GET /", s.guard(func(w http.ResponseWriter, r *http.Request) {
		// the page's own requests carry the token in a cookie set here, so
		// that links and EventSource need not repeat it
		http.SetCookie(w, &http.Cookie{Name: "actorsh_token", Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		files.ServeHTTP(w, r)
	}))
	s.mux.Handle("GET /api/events", s.guard(s.events))
	s.mux.Handle("POST /api/cmd", s.guard(s.cmd))
	s.mux.Handle("POST /api/view", s.guard(s.setView))
	s.mux.Handle("GET /api/tree", s.guard(s.snapshot("tree", func(r *http.Request) map[string]string {
		return map[string]string{"root": r.URL.Query().Get("root")}
	})))
	s.mux.Handle("GET /api/procs", s.guard(s.snapshot("procs", func(r *http.Request) map[string]string {
		q := r.URL.Query()
		return map[string]string{"sort": q.Get("sort"), "limit": limit(r, 100), "q": q.Get("q")}
	})))
	s.mux.Handle("GET /api/proc/{pid}", s.guard(s.snapshot("proc", func(r *http.Request) map[string]string {
		return map[string]string{"pid": r.PathValue("pid")}
	})))
	s.mux.Handle("GET /api/children", s.guard(s.snapshot("children", func(r *http.Request) map[string]string {
		q := r.URL.Query()
		return map[string]string{"sup": q.Get("sup"), "after": q.Get("after"), "limit": limit(r, 50), "q": q.Get("q")}
	})))
	s.mux.Handle("GET /api/regs", s.guard(s.snapshot("regs", func(*http.Request) map[string]string { return nil })))
	s.mux.Handle("GET /api/why/{target}", s.guard(s.snapshot("why", func(r *http.Request) map[string]string {
		return map[string]string{"target": r.PathValue("target"), "event": r.URL.Query().Get("event")}
	})))
	s.mux.Handle("GET /api/msc", s.guard(s.snapshot("msc", func(r *http.Request) map[string]string {
		return map[string]string{"limit": limit(r, 40)}
	})))
}

// limit is the request's limit (def if none), at most 1000.
func limit(r *http.Request, def int) string {
	n, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || n <= 0 {
		n = def
	}
	return strconv.Itoa(min(n, 1000))
}

// guard refuses requests without the token (query, header or cookie)
// and ones whose Host is not the loopback address the server listens on
// (a web page elsewhere cannot reach it by DNS rebinding).
func (s *Server) guard(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			http.Error(w, "the observer answers on loopback only", http.StatusForbidden)
			return
		}
		tok := r.URL.Query().Get("token")
		if tok == "" {
			tok = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		}
		if tok == "" {
			if c, err := r.Cookie("actorsh_token"); err == nil {
				tok = c.Value
			}
		}
		if subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) != 1 {
			http.Error(w, "this observer wants its token: open the URL it printed", http.StatusForbidden)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h(w, r)
	})
}

func loopbackHost(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	h = strings.Trim(h, "[]")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// events is the SSE stream: one event per runtime event, id its seq,
// resumed after Last-Event-ID from the ring.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Connection", "keep-alive")
	c := &client{id: randomID(), ch: make(chan []event, clientBuffer)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	var backlog []event
	whole := true
	if last := r.Header.Get("Last-Event-ID"); last != "" {
		if id, err := strconv.ParseUint(last, 10, 64); err == nil {
			backlog, whole = s.sinceLocked(id)
		}
	}
	// from now on the frames bring what comes after the backlog
	frameFrom := s.seq
	s.clients[c] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.clients[c] {
			delete(s.clients, c)
		}
		s.mu.Unlock()
	}()
	fmt.Fprint(w, "retry: 1000\n\n")
	fmt.Fprintf(w, "event: hello\ndata: {\"type\":\"hello\",\"client\":%q}\n\n", c.id) // for /api/view
	if !whole {
		fmt.Fprint(w, "event: gap\ndata: {\"type\":\"gap\"}\n\n") // the page reloads its snapshots
	}
	write := func(es []event) {
		for _, e := range es {
			fmt.Fprintf(w, "id: %d\ndata: %s\n\n", e.id, e.data)
		}
	}
	write(backlog)
	fl.Flush()
	heartbeat := time.NewTicker(15 * time.Second)
	defer heartbeat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-heartbeat.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			fl.Flush()
		case frame, ok := <-c.ch:
			if !ok {
				return
			}
			var fresh []event
			for _, e := range frame {
				if e.id > frameFrom {
					fresh = append(fresh, e)
				}
			}
			write(fresh)
			fl.Flush()
		}
	}
}

// randomID names a page's stream.
func randomID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// setView takes what a page shows: {"client": ID, "pids": ["<0.2.0>",
// ...], "full": [supervisors whose children it shows in full]}; from then
// on its stream carries the events about them and counts the rest.
// "pids": null follows everything again.
func (s *Server) setView(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Client string    `json:"client"`
		PIDs   *[]string `json:"pids"`
		Full   []string  `json:"full"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"type": "error", "error": `want {"client": ID, "pids": [PID, ...]}`})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		if c.id != req.Client {
			continue
		}
		if req.PIDs == nil {
			c.view, c.full = nil, nil
		} else {
			c.view, c.full = map[string]bool{}, map[string]bool{}
			for _, p := range *req.PIDs {
				c.view[p] = true
			}
			for _, p := range req.Full {
				c.full[p] = true
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"client": c.id, "watching": len(c.view)})
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]any{"type": "error", "error": "no such stream: open /api/events first"})
}

// maxBody bounds an action's request.
const maxBody = 64 << 10

// cmd runs an action through the shell's command table: {"line": "kill
// c1"}; the answer is the results as --json objects, or the error.
func (s *Server) cmd(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Line string `json:"line"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req); err != nil || strings.TrimSpace(req.Line) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"type": "error", "error": `want {"line": "COMMAND"}, e.g. {"line": "kill c1"}`})
		return
	}
	s.run(w, r, req.Line)
}

func (s *Server) snapshot(what string, args func(*http.Request) map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
		defer cancel()
		v, err := s.b.Snapshot(ctx, what, args(r))
		if err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"type": "error", "error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

// actionTimeout bounds how long an action waits for the shell (a command
// typed at the prompt may be running).
const actionTimeout = 10 * time.Second

func (s *Server) run(w http.ResponseWriter, r *http.Request, line string) {
	ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
	defer cancel()
	results, err := s.b.Exec(ctx, line)
	if err != nil {
		status := http.StatusUnprocessableEntity
		if errors.Is(err, context.DeadlineExceeded) {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, map[string]any{"type": "error", "cmd": line, "error": err.Error(), "results": results})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"cmd": line, "results": results})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
