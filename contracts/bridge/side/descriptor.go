package side

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
		{Code: 2, Err: ErrAlreadyMinted},
		{Code: 3, Err: ErrWrongEvent},
		{Code: 4, Err: ErrZeroAmount},
		{Code: 5, Err: ErrZeroRecipient},
	}
}
