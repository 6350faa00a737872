package shell

// This file holds record and replay: the flight recorder written to a
// file, and a recording run again under virtual time, checked event by
// event.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/spf13/cobra"
)

// recordingVersion is the version of the recording format (help record).
const recordingVersion = 1

const recordLong = `The flight recorder is always on: it keeps the last 10000 things that happened in the
session (commands, events, what processes said, results, clock changes) for why, why-not,
msc and expect. record start FILE writes everything from then on to FILE as JSON lines, until
record stop; record save FILE writes what the recorder holds now. replay FILE runs a
recording's commands again in a fresh session under virtual time and says where it differs.

A recording's first line is its header:
  {"type":"recording","version":1,"actorsh":"...","clock":"virtual","time":"2000-01-01T00:00:00Z",
   "seq":1,"root_max_restarts":100,"root_max_seconds":5,"atom_limit":1048576}
Every other line is an entry, with "seq" (its number in the session, as why and msc --since use
it), "type", "time" (the session's clock) and, for what a command caused, "during" (that
command's seq):
  command  cmd (as typed, after $_ and $1), file and line (where it came from), parent (the seq
           of the command it ran inside, as source runs a file), body (the lines it read, as
           kind new does); setup: true for the commands before record start, which a replay
           runs to get to where the recording began
  event    the --json event object (event, pid, other, supervisor, name, reason, detail,
           message, state, restarts, max_restarts, max_seconds: see help json) and clock, the
           logical clock that orders what one command caused
  output   pid and text: what a process said
  result   text: what a command printed
  clock    clock (virtual, real or advance) and, for advance, advance (a duration)
  failed   error: the command "during" names failed, with this error
  dropped  count: events not kept while one command ran (more than 10000)
Entries are in the transcript's order: what one command caused, in causal order, after it.`

func newCmdRecord(s *Session) *cobra.Command {
	c := &cobra.Command{
		Annotations: map[string]string{completeKey: "start|stop|save file"},
		Use:         "record [start FILE | stop | save FILE]",
		Short:       "write the flight recorder to a file as JSON lines, from now on (start) or as it is (save)",
		Long:        recordLong,
		Example:     "record\nrecord start demo.jsonl; kill c1; record stop\nrecord save last.jsonl",
		Args:        rangeArgs(0, 2, "start FILE, stop or save FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				n, first, last := s.rec.span()
				to := s.rec.recordingTo()
				text := fmt.Sprintf("the flight recorder holds %d entries (%d to %d)", n, first, last)
				if to != "" {
					text += "; recording to " + to
				}
				s.result("record", text, map[string]any{"entries": n, "first": first, "last": last, "recording": to})
				return nil
			}
			switch args[0] {
			case "start":
				if len(args) != 2 {
					return errors.New("want record start FILE, e.g. record start demo.jsonl")
				}
				if err := s.rec.start(args[1], s.recordingHeader()); err != nil {
					return err
				}
				s.result("record", "recording to "+args[1]+" (record stop ends it)", map[string]any{"recording": args[1]})
			case "stop":
				if len(args) != 1 {
					return errors.New("record stop takes nothing more")
				}
				path, n, err := s.rec.stop()
				if errors.Is(err, errNotRecording) {
					return err
				}
				if err != nil {
					return fmt.Errorf("writing %s: %w", path, err)
				}
				s.result("record", fmt.Sprintf("recorded %d entries to %s", n, path), map[string]any{"file": path, "entries": n})
			case "save":
				if len(args) != 2 {
					return errors.New("want record save FILE, e.g. record save last.jsonl")
				}
				n, err := s.rec.save(args[1], s.recordingHeader())
				if err != nil {
					return err
				}
				s.result("record", fmt.Sprintf("saved %d entries to %s", n, args[1]), map[string]any{"file": args[1], "entries": n})
			default:
				return badChoice("", args[0], []string{"start", "stop", "save"})
			}
			return nil
		},
	}
	return c
}

// recordingHeader is the first line of a recording: what a replay needs
// to start a session like this one.
func (s *Session) recordingHeader() map[string]any {
	clock := "real"
	if s.clock.manual() != nil {
		clock = "virtual"
	}
	return map[string]any{"type": "recording", "version": recordingVersion, "actorsh": Version(), "clock": clock,
		"time": s.clock.Now().UTC().Format(time.RFC3339Nano), "root_max_restarts": s.opts.RootMaxRestarts,
		"root_max_seconds": s.opts.RootMaxSeconds, "atom_limit": s.atomLimit}
}

func newCmdReplay(s *Session) *cobra.Command {
	var verbose bool
	c := &cobra.Command{
		Annotations: map[string]string{completeKey: "file"},
		Use:         "replay FILE [--verbose]",
		Short:       "run a recording's commands again under virtual time and say where what happens differs",
		Long: "Starts a fresh session like the recorded one (its options; virtual time from the recording's\n" +
			"start), runs the recorded commands in order (a command run by source runs with its file, not\n" +
			"again by itself) and compares what happens with the recording, event by event: the first\n" +
			"difference is the error, e.g. \"diverged at event 57 (during kill c1, demo.ash:7): expected\n" +
			"restarted c1, got exited c1\". A command that failed must fail again, and one that worked must\n" +
			"work. --verbose prints the replayed session's transcript. The session you type in is untouched.",
		Example: "record start demo.jsonl; kill c1; record stop; replay demo.jsonl",
		Args:    exactArgs(1, "a recording FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			rec, err := readRecording(args[0])
			if err != nil {
				return err
			}
			var out io.Writer = io.Discard
			if verbose {
				out = &prefixWriter{w: s.io.Out, prefix: "| "}
			}
			res, err := s.replay(cmd.Context(), rec, out)
			if err != nil {
				return err
			}
			s.result("replay", fmt.Sprintf("replayed %d command%s: the same %d event%s, no divergence",
				res.commands, plural(res.commands), res.events, plural(res.events)),
				map[string]any{"file": args[0], "commands": res.commands, "events": res.events})
			return nil
		},
	}
	c.Flags().BoolVar(&verbose, "verbose", false, "print the replayed session's transcript, each line after \"| \"")
	return c
}

// recordingFile is a recording read back.
type recordingFile struct {
	path    string
	header  map[string]any
	entries []map[string]any
}

// maxRecordingLine bounds one line of a recording.
const maxRecordingLine = 1 << 20

func readRecording(path string) (*recordingFile, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no file %s (record start FILE makes one)", clip(path))
	}
	if err != nil {
		return nil, fileError(path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), maxRecordingLine)
	rec := &recordingFile{path: path}
	for n := 1; sc.Scan(); n++ {
		var obj map[string]any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			return nil, fmt.Errorf("%s:%d: not a recording's line (JSON): %v", path, n, err)
		}
		if n == 1 {
			if obj["type"] != "recording" {
				return nil, fmt.Errorf("%s: not a recording: its first line is not a header (help record shows the format)", path)
			}
			if v, _ := obj["version"].(float64); v != recordingVersion {
				return nil, fmt.Errorf("%s: a recording of version %v; this actorsh reads version %d", path, obj["version"], recordingVersion)
			}
			rec.header = obj
			continue
		}
		rec.entries = append(rec.entries, obj)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if rec.header == nil {
		return nil, fmt.Errorf("%s: empty, not a recording (help record shows the format)", path)
	}
	return rec, nil
}

// replayResult says how much a replay checked.
type replayResult struct {
	commands, events int
}

// divergence is where a replay first differs from its recording.
type divergence struct {
	seq      int    // the recorded entry's seq
	cmd      string // the command it happened during, with where it came from
	expected string
	got      string
}

func (d *divergence) Error() string {
	during := ""
	if d.cmd != "" {
		during = " (during " + d.cmd + ")"
	}
	return fmt.Sprintf("diverged at event %d%s: expected %s, got %s", d.seq, during, d.expected, d.got)
}

// replay runs rec's commands in a fresh session under virtual time and
// compares its events and output with the recording's.
func (s *Session) replay(ctx context.Context, rec *recordingFile, out io.Writer) (replayResult, error) {
	var res replayResult
	if rec.header["whole"] == false {
		return res, fmt.Errorf("%s began after the flight recorder had let the session's first entries go, so a replay cannot get to where it began: record start in a fresh session (or near its start)", rec.path)
	}
	opts := s.opts
	opts.JSON = false
	opts.VirtualClock = true
	if t, err := time.Parse(time.RFC3339Nano, jsonStr(rec.header["time"])); err == nil {
		opts.VirtualStart = t
	}
	if v, ok := rec.header["root_max_restarts"].(float64); ok && v != 0 {
		opts.RootMaxRestarts = int(v)
	}
	if v, ok := rec.header["root_max_seconds"].(float64); ok && v != 0 {
		opts.RootMaxSeconds = int(v)
	}
	if v, ok := rec.header["atom_limit"].(float64); ok && v > 0 {
		opts.AtomLimit = int(v)
	}
	var errs strings.Builder // what failed in the replay, for the divergence
	ios := &iostreams.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: io.MultiWriter(out, &errs)}
	r, err := NewSession(ios, opts)
	if err != nil {
		return res, err
	}
	defer r.Close()
	// every event and output of the replay, from the checked part on, by
	// the command (counted from 1) it happened during
	got := map[int][]map[string]any{}
	gotDropped := map[int]int{} // events the recorder counted and did not keep
	checking, cur := false, 0
	r.rec.tap = func(e entry) {
		switch {
		case !checking:
		case e.typ == entryEvent || e.typ == entryOutput:
			got[cur] = append(got[cur], entryObject(e))
		case e.typ == entryDropped:
			gotDropped[cur] += e.count
		}
	}
	first := 0
	if v, ok := rec.header["seq"].(float64); ok {
		first = int(v)
	}
	// what happened, as the recording has it, by the command it happened
	// during, as the replay counts them
	want := map[int][]map[string]any{}
	wantDropped := map[int]int{}
	failed := map[int]string{}
	all := map[int]map[string]any{} // every recorded command, by seq
	n := 0
	for _, e := range rec.entries {
		switch e["type"] {
		case "failed":
			failed[jsonInt(e["during"])] = jsonStr(e["error"])
		case "event", "output":
			want[n] = append(want[n], e)
			res.events++
		case "dropped":
			wantDropped[n] += jsonInt(e["count"])
		case "command":
			all[jsonInt(e["seq"])] = e
			if runsOnReplay(e, first) && e["setup"] != true {
				n++
			}
		}
	}
	for _, e := range rec.entries {
		setup := e["setup"] == true
		if !setup && !checking {
			r.rec.flush()
			r.rec.mu.Lock()
			checking = true // checked from here on
			r.rec.mu.Unlock()
		}
		if e["type"] != "command" || !runsOnReplay(e, first) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if !setup {
			r.rec.flush()
			r.rec.mu.Lock()
			cur++
			r.rec.mu.Unlock()
			res.commands++
		}
		var body []string
		if b, ok := e["body"].([]any); ok {
			for _, l := range b {
				body = append(body, jsonStr(l))
			}
		}
		err := r.replayCommand(ctx, e, body)
		if setup {
			continue
		}
		wantErr := failed[jsonInt(e["seq"])]
		switch {
		case err != nil && wantErr == "":
			if errors.Is(err, errFailed) { // a command in a sourced file: its error was printed
				err = errors.New(strings.TrimSpace(errs.String()))
			}
			return res, fmt.Errorf("diverged at command %d (%s): it worked when recorded, and now fails: %v", jsonInt(e["seq"]), where(e), err)
		case err == nil && wantErr != "":
			return res, fmt.Errorf("diverged at command %d (%s): it failed when recorded (%s), and now works", jsonInt(e["seq"]), where(e), wantErr)
		}
	}
	r.rec.flush()
	r.rec.mu.Lock() // the tap runs under the recorder's lock
	r.rec.tap = nil
	r.rec.mu.Unlock()
	for k := 0; k <= n; k++ {
		if wantDropped[k] > 0 || gotDropped[k] > 0 {
			if d := compareCounts(k, len(want[k])+wantDropped[k], len(got[k])+gotDropped[k]); d != nil {
				return res, d
			}
			continue
		}
		if d := compareCommand(want[k], got[k], all); d != nil {
			return res, d
		}
	}
	return res, nil
}

// compareCounts compares a command that caused more than the recorder
// keeps at once, when recorded or when replayed: which entries it kept
// depends on the order they came in, so only how many there were is
// compared.
func compareCounts(cmd, recorded, replayed int) error {
	if recorded == replayed {
		return nil
	}
	return fmt.Errorf("diverged at command %d: it caused %d events and outputs when recorded, %d when replayed (more than the recorder keeps at once: counted, not compared)", cmd, recorded, replayed)
}

// compareCommand compares what one command caused when recorded and when
// replayed. Processes that run at once report in either order (a
// thousand greeters greet as they are scheduled), so the events are
// compared as a set: the first recorded event that did not happen again
// is the divergence, and then one that happened and was not recorded.
func compareCommand(want, got []map[string]any, commands map[int]map[string]any) error {
	left := map[string][]int{} // replayed events not yet matched, by what they say
	for i, g := range got {
		k := comparable(g)
		left[k] = append(left[k], i)
	}
	var missing []map[string]any
	for _, w := range want {
		k := comparable(w)
		if len(left[k]) == 0 {
			missing = append(missing, w)
			continue
		}
		left[k] = left[k][1:]
	}
	var extra []int
	for _, is := range left {
		extra = append(extra, is...)
	}
	slices.Sort(extra)
	if len(missing) == 0 && len(extra) == 0 {
		return nil
	}
	if len(missing) == 0 {
		return fmt.Errorf("diverged: replayed, %s happened as well, which the recording does not have", entryText(got[extra[0]]))
	}
	w := missing[0]
	d := &divergence{seq: jsonInt(w["seq"]), expected: entryText(w), got: "nothing in its place"}
	if c, ok := commands[jsonInt(w["during"])]; ok {
		d.cmd = where(c)
	}
	if len(extra) > 0 {
		g := got[extra[0]]
		d.got = entryText(g)
		if d.got == d.expected { // the same in few words: say what differs
			d.expected, d.got = entryText(w)+differs(w, g), entryText(g)+differs(g, w)
		}
	}
	return d
}

// differs lists the fields in which a differs from b: " (pid <0.5.0>)".
func differs(a, b map[string]any) string {
	var out []string
	for k, v := range a {
		if placeKeys[k] {
			continue
		}
		va, _ := json.Marshal(v)
		vb, _ := json.Marshal(b[k])
		if string(va) != string(vb) {
			out = append(out, k+" "+strings.Trim(string(va), `"`))
		}
	}
	if len(out) == 0 {
		return ""
	}
	slices.Sort(out)
	return " (" + strings.Join(out, ", ") + ")"
}

// runsOnReplay reports whether a replay runs the recorded command e: not
// record and replay themselves, nor a command that ran inside another
// (source runs its file's again), first being the recording's first seq.
func runsOnReplay(e map[string]any, first int) bool {
	if skipOnReplay(jsonStr(e["cmd"])) {
		return false
	}
	p := jsonInt(e["parent"])
	return p == 0 || (e["setup"] != true && p < first)
}

// replayCommand runs one recorded command, at its recorded place, with
// its recorded body.
func (s *Session) replayCommand(ctx context.Context, e map[string]any, body []string) error {
	s.at = location{file: jsonStr(e["file"]), line: jsonInt(e["line"])}
	s.more = func(string) (string, error) {
		if len(body) == 0 {
			return "", io.EOF
		}
		line := body[0]
		body = body[1:]
		return line, nil
	}
	defer func() { s.more = nil }()
	cmds, err := SplitLine(jsonStr(e["cmd"]))
	if err != nil {
		return err
	}
	for _, words := range cmds {
		if err := s.execOne(ctx, words); err != nil && !errors.Is(err, errExit) {
			return err
		}
	}
	return nil
}

// skipOnReplay reports commands a replay does not run again: record and
// replay themselves.
func skipOnReplay(cmd string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(cmd), " ")
	return name == "record" || name == "replay"
}

// comparable is what a recorded or replayed entry says, leaving out where
// it is (seq, time, during) and the logical clock.
// placeKeys are the fields that say where an entry is, not what it says.
var placeKeys = map[string]bool{"seq": true, "time": true, "during": true, "clock": true}

func comparable(o map[string]any) string {
	c := map[string]any{}
	for k, v := range o {
		if !placeKeys[k] {
			c[k] = v
		}
	}
	b, _ := json.Marshal(c)
	return string(b)
}

// entryText says what an entry is in a few words: "restarted c1",
// "exited c1 killed", "output <0.5.0> 👋 alice".
func entryText(o map[string]any) string {
	if o["type"] == "output" {
		return fmt.Sprintf("output %s %q", jsonStr(o["pid"]), jsonStr(o["text"]))
	}
	who := jsonStr(o["name"])
	if who == "" {
		who = jsonStr(o["pid"])
	}
	text := jsonStr(o["event"]) + " " + who
	if r := jsonStr(o["reason"]); r != "" {
		text += " " + r
	}
	return text
}

// where is a recorded command as an error names it: "kill c1, demo.ash:7".
func where(c map[string]any) string {
	if f := jsonStr(c["file"]); f != "" {
		return fmt.Sprintf("%s, %s:%d", jsonStr(c["cmd"]), f, jsonInt(c["line"]))
	}
	return jsonStr(c["cmd"])
}

func jsonStr(v any) string {
	s, _ := v.(string)
	return s
}

func jsonInt(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	}
	return 0
}

// prefixWriter writes each line after a prefix.
type prefixWriter struct {
	w      io.Writer
	prefix string
	mid    bool // in the middle of a line
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if line == "" {
			continue
		}
		if !p.mid {
			io.WriteString(p.w, p.prefix)
		}
		io.WriteString(p.w, line)
		p.mid = !strings.HasSuffix(line, "\n")
	}
	return len(b), nil
}
