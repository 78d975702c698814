package risk

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Transaction types of the risk module.
const (
	TypeUnfreeze = core.TypeRisk + 1 // MsgUnfreeze: compliance officer
)

// MsgUnfreeze lifts a freeze. Reason is the hash of the compliance
// officer's off-chain case note.
type MsgUnfreeze struct {
	Account types.Address // the frozen account to unfreeze (compliance officers only)
	Reason  types.Hash    // Keccak-256 of the officer's off-chain case note, non-zero
}

// Msg is any risk message.
type Msg interface {
	ValidateBasic() error
	TxType() types.TxType
}

// TxType implements Msg.
func (*MsgUnfreeze) TxType() types.TxType { return TypeUnfreeze }

// ValidateBasic checks what needs no state.
func (m *MsgUnfreeze) ValidateBasic() error {
	if m.Account == (types.Address{}) {
		return ErrZeroAccount
	}
	if m.Reason == (types.Hash{}) {
		return ErrZeroReason
	}
	return nil
}

// NewMsg returns an empty message of type t.
func NewMsg(t types.TxType) (Msg, error) {
	if t == TypeUnfreeze {
		return new(MsgUnfreeze), nil
	}
	return nil, fmt.Errorf("%w %#x", core.ErrUnknownType, t)
}

// DecodeMsg decodes and validates the payload of a transaction of type t.
func DecodeMsg(t types.TxType, payload []byte) (Msg, error) {
	return core.DecodeTyped(NewMsg, t, payload)
}

// Cost is 0 for every risk message; it errors on a bad payload.
func Cost(tx *types.Tx) (uint64, error) {
	if _, err := DecodeMsg(tx.Type, tx.Payload); err != nil {
		return 0, err
	}
	return 0, nil
}
