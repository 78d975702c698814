package channel

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

// ModuleAccounts implements core.ModuleAccounts: the deposits of unsettled channels.
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
		{Code: 5, Err: ErrNotPayee},
		{Code: 6, Err: ErrNotParty},
		{Code: 7, Err: ErrSelfChannel},
		{Code: 8, Err: ErrZeroPayee},
		{Code: 9, Err: ErrZeroAmount},
		{Code: 10, Err: ErrDepositTooLow},
		{Code: 11, Err: ErrBadExpiry},
		{Code: 12, Err: ErrExpired},
		{Code: 13, Err: ErrWindowClosed},
		{Code: 14, Err: ErrTooEarly},
		{Code: 15, Err: ErrTooManyOpen},
		{Code: 16, Err: ErrBadVoucher},
		{Code: 17, Err: ErrBadSignature},
		{Code: 18, Err: ErrStaleVoucher},
		{Code: 19, Err: ErrOverDeposit},
		{Code: 20, Err: ErrOverflow},
		{Code: 21, Err: ErrFrozen},
		{Code: 22, Err: ErrZeroID},
		{Code: 23, Err: ErrBadParam},
		{Code: 24, Err: ErrCorrupt},
		{Code: 25, Err: ErrWrongChain},
		{Code: 26, Err: ErrWrongChannel},
		{Code: 27, Err: ErrVoucherTooBig},
		{Code: 28, Err: ErrNotTracked},
	}
}
