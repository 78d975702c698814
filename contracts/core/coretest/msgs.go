package coretest

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// ModuleName is the module's name and codespace.
const ModuleName = "coretest"

// TypeBase is the module's type range, far from the real modules'.
const TypeBase types.TxType = 0x7f00

// Transaction types.
const (
	TypePing  = TypeBase + 1
	TypePanic = TypeBase + 2
)

// MsgPing adds Add to the counter.
type MsgPing struct {
	Add uint64
}

// TxType implements core.Msg.
func (*MsgPing) TxType() types.TxType { return TypePing }

// ValidateBasic refuses a zero ping.
func (m *MsgPing) ValidateBasic() error {
	if m.Add == 0 {
		return fmt.Errorf("%w: add must be positive", ErrZero)
	}
	return nil
}

// MsgPanic writes to the state, then panics.
type MsgPanic struct {
	Note string
}

// TxType implements core.Msg.
func (*MsgPanic) TxType() types.TxType { return TypePanic }

// ValidateBasic accepts any note.
func (*MsgPanic) ValidateBasic() error { return nil }

// Cost implements core.Coster: a ping spends Add micro-USDT at admission
// (so the mempool's balance check sees it); a malformed one is refused.
func Cost(tx *types.Tx) (uint64, error) {
	switch tx.Type {
	case TypePing:
		m, err := core.DecodeValid[MsgPing](tx.Payload)
		if err != nil {
			return 0, err
		}
		return m.Add, nil
	case TypePanic:
		_, err := core.DecodeValid[MsgPanic](tx.Payload)
		return 0, err
	}
	return 0, fmt.Errorf("%w %#x", core.ErrUnknownType, tx.Type)
}
