package bridge

// Event types emitted by the bridge module (amounts micro-USDT decimal).
const (
	EventDepositAttested = "bridge.deposit_attested"    // id, signer, votes
	EventDepositMinted   = "bridge.deposit_minted"      // id, ext_chain, ext_tx, log_index, recipient, amount
	EventWithdrawal      = "bridge.withdrawal"          // id, from, ext_address, amount, deadline
	EventPaidAttested    = "bridge.paid_attested"       // id, signer, votes
	EventWithdrawalPaid  = "bridge.withdrawal_paid"     // id, ext_tx
	EventRefunded        = "bridge.withdrawal_refunded" // id, from, amount
	EventLocked          = "bridge.locked"              // chain, sender, recipient, amount, nonce
	EventReleased        = "bridge.released"            // chain, burn, recipient, amount
	EventPaused          = "bridge.paused"
	EventUnpaused        = "bridge.unpaused"
)

// EventBurned is what the side half emits for a burn towards main; a
// release proves one. Attributes: recipient (main address, hex), amount.
const EventBurned = "bridge.burned"
