package pay

// Event types emitted by the pay module, each carrying the payment "id" and
// its "state", then the attributes listed. Amounts are micro-USDT decimal
// integers, times block-time ms.
const (
	EventLocked   = "pay.locked"   // payer, payee, attester, amount, deadline
	EventReleased = "pay.released" // payee, amount, submitter
	EventRefunded = "pay.refunded" // payer, amount, reason (failed|expired)
	EventDisputed = "pay.disputed" // payer, payee, by (payer|payee), evidence
	EventResolved = "pay.resolved" // payer, payee, to_payee, to_payer
)
