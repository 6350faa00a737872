// Package actor is actorsh's process runtime: GenServer-style processes
// with mailboxes, links, monitors and exit signals, with the semantics of
// Erlang/OTP, in one Go program.
//
// # Processes
//
// A process runs an [Actor]: a value whose methods are the callbacks of a
// GenServer. Init is required; HandleCall, HandleCast, HandleInfo,
// HandleContinue and Terminate are optional interfaces. The value holds
// the state, and the callbacks of one process never run concurrently.
//
//	rt := actor.NewRuntime(actor.Options{})
//	pid, err := rt.Spawn(ctx, &Stack{}, actor.SpawnOptions{})
//	rt.Cast(pid, "hello")             // GenServer.cast/2
//	top, err := rt.Call(ctx, pid, "pop") // GenServer.call/3, 5s by default
//
// [Runtime.Spawn] returns only after Init has run, as start_link does,
// and reports Init's failure. Init may call [Process.Continue] for
// {:continue, arg}; a callback may call [Process.SetTimeout] for a
// callback timeout; HandleCall may return [NoReply] and answer later with
// [Runtime.Reply]. A callback that returns an error stops its process with
// that error as the exit reason; a panic in a callback does the same with
// a [PanicError], and never crashes the program.
//
// PIDs print as <0.N.0>, handed out in sequence, so a run prints the same
// PIDs every time; [ParsePID] reads them back.
//
// # Scheduling
//
// An idle process holds no goroutine. When a message arrives at an idle
// process, the runtime starts a goroutine that drains the mailbox and
// returns; this is the mailbox/dispatcher design of Proto.Actor rather
// than the goroutine-per-actor design, and it is what lets one program
// hold millions of idle processes. A process costs one small struct and a
// slot in a PID-indexed table. The goroutine takes a busy mailbox in
// batches, so senders and the process do not contend message by message;
// exit signals still act between any two messages.
//
// An exit signal that ends a process ends it at once, as on the BEAM,
// even while one of its callbacks runs (Terminate included): its names go,
// its links, monitors and supervisor hear of the exit, and its queued
// callers get the exit reason. Go cannot stop the callback's goroutine
// from outside, so the callback runs on until it returns, but what it does
// then is void: its reply is not delivered, its return value is ignored,
// and the process no longer exists for anyone (a [Runtime.Shutdown] that
// times out names such callbacks). Callbacks that block for long should
// select on [Process.Done], which is closed as soon as the signal arrives;
// [Process.Call] does so by itself.
//
// # Exit signals, links and monitors
//
// Exit reasons are errors: [ErrNormal], [ErrShutdown], [Shutdown](x) for
// {shutdown, X}, [ErrKilled], [ErrNoProc], or any other error, such as
// [Reason]("boom"). Compare them with errors.Is.
//
// [Runtime.Exit] sends an exit signal as Process.exit/2 does: kill ends
// the target even if it traps exits, leaving killed; a process that traps
// exits ([Process.TrapExit]) receives other signals as [Exit] messages;
// normal is ignored by a process that does not trap; any other reason
// ends it. Exit signals do not wait behind queued messages.
// [Hooks.ExitNow] is the same, except that an idle target the signal
// ends exits on the caller's goroutine before it returns: supervisors use
// it to stop a million children without a goroutine each.
//
// [Runtime.Link] links two processes: when one exits, the other gets an
// exit signal with the same reason. [Runtime.Monitor] delivers a [Down]
// message instead, with reason noproc if the process was already gone.
// [Runtime.Watch] and [Runtime.Wait] are the same for Go code that is not
// a process.
//
// A process that traps exits and gets an exit signal from its parent
// (its supervisor, or the outside world for a process started without
// one) runs Terminate and exits, as a GenServer does.
//
// # Names
//
// The runtime has no name table of its own: a [Namer], such as
// pkg/registry's Registry, gives via names ([Via], [SpawnOptions].Name),
// like {:via, Registry, {reg, key}}. Registries record their entries with
// [Hooks.Attach], and the runtime removes a dead process's entries
// before any link, monitor or supervisor hears of the death, so a name
// never points at a dead process and a restarted child always gets its
// name back.
//
// # Calls and their errors
//
// [Runtime.Call] waits until its ctx ends (5 s when it has no deadline);
// [Runtime.CallName] calls whoever holds a via name, looking it up again
// once if the holder is gone; [CallAs] and [CallNameAs] check the reply's
// type. HandleCall returns its reply, or [NoReply] to answer later with
// [Process.Reply], or its reply with [ReplyAndStop] to reply and exit in
// one return ({:stop, reason, reply, state}). Errors name their subject
// and match sentinels with errors.Is: a [CallError] ("noproc: <0.12.0>",
// "timeout: <0.12.0>") unwraps to [ErrNoProc] or [ErrTimeout], and
// ErrTimeout matches context.DeadlineExceeded; an [ExitError] ("actor:
// <0.12.0> exited: killed") unwraps to the exit reason.
//
// # Time
//
// Timers, the default call timeout and (in pkg/supervisor) restart windows
// and shutdown timeouts read the runtime's [TimeSource]: the system clock
// unless [Options].Time says otherwise. A [ManualTime] stands still until
// it is moved, for tests and for replaying a scenario in virtual time.
//
// # Observing
//
// [Runtime.Info] is Process.info/1; [Runtime.State] is :sys.get_state/1;
// [Runtime.Subscribe] delivers [Event]s (spawned, exited, signals,
// supervisor decisions, registrations, traced messages; with no
// subscriber, no event is even built); [Runtime.Trace] turns on
// EventReceived for a process. [Runtime.Quiesce] waits until no process
// has work: it is how the shell makes each command's consequences finish
// before the next prompt, and how a test waits for a scenario to settle
// (a server has no use for it).
//
// # Shutting down
//
// [Runtime.Shutdown] stops every process, cancels timers and waits for
// the runtime's goroutines, giving processes at least [ShutdownGrace]
// even if its ctx has ended. Every goroutine the runtime starts is owned
// by it and stopped by Shutdown; a Shutdown that runs out of time names
// the processes and the callbacks that did not finish.
//
// # For packages built on the runtime
//
// The methods of [Runtime] are what an application calls. A package that
// extends the runtime (a registry, a supervisor, a tool like the shell)
// also needs [Hooks], from [Runtime.Hooks]: recording entries that the
// runtime cleans up when a process exits (Attach, Detach), emitting
// events, calls with timeout infinity that may run the callee on the
// caller's goroutine (CallInfinity), exits run on the caller's goroutine
// (ExitNow), the runtime's timers (AfterFunc), and a few inspection and
// debugging calls.
package actor
