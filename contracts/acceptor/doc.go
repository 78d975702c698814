// Package acceptor holds the acceptors of the C2C flow: KYC'd accounts that
// sell USDT for fiat. An acceptor registers its fiat currencies and payment
// methods (only hashes of the account details are on chain), deposits free
// float (the USDT orders are filled from) and margin (the collateral a lost
// dispute is slashed from), sets per-order bounds, and may pause. The order
// module assigns orders among eligible acceptors and moves float into and
// out of escrow through this package's Keeper.
//
// # Funds
//
// Float and margin sit in two module accounts, FloatAddress
// (bank.ModuleAddress("acceptor/float")) and MarginAddress
// ("acceptor/margin"); each record's Float, Locked and Margin fields are
// that acceptor's share. Every movement goes through bank.Keeper.Send, so
// bank's supply invariant keeps holding. Lock moves float into the order
// escrow account, Unlock moves it back, Settle records that escrow was paid
// out to someone else. FundsInvariant checks the ledgers against the
// module accounts.
//
// # Storage
//
// Each acceptor is two values (record.go): a fixed-layout binary "hot"
// part under "acceptor/r/" ‖ address (status, bounds, float, locked,
// margin, reputation, credited completions, volume buckets) that the draw
// reads for every candidate and Lock writes, and an RLP profile under
// "acceptor/x/" ‖ address (identity, currencies, methods, other counters).
// "acceptor/c/" ‖ currency holds the addresses of the active acceptors
// supporting it, ascending, as one value, so an order reads its candidate
// list with one Get; "acceptor/p/" ‖ address ‖ identity counts credited
// completions per counterparty identity.
//
// # Eligibility
//
// An acceptor may be assigned an order of A micro-USDT in currency C at
// block time t when it is active, not frozen, holds a valid KYC attestation
// of at least min_kyc_level, supports C, MinOrder ≤ A ≤ MaxOrder (if set),
// A ≤ its per-order limit, V + A ≤ its daily limit, Float ≥ A, and
//
//	Margin ≥ ⌈margin_bps × (V + A) / 10 000⌉
//
// where V is the volume assigned to it in the trailing 24 hours: the sum of
// its hourly buckets (hour = ⌊t / 3 600 000⌋) for the current hour and the
// 23 before. Assigned volume stays in the window even if the order later
// expires or is cancelled. Margin can be withdrawn only down to
// ⌈margin_bps × V / 10 000⌉ and only while no dispute of the acceptor is
// open.
//
// # Ramp-up
//
// A new acceptor's limits grow with account age and credited completions:
//
//	progress = min(min(age, ramp_age_ms) × 10 000 / ramp_age_ms,
//	               min(G, ramp_orders) × 10 000 / ramp_orders)      (bps)
//	per-order limit = new_order_limit + (max_order_limit − new_order_limit) × progress / 10 000
//	daily limit     = new_daily_limit + (max_daily_limit − new_daily_limit) × progress / 10 000
//
// with G the credited completions below, so wash trades do not ramp limits.
// Reputation R then scales the per-order limit: it is multiplied by
// (5 000 + 5 000 × R / rep_full_limit) / 10 000 while R < rep_full_limit
// (default 300, a new acceptor's score), so it is halved at R = 0.
//
// # Reputation
//
// Reputation R ∈ [0, 1000] is recomputed from the acceptor's Stats whenever
// they change, with integer arithmetic only (every division rounds down):
//
//	D = distinct counterparty identities credited
//	G = credited completions
//	E = orders that expired unpaid
//	W = disputes won (escrow refunded to the acceptor)
//	L = disputes lost (escrow released to the merchant)
//	m = median of the last 15 credited release times (PAID → COMPLETED)
//
//	volume      = 400 × D / (D + rep_half_counterparties)
//	s           = 300                                   if m ≤ rep_fast_release_ms
//	            = 0                                     if m ≥ rep_slow_release_ms
//	            = 300 × (slow − m) / (slow − fast)      otherwise
//	speed       = (n × s + (15 − n) × 150) / 15         n = samples (0–15)
//	reliability = 300 × (G + W + 5) / (G + W + E + 4L + 10)
//	R = min(volume + speed + reliability, 1000)
//
// A completion is credited only if the merchant holds a valid KYC
// attestation whose identity differs from the acceptor's, and each
// counterparty identity credits at most rep_counterparty_cap completions;
// only credited completions give release-time samples. So trades between
// linked accounts (one identity behind both) earn nothing, and one
// colluding identity earns at most one distinct counterparty and a capped
// number of completions. Expiries count against the acceptor because it
// delivers its payment details to the merchant off-chain after assignment;
// an unresponsive acceptor is what makes orders expire. Speed and
// reliability start from a neutral 150 and move away from it gradually:
// speed over its first 15 samples, reliability through a prior worth five
// observations (the "+ 5" and "+ 10"). A new acceptor starts at
// 0 + 150 + 150 = 300; one with 20 distinct counterparties, a 1-minute
// median release and no failures over 200 credited completions scores
// 200 + 300 + 292 = 792, and 1000 is approached only with many distinct
// counterparties.
//
// # Draw weight
//
// The order module draws among eligible acceptors with weight
//
//	w = (R + weight_floor) × (⌊√⌊Float / 1 USDT⌋⌋ + 1)
//
// (see Weight): reputation counts linearly, float with diminishing returns,
// and weight_floor lets a new acceptor be drawn.
//
// # Parameters and genesis
//
// Parameters live in gov's parameter store under module "acceptor" as
// canonical decimal uint64 values and change through gov proposals
// (ParamBounds gives each key's range for gov's ParamSpecs):
//
//	margin_bps               2000       margin / trailing-24h volume, bps
//	min_kyc_level            1
//	new_order_limit_micro    500 USDT   per-order limit of a new acceptor
//	max_order_limit_micro    50 000 USDT
//	new_daily_limit_micro    2 000 USDT trailing-24h limit of a new acceptor
//	max_daily_limit_micro    1 000 000 USDT
//	ramp_age_ms              30 days
//	ramp_orders              100
//	rep_half_counterparties  20
//	rep_counterparty_cap     100
//	rep_fast_release_ms      2 min
//	rep_slow_release_ms      30 min
//	weight_floor             100
//	rep_full_limit           300        reputation from which the per-order limit is whole
//
// The genesis section sets any of them:
//
//	"acceptor": {"params": {"margin_bps": 2000, "ramp_age_ms": 2592000000}}
//
// # Transactions
//
// TypeRegister … TypeResume (core.TypeAcceptor + 1 … + 8) carry the Msg
// types of msgs.go, RLP-encoded with core.Encode. A frozen sender is
// refused every message.
package acceptor
