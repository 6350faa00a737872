package actor

import "math/bits"

// itemKind says how the run loop dispatches a mailbox item.
type itemKind uint8

const (
	kInfo    itemKind = iota // Send: HandleInfo(msg)
	kCast                    // Cast: HandleCast(msg)
	kCall                    // Call: HandleCall; msg is *call
	kExit                    // trapped exit signal: msg is Exit
	kDown                    // monitor fired: msg is Down
	kTimeout                 // callback timeout: msg is the uint64 generation it was armed with
	kStop                    // Stop: msg is the reason
	kState                   // State: msg is *call
	kSuspend                 // Suspend: msg is *call
)

// system reports whether a suspended process still handles the item, as a
// process suspended with :sys.suspend/1 still answers system messages.
func (k itemKind) system() bool { return k == kState || k == kStop || k == kSuspend }

type item struct {
	kind  itemKind
	msg   any
	clock uint64 // the sender's logical clock
}

// queue is a FIFO ring of mailbox items. The zero queue is empty and holds
// no memory; it grows by doubling and is dropped when a process goes idle
// with a large buffer, so an idle process costs nothing here.
type queue struct {
	buf  []item
	head uint32
	n    uint32
}

func (q *queue) push(it item) {
	if int(q.n) == len(q.buf) {
		q.grow()
	}
	i := (int(q.head) + int(q.n)) & (len(q.buf) - 1)
	q.buf[i] = it
	q.n++
}

func (q *queue) grow() {
	n := 2 * len(q.buf)
	if n == 0 {
		n = 4
	}
	nb := make([]item, n)
	for i := 0; i < int(q.n); i++ {
		nb[i] = q.buf[(int(q.head)+i)&(len(q.buf)-1)]
	}
	q.buf = nb
	q.head = 0
}

func (q *queue) pop() item {
	it := q.buf[q.head]
	q.buf[q.head] = item{}
	q.head = uint32((int(q.head) + 1) & (len(q.buf) - 1))
	q.n--
	return it
}

// prepend moves front's items before q's, leaving front empty.
func (q *queue) prepend(front *queue) {
	nb := make([]item, max(4, 1<<bits.Len(uint(front.n+q.n-1))))
	i := 0
	for front.n > 0 {
		nb[i] = front.pop()
		i++
	}
	for q.n > 0 {
		nb[i] = q.pop()
		i++
	}
	q.buf, q.head, q.n = nb, 0, uint32(i)
}

// idle is called when the queue is empty and the process goes idle: a
// buffer that grew under load is released so the idle process holds little.
func (q *queue) idle() {
	if len(q.buf) > 16 {
		q.buf = nil
	}
	q.head = 0
}

// drain removes and returns every queued item.
func (q *queue) drain() []item {
	out := make([]item, 0, q.n)
	for q.n > 0 {
		out = append(out, q.pop())
	}
	q.buf = nil
	q.head = 0
	return out
}
