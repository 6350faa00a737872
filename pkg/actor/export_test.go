package actor

// ChildListLen returns the length of pid's list of children linked to it
// as their parent (live ones and some that have gone), for tests that
// check the list stays in proportion to the live children.
func ChildListLen(rt *Runtime, pid PID) int {
	p := rt.table.get(pid.id)
	if p == nil {
		return -1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ext == nil {
		return 0
	}
	return len(p.ext.children)
}

// Waiters returns how many watches pid has (Runtime.Watch, Wait, Stop).
func Waiters(rt *Runtime, pid PID) int {
	p := rt.table.get(pid.id)
	if p == nil {
		return -1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ext == nil {
		return 0
	}
	return len(p.ext.waiters)
}
