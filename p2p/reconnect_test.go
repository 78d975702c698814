package p2p

import (
	"strings"
	"testing"
	"time"
)

func TestBootstrapPeerIsRedialledAfterRestart(t *testing.T) {
	fast := func(_ int, c *Config) { c.ReconnectMin, c.ReconnectMax = 20*time.Millisecond, 100*time.Millisecond }
	nodes := startNet(t, 2, netOpts{cfg: fast})
	a, b := nodes[0], nodes[1] // b bootstraps from a
	waitPeerCount(t, b, 1)

	listen := a.Addrs()[0]
	listen = listen[:strings.Index(listen, "/p2p/")]
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	waitPeerCount(t, b, 0)

	// The same node comes back on the same address; b finds it again on
	// its own.
	cfg := Config{ListenAddr: listen, Key: a.key, ChainID: testChain, AllowList: addrsOf(a, b), Logger: testLogger()}
	fast(0, &cfg)
	a2 := startNode(t, cfg)
	waitPeerCount(t, b, 1)
	waitMesh(t, 1, a2, b)
	if err := a2.Publish(TopicConsensus, []byte("back")); err != nil {
		t.Fatal(err)
	}
	if m := b.inbox[TopicConsensus].wait(t, "back"); m.from != a.Address() {
		t.Fatalf("author %s, want %s", m.from, a.Address())
	}
}
