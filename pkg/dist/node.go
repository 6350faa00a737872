package dist

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/actorsh/actorsh/pkg/actor"
)

// Node is a node's identity within its cluster.
type Node struct {
	Name     string `json:"name"`
	Index    uint16 `json:"index"`
	Creation uint8  `json:"creation"`
}

func (n Node) String() string { return n.Name }

// Member is a node as the cluster sees it now.
type Member struct {
	Node
	// Self is true for the node that answered.
	Self bool `json:"self"`
	// Started is when it joined; Renewed when its lease was last renewed.
	Started time.Time `json:"started"`
	Renewed time.Time `json:"renewed"`
	// Health is "up", or "late" once two renewals are overdue (the lease
	// has not yet expired), as this node heard them.
	Health string `json:"health"`
}

// The reasons a cluster gives. ErrNoConnection is what links and monitors
// deliver when a node's lease ends, as Erlang's noconnection.
var (
	ErrNoConnection = actor.Reason("noconnection")
	// ErrNotClustered is returned by what needs a cluster when the node
	// is in none.
	ErrNotClustered = errors.New("not in a cluster (start with --node NAME, or node start NAME)")
)

// NodeDownError is the reason a call to a process of a node that is gone
// fails with: {nodedown, b}.
type NodeDownError struct{ Node string }

func (e *NodeDownError) Error() string { return "{nodedown, " + e.Node + "}" }

// EventKind names a cluster event.
type EventKind string

// The cluster's events. Each is narrated by the shell and has a JSON form.
const (
	// NodeUp: a node joined (Node), or this node joined the cluster.
	NodeUp EventKind = "node_up"
	// NodeLeft: a node left on purpose and released its names itself.
	NodeLeft EventKind = "node_left"
	// LeaseExpired: a node stopped renewing its lease; its names are
	// released next (NamesReleased).
	LeaseExpired EventKind = "lease_expired"
	// NamesReleased: names a node held were released, by Node (Names in
	// Registry), because of Reason.
	NamesReleased EventKind = "names_released"
	// ClaimRefused: a claim of Name in Registry was refused because Holder
	// (of node Other) has it, or because the cluster could not be reached.
	ClaimRefused EventKind = "claim_refused"
	// Fenced: this node could not renew its lease in time and stopped its
	// cluster-named processes (Names) with reason noconnection.
	Fenced EventKind = "fenced"
	// Rejoined: this node renews its lease again after it was fenced; the
	// names it lost stay released.
	Rejoined EventKind = "rejoined"
	// ReleasePending: a name's release could not be confirmed in time; it
	// is retried (and released with the node's lease at the latest).
	ReleasePending EventKind = "release_pending"
	// SendRefused: a process (Holder) sent a process of another node
	// (Name, on node Other) a value that cannot cross (Reason); it was
	// not sent.
	SendRefused EventKind = "send_refused"
)

// Event is something the cluster did that a user should hear of.
type Event struct {
	Kind     EventKind `json:"kind"`
	Time     time.Time `json:"time"`
	Node     string    `json:"node"`
	Other    string    `json:"other,omitempty"`
	Registry string    `json:"registry,omitempty"`
	Name     string    `json:"name,omitempty"`
	Names    []string  `json:"names,omitempty"`
	Holder   actor.PID `json:"holder,omitzero"`
	Reason   string    `json:"reason,omitempty"`
}

// String narrates e in a line.
func (e Event) String() string {
	switch e.Kind {
	case NodeUp:
		return "node " + e.Node + " joined"
	case NodeLeft:
		return "node " + e.Node + " left"
	case LeaseExpired:
		return "node " + e.Node + "'s lease expired (" + e.Reason + ")"
	case NamesReleased:
		return fmt.Sprintf("%s released %s of node %s in %s (%s)", e.Node, names(e.Names), e.Other, e.Registry, e.Reason)
	case ClaimRefused:
		if e.Holder.IsZero() {
			return fmt.Sprintf("claim of %q in %s refused: %s", e.Name, e.Registry, e.Reason)
		}
		return fmt.Sprintf("claim of %q in %s refused: held by %v on node %s", e.Name, e.Registry, e.Holder, e.Other)
	case Fenced:
		return fmt.Sprintf("node %s could not renew its lease (%s): it stopped %s with reason noconnection", e.Node, e.Reason, names(e.Names))
	case Rejoined:
		return "node " + e.Node + " renews its lease again; the names it held stay released"
	case ReleasePending:
		return fmt.Sprintf("release of %q in %s pending: %s", e.Name, e.Registry, e.Reason)
	case SendRefused:
		return fmt.Sprintf("%v's message to %s on node %s was not sent: %s", e.Holder, e.Name, e.Other, e.Reason)
	}
	return string(e.Kind) + " " + e.Node
}

func names(ns []string) string {
	switch len(ns) {
	case 0:
		return "no names"
	case 1:
		return "1 name (" + ns[0] + ")"
	}
	show := ns
	more := ""
	if len(show) > 5 {
		show, more = show[:5], fmt.Sprintf(", and %d more", len(ns)-5)
	}
	return fmt.Sprintf("%d names (%s%s)", len(ns), strings.Join(show, ", "), more)
}
