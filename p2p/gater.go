package p2p

import (
	"context"
	"log/slog"
	"sync"

	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/accordnet/accord/types"
)

// Refusal reasons, logged under the key "reason".
const (
	reasonNotAllowed = "not in allow-list"
	reasonBlocked    = "blocked"
	reasonBadID      = "peer ID is not a secp256k1 key"
)

// gater is the permissioned-network connection gater. A connection is
// admitted only when the remote peer's address is in the allow-list and not
// blocked. It is checked on dial (before any packet is sent), after the
// security handshake (the first point an inbound peer is authenticated) and
// again once the connection is upgraded, which closes the race with a
// concurrent Block or SetAllowList.
type gater struct {
	log   *slog.Logger
	addrs *addrCache

	mu      sync.RWMutex
	allow   map[types.Address]struct{}
	blocked map[types.Address]struct{}
}

var _ connmgr.ConnectionGater = (*gater)(nil)

func newGater(log *slog.Logger, addrs *addrCache, allow []types.Address) *gater {
	g := &gater{log: log, addrs: addrs, blocked: make(map[types.Address]struct{})}
	g.setAllow(allow)
	return g
}

func (g *gater) setAllow(list []types.Address) {
	m := make(map[types.Address]struct{}, len(list))
	for _, a := range list {
		m[a] = struct{}{}
	}
	g.mu.Lock()
	g.allow = m
	g.mu.Unlock()
}

func (g *gater) allowSize() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.allow)
}

// setBlocked adds or removes addr from the blocked set and reports whether
// that changed anything.
func (g *gater) setBlocked(addr types.Address, blocked bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, was := g.blocked[addr]
	if blocked {
		g.blocked[addr] = struct{}{}
	} else {
		delete(g.blocked, addr)
	}
	return was != blocked
}

// allowedAddr reports whether addr is on the allow-list (Block aside).
func (g *gater) allowedAddr(addr types.Address) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	_, ok := g.allow[addr]
	return ok
}

// check decides whether a link with p may exist and, if not, says why.
func (g *gater) check(p peer.ID) (types.Address, string, bool) {
	addr, err := g.addrs.get(p)
	if err != nil {
		return types.Address{}, reasonBadID, false
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	if _, ok := g.allow[addr]; !ok {
		return addr, reasonNotAllowed, false
	}
	g.addrs.remember(p, addr)
	if _, ok := g.blocked[addr]; ok {
		return addr, reasonBlocked, false
	}
	return addr, "", true
}

// permits is check without the reason, for callers that do not log.
func (g *gater) permits(p peer.ID) bool {
	_, _, ok := g.check(p)
	return ok
}

func (g *gater) refuse(stage string, p peer.ID, addr types.Address, reason string, remote ma.Multiaddr) {
	level := slog.LevelWarn
	if reason == reasonBlocked {
		// Block is a deliberate partition; its refusals are expected.
		level = slog.LevelDebug
	}
	attrs := []any{"stage", stage, "peer", p, "reason", reason}
	if reason != reasonBadID {
		attrs = append(attrs, "addr", addr)
	}
	if remote != nil {
		attrs = append(attrs, "remote", remote)
	}
	g.log.Log(context.Background(), level, "connection refused", attrs...)
}

// InterceptPeerDial refuses to dial a peer that is not allowed.
func (g *gater) InterceptPeerDial(p peer.ID) bool {
	addr, reason, ok := g.check(p)
	if !ok {
		g.refuse("dial", p, addr, reason, nil)
	}
	return ok
}

// InterceptAddrDial admits every address of a peer InterceptPeerDial admitted.
func (g *gater) InterceptAddrDial(peer.ID, ma.Multiaddr) bool { return true }

// InterceptAccept admits every inbound socket: the remote is not yet
// authenticated, so there is nothing to check before the handshake.
func (g *gater) InterceptAccept(network.ConnMultiaddrs) bool { return true }

// InterceptSecured refuses an authenticated connection from or to a peer
// that is not allowed, before any protocol runs on it.
func (g *gater) InterceptSecured(dir network.Direction, p peer.ID, cm network.ConnMultiaddrs) bool {
	addr, reason, ok := g.check(p)
	if !ok {
		g.refuse("secured/"+dir.String(), p, addr, reason, cm.RemoteMultiaddr())
	}
	return ok
}

// InterceptUpgraded re-checks the peer just before the connection joins
// the swarm.
func (g *gater) InterceptUpgraded(c network.Conn) (bool, control.DisconnectReason) {
	p := c.RemotePeer()
	addr, reason, ok := g.check(p)
	if !ok {
		g.refuse("upgraded", p, addr, reason, c.RemoteMultiaddr())
	}
	return ok, 0
}

// addrCache memoises PeerAddress for allow-listed peers; decompressing a
// point on every gater call and every gossip message is avoidable work.
// Only allow-listed peers are remembered, so strangers cannot grow it.
type addrCache struct {
	m sync.Map // peer.ID -> types.Address
}

func (c *addrCache) get(p peer.ID) (types.Address, error) {
	if v, ok := c.m.Load(p); ok {
		return v.(types.Address), nil
	}
	return PeerAddress(p)
}

func (c *addrCache) remember(p peer.ID, a types.Address) { c.m.Store(p, a) }

// lookup returns the peer ID last seen for addr, if any.
func (c *addrCache) lookup(a types.Address) (peer.ID, bool) {
	var found peer.ID
	c.m.Range(func(k, v any) bool {
		if v.(types.Address) == a {
			found = k.(peer.ID)
			return false
		}
		return true
	})
	return found, found != ""
}
