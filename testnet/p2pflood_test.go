package testnet

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/internal/netflood"
	"github.com/accordnet/accord/node"
)

// The flood comes from one loopback address and the probe from another,
// neither the validators' 127.0.0.1, as strangers' addresses differ from
// the consortium's on a real network.
const floodFrom, probeFrom = "127.0.0.2", "127.0.0.3"

// waitPeer polls n's connected peers until want's presence is has.
func waitPeer(ctx context.Context, t *testing.T, n *node.Node, pn *procNode, has bool) {
	t.Helper()
	for slices.Contains(n.P2PPeers(), pn.addr) != has {
		select {
		case <-ctx.Done():
			t.Fatalf("node0 connected to node%d: %v, want %v\nnode%d log:\n%s", pn.i, !has, has, pn.i, pn.log(30))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestValidatorRejoinsUnderHandshakeFlood floods node0 with silent TCP
// connections until a connection from a third address is dropped at once
// (its ordinary pre-handshake scope is full). Node1, an accord process, is
// killed and restarted on new ports, where node0 cannot dial it: it must
// dial in, under the flood. It gets in through the reserve node0 keeps
// for the validators it knows (p2p/reserve.go); then node2 is stopped, so
// every block needs node1's votes, and the chain keeps finalizing with
// node1 following it.
func TestValidatorRejoinsUnderHandshakeFlood(t *testing.T) {
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 4, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	n1 := detachNode(t, c, 1)
	n0 := c.Node(0)
	waitPeer(ctx, t, n0, n1, true)
	target, err := tcpAddrOf(n0.Listening().P2P)
	if err != nil {
		t.Fatal(err)
	}
	if probe, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(floodFrom)}}).Dial("tcp", target); errors.Is(err, syscall.EADDRNOTAVAIL) {
		t.Skipf("cannot dial from %s (needs all of 127.0.0.0/8 on loopback, as Linux has): %v", floodFrom, err)
	} else if err != nil {
		t.Fatal(err)
	} else {
		probe.Close()
	}

	n1.kill()
	waitPeer(ctx, t, n0, n1, false)
	floodCtx, stopFlood := context.WithCancel(ctx)
	dials, waitFlood := netflood.Flood(floodCtx, floodFrom, target, 300)
	defer waitFlood()
	defer stopFlood()
	for !netflood.DroppedAtOnce(probeFrom, target) {
		if ctx.Err() != nil {
			t.Fatalf("the flood (%d dials) never filled node0's handshake scope", dials.Load())
		}
	}

	n1.unpin()
	n1.start()
	waitPeer(ctx, t, n0, n1, true)
	saturated := false
	for range 20 {
		if saturated = netflood.DroppedAtOnce(probeFrom, target); saturated {
			break
		}
	}
	if !saturated {
		t.Fatal("node0's handshake scope had room again when node1 got in: the test proved nothing")
	}

	// Without node2, a block needs node1's votes.
	if err := c.Stop(2); err != nil {
		t.Fatal(err)
	}
	h := c.Height(0)
	if err := c.WaitHeight(ctx, 0, h+3); err != nil {
		t.Fatalf("chain stalled with node1 back under the flood: %v\nnode1 log:\n%s", err, n1.log(30))
	}
	if err := waitHeightRPC(ctx, client.New(n1.url), h+3); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d junk dials at node0; node1 dialled in on new ports, the chain went from %d to %d without node2", dials.Load(), h, c.Height(0))
}

// tcpAddrOf is host:port of the first TCP multiaddr in maddrs.
func tcpAddrOf(maddrs []string) (string, error) {
	for _, m := range maddrs {
		if strings.Contains(m, "/tcp/") {
			_, hp, err := multiaddrHostPort(strings.SplitN(m, "/p2p/", 2)[0])
			return hp, err
		}
	}
	return "", errors.New("no TCP address")
}
