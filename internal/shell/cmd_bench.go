package shell

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/actorsh/actorsh/pkg/actor"
	"github.com/actorsh/actorsh/pkg/starkind"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/actorsh/actorsh/internal/bench"
	"github.com/spf13/cobra"
)

type benchOptions struct {
	processes int
	rounds    int
	only      []string
	kind      string // a Starlark kind's file, whose processes are measured instead of Go ones
}

func addBenchFlags(cmd *cobra.Command, o *benchOptions) {
	f := cmd.Flags()
	intFlag(f, &o.processes, "processes", 1_000_000, "named, supervised processes per round")
	intFlag(f, &o.rounds, "rounds", 3, "rounds (the report gives median, min and max)")
	f.StringSliceVar(&o.only, "only", nil, "measure only these: "+strings.Join(bench.Names, ", "))
	f.StringVar(&o.kind, "kind", "", "measure processes of this Starlark kind (a .star FILE; its handle_call must reply with the request) instead of Go ones")
}

const benchShort = "measure the runtime: spawns, memory, lookups, calls, casts, restarts, stopping"

const benchLong = "Measures the embedded runtime in this process: named spawns under a DynamicSupervisor,\n" +
	"memory per idle named supervised process, registry lookups (1 and GOMAXPROCS goroutines),\n" +
	"call round trip, cast throughput, restart latency (1% of the processes are killed) and\n" +
	"stopping the supervisor with all its children. docs/PERFORMANCE.md explains the method."

// runBench runs the benchmark and writes its report: a table, or one JSON
// object with --json. Progress goes to errOut: a bar on a terminal, a line
// per phase otherwise.
func runBench(ctx context.Context, o benchOptions, out, errOut io.Writer, tty, asJSON bool) error {
	if o.processes < 1 || o.rounds < 1 {
		return fmt.Errorf("--processes and --rounds must be at least 1")
	}
	var newActor func([]any) (actor.Actor, error)
	kindName := ""
	if o.kind != "" {
		src, err := os.ReadFile(o.kind)
		if err != nil {
			return fileError(o.kind, err)
		}
		k, err := starkind.Load("", o.kind, src, starkind.Options{})
		if err != nil {
			return err
		}
		newActor = func([]any) (actor.Actor, error) { return k.New(nil), nil }
		kindName = k.Name
	}
	var mu sync.Mutex
	lastPhase, lastDraw := "", time.Time{}
	cfg := bench.Config{Processes: o.processes, Rounds: o.rounds, Only: o.only,
		New: newActor, Kind: kindName,
		Progress: func(phase string, done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if tty {
				if done < total && time.Since(lastDraw) < 100*time.Millisecond {
					return
				}
				lastDraw = time.Now()
				width := 30
				filled := width * done / max(total, 1)
				fmt.Fprintf(errOut, "\r%-12s [%s%s] %3d%% ", phase, strings.Repeat("#", filled), strings.Repeat(" ", width-filled), 100*done/max(total, 1))
				if done == total {
					fmt.Fprint(errOut, "\r\033[K")
				}
				return
			}
			if phase != lastPhase {
				lastPhase = phase
				fmt.Fprintf(errOut, "bench: %s (%d)\n", phase, total)
			}
		}}
	rep, err := bench.Run(ctx, cfg)
	if err != nil && len(rep.Results) == 0 {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		if jerr := enc.Encode(map[string]any{"type": "result", "cmd": "bench", "report": rep}); jerr != nil {
			return jerr
		}
		return err
	}
	m := rep.Machine
	kind := ""
	if rep.Kind != "" {
		kind = " of the Starlark kind " + rep.Kind
	}
	fmt.Fprintf(out, "actorsh bench: %d processes%s, %d round%s; %s %s/%s, GOMAXPROCS %d, %d CPUs\n",
		rep.Processes, kind, rep.Rounds, plural(rep.Rounds), m.GoVersion, m.GOOS, m.GOARCH, m.GOMAXPROCS, m.NumCPU)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "MEASURE\tMEDIAN\tMIN\tMAX\tUNIT\t")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.Name, num(r.Median), num(r.Min), num(r.Max), r.Unit)
	}
	tw.Flush()
	fmt.Fprintf(out, "peak heap and stacks: %s; %d names checked and %d processes killed and restarted per round\n",
		bytesText(rep.PeakBytes), rep.Lookups, rep.Kills)
	return err
}

func num(v float64) string {
	switch {
	case v >= 100:
		return groupThousands(fmt.Sprintf("%.0f", v))
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func bytesText(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// newCmdBench is the shell's bench command.
func newCmdBench(s *Session) *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "bench [--processes N] [--rounds R] [--only NAME,...]",
		Short:       benchShort + " (on a runtime of its own)",
		Long:        benchLong,
		Example:     "bench --processes 100000 --rounds 1\nbench --only lookup,lookup_parallel",
		Args:        exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var b strings.Builder
			err := runBench(cmd.Context(), o, &b, s.io.ErrOut, s.io.OutTTY && !s.asJSON(), s.asJSON())
			if s.asJSON() {
				s.out.result(record{raw: b.String()})
			} else if b.Len() > 0 {
				s.out.result(record{text: strings.TrimRight(b.String(), "\n")})
			}
			return err
		},
	}
	addBenchFlags(cmd, &o)
	return cmd
}

// startCPUProfile writes a CPU profile to path until the returned function
// is called; with an empty path it does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
