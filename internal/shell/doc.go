// Package shell is actorsh's shell: a Session runs command lines (from
// the REPL, -c, command files and stdin) against an in-process actor
// runtime, with a root DynamicSupervisor, a default registry named names
// and a simulated atom table, and narrates what the runtime does in causal
// order. One cobra command table (commandTable) serves every way in, help
// and completion.
package shell
