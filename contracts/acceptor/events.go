package acceptor

// Event types emitted by the acceptor module. Attributes are listed after
// each; amounts are micro-USDT decimal integers, times block-time ms.
const (
	EventRegistered      = "acceptor.registered"       // address, currencies, min_order, max_order
	EventUpdated         = "acceptor.updated"          // address, currencies, min_order, max_order
	EventFloatDeposited  = "acceptor.float_deposited"  // address, amount, float
	EventFloatWithdrawn  = "acceptor.float_withdrawn"  // address, amount, float
	EventMarginDeposited = "acceptor.margin_deposited" // address, amount, margin
	EventMarginWithdrawn = "acceptor.margin_withdrawn" // address, amount, margin
	EventPaused          = "acceptor.paused"           // address
	EventResumed         = "acceptor.resumed"          // address
	EventSlashed         = "acceptor.slashed"          // address, to, amount, margin
	EventReputation      = "acceptor.reputation"       // address, reputation, previous, reason
)
