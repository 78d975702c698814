package channel

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by the channel module, each carrying the channel
// "id" and its "state", then the attributes listed. Amounts are micro-USDT
// decimal integers, times block-time ms.
const (
	EventOpened   = "channel.opened"    // payer, payee, deposit, expiry, challenge_ms
	EventToppedUp = "channel.topped_up" // payer, amount, deposit
	EventExtended = "channel.extended"  // payer, expiry
	EventRedeemed = "channel.redeemed"  // payee, amount (paid now), redeemed (cumulative), nonce
	EventClosing  = "channel.closing"   // payer, closes_at
	EventSettled  = "channel.settled"   // payer, payee, redeemed, refunded, by (payer|payee)
)

// The events as Go types (core.EmitEvent encodes them in field order).

// OpenedEvent: a channel was opened with its deposit.
type OpenedEvent struct {
	ID          types.Hash    `event:"id"`
	State       string        `event:"state"`
	Payer       types.Address `event:"payer"`
	Payee       types.Address `event:"payee"`
	Deposit     uint64        `event:"deposit"`
	Expiry      uint64        `event:"expiry"`
	ChallengeMs uint64        `event:"challenge_ms"`
}

// ToppedUpEvent: the payer added to the deposit.
type ToppedUpEvent struct {
	ID      types.Hash    `event:"id"`
	State   string        `event:"state"`
	Payer   types.Address `event:"payer"`
	Amount  uint64        `event:"amount"`
	Deposit uint64        `event:"deposit"`
}

// ExtendedEvent: the payer moved the expiry later.
type ExtendedEvent struct {
	ID     types.Hash    `event:"id"`
	State  string        `event:"state"`
	Payer  types.Address `event:"payer"`
	Expiry uint64        `event:"expiry"`
}

// RedeemedEvent: the payee redeemed a voucher (amount is paid now, redeemed the cumulative total).
type RedeemedEvent struct {
	ID       types.Hash    `event:"id"`
	State    string        `event:"state"`
	Payee    types.Address `event:"payee"`
	Amount   uint64        `event:"amount"`
	Redeemed uint64        `event:"redeemed"`
	Nonce    uint64        `event:"nonce"`
}

// ClosingEvent: the payer started the challenge period.
type ClosingEvent struct {
	ID       types.Hash    `event:"id"`
	State    string        `event:"state"`
	Payer    types.Address `event:"payer"`
	ClosesAt uint64        `event:"closes_at"`
}

// SettledEvent: the channel settled; the payer got the remainder.
type SettledEvent struct {
	ID       types.Hash    `event:"id"`
	State    string        `event:"state"`
	Payer    types.Address `event:"payer"`
	Payee    types.Address `event:"payee"`
	Redeemed uint64        `event:"redeemed"`
	Refunded uint64        `event:"refunded"`
	By       string        `event:"by"`
}

func (OpenedEvent) EventType() string   { return EventOpened }
func (ToppedUpEvent) EventType() string { return EventToppedUp }
func (ExtendedEvent) EventType() string { return EventExtended }
func (RedeemedEvent) EventType() string { return EventRedeemed }
func (ClosingEvent) EventType() string  { return EventClosing }
func (SettledEvent) EventType() string  { return EventSettled }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event {
	return []core.Event{OpenedEvent{}, ToppedUpEvent{}, ExtendedEvent{}, RedeemedEvent{}, ClosingEvent{}, SettledEvent{}}
}

var _ core.EventDeclarer = Module{}
