package oracle

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
	_ core.ErrorCoder        = Module{}
	_ core.ParamReporter     = Module{}
)

// Cost implements core.Coster.
func (Module) Cost(tx *types.Tx) (uint64, error) { return Cost(tx) }

// ParamSpecs implements core.ParamDeclarer.
func (Module) ParamSpecs() []core.ParamSpec { return ParamSpecs() }

// Invariants implements core.InvariantRegistry.
func (m Module) Invariants() []core.Invariant {
	return []core.Invariant{{Name: "posts", Check: m.PostInvariant}}
}

// ParamValues implements core.ParamReporter.
func (m Module) ParamValues(st state.Store) map[string]string {
	return map[string]string{ParamMaxRateAge: core.U64(m.MaxRateAge(st)), ParamMinPosts: core.U64(m.MinPosts(st))}
}

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{
		{Code: 2, Err: ErrUnknownCurrency},
		{Code: 3, Err: ErrNoRate},
		{Code: 4, Err: ErrStaleRate},
		{Code: 5, Err: ErrZeroRate},
		{Code: 6, Err: ErrBadRate},
		{Code: 7, Err: ErrNotOracle},
		{Code: 8, Err: ErrNoPosts},
		{Code: 9, Err: ErrTooManyPosts},
		{Code: 10, Err: ErrDuplicate},
		{Code: 11, Err: ErrZeroAmount},
		{Code: 12, Err: ErrOverflow},
		{Code: 13, Err: ErrBadGenesis},
	}
}
