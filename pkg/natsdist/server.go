package natsdist

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// ServerOptions configure an embedded nats-server.
type ServerOptions struct {
	// Name is the server's name in its cluster (default "actorsh").
	Name string
	// Host to listen on: loopback unless said otherwise (default
	// 127.0.0.1). Port 0 takes any free port (actorsh's own server uses
	// DefaultPort).
	Host string
	Port int
	// StoreDir keeps JetStream's state; empty keeps it in a temporary
	// directory of the server's own, removed when it shuts down (nodes
	// with Config.Memory keep their buckets in memory).
	StoreDir string
	// Cluster, if set, is the server's cluster name and ClusterPort its
	// port for routes; Routes are the cluster addresses of all the
	// cluster's servers ("nats://127.0.0.1:6222"), this one's included
	// (JetStream wants routes on every server).
	Cluster     string
	ClusterPort int
	Routes      []string
	// User and Password, or Token, make clients prove who they are.
	User, Password, Token string
}

// Server is an embedded nats-server with JetStream.
type Server struct {
	s   *server.Server
	tmp string // the store it made for itself, if any
}

// DefaultPort is where actorsh looks for a NATS server of its own.
const DefaultPort = 4222

// Serve starts a nats-server with JetStream and waits until it takes
// connections.
func Serve(o ServerOptions) (*Server, error) {
	if o.Name == "" {
		o.Name = "actorsh"
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	var tmp string
	if o.StoreDir == "" {
		d, err := os.MkdirTemp("", "actorsh-nats-")
		if err != nil {
			return nil, err
		}
		tmp, o.StoreDir = d, d
	}
	port := o.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	opts := &server.Options{
		ServerName: o.Name,
		Host:       o.Host,
		Port:       port,
		JetStream:  true,
		StoreDir:   o.StoreDir,
		NoSigs:     true,
		NoLog:      true,
		MaxPayload: 1 << 20,
		Username:   o.User,
		Password:   o.Password,
	}
	if o.Token != "" {
		opts.Authorization = o.Token
	}
	if o.Cluster != "" {
		cport := o.ClusterPort
		if cport == 0 {
			cport = server.RANDOM_PORT
		}
		opts.Cluster = server.ClusterOpts{Name: o.Cluster, Host: o.Host, Port: cport}
		for _, r := range o.Routes {
			u, err := url.Parse(r)
			if err != nil {
				return nil, fmt.Errorf("route %q: %w", r, err)
			}
			opts.Routes = append(opts.Routes, u)
		}
	}
	s, err := server.NewServer(opts)
	if err != nil {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
		return nil, fmt.Errorf("nats-server: %w", err)
	}
	go s.Start()
	srv := &Server{s: s, tmp: tmp}
	if o.Cluster != "" {
		// A clustered server is ready once it has its peers: the caller
		// starts them all, then waits for each with Ready.
		return srv, nil
	}
	if err := srv.Ready(10 * time.Second); err != nil {
		srv.Shutdown()
		return nil, err
	}
	return srv, nil
}

// Ready waits up to d for the server to take connections.
func (s *Server) Ready(d time.Duration) error {
	if !s.s.ReadyForConnections(d) {
		return errors.New("nats-server did not start within " + d.String() + " (is its port taken?)")
	}
	return nil
}

// URL is where clients connect: nats://127.0.0.1:4222.
func (s *Server) URL() string { return s.s.ClientURL() }

// Addr is the client address the server listens on.
func (s *Server) Addr() net.Addr { return s.s.Addr() }

// ClusterURL is the address other servers route to, if it is clustered.
func (s *Server) ClusterURL() string {
	a := s.s.ClusterAddr()
	if a == nil {
		return ""
	}
	return "nats://" + a.String()
}

// Shutdown stops the server and waits until it has.
func (s *Server) Shutdown() {
	s.s.Shutdown()
	s.s.WaitForShutdown()
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
	}
}

// Listening reports whether something takes TCP connections at addr, as
// a NATS server of another actorsh would on 127.0.0.1:4222.
func Listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
