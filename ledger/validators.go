package ledger

import (
	"encoding/binary"
	"fmt"

	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Validator sets live in state under "consensus/vals/" + effective height,
// so governance can schedule a change (two heights ahead) inside a block and
// every node reads the same set for every height.
var prefixVals = []byte("consensus/vals/")

// SetValidatorSet schedules vals to finalize blocks from height on.
func SetValidatorSet(st state.Store, height uint64, vals *types.ValidatorSet) {
	k := make([]byte, len(prefixVals)+8)
	copy(k, prefixVals)
	binary.BigEndian.PutUint64(k[len(prefixVals):], height)
	b, err := rlp.EncodeToBytes(vals.Validators)
	if err != nil {
		panic(err)
	}
	st.Set(k, b)
}

// ValidatorSetAt returns the set in force at height: the one scheduled at
// the greatest effective height <= height.
func ValidatorSetAt(st state.Store, height uint64) (*types.ValidatorSet, error) {
	end := make([]byte, len(prefixVals)+8)
	copy(end, prefixVals)
	binary.BigEndian.PutUint64(end[len(prefixVals):], height)
	end = append(end, 0) // inclusive of height
	var raw []byte
	st.Iterate(prefixVals, end, true, func(_, v []byte) bool {
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

// ValidatorSet returns the committed set for height.
func (l *Ledger) ValidatorSet(height uint64) (*types.ValidatorSet, error) {
	return ValidatorSetAt(l.ReadState(), height)
}
