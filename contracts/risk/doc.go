// Package risk is the real-time monitor: a rules engine over the chain's
// own order flow, with genesis-set, gov-changeable thresholds. Every hit
// is stored as an explainable event (rule, the figure, the threshold, the
// triggering order); a rule marked freeze freezes the account in the same
// transaction; compliance officers unfreeze with the hash of a case note.
//
// # Rules
//
// The order module's Observer hook feeds them; each update is O(1), so the
// work per order (and per block) is bounded, and no rule reads anything
// but chain state.
//
//	velocity            merchant has more than velocity_max_per_hour locked orders in one hour (block time)
//	volume              acceptor has more than volume_max_micro_per_day locked in one UTC day
//	expiry_ratio        more than expiry_max_bps of a merchant's last window_orders closed orders expired
//	dispute_loss_ratio  more than dispute_loss_max_bps of an account's last window_orders closed orders were
//	                    disputes it lost outright (RESOLVED_REFUND: merchant, RESOLVED_RELEASE: acceptor)
//	new_account_large   an account first seen less than new_account_age_ms ago locks an order ≥ new_account_large_micro
//	pair_repeat         one merchant–acceptor pair has more than pair_max_per_day orders in one UTC day (both hit)
//	structuring         more than structuring_max_per_day orders of a merchant in one UTC day fall within
//	                    structuring_band_bps below report_threshold_micro
//
// A count rule hits when its count first exceeds the threshold in its
// bucket, a ratio rule when its ratio rises above the threshold; neither
// again until it falls back. "<rule>_freeze" = 1 makes a hit freeze the
// account (defaults: velocity, dispute_loss_ratio and structuring freeze).
// Arbitration's RecordDisputeLoss adds a "dispute_loss" mark (never a
// freeze by itself).
//
// # Freezes
//
// Keeper is the Freezer acceptor, order, channel, pay and arbitration take:
// a frozen account cannot create or be assigned orders, deposit, withdraw,
// open channels or lock payments, and Ante refuses its bank transfers.
// Every freeze and unfreeze is told, in its own transaction, to the
// FreezeHooks (the order keeper), which pause the account's open orders'
// timers and restart them with the time they had left.
//
// # Queries
//
// Events (per account, oldest first; at most max_events_per_account kept),
// FreezeOf, FrozenAccounts, GetProfile.
//
// # Wiring
//
// The app assembly builds risk.NewKeeper(risk.Deps{Roles: gov, Params:
// gov}) first and passes it as Freezer to acceptor, order, channel, pay
// and arbitration, as order's Observer and arbitration's Risk; calls
// k.SetFreezeHooks(order keeper) once the order keeper exists; registers
// risk.NewModule(k); adds k.Ante after bank's ante; lists risk.ParamSpecs
// and risk.Cost (core.TypeRisk).
package risk
