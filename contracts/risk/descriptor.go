package risk

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
	return []core.Invariant{{Name: "freezes", Check: m.FreezeInvariant}}
}

// ParamValues implements core.ParamReporter.
func (m Module) ParamValues(st state.Store) map[string]string {
	p := m.Params(st)
	return paramTable.Values(&p)
}

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{
		{Code: 2, Err: ErrNotCompliance},
		{Code: 3, Err: ErrNotFrozen},
		{Code: 4, Err: ErrFrozen},
		{Code: 5, Err: ErrZeroAccount},
		{Code: 6, Err: ErrZeroReason},
		{Code: 7, Err: ErrBadParam},
		{Code: 8, Err: ErrCorrupt},
	}
}
