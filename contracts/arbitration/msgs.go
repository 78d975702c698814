package arbitration

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Transaction types of the arbitration module.
const (
	TypeOpen     = core.TypeArbitration + 1 // MsgOpen: anyone
	TypeEvidence = core.TypeArbitration + 2 // MsgEvidence: a party
	TypeVote     = core.TypeArbitration + 3 // MsgVote: a member of the current panel
)

// Kind is what a dispute is about.
type Kind uint8

// Dispute kinds.
const (
	KindOrder   Kind = 1 // a C2C order (contracts/order)
	KindPayment Kind = 2 // a conditional payment (contracts/pay)
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindOrder || k == KindPayment }

func (k Kind) String() string {
	switch k {
	case KindOrder:
		return "order"
	case KindPayment:
		return "payment"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Side names a party: A is the order's merchant or the payment's payee
// (the side that asks to be paid), B the order's acceptor or the
// payment's payer (the side whose money is in escrow).
type Side uint8

// Sides.
const (
	SideA Side = 1
	SideB Side = 2
)

// Valid reports whether s is a known side.
func (s Side) Valid() bool { return s == SideA || s == SideB }

func (s Side) String() string {
	switch s {
	case SideA:
		return "a"
	case SideB:
		return "b"
	}
	return fmt.Sprintf("side(%d)", uint8(s))
}

// Reason is a decision's reason code.
type Reason uint8

// Reason codes (issue: no payment, payment not confirmed, third-party
// payer, protocol violation, no reply, bank problem, other).
const (
	ReasonNoPayment          Reason = 1
	ReasonPaymentUnconfirmed Reason = 2
	ReasonThirdPartyPayer    Reason = 3
	ReasonProtocolViolation  Reason = 4
	ReasonNoReply            Reason = 5
	ReasonBankProblem        Reason = 6
	ReasonOther              Reason = 7
)

var reasonNames = [...]string{
	ReasonNoPayment: "no_payment", ReasonPaymentUnconfirmed: "payment_not_confirmed",
	ReasonThirdPartyPayer: "third_party_payer", ReasonProtocolViolation: "protocol_violation",
	ReasonNoReply: "no_reply", ReasonBankProblem: "bank_problem", ReasonOther: "other",
}

// Valid reports whether r is a known reason.
func (r Reason) Valid() bool { return r >= ReasonNoPayment && r <= ReasonOther }

func (r Reason) String() string {
	if r.Valid() {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// ParseReason parses a reason name ("no_payment", ...).
func ParseReason(s string) (Reason, error) {
	for r := ReasonNoPayment; r <= ReasonOther; r++ {
		if reasonNames[r] == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("%w %q", ErrBadReason, s)
}

// MsgOpen opens the dispute of a subject that is in dispute but has none
// (the dispute hooks normally open it in the same transaction).
type MsgOpen struct {
	Kind    Kind
	Subject types.Hash
}

// MsgEvidence attaches the hash of an off-chain document (receipt, chat
// log, bank statement) to a dispute.
type MsgEvidence struct {
	ID   types.Hash
	Hash types.Hash
}

// MsgVote is an arbitrator's decision: the winner, a reason code, and the
// escrow's division between side A and side B.
type MsgVote struct {
	ID     types.Hash
	Winner Side
	Reason Reason
	ToA    uint64
	ToB    uint64
}

// Msg is any arbitration message.
type Msg interface {
	ValidateBasic() error
	TxType() types.TxType
}

// TxType implements Msg.
func (*MsgOpen) TxType() types.TxType { return TypeOpen }

// TxType implements Msg.
func (*MsgEvidence) TxType() types.TxType { return TypeEvidence }

// TxType implements Msg.
func (*MsgVote) TxType() types.TxType { return TypeVote }

// ValidateBasic checks what needs no state.
func (m *MsgOpen) ValidateBasic() error {
	if !m.Kind.Valid() {
		return fmt.Errorf("%w %d", ErrBadKind, m.Kind)
	}
	if m.Subject == (types.Hash{}) {
		return fmt.Errorf("subject: %w", ErrZeroHash)
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgEvidence) ValidateBasic() error {
	if m.ID == (types.Hash{}) || m.Hash == (types.Hash{}) {
		return ErrZeroHash
	}
	return nil
}

// ValidateBasic checks what needs no state: the escrow's size needs state,
// so the sum is checked by the keeper.
func (m *MsgVote) ValidateBasic() error {
	if m.ID == (types.Hash{}) {
		return ErrZeroHash
	}
	if !m.Winner.Valid() {
		return fmt.Errorf("%w %d", ErrBadWinner, m.Winner)
	}
	if !m.Reason.Valid() {
		return fmt.Errorf("%w %d", ErrBadReason, m.Reason)
	}
	if (m.Winner == SideA && m.ToA == 0) || (m.Winner == SideB && m.ToB == 0) {
		return fmt.Errorf("%w: winner %s gets nothing", ErrBadPayouts, m.Winner)
	}
	return nil
}

// NewMsg returns an empty message of type t, or an error wrapping
// core.ErrUnknownType.
func NewMsg(t types.TxType) (Msg, error) {
	switch t {
	case TypeOpen:
		return new(MsgOpen), nil
	case TypeEvidence:
		return new(MsgEvidence), nil
	case TypeVote:
		return new(MsgVote), nil
	}
	return nil, fmt.Errorf("%w %#x", core.ErrUnknownType, t)
}

// DecodeMsg decodes and validates the payload of a transaction of type t.
func DecodeMsg(t types.TxType, payload []byte) (Msg, error) {
	return core.DecodeTyped(NewMsg, t, payload)
}

// Cost is 0 for every arbitration message (none spends the sender's
// balance); it errors on a bad payload, for mempool admission.
func Cost(tx *types.Tx) (uint64, error) {
	if _, err := DecodeMsg(tx.Type, tx.Payload); err != nil {
		return 0, err
	}
	return 0, nil
}

// MarshalText writes a side as "a" or "b" (API and CLI JSON).
func (s Side) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("%w %d", ErrBadWinner, s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads "a" or "b".
func (s *Side) UnmarshalText(b []byte) error {
	switch string(b) {
	case "a":
		*s = SideA
	case "b":
		*s = SideB
	default:
		return fmt.Errorf("%w %q", ErrBadWinner, b)
	}
	return nil
}

// MarshalText writes a reason by name ("no_payment", ...).
func (r Reason) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, fmt.Errorf("%w %d", ErrBadReason, r)
	}
	return []byte(r.String()), nil
}

// UnmarshalText reads a reason name.
func (r *Reason) UnmarshalText(b []byte) error {
	v, err := ParseReason(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}
