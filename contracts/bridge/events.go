package bridge

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by the bridge module (amounts micro-USDT).
const (
	EventDepositAttested = "bridge.deposit_attested"    // id, signer, votes
	EventDepositMinted   = "bridge.deposit_minted"      // id, ext_chain, ext_tx, log_index, recipient, amount
	EventWithdrawal      = "bridge.withdrawal"          // id, from, ext_address, amount, deadline
	EventPaidAttested    = "bridge.paid_attested"       // id, signer, votes
	EventWithdrawalPaid  = "bridge.withdrawal_paid"     // id, ext_tx
	EventRefunded        = "bridge.withdrawal_refunded" // id, from, amount
	EventLocked          = "bridge.locked"              // chain, sender, recipient, amount, nonce
	EventReleased        = "bridge.released"            // chain, burn, recipient, amount, height, nonce
	EventPaused          = "bridge.paused"              // by
	EventUnpaused        = "bridge.unpaused"            // by
)

// EventBurned is what the side half (contracts/bridge/side) emits for a
// burn towards main; a release proves one. It is declared here because
// main decodes it: recipient (main address), amount, sender, nonce.
const EventBurned = "bridge.burned"

// The events as Go types (core.EmitEvent encodes them in field order).

// DepositAttestedEvent: a signer attested an external deposit; votes
// counts the current signers behind this content.
type DepositAttestedEvent struct {
	ID     types.Hash    `event:"id"`
	Signer types.Address `event:"signer"`
	Votes  uint64        `event:"votes"`
}

// DepositMintedEvent: a deposit reached the threshold and was minted.
type DepositMintedEvent struct {
	ID        types.Hash    `event:"id"`
	ExtChain  uint64        `event:"ext_chain"`
	ExtTx     types.Hash    `event:"ext_tx"`
	LogIndex  uint64        `event:"log_index"`
	Recipient types.Address `event:"recipient"`
	Amount    uint64        `event:"amount"`
}

// WithdrawalEvent: USDT was burned for a payout on the external chain
// (the bridge signers' work item); deadline is block time, ms.
type WithdrawalEvent struct {
	ID         uint64        `event:"id"`
	From       types.Address `event:"from"`
	ExtAddress types.Address `event:"ext_address"`
	Amount     uint64        `event:"amount"`
	Deadline   uint64        `event:"deadline"`
}

// PaidAttestedEvent: a signer attested a payout.
type PaidAttestedEvent struct {
	ID     uint64        `event:"id"`
	Signer types.Address `event:"signer"`
	Votes  uint64        `event:"votes"`
}

// WithdrawalPaidEvent: a payout reached the threshold.
type WithdrawalPaidEvent struct {
	ID    uint64     `event:"id"`
	ExtTx types.Hash `event:"ext_tx"`
}

// RefundedEvent: a payout timed out and was minted back to its owner.
type RefundedEvent struct {
	ID     uint64        `event:"id"`
	From   types.Address `event:"from"`
	Amount uint64        `event:"amount"`
}

// LockedEvent: USDT was escrowed on main for a recipient on side chain
// Chain; the side half mints it on proof of this event.
type LockedEvent struct {
	Chain     string        `event:"chain"`
	Sender    types.Address `event:"sender"`
	Recipient types.Address `event:"recipient"`
	Amount    uint64        `event:"amount"`
	Nonce     uint64        `event:"nonce"`
}

// ReleasedEvent: a proven side-chain burn was paid out of the escrow.
// Height (the side block of the burn) and Nonce (its BurnedEvent.Nonce)
// let the side chain, shown this event through its light client of main,
// stop retaining that block for the burn's proof.
type ReleasedEvent struct {
	Chain     string        `event:"chain"`
	Burn      types.Hash    `event:"burn"`
	Recipient types.Address `event:"recipient"`
	Amount    uint64        `event:"amount"`
	Height    uint64        `event:"height"`
	Nonce     uint64        `event:"nonce"`
}

// PausedEvent: the bridge was paused (By: the transaction's sender).
type PausedEvent struct {
	By types.Address `event:"by"`
}

// UnpausedEvent: the bridge was resumed.
type UnpausedEvent struct {
	By types.Address `event:"by"`
}

// BurnedEvent: USDT was burned on a side chain for Recipient on main.
type BurnedEvent struct {
	Recipient types.Address `event:"recipient"`
	Amount    uint64        `event:"amount"`
	Sender    types.Address `event:"sender"`
	Nonce     uint64        `event:"nonce"`
}

func (DepositAttestedEvent) EventType() string { return EventDepositAttested }
func (DepositMintedEvent) EventType() string   { return EventDepositMinted }
func (WithdrawalEvent) EventType() string      { return EventWithdrawal }
func (PaidAttestedEvent) EventType() string    { return EventPaidAttested }
func (WithdrawalPaidEvent) EventType() string  { return EventWithdrawalPaid }
func (RefundedEvent) EventType() string        { return EventRefunded }
func (LockedEvent) EventType() string          { return EventLocked }
func (ReleasedEvent) EventType() string        { return EventReleased }
func (PausedEvent) EventType() string          { return EventPaused }
func (UnpausedEvent) EventType() string        { return EventUnpaused }
func (BurnedEvent) EventType() string          { return EventBurned }

// Events implements core.EventDeclarer (the burn is the side half's).
func (Module) Events() []core.Event {
	return []core.Event{DepositAttestedEvent{}, DepositMintedEvent{}, WithdrawalEvent{}, PaidAttestedEvent{},
		WithdrawalPaidEvent{}, RefundedEvent{}, LockedEvent{}, ReleasedEvent{}, PausedEvent{}, UnpausedEvent{}}
}

var _ core.EventDeclarer = Module{}
