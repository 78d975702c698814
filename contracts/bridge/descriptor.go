package bridge

// The module descriptor (see contracts/core/descriptor.go): the optional
// parts of core.Module this module implements (its typed events are in
// events.go). Result codes are stable:
// never renumber one; append new errors with new numbers.

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
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

// Invariants implements core.InvariantRegistry.
func (m Module) Invariants() []core.Invariant {
	return []core.Invariant{{Name: "escrow", Check: m.EscrowInvariant}}
}

// ModuleAccounts implements core.ModuleAccounts: USDT locked for side chains.
func (Module) ModuleAccounts() []types.Address { return []types.Address{EscrowAddress} }

// ParamValues implements core.ParamReporter.
func (m Module) ParamValues(st state.Store) map[string]string {
	p := m.Params(st)
	return paramTable.Values(&p)
}

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{
		{Code: 2, Err: ErrNotSigner},
		{Code: 3, Err: ErrAlreadyAttested},
		{Code: 4, Err: ErrAlreadyMinted},
		{Code: 5, Err: ErrAlreadyReleased},
		{Code: 6, Err: ErrPaused},
		{Code: 7, Err: ErrNotPaused},
		{Code: 8, Err: ErrCapExceeded},
		{Code: 9, Err: ErrWrongState},
		{Code: 10, Err: ErrNotFound},
		{Code: 11, Err: ErrChainHalted},
		{Code: 12, Err: ErrNotCovered},
		{Code: 13, Err: ErrWrongEvent},
		{Code: 14, Err: ErrEscrowShort},
		{Code: 15, Err: ErrZeroAmount},
		{Code: 16, Err: ErrZeroField},
		{Code: 17, Err: ErrBadChainID},
		{Code: 18, Err: ErrBadParam},
		{Code: 19, Err: ErrCorrupt},
	}
}

// ParamSpecs implements core.ParamDeclarer: every parameter with its range.
func (Module) ParamSpecs() []core.ParamSpec {
	out := make([]core.ParamSpec, 0, len(paramTable.Fields))
	for _, b := range ParamBounds() {
		out = append(out, gov.Uint64Spec(ModuleName, b.Key, b.Min, b.Max))
	}
	return out
}
