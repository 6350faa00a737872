package actor

// Namer is a process name service, the Go form of a {:via, module, name}
// tuple: [SpawnOptions].Name registers through it, and lookups through it
// find the current holder. pkg/registry's unique Registry satisfies it.
type Namer interface {
	// RegisterName gives name to pid, or fails if name is taken or pid is
	// not alive. An error for a taken name should have a Holder() PID
	// method (or match ErrAlreadyStarted), so that Spawn can report the
	// holder in its AlreadyStartedError.
	RegisterName(name string, pid PID) error
	// UnregisterName removes name if pid holds it.
	UnregisterName(name string, pid PID)
	// WhereIs returns the holder of name.
	WhereIs(name string) (PID, bool)
}

// Name is a via name: a key in a [Namer]. The zero Name means no name.
type Name struct {
	Namer Namer
	Key   string
}

// Via returns the name key in n, like {:via, Registry, {n, key}}.
func Via(n Namer, key string) Name { return Name{Namer: n, Key: key} }

// IsZero reports whether the name is unset.
func (n Name) IsZero() bool { return n.Namer == nil }

// WhereIs returns the process that holds the name now.
func (n Name) WhereIs() (PID, bool) {
	if n.Namer == nil {
		return PID{}, false
	}
	return n.Namer.WhereIs(n.Key)
}

// Cleaner is implemented by anything that keeps entries on behalf of
// processes, as a registry does. Entries are recorded with
// [Hooks.Attach]; when the process exits, the runtime calls ProcessExited
// once per attached key, after Terminate and before any link, monitor or
// waiter hears of the exit.
type Cleaner interface {
	ProcessExited(pid PID, key string)
}

type attachment struct {
	c   Cleaner
	key string
}

// attach is [Hooks.Attach].
func (rt *Runtime) attach(pid PID, c Cleaner, key string, add func() error) error {
	p := rt.lockLive(pid)
	if p == nil {
		return ErrNoProc
	}
	defer p.mu.Unlock()
	if add != nil {
		if err := add(); err != nil {
			return err
		}
	}
	a := attachment{c: c, key: key}
	if p.name == a {
		return nil
	}
	if p.name.c == nil {
		p.name = a
		return nil
	}
	x := p.x()
	for _, b := range x.attach {
		if b == a {
			return nil
		}
	}
	x.attach = append(x.attach, a)
	return nil
}

// detach is [Hooks.Detach].
func (rt *Runtime) detach(pid PID, c Cleaner, key string, remove func() (gone bool)) {
	p := rt.lockLive(pid)
	if p == nil {
		return
	}
	defer p.mu.Unlock()
	if remove != nil && !remove() {
		return
	}
	a := attachment{c: c, key: key}
	if p.name == a {
		p.name = attachment{}
		if p.ext != nil && len(p.ext.attach) > 0 { // promote one to the inline slot
			last := len(p.ext.attach) - 1
			p.name = p.ext.attach[last]
			p.ext.attach = p.ext.attach[:last]
		}
		return
	}
	if p.ext == nil {
		return
	}
	for i, b := range p.ext.attach {
		if b == a {
			last := len(p.ext.attach) - 1
			p.ext.attach[i] = p.ext.attach[last]
			p.ext.attach = p.ext.attach[:last]
			return
		}
	}
}

// attached is [Hooks.Attached].
func (rt *Runtime) attached(pid PID, c Cleaner) []string {
	p := rt.lockLive(pid)
	if p == nil {
		return nil
	}
	defer p.mu.Unlock()
	var keys []string
	if p.name.c == c {
		keys = append(keys, p.name.key)
	}
	if p.ext != nil {
		for _, b := range p.ext.attach {
			if b.c == c {
				keys = append(keys, b.key)
			}
		}
	}
	return keys
}
