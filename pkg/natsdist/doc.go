// Package natsdist joins actorsh runtimes into a cluster over NATS: node
// leases and cluster registries in JetStream key-value buckets, messages
// on one core NATS subject per node. It is the only package of actorsh
// that imports github.com/nats-io; what it promises is written in
// docs/CLUSTER.md.
//
// A [Node] is one runtime in a cluster. [Join] connects it, claims its
// index and a lease, and installs it as the runtime's [actor.Remote], so
// that sends, casts, calls and exit signals to PIDs of other nodes go over
// NATS. [Node.Registry] opens a cluster registry: an [actor.Namer] whose
// claims are linearizable (a JetStream KV create, a compare-and-swap
// delete) and whose lookups are served from a watched local cache.
package natsdist
