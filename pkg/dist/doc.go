// Package dist is what actorsh's nodes share whatever carries them: who a
// node is, how PIDs of other nodes are told apart, the events a cluster
// reports, and the encoding terms cross the wire in. It imports only the
// standard library and pkg/actor; pkg/natsdist implements a cluster over
// NATS with it.
//
// A node has a name ("a", "web-1"), an index (a small number, the N of a
// PID <N.S.C>, the same on every node of a cluster) and a creation (which
// life of the node it is: 1 more each time a node of that name joins).
// Its own processes are <0.S.0> to itself and <N.S.C> to every other
// node, as in Erlang's distribution.
package dist
