package kyc

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
	return []core.Invariant{{Name: "attestations", Check: m.AttestationInvariant}}
}

// ParamValues implements core.ParamReporter: the level count, the longest
// validity and each level's order limit.
func (m Module) ParamValues(st state.Store) map[string]string {
	maxLevel := m.MaxLevel(st)
	out := map[string]string{ParamMaxLevel: core.U64(uint64(maxLevel)),
		ParamMaxValidity: core.U64(m.gov().ParamUint64(st, ModuleName, ParamMaxValidity, DefaultMaxValidity))}
	for l := uint8(1); l <= maxLevel && l != 0; l++ {
		out[LevelLimitKey(l)] = core.U64(m.LevelLimit(st, l))
	}
	return out
}

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{
		{Code: 2, Err: ErrNoKYC},
		{Code: 3, Err: ErrKYCExpired},
		{Code: 4, Err: ErrKYCRevoked},
		{Code: 5, Err: ErrKYCProviderRevoked},
		{Code: 6, Err: ErrNotKYCProvider},
		{Code: 7, Err: ErrNotAuthorized},
		{Code: 8, Err: ErrSelfAttest},
		{Code: 9, Err: ErrBadLevel},
		{Code: 10, Err: ErrBadExpiry},
		{Code: 11, Err: ErrBadCountry},
		{Code: 12, Err: ErrBadRecordHash},
		{Code: 13, Err: ErrZeroAddress},
		{Code: 14, Err: ErrReasonTooLong},
		{Code: 15, Err: ErrBadGenesis},
	}
}
