package gov

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Transaction types of the gov module.
const (
	TypePropose = core.TypeGov + 1 // MsgPropose: an admin opens a proposal (and approves it)
	TypeApprove = core.TypeGov + 2 // MsgApprove: another admin approves; k approvals execute it
	TypeCancel  = core.TypeGov + 3 // MsgCancel: the proposer withdraws an open proposal
)

// Limits on a proposal.
const (
	MaxActions = 16
	MaxMemoLen = 256
	MaxAdmins  = 64
)

// GrantRole gives Addr the role.
type GrantRole struct {
	Addr types.Address
	Role Role
}

// RevokeRole takes the role from Addr.
type RevokeRole struct {
	Addr types.Address
	Role Role
}

// SetParam sets a module parameter. Uint64 parameters are canonical
// decimal strings (see FormatUint64Param).
type SetParam struct {
	Module string
	Key    string
	Value  []byte
}

// AddAdmin adds Addr to the admin multisig.
type AddAdmin struct{ Addr types.Address }

// RemoveAdmin removes Addr from the admin multisig.
type RemoveAdmin struct{ Addr types.Address }

// SetThreshold sets k, the approvals a proposal needs.
type SetThreshold struct{ Threshold uint64 }

// Action is one change a proposal makes: exactly one field is set. Use the
// constructors (GrantRoleAction, ...) to build one. A proposal's actions run
// in order and atomically: if one fails, none is applied.
type Action struct {
	GrantRole    *GrantRole    `rlp:"nil"`
	RevokeRole   *RevokeRole   `rlp:"nil"`
	SetParam     *SetParam     `rlp:"nil"`
	AddAdmin     *AddAdmin     `rlp:"nil"`
	RemoveAdmin  *RemoveAdmin  `rlp:"nil"`
	SetThreshold *SetThreshold `rlp:"nil"`
	// SetValidators replaces the validator set from the height two blocks
	// after the one executing the proposal (valset.Delay). "nil" makes an
	// absent one (the empty list a later field's encoding puts in its
	// place) decode as nil; an encoding that sets it is unchanged.
	SetValidators *SetValidators `rlp:"nil,optional"`
	// ResolveDispute decides a dispute arbitration escalated to governance.
	ResolveDispute *ResolveDispute `rlp:"nil,optional"`
	// The bridge, checkpoint and light-client remedies: each is carried
	// out by the module's keeper (Module's Bridge, Checkpoints and
	// LightClient), which refuses a change that does not fit its state.
	SetBridgePaused      *SetBridgePaused      `rlp:"nil,optional"`
	ResumeCheckpoints    *ResumeCheckpoints    `rlp:"nil,optional"`
	ReplaceCheckpointSet *ReplaceCheckpointSet `rlp:"nil,optional"`
	UnfreezeLightClient  *UnfreezeLightClient  `rlp:"nil,optional"`
}

// SetBridgePaused pauses (Paused) or unpauses main's bridge: while
// paused it refuses deposit attestations, withdrawals, locks and releases.
// It is one action with a flag rather than two empty ones because an
// empty struct would encode like an absent field.
type SetBridgePaused struct{ Paused bool }

// ResumeCheckpoints lifts the halt a conflicting checkpoint put on side
// chain Chain's releases (the evidence stays in the checkpoint module).
type ResumeCheckpoints struct{ Chain string }

// ReplaceCheckpointSet registers Validators as the set that must sign
// side chain Chain's next checkpoint: the remedy when the registered set
// can no longer sign, or signed a conflict.
type ReplaceCheckpointSet struct {
	Chain      string
	Validators []types.Address
}

// UnfreezeLightClient lets the side chain's light client of main chain
// Chain accept headers again after two conflicting certificates froze it.
// Naming the chain guards against a proposal meant for another client.
type UnfreezeLightClient struct{ Chain string }

// MaxChainIDLen bounds a chain ID in an action (the checkpoint module's
// bound; the module checks the rest at execution).
const MaxChainIDLen = 64

// SetBridgePausedAction builds a SetBridgePaused action.
func SetBridgePausedAction(paused bool) Action {
	return Action{SetBridgePaused: &SetBridgePaused{Paused: paused}}
}

// ResumeCheckpointsAction builds a ResumeCheckpoints action.
func ResumeCheckpointsAction(chain string) Action {
	return Action{ResumeCheckpoints: &ResumeCheckpoints{Chain: chain}}
}

// ReplaceCheckpointSetAction builds a ReplaceCheckpointSet action.
func ReplaceCheckpointSetAction(chain string, vals ...types.Address) Action {
	return Action{ReplaceCheckpointSet: &ReplaceCheckpointSet{Chain: chain, Validators: vals}}
}

// UnfreezeLightClientAction builds an UnfreezeLightClient action.
func UnfreezeLightClientAction(chain string) Action {
	return Action{UnfreezeLightClient: &UnfreezeLightClient{Chain: chain}}
}

func checkChainID(id string) error {
	if len(id) == 0 || len(id) > MaxChainIDLen {
		return fmt.Errorf("%w: chain ID of %d bytes (1–%d)", ErrBadChain, len(id), MaxChainIDLen)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return fmt.Errorf("%w: byte %#x at %d of the chain ID", ErrBadChain, id[i], i)
		}
	}
	return nil
}

func checkValidators(vs []types.Address) error {
	if len(vs) > MaxValidators {
		return fmt.Errorf("%w: %d validators (max %d)", ErrBadValidators, len(vs), MaxValidators)
	}
	for _, v := range vs {
		if v == (types.Address{}) {
			return fmt.Errorf("%w: %w", ErrBadValidators, ErrZeroAddress)
		}
	}
	if _, err := types.NewValidatorSet(vs); err != nil {
		return fmt.Errorf("%w: %w", ErrBadValidators, err)
	}
	return nil
}

// ResolveDispute decides a dispute that arbitration escalated to
// governance (its panel and then its committee missed their deadlines):
// the winner (1: side A, the order's merchant or the payment's payee; 2:
// side B, the acceptor or the payer), arbitration's reason code, and the
// payouts to A and B, which must sum exactly to the escrow. At execution
// the DisputeResolver (the arbitration module) refuses a dispute that is
// not escalated and payouts that do not sum; the whole proposal then
// fails and stays open.
type ResolveDispute struct {
	Dispute  types.Hash
	Winner   uint8
	Reason   uint8
	ToA, ToB uint64
}

// ResolveDisputeAction builds a ResolveDispute action.
func ResolveDisputeAction(dispute types.Hash, winner, reason uint8, toA, toB uint64) Action {
	return Action{ResolveDispute: &ResolveDispute{Dispute: dispute, Winner: winner, Reason: reason, ToA: toA, ToB: toB}}
}

// SetValidators names the whole next validator set, in proposer order.
type SetValidators struct{ Validators []types.Address }

// MaxValidators bounds a validator set (commit certificates grow with it).
const MaxValidators = 100

// SetValidatorsAction builds a SetValidators action.
func SetValidatorsAction(vals ...types.Address) Action {
	return Action{SetValidators: &SetValidators{Validators: vals}}
}

// GrantRoleAction builds a GrantRole action.
func GrantRoleAction(a types.Address, r Role) Action {
	return Action{GrantRole: &GrantRole{Addr: a, Role: r}}
}

// RevokeRoleAction builds a RevokeRole action.
func RevokeRoleAction(a types.Address, r Role) Action {
	return Action{RevokeRole: &RevokeRole{Addr: a, Role: r}}
}

// SetParamAction builds a SetParam action.
func SetParamAction(module, key string, value []byte) Action {
	return Action{SetParam: &SetParam{Module: module, Key: key, Value: value}}
}

// SetUint64ParamAction builds a SetParam action for a uint64 parameter.
func SetUint64ParamAction(module, key string, v uint64) Action {
	return SetParamAction(module, key, FormatUint64Param(v))
}

// AddAdminAction builds an AddAdmin action.
func AddAdminAction(a types.Address) Action { return Action{AddAdmin: &AddAdmin{Addr: a}} }

// RemoveAdminAction builds a RemoveAdmin action.
func RemoveAdminAction(a types.Address) Action { return Action{RemoveAdmin: &RemoveAdmin{Addr: a}} }

// SetThresholdAction builds a SetThreshold action.
func SetThresholdAction(k uint64) Action { return Action{SetThreshold: &SetThreshold{Threshold: k}} }

// Kind names the action ("grant_role", ...), or "" if malformed.
func (a *Action) Kind() string {
	kind, n := "", 0
	if a.GrantRole != nil {
		kind, n = "grant_role", n+1
	}
	if a.RevokeRole != nil {
		kind, n = "revoke_role", n+1
	}
	if a.SetParam != nil {
		kind, n = "set_param", n+1
	}
	if a.AddAdmin != nil {
		kind, n = "add_admin", n+1
	}
	if a.RemoveAdmin != nil {
		kind, n = "remove_admin", n+1
	}
	if a.SetThreshold != nil {
		kind, n = "set_threshold", n+1
	}
	if a.SetValidators != nil {
		kind, n = "set_validators", n+1
	}
	if a.ResolveDispute != nil {
		kind, n = "resolve_dispute", n+1
	}
	if a.SetBridgePaused != nil {
		kind, n = "bridge_unpause", n+1
		if a.SetBridgePaused.Paused {
			kind = "bridge_pause"
		}
	}
	if a.ResumeCheckpoints != nil {
		kind, n = "checkpoint_resume", n+1
	}
	if a.ReplaceCheckpointSet != nil {
		kind, n = "checkpoint_validators", n+1
	}
	if a.UnfreezeLightClient != nil {
		kind, n = "lightclient_unfreeze", n+1
	}
	if n != 1 {
		return ""
	}
	return kind
}

// ValidateBasic checks what needs no state.
func (a *Action) ValidateBasic() error {
	switch a.Kind() {
	case "":
		return fmt.Errorf("%w: exactly one change must be set", ErrBadAction)
	case "grant_role":
		return checkAddrRole(a.GrantRole.Addr, a.GrantRole.Role)
	case "revoke_role":
		return checkAddrRole(a.RevokeRole.Addr, a.RevokeRole.Role)
	case "set_param":
		p := a.SetParam
		if err := CheckParamName(p.Module, p.Key); err != nil {
			return err
		}
		if len(p.Value) > MaxParamValueLen {
			return fmt.Errorf("%w: value of %d bytes (max %d)", ErrBadParam, len(p.Value), MaxParamValueLen)
		}
	case "add_admin":
		if a.AddAdmin.Addr == (types.Address{}) {
			return fmt.Errorf("add admin: %w", ErrZeroAddress)
		}
	case "remove_admin":
		if a.RemoveAdmin.Addr == (types.Address{}) {
			return fmt.Errorf("remove admin: %w", ErrZeroAddress)
		}
	case "set_threshold":
		if k := a.SetThreshold.Threshold; k == 0 || k > MaxAdmins {
			return fmt.Errorf("%w: %d", ErrBadThreshold, k)
		}
	case "set_validators":
		return checkValidators(a.SetValidators.Validators)
	case "resolve_dispute":
		return a.ResolveDispute.ValidateBasic()
	case "checkpoint_resume":
		return checkChainID(a.ResumeCheckpoints.Chain)
	case "checkpoint_validators":
		if err := checkChainID(a.ReplaceCheckpointSet.Chain); err != nil {
			return err
		}
		return checkValidators(a.ReplaceCheckpointSet.Validators)
	case "lightclient_unfreeze":
		return checkChainID(a.UnfreezeLightClient.Chain)
	}
	return nil
}

// ValidateBasic checks what needs no state; the arbitration module checks
// the rest (the dispute, its phase, the escrow, the reason code) when the
// proposal executes.
func (r *ResolveDispute) ValidateBasic() error {
	switch {
	case r.Dispute == (types.Hash{}):
		return fmt.Errorf("%w: no dispute ID", ErrBadDecision)
	case r.Winner != 1 && r.Winner != 2:
		return fmt.Errorf("%w: winner %d (1: side A, 2: side B)", ErrBadDecision, r.Winner)
	case r.Reason == 0:
		return fmt.Errorf("%w: no reason code", ErrBadDecision)
	case (r.Winner == 1 && r.ToA == 0) || (r.Winner == 2 && r.ToB == 0):
		return fmt.Errorf("%w: the winner gets nothing", ErrBadDecision)
	}
	if _, err := types.AddAmount(r.ToA, r.ToB); err != nil {
		return fmt.Errorf("%w: payouts %d + %d overflow", ErrBadDecision, r.ToA, r.ToB)
	}
	return nil
}

func checkAddrRole(a types.Address, r Role) error {
	if a == (types.Address{}) {
		return ErrZeroAddress
	}
	return CheckRole(r)
}

// MsgPropose opens a proposal; the proposer's approval is the first. With a
// threshold of 1 it executes at once.
type MsgPropose struct {
	Actions []Action
	Memo    string // free text for humans (no personal data: it is public)
}

// ValidateBasic checks what needs no state.
func (m *MsgPropose) ValidateBasic() error {
	if len(m.Actions) == 0 {
		return ErrNoActions
	}
	if len(m.Actions) > MaxActions {
		return fmt.Errorf("%w: %d (max %d)", ErrTooManyActions, len(m.Actions), MaxActions)
	}
	for i := range m.Actions {
		if err := m.Actions[i].ValidateBasic(); err != nil {
			return fmt.Errorf("action %d: %w", i, err)
		}
	}
	if len(m.Memo) > MaxMemoLen || !utf8.ValidString(m.Memo) {
		return fmt.Errorf("%w: %d bytes (max %d, UTF-8)", ErrMemoTooLong, len(m.Memo), MaxMemoLen)
	}
	return nil
}

// MsgApprove approves an open proposal.
type MsgApprove struct{ ProposalID uint64 }

// ValidateBasic checks what needs no state.
func (m *MsgApprove) ValidateBasic() error {
	if m.ProposalID == 0 {
		return fmt.Errorf("%w: id 0", ErrUnknownProposal)
	}
	return nil
}

// MsgCancel withdraws an open proposal; only its proposer may.
type MsgCancel struct{ ProposalID uint64 }

// ValidateBasic checks what needs no state.
func (m *MsgCancel) ValidateBasic() error {
	if m.ProposalID == 0 {
		return fmt.Errorf("%w: id 0", ErrUnknownProposal)
	}
	return nil
}

// TxType implements the c2c messages' typed-message interface (client
// and test helpers sign any message by its type).
func (*MsgPropose) TxType() types.TxType { return TypePropose }

// TxType is MsgApprove's transaction type.
func (*MsgApprove) TxType() types.TxType { return TypeApprove }

// TxType is MsgCancel's transaction type.
func (*MsgCancel) TxType() types.TxType { return TypeCancel }

// DecodePropose decodes and validates a propose payload. It refuses a
// payload that is not the canonical encoding of what it decodes to: an
// absent optional action field may otherwise also be spelt as a trailing
// empty list, and one proposal must have one encoding.
func DecodePropose(payload []byte) (*MsgPropose, error) {
	m, err := core.DecodeValid[MsgPropose](payload)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(core.Encode(m), payload) {
		return nil, fmt.Errorf("%w: not the canonical encoding", core.ErrBadPayload)
	}
	return m, nil
}

// DecodeApprove decodes and validates an approve payload.
func DecodeApprove(payload []byte) (*MsgApprove, error) { return core.DecodeValid[MsgApprove](payload) }

// DecodeCancel decodes and validates a cancel payload.
func DecodeCancel(payload []byte) (*MsgCancel, error) { return core.DecodeValid[MsgCancel](payload) }

// Cost is gov's mempool CostFunc: gov messages move no USDT besides the
// fee, so it only decodes and validates the payload (an unknown type or a
// malformed payload is an error).
func Cost(tx *types.Tx) (uint64, error) {
	var err error
	switch tx.Type {
	case TypePropose:
		_, err = DecodePropose(tx.Payload)
	case TypeApprove:
		_, err = DecodeApprove(tx.Payload)
	case TypeCancel:
		_, err = DecodeCancel(tx.Payload)
	default:
		err = fmt.Errorf("%w %#x", core.ErrUnknownType, tx.Type)
	}
	return 0, err
}
