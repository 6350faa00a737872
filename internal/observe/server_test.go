package observe

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fake is a Backend whose events the test pushes and whose commands it
// records.
type fake struct {
	mu    sync.Mutex
	fn    func(func() map[string]any)
	lines []string
}

func (f *fake) Exec(_ context.Context, line string) ([]map[string]any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines = append(f.lines, line)
	if strings.HasPrefix(line, "kill nosuch") {
		return nil, errors.New(`no process is registered as "nosuch"`)
	}
	return []map[string]any{{"type": "result", "cmd": strings.Fields(line)[0]}}, nil
}

func (f *fake) Snapshot(_ context.Context, what string, args map[string]string) (any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines = append(f.lines, fmt.Sprintf("%s %v", what, args))
	if args["pid"] == "<0.99.0>" {
		return nil, errors.New("<0.99.0> is not alive")
	}
	return map[string]any{"what": what}, nil
}

func (f *fake) Events(fn func(func() map[string]any)) func() {
	f.mu.Lock()
	f.fn = fn
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		f.fn = nil
		f.mu.Unlock()
	}
}

func (f *fake) emit(n int) {
	f.mu.Lock()
	fn := f.fn
	f.mu.Unlock()
	for i := range n {
		fn(func() map[string]any { return map[string]any{"type": "event", "event": "exited", "n": i} })
	}
}

func start(t *testing.T, opts Options) (*fake, *Server, *httptest.Server) {
	t.Helper()
	f := &fake{}
	s, err := New(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.CloseClientConnections()
		s.Close()
		ts.Close()
	})
	return f, s, ts
}

func TestToken(t *testing.T) {
	_, s, ts := start(t, Options{})
	for _, c := range []struct {
		path string
		hdr  map[string]string
		want int
	}{
		{"/", nil, 403},
		{"/?token=wrong", nil, 403},
		{"/api/regs", nil, 403},
		{"/?token=" + s.Token(), nil, 200},
		{"/api/regs", map[string]string{"Authorization": "Bearer " + s.Token()}, 200},
		{"/api/regs", map[string]string{"Cookie": "actorsh_token=" + s.Token()}, 200},
		// a page elsewhere that rebinds its name to 127.0.0.1 still says its own Host
		{"/?token=" + s.Token(), map[string]string{"Host": "evil.example"}, 403},
	} {
		req, _ := http.NewRequest("GET", ts.URL+c.path, nil)
		for k, v := range c.hdr {
			if k == "Host" {
				req.Host = v
			} else {
				req.Header.Set(k, v)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET %s %v: %d, want %d", c.path, c.hdr, resp.StatusCode, c.want)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET %s answers with CORS headers", c.path)
		}
	}
}

// stream reads an SSE stream's events: id and data.
type stream struct {
	resp   *http.Response
	r      *bufio.Reader
	client string // from the hello event every stream starts with
}

func openStream(t *testing.T, ts *httptest.Server, s *Server, last string) *stream {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.URL+"/api/events?token="+s.Token(), nil)
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	t.Cleanup(func() { resp.Body.Close() })
	st := &stream{resp: resp, r: bufio.NewReader(resp.Body)}
	_, hello := st.next(t)
	if hello["type"] != "hello" || hello["client"] == "" {
		t.Fatalf("the stream began with %v, want hello with its client id", hello)
	}
	st.client = hello["client"].(string)
	return st
}

// next returns the next event's id and data.
func (st *stream) next(t *testing.T) (string, map[string]any) {
	t.Helper()
	var id, data string
	for {
		line, err := st.r.ReadString('\n')
		if err != nil {
			t.Fatalf("the stream ended: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		case line == "" && data != "":
			var obj map[string]any
			if err := json.Unmarshal([]byte(data), &obj); err != nil {
				t.Fatalf("data %q: %v", data, err)
			}
			return id, obj
		}
	}
}

func TestEventsResume(t *testing.T) {
	f, s, ts := start(t, Options{Frame: 10 * time.Millisecond})
	st := openStream(t, ts, s, "")
	f.emit(3)
	for want := 1; want <= 3; want++ {
		id, obj := st.next(t)
		if id != fmt.Sprint(want) || obj["seq"] != float64(want) {
			t.Fatalf("event %d: id %s, %v", want, id, obj)
		}
	}
	st.resp.Body.Close()
	// a page that reconnects after event 2 gets 3 again, then what is new
	f.emit(2)
	again := openStream(t, ts, s, "2")
	for want := 3; want <= 5; want++ {
		if id, _ := again.next(t); id != fmt.Sprint(want) {
			t.Fatalf("after Last-Event-ID 2: event %s, want %d", id, want)
		}
	}
	f.emit(1)
	if id, _ := again.next(t); id != "6" {
		t.Fatalf("then event %s, want 6", id)
	}
}

func TestEventsGap(t *testing.T) {
	f, s, ts := start(t, Options{Ring: 10, Frame: 10 * time.Millisecond})
	f.emit(30)
	st := openStream(t, ts, s, "3") // 4..20 have left the ring
	_, obj := st.next(t)
	if obj["type"] != "gap" {
		t.Fatalf("first %v, want a gap (the page reloads its snapshots)", obj)
	}
	if id, _ := st.next(t); id != "21" {
		t.Fatalf("then %s, want 21, the oldest the ring holds", id)
	}
}

// TestEventsCoalesced: however fast events come, they go out in at most
// one frame per Frame.
func TestEventsCoalesced(t *testing.T) {
	f, s, ts := start(t, Options{Frame: 50 * time.Millisecond})
	st := openStream(t, ts, s, "")
	began := time.Now()
	for range 30 {
		f.emit(100) // 3000 events within about 300 ms
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(began)
	for i := 1; i <= 3000; i++ {
		if id, _ := st.next(t); id != fmt.Sprint(i) {
			t.Fatalf("event %s, want %d", id, i)
		}
	}
	// every event arrived, in at most one frame per 50 ms (and one more
	// for the last partial frame)
	if max := int64(time.Since(began)/(50*time.Millisecond)) + 2; s.Frames() > max {
		t.Errorf("%d frames in %v; want at most %d (one per 50 ms)", s.Frames(), elapsed, max)
	}
	if s.Frames() >= 3000/10 {
		t.Errorf("%d frames for 3000 events: not coalesced", s.Frames())
	}
}

func TestActions(t *testing.T) {
	f, s, ts := start(t, Options{})
	post := func(body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", ts.URL+"/api/cmd?token="+s.Token(), strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var obj map[string]any
		json.NewDecoder(resp.Body).Decode(&obj)
		return resp.StatusCode, obj
	}
	if code, obj := post(`{"line": "kill c1"}`); code != 200 || obj["cmd"] != "kill c1" {
		t.Errorf("kill c1: %d %v", code, obj)
	}
	if code, obj := post(`{"line": "kill nosuch"}`); code != 422 || !strings.Contains(fmt.Sprint(obj["error"]), "nosuch") {
		t.Errorf("kill nosuch: %d %v", code, obj)
	}
	if code, _ := post(`not json`); code != 400 {
		t.Errorf("a body that is not JSON: %d, want 400", code)
	}
	if code, _ := post(`{"line": ""}`); code != 400 {
		t.Errorf("an empty line: %d, want 400", code)
	}
	// snapshots ask the backend for what the page shows
	for path, line := range map[string]string{
		"/api/tree?root=workers":            "tree map[root:workers]",
		"/api/procs?sort=mailbox&limit=5":   "procs map[limit:5 q: sort:mailbox]",
		"/api/proc/%3C0.4.0%3E":             "proc map[pid:<0.4.0>]",
		"/api/regs":                         "regs map[]",
		"/api/why/c1":                       "why map[event: target:c1]",
		"/api/why/%3C0.3.0%3E?event=exited": "why map[event:exited target:<0.3.0>]",
	} {
		resp, err := http.Get(ts.URL + path + sep(path) + "token=" + s.Token())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		f.mu.Lock()
		last := f.lines[len(f.lines)-1]
		f.mu.Unlock()
		if resp.StatusCode != 200 || last != line {
			t.Errorf("GET %s: %d, ran %q; want %q", path, resp.StatusCode, last, line)
		}
	}
	// the limit is capped
	resp, _ := http.Get(ts.URL + "/api/procs?limit=99999999&token=" + s.Token())
	resp.Body.Close()
	f.mu.Lock()
	last := f.lines[len(f.lines)-1]
	f.mu.Unlock()
	if last != "procs map[limit:1000 q: sort:]" {
		t.Errorf("a huge limit asked for %q", last)
	}
	resp, _ = http.Get(ts.URL + "/api/proc/%3C0.99.0%3E?token=" + s.Token())
	resp.Body.Close()
	if resp.StatusCode != 422 {
		t.Errorf("a dead PID: %d, want 422", resp.StatusCode)
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

func TestStartLoopbackOnly(t *testing.T) {
	f := &fake{}
	s, err := New(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Start("0.0.0.0:0"); err == nil || !strings.Contains(err.Error(), "loopback only") {
		t.Errorf("Start on 0.0.0.0: %v, want a refusal", err)
	}
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/?token="+s.Token()) {
		t.Errorf("url %q", url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: %d", url, resp.StatusCode)
	}
}

// TestEventsBurst: a burst of more events than a frame carries goes out
// as one burst event (the page reloads its snapshots), and the events
// stay in the ring for a page that resumes.
func TestEventsBurst(t *testing.T) {
	f, s, ts := start(t, Options{Frame: 50 * time.Millisecond})
	st := openStream(t, ts, s, "")
	f.emit(5000)
	id, obj := st.next(t)
	if obj["type"] != "burst" || obj["count"] != float64(5000) || id != "5000" {
		t.Fatalf("after 5000 events at once: %s %v, want a burst of 5000", id, obj)
	}
	f.emit(1)
	if id, _ := st.next(t); id != "5001" {
		t.Fatalf("then %s, want 5001", id)
	}
	again := openStream(t, ts, s, "4998")
	for _, want := range []string{"4999", "5000", "5001"} {
		if id, _ := again.next(t); id != want {
			t.Fatalf("resumed after 4998: %s, want %s", id, want)
		}
	}
}

// TestView: a page that says what it shows gets the events about that,
// and a count of the rest.
func TestView(t *testing.T) {
	f, s, ts := start(t, Options{Frame: 10 * time.Millisecond})
	st := openStream(t, ts, s, "")
	view := func(body string) int {
		resp, err := http.Post(ts.URL+"/api/view?token="+s.Token(), "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := view(fmt.Sprintf(`{"client": %q, "pids": ["<0.2.0>"], "full": ["<0.2.0>"]}`, st.client)); code != 200 {
		t.Fatalf("POST /api/view: %d", code)
	}
	emit := func(pid, other string) {
		f.mu.Lock()
		fn := f.fn
		f.mu.Unlock()
		fn(func() map[string]any {
			return map[string]any{"type": "event", "event": "exited", "pid": pid, "other": other}
		})
	}
	emit("<0.3.0>", "<0.2.0>") // a child of the shown supervisor: about it
	emit("<0.9.0>", "<0.8.0>") // elsewhere
	emit("<0.2.0>", "<0.1.0>")
	emit("<0.7.0>", "<0.1.0>") // a child of a supervisor not shown in full: elsewhere
	time.Sleep(50 * time.Millisecond)
	_, a := st.next(t)
	_, b := st.next(t)
	_, c := st.next(t)
	if a["pid"] != "<0.3.0>" || b["pid"] != "<0.2.0>" || c["type"] != "elsewhere" || c["count"] != float64(2) {
		t.Fatalf("got %v, %v, %v; want the two about <0.2.0>, then elsewhere 2", a, b, c)
	}
	// following everything again
	if code := view(fmt.Sprintf(`{"client": %q, "pids": null}`, st.client)); code != 200 {
		t.Fatalf("POST /api/view null: %d", code)
	}
	emit("<0.9.0>", "<0.8.0>")
	if _, e := st.next(t); e["pid"] != "<0.9.0>" {
		t.Fatalf("with no view: %v", e)
	}
	if code := view(`{"client": "nosuch", "pids": []}`); code != 404 {
		t.Errorf("a view for no stream: %d, want 404", code)
	}
}
