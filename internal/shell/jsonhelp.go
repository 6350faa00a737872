package shell

// jsonHelp documents the --json output: the field names are stable.
const jsonHelp = `With --json, actorsh prints one JSON object per line on stdout, and nothing else there.
Every object has "type":

  "result"  a command's result: "cmd" (e.g. "spawn", "sup start") and its fields, e.g.
            spawn:   pid, name, kind            (--count > 10: started, first, last, kind)
            whereis: name, pid (null if none)   call: pid, reply (--async: pid, ref, async)
            await: ref, pid, reply              reg select: key, pid, value, then count, shown
            suspend: pid, changed               resume: pid
            clock: clock (real or virtual), now, elapsed, timers (or advanced)
            kind load: kind, file, doc, restart   kind reload: kind, version, upgrade, purged
            kind show: kind, file, source, version
            ls: one per process (pid, name, kind, supervisor, restart, status, mailbox, restarts),
            then total, shown
            tree: tree, nested: a supervisor's pid, name, kind, strategy, restarts,
            max_restarts, max_seconds, specs, children (supervisors, or workers with id,
            pid, status, kind, restart, restarts) and more (children not listed)
            info: pid, names ([{key, registry}]), kind, status, mailbox, handled, links,
            monitors, monitored_by (lists of PIDs), trap_exit, parent (null if none),
            restarts, started
            sup children: one per child (id, pid, type, restart, shutdown, restarts,
            restarting), then sup, count; a list that is empty still ends with its count
            node join: node, index, creation, cluster, url, embedded
            nodes: nodes (node, index, creation, health, self, started, renewed)
            whereis in a cluster registry: also registry, strong, node
  "event"   a runtime event: "event" is spawned, exited, signal, restarted, not_restarted,
            restart_failed, gave_up, registered, unregistered, received, handled, sent, down or
            subscriber_panicked; with
            pid, and where they apply: other (parent, new pid, sender), supervisor, name,
            reason, detail, message, state, restarts, max_restarts, max_seconds
            (received and handled are trace's: detail is call, cast, info, exit or down;
            handled has the new state and, for a call, the reply as message)
  "cluster" a cluster event: "event" is node_up, node_left, lease_expired, names_released,
            claim_refused, fenced, rejoined, release_pending or send_refused; with node (whose event it
            is, or who released), time, and where they apply: other (the node whose names
            were released, or the holder's node), registry, name, names, holder, reason
  "output"  something a process printed: pid, text
  "reply"   the reply to a call --async came: ref, pid, and reply, or error if none will
  "error"   a command failed: cmd (as typed), command (its name), error, and file and
            line when it came from a file or -c (also written to stderr as text)
  "expected_failure"  a command under ! failed, as it was meant to: cmd, command, error,
            file, line
  "root_restarted"  the root supervisor was gone and a fresh one started: pid
  "events_not_shown"  a command ran beside more events than it holds: count
  "busy"    a process is inside one long callback, so commands stop waiting for it
            to settle: pid, kind
  "crash"   the simulated VM died: error, processes_lost
  "help"    help text: text

PIDs are strings such as "<0.5.0>" (another node's "<2.17.0>"); reasons and messages are in the term syntax.`
