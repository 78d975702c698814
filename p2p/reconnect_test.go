package p2p

import (
	"crypto/rand"
	"errors"
	"testing"
	"time"

	lcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

func fastReconnect(_ int, c *Config) {
	c.ReconnectMin, c.ReconnectMax = 20*time.Millisecond, 100*time.Millisecond
}

// A dropped link to a bootstrap peer that is still up is dialled again on
// the address it was given.
func TestBootstrapPeerIsRedialledAfterLinkDrops(t *testing.T) {
	connected, disconnected := newLogWatch("peer connected"), newLogWatch("peer disconnected")
	nodes := startNet(t, 2, netOpts{cfg: func(i int, c *Config) {
		fastReconnect(i, c)
		if i == 1 {
			c.Logger = testLogger(connected, disconnected)
		}
	}})
	a, b := nodes[0], nodes[1] // b bootstraps from a
	connected.wait(t, a.ID().String())
	waitPeerCount(t, a, 1) // a holds the link too, so it can close it

	// a hangs up; a does not know b's address, so only b can restore the link.
	if err := a.host.Network().ClosePeer(b.ID()); err != nil {
		t.Fatal(err)
	}
	disconnected.wait(t, a.ID().String())
	connected.wait(t, a.ID().String())
	waitMesh(t, 1, a, b)
	if err := a.Publish(TopicConsensus, []byte("again")); err != nil {
		t.Fatal(err)
	}
	b.inbox[TopicConsensus].wait(t, "again")
}

// A peer added at run time is kept connected like a bootstrap peer, and
// adding it again with new addresses finds it after it restarted on
// another port.
func TestAddedPeerIsFoundAgainAfterRestartOnAnotherPort(t *testing.T) {
	nodes := startNet(t, 2, netOpts{
		cfg:       fastReconnect,
		bootstrap: func(int, []*testNode) []string { return nil }, // nobody knows anybody
	})
	a, b := nodes[0], nodes[1]
	if err := b.AddPeer(a.Addrs()[0]); err != nil {
		t.Fatal(err)
	}
	waitPeerCount(t, b, 1)

	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	waitPeerCount(t, b, 0)
	// a comes back on a port of the OS's choosing: its old one may be gone.
	cfg := Config{ListenAddr: listenTCP, Key: a.key, ChainID: testChain, AllowList: addrsOf(a, b), Logger: testLogger()}
	fastReconnect(0, &cfg)
	a2 := startNode(t, cfg)
	if err := b.AddPeer(a2.Addrs()[0]); err != nil {
		t.Fatal(err)
	}
	waitPeerCount(t, b, 1)
	waitMesh(t, 1, a2, b)
	if err := a2.Publish(TopicConsensus, []byte("back")); err != nil {
		t.Fatal(err)
	}
	if m := b.inbox[TopicConsensus].wait(t, "back"); m.from != a.Address() {
		t.Fatalf("author %s, want %s", m.from, a.Address())
	}
}

func TestAddPeerRefusesBadInput(t *testing.T) {
	a := startNet(t, 1, netOpts{})[0]
	otherID, err := PeerIDFromKey(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	_, pub, err := lcrypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edID, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, maddr string }{
		{"no peer ID", listenTCP},
		{"not a multiaddr", "127.0.0.1:26656"},
		{"an empty address", " "},
		{"a peer ID that is not a secp256k1 key", "/ip4/127.0.0.1/tcp/1/p2p/" + edID.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := a.AddPeer(tc.maddr); !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("AddPeer(%q) = %v, want ErrInvalidConfig", tc.maddr, err)
			}
			if got := a.boot.count(); got != 0 {
				t.Fatalf("%d peers kept after a refused AddPeer", got)
			}
		})
	}
	// Its own address is skipped, as in Config.Bootstrap.
	if err := a.AddPeer(a.Addrs()[0]); err != nil || a.boot.count() != 0 {
		t.Fatalf("AddPeer(self) = %v, %d peers kept", err, a.boot.count())
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.AddPeer("/ip4/127.0.0.1/tcp/1/p2p/" + otherID.String()); !errors.Is(err, ErrClosed) {
		t.Fatalf("AddPeer after Close = %v, want ErrClosed", err)
	}
}
