package pay

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/store"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Escrowed adds up the amounts of every open (LOCKED or DISPUTED) payment.
func (Keeper) Escrowed(st state.Store) (uint64, error) {
	var sum uint64
	var err error
	st.Iterate(prefixPayment, state.PrefixEnd(prefixPayment), false, func(k, v []byte) bool {
		var p Payment
		if err = core.Decode(v, &p); err != nil {
			err = fmt.Errorf("payment %x: %w", k, err)
			return false
		}
		if p.State.Open() {
			sum, err = types.AddAmount(sum, p.Amount)
		}
		return err == nil
	})
	return sum, err
}

// EscrowInvariant checks that the escrow account holds at least the open
// payments' amounts, that every closed payment paid out exactly its amount
// (and an open one nothing), that released payments went wholly to the
// payee and refunded ones wholly to the payer, and that each payer's open
// count matches. It walks every payment: for tests and audits.
func (k Keeper) EscrowInvariant(st state.Store) (string, bool) {
	sum, err := k.Escrowed(st)
	if err != nil {
		return "pay escrow: " + err.Error(), true
	}
	if b := k.bank.Balance(st, EscrowAddress); b < sum {
		return fmt.Sprintf("pay escrow: open payments hold %d, escrow account %d", sum, b), true
	}
	var msg string
	open := map[types.Address]uint64{}
	var payers []types.Address
	st.Iterate(prefixPayment, state.PrefixEnd(prefixPayment), false, func(_, v []byte) bool {
		var p Payment
		_ = core.Decode(v, &p) // decoded above
		paid := p.ToPayee + p.ToPayer
		switch {
		case !p.State.Valid():
			msg = fmt.Sprintf("payment %s: state %d", p.ID.Hex(), p.State)
		case p.State.Open() && paid != 0:
			msg = fmt.Sprintf("payment %s: %s paid out %d", p.ID.Hex(), p.State, paid)
		case !p.State.Open() && (paid != p.Amount || paid < p.ToPayee):
			msg = fmt.Sprintf("payment %s: %s paid %d + %d of %d", p.ID.Hex(), p.State, p.ToPayee, p.ToPayer, p.Amount)
		case p.State == StateReleased && p.ToPayee != p.Amount, p.State == StateRefunded && p.ToPayer != p.Amount:
			msg = fmt.Sprintf("payment %s: %s split %d/%d", p.ID.Hex(), p.State, p.ToPayee, p.ToPayer)
		case p.ID != PaymentID(p.Payer, p.Seq):
			msg = fmt.Sprintf("payment %s: ID does not match payer and seq %d", p.ID.Hex(), p.Seq)
		}
		if p.State.Open() {
			if _, seen := open[p.Payer]; !seen {
				payers = append(payers, p.Payer)
			}
			open[p.Payer]++
		}
		return msg == ""
	})
	if msg != "" {
		return "pay escrow: " + msg, true
	}
	for _, a := range payers {
		if got := k.OpenCount(st, a); got != open[a] {
			return fmt.Sprintf("pay escrow: payer %s open count %d, %d open payments", a.Hex(), got, open[a]), true
		}
	}
	n := store.CountPrefix(st, prefixOpen)
	if n != len(payers) {
		return fmt.Sprintf("pay escrow: %d open counters, %d payers with open payments", n, len(payers)), true
	}
	return "", false
}
