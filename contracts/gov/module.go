package gov

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/ledger/valset"
	"github.com/accordnet/accord/types"
)

// MaxExpiriesPerBlock bounds the expired proposals BeginBlock deletes in one
// block; the rest go in the next blocks (they are refused approvals anyway).
const MaxExpiriesPerBlock = 64

// Module is gov as a contract module. Specs declares the parameters of
// other modules (kyc.ParamSpecs(), oracle.ParamSpecs(), ...) so malformed
// values are refused; gov's own are always declared.
type Module struct {
	Keeper
	Specs []ParamSpec
	// Disputes carries out ResolveDispute actions: the arbitration keeper,
	// set by the app assembly (nil: such a proposal fails at execution).
	Disputes DisputeResolver
	// Bridge, Checkpoints and LightClient carry out the bridge, checkpoint
	// and light-client actions; the app assembly sets those whose module
	// the profile has (nil: such a proposal fails at execution with
	// ErrNotWired).
	Bridge      BridgeGov
	Checkpoints CheckpointGov
	LightClient LightClientGov
}

var _ core.BeginBlocker = Module{}

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{
		{Type: TypePropose, Name: "gov.propose", Handler: core.HandleDecoded(DecodePropose, m.handlePropose)},
		{Type: TypeApprove, Name: "gov.approve", Handler: core.HandleDecoded(DecodeApprove, m.handleApprove)},
		{Type: TypeCancel, Name: "gov.cancel", Handler: core.HandleDecoded(DecodeCancel, m.handleCancel)},
	}
}

func (m Module) specs() []ParamSpec { return append(OwnParamSpecs(), m.Specs...) }

// CheckParam validates a parameter as a SetParam proposal would.
func (m Module) CheckParam(module, key string, value []byte) error {
	return checkParam(m.specs(), module, key, value)
}

func (m Module) handlePropose(ctx *core.Context, msg *MsgPropose) error {
	st, from := ctx.Store, ctx.Sender
	if !m.IsAdmin(st, from) {
		return fmt.Errorf("propose by %s: %w", from.Hex(), ErrNotAdmin)
	}
	for i, a := range msg.Actions {
		if a.SetParam != nil {
			if err := m.CheckParam(a.SetParam.Module, a.SetParam.Key, a.SetParam.Value); err != nil {
				return fmt.Errorf("action %d: %w", i, err)
			}
		}
	}
	open := m.OpenCount(st, from)
	if max := m.ParamUint64(st, ModuleName, ParamMaxOpenProposals, DefaultMaxOpenProposals); open >= max {
		return fmt.Errorf("%s has %d open: %w", from.Hex(), open, ErrTooManyProposals)
	}
	ttl := m.ParamUint64(st, ModuleName, ParamProposalTTL, DefaultProposalTTL)
	expires, err := types.AddAmount(ctx.Block.Time, ttl)
	if err != nil {
		return fmt.Errorf("proposal expiry: %w", ErrOverflow)
	}
	id := m.nextID(st)
	st.Set(keyNextID, be64(id+1))
	p := &Proposal{ID: id, Proposer: from, Actions: msg.Actions, Memo: msg.Memo,
		CreatedAt: ctx.Block.Time, ExpiresAt: expires, Approvals: []types.Address{from}}
	m.setOpenCount(st, from, open+1)
	ctx.EmitEvent(ProposedEvent{ID: id, Proposer: from, Actions: actionKinds(p.Actions), ExpiresAt: expires})
	return m.approved(ctx, p)
}

func (m Module) handleApprove(ctx *core.Context, msg *MsgApprove) error {
	st, from := ctx.Store, ctx.Sender
	if !m.IsAdmin(st, from) {
		return fmt.Errorf("approve by %s: %w", from.Hex(), ErrNotAdmin)
	}
	p, ok := m.Proposal(st, msg.ProposalID)
	if !ok {
		return fmt.Errorf("proposal %d: %w", msg.ProposalID, ErrUnknownProposal)
	}
	if ctx.Block.Time >= p.ExpiresAt {
		return fmt.Errorf("proposal %d expired at %d: %w", p.ID, p.ExpiresAt, ErrProposalExpired)
	}
	if p.Approved(from) {
		return fmt.Errorf("proposal %d by %s: %w", p.ID, from.Hex(), ErrAlreadyApproved)
	}
	p.Approvals = append(p.Approvals, from)
	return m.approved(ctx, p)
}

// approved records p's latest approval and executes p if it has enough.
func (m Module) approved(ctx *core.Context, p *Proposal) error {
	k := m.Threshold(ctx.Store)
	n := uint64(len(p.Approvals))
	ctx.EmitEvent(ApprovedEvent{ID: p.ID, Admin: p.Approvals[n-1], Approvals: n, Threshold: k})
	if n < k {
		m.saveProposal(ctx.Store, p)
		return nil
	}
	return m.execute(ctx, p)
}

func (m Module) handleCancel(ctx *core.Context, msg *MsgCancel) error {
	p, ok := m.Proposal(ctx.Store, msg.ProposalID)
	if !ok {
		return fmt.Errorf("proposal %d: %w", msg.ProposalID, ErrUnknownProposal)
	}
	if p.Proposer != ctx.Sender {
		return fmt.Errorf("proposal %d by %s: %w", p.ID, ctx.Sender.Hex(), ErrNotProposer)
	}
	m.removeProposal(ctx.Store, p)
	ctx.EmitEvent(ProposalCancelledEvent{ID: p.ID, Reason: "withdrawn by proposer"})
	return nil
}

// execute applies p's actions in order. Any failure fails the transaction
// that brought the last approval, and the router rolls back every write.
func (m Module) execute(ctx *core.Context, p *Proposal) error {
	st := ctx.Store
	m.removeProposal(st, p)
	adminsChanged := false
	for i := range p.Actions {
		a := &p.Actions[i]
		if err := m.apply(ctx, p.ID, a); err != nil {
			return fmt.Errorf("proposal %d action %d (%s): %w", p.ID, i, a.Kind(), err)
		}
		adminsChanged = adminsChanged || a.AddAdmin != nil || a.RemoveAdmin != nil || a.SetThreshold != nil
	}
	if err := m.checkAdminSet(st); err != nil {
		return fmt.Errorf("proposal %d: %w", p.ID, err)
	}
	ctx.EmitEvent(ExecutedEvent{ID: p.ID, Approvals: uint64(len(p.Approvals))})
	if adminsChanged {
		// Approvals were given under another admin set or threshold: none
		// of them carries over.
		for _, q := range m.OpenProposals(st) {
			m.removeProposal(st, q)
			ctx.EmitEvent(ProposalCancelledEvent{ID: q.ID, Reason: "admin set changed"})
		}
	}
	return nil
}

func (m Module) apply(ctx *core.Context, id uint64, a *Action) error {
	st, pid := ctx.Store, id
	if err := a.ValidateBasic(); err != nil {
		return err
	}
	switch {
	case a.GrantRole != nil:
		g := a.GrantRole
		if err := m.GrantRole(st, g.Addr, g.Role); err != nil {
			return err
		}
		ctx.EmitEvent(RoleGrantedEvent{Address: g.Addr, Role: g.Role.String(), Proposal: pid})
	case a.RevokeRole != nil:
		r := a.RevokeRole
		if err := m.RevokeRole(st, r.Addr, r.Role); err != nil {
			return err
		}
		ctx.EmitEvent(RoleRevokedEvent{Address: r.Addr, Role: r.Role.String(), Proposal: pid})
	case a.SetParam != nil:
		s := a.SetParam
		if err := m.CheckParam(s.Module, s.Key, s.Value); err != nil {
			return err
		}
		if err := m.SetParam(st, s.Module, s.Key, s.Value); err != nil {
			return err
		}
		ctx.EmitEvent(ParamSetEvent{Module: s.Module, Key: s.Key, Value: ParamValueString(s.Value), Proposal: pid})
	case a.AddAdmin != nil:
		addr := a.AddAdmin.Addr
		if m.IsAdmin(st, addr) {
			return fmt.Errorf("%s: %w", addr.Hex(), ErrAlreadyAdmin)
		}
		st.Set(adminKey(addr), present)
		ctx.EmitEvent(AdminAddedEvent{Address: addr, Proposal: pid})
	case a.RemoveAdmin != nil:
		addr := a.RemoveAdmin.Addr
		if !m.IsAdmin(st, addr) {
			return fmt.Errorf("remove %s: %w", addr.Hex(), ErrNotAdmin)
		}
		st.Delete(adminKey(addr))
		ctx.EmitEvent(AdminRemovedEvent{Address: addr, Proposal: pid})
	case a.SetThreshold != nil:
		m.setThreshold(st, a.SetThreshold.Threshold)
		ctx.EmitEvent(ThresholdSetEvent{Threshold: a.SetThreshold.Threshold, Proposal: pid})
	case a.SetValidators != nil:
		vs, err := types.NewValidatorSet(a.SetValidators.Validators)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadValidators, err)
		}
		at := ctx.Block.Height + valset.Delay
		valset.Set(st, at, vs)
		names := make([]string, vs.Size())
		for i, v := range vs.Validators {
			names[i] = v.Hex()
		}
		ctx.EmitEvent(ValidatorsSetEvent{Validators: names, EffectiveHeight: at, Proposal: pid})
	case a.ResolveDispute != nil:
		r := a.ResolveDispute
		if m.Disputes == nil {
			return ErrNoResolver
		}
		if err := m.Disputes.ResolveDispute(ctx, r); err != nil {
			return err
		}
		ctx.EmitEvent(DisputeResolvedEvent{Dispute: r.Dispute, Winner: uint64(r.Winner), Reason: uint64(r.Reason),
			ToA: r.ToA, ToB: r.ToB, Proposal: pid})
	// The modules emit their own events (bridge.paused, checkpoint.resumed,
	// ...); gov.executed names the proposal.
	case a.SetBridgePaused != nil:
		if m.Bridge == nil {
			return fmt.Errorf("bridge: %w", ErrNotWired)
		}
		if a.SetBridgePaused.Paused {
			return m.Bridge.Pause(ctx)
		}
		return m.Bridge.Unpause(ctx)
	case a.ResumeCheckpoints != nil:
		if m.Checkpoints == nil {
			return fmt.Errorf("checkpoint: %w", ErrNotWired)
		}
		return m.Checkpoints.Resume(ctx, a.ResumeCheckpoints.Chain)
	case a.ReplaceCheckpointSet != nil:
		if m.Checkpoints == nil {
			return fmt.Errorf("checkpoint: %w", ErrNotWired)
		}
		r := a.ReplaceCheckpointSet
		return m.Checkpoints.ReplaceValidators(ctx, r.Chain, r.Validators)
	case a.UnfreezeLightClient != nil:
		if m.LightClient == nil {
			return fmt.Errorf("lightclient: %w", ErrNotWired)
		}
		return m.LightClient.Unfreeze(ctx, a.UnfreezeLightClient.Chain)
	}
	return nil
}

func actionKinds(as []Action) string {
	kinds := make([]string, len(as))
	for i := range as {
		kinds[i] = as[i].Kind()
	}
	return strings.Join(kinds, ",")
}

// BeginBlock deletes proposals whose expiry has passed, at most
// MaxExpiriesPerBlock per block, oldest first.
func (m Module) BeginBlock(ctx *core.Context) error {
	st := ctx.Store
	// Keys sort by expires_at: everything before (now+1) has expired.
	end := state.PrefixEnd(prefixExpiry)
	if ctx.Block.Time < ^uint64(0) {
		end = slices.Concat(prefixExpiry, be64(ctx.Block.Time+1))
	}
	var ids []uint64
	st.Iterate(prefixExpiry, end, false, func(k, _ []byte) bool {
		if len(k) == len(prefixExpiry)+16 {
			ids = append(ids, binary.BigEndian.Uint64(k[len(prefixExpiry)+8:]))
		}
		return len(ids) < MaxExpiriesPerBlock
	})
	for _, id := range ids {
		p, ok := m.Proposal(st, id)
		if !ok {
			return fmt.Errorf("expiry index names proposal %d: %w", id, ErrCorruptState)
		}
		m.removeProposal(st, p)
		ctx.EmitEvent(ProposalExpiredEvent{ID: id})
	}
	return nil
}

// Genesis is gov's section of the genesis document.
type Genesis struct {
	Admins    []string                     `json:"admins"`
	Threshold uint64                       `json:"threshold"`
	Roles     []GenesisRole                `json:"roles,omitempty"`
	Params    map[string]map[string]string `json:"params,omitempty"` // module -> key -> value
}

// GenesisRole is one initial role grant.
type GenesisRole struct {
	Address string `json:"address"`
	Role    string `json:"role"` // kyc_provider, compliance, oracle, arbitrator, bridge_signer
}

// InitGenesis implements core.Module. Gov must be registered before the
// modules whose genesis reads roles or parameters (kyc, oracle, ...).
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	var g Genesis
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("%w: %w", ErrBadGenesis, err)
		}
	}
	st := ctx.Store
	if len(g.Admins) == 0 {
		return fmt.Errorf("%w: no admins", ErrBadGenesis)
	}
	for _, s := range g.Admins {
		a, err := types.ParseAddress(s)
		if err != nil {
			return fmt.Errorf("%w: admin: %w", ErrBadGenesis, err)
		}
		if a == (types.Address{}) {
			return fmt.Errorf("%w: admin: %w", ErrBadGenesis, ErrZeroAddress)
		}
		if m.IsAdmin(st, a) {
			return fmt.Errorf("%w: admin %s listed twice", ErrBadGenesis, a.Hex())
		}
		st.Set(adminKey(a), present)
	}
	m.setThreshold(st, g.Threshold)
	if err := m.checkAdminSet(st); err != nil {
		return fmt.Errorf("%w: %w", ErrBadGenesis, err)
	}
	for _, gr := range g.Roles {
		a, err := types.ParseAddress(gr.Address)
		if err != nil {
			return fmt.Errorf("%w: role: %w", ErrBadGenesis, err)
		}
		r, err := ParseRole(gr.Role)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadGenesis, err)
		}
		if err := m.GrantRole(st, a, r); err != nil {
			return fmt.Errorf("%w: %w", ErrBadGenesis, err)
		}
	}
	modules := make([]string, 0, len(g.Params))
	for mod := range g.Params {
		modules = append(modules, mod)
	}
	sort.Strings(modules)
	for _, mod := range modules {
		keys := make([]string, 0, len(g.Params[mod]))
		for k := range g.Params[mod] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := []byte(g.Params[mod][k])
			if err := m.CheckParam(mod, k, v); err != nil {
				return fmt.Errorf("%w: %w", ErrBadGenesis, err)
			}
			if err := m.SetParam(st, mod, k, v); err != nil {
				return fmt.Errorf("%w: %w", ErrBadGenesis, err)
			}
		}
	}
	return nil
}
