package p2p

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/accordnet/accord/internal/netflood"
	"github.com/accordnet/accord/types"
)

// floodSource is the loopback address the junk connections come from, so
// the victim can tell them from members on 127.0.0.1, as it would tell
// strangers' addresses from the consortium's on a real network.
const floodSource, probeSource = "127.0.0.2", "127.0.0.3"

func tcpHostPort(t *testing.T, maddr string) string {
	t.Helper()
	a, err := ma.NewMultiaddr(maddr)
	if err != nil {
		t.Fatal(err)
	}
	a, _ = ma.SplitFunc(a, func(c ma.Component) bool { return c.Protocol().Code == ma.P_P2P })
	na, err := manet.ToNetAddr(a)
	if err != nil {
		t.Fatal(err)
	}
	return na.String()
}

// TestMemberDialsInUnderHandshakeFlood floods a host's TCP port with
// connections that never handshake, from an address that is not a
// member's, until a connection from a third address is dropped at once:
// the resource manager's ordinary pre-handshake scope is full. Then a member the host knows (its bootstrap list names it on 127.0.0.1,
// at a port where it does not listen, so the host cannot reach it and it
// must dial in) connects at its first attempt through the reserve, and a
// consensus message crosses the link.
func TestMemberDialsInUnderHandshakeFlood(t *testing.T) {
	vKey, mKey, sKey := newKey(t), newKey(t), newKey(t)
	allow := []types.Address{types.PubkeyAddress(vKey), types.PubkeyAddress(mKey), types.PubkeyAddress(sKey)}
	mID, err := PeerIDFromKey(mKey)
	if err != nil {
		t.Fatal(err)
	}
	sID, err := PeerIDFromKey(sKey)
	if err != nil {
		t.Fatal(err)
	}
	// Port 1 is privileged and closed: the victim's own dials to the
	// member fail, so only the member's dial-in can link them.
	victim, err := New(Config{ListenAddr: listenTCP, Key: vKey, ChainID: testChain, AllowList: allow,
		Bootstrap: []string{"/ip4/127.0.0.1/tcp/1/p2p/" + mID.String()}, Logger: testLogger().With("node", "victim")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { victim.Close() })
	member, err := New(Config{Key: mKey, ChainID: testChain, AllowList: allow, Logger: testLogger().With("node", "member")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { member.Close() })
	// Another member, whose address the victim does not know, has no reserve.
	if !victim.reserve.reserved(mID) || victim.reserve.reserved(sID) {
		t.Fatalf("reserved: known member %v, unknown member %v; want true, false", victim.reserve.reserved(mID), victim.reserve.reserved(sID))
	}
	got := make(chan string, 1)
	if err := victim.HandleDirect(TopicConsensus, func(from types.Address, data []byte, _ any) {
		if from == member.Address() {
			select {
			case got <- string(data):
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}

	vAddr := victim.Addrs()[0]
	target := tcpHostPort(t, vAddr)
	probe, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(floodSource)}}).Dial("tcp", target)
	if errors.Is(err, syscall.EADDRNOTAVAIL) {
		t.Skipf("cannot dial from %s (needs all of 127.0.0.0/8 on loopback, as Linux has): %v", floodSource, err)
	} else if err != nil {
		t.Fatal(err)
	}
	probe.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	floodCtx, stopFlood := context.WithCancel(ctx)
	defer stopFlood()
	dials, waitFlood := netflood.Flood(floodCtx, floodSource, target, 400)
	t.Cleanup(waitFlood) // after the deferred stopFlood

	// Saturated once a raw probe from a third address, neither the flood's
	// nor a member's, is dropped at once instead of being given the
	// handshake timeout: the ordinary pre-handshake scope is full.
	for saturated := false; !saturated; {
		saturated = netflood.DroppedAtOnce(probeSource, target)
		if !saturated && ctx.Err() != nil {
			t.Fatalf("the flood (%d dials) never filled the victim's handshake scope", dials.Load())
		}
	}
	cctx, c := context.WithTimeout(ctx, 20*time.Second)
	defer c()
	if err := member.Connect(cctx, vAddr); err != nil {
		t.Fatalf("member refused during the flood (%d junk dials): %v", dials.Load(), err)
	}
	if err := member.SendTo(cctx, victim.Address(), TopicConsensus, []byte("prepare h=7")); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m != "prepare h=7" {
			t.Fatalf("victim got %q", m)
		}
	case <-cctx.Done():
		t.Fatal("the member's consensus message did not reach the victim")
	}
	t.Logf("%d junk dials; the reserved member got in at its first attempt", dials.Load())
}

// TestReserveFollowsAllowList checks the reserve's bookkeeping on a real
// resource manager and connection manager: which peer may use which IP's
// reserve, the bound per peer, and the allow-list switching it on and off.
func TestReserveFollowsAllowList(t *testing.T) {
	rm, err := newResourceManager()
	if err != nil {
		t.Fatal(err)
	}
	defer rm.Close()
	cm := newTestConnMgr(t)
	mKey, oKey := newKey(t), newKey(t)
	mID, _ := PeerIDFromKey(mKey)
	oID, _ := PeerIDFromKey(oKey)
	allowed := map[types.Address]bool{types.PubkeyAddress(mKey): true}
	r, err := newReserve(testLogger(), rm, cm, func(a types.Address) bool { return allowed[a] })
	if err != nil {
		t.Fatal(err)
	}
	al := r.al
	at := func(ip string) ma.Multiaddr { return ma.StringCast("/ip4/" + ip + "/tcp/4001") }
	r.learn(mID, ma.StringCast("/ip4/10.0.0.1/tcp/26656"), ma.StringCast("/dns4/validator-0.accord/tcp/26656"),
		ma.StringCast("/ip4/0.0.0.0/tcp/26656"), ma.StringCast("/ip6/::ffff:10.0.0.2/tcp/26656"))
	r.learn(oID, ma.StringCast("/ip4/10.0.0.9/tcp/26656")) // not allow-listed

	for _, c := range []struct {
		name string
		id   peer.ID
		ip   string
		want bool
	}{
		{"the member from its configured IP", mID, "10.0.0.1", true},
		{"the member from an IPv4-mapped IP, unmapped", mID, "10.0.0.2", true},
		{"the member from an IP nobody gave", mID, "10.0.0.3", false},
		{"another peer from the member's IP", oID, "10.0.0.1", false},
		{"a peer off the allow-list from its own IP", oID, "10.0.0.9", false},
	} {
		if got := al.AllowedPeerAndMultiaddr(c.id, at(c.ip)); got != c.want {
			t.Errorf("%s: allowed %v, want %v", c.name, got, c.want)
		}
	}
	if !cm.IsProtected(mID, protectTag) || cm.IsProtected(oID, protectTag) {
		t.Error("only the allow-listed member should be protected from trimming")
	}

	// At most maxReservedIPs per peer: the oldest gives way.
	for i := 3; i < 3+maxReservedIPs; i++ {
		r.learn(mID, at(fmt.Sprintf("10.0.1.%d", i)))
	}
	if al.AllowedPeerAndMultiaddr(mID, at("10.0.0.1")) || !al.AllowedPeerAndMultiaddr(mID, at(fmt.Sprintf("10.0.1.%d", 2+maxReservedIPs))) {
		t.Errorf("after %d more IPs: the oldest should be gone, the newest reserved", maxReservedIPs)
	}

	// Off the allow-list, every entry goes; back on, they return.
	allowed[types.PubkeyAddress(mKey)], allowed[types.PubkeyAddress(oKey)] = false, true
	r.sync()
	if al.Allowed(at("10.0.1.3")) || cm.IsProtected(mID, protectTag) {
		t.Error("a member removed from the allow-list keeps its reserve")
	}
	if !al.AllowedPeerAndMultiaddr(oID, at("10.0.0.9")) || !cm.IsProtected(oID, protectTag) {
		t.Error("a peer added to the allow-list is not reserved at the IP known for it")
	}
}

func newTestConnMgr(t *testing.T) *connmgr.BasicConnMgr {
	t.Helper()
	cm, err := connmgr.NewConnManager(10, 20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cm.Close() })
	return cm
}
