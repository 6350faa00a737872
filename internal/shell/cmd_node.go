package shell

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func newCmdNode(s *Session) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "node join|leave|start|stop|kill ...",
		Short: "join this session to a cluster of actorsh nodes over NATS, or leave it",
		Long: "A node is a session in a cluster: its processes can be found by name from the other nodes\n" +
			"(reg new NAME --scope cluster) and sent to, called and signalled by PID (<2.17.0> is process 17\n" +
			"of node 2). The promises the cluster keeps are in docs/CLUSTER.md.",
		Example: "node join a\nnode join b --nats nats://10.0.0.5:4222 --creds app.creds\nnode leave",
		Args:    subcommandArgs,
		RunE:    func(*cobra.Command, []string) error { return nil },
	}
	cmd.AddCommand(newCmdNodeJoin(s), newCmdNodeLeave(s), newCmdNodeStart(s), newCmdNodeStop(s), newCmdNodeKill(s))
	return cmd
}

func newCmdNodeJoin(s *Session) *cobra.Command {
	var o joinOptions
	c := &cobra.Command{
		Annotations: map[string]string{completeKey: "none"},
		Use:         "join NAME [--nats URL] [--creds FILE | --user U --password P | --token T] [--cluster C] [--lease DURATION] [--replicas N] [--ephemeral]",
		Short:       "make this session node NAME of a cluster",
		Long: "Without --nats, joins the NATS server at nats://127.0.0.1:4222 if one runs there, and starts one\n" +
			"there (on loopback only, with JetStream; its state under $XDG_STATE_HOME/actorsh/nats, or in\n" +
			"memory with --ephemeral) if none does: a second terminal's node join b then joins it. An\n" +
			"embedded server stops with its shell; actorsh nats serve runs one on its own. --nats URL joins\n" +
			"a real NATS server or cluster (use --replicas 3 on three servers).\n\n" +
			"The node renews a lease every 30% of --lease (default 5s). If it cannot, it stops its\n" +
			"cluster-named processes before the lease ends (reason noconnection), and the others release\n" +
			"its names when it has; a node that is gone releases its names after its lease.",
		Example: "node join a\nnode join a --ephemeral\nnode join web-1 --nats nats://nats.internal:4222 --creds web.creds --replicas 3",
		Args:    exactArgs(1, "a NAME for this node"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.lease != 0 && o.lease < time.Second {
				return errors.New("--lease must be at least 1s (NATS expires keys no sooner)")
			}
			if o.replicas < 0 || o.replicas > 5 {
				return errors.New("--replicas must be 1 to 5 (as many as the NATS cluster has servers)")
			}
			return s.joinCluster(cmd.Context(), args[0], o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.url, "nats", "", "the NATS server to join, nats://HOST:PORT (default: "+DefaultNATS+", embedded if nothing runs there)")
	f.StringVar(&o.creds, "creds", "", "a NATS credentials `FILE` (JWT and NKey)")
	f.StringVar(&o.user, "user", "", "a NATS user (with --password)")
	f.StringVar(&o.password, "password", "", "the NATS user's password")
	f.StringVar(&o.token, "token", "", "a NATS token")
	f.StringVar(&o.cluster, "cluster", "", "the cluster's name (default ash): clusters on one NATS server do not see each other")
	durationFlag(f, &o.lease, "lease", 0, "how long the node's lease lasts without renewal (default 5s)")
	intFlag(f, &o.replicas, "replicas", 1, "replicas of each bucket (3 on a three-server NATS cluster)")
	f.BoolVar(&o.ephemeral, "ephemeral", false, "keep the cluster's buckets in memory")
	return c
}

func newCmdNodeLeave(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "none"},
		Use:         "leave",
		Short:       "leave the cluster: release this node's names and end its lease",
		Args:        exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := s.leaveCluster()
			if name == "" {
				return err
			}
			text := "node " + name + " left the cluster"
			if err != nil {
				text += fmt.Sprintf(" (its lease could not be ended: %v; it expires by itself)", err)
			}
			s.result("node leave", text, map[string]any{"node": name})
			return nil
		},
	}
}

func newCmdNodes(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "none"},
		Use:         "nodes",
		Short:       "the cluster's nodes and their health, as this node sees them",
		Long: "Lists the nodes whose lease is live: name, index (the N of <N.S.C>), creation (which life of\n" +
			"the node; the C), health (up, or late when a renewal is overdue) and how long it has been up.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := s.clusterNode()
			if err != nil {
				return err
			}
			rows, objs := nodeRows(cl.node.Members())
			s.out.result(record{text: strings.Join(rows, "\n"), obj: map[string]any{"type": "result", "cmd": "nodes", "nodes": objs}})
			return nil
		},
	}
}

func newCmdNodeStart(s *Session) *cobra.Command {
	var lease time.Duration
	c := &cobra.Command{
		Annotations: map[string]string{completeKey: "none..."},
		Use:         "start NODE... [--lease DURATION]",
		Short:       "run several nodes in this process, for trying a cluster out (partition, heal)",
		Long: "Starts a NATS server of its own (in memory, on loopback) and a node for each NAME: this session is\n" +
			"the first, the others are sessions beside it whose output is marked [NAME]. on NODE CMD runs a\n" +
			"command on one of them; partition and heal cut them apart and join them again; node kill NAME\n" +
			"ends one as kill -9 would; node stop ends them all.",
		Example: "node start a b c\nnode start a b c --lease 2s",
		Args:    rangeArgs(1, 16, "1 to 16 node NAMEs"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if lease != 0 && lease < time.Second {
				return errors.New("--lease must be at least 1s (NATS expires keys no sooner)")
			}
			return s.startLab(cmd.Context(), args, lease)
		},
	}
	durationFlag(c.Flags(), &lease, "lease", 0, "how long each node's lease lasts without renewal (default 5s)")
	return c
}

func newCmdNodeStop(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "none"},
		Use:         "stop",
		Short:       "end the nodes of node start: each leaves, the server stops",
		Args:        exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			l := s.labOf()
			if l == nil {
				return errors.New("no nodes run in this process: node start a b c starts some")
			}
			names := append([]string(nil), l.order...)
			l.stop(s)
			s.result("node stop", "nodes "+strings.Join(names, ", ")+" stopped", map[string]any{"nodes": names})
			return nil
		},
	}
}

func newCmdNodeKill(s *Session) *cobra.Command {
	return &cobra.Command{
		Annotations: map[string]string{completeKey: "none"},
		Use:         "kill NODE",
		Short:       "end a node of node start as kill -9 would: no goodbye, its lease runs out",
		Args:        exactArgs(1, "a NODE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.killNode(args[0])
		},
	}
}
