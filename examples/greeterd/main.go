// Command greeterd is the seed's use case as a small HTTP service on the
// actorsh runtime: the embedding program of the API review, written
// against the current API (compare its Elixir twin in the review).
//
//	GET  /greet?person=alice   start (or reuse) the transient worker
//	                           greeter_for_alice under a DynamicSupervisor
//	                           and call it
//	GET  /stats                call the permanent, named Stats server
//	POST /crash-stats          make Stats crash: rest_for_one restarts it
//	                           and the greeter supervisor started after it
//
// Tree (rest_for_one):
//
//	app (Supervisor, rest_for_one)
//	├─ stats              permanent GenServer, monitors every greeter
//	└─ GreeterSupervisor  DynamicSupervisor of transient greeters
//
// SIGINT/SIGTERM stop the HTTP server, then the runtime. With -demo it
// serves on a random loopback port, drives itself and stops.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// ---- Greeter: one transient worker per person ----------------------------

// Greeter greets one person. It stays up while visits keep coming and
// exits normally (so, being transient, is not restarted) after idle.
type Greeter struct {
	Person string
	Idle   time.Duration
	Reg    *registry.Registry
	visits int
}

type greetReq struct{}

func (g *Greeter) Init(p *actor.Process) error {
	// Told on every start, restarts included, so Stats monitors each one.
	if stats, ok := g.Reg.WhereIs("stats"); ok {
		p.Cast(stats, greeterStarted{PID: p.Self(), Person: g.Person})
	}
	p.SetTimeout(g.Idle) // {:ok, state, timeout}
	return nil
}

func (g *Greeter) HandleCall(p *actor.Process, _ actor.From, req any) (any, error) {
	if g.Person == "mallory" {
		panic("mallory is not welcome") // abnormal exit: a transient child is restarted
	}
	g.visits++
	p.SetTimeout(g.Idle)
	return fmt.Sprintf("👋 %s (visit %d, %v)", g.Person, g.visits, p.Self()), nil
}

func (g *Greeter) HandleInfo(_ *actor.Process, msg any) error {
	if _, ok := msg.(actor.Timeout); ok {
		return actor.ErrNormal // {:stop, :normal, state}
	}
	return nil
}

// ---- Stats: a permanent, named GenServer with call and cast --------------

type Stats struct {
	started, completed, crashed int
	running                     map[actor.Ref]string
}

type (
	greeterStarted struct {
		PID    actor.PID
		Person string
	}
	statsCrash    struct{}
	statsSnapshot struct{}
)

// Snapshot is the reply to statsSnapshot.
type Snapshot struct {
	Started   int      `json:"started"`
	Completed int      `json:"completed"`
	Crashed   int      `json:"crashed"`
	Running   []string `json:"running"`
	PID       string   `json:"pid"`
}

func (s *Stats) Init(*actor.Process) error {
	s.running = make(map[actor.Ref]string)
	return nil
}

func (s *Stats) HandleCast(p *actor.Process, msg any) error {
	switch m := msg.(type) {
	case greeterStarted:
		s.started++
		s.running[p.Monitor(m.PID)] = m.Person
	case statsCrash:
		return actor.Reason("crash_requested")
	}
	return nil
}

func (s *Stats) HandleInfo(_ *actor.Process, msg any) error {
	if d, ok := msg.(actor.Down); ok {
		delete(s.running, d.Ref)
		if actor.IsNormal(d.Reason) {
			s.completed++
		} else {
			s.crashed++
		}
	}
	return nil
}

func (s *Stats) HandleCall(p *actor.Process, _ actor.From, _ any) (any, error) {
	snap := Snapshot{Started: s.started, Completed: s.completed, Crashed: s.crashed,
		Running: []string{}, PID: p.Self().String()}
	for _, person := range s.running {
		snap.Running = append(snap.Running, person)
	}
	sort.Strings(snap.Running)
	return snap, nil
}

// ---- the application ----------------------------------------------------

type app struct {
	rt     *actor.Runtime
	reg    *registry.Registry
	idle   time.Duration
	exited <-chan error // the top supervisor's exit reason
}

func startApp(ctx context.Context, idle time.Duration) (*app, error) {
	rt := actor.NewRuntime(actor.Options{})
	reg := registry.New(rt, registry.Options{Name: "GreeterRegistry"})
	a := &app{rt: rt, reg: reg, idle: idle}
	top, err := supervisor.Start(ctx, rt, supervisor.Options{Name: reg.Via("app"), Strategy: supervisor.RestForOne},
		supervisor.ChildSpec{ID: "stats", Name: reg.Via("stats"),
			New: func([]any) (actor.Actor, error) { return &Stats{}, nil }},
		supervisor.DynamicSpec("GreeterSupervisor",
			supervisor.DynamicOptions{Name: reg.Via("GreeterSupervisor"), MaxRestarts: 10, MaxSeconds: 1}))
	if err != nil {
		return nil, err
	}
	a.exited, _ = rt.Watch(top)
	return a, nil
}

// greet calls person's greeter, starting it if needed; CallName finds a
// greeter that a restart replaced, or one that idled out just now.
func (a *app) greet(ctx context.Context, person string) (string, error) {
	name := a.reg.Via("greeter_for_" + person)
	if msg, err := actor.CallNameAs[string](ctx, a.rt, name, greetReq{}); !errors.Is(err, actor.ErrNoProc) {
		return msg, err
	}
	sup, ok := a.reg.WhereIs("GreeterSupervisor")
	if !ok {
		return "", &actor.CallError{Name: "GreeterSupervisor", Err: actor.ErrNoProc}
	}
	_, err := supervisor.StartChild(ctx, a.rt, sup, supervisor.ChildSpec{
		ID: name.Key, Name: name, Restart: supervisor.Transient,
		New: func([]any) (actor.Actor, error) { return &Greeter{Person: person, Idle: a.idle, Reg: a.reg}, nil },
	})
	if err != nil && !errors.Is(err, actor.ErrAlreadyStarted) { // {:error, {:already_started, pid}} is fine
		return "", err
	}
	return actor.CallNameAs[string](ctx, a.rt, name, greetReq{})
}

func (a *app) handleGreet(w http.ResponseWriter, r *http.Request) {
	person := r.URL.Query().Get("person")
	if person == "" {
		http.Error(w, "person is required", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	msg, err := a.greet(ctx, person)
	writeResult(w, msg, err)
}

func (a *app) handleStats(w http.ResponseWriter, r *http.Request) {
	snap, err := actor.CallNameAs[Snapshot](r.Context(), a.rt, a.reg.Via("stats"), statsSnapshot{})
	writeResult(w, snap, err)
}

func (a *app) handleCrashStats(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	pid, ok := a.reg.WhereIs("stats")
	if !ok {
		writeResult(w, nil, &actor.CallError{Name: "stats", Err: actor.ErrNoProc})
		return
	}
	a.rt.Cast(pid, statsCrash{})
	writeResult(w, "cast sent to "+pid.String(), nil)
}

// writeResult maps runtime errors to HTTP statuses.
func writeResult(w http.ResponseWriter, v any, err error) {
	var panicked *actor.PanicError
	var exit *actor.ExitError
	switch {
	case err == nil:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	case errors.Is(err, actor.ErrNoProc):
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	case errors.Is(err, context.DeadlineExceeded):
		http.Error(w, err.Error(), http.StatusGatewayTimeout)
	case errors.As(err, &panicked):
		http.Error(w, "worker crashed: "+fmt.Sprint(panicked.Value), http.StatusInternalServerError)
	case errors.As(err, &exit):
		http.Error(w, "worker exited: "+actor.FormatReason(exit.Reason), http.StatusInternalServerError)
	default:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// run serves until ctx ends or the tree gives up. With demo, it drives
// itself on a random port and then stops.
func run(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("greeterd", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	idle := fs.Duration("idle", 10*time.Second, "how long a greeter waits for another visit")
	demo := fs.Bool("demo", false, "serve on a random port, drive the service, then stop")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logf := log.New(out, "", 0).Printf
	a, err := startApp(ctx, *idle)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/greet", a.handleGreet)
	mux.HandleFunc("/stats", a.handleStats)
	mux.HandleFunc("/crash-stats", a.handleCrashStats)
	if *demo {
		*addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	logf("listening on %s", ln.Addr())
	if *demo {
		var stop func()
		ctx, stop = context.WithCancel(ctx)
		go func() { runDemo(out, "http://"+ln.Addr().String()); stop() }()
	}
	select {
	case <-ctx.Done():
	case reason := <-a.exited:
		logf("app supervisor exited: %s", actor.FormatReason(reason))
	}
	// Each stage gets its own deadline (rt.Shutdown gives ShutdownGrace
	// even to a spent one, so one shared ctx would do, only worse).
	httpCtx, cancelHTTP := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelHTTP()
	srv.Shutdown(httpCtx)
	rtCtx, cancelRT := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelRT()
	err = a.rt.Shutdown(rtCtx)
	logf("app supervisor exited: %s; %d processes left", actor.FormatReason(<-a.exited), a.rt.NumProcesses())
	return err
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, os.Args[1:]); err != nil {
		log.Fatal(err)
	}
}
