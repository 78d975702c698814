package bridge

// The module descriptor (see contracts/core/descriptor.go): the parts of
// core.Module this module implements so far. Result codes are stable:
// never renumber one; append new errors with new numbers.

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Coster     = Module{}
	_ core.ErrorCoder = Module{}
)

// Cost implements core.Coster.
func (Module) Cost(tx *types.Tx) (uint64, error) { return Cost(tx) }

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{
		{Code: 2, Err: ErrNotSigner},
		{Code: 3, Err: ErrAlreadyAttested},
		{Code: 4, Err: ErrAlreadyMinted},
		{Code: 5, Err: ErrAlreadyReleased},
		{Code: 6, Err: ErrPaused},
		{Code: 7, Err: ErrNotPaused},
		{Code: 8, Err: ErrCapExceeded},
		{Code: 9, Err: ErrWrongState},
		{Code: 10, Err: ErrNotFound},
		{Code: 11, Err: ErrChainHalted},
		{Code: 12, Err: ErrNotCovered},
		{Code: 13, Err: ErrWrongEvent},
		{Code: 14, Err: ErrEscrowShort},
		{Code: 15, Err: ErrZeroAmount},
		{Code: 16, Err: ErrZeroField},
		{Code: 17, Err: ErrBadChainID},
		{Code: 18, Err: ErrBadParam},
		{Code: 19, Err: ErrCorrupt},
	}
}
