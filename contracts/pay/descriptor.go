package pay

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
	_ core.ModuleAccounts    = Module{}
	_ core.ParamReporter     = Module{}
	_ core.ErrorCoder        = Module{}
)

// Cost implements core.Coster.
func (Module) Cost(tx *types.Tx) (uint64, error) { return Cost(tx) }

// ParamSpecs implements core.ParamDeclarer.
func (Module) ParamSpecs() []core.ParamSpec { return ParamSpecs() }

// Invariants implements core.InvariantRegistry.
func (m Module) Invariants() []core.Invariant {
	return []core.Invariant{{Name: "escrow", Check: m.EscrowInvariant}}
}

// ModuleAccounts implements core.ModuleAccounts: the amounts of open payments.
func (Module) ModuleAccounts() []types.Address { return []types.Address{EscrowAddress} }

// ParamValues implements core.ParamReporter.
func (m Module) ParamValues(st state.Store) map[string]string {
	p := m.Params(st)
	return paramTable.Values(&p)
}

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{
		{Code: 2, Err: ErrNotFound},
		{Code: 3, Err: ErrWrongState},
		{Code: 4, Err: ErrNotPayer},
		{Code: 5, Err: ErrNotParty},
		{Code: 6, Err: ErrBadParties},
		{Code: 7, Err: ErrZeroAddress},
		{Code: 8, Err: ErrZeroAmount},
		{Code: 9, Err: ErrAmountTooSmall},
		{Code: 10, Err: ErrBadDeadline},
		{Code: 11, Err: ErrDeadlinePassed},
		{Code: 12, Err: ErrTooEarly},
		{Code: 13, Err: ErrTooManyOpen},
		{Code: 14, Err: ErrBadOutcome},
		{Code: 15, Err: ErrBadAttestation},
		{Code: 16, Err: ErrWrongAttester},
		{Code: 17, Err: ErrBadPayouts},
		{Code: 18, Err: ErrFrozen},
		{Code: 19, Err: ErrZeroID},
		{Code: 20, Err: ErrBadParam},
		{Code: 21, Err: ErrCorrupt},
		{Code: 22, Err: ErrAttestationSize},
	}
}
