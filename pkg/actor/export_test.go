package actor

// ext runs f with pid's extended state locked (nil if it has none), or
// returns -1 if pid is not alive.
func ext(rt *Runtime, pid PID, f func(x *procExt) int) int {
	p := rt.table.get(pid.id)
	if p == nil {
		return -1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ext == nil {
		return 0
	}
	return f(p.ext)
}

// ChildListLen returns the length of pid's list of children linked to it
// as their parent (live ones and some that have gone), for tests that
// check the list stays in proportion to the live children.
func ChildListLen(rt *Runtime, pid PID) int {
	return ext(rt, pid, func(x *procExt) int { return len(x.children) })
}

// Waiters returns how many watches pid has (Runtime.Watch, Wait, Stop).
func Waiters(rt *Runtime, pid PID) int {
	return ext(rt, pid, func(x *procExt) int { return len(x.waiters) })
}
