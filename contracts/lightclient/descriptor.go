package lightclient

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
		{Code: 2, Err: ErrFrozen},
		{Code: 3, Err: ErrNotFrozen},
		{Code: 4, Err: ErrWrongChain},
		{Code: 5, Err: ErrCertMismatch},
		{Code: 6, Err: ErrUnknownSet},
		{Code: 7, Err: ErrBeforeTrust},
		{Code: 8, Err: ErrKnownHeader},
		{Code: 9, Err: ErrNoHeader},
		{Code: 10, Err: ErrBadChange},
		{Code: 11, Err: ErrChangeTooLate},
		{Code: 12, Err: ErrNotInitialized},
		{Code: 13, Err: ErrBadGenesis},
		{Code: 14, Err: ErrCorrupt},
	}
}
