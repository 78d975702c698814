package ledger

import (
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/ledger/valset"
	"github.com/accordnet/accord/types"
)

// SetValidatorSet schedules vals to finalize blocks from height on.
func SetValidatorSet(st state.Store, height uint64, vals *types.ValidatorSet) {
	valset.Set(st, height, vals)
}

// ValidatorSet returns the committed set for height.
func (l *Ledger) ValidatorSet(height uint64) (*types.ValidatorSet, error) {
	return valset.At(l.ReadState(), height)
}
