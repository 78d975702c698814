package ledger

import (
	"sync"

	"github.com/accordnet/accord/types"
)

// recentKeep is how many of the newest committed blocks stay decoded in
// memory. Readers of fresh blocks (API clients and WebSocket subscribers
// following the chain, the business metrics, the load generator) ask for
// the block just committed, often once per client; each read from the
// store decoded and re-hashed every transaction in it.
const recentKeep = 16

// recentBlocks holds the newest committed blocks by height, as Commit got
// them. A block at a committed height never changes (it is final), so an
// entry is valid for as long as it is kept.
type recentBlocks struct {
	mu   sync.Mutex
	ring [recentKeep]*types.Block
}

func (r *recentBlocks) add(b *types.Block) {
	r.mu.Lock()
	r.ring[b.Header.Height%recentKeep] = b
	r.mu.Unlock()
}

// get returns a copy of the block at height h if it is kept: the caller
// may change the Block and its Txs slice without touching the kept one (the
// transactions themselves are shared; they must not be modified).
func (r *recentBlocks) get(h uint64) (*types.Block, bool) {
	r.mu.Lock()
	b := r.ring[h%recentKeep]
	r.mu.Unlock()
	if b == nil || b.Header.Height != h {
		return nil, false
	}
	cp := &types.Block{Header: b.Header, LastCert: b.LastCert}
	if len(b.Txs) > 0 { // nil when empty, as DecodeBlock leaves it
		cp.Txs = append(make([]*types.Tx, 0, len(b.Txs)), b.Txs...)
	}
	return cp, true
}

// dropBelow forgets the blocks below height h (pruned).
func (r *recentBlocks) dropBelow(h uint64) {
	r.mu.Lock()
	for i, b := range r.ring {
		if b != nil && b.Header.Height < h {
			r.ring[i] = nil
		}
	}
	r.mu.Unlock()
}
