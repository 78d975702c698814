package acceptor

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Transaction types of the acceptor module.
const (
	TypeRegister       = core.TypeAcceptor + 1 // MsgRegister
	TypeUpdate         = core.TypeAcceptor + 2 // MsgUpdate
	TypeDepositFloat   = core.TypeAcceptor + 3 // MsgDepositFloat
	TypeWithdrawFloat  = core.TypeAcceptor + 4 // MsgWithdrawFloat
	TypeDepositMargin  = core.TypeAcceptor + 5 // MsgDepositMargin
	TypeWithdrawMargin = core.TypeAcceptor + 6 // MsgWithdrawMargin
	TypePause          = core.TypeAcceptor + 7 // MsgPause
	TypeResume         = core.TypeAcceptor + 8 // MsgResume
)

// Limits on an acceptor's profile.
const (
	MaxCurrencies = 23 // the oracle quotes 23 currencies
	MaxMethods    = 16
	MaxKindLen    = 32
)

// PaymentMethod is one way an acceptor receives fiat. Only a hash of the
// account details is on chain (salt them off-chain so the hash cannot be
// guessed from a short account number); the plain details reach the
// merchant off-chain once an order is assigned.
type PaymentMethod struct {
	Currency    string     // ISO 4217 code the method receives
	Kind        string     // public label, 1–32 of [a-z0-9_], e.g. "bank_transfer", "sepa", "upi"
	DetailsHash types.Hash // Keccak-256 of the salted account details; never the details
}

// MsgRegister registers the sender as an acceptor. The sender needs a
// valid KYC attestation. Currencies are strictly ascending; every currency
// has at least one method and every method names a listed currency.
// MinOrder/MaxOrder bound the orders the acceptor takes (micro-USDT;
// MaxOrder 0 means only the module's ramp limits apply).
type MsgRegister struct {
	Currencies []string
	Methods    []PaymentMethod
	MinOrder   uint64
	MaxOrder   uint64
}

// MsgUpdate replaces the sender's currencies, methods and order bounds.
type MsgUpdate struct {
	Currencies []string
	Methods    []PaymentMethod
	MinOrder   uint64
	MaxOrder   uint64
}

// MsgDepositFloat moves Amount from the sender's balance into its free float.
type MsgDepositFloat struct{ Amount uint64 }

// MsgWithdrawFloat moves Amount of free float back to the sender's balance.
type MsgWithdrawFloat struct{ Amount uint64 }

// MsgDepositMargin moves Amount from the sender's balance into its margin.
type MsgDepositMargin struct{ Amount uint64 }

// MsgWithdrawMargin moves Amount of margin back to the sender's balance,
// if what remains still covers the trailing-24h volume and no dispute of
// the acceptor is open.
type MsgWithdrawMargin struct{ Amount uint64 }

// MsgPause stops new assignments to the sender; open orders continue.
type MsgPause struct{}

// MsgResume makes a paused acceptor eligible again.
type MsgResume struct{}

// Msg is any acceptor message.
type Msg interface {
	ValidateBasic() error
	TxType() types.TxType
}

// TxType implements Msg.
func (*MsgRegister) TxType() types.TxType { return TypeRegister }

// TxType implements Msg.
func (*MsgUpdate) TxType() types.TxType { return TypeUpdate }

// TxType implements Msg.
func (*MsgDepositFloat) TxType() types.TxType { return TypeDepositFloat }

// TxType implements Msg.
func (*MsgWithdrawFloat) TxType() types.TxType { return TypeWithdrawFloat }

// TxType implements Msg.
func (*MsgDepositMargin) TxType() types.TxType { return TypeDepositMargin }

// TxType implements Msg.
func (*MsgWithdrawMargin) TxType() types.TxType { return TypeWithdrawMargin }

// TxType implements Msg.
func (*MsgPause) TxType() types.TxType { return TypePause }

// TxType implements Msg.
func (*MsgResume) TxType() types.TxType { return TypeResume }

// CheckCurrency checks the shape of an ISO 4217 code: three capital ASCII
// letters. Whether the oracle quotes it is checked against state.
func CheckCurrency(c string) error {
	if len(c) != 3 {
		return fmt.Errorf("%w: %q", ErrBadCurrency, c)
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return fmt.Errorf("%w: %q", ErrBadCurrency, c)
		}
	}
	return nil
}

func checkKind(s string) error {
	if len(s) == 0 || len(s) > MaxKindLen {
		return fmt.Errorf("%w: kind %q (1–%d of [a-z0-9_])", ErrBadMethod, s, MaxKindLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("%w: kind %q (1–%d of [a-z0-9_])", ErrBadMethod, s, MaxKindLen)
		}
	}
	return nil
}

// checkProfile is the stateless check shared by register and update.
func checkProfile(currencies []string, methods []PaymentMethod, minOrder, maxOrder uint64) error {
	if len(currencies) == 0 {
		return ErrNoCurrencies
	}
	if len(currencies) > MaxCurrencies {
		return fmt.Errorf("%w: %d (max %d)", ErrTooManyCurrencies, len(currencies), MaxCurrencies)
	}
	for i, c := range currencies {
		if err := CheckCurrency(c); err != nil {
			return err
		}
		if i > 0 && currencies[i-1] >= c {
			return fmt.Errorf("%w: %q after %q", ErrCurrencyOrder, c, currencies[i-1])
		}
	}
	if len(methods) == 0 {
		return fmt.Errorf("%w: none given", ErrMissingMethod)
	}
	if len(methods) > MaxMethods {
		return fmt.Errorf("%w: %d (max %d)", ErrTooManyMethods, len(methods), MaxMethods)
	}
	for i, m := range methods {
		if err := checkKind(m.Kind); err != nil {
			return fmt.Errorf("method %d: %w", i, err)
		}
		if m.DetailsHash == (types.Hash{}) {
			return fmt.Errorf("method %d: %w: details hash is zero", i, ErrBadMethod)
		}
		if !contains(currencies, m.Currency) {
			return fmt.Errorf("method %d: %w: currency %q is not listed", i, ErrBadMethod, m.Currency)
		}
		for j := 0; j < i; j++ {
			if methods[j].DetailsHash == m.DetailsHash && methods[j].Currency == m.Currency {
				return fmt.Errorf("method %d: %w: duplicate of method %d", i, ErrBadMethod, j)
			}
		}
	}
	for _, c := range currencies {
		found := false
		for _, m := range methods {
			if m.Currency == c {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("%w: %s", ErrMissingMethod, c)
		}
	}
	if maxOrder != 0 && maxOrder < minOrder {
		return fmt.Errorf("%w: max %d < min %d", ErrBadOrderBounds, maxOrder, minOrder)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ValidateBasic checks what needs no state.
func (m *MsgRegister) ValidateBasic() error {
	return checkProfile(m.Currencies, m.Methods, m.MinOrder, m.MaxOrder)
}

// ValidateBasic checks what needs no state.
func (m *MsgUpdate) ValidateBasic() error {
	return checkProfile(m.Currencies, m.Methods, m.MinOrder, m.MaxOrder)
}

func checkAmount(a uint64) error {
	if a == 0 {
		return ErrZeroAmount
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgDepositFloat) ValidateBasic() error { return checkAmount(m.Amount) }

// ValidateBasic checks what needs no state.
func (m *MsgWithdrawFloat) ValidateBasic() error { return checkAmount(m.Amount) }

// ValidateBasic checks what needs no state.
func (m *MsgDepositMargin) ValidateBasic() error { return checkAmount(m.Amount) }

// ValidateBasic checks what needs no state.
func (m *MsgWithdrawMargin) ValidateBasic() error { return checkAmount(m.Amount) }

// ValidateBasic checks what needs no state.
func (*MsgPause) ValidateBasic() error { return nil }

// ValidateBasic checks what needs no state.
func (*MsgResume) ValidateBasic() error { return nil }

// NewMsg returns an empty message of type t, or an error wrapping
// core.ErrUnknownType.
func NewMsg(t types.TxType) (Msg, error) {
	switch t {
	case TypeRegister:
		return new(MsgRegister), nil
	case TypeUpdate:
		return new(MsgUpdate), nil
	case TypeDepositFloat:
		return new(MsgDepositFloat), nil
	case TypeWithdrawFloat:
		return new(MsgWithdrawFloat), nil
	case TypeDepositMargin:
		return new(MsgDepositMargin), nil
	case TypeWithdrawMargin:
		return new(MsgWithdrawMargin), nil
	case TypePause:
		return new(MsgPause), nil
	case TypeResume:
		return new(MsgResume), nil
	}
	return nil, fmt.Errorf("%w %#x", core.ErrUnknownType, t)
}

// DecodeMsg decodes and validates the payload of a transaction of type t
// (for the API, the CLI and the mempool).
func DecodeMsg(t types.TxType, payload []byte) (Msg, error) {
	return core.DecodeTyped(NewMsg, t, payload)
}

// Cost returns the micro-USDT an acceptor transaction moves out of its
// sender's balance besides the fee (deposits), for mempool admission.
func Cost(tx *types.Tx) (uint64, error) {
	m, err := DecodeMsg(tx.Type, tx.Payload)
	if err != nil {
		return 0, err
	}
	switch m := m.(type) {
	case *MsgDepositFloat:
		return m.Amount, nil
	case *MsgDepositMargin:
		return m.Amount, nil
	}
	return 0, nil
}
