package actor

import (
	"cmp"
	"slices"
)

// pidSet is a set of PIDs that stays a short slice while small (most
// processes have a link or two) and becomes a map when large (a supervisor
// linked to a million children).
type pidSet struct {
	small []PID
	large map[PID]struct{}
}

const pidSetSmall = 16

func (s *pidSet) add(p PID) bool {
	if s.large != nil {
		if _, ok := s.large[p]; ok {
			return false
		}
		s.large[p] = struct{}{}
		return true
	}
	if slices.Contains(s.small, p) {
		return false
	}
	if len(s.small) < pidSetSmall {
		s.small = append(s.small, p)
		return true
	}
	s.large = make(map[PID]struct{}, 2*pidSetSmall)
	for _, q := range s.small {
		s.large[q] = struct{}{}
	}
	s.small = nil
	s.large[p] = struct{}{}
	return true
}

func (s *pidSet) remove(p PID) bool {
	if s.large != nil {
		if _, ok := s.large[p]; !ok {
			return false
		}
		delete(s.large, p)
		return true
	}
	i := slices.Index(s.small, p)
	if i < 0 {
		return false
	}
	last := len(s.small) - 1
	s.small[i] = s.small[last]
	s.small = s.small[:last]
	if last == 0 {
		s.small = nil
	}
	return true
}

func (s *pidSet) has(p PID) bool {
	if s.large != nil {
		_, ok := s.large[p]
		return ok
	}
	return slices.Contains(s.small, p)
}

func (s *pidSet) len() int {
	if s.large != nil {
		return len(s.large)
	}
	return len(s.small)
}

func (s *pidSet) each(f func(PID)) {
	if s.large != nil {
		for p := range s.large {
			f(p)
		}
		return
	}
	for _, p := range s.small {
		f(p)
	}
}

// sorted returns the members in PID order.
func (s *pidSet) sorted() []PID {
	out := make([]PID, 0, s.len())
	s.each(func(p PID) { out = append(out, p) })
	slices.SortFunc(out, func(a, b PID) int { return cmp.Compare(a.id, b.id) })
	return out
}
