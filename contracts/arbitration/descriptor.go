package arbitration

// The module descriptor (see contracts/core/descriptor.go): the parts of
// core.Module this module implements so far (typed events, invariants and
// module accounts are still to be declared). Result codes are stable:
// never renumber one; append new errors with new numbers.

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Coster        = Module{}
	_ core.ParamDeclarer = Module{}
	_ core.ErrorCoder    = Module{}
)

// Cost implements core.Coster.
func (Module) Cost(tx *types.Tx) (uint64, error) { return Cost(tx) }

// ParamSpecs implements core.ParamDeclarer.
func (Module) ParamSpecs() []core.ParamSpec { return ParamSpecs() }

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{
		{Code: 2, Err: ErrNotFound},
		{Code: 3, Err: ErrExists},
		{Code: 4, Err: ErrNotDisputed},
		{Code: 5, Err: ErrResolved},
		{Code: 6, Err: ErrEscalated},
		{Code: 7, Err: ErrNotEscalated},
		{Code: 8, Err: ErrNotParty},
		{Code: 9, Err: ErrNotOnPanel},
		{Code: 10, Err: ErrAlreadyVoted},
		{Code: 11, Err: ErrWindowClosed},
		{Code: 12, Err: ErrEvidenceLimit},
		{Code: 13, Err: ErrBadPayouts},
		{Code: 14, Err: ErrBadWinner},
		{Code: 15, Err: ErrBadReason},
		{Code: 16, Err: ErrBadKind},
		{Code: 17, Err: ErrZeroHash},
		{Code: 18, Err: ErrNoSubjects},
		{Code: 19, Err: ErrBadParam},
		{Code: 20, Err: ErrCorrupt},
	}
}
