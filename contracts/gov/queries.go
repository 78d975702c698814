package gov

// The module's API queries (core.Querier): accord_getRoles(addr),
// accord_getRoleMembers(role), accord_getProposal(id) and
// accord_getProposals(), read from the committed state.

import (
	"encoding/json"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

var _ core.Querier = Module{}

// Query methods.
const (
	QueryRoles       = "accord_getRoles"
	QueryRoleMembers = "accord_getRoleMembers"
	QueryProposal    = "accord_getProposal"
	QueryProposals   = "accord_getProposals"
)

// RolesView are an account's gov roles and admin membership.
type RolesView struct {
	Address string   `json:"address"`
	Admin   bool     `json:"admin"`
	Roles   []string `json:"roles"`
}

// ProposalActionView is one change a proposal makes; Kind says which
// fields are set.
type ProposalActionView struct {
	// Kind is grant_role, revoke_role, set_param, add_admin, remove_admin,
	// set_threshold, set_validators, resolve_dispute, bridge_pause,
	// bridge_unpause, checkpoint_resume, checkpoint_validators or
	// lightclient_unfreeze.
	Kind      string `json:"kind"`
	Address   string `json:"address,omitempty"`
	Role      string `json:"role,omitempty"`
	Module    string `json:"module,omitempty"`
	Key       string `json:"key,omitempty"`
	Value     string `json:"value,omitempty"`
	Threshold uint64 `json:"threshold,omitempty"`
	// Validators is the whole new set of a set_validators or
	// checkpoint_validators action.
	Validators []string `json:"validators,omitempty"`
	// Chain is the side chain of a checkpoint action or the main chain of
	// a lightclient_unfreeze.
	Chain string `json:"chain,omitempty"`
}

// ProposalView is an open proposal (executed, cancelled and expired ones
// are gone from state; their history is in the events).
type ProposalView struct {
	ID          uint64               `json:"id"`
	Proposer    string               `json:"proposer"`
	Actions     []ProposalActionView `json:"actions"`
	Memo        string               `json:"memo,omitempty"`
	CreatedAtMs uint64               `json:"created_at_ms"`
	ExpiresAtMs uint64               `json:"expires_at_ms"`
	Approvals   []string             `json:"approvals"`
	Threshold   uint64               `json:"threshold"` // approvals needed now
}

// NewProposalView is p's view; threshold is the approvals it needs now.
func NewProposalView(p *Proposal, threshold uint64) ProposalView {
	v := ProposalView{ID: p.ID, Proposer: p.Proposer.Hex(), Memo: p.Memo, CreatedAtMs: p.CreatedAt,
		ExpiresAtMs: p.ExpiresAt, Threshold: threshold, Actions: make([]ProposalActionView, 0, len(p.Actions)),
		Approvals: make([]string, 0, len(p.Approvals))}
	for _, a := range p.Approvals {
		v.Approvals = append(v.Approvals, a.Hex())
	}
	for i := range p.Actions {
		a := &p.Actions[i]
		av := ProposalActionView{Kind: a.Kind()}
		switch {
		case a.GrantRole != nil:
			av.Address, av.Role = a.GrantRole.Addr.Hex(), a.GrantRole.Role.String()
		case a.RevokeRole != nil:
			av.Address, av.Role = a.RevokeRole.Addr.Hex(), a.RevokeRole.Role.String()
		case a.SetParam != nil:
			av.Module, av.Key, av.Value = a.SetParam.Module, a.SetParam.Key, ParamValueString(a.SetParam.Value)
		case a.AddAdmin != nil:
			av.Address = a.AddAdmin.Addr.Hex()
		case a.RemoveAdmin != nil:
			av.Address = a.RemoveAdmin.Addr.Hex()
		case a.SetThreshold != nil:
			av.Threshold = a.SetThreshold.Threshold
		case a.SetValidators != nil:
			for _, val := range a.SetValidators.Validators {
				av.Validators = append(av.Validators, val.Hex())
			}
		case a.ResumeCheckpoints != nil:
			av.Chain = a.ResumeCheckpoints.Chain
		case a.ReplaceCheckpointSet != nil:
			av.Chain = a.ReplaceCheckpointSet.Chain
			for _, val := range a.ReplaceCheckpointSet.Validators {
				av.Validators = append(av.Validators, val.Hex())
			}
		case a.UnfreezeLightClient != nil:
			av.Chain = a.UnfreezeLightClient.Chain
		}
		v.Actions = append(v.Actions, av)
	}
	return v
}

// Queries implements core.Querier.
func (m Module) Queries() []core.Query {
	return []core.Query{
		{Method: QueryRoles, Doc: "(addr) RolesView: an account's roles and admin membership", Handle: m.queryRoles},
		{Method: QueryRoleMembers, Doc: "(role) []address: the holders of a role (or \"admin\")", Handle: m.queryRoleMembers},
		{Method: QueryProposal, Doc: "(id) ProposalView: one open proposal", Handle: m.queryProposal},
		{Method: QueryProposals, Doc: "() []ProposalView: every open proposal", Handle: m.queryProposals},
	}
}

func (m Module) queryRoles(q core.QueryState, p json.RawMessage) (any, error) {
	var s string
	if err := core.DecodeParams(QueryRoles, p, 1, &s); err != nil {
		return nil, err
	}
	a, err := types.ParseAddress(s)
	if err != nil {
		return nil, core.Invalid(err)
	}
	out := RolesView{Address: a.Hex(), Admin: m.IsAdmin(q.Store, a), Roles: []string{}}
	for _, r := range m.RolesOf(q.Store, a) {
		out.Roles = append(out.Roles, r.String())
	}
	return out, nil
}

func (m Module) queryRoleMembers(q core.QueryState, p json.RawMessage) (any, error) {
	var name string
	if err := core.DecodeParams(QueryRoleMembers, p, 1, &name); err != nil {
		return nil, err
	}
	var members []types.Address
	if name == "admin" {
		members = m.Admins(q.Store)
	} else {
		r, err := ParseRole(name)
		if err != nil {
			return nil, core.Invalid(err)
		}
		members = m.Members(q.Store, r)
	}
	out := make([]string, 0, len(members))
	for _, a := range members {
		out = append(out, a.Hex())
	}
	return out, nil
}

func (m Module) queryProposal(q core.QueryState, p json.RawMessage) (any, error) {
	var id uint64
	if err := core.DecodeParams(QueryProposal, p, 1, &id); err != nil {
		return nil, err
	}
	prop, ok := m.Proposal(q.Store, id)
	if !ok {
		return nil, core.NotFound(fmt.Errorf("proposal %d: %w", id, ErrUnknownProposal))
	}
	return NewProposalView(prop, m.Threshold(q.Store)), nil
}

func (m Module) queryProposals(q core.QueryState, p json.RawMessage) (any, error) {
	if err := core.DecodeParams(QueryProposals, p, 0); err != nil {
		return nil, err
	}
	k := m.Threshold(q.Store)
	out := []ProposalView{}
	for _, prop := range m.OpenProposals(q.Store) {
		out = append(out, NewProposalView(prop, k))
	}
	return out, nil
}

// AdminMultisig is the admin multisig and its threshold, which
// accord_getParams reports beside gov's parameters.
func (m Module) AdminMultisig(st state.Store) (admins []types.Address, threshold uint64) {
	return m.Admins(st), m.Threshold(st)
}
