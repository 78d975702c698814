// Package arbitration decides disputes over escrow: C2C orders that became
// DISPUTED (a party's MsgDispute or the release timer) and conditional
// payments a party disputed. A dispute opens in the same transaction (the
// order and pay modules call its DisputeHook; MsgOpen covers a subject
// that went into dispute with no hook wired), collects evidence hashes,
// and is decided by k-of-m votes of a panel drawn from the arbitrator
// role. It never releases escrow on a timeout.
//
// # Phases
//
//	PANEL ─k agreeing votes─▶ RESOLVED
//	  │ panel_deadline_ms passes
//	  ▼
//	COMMITTEE ─⌈2/3⌉ agreeing votes─▶ RESOLVED
//	  │ committee_deadline_ms passes
//	  ▼
//	ESCALATED ─gov proposal's ResolveDispute action (ResolveEscalated)─▶ RESOLVED
//
// A resolved dispute never reopens: its ID is fixed by its subject
// (DisputeID = Keccak-256("accord/arbitration/v1" ‖ kind ‖ subject)) and a
// second open is refused (ErrExists).
//
// # Panel
//
// Eligible arbitrators hold gov's arbitrator role, are not frozen, are
// neither party, and share no KYC identity with either party; they are
// listed in address order. The panel is Draw(seed, disputeID, eligible,
// m): the i-th pick is Keccak-256(seed ‖ disputeID ‖ be64(i)) mod the
// number still in the pool, seed being the parent block's commit
// certificate hash, as for order assignment. With fewer than m eligible
// the panel is all of them and k is at most its size; with none the
// dispute escalates at once. Drawing reads every arbitrator's KYC once:
// its cost is bounded by the size of the role, which governance controls.
// When the panel misses its deadline the
// committee — every eligible arbitrator except the old panel, whose
// members may no longer vote — takes over with threshold ⌈2n/3⌉ and a
// fresh round; with nobody left, or when the committee misses its own
// deadline, the dispute escalates to governance (EventEscalated,
// Keeper.Escalated).
//
// # Votes and decisions
//
// MsgVote carries the winner (side A: the order's merchant or the
// payment's payee; side B: the acceptor or the payer), a reason code
// (no_payment, payment_not_confirmed, third_party_payer,
// protocol_violation, no_reply, bank_problem, other) and payouts to A and
// B that sum exactly to the escrow and give the winner a share. Only the
// current panel votes, once per round, before the round's deadline. The
// first time threshold votes of the round agree on winner and payouts the
// decision is carried out in that transaction (reason: the first agreeing
// vote's):
//
//	order, all to A     order.ResolveRelease (fee to treasury, margin slash)
//	order, all to B     order.ResolveRefund
//	order, a split      order.ResolveSplit (fee out of A's part; margin slash if A won)
//	payment             pay.Resolve(toPayee = A, toPayer = B)
//
// A merchant that loses (B wins an order) gets a mark through RiskRecorder.
//
// # Accuracy and response time
//
// Each vote adds to its arbitrator's Stats: votes, time from the round's
// start to the vote, and at resolution whether it agreed with the
// decision (AccuracyBps, MeanResponseMs).
//
// # Parameters and genesis
//
//	panel_size              3
//	panel_threshold         2         (clamped to panel_size)
//	evidence_window_ms      7200000   (2 h)
//	panel_deadline_ms       14400000  (4 h)
//	committee_deadline_ms   14400000  (4 h)
//	max_evidence_per_party  16
//	max_timeouts_per_block  100
//
// # Queries
//
// GetDispute, DisputeOf, OpenDisputes, Escalated, ArbitratorStats, PendingTimeouts.
//
// # Wiring
//
// The app assembly builds arbitration.NewKeeper(arbitration.Deps{Orders:
// order keeper, Payments: pay keeper, Roles: gov, KYC:
// acceptor.KYCFrom{kyc}, Freezer: risk keeper, Risk: risk keeper, Params:
// gov}), then gives the order and pay keepers WithHook(it) before building
// their modules, registers arbitration.NewModule(k) after them, sets it as
// gov.Module's Disputes (Keeper.ResolveDispute implements
// gov.DisputeResolver, so an admin proposal with gov.ResolveDisputeAction
// decides an escalated dispute), and lists arbitration.ParamSpecs and
// arbitration.Cost (core.TypeArbitration).
package arbitration
