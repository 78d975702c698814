package order

// The module descriptor (see contracts/core/descriptor.go): the optional
// parts of core.Module this module implements. Result codes are stable:
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
	_ core.ErrorCoder        = Module{}
	_ core.ParamReporter     = Module{}
)

// Cost implements core.Coster.
func (Module) Cost(tx *types.Tx) (uint64, error) { return Cost(tx) }

// ParamSpecs implements core.ParamDeclarer.
func (Module) ParamSpecs() []core.ParamSpec { return ParamSpecs() }

// ModuleAccounts implements core.ModuleAccounts: the escrow of open orders.
func (Module) ModuleAccounts() []types.Address { return []types.Address{EscrowAddress} }

// Invariants implements core.InvariantRegistry.
func (m Module) Invariants() []core.Invariant {
	return []core.Invariant{{Name: "escrow", Check: m.EscrowInvariant}}
}

// ParamValues implements core.ParamReporter.
func (m Module) ParamValues(st state.Store) map[string]string {
	return ParamValuesOf(m.Params(st))
}

// ParamValuesOf renders p by key, as a SetParam proposal would set them.
func ParamValuesOf(p Params) map[string]string { return paramTable.Values(&p) }

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{
		{Code: 2, Err: ErrNotFound},
		{Code: 3, Err: ErrDuplicateRef},
		{Code: 4, Err: ErrWrongState},
		{Code: 5, Err: ErrNotMerchant},
		{Code: 6, Err: ErrNotAcceptor},
		{Code: 7, Err: ErrNotParty},
		{Code: 8, Err: ErrWindowClosed},
		{Code: 9, Err: ErrAlreadyExtended},
		{Code: 10, Err: ErrTooEarlyToExtend},
		{Code: 11, Err: ErrCancelLimit},
		{Code: 12, Err: ErrNoKYC},
		{Code: 13, Err: ErrKYCLimit},
		{Code: 14, Err: ErrFrozen},
		{Code: 15, Err: ErrRate},
		{Code: 16, Err: ErrAmountTooSmall},
		{Code: 17, Err: ErrBadCurrency},
		{Code: 18, Err: ErrZeroFiat},
		{Code: 19, Err: ErrBadRef},
		{Code: 20, Err: ErrZeroPaymentRef},
		{Code: 21, Err: ErrZeroID},
		{Code: 22, Err: ErrBadParam},
		{Code: 23, Err: ErrCorrupt},
		{Code: 24, Err: ErrBadSplit},
	}
}
