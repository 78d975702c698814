// Package pay runs conditional payments ("pay on delivery"): a payer locks
// USDT for a payee and names an attester — a third party such as a
// carrier's delivery oracle — and a deadline. The attester's signed outcome
// releases the money to the payee ("delivered") or refunds the payer
// ("failed"); with no attestation by the deadline the payer reclaims it;
// either party may instead take it to arbitration.
//
// # States
//
//	LOCKED ─MsgAttest delivered─▶ RELEASED
//	  │    ─MsgAttest failed, MsgRefund after the deadline─▶ REFUNDED
//	  └─MsgDispute─▶ DISPUTED ─Keeper.Resolve (arbitration)─▶ RESOLVED
//
// Every payment leaves escrow exactly once: each exit is a transition out
// of LOCKED or DISPUTED, which no later message can re-enter, and the
// invariant checks that a closed payment paid out exactly its amount.
//
// Who may do what (times are block time, ms):
//
//	MsgLock     payer, not frozen; payer, payee and attester all different; amount ≥ min_amount_micro;
//	            now < deadline ≤ now + max_deadline_ms; fewer than max_open_per_payer open payments
//	MsgAttest   anyone, carrying the attester's signature; LOCKED; now < deadline
//	MsgRefund   payer, LOCKED, now ≥ deadline
//	MsgDispute  payer or payee, LOCKED (also after the deadline, racing the refund: first wins)
//	Resolve     Keeper method for arbitration, DISPUTED; payouts sum exactly to the amount
//
// A frozen payer cannot lock; refunds, attestations and disputes still go
// through, so a freeze never traps the other party's money.
//
// The deadline does not pause while a party is frozen, unlike an order's
// timers. An order's timer acts by itself (expiry, a dispute) on a step
// the frozen party is barred from (a frozen merchant cannot mark paid), so
// running it on would punish the freeze rather than the silence. Here
// nothing happens at the deadline: it only ends the attester's window and
// opens the payer's reclaim, and a freeze bars neither the attester, nor
// the payer's refund, nor either party's dispute. The deadline is also an
// outside promise (a carrier's delivery date) that a risk review of one
// party must not stretch for the others.
//
// # Attestations
//
// Who submits: anyone. The attester signs
//
//	Keccak-256("accord/pay/attestation/v1" ‖ len(chainID) ‖ chainID ‖ paymentID ‖ outcome)
//
// off-chain (outcome 1 = delivered, 2 = failed) and the signature alone is
// the authority, so the payee (or the attester itself, or a relayer) can
// submit it and pay the fee. An attestation is bound to one chain and one
// payment; signed by anyone but the named attester it is refused
// (ErrWrongAttester); a second one finds the payment closed
// (ErrWrongState). An attestation arriving at or after the deadline is
// refused: from then on the payer may reclaim, and the outcome must not
// depend on which of the two transactions a proposer orders first.
//
// # Arbitration
//
// A DisputeHook (the arbitration module) is told in the dispute's own
// transaction and later calls Resolve(payment, toPayee, toPayer).
//
// # Parameters and genesis
//
//	min_amount_micro     10000        (0.01 USDT)
//	max_deadline_ms      7776000000   (90 days)
//	max_open_per_payer   1000
//
//	"pay": {"params": {"max_deadline_ms": 86400000}}
//
// # Queries
//
// GetPayment, NextID, PaymentCount, OpenCount, ByPayer (paged by seq), ByPayee.
//
// # Wiring
//
// The app assembly builds pay.NewKeeper(pay.Deps{Bank, Freezer: risk
// keeper, Params: gov}), sets WithHook(arbitration keeper), registers
// pay.NewModule(k), lists EscrowAddress in bank's blocked accounts,
// pay.ParamSpecs in gov's specs and pay.Cost for core.TypePay.
package pay
