package p2p

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	lcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"

	"github.com/accordnet/accord/types"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitPeerCount waits until n has exactly want peers.
func waitPeerCount(t *testing.T, n *testNode, want int) {
	t.Helper()
	ctx := ctxTimeout(t)
	for {
		ch := n.changes()
		if got := len(n.Peers()); got == want {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("%s has peers %v, want %d", n.Address(), n.Peers(), want)
		}
	}
}

func TestConfigIsChecked(t *testing.T) {
	key := newKey(t)
	_, edPub, _ := lcrypto.GenerateEd25519Key(rand.Reader)
	edID, _ := peer.IDFromPublicKey(edPub)
	base := func() Config {
		return Config{ListenAddr: listenTCP, Key: key, ChainID: testChain, Logger: testLogger()}
	}
	cases := []struct {
		name   string
		mutate func(*Config)
	}{
		{"no key", func(c *Config) { c.Key = nil }},
		{"no chain ID", func(c *Config) { c.ChainID = "" }},
		{"a chain ID with a slash", func(c *Config) { c.ChainID = "a/b" }},
		{"a bootstrap entry without /p2p", func(c *Config) { c.Bootstrap = []string{"/ip4/127.0.0.1/tcp/1"} }},
		{"a bootstrap peer with a non-secp256k1 ID", func(c *Config) { c.Bootstrap = []string{"/ip4/127.0.0.1/tcp/1/p2p/" + edID.String()} }},
		{"a message limit below 1 MiB", func(c *Config) { c.MaxMessageSize = 1000 }},
		{"a negative timeout", func(c *Config) { c.SyncTimeout = -time.Second }},
		{"a pre-v1 QUIC listen address", func(c *Config) { c.ListenAddr = "/ip4/127.0.0.1/udp/0/quic" }},
		{"a WebTransport listen address", func(c *Config) { c.ListenAddr = "/ip4/127.0.0.1/udp/0/quic-v1/webtransport" }},
		{"a bare UDP listen address", func(c *Config) { c.ListenAddr = "/ip4/127.0.0.1/udp/0" }},
		{"a malformed listen address", func(c *Config) { c.ListenAddr = "127.0.0.1:26656" }},
		{"a malformed second listen address", func(c *Config) { c.ListenAddr = listenTCP + ",127.0.0.1:26656" }},
		{"an empty entry in the listen list", func(c *Config) { c.ListenAddr = listenTCP + "," }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base()
			tc.mutate(&cfg)
			h, err := New(cfg)
			if !errors.Is(err, ErrInvalidConfig) {
				if h != nil {
					_ = h.Close()
				}
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
		})
	}
}

// listenAddr returns n's listen address whose transport protocol is
// proto ("tcp", "quic-v1"), without the /p2p/ suffix.
func listenAddr(t *testing.T, n *testNode, proto string) string {
	t.Helper()
	for _, a := range n.Addrs() {
		a = a[:strings.Index(a, "/p2p/")]
		if strings.Contains(a, "/"+proto+"/") || strings.HasSuffix(a, "/"+proto) {
			return a
		}
	}
	t.Fatalf("no %s address in %v", proto, n.Addrs())
	return ""
}

func TestTakenPortFailsCleanly(t *testing.T) {
	n := startNet(t, 1, netOpts{cfg: func(_ int, c *Config) { c.ListenAddr = listenTCP + "," + listenQUIC }})[0]
	takenTCP, takenQUIC := listenAddr(t, n, "tcp"), listenAddr(t, n, "quic-v1")
	cases := []struct{ name, listen string }{
		{"a taken TCP port", takenTCP},
		{"a taken UDP port for QUIC", takenQUIC},
		{"a taken port after a free one", listenTCP + "," + takenQUIC},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := New(Config{ListenAddr: tc.listen, Key: newKey(t), ChainID: testChain, Logger: testLogger()})
			if err == nil {
				_ = h.Close()
				t.Fatalf("a second host started on %s", tc.listen)
			}
		})
	}
	// TestMain's leak check covers the failed starts.
}

func TestListensOnEveryAddress(t *testing.T) {
	// A single address, as before, and a list with spaces after commas.
	cases := []struct {
		name   string
		listen string
		want   []string // transports of Addrs(), in order
	}{
		{"one TCP address", listenTCP, []string{"tcp"}},
		{"one QUIC address", listenQUIC, []string{"quic-v1"}},
		{"TCP and QUIC", listenTCP + ", " + listenQUIC, []string{"tcp", "quic-v1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := startNet(t, 1, netOpts{cfg: func(_ int, c *Config) { c.ListenAddr = tc.listen }})[0]
			addrs := n.Addrs()
			if len(addrs) != len(tc.want) {
				t.Fatalf("Addrs() = %v, want %d addresses", addrs, len(tc.want))
			}
			for _, proto := range tc.want {
				if a := listenAddr(t, n, proto); strings.HasSuffix(a, "/0") || strings.Contains(a, "/0/") {
					t.Errorf("%s address %s has no port", proto, a)
				}
			}
		})
	}
}

func TestHostIdentityAndAddrs(t *testing.T) {
	n := startNet(t, 1, netOpts{})[0]
	id, _ := PeerIDFromKey(n.key)
	if n.ID() != id || n.Address() != types.PubkeyAddress(n.key) {
		t.Fatalf("ID %s / address %s do not match the key", n.ID(), n.Address())
	}
	addrs := n.Addrs()
	if len(addrs) == 0 {
		t.Fatal("no listen addresses")
	}
	ai, err := peer.AddrInfoFromString(addrs[0])
	if err != nil || ai.ID != id {
		t.Fatalf("Addrs()[0] = %q (%v)", addrs[0], err)
	}
}

// TestGossipAndSyncOverEachTransport runs gossip and block sync between
// three hosts on each transport mix; every host dials QUIC, whatever it
// listens on.
func TestGossipAndSyncOverEachTransport(t *testing.T) {
	cases := []struct {
		name   string
		listen [3]string   // per node; node i bootstraps from nodes 0..i-1
		want   [3][]string // transports of each node's connections
	}{
		{"TCP only", [3]string{listenTCP, listenTCP, listenTCP},
			[3][]string{{"tcp"}, {"tcp"}, {"tcp"}}},
		{"QUIC only", [3]string{listenQUIC, listenQUIC, listenQUIC},
			[3][]string{{"quic-v1"}, {"quic-v1"}, {"quic-v1"}}},
		{"TCP and QUIC mixed", [3]string{listenQUIC, listenTCP, listenTCP + "," + listenQUIC},
			[3][]string{{"quic-v1"}, {"quic-v1", "tcp"}, {"quic-v1", "tcp"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := &fakeSource{height: 20, blockSize: 100 << 10}
			nodes := startNet(t, 3, netOpts{cfg: func(i int, c *Config) {
				c.ListenAddr = tc.listen[i]
				c.BlockSource = src
			}})
			waitMesh(t, 2, nodes...)
			for i, n := range nodes {
				if got := n.transports(); !slices.Equal(got, tc.want[i]) {
					t.Errorf("node %d connects over %v, want %v", i, got, tc.want[i])
				}
			}

			big := make([]byte, 2<<20)
			copy(big, "big")
			for i, n := range nodes {
				if err := n.Publish(TopicConsensus, []byte(fmt.Sprint("hello from ", i))); err != nil {
					t.Fatal(err)
				}
			}
			if err := nodes[2].Publish(TopicTxs, big); err != nil {
				t.Fatal(err)
			}
			for i, n := range nodes {
				for j := range nodes {
					if i != j {
						n.inbox[TopicConsensus].wait(t, fmt.Sprint("hello from ", j))
					}
				}
			}
			nodes[0].inbox[TopicTxs].wait(t, string(big))
			nodes[1].inbox[TopicTxs].wait(t, string(big))

			for i, n := range nodes {
				from := nodes[(i+1)%len(nodes)]
				blocks, err := n.FetchBlocks(ctxTimeout(t), from.Address(), 1, 20)
				if err != nil || len(blocks) != 20 {
					t.Fatalf("node %d fetching from %s: %d blocks, %v", i, from.Address(), len(blocks), err)
				}
			}
		})
	}
}

func TestBlockPartitionsAndUnblockHeals(t *testing.T) {
	nodes := startNet(t, 4, netOpts{})
	a, b, c, d := nodes[0], nodes[1], nodes[2], nodes[3]
	waitMesh(t, 3, nodes...)

	// Partition d: every other node blocks it. d keeps redialling (it
	// bootstraps from a, b and c) and is refused.
	for _, n := range nodes[:3] {
		n.Block(d.Address())
	}
	waitPeerCount(t, d, 0)
	for _, n := range nodes[:3] {
		waitPeerCount(t, n, 2)
		if slices.Contains(n.Peers(), d.Address()) {
			t.Fatalf("%s still connected to d", n.Address())
		}
	}
	if err := d.Publish(TopicConsensus, []byte("from isolated d")); err != nil {
		t.Fatal(err)
	}
	if err := a.Publish(TopicConsensus, []byte("from a during partition")); err != nil {
		t.Fatal(err)
	}
	b.inbox[TopicConsensus].wait(t, "from a during partition")
	c.inbox[TopicConsensus].wait(t, "from a during partition")
	if err := b.Publish(TopicConsensus, []byte("marker")); err != nil {
		t.Fatal(err)
	}
	a.inbox[TopicConsensus].wait(t, "marker")
	c.inbox[TopicConsensus].wait(t, "marker")
	for _, n := range nodes[:3] {
		if n.inbox[TopicConsensus].has("from isolated d") {
			t.Fatalf("%s got a message from the partitioned node", n.Address())
		}
	}
	if d.inbox[TopicConsensus].has("from a during partition") || d.inbox[TopicConsensus].has("marker") {
		t.Fatal("the partitioned node got a message")
	}

	// Heal.
	for _, n := range nodes[:3] {
		n.Unblock(d.Address())
	}
	waitMesh(t, 3, nodes...)
	if err := d.Publish(TopicConsensus, []byte("from d healed")); err != nil {
		t.Fatal(err)
	}
	if err := a.Publish(TopicConsensus, []byte("from a healed")); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes[:3] {
		n.inbox[TopicConsensus].wait(t, "from d healed")
	}
	d.inbox[TopicConsensus].wait(t, "from a healed")
}

func TestSetAllowListDropsAndReadmits(t *testing.T) {
	nodes := startNet(t, 2, netOpts{cfg: func(i int, c *Config) {
		c.ReconnectMin, c.ReconnectMax = 50*time.Millisecond, 200*time.Millisecond
	}})
	a, b := nodes[0], nodes[1] // b bootstraps from a
	waitPeerCount(t, a, 1)

	a.SetAllowList([]types.Address{a.Address()})
	waitPeerCount(t, a, 0)
	waitPeerCount(t, b, 0)
	if err := a.Connect(ctxTimeout(t), b.Addrs()[0]); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("dialling a removed member: err = %v, want ErrNotAllowed", err)
	}

	// b's reconnect loop gets in again once a lists it.
	a.SetAllowList([]types.Address{a.Address(), b.Address()})
	waitPeerCount(t, a, 1)
	waitMesh(t, 1, a, b)
}

func TestMetricsRegisterAndCount(t *testing.T) {
	reg := prometheus.NewRegistry()
	nodes := startNet(t, 2, netOpts{cfg: func(i int, c *Config) {
		if i == 0 {
			c.Registerer = reg
		}
	}})
	a, b := nodes[0], nodes[1]
	waitMesh(t, 1, a, b)
	if err := b.Publish(TopicTxs, []byte("tx")); err != nil {
		t.Fatal(err)
	}
	a.inbox[TopicTxs].wait(t, "tx")

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range m.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			if m.GetCounter() != nil {
				got[key] = m.GetCounter().GetValue()
			} else {
				got[key] = m.GetGauge().GetValue()
			}
		}
	}
	if got["accord_p2p_peers"] != 1 {
		t.Errorf("peers = %v", got["accord_p2p_peers"])
	}
	if got["accord_p2p_messages_total,direction=in,topic=txs"] != 1 {
		t.Errorf("txs in = %v", got["accord_p2p_messages_total,direction=in,topic=txs"])
	}
	if got["accord_p2p_bytes_total,direction=in,protocol=gossip"] == 0 {
		t.Errorf("no gossip bytes counted: %v", got)
	}

	// Close unregisters, so a restarted host can register again.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(a.Collector()); err != nil {
		t.Fatalf("collector still registered after Close: %v", err)
	}
}

func TestCloseIsCleanAndFinal(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	nodes := startNet(t, 3, netOpts{cfg: func(i int, c *Config) { c.BlockSource = &fakeSource{height: 10} }})
	waitMesh(t, 2, nodes...)
	if err := nodes[0].Publish(TopicConsensus, []byte("bye")); err != nil {
		t.Fatal(err)
	}
	nodes[1].inbox[TopicConsensus].wait(t, "bye")
	if _, err := nodes[1].FetchBlocks(ctxTimeout(t), nodes[0].Address(), 1, 10); err != nil {
		t.Fatal(err)
	}

	for _, n := range nodes {
		if err := n.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := n.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	}
	n := nodes[0]
	ctx := ctxTimeout(t)
	for name, err := range map[string]error{
		"Publish":   n.Publish(TopicTxs, []byte("x")),
		"Subscribe": n.Subscribe(TopicTxs, func(types.Address, []byte) {}),
		"Connect":   n.Connect(ctx, nodes[1].Addrs()[0]),
		"WaitPeers": n.WaitPeers(ctx, 1),
		"FetchBlocks": func() error {
			_, err := n.FetchBlocks(ctx, nodes[1].Address(), 1, 2)
			return err
		}(),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: err = %v, want ErrClosed", name, err)
		}
	}
	_ = context.Background
}
