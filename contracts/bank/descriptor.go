package bank

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
	_ core.BlockedConsumer   = Module{}
	_ core.InvariantRegistry = Module{}
	_ core.ErrorCoder        = Module{}
	_ core.ParamReporter     = Module{}
	_ core.ReadKeyNamer      = Module{}
)

// Cost implements core.Coster.
func (Module) Cost(tx *types.Tx) (uint64, error) { return Cost(tx) }

// WithBlocked implements core.BlockedConsumer.
func (m Module) WithBlocked(accounts []types.Address) core.Module {
	m.Blocked = append(append([]types.Address(nil), m.Blocked...), accounts...)
	return m
}

// Invariants implements core.InvariantRegistry.
func (m Module) Invariants() []core.Invariant {
	return []core.Invariant{{Name: "supply", Check: m.SupplyInvariant}}
}

// ParamValues implements core.ParamReporter: the fee floor, the treasury
// and the supply (bank's settings are genesis-only, not governed).
func (m Module) ParamValues(st state.Store) map[string]string {
	p := m.GetParams(st)
	supply := m.Supply(st)
	return map[string]string{"min_fee": types.FormatUSDT(p.MinFee), "min_fee_micro": core.U64(p.MinFee),
		"treasury": p.Treasury.Hex(), "supply": types.FormatUSDT(supply), "supply_micro": core.U64(supply)}
}

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{
		{Code: 2, Err: ErrInsufficientFunds},
		{Code: 3, Err: ErrZeroAmount},
		{Code: 4, Err: ErrBadNonce},
		{Code: 5, Err: ErrFeeTooLow},
		{Code: 6, Err: ErrCannotPayFee},
		{Code: 7, Err: ErrOverflow},
		{Code: 8, Err: ErrBlockedRecipient},
		{Code: 9, Err: ErrZeroRecipient},
	}
}
