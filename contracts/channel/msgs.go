package channel

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Transaction types of the channel module.
const (
	TypeOpen   = core.TypeChannel + 1 // MsgOpen: payer
	TypeTopUp  = core.TypeChannel + 2 // MsgTopUp: payer
	TypeExtend = core.TypeChannel + 3 // MsgExtend: payer
	TypeRedeem = core.TypeChannel + 4 // MsgRedeem: payee
	TypeClose  = core.TypeChannel + 5 // MsgClose: payer
	TypeSettle = core.TypeChannel + 6 // MsgSettle: payer (after the window) or payee (any time)
)

// MsgOpen opens a channel from the sender (payer) to Payee with Deposit
// micro-USDT in escrow; vouchers are redeemable until Expiry (block time,
// unix ms) plus the challenge period.
type MsgOpen struct {
	Payee   types.Address
	Deposit uint64
	Expiry  uint64
}

// MsgTopUp adds Amount to an open channel's deposit.
type MsgTopUp struct {
	ID     types.Hash
	Amount uint64
}

// MsgExtend moves an open channel's expiry later.
type MsgExtend struct {
	ID     types.Hash
	Expiry uint64
}

// MsgRedeem pays the payee the difference between the voucher's cumulative
// amount and what the channel already paid.
type MsgRedeem struct{ Voucher Voucher }

// MsgClose starts the challenge period: the payee may still redeem until it
// ends, then the payer settles.
type MsgClose struct{ ID types.Hash }

// MsgSettle ends a channel and returns what was not redeemed to the payer.
type MsgSettle struct{ ID types.Hash }

// Msg is any channel message.
type Msg interface {
	ValidateBasic() error
	TxType() types.TxType
}

// TxType implements Msg.
func (*MsgOpen) TxType() types.TxType { return TypeOpen }

// TxType implements Msg.
func (*MsgTopUp) TxType() types.TxType { return TypeTopUp }

// TxType implements Msg.
func (*MsgExtend) TxType() types.TxType { return TypeExtend }

// TxType implements Msg.
func (*MsgRedeem) TxType() types.TxType { return TypeRedeem }

// TxType implements Msg.
func (*MsgClose) TxType() types.TxType { return TypeClose }

// TxType implements Msg.
func (*MsgSettle) TxType() types.TxType { return TypeSettle }

func checkID(id types.Hash) error {
	if id == (types.Hash{}) {
		return ErrZeroID
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgOpen) ValidateBasic() error {
	if m.Payee == (types.Address{}) {
		return ErrZeroPayee
	}
	if m.Deposit == 0 {
		return fmt.Errorf("deposit: %w", ErrZeroAmount)
	}
	if m.Expiry == 0 {
		return fmt.Errorf("%w: zero", ErrBadExpiry)
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgTopUp) ValidateBasic() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	if m.Amount == 0 {
		return ErrZeroAmount
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgExtend) ValidateBasic() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	if m.Expiry == 0 {
		return fmt.Errorf("%w: zero", ErrBadExpiry)
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgRedeem) ValidateBasic() error { return m.Voucher.ValidateBasic() }

// ValidateBasic checks what needs no state.
func (m *MsgClose) ValidateBasic() error { return checkID(m.ID) }

// ValidateBasic checks what needs no state.
func (m *MsgSettle) ValidateBasic() error { return checkID(m.ID) }

// NewMsg returns an empty message of type t, or an error wrapping
// core.ErrUnknownType.
func NewMsg(t types.TxType) (Msg, error) {
	switch t {
	case TypeOpen:
		return new(MsgOpen), nil
	case TypeTopUp:
		return new(MsgTopUp), nil
	case TypeExtend:
		return new(MsgExtend), nil
	case TypeRedeem:
		return new(MsgRedeem), nil
	case TypeClose:
		return new(MsgClose), nil
	case TypeSettle:
		return new(MsgSettle), nil
	}
	return nil, fmt.Errorf("%w %#x", core.ErrUnknownType, t)
}

// DecodeMsg decodes and validates the payload of a transaction of type t
// (for the API, the CLI and the mempool).
func DecodeMsg(t types.TxType, payload []byte) (Msg, error) {
	return core.DecodeTyped(NewMsg, t, payload)
}

// Cost is what a channel message spends from the sender's balance besides
// the fee: the deposit of MsgOpen and the amount of MsgTopUp. It errors on a
// bad payload, for mempool admission.
func Cost(tx *types.Tx) (uint64, error) {
	m, err := DecodeMsg(tx.Type, tx.Payload)
	if err != nil {
		return 0, err
	}
	switch m := m.(type) {
	case *MsgOpen:
		return m.Deposit, nil
	case *MsgTopUp:
		return m.Amount, nil
	}
	return 0, nil
}
