package order

import (
	"fmt"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Transaction types of the order module.
const (
	TypeCreate   = core.TypeOrder + 1 // MsgCreate: merchant
	TypeMarkPaid = core.TypeOrder + 2 // MsgMarkPaid: merchant
	TypeConfirm  = core.TypeOrder + 3 // MsgConfirm: acceptor
	TypeCancel   = core.TypeOrder + 4 // MsgCancel: merchant
	TypeExtend   = core.TypeOrder + 5 // MsgExtend: acceptor
	TypeDispute  = core.TypeOrder + 6 // MsgDispute: merchant or acceptor
)

// MaxRefLen bounds a merchant order reference.
const MaxRefLen = 64

// MsgCreate asks for FiatAmount (in the currency's minor units, e.g. cents)
// of Currency; the sender is the merchant. MerchantRef is the merchant's
// own reference (1–64 printable ASCII characters, no spaces); together
// with the merchant it fixes the order ID (see OrderID).
type MsgCreate struct {
	Currency    string
	FiatAmount  uint64
	MerchantRef string
}

// MsgMarkPaid says the merchant paid the fiat; PaymentRef is the hash of
// the off-chain payment reference (bank transfer ID, ...).
type MsgMarkPaid struct {
	ID         types.Hash
	PaymentRef types.Hash
}

// MsgConfirm says the acceptor received the fiat: the escrow is released
// to the merchant minus commission and fee.
type MsgConfirm struct{ ID types.Hash }

// MsgCancel cancels a locked, unpaid order (merchant only).
type MsgCancel struct{ ID types.Hash }

// MsgExtend extends the payment window once (acceptor only, when less than
// extend_threshold_ms remains).
type MsgExtend struct{ ID types.Hash }

// MsgDispute opens a dispute on a paid order. Evidence is an optional hash
// of an off-chain statement.
type MsgDispute struct {
	ID       types.Hash
	Evidence types.Hash
}

// Msg is any order message.
type Msg interface {
	ValidateBasic() error
	TxType() types.TxType
}

// TxType implements Msg.
func (*MsgCreate) TxType() types.TxType { return TypeCreate }

// TxType implements Msg.
func (*MsgMarkPaid) TxType() types.TxType { return TypeMarkPaid }

// TxType implements Msg.
func (*MsgConfirm) TxType() types.TxType { return TypeConfirm }

// TxType implements Msg.
func (*MsgCancel) TxType() types.TxType { return TypeCancel }

// TxType implements Msg.
func (*MsgExtend) TxType() types.TxType { return TypeExtend }

// TxType implements Msg.
func (*MsgDispute) TxType() types.TxType { return TypeDispute }

// CheckRef checks a merchant order reference.
func CheckRef(ref string) error {
	if len(ref) == 0 || len(ref) > MaxRefLen {
		return fmt.Errorf("%w: %d bytes (1–%d)", ErrBadRef, len(ref), MaxRefLen)
	}
	for i := 0; i < len(ref); i++ {
		if ref[i] < 0x21 || ref[i] > 0x7e {
			return fmt.Errorf("%w: byte %#x at %d (printable ASCII, no spaces)", ErrBadRef, ref[i], i)
		}
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgCreate) ValidateBasic() error {
	if err := acceptor.CheckCurrency(m.Currency); err != nil {
		return fmt.Errorf("%w: %q", ErrBadCurrency, m.Currency)
	}
	if m.FiatAmount == 0 {
		return ErrZeroFiat
	}
	return CheckRef(m.MerchantRef)
}

func checkID(id types.Hash) error {
	if id == (types.Hash{}) {
		return ErrZeroID
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgMarkPaid) ValidateBasic() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	if m.PaymentRef == (types.Hash{}) {
		return ErrZeroPaymentRef
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgConfirm) ValidateBasic() error { return checkID(m.ID) }

// ValidateBasic checks what needs no state.
func (m *MsgCancel) ValidateBasic() error { return checkID(m.ID) }

// ValidateBasic checks what needs no state.
func (m *MsgExtend) ValidateBasic() error { return checkID(m.ID) }

// ValidateBasic checks what needs no state.
func (m *MsgDispute) ValidateBasic() error { return checkID(m.ID) }

// NewMsg returns an empty message of type t, or an error wrapping
// core.ErrUnknownType.
func NewMsg(t types.TxType) (Msg, error) {
	switch t {
	case TypeCreate:
		return new(MsgCreate), nil
	case TypeMarkPaid:
		return new(MsgMarkPaid), nil
	case TypeConfirm:
		return new(MsgConfirm), nil
	case TypeCancel:
		return new(MsgCancel), nil
	case TypeExtend:
		return new(MsgExtend), nil
	case TypeDispute:
		return new(MsgDispute), nil
	}
	return nil, fmt.Errorf("%w %#x", core.ErrUnknownType, t)
}

// DecodeMsg decodes and validates the payload of a transaction of type t
// (for the API, the CLI and the mempool).
func DecodeMsg(t types.TxType, payload []byte) (Msg, error) {
	return core.DecodeTyped(NewMsg, t, payload)
}

// Cost is 0 for every order message: none spends the sender's balance
// (escrow comes from the acceptor's float). It errors on a bad payload, for
// mempool admission.
func Cost(tx *types.Tx) (uint64, error) {
	if _, err := DecodeMsg(tx.Type, tx.Payload); err != nil {
		return 0, err
	}
	return 0, nil
}
