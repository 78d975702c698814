package node

import (
	"bytes"
	"context"
	"time"

	"github.com/accordnet/accord/types"
)

// Catch-up on connect. The engine learns that it is behind from the
// consensus messages of f+1 validators, which after a restart arrive only
// once gossipsub has grafted the node into its mesh (a heartbeat or two,
// 1–3 s). A newly connected peer can simply be asked its height over the
// block-sync protocol; if it is ahead, sync starts at once. The peer's
// claim is only a hint: every fetched block is verified against its
// commit certificate as usual.

// peerHeightAsk bounds one height query to a new peer.
const peerHeightAsk = 2 * time.Second

// peerHeights is what the catch-up watcher needs from p2p.
type peerHeights interface {
	Peers() []types.Address
	PeerHeight(ctx context.Context, a types.Address) (uint64, error)
	PeersChanged() <-chan struct{}
}

// watchPeerHeights asks every newly connected peer for its height and calls
// hint(peer, height) when that is above ours(), until ctx ends.
func watchPeerHeights(ctx context.Context, src peerHeights, ours func() uint64, hint func(types.Address, uint64)) {
	known := map[types.Address]bool{}
	for {
		changed := src.PeersChanged() // before reading the peers: no change is missed
		now := map[types.Address]bool{}
		var best types.Address
		var top uint64
		for _, p := range src.Peers() {
			if known[p] {
				now[p] = true
				continue
			}
			qctx, cancel := context.WithTimeout(ctx, peerHeightAsk)
			h, err := src.PeerHeight(qctx, p)
			cancel()
			if err != nil {
				continue // asked again at the next change
			}
			now[p] = true
			if h > top {
				best, top = p, h
			}
		}
		known = now // a peer that reconnects is asked again
		if top > ours() {
			hint(best, top)
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

// syncFromPeers asks the connected peers their heights (for at most
// peerHeightAsk) and hints a sync from the highest if it is ahead, e.g.
// when the node resumes after the disk guard paused it.
func (n *Node) syncFromPeers() {
	if n.net == nil || n.drv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), peerHeightAsk)
	defer cancel()
	var best types.Address
	var top uint64
	for p, h := range n.net.host.PeerHeights(ctx) {
		if h > top || (h == top && bytes.Compare(p[:], best[:]) < 0) {
			best, top = p, h
		}
	}
	if top > n.ledger.Last().Height {
		n.drv.hintSync(best, top)
	}
}
