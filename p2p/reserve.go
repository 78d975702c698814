package p2p

import (
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sync"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/accordnet/accord/types"
)

// The resource manager admits an inbound connection before its handshake,
// when nothing but the remote IP is known, into a small "transient" scope
// (a few dozen connections by default). A flood of strangers that connect
// and never finish the handshake keeps that scope full, and a validator
// dialling in then is refused with them: consensus loses a link exactly
// when the network is under attack.
//
// So the host keeps a reserve: libp2p's resource-manager allowlist holds,
// for every allow-listed peer whose address the host knows, that peer's IPs
// bound to its peer ID (/ip4/IP/p2p/ID). A connection from such an IP that
// the ordinary scopes refuse is admitted into the allowlisted scopes,
// which have limits of their own that strangers from other IPs cannot use;
// once the handshake names the peer, anyone else from that IP is moved back
// to the ordinary scopes (and refused if they are full). The connection
// manager never trims a reserved peer either.
//
// The IPs come from the addresses the operator gives (Bootstrap, AddPeer,
// Connect) and from every connection an allow-listed peer made, so a
// member behind NAT or named by DNS is reserved once it has connected from
// its real address. A stranger sharing a member's IP can use that member's
// reserve before its handshake; that is the limit of an IP-level check.

// maxReservedIPs bounds the IPs kept per peer (the most recent win).
const maxReservedIPs = 4

// protectTag marks reserved peers in the connection manager.
const protectTag = "accord-member"

// newResourceManager is libp2p's default resource manager (the default
// limits scaled to the machine) with an empty allowlist for the reserve.
func newResourceManager() (network.ResourceManager, error) {
	limits := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&limits)
	return rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(limits.AutoScale()))
}

// reserve keeps the resource manager's allowlist and the connection
// manager's protections in step with the known allow-listed peers.
type reserve struct {
	log     *slog.Logger
	al      *rcmgr.Allowlist
	cm      connmgr.ConnManager
	allowed func(types.Address) bool // the gater's allow-list

	mu    sync.Mutex
	peers map[peer.ID]*reservedPeer // peers with a known IP; bounded by what the operator gives and the allow-list
}

type reservedPeer struct {
	addr types.Address
	ips  []netip.Addr // oldest first
	on   bool         // its entries are in the allowlist, and it is protected
}

func newReserve(log *slog.Logger, rm network.ResourceManager, cm connmgr.ConnManager, allowed func(types.Address) bool) (*reserve, error) {
	al := rcmgr.GetAllowlist(rm)
	if al == nil {
		return nil, fmt.Errorf("p2p: resource manager has no allowlist")
	}
	return &reserve{log: log, al: al, cm: cm, allowed: allowed, peers: map[peer.ID]*reservedPeer{}}, nil
}

// entry is the allowlist multiaddr reserving ip for id.
func entry(id peer.ID, ip netip.Addr) (ma.Multiaddr, error) {
	proto := "ip4"
	if ip.Is6() {
		proto = "ip6"
	}
	return ma.NewMultiaddr(fmt.Sprintf("/%s/%s/p2p/%s", proto, ip.String(), id))
}

// learn records the IPs of addrs (DNS names and unspecified addresses are
// skipped) for id and reserves them if id is allow-listed now. The
// caller has checked that id is a secp256k1 peer ID.
func (r *reserve) learn(id peer.ID, addrs ...ma.Multiaddr) {
	addr, err := PeerAddress(id)
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	rp := r.peers[id]
	for _, a := range addrs {
		nip, err := manet.ToIP(a)
		if err != nil {
			continue
		}
		ip, ok := netip.AddrFromSlice(nip)
		if !ok || ip.IsUnspecified() {
			continue
		}
		ip = ip.Unmap()
		if rp == nil {
			rp = &reservedPeer{addr: addr}
			r.peers[id] = rp
		}
		if i := slices.Index(rp.ips, ip); i >= 0 {
			// Most recent last, so the oldest is what gives way.
			rp.ips = append(slices.Delete(rp.ips, i, i+1), ip)
			continue
		}
		if len(rp.ips) == maxReservedIPs {
			if rp.on {
				r.remove(id, rp.ips[0])
			}
			rp.ips = rp.ips[1:]
		}
		rp.ips = append(rp.ips, ip)
		if rp.on {
			r.add(id, ip)
		}
	}
	if rp != nil {
		r.apply(id, rp)
	}
}

// sync re-applies the allow-list to every known peer: after SetAllowList.
func (r *reserve) sync() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, rp := range r.peers {
		r.apply(id, rp)
	}
}

// reserved reports whether id's IPs are in the allowlist now.
func (r *reserve) reserved(id peer.ID) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	rp := r.peers[id]
	return rp != nil && rp.on
}

// apply turns id's reservation on or off as the allow-list says; r.mu held.
func (r *reserve) apply(id peer.ID, rp *reservedPeer) {
	want := r.allowed(rp.addr)
	if want == rp.on {
		return
	}
	rp.on = want
	for _, ip := range rp.ips {
		if want {
			r.add(id, ip)
		} else {
			r.remove(id, ip)
		}
	}
	if want {
		r.cm.Protect(id, protectTag)
		r.log.Debug("peer reserved", "peer", id, "addr", rp.addr, "ips", rp.ips)
	} else {
		r.cm.Unprotect(id, protectTag)
		r.log.Debug("peer reservation dropped", "peer", id, "addr", rp.addr)
	}
}

func (r *reserve) add(id peer.ID, ip netip.Addr) {
	if e, err := entry(id, ip); err == nil {
		if err := r.al.Add(e); err != nil {
			r.log.Warn("cannot reserve peer address", "peer", id, "ip", ip, "err", err)
		}
	}
}

func (r *reserve) remove(id peer.ID, ip netip.Addr) {
	if e, err := entry(id, ip); err == nil {
		_ = r.al.Remove(e)
	}
}
