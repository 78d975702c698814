package gov

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
	_ core.ParamSpecConsumer = Module{}
	_ core.InvariantRegistry = Module{}
	_ core.ErrorCoder        = Module{}
	_ core.ParamReporter     = Module{}
)

// Cost implements core.Coster.
func (Module) Cost(tx *types.Tx) (uint64, error) { return Cost(tx) }

// ParamSpecs implements core.ParamDeclarer: gov's own parameters.
func (Module) ParamSpecs() []core.ParamSpec { return OwnParamSpecs() }

// WithParamSpecs implements core.ParamSpecConsumer: proposals are checked
// against every other module's specs (added to any set by hand).
func (m Module) WithParamSpecs(specs []core.ParamSpec) core.Module {
	m.Specs = append(append([]ParamSpec(nil), m.Specs...), specs...)
	return m
}

// Invariants implements core.InvariantRegistry.
func (m Module) Invariants() []core.Invariant {
	return []core.Invariant{{Name: "admins", Check: m.AdminInvariant}, {Name: "roles", Check: m.RoleInvariant},
		{Name: "proposals", Check: m.ProposalInvariant}}
}

// ParamValues implements core.ParamReporter.
func (m Module) ParamValues(st state.Store) map[string]string {
	return map[string]string{
		ParamProposalTTL:      core.U64(m.ParamUint64(st, ModuleName, ParamProposalTTL, DefaultProposalTTL)),
		ParamMaxOpenProposals: core.U64(m.ParamUint64(st, ModuleName, ParamMaxOpenProposals, DefaultMaxOpenProposals)),
	}
}

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{
		{Code: 2, Err: ErrNotAdmin},
		{Code: 3, Err: ErrAlreadyAdmin},
		{Code: 4, Err: ErrTooManyAdmins},
		{Code: 5, Err: ErrBadThreshold},
		{Code: 6, Err: ErrUnknownRole},
		{Code: 7, Err: ErrRoleAlreadyHeld},
		{Code: 8, Err: ErrRoleNotHeld},
		{Code: 9, Err: ErrZeroAddress},
		{Code: 10, Err: ErrBadAction},
		{Code: 11, Err: ErrBadValidators},
		{Code: 12, Err: ErrTooManyActions},
		{Code: 13, Err: ErrNoActions},
		{Code: 14, Err: ErrMemoTooLong},
		{Code: 15, Err: ErrUnknownProposal},
		{Code: 16, Err: ErrProposalExpired},
		{Code: 17, Err: ErrAlreadyApproved},
		{Code: 18, Err: ErrNotProposer},
		{Code: 19, Err: ErrTooManyProposals},
		{Code: 20, Err: ErrBadParam},
		{Code: 21, Err: ErrUnknownParam},
		{Code: 22, Err: ErrBadParamName},
		{Code: 23, Err: ErrOverflow},
		{Code: 24, Err: ErrBadGenesis},
		{Code: 25, Err: ErrCorruptState},
		{Code: 26, Err: ErrBadDecision},
		{Code: 27, Err: ErrNoResolver},
		{Code: 28, Err: ErrBadChain},
		{Code: 29, Err: ErrNotWired},
	}
}
