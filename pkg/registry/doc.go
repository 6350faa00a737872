// Package registry is a string-keyed process registry, the Go form of
// Elixir's Registry: it lets any string name a process, where the BEAM's
// own name table wants atoms, which are never garbage collected and of
// which a node holds at most 1,048,576.
//
// # Usage
//
//	reg := registry.New(rt, registry.Options{Name: "GreeterRegistry"})
//	pid, err := rt.Spawn(ctx, &Greeter{}, actor.SpawnOptions{Name: reg.Via("greeter_for_alice")})
//	pid, ok := reg.WhereIs("greeter_for_alice")
//
// A registry is [Unique] (a key names at most one process, keys: :unique)
// or [Duplicate] (a key names any number of processes, for pub/sub with
// [Registry.Dispatch], keys: :duplicate), and is split into
// [Options].Partitions independently locked partitions.
//
// # Mapping to Elixir
//
//	Registry.start_link(keys: :unique, name: R)  registry.New(rt, registry.Options{Name: "R"})
//	{:via, Registry, {R, key}}                    reg.Via(key)
//	Registry.register(R, key, value)              reg.Register(self, key, value)
//	Registry.unregister(R, key)                   reg.Unregister(self, key)
//	Registry.lookup(R, key)                       reg.Lookup(key), reg.WhereIs(key)
//	Registry.keys(R, pid)                         reg.Keys(pid)
//	Registry.values(R, key, pid)                  reg.Values(key, pid)
//	Registry.count(R)                             reg.Count()
//	Registry.match(R, key, pattern)               reg.Match(key, func(value any) bool)
//	Registry.select(R, spec)                      reg.Select(func(key, pid, value) bool)
//	Registry.dispatch(R, key, fun)                reg.Dispatch(key, fun)
//	Registry.meta / put_meta                      reg.Meta / reg.PutMeta
//
// Elixir registers the calling process; Go has no implicit caller, so
// the PID is an argument (from a callback, p.Self()).
//
// # Guarantees
//
// A process's entries are removed when it exits, before any link, monitor
// or supervisor hears of the exit. Elixir's cleanup is asynchronous (the
// registry learns of the exit from its own link), so for a short while
// Registry.lookup returns the dead PID, and a supervisor that restarts the
// child at once can find the name still taken. Here neither happens: a
// lookup never returns a PID that is already dead when the lookup reads
// it, and a restarted child always gets its name back.
//
// Unregistering a process from a key of a duplicate registry costs in
// proportion to that process's own entries, not to the number of
// processes under the key.
//
// A Registry is a data structure, not a process: it owns no goroutine,
// and all its methods are safe for concurrent use. [Registry.WhereIs]
// allocates nothing and, for keys of up to 24 bytes, takes no lock, so
// lookups scale with cores and never wait for registrations.
//
// # Memory
//
// In a unique registry, a key of up to 24 bytes costs one 40-byte slot of
// an open-addressing table that is between a quarter and three quarters
// full (about 60 bytes a name at a million names, and no pointer for the
// garbage collector to follow); the table shrinks again as names go.
// Longer keys, and values other than nil, are kept in Go maps beside it.
package registry
