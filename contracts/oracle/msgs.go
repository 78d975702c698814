package oracle

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Transaction types of the oracle module.
const (
	TypePostRates = core.TypeOracle + 1 // MsgPostRates: an oracle posts fiat rates
)

// RatePost is one currency's rate in a MsgPostRates.
type RatePost struct {
	Currency string // ISO 4217 code, e.g. "CNY"
	Rate     RateE8 // fiat units × 10^8 per USDT
}

// MsgPostRates records the sender's latest rate for each listed currency
// (replacing its previous post for that currency), stamped with the block
// time. One message may carry every supported currency once.
type MsgPostRates struct {
	Rates []RatePost
}

// ValidateBasic checks what needs no state.
func (m *MsgPostRates) ValidateBasic() error {
	if len(m.Rates) == 0 {
		return ErrNoPosts
	}
	if len(m.Rates) > len(currencies) {
		return fmt.Errorf("%w: %d (max %d)", ErrTooManyPosts, len(m.Rates), len(currencies))
	}
	for i, p := range m.Rates {
		if _, err := LookupCurrency(p.Currency); err != nil {
			return fmt.Errorf("rate %d: %w", i, err)
		}
		if p.Rate == 0 {
			return fmt.Errorf("rate %d (%s): %w", i, p.Currency, ErrZeroRate)
		}
		for _, q := range m.Rates[:i] {
			if q.Currency == p.Currency {
				return fmt.Errorf("%w: %s", ErrDuplicate, p.Currency)
			}
		}
	}
	return nil
}

// DecodePostRates decodes and validates a post-rates payload.
func DecodePostRates(payload []byte) (*MsgPostRates, error) {
	return core.DecodeValid[MsgPostRates](payload)
}

// Cost is oracle's mempool CostFunc: posting rates moves no USDT besides
// the fee, so it only decodes and validates the payload.
func Cost(tx *types.Tx) (uint64, error) {
	if tx.Type != TypePostRates {
		return 0, fmt.Errorf("%w %#x", core.ErrUnknownType, tx.Type)
	}
	_, err := DecodePostRates(tx.Payload)
	return 0, err
}

// TxType is the message's transaction type.
func (*MsgPostRates) TxType() types.TxType { return TypePostRates }
