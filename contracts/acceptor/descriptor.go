package acceptor

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

// ModuleAccounts implements core.ModuleAccounts: float and margin keep
// their own ledgers.
func (Module) ModuleAccounts() []types.Address { return []types.Address{FloatAddress, MarginAddress} }

// Invariants implements core.InvariantRegistry.
func (m Module) Invariants() []core.Invariant {
	return []core.Invariant{{Name: "funds", Check: m.FundsInvariant}, {Name: "index", Check: m.IndexInvariant}}
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
		{Code: 2, Err: ErrNotRegistered},
		{Code: 3, Err: ErrAlreadyRegistered},
		{Code: 4, Err: ErrNoKYC},
		{Code: 5, Err: ErrKYCLimit},
		{Code: 6, Err: ErrFrozen},
		{Code: 7, Err: ErrPaused},
		{Code: 8, Err: ErrNotPaused},
		{Code: 9, Err: ErrAlreadyActive},
		{Code: 10, Err: ErrBadCurrency},
		{Code: 11, Err: ErrCurrencyOrder},
		{Code: 12, Err: ErrTooManyCurrencies},
		{Code: 13, Err: ErrNoCurrencies},
		{Code: 14, Err: ErrBadMethod},
		{Code: 15, Err: ErrTooManyMethods},
		{Code: 16, Err: ErrMissingMethod},
		{Code: 17, Err: ErrBadOrderBounds},
		{Code: 18, Err: ErrZeroAmount},
		{Code: 19, Err: ErrInsufficientFloat},
		{Code: 20, Err: ErrInsufficientMargin},
		{Code: 21, Err: ErrMarginTooLow},
		{Code: 22, Err: ErrOpenDisputes},
		{Code: 23, Err: ErrOrderBounds},
		{Code: 24, Err: ErrOrderLimit},
		{Code: 25, Err: ErrDailyLimit},
		{Code: 26, Err: ErrNotSupported},
		{Code: 27, Err: ErrBadParam},
		{Code: 28, Err: ErrCorrupt},
	}
}
