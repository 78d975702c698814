package pay

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Transaction types of the pay module.
const (
	TypeLock    = core.TypePay + 1 // MsgLock: payer
	TypeAttest  = core.TypePay + 2 // MsgAttest: anyone holding the attester's signature
	TypeRefund  = core.TypePay + 3 // MsgRefund: payer, after the deadline
	TypeDispute = core.TypePay + 4 // MsgDispute: payer or payee
)

// MsgLock locks Amount micro-USDT from the sender (payer) for Payee until
// Attester's signed outcome, or Deadline (block time, unix ms) passes.
type MsgLock struct {
	Payee    types.Address
	Attester types.Address
	Amount   uint64
	Deadline uint64
}

// MsgAttest submits the attester's signed outcome.
type MsgAttest struct{ Attestation Attestation }

// MsgRefund reclaims a payment nobody attested before its deadline.
type MsgRefund struct{ ID types.Hash }

// MsgDispute takes a locked payment to arbitration. Evidence is an
// optional hash of an off-chain statement.
type MsgDispute struct {
	ID       types.Hash
	Evidence types.Hash
}

// Msg is any pay message.
type Msg interface {
	ValidateBasic() error
	TxType() types.TxType
}

// TxType implements Msg.
func (*MsgLock) TxType() types.TxType { return TypeLock }

// TxType implements Msg.
func (*MsgAttest) TxType() types.TxType { return TypeAttest }

// TxType implements Msg.
func (*MsgRefund) TxType() types.TxType { return TypeRefund }

// TxType implements Msg.
func (*MsgDispute) TxType() types.TxType { return TypeDispute }

// ValidateBasic checks what needs no state.
func (m *MsgLock) ValidateBasic() error {
	if m.Payee == (types.Address{}) || m.Attester == (types.Address{}) {
		return ErrZeroAddress
	}
	if m.Payee == m.Attester {
		return fmt.Errorf("%w: payee is the attester", ErrBadParties)
	}
	if m.Amount == 0 {
		return ErrZeroAmount
	}
	if m.Deadline == 0 {
		return fmt.Errorf("%w: zero", ErrBadDeadline)
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgAttest) ValidateBasic() error { return m.Attestation.ValidateBasic() }

// ValidateBasic checks what needs no state.
func (m *MsgRefund) ValidateBasic() error { return checkID(m.ID) }

// ValidateBasic checks what needs no state.
func (m *MsgDispute) ValidateBasic() error { return checkID(m.ID) }

func checkID(id types.Hash) error {
	if id == (types.Hash{}) {
		return ErrZeroID
	}
	return nil
}

// NewMsg returns an empty message of type t, or an error wrapping
// core.ErrUnknownType.
func NewMsg(t types.TxType) (Msg, error) {
	switch t {
	case TypeLock:
		return new(MsgLock), nil
	case TypeAttest:
		return new(MsgAttest), nil
	case TypeRefund:
		return new(MsgRefund), nil
	case TypeDispute:
		return new(MsgDispute), nil
	}
	return nil, fmt.Errorf("%w %#x", core.ErrUnknownType, t)
}

// DecodeMsg decodes and validates the payload of a transaction of type t.
func DecodeMsg(t types.TxType, payload []byte) (Msg, error) {
	return core.DecodeTyped(NewMsg, t, payload)
}

// Cost is what a pay message spends from the sender's balance besides the
// fee: the amount of MsgLock. It errors on a bad payload.
func Cost(tx *types.Tx) (uint64, error) {
	m, err := DecodeMsg(tx.Type, tx.Payload)
	if err != nil {
		return 0, err
	}
	if l, ok := m.(*MsgLock); ok {
		return l.Amount, nil
	}
	return 0, nil
}
