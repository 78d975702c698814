package channel

import (
	"fmt"

	"github.com/accordnet/accord/contracts/internal/store"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Escrowed adds up the unredeemed deposits of every unsettled channel.
func (Keeper) Escrowed(st state.Store) (uint64, error) {
	var sum uint64
	var err error
	if werr := store.Each(st, prefixChannel, "channel", func(c *Channel) bool {
		if c.State != StateSettled && c.Redeemed <= c.Deposit {
			sum, err = types.AddAmount(sum, c.Remaining())
		}
		return err == nil
	}); werr != nil {
		return 0, werr
	}
	return sum, err
}

// EscrowInvariant checks that the escrow account holds at least the
// unredeemed deposits of unsettled channels (more only if someone sent USDT
// to it directly), that no channel paid out more than its deposit, that a
// settled channel refunded exactly its remainder, and that each payer's
// open count is its number of unsettled channels. It walks every channel:
// for tests and audits.
func (k Keeper) EscrowInvariant(st state.Store) (string, bool) {
	sum, err := k.Escrowed(st)
	if err != nil {
		return "channel escrow: " + err.Error(), true
	}
	if b := k.bank.Balance(st, EscrowAddress); b < sum {
		return fmt.Sprintf("channel escrow: channels hold %d, escrow account %d", sum, b), true
	}
	var msg string
	var open store.Tally
	_ = store.Each(st, prefixChannel, "channel", func(c *Channel) bool { // Escrowed decoded them all
		switch {
		case !c.State.Valid():
			msg = fmt.Sprintf("channel %s: state %d", c.ID.Hex(), c.State)
		case c.Redeemed > c.Deposit:
			msg = fmt.Sprintf("channel %s: redeemed %d > deposit %d", c.ID.Hex(), c.Redeemed, c.Deposit)
		case c.State == StateSettled && c.Refunded != c.Deposit-c.Redeemed:
			msg = fmt.Sprintf("channel %s: refunded %d, remainder %d", c.ID.Hex(), c.Refunded, c.Deposit-c.Redeemed)
		case c.State != StateSettled && c.Refunded != 0:
			msg = fmt.Sprintf("channel %s: %s with refund %d", c.ID.Hex(), c.State, c.Refunded)
		case c.ID != ChannelID(c.Payer, c.Seq):
			msg = fmt.Sprintf("channel %s: ID does not match payer and seq %d", c.ID.Hex(), c.Seq)
		}
		if c.State != StateSettled {
			open.Add(c.Payer)
		}
		return msg == ""
	})
	if msg != "" {
		return "channel escrow: " + msg, true
	}
	if msg, broken := open.Check(st, prefixOpen, "unsettled channels"); broken {
		return "channel escrow: " + msg, true
	}
	return "", false
}
