package side

// The module descriptor (see contracts/core/descriptor.go): the parts of
// core.Module this module implements (its typed events are in events.go).
// Result codes are stable: never renumber one; append new errors with new
// numbers. They start at 32 so they never meet main's bridge codes (2–31)
// in the shared "bridge" codespace.

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Coster         = Module{}
	_ core.ErrorCoder     = Module{}
	_ core.BeginBlocker   = Module{} // Keeper.BeginBlock: retention windows
	_ core.HeightRetainer = Module{} // Keeper.RetainHeight: burns main has not been shown to release
)

// Cost implements core.Coster.
func (Module) Cost(tx *types.Tx) (uint64, error) { return Cost(tx) }

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{
		{Code: 32, Err: ErrAlreadyMinted},
		{Code: 33, Err: ErrWrongEvent},
		{Code: 34, Err: ErrZeroAmount},
		{Code: 35, Err: ErrZeroRecipient},
		{Code: 36, Err: ErrNotPending},
	}
}
