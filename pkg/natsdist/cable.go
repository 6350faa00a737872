package natsdist

import (
	"io"
	"net"
	"sync"
)

// Cable is a TCP proxy in front of a NATS server that can be cut: Cut
// closes every connection through it and refuses new ones until Mend. A
// node that connects through a cable can be partitioned from the server
// exactly, which is what actorsh's partition command and the tests use.
// It listens on 127.0.0.1 only.
type Cable struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// NewCable starts a cable to the server at target (HOST:PORT).
func NewCable(target string) (*Cable, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &Cable{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	c.wg.Add(1)
	go c.accept()
	return c, nil
}

// URL is what a node connects to: nats://127.0.0.1:PORT.
func (c *Cable) URL() string { return "nats://" + c.ln.Addr().String() }

func (c *Cable) accept() {
	defer c.wg.Done()
	for {
		in, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.mu.Lock()
		if c.cut {
			c.mu.Unlock()
			in.Close()
			continue
		}
		out, err := net.Dial("tcp", c.target)
		if err != nil {
			c.mu.Unlock()
			in.Close()
			continue
		}
		c.conns[in], c.conns[out] = struct{}{}, struct{}{}
		c.wg.Add(2)
		go c.pipe(in, out)
		go c.pipe(out, in)
		c.mu.Unlock()
	}
}

func (c *Cable) pipe(dst, src net.Conn) {
	defer c.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
	c.mu.Lock()
	delete(c.conns, src)
	delete(c.conns, dst)
	c.mu.Unlock()
}

// Cut severs the cable.
func (c *Cable) Cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cut = true
	for conn := range c.conns {
		conn.Close()
	}
}

// Mend lets connections through again (the node reconnects by itself).
func (c *Cable) Mend() {
	c.mu.Lock()
	c.cut = false
	c.mu.Unlock()
}

// IsCut reports whether the cable is cut.
func (c *Cable) IsCut() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cut
}

// Close stops the cable and waits for its goroutines.
func (c *Cable) Close() {
	c.ln.Close()
	c.Cut()
	c.wg.Wait()
}
