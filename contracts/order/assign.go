package order

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/types"
)

// DrawValue is the pseudo-random number an order's assignment uses:
// Keccak-256(seed ‖ id) as a 256-bit big-endian integer reduced modulo
// total. seed is the parent block's commit-certificate hash, fixed before
// the block is proposed; id is the order ID, fixed by the merchant. Neither
// depends on where the transaction sits in the block. total must be > 0.
func DrawValue(seed, id types.Hash, total uint64) uint64 {
	h := types.Keccak(seed[:], id[:])
	var r uint64
	for i := 0; i < 4; i++ {
		r = bits.Rem64(r, binary.BigEndian.Uint64(h[8*i:8*i+8]), total)
	}
	return r
}

// Draw picks one candidate with probability proportional to its weight:
// with r = DrawValue(seed, id, Σw), the first candidate (in the given
// order, which is address order) whose cumulative weight exceeds r. It
// returns -1 if there is no candidate with positive weight.
func Draw(seed, id types.Hash, cands []acceptor.Candidate) (int, error) {
	var total uint64
	for _, c := range cands {
		var err error
		if total, err = types.AddAmount(total, c.Weight); err != nil {
			return -1, fmt.Errorf("total draw weight: %w", err)
		}
	}
	if total == 0 {
		return -1, nil
	}
	r := DrawValue(seed, id, total)
	for i, c := range cands {
		if r < c.Weight {
			return i, nil
		}
		r -= c.Weight
	}
	return -1, fmt.Errorf("draw fell past the last candidate: %w", ErrCorrupt) // unreachable
}
