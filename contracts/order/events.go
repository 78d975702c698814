package order

// Event types emitted by the order module: one per state transition, each
// carrying the order "id" and its new "state", then the attributes listed.
// Amounts are micro-USDT decimal integers, times block-time ms.
const (
	EventCreated         = "order.created"          // merchant, merchant_ref, currency, fiat_amount, amount
	EventLocked          = "order.locked"           // merchant, acceptor, amount, method, pay_deadline
	EventRejected        = "order.rejected"         // merchant, reason
	EventPaid            = "order.paid"             // merchant, acceptor, payment_ref, release_deadline
	EventCompleted       = "order.completed"        // merchant, acceptor, amount, to_merchant, commission, fee, release_ms
	EventCancelled       = "order.cancelled"        // merchant, acceptor, amount, cancels_today
	EventExpired         = "order.expired"          // merchant, acceptor, amount
	EventExtended        = "order.extended"         // acceptor, pay_deadline
	EventDisputed        = "order.disputed"         // merchant, acceptor, by (merchant|acceptor|timeout), evidence
	EventResolvedRelease = "order.resolved_release" // merchant, acceptor, to_merchant, fee, slashed
	EventResolvedRefund  = "order.resolved_refund"  // merchant, acceptor, amount
	EventResolvedSplit   = "order.resolved_split"   // merchant, acceptor, to_merchant, to_acceptor, fee, slashed
	EventPaused          = "order.paused"           // account (the frozen party), remaining_ms
	EventResumed         = "order.resumed"          // account (the unfrozen party), deadline
)
