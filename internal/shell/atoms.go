package shell

import (
	"errors"
	"fmt"
	"sync"

	"github.com/actorsh/actorsh/pkg/actor"
)

// DefaultAtomLimit is the BEAM's default atom table size (+t).
const DefaultAtomLimit = 1_048_576

// atomTable simulates the BEAM's atom table for --atom-name: every new
// name becomes an atom, atoms are never freed, and when the table is full
// the VM dies. It also serves as the name registry of atom names (like
// Process.register/2), which does free the name when the process exits;
// the atom stays.
type atomTable struct {
	rt    *actor.Runtime
	mu    sync.Mutex
	limit int
	atoms map[string]struct{}
	names map[string]actor.PID
}

// errAtomTableFull is the BEAM's fatal error, as it prints it, with the
// atom that did not fit and where it came from (for the explanation).
type atomTableFullError struct {
	limit int
	atom  string
	from  string // "a message or reason", "an --atom-name name"
}

func (e *atomTableFullError) Error() string {
	return fmt.Sprintf("no more index entries in atom_tab (max=%d)", e.limit)
}

var errAtomTableFull = &atomTableFullError{}

func (e *atomTableFullError) Is(target error) bool { return target == errAtomTableFull }

func newAtomTable(rt *actor.Runtime, limit int) *atomTable {
	return &atomTable{rt: rt, limit: limit, atoms: make(map[string]struct{}), names: make(map[string]actor.PID)}
}

// atom makes s an atom, failing if the table is full.
func (t *atomTable) atom(s string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.atomLocked(s)
}

func (t *atomTable) atomLocked(s string) error {
	if _, ok := t.atoms[s]; ok {
		return nil
	}
	if len(t.atoms) >= t.limit {
		return &atomTableFullError{limit: t.limit, atom: s}
	}
	t.atoms[s] = struct{}{}
	return nil
}

func (t *atomTable) count() (used, limit int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.atoms), t.limit
}

func (t *atomTable) setLimit(n int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n < len(t.atoms) {
		return fmt.Errorf("%d atoms exist already; the limit cannot be below that (atoms are never freed)", len(t.atoms))
	}
	t.limit = n
	return nil
}

// RegisterName makes name an atom and registers pid under it.
func (t *atomTable) RegisterName(name string, pid actor.PID) error {
	t.mu.Lock()
	if err := t.atomLocked(name); err != nil {
		t.mu.Unlock()
		var full *atomTableFullError
		if errors.As(err, &full) {
			full.from = "the --atom-name name"
		}
		return err
	}
	t.mu.Unlock()
	return t.rt.Hooks().Attach(pid, t, name, func() error {
		t.mu.Lock()
		defer t.mu.Unlock()
		if holder, ok := t.names[name]; ok {
			return &actor.AlreadyStartedError{Name: name, PID: holder}
		}
		t.names[name] = pid
		return nil
	})
}

func (t *atomTable) UnregisterName(name string, pid actor.PID) {
	t.ProcessExited(pid, name)
}

func (t *atomTable) WhereIs(name string) (actor.PID, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	pid, ok := t.names[name]
	return pid, ok
}

// ProcessExited frees the name; the atom stays, as on the BEAM.
func (t *atomTable) ProcessExited(pid actor.PID, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.names[name] == pid {
		delete(t.names, name)
	}
}

func (t *atomTable) String() string { return "atoms" }

func isAtomTableFull(err error) bool { return errors.Is(err, errAtomTableFull) }
