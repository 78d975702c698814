package checkpoint

// The module descriptor (see contracts/core/descriptor.go): the optional
// parts of core.Module this module implements (its typed events are in
// events.go). Result codes are stable:
// never renumber one; append new errors with new numbers.

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Coster            = Module{}
	_ core.InvariantRegistry = Module{}
	_ core.ErrorCoder        = Module{}
)

// Cost implements core.Coster.
func (Module) Cost(tx *types.Tx) (uint64, error) { return Cost(tx) }

// Invariants implements core.InvariantRegistry.
func (m Module) Invariants() []core.Invariant {
	return []core.Invariant{{Name: "checkpoints", Check: m.Keeper.Invariants}}
}

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{
		{Code: 2, Err: ErrUnknownChain},
		{Code: 3, Err: ErrChainExists},
		{Code: 4, Err: ErrHalted},
		{Code: 5, Err: ErrNotHalted},
		{Code: 6, Err: ErrNotContiguous},
		{Code: 7, Err: ErrAlreadyAnchored},
		{Code: 8, Err: ErrStaleSet},
		{Code: 9, Err: ErrBelowThreshold},
		{Code: 10, Err: ErrUnsortedSigners},
		{Code: 11, Err: ErrNotMember},
		{Code: 12, Err: ErrBadSignature},
		{Code: 13, Err: ErrZeroRoot},
		{Code: 14, Err: ErrBadRange},
		{Code: 15, Err: ErrBadChainID},
		{Code: 16, Err: ErrBadValidators},
		{Code: 17, Err: ErrNotFound},
		{Code: 18, Err: ErrCorrupt},
	}
}
