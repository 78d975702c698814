// Package valset keeps the validator-set schedule in state: each set is
// stored under "consensus/vals/" + the height it takes effect at, so
// governance can schedule a change inside a block and every node reads the
// same set for every height.
package valset

import (
	"encoding/binary"
	"fmt"

	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Delay is how many heights after the block that schedules a change the new
// set takes over: the engine and the p2p allow-list learn of it while the
// current set still finalizes the next block.
const Delay = 2

var prefix = []byte("consensus/vals/")

func key(height uint64) []byte {
	k := make([]byte, len(prefix)+8)
	copy(k, prefix)
	binary.BigEndian.PutUint64(k[len(prefix):], height)
	return k
}

// Set schedules vals to finalize blocks from height on (replacing a set
// already scheduled for that height).
func Set(st state.Store, height uint64, vals *types.ValidatorSet) {
	b, err := rlp.EncodeToBytes(vals.Validators)
	if err != nil {
		panic(err)
	}
	st.Set(key(height), b)
}

// At returns the set in force at height: the one scheduled at the greatest
// effective height <= height.
func At(st state.Store, height uint64) (*types.ValidatorSet, error) {
	end := append(key(height), 0) // inclusive of height
	var raw []byte
	st.Iterate(prefix, end, true, func(_, v []byte) bool {
		raw = v
		return false
	})
	if raw == nil {
		return nil, fmt.Errorf("no validator set for height %d", height)
	}
	var addrs []types.Address
	if err := rlp.DecodeBytes(raw, &addrs); err != nil {
		return nil, fmt.Errorf("decode validator set: %w", err)
	}
	return types.NewValidatorSet(addrs)
}
