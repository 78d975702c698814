package p2p

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"

	"github.com/accordnet/accord/types"
)

// reconnector keeps the host connected to its bootstrap peers (from
// Config.Bootstrap and AddPeer). Each peer
// that is not connected is dialled when due; a failed dial doubles that
// peer's delay (with jitter) up to Config.ReconnectMax, a success resets
// it. Disconnections, Unblock and SetAllowList wake the loop at once.
type reconnector struct {
	h    *Host
	wake chan struct{}

	mu    sync.Mutex
	peers []*bootPeer
}

type bootPeer struct {
	id      peer.ID
	addr    types.Address
	delay   time.Duration // current backoff; 0 after a success
	next    time.Time     // earliest next attempt
	dialing bool
}

func newReconnector(h *Host, boot []peer.AddrInfo) *reconnector {
	r := &reconnector{h: h, wake: make(chan struct{}, 1)}
	for _, ai := range boot {
		r.add(ai)
	}
	return r
}

// add keeps ai's peer connected from now on. For a peer already kept, its
// addresses are replaced (it restarted elsewhere, say on a new port) and
// it is due at once. The caller has checked that ai.ID maps to an address.
func (r *reconnector) add(ai peer.AddrInfo) {
	addr, err := PeerAddress(ai.ID)
	if err != nil {
		return
	}
	ps := r.h.host.Peerstore()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, bp := range r.peers {
		if bp.id == ai.ID {
			// Drop the old addresses, those learnt by identify included:
			// dialling them would only find a closed port, or another
			// process on it.
			ps.ClearAddrs(ai.ID)
			ps.AddAddrs(ai.ID, ai.Addrs, peerstore.PermanentAddrTTL)
			bp.delay, bp.next = 0, time.Time{}
			return
		}
	}
	ps.AddAddrs(ai.ID, ai.Addrs, peerstore.PermanentAddrTTL)
	if !r.h.gater.allowedAddr(addr) {
		r.h.log.Warn("bootstrap peer not in allow-list; not dialled until it is", "peer", ai.ID, "addr", addr)
	}
	r.peers = append(r.peers, &bootPeer{id: ai.ID, addr: addr})
}

// count is the number of peers kept.
func (r *reconnector) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.peers)
}

func (r *reconnector) kick() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// reset makes addr due for an immediate attempt and reports whether it is a
// bootstrap peer.
func (r *reconnector) reset(addr types.Address) bool {
	found := false
	r.mu.Lock()
	for _, bp := range r.peers {
		if bp.addr == addr {
			bp.delay, bp.next, found = 0, time.Time{}, true
		}
	}
	r.mu.Unlock()
	if found {
		r.kick()
	}
	return found
}

func (r *reconnector) run(ctx context.Context) {
	defer r.h.wg.Done()
	// Run even without bootstrap peers: AddPeer may bring some later.
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if wait, ok := r.step(ctx); ok {
			timer.Reset(wait)
		} else {
			timer.Stop()
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-timer.C:
		}
	}
}

// step starts the dials that are due and returns how long until the next
// one is; ok is false when nothing is pending.
func (r *reconnector) step(ctx context.Context) (wait time.Duration, ok bool) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, bp := range r.peers {
		if r.h.host.Network().Connectedness(bp.id) == network.Connected {
			bp.delay, bp.next = 0, time.Time{}
			continue
		}
		if bp.dialing || !r.h.gater.permits(bp.id) {
			continue // a refused peer waits for Unblock or SetAllowList
		}
		if d := bp.next.Sub(now); d > 0 {
			if !ok || d < wait {
				wait, ok = d, true
			}
			continue
		}
		bp.dialing = true
		r.h.wg.Add(1)
		go r.dial(ctx, bp)
	}
	return wait, ok
}

func (r *reconnector) dial(ctx context.Context, bp *bootPeer) {
	defer r.h.wg.Done()
	err := r.h.dial(ctx, bp.id)
	r.mu.Lock()
	bp.dialing = false
	if err == nil {
		bp.delay, bp.next = 0, time.Time{}
	} else {
		cfg := r.h.cfg
		bp.delay = min(max(2*bp.delay, cfg.ReconnectMin), cfg.ReconnectMax)
		// ±20% jitter keeps nodes restarted together from dialling in lockstep.
		j := time.Duration(float64(bp.delay) * (0.8 + 0.4*rand.Float64()))
		bp.next = time.Now().Add(j)
		if ctx.Err() == nil {
			r.h.log.Debug("bootstrap dial failed", "peer", bp.id, "addr", bp.addr, "retry_in", j, "err", err)
		}
	}
	r.mu.Unlock()
	r.kick()
}
