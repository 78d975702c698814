package bank

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Transaction types of the bank module.
const (
	TypeTransfer = core.TypeBank + 1
)

// MsgTransfer moves Amount micro-USDT from the sender to To.
type MsgTransfer struct {
	To     types.Address
	Amount uint64
}

// ValidateBasic checks what needs no state.
func (m *MsgTransfer) ValidateBasic() error {
	if m.Amount == 0 {
		return ErrZeroAmount
	}
	return nil
}

// DecodeTransfer decodes and validates a transfer payload.
func DecodeTransfer(payload []byte) (*MsgTransfer, error) {
	var m MsgTransfer
	if err := core.Decode(payload, &m); err != nil {
		return nil, err
	}
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Cost returns the micro-USDT a transaction moves out of its sender besides
// the fee, for mempool admission. Types of other modules that spend the
// sender's balance register their own cost functions with the mempool
// wiring; bank knows only its own.
func Cost(tx *types.Tx) (uint64, error) {
	switch tx.Type {
	case TypeTransfer:
		m, err := DecodeTransfer(tx.Payload)
		if err != nil {
			return 0, err
		}
		return m.Amount, nil
	}
	return 0, fmt.Errorf("%w %#x", core.ErrUnknownType, tx.Type)
}
