// Package supervisor implements OTP supervisors on the actorsh runtime: a
// static [Start] (Supervisor) with ordered children and a strategy, and
// [StartDynamic] (DynamicSupervisor) for children started on demand.
//
// # Usage
//
//	sup, err := supervisor.StartDynamic(ctx, rt, supervisor.DynamicOptions{})
//	pid, err := supervisor.StartChild(ctx, rt, sup, supervisor.ChildSpec{
//		ID:      "greeter_for_alice",
//		Name:    reg.Via("greeter_for_alice"),
//		Restart: supervisor.Transient,
//		New:     func([]any) (actor.Actor, error) { return &Greeter{Person: "alice"}, nil },
//	})
//
// The supervisor spawns its children itself, from the spec's New (or
// Start, with a [Spawner]), linked to it as their parent before their Init
// runs, as start_link does; a nested supervisor is the child spec made by
// [Spec] or [DynamicSpec].
//
// Requests (StartChild and the rest) wait for the supervisor however long
// it takes, as OTP's calls with timeout infinity do, unless their ctx ends
// first: they then return ctx.Err() and the request is still carried out.
// Their errors name the supervisor and the child ([ChildError]) and match
// the sentinels ([ErrNotFound] and the rest) with errors.Is.
//
// # Semantics
//
// Restart types ([Restart]) decide which exits restart a child:
//
//	exit reason                  | permanent | transient | temporary
//	normal                       | restart   | no        | no
//	shutdown, {shutdown, X}      | restart   | no        | no
//	killed, custom reason, panic | restart   | restart   | no
//
// Strategies ([Strategy]): one_for_one restarts the child alone;
// one_for_all stops the other children in reverse start order and starts
// them all again in order; rest_for_one does the same for the children
// started after the one that exited. Temporary children never trigger a
// sibling restart and are not restarted by one (they are stopped and
// removed, as in OTP).
//
// Intensity: more than MaxRestarts restarts (default 3) within MaxSeconds
// (default 5) make the supervisor give up: it stops its children in
// reverse order and exits with reason shutdown, and its own supervisor
// then applies its rules to it (a transient supervisor is not restarted
// after shutdown). A child that fails to restart is retried through a
// message to the supervisor itself, each retry counting as a restart; a
// child whose name was still taken is retried a millisecond later (on the
// runtime's clock), not at once as OTP does, so that a holder on its way out
// (the child of a supervisor that was killed) can finish first. The
// window slides and is exact: a restart counts while it is less than
// MaxSeconds old. OTP stamps restarts with whole seconds of monotonic time
// and keeps those at most MaxSeconds old, so its window reaches back
// between MaxSeconds and MaxSeconds+1 seconds (with max_seconds 1, two
// restarts 1.1 s apart can end an OTP supervisor; they do not end this
// one). The differential tests record this.
//
// Shutdown ([ChildSpec].Shutdown): [BrutalKill] kills at once; a timeout
// sends shutdown and kills when it runs out (5s by default for workers),
// and the kill ends the child then, even one whose Terminate never
// returns; [Infinity] waits (the default for supervisors). Children that trap exits
// run Terminate. A static supervisor stops its children one at a time in
// reverse start order; a DynamicSupervisor signals all at once and waits
// for all, as Elixir's does.
//
// # Mapping to OTP
//
//	Supervisor.start_link(children, opts)     supervisor.Start(ctx, rt, opts, children...)
//	DynamicSupervisor.start_link(opts)        supervisor.StartDynamic(ctx, rt, opts)
//	start_child/2                             supervisor.StartChild  ({error, {already_started, P}}, already_present, max_children)
//	terminate_child/2                         supervisor.TerminateChild, TerminateChildPID
//	restart_child/2, delete_child/2           supervisor.RestartChild, DeleteChild (running, restarting, not_found)
//	which_children/1, count_children/1        supervisor.WhichChildren, CountChildren
//	:sys.get_state/1                          actor.Runtime.State (a [State])
//
// Every decision (restarted, not restarted and why, restart failed, gave
// up) is an actor.Event for the shell to narrate.
package supervisor
