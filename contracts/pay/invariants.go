package pay

import (
	"fmt"

	"github.com/accordnet/accord/contracts/internal/store"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Escrowed adds up the amounts of every open (LOCKED or DISPUTED) payment.
func (Keeper) Escrowed(st state.Store) (uint64, error) {
	var sum uint64
	var err error
	if werr := store.Each(st, prefixPayment, "payment", func(p *Payment) bool {
		if p.State.Open() {
			sum, err = types.AddAmount(sum, p.Amount)
		}
		return err == nil
	}); werr != nil {
		return 0, werr
	}
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
	var open store.Tally
	_ = store.Each(st, prefixPayment, "payment", func(p *Payment) bool { // Escrowed decoded them all
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
			open.Add(p.Payer)
		}
		return msg == ""
	})
	if msg != "" {
		return "pay escrow: " + msg, true
	}
	if msg, broken := open.Check(st, prefixOpen, "open payments"); broken {
		return "pay escrow: " + msg, true
	}
	return "", false
}
