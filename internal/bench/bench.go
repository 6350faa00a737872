// Package bench measures the actorsh runtime in one process: named,
// supervised spawns, memory per idle process, registry lookups, calls,
// casts, restarts and stopping a supervisor with all its children. It is
// what `actorsh bench` runs; docs/PERFORMANCE.md describes the method.
package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/registry"
	"github.com/actorsh/actorsh/pkg/supervisor"
)

// Config says what to measure.
type Config struct {
	Processes int      // named, supervised processes per round (default 1,000,000)
	Rounds    int      // rounds to take the median of (default 3)
	Only      []string // measure only these (names as in Names); empty: all
	// Progress, if set, is told how far a long phase has got.
	Progress func(phase string, done, total int)
	// New makes each process (default: an idle Go actor that answers a
	// call with the request and ignores casts); Kind names it in the
	// report.
	New  func([]any) (actor.Actor, error)
	Kind string
}

// The measurements, in the order they are reported.
const (
	Spawn          = "spawn"
	Memory         = "memory"
	Lookup         = "lookup"
	LookupParallel = "lookup_parallel"
	Call           = "call"
	Cast           = "cast"
	Restart        = "restart"
	Stop           = "stop"
)

// Names lists the measurements.
var Names = []string{Spawn, Memory, Lookup, LookupParallel, Call, Cast, Restart, Stop}

var units = map[string]string{
	Spawn: "spawns/s", Memory: "bytes/process", Lookup: "ns/lookup", LookupParallel: "ns/lookup",
	Call: "ns/call", Cast: "msgs/s", Restart: "us/restart", Stop: "ms",
}

var descriptions = map[string]string{
	Spawn:          "named spawn under a DynamicSupervisor (via registry names)",
	Memory:         "heap and stacks per idle, named, supervised process, after GC",
	Lookup:         "registry lookup by name, 1 goroutine",
	LookupParallel: "registry lookup by name, GOMAXPROCS goroutines (wall time per lookup)",
	Call:           "call round trip to one process by name",
	Cast:           "casts to one process, until all are handled",
	Restart:        "kill a permanent named child until its new PID is found by name (median)",
	Stop:           "stop the supervisor and all its children",
}

// Result is one measurement over all rounds.
type Result struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Unit        string    `json:"unit"`
	Median      float64   `json:"median"`
	Min         float64   `json:"min"`
	Max         float64   `json:"max"`
	Values      []float64 `json:"values"`
}

// Machine describes where the measurement ran.
type Machine struct {
	GoVersion  string `json:"go_version"`
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	NumCPU     int    `json:"num_cpu"`
}

// Report is the outcome of Run.
type Report struct {
	Machine   Machine  `json:"machine"`
	Processes int      `json:"processes"`
	Rounds    int      `json:"rounds"`
	Results   []Result `json:"results"`
	// PeakBytes is the most heap and stack in use seen during the run.
	PeakBytes uint64 `json:"peak_bytes"`
	// Lookups, Kills: how many lookups checked every name, and how many
	// processes were killed and restarted per round.
	Lookups int `json:"lookups_per_round"`
	Kills   int `json:"kills_per_round"`
	// Kind is what the processes are: "" for the idle Go actor.
	Kind string `json:"kind,omitempty"`
}

// Run measures. It returns ctx.Err() if interrupted, with what it had.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Processes <= 0 {
		cfg.Processes = 1_000_000
	}
	if cfg.Rounds <= 0 {
		cfg.Rounds = 3
	}
	for _, o := range cfg.Only {
		if !slices.Contains(Names, o) {
			return Report{}, fmt.Errorf("bench: unknown measurement %q (want one of %v)", o, Names)
		}
	}
	rep := Report{Kind: cfg.Kind,
		Machine: Machine{GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
			GOMAXPROCS: runtime.GOMAXPROCS(0), NumCPU: runtime.NumCPU()},
		Processes: cfg.Processes, Rounds: cfg.Rounds,
	}
	values := map[string][]float64{}
	for r := 0; r < cfg.Rounds; r++ {
		if err := round(ctx, cfg, &rep, values); err != nil {
			rep.Results = summarise(cfg, values)
			return rep, err
		}
	}
	rep.Results = summarise(cfg, values)
	return rep, nil
}

func summarise(cfg Config, values map[string][]float64) []Result {
	var out []Result
	for _, n := range Names {
		vs := values[n]
		if len(vs) == 0 {
			continue
		}
		s := slices.Clone(vs)
		slices.Sort(s)
		out = append(out, Result{Name: n, Description: descriptions[n], Unit: units[n],
			Median: s[len(s)/2], Min: s[0], Max: s[len(s)-1], Values: vs})
	}
	return out
}

func (c Config) want(name string) bool {
	return len(c.Only) == 0 || slices.Contains(c.Only, name)
}

type idle struct{}

func newIdle([]any) (actor.Actor, error) { return idle{}, nil }

func (idle) Init(*actor.Process) error { return nil }
func (idle) HandleCall(_ *actor.Process, _ actor.From, req any) (any, error) {
	return req, nil
}
func (idle) HandleCast(*actor.Process, any) error { return nil }

func memInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

func name(i int) string { return "greeter_for_" + strconv.Itoa(i) }

func (c Config) progress(phase string, done, total int) {
	if c.Progress != nil {
		c.Progress(phase, done, total)
	}
}

// round runs every phase once on a fresh runtime.
func round(ctx context.Context, cfg Config, rep *Report, values map[string][]float64) (err error) {
	n := cfg.Processes
	base := memInUse()
	rt := actor.NewRuntime(actor.Options{})
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if serr := rt.Shutdown(sctx); serr != nil && err == nil {
			err = serr
		}
	}()
	reg := registry.New(rt, registry.Options{Name: "bench"})
	newActor := cfg.New
	if newActor == nil {
		newActor = newIdle
	}
	sup, err := supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{MaxRestarts: 1 << 40, MaxSeconds: 1})
	if err != nil {
		return err
	}
	spec := func(key string) supervisor.ChildSpec {
		return supervisor.ChildSpec{ID: key, Name: reg.Via(key), New: newActor}
	}

	// Spawn (always: the other phases need the processes). StartChild goes
	// with a ctx that cannot end, as a program starting many children
	// would: the supervisor then runs on this goroutine. ctx is checked
	// between spawns.
	start := time.Now()
	bg := context.WithoutCancel(ctx)
	for i := 0; i < n; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			cfg.progress(Spawn, i, n)
		}
		if _, err := supervisor.StartChild(bg, rt, sup, spec(name(i))); err != nil {
			return fmt.Errorf("bench: spawn %d: %w", i, err)
		}
	}
	cfg.progress(Spawn, n, n)
	if cfg.want(Spawn) {
		values[Spawn] = append(values[Spawn], float64(n)/time.Since(start).Seconds())
	}
	rt.Quiesce(ctx)
	used := memInUse()
	rep.PeakBytes = max(rep.PeakBytes, used)
	if cfg.want(Memory) {
		values[Memory] = append(values[Memory], float64(int64(used)-int64(base))/float64(n))
	}

	// Lookups: every name is checked once; then the timed lookups go over
	// a precomputed sample (up to a million names spread over all of
	// them), so that building the name is not what gets measured.
	if cfg.want(Lookup) || cfg.want(LookupParallel) {
		for i := 0; i < n; i++ {
			if i%65536 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				cfg.progress("check names", i, n)
			}
			if pid, ok := reg.WhereIs(name(i)); !ok || !rt.Alive(pid) {
				return fmt.Errorf("bench: %s does not name a live process", name(i))
			}
		}
		rep.Lookups = n
	}
	m := min(n, 1_000_000)
	sample := make([]string, m)
	for i := range sample {
		sample[i] = name(int(int64(i) * int64(n) / int64(m)))
	}
	if cfg.want(Lookup) {
		start = time.Now()
		for _, k := range sample {
			if _, ok := reg.WhereIs(k); !ok {
				return fmt.Errorf("bench: %s not found", k)
			}
		}
		values[Lookup] = append(values[Lookup], float64(time.Since(start).Nanoseconds())/float64(m))
	}
	if cfg.want(LookupParallel) {
		procs := runtime.GOMAXPROCS(0)
		var wg sync.WaitGroup
		var missing sync.Map
		start = time.Now()
		for g := 0; g < procs; g++ {
			wg.Go(func() {
				for i := g; i < m; i += procs {
					if _, ok := reg.WhereIs(sample[i]); !ok {
						missing.Store(sample[i], true)
					}
				}
			})
		}
		wg.Wait()
		values[LookupParallel] = append(values[LookupParallel], float64(time.Since(start).Nanoseconds())/float64(m))
		missing.Range(func(k, _ any) bool { err = fmt.Errorf("bench: %s not found", k); return false })
		if err != nil {
			return err
		}
	}
	sample = nil

	// Call and cast, to one named process. A call goes by name, as
	// GenServer.call with a via name does: the name is looked up each time.
	key0 := name(0)
	target, _ := reg.WhereIs(key0)
	msgs := min(n, 1_000_000)
	if cfg.want(Call) {
		start = time.Now()
		for i := 0; i < msgs/4; i++ {
			pid, ok := reg.WhereIs(key0)
			if !ok {
				return fmt.Errorf("bench: call: %s not found", key0)
			}
			if _, err := rt.Call(ctx, pid, i); err != nil {
				return fmt.Errorf("bench: call: %w", err)
			}
		}
		values[Call] = append(values[Call], float64(time.Since(start).Nanoseconds())/float64(msgs/4))
	}
	if cfg.want(Cast) {
		start = time.Now()
		for i := 0; i < msgs; i++ {
			rt.Cast(target, i)
		}
		if err := rt.Quiesce(ctx); err != nil {
			return err
		}
		values[Cast] = append(values[Cast], float64(msgs)/time.Since(start).Seconds())
	}

	// Restarts: 1% of the processes (at least 100), each killed and
	// waited for until its name points at the replacement.
	if cfg.want(Restart) {
		kills := max(n/100, 100)
		kills = min(kills, n)
		lat := make([]float64, 0, kills)
		for k := 0; k < kills; k++ {
			if k%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				cfg.progress(Restart, k, kills)
			}
			key := name((k * 97) % n)
			old, ok := reg.WhereIs(key)
			if !ok {
				return fmt.Errorf("bench: %s not found before kill", key)
			}
			t0 := time.Now()
			rt.Exit(actor.PID{}, old, actor.ErrKill)
			for spins := 0; ; spins++ {
				if pid, ok := reg.WhereIs(key); ok && pid != old {
					break
				}
				if spins > 1_000_000 && time.Since(t0) > 10*time.Second {
					return fmt.Errorf("bench: %s was not restarted", key)
				}
				runtime.Gosched()
			}
			lat = append(lat, float64(time.Since(t0).Nanoseconds())/1000)
		}
		cfg.progress(Restart, kills, kills)
		slices.Sort(lat)
		values[Restart] = append(values[Restart], lat[len(lat)/2])
		rep.Kills = kills
		rt.Quiesce(ctx)
	}
	rep.PeakBytes = max(rep.PeakBytes, memInUse())

	// Stop the supervisor with every child.
	start = time.Now()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := rt.Stop(sctx, sup, actor.ErrShutdown); err != nil && !errors.Is(err, actor.ErrNoProc) {
		return fmt.Errorf("bench: stop: %w", err)
	}
	if cfg.want(Stop) {
		values[Stop] = append(values[Stop], float64(time.Since(start).Microseconds())/1000)
	}
	if left := reg.Count(); left != 0 {
		return fmt.Errorf("bench: %d names left after the supervisor stopped", left)
	}
	return nil
}
