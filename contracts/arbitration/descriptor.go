package arbitration

// The module descriptor (see contracts/core/descriptor.go): the optional
// parts of core.Module this module implements (its typed events are in
// events.go). Result codes are stable:
// never renumber one; append new errors with new numbers.

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Coster            = Module{}
	_ core.ParamDeclarer     = Module{}
	_ core.InvariantRegistry = Module{}
	_ core.ParamReporter     = Module{}
	_ core.ErrorCoder        = Module{}
)

// Cost implements core.Coster.
func (Module) Cost(tx *types.Tx) (uint64, error) { return Cost(tx) }

// ParamSpecs implements core.ParamDeclarer.
func (Module) ParamSpecs() []core.ParamSpec { return ParamSpecs() }

// Invariants implements core.InvariantRegistry.
func (m Module) Invariants() []core.Invariant {
	return []core.Invariant{{Name: "disputes", Check: m.DisputeInvariant}}
}

// ParamValues implements core.ParamReporter.
func (m Module) ParamValues(st state.Store) map[string]string {
	p := m.Params(st)
	return paramTable.Values(&p)
}

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
