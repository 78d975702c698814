package channel

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
