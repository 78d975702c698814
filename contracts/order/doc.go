// Package order runs the C2C orders: a merchant asks for a fiat amount, the
// chain converts it to USDT at the oracle rate, assigns an acceptor by a
// weighted pseudo-random draw and locks the USDT from the acceptor's float
// in escrow; the merchant pays fiat off-chain and marks the order paid, the
// acceptor confirms, and the escrow is released. Timers in block time
// expire unpaid orders and turn unconfirmed ones into disputes.
//
// # States
//
//	CREATED ─assign+lock─▶ LOCKED ─MarkPaid─▶ PAID ─Confirm─▶ COMPLETED
//	   │                     │                   │
//	   ▼                     ▼                   ▼ release window passes, or Dispute
//	REJECTED      EXPIRED / CANCELLED       DISPUTED ─▶ RESOLVED_RELEASE | RESOLVED_REFUND | RESOLVED_SPLIT
//
// CanTransition is exactly this diagram and every transition emits an
// event (events.go) carrying the order ID and its new state. CREATED lasts
// only inside MsgCreate: the same transaction either locks the escrow or,
// if no acceptor is eligible, stores the order as REJECTED (a later MsgCreate
// with the same reference retries it). Escrow is released exactly once: to
// the merchant (COMPLETED, RESOLVED_RELEASE) or back to the acceptor's
// float (EXPIRED, CANCELLED, RESOLVED_REFUND); a timeout never releases it
// to the merchant.
//
// Who may do what:
//
//	MsgCreate    merchant (KYC ≥ merchant_kyc_level, not frozen); fresh oracle rate; amount ≥ min_order_micro
//	MsgMarkPaid  merchant, LOCKED, before the payment deadline, not frozen
//	MsgConfirm   acceptor, PAID, before the release deadline
//	MsgCancel    merchant, LOCKED, before the payment deadline, < max_cancels_per_day today (UTC day of block time)
//	MsgExtend    acceptor, LOCKED, once, 0 < time left < extend_threshold_ms; adds extend_by_ms; not frozen
//	MsgDispute   merchant or acceptor, PAID (also after the release deadline: the timer would do the same)
//	ResolveRelease / ResolveRefund / ResolveSplit   Keeper methods for arbitration, DISPUTED only
//
// A DisputeHook (Deps.Hook, the arbitration module) hears of every new
// dispute in the transaction or block start that makes it.
//
// A frozen account may still cancel, confirm and dispute: freezing must not
// trap its counterparty's funds. Its orders' timers pause (see Timers), so
// they resolve by those actions, by the unfreeze, or by arbitration.
//
// # Order IDs
//
// OrderID(merchant, ref) = Keccak-256("accord/order/v1" ‖ merchant ‖ ref).
// The merchant knows it before sending, a reused reference is refused
// (ErrDuplicateRef) unless its order was REJECTED, and it does not depend on
// the transaction's position in the block.
//
// # Assignment
//
// Eligible acceptors (acceptor.Keeper.Eligible: active, not frozen, KYC
// valid, currency supported, within its bounds and ramp limits, free float
// ≥ amount, margin ≥ margin_bps of trailing-24h volume including this
// order; never the merchant itself or an account of its KYC identity) are
// listed in address order with integer weights (acceptor.Weight). With W
// their total,
//
//	r = Keccak-256(seed ‖ orderID) mod W       (all 256 bits, no modulo bias to speak of)
//
// and the winner is the first acceptor whose cumulative weight exceeds r.
// seed is ctx.Block.Seed, the hash of the parent block's commit
// certificate. A proposer cannot pick the winner by reordering: neither
// input depends on the order of transactions. (Earlier orders in the same
// block can change who is eligible and the weights, as any state change
// does.)
//
// # Money
//
// Escrow sits in EscrowAddress (bank.ModuleAddress("order")). On
// COMPLETED, with fee = ⌊amount × fee_bps / 10 000⌋ and commission =
// ⌊amount × commission_bps / 10 000⌋ (both fixed when the order is
// created), the merchant gets amount − fee − commission, the treasury (bank
// params) the fee, the acceptor's float the commission. On RESOLVED_RELEASE
// the merchant gets amount − fee and ⌊amount × dispute_slash_bps / 10 000⌋
// (at most the acceptor's margin) is slashed from the margin to the
// merchant. On RESOLVED_SPLIT the arbitrated parts (summing to the amount)
// go to the merchant (less ⌊part × fee_bps / 10 000⌋ to the treasury) and
// back to the acceptor's float, with the same slash if the acceptor lost.
// All arithmetic is checked uint64.
//
// # Timers
//
// LOCKED and PAID orders have one timer each, queued under
// "order/q/" ‖ deadline ‖ orderID. BeginBlock handles the due ones
// (deadline ≤ block time) in key order — deadline, then order ID — at most
// max_timeouts_per_block per block; the rest wait for the next block.
// Messages check deadlines themselves (an action at or after its deadline
// is refused with ErrWindowClosed), so a backlog never changes an outcome.
//
// A frozen party pauses its orders' timers (timers.go): the Freezer's
// owner (the risk module) calls AccountFrozen in the freezing transaction,
// which takes each of the account's running, not yet due timers out of the
// queue and keeps the ms it had left (Order.Paused, Order.Remaining); while
// paused an order never expires or turns into a dispute by itself and its
// window checks do not apply. AccountUnfrozen restarts each paused timer
// whose parties are both free again with deadline = unfreeze time + the
// remainder. A merchant marking paid an order whose acceptor is frozen
// starts the release window paused; an extension of a paused order adds
// to the remainder. "order/t/" ‖ party ‖ orderID indexes every order with
// a timer, so a freeze visits only that account's orders, never the queue.
//
// # Parameters and genesis
//
// Parameters live in gov's parameter store under module "order" (canonical
// decimal uint64; ParamBounds gives the ranges for gov's ParamSpecs):
//
//	payment_window_ms       900000   (15 min)
//	release_window_ms       1800000  (30 min)
//	extend_threshold_ms     300000   (5 min)
//	extend_by_ms            600000   (10 min)
//	commission_bps          50
//	fee_bps                 10
//	max_cancels_per_day     3
//	max_timeouts_per_block  1000
//	min_order_micro         1000000  (1 USDT)
//	merchant_kyc_level      1
//	dispute_slash_bps       1000
//
// The genesis section sets any of them:
//
//	"order": {"params": {"payment_window_ms": 900000, "max_cancels_per_day": 3}}
//
// # Queries
//
// GetOrder, OrderByRef, OrdersBy (merchant or acceptor, optional state,
// paged by sequence number), PendingTimeouts, TimedOf, Count, CancelsToday.
package order
