package testnet

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/node"
	ma "github.com/multiformats/go-multiaddr"
)

// A cluster's nodes bind ports the OS picks (their configs say 0) and keep
// them; each home's listen file names them, and a node restarted on new
// ports is served at the cluster's new address and rejoins the chain.
func TestClusterListensOnPortsTheOSPicks(t *testing.T) {
	c := newCluster(t, 4)
	ctx, cancel := Timeout(60 * time.Second)
	defer cancel()
	for i := range c.Layout.Nodes() {
		cfg, err := node.LoadConfig(c.Layout.Home(i))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.RPCAddr != "127.0.0.1:0" || cfg.P2PListen != "/ip4/127.0.0.1/tcp/0" || len(cfg.P2PPeers) != 0 {
			t.Fatalf("node%d config: rpc %q, p2p %q, peers %v; want port 0 and no peers", i, cfg.RPCAddr, cfg.P2PListen, cfg.P2PPeers)
		}
		assertListening(t, c, i)
	}
	if err := c.WaitAll(ctx, 2); err != nil {
		t.Fatal(err)
	}

	const again = 3
	if err := c.Stop(again); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.Layout.Home(again).ListenFile()); !os.IsNotExist(err) {
		t.Fatalf("listen file of a stopped node: %v", err)
	}
	target := c.Height(0) + 2
	if err := c.WaitHeight(ctx, 0, target); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(again); err != nil {
		t.Fatal(err)
	}
	assertListening(t, c, again)
	if err := c.WaitHeight(ctx, again, target+1); err != nil {
		t.Fatalf("restarted node did not rejoin: %v", err)
	}
	if st, err := c.Client(again).Status(ctx); err != nil || st.Validator != c.Node(again).Address().Hex() {
		t.Fatalf("status of the restarted node at %s: %+v, %v", c.RPCAddr(again), st, err)
	}
}

// assertListening checks node i's listen file against the node: real
// ports, and the RPC address the cluster hands out.
func assertListening(t *testing.T, c *Cluster, i int) {
	t.Helper()
	n := c.Node(i)
	got, err := node.ReadListening(c.Layout.Home(i))
	if err != nil {
		t.Fatal(err)
	}
	want := n.Listening()
	if got.RPC != want.RPC || strings.Join(got.P2P, ",") != strings.Join(want.P2P, ",") || got.RPC != c.RPCAddr(i) {
		t.Fatalf("node%d listen file %+v, node %+v, cluster RPC %s", i, got, want, c.RPCAddr(i))
	}
	if _, port, err := net.SplitHostPort(got.RPC); err != nil || port == "0" {
		t.Fatalf("node%d RPC %q", i, got.RPC)
	}
	if len(got.P2P) == 0 {
		t.Fatalf("node%d has no p2p address", i)
	}
	for _, a := range got.P2P {
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			t.Fatal(err)
		}
		if port, err := m.ValueForProtocol(ma.P_TCP); err != nil || port == "0" {
			t.Fatalf("node%d p2p address %s", i, a)
		}
	}
}

// A node whose port is taken (held by a running node) fails to start with
// an error naming the address, and Stop after the failed Start returns at
// once, leaving no listen file.
func TestStartOnATakenPortFailsCleanly(t *testing.T) {
	l := Layout{Dir: t.TempDir(), Validators: 2, ChainID: "accord-taken"}
	if _, err := Init(l, InitOptions{}); err != nil {
		t.Fatal(err)
	}
	holder, err := node.New(l.Home(0), node.Options{Logger: testLogger(t).With("node", 0)})
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Stop() })
	held := holder.Listening()
	heldP2P := held.P2P[0][:strings.Index(held.P2P[0], "/p2p/")]
	h := l.Home(1)
	base, err := node.LoadConfig(h)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		set  func(*node.Config)
		want string
	}{
		{"taken RPC port", func(c *node.Config) { c.RPCAddr = held.RPC }, held.RPC},
		{"taken p2p port", func(c *node.Config) { c.P2PListen = heldP2P }, heldP2P},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.set(&cfg)
			if err := node.SaveConfig(h, cfg); err != nil {
				t.Fatal(err)
			}
			n, err := node.New(h, node.Options{Logger: testLogger(t).With("node", 1)})
			if err != nil {
				t.Fatal(err)
			}
			err = n.Start(context.Background())
			stopped := make(chan error, 1)
			go func() { stopped <- n.Stop() }()
			select {
			case <-stopped:
			case <-time.After(30 * time.Second):
				t.Fatal("Stop after a failed Start did not return")
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "address already in use") {
				t.Fatalf("Start = %v, want an error naming %s in use", err, tc.want)
			}
			if _, err := os.Stat(h.ListenFile()); !os.IsNotExist(err) {
				t.Fatalf("listen file after a failed start: %v", err)
			}
		})
	}
}
