package bridge

import (
	"fmt"

	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Transaction types of the bridge's main half.
const (
	TypeAttestDeposit = core.TypeBridge + 1 // MsgAttestDeposit: bridge signer
	TypeWithdraw      = core.TypeBridge + 2 // MsgWithdraw: anyone
	TypeAttestPaid    = core.TypeBridge + 3 // MsgAttestPaid: bridge signer
	TypeLock          = core.TypeBridge + 4 // MsgLock: anyone
	TypeRelease       = core.TypeBridge + 5 // MsgRelease: anyone (a relayer)
)

// MsgAttestDeposit says a Transfer of Amount into the vault happened on
// external chain ExtChainID in transaction ExtTxHash at log LogIndex, for
// Recipient on main.
type MsgAttestDeposit struct {
	ExtChainID uint64
	ExtTxHash  types.Hash
	LogIndex   uint64
	Recipient  types.Address
	Amount     uint64
}

// MsgWithdraw burns Amount of the sender's USDT for a payout to ExtAddress
// on the external chain.
type MsgWithdraw struct {
	ExtAddress types.Address
	Amount     uint64
}

// MsgAttestPaid says withdrawal ID was paid on the external chain in ExtTxHash.
type MsgAttestPaid struct {
	ID        uint64
	ExtTxHash types.Hash
}

// MsgLock moves Amount of the sender's USDT into escrow for Recipient on
// side chain ChainID.
type MsgLock struct {
	ChainID   string
	Recipient types.Address
	Amount    uint64
}

// MsgRelease releases a side chain's burn: Proof is a proof.BurnProof's
// encoding (decoded strictly by the handler).
type MsgRelease struct {
	ChainID string
	Proof   []byte
}

// ValidateBasic checks what needs no state.
func (m *MsgAttestDeposit) ValidateBasic() error {
	switch {
	case m.ExtChainID == 0, m.ExtTxHash == (types.Hash{}), m.Recipient == (types.Address{}):
		return fmt.Errorf("%w: chain ID, tx hash and recipient must be set", ErrZeroField)
	case m.Amount == 0:
		return ErrZeroAmount
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgWithdraw) ValidateBasic() error {
	if m.ExtAddress == (types.Address{}) {
		return fmt.Errorf("%w: external address", ErrZeroField)
	}
	if m.Amount == 0 {
		return ErrZeroAmount
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgAttestPaid) ValidateBasic() error {
	if m.ID == 0 || m.ExtTxHash == (types.Hash{}) {
		return fmt.Errorf("%w: withdrawal ID and external tx hash must be set", ErrZeroField)
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgLock) ValidateBasic() error {
	if err := checkpoint.CheckChainID(m.ChainID); err != nil {
		return fmt.Errorf("%w: %w", ErrBadChainID, err)
	}
	if m.Recipient == (types.Address{}) {
		return fmt.Errorf("%w: recipient", ErrZeroField)
	}
	if m.Amount == 0 {
		return ErrZeroAmount
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgRelease) ValidateBasic() error {
	if err := checkpoint.CheckChainID(m.ChainID); err != nil {
		return fmt.Errorf("%w: %w", ErrBadChainID, err)
	}
	if len(m.Proof) == 0 || len(m.Proof) > proof.MaxProofSize {
		return fmt.Errorf("%w: proof of %d bytes", proof.ErrMalformed, len(m.Proof))
	}
	return nil
}

// Msg is any bridge message.
type Msg interface {
	ValidateBasic() error
}

// NewMsg returns an empty message of type t.
func NewMsg(t types.TxType) (Msg, error) {
	switch t {
	case TypeAttestDeposit:
		return new(MsgAttestDeposit), nil
	case TypeWithdraw:
		return new(MsgWithdraw), nil
	case TypeAttestPaid:
		return new(MsgAttestPaid), nil
	case TypeLock:
		return new(MsgLock), nil
	case TypeRelease:
		return new(MsgRelease), nil
	}
	return nil, fmt.Errorf("%w %#x", core.ErrUnknownType, t)
}

// DecodeMsg decodes and validates a payload of type t; the payload must be
// the message's canonical encoding.
func DecodeMsg(t types.TxType, payload []byte) (Msg, error) {
	m, err := core.DecodeTyped(NewMsg, t, payload)
	if err != nil {
		return nil, err
	}
	if re, err := rlp.EncodeToBytes(m); err != nil || string(re) != string(payload) {
		return nil, fmt.Errorf("%w: not the canonical encoding", core.ErrBadPayload)
	}
	return m, nil
}

// Cost is what a bridge message moves out of its sender besides the fee:
// the amount for a withdrawal or a lock, 0 otherwise.
func Cost(tx *types.Tx) (uint64, error) {
	m, err := DecodeMsg(tx.Type, tx.Payload)
	if err != nil {
		return 0, err
	}
	switch m := m.(type) {
	case *MsgWithdraw:
		return m.Amount, nil
	case *MsgLock:
		return m.Amount, nil
	}
	return 0, nil
}
