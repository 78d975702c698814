// Package channel runs unidirectional USDT micropayment channels: a payer
// locks a deposit for one payee, then pays it off-chain with vouchers —
// signed promises of a cumulative amount — at the speed of a signature
// check; the payee redeems the best voucher on-chain whenever it likes, and
// the payer gets back what was not redeemed once the channel ends.
//
// # States
//
//	OPEN ─Close (payer)─▶ CLOSING ─Settle─▶ SETTLED
//	  └──────────────── Settle ────────────────┘
//
// Who may do what (times are block time, ms):
//
//	MsgOpen    payer, not frozen; deposit ≥ min_deposit_micro; now < expiry ≤ now + max_expiry_ms;
//	           fewer than max_open_per_payer unsettled channels
//	MsgTopUp   payer, OPEN, now < expiry, not frozen
//	MsgExtend  payer, OPEN, now < expiry, not frozen; the new expiry is later and ≤ now + max_expiry_ms
//	MsgRedeem  payee, OPEN or CLOSING, now < RedeemUntil; voucher signed by the payer for this
//	           chain, amount ≤ deposit, amount and nonce above the last redeemed ones
//	MsgClose   payer, OPEN, now < RedeemUntil
//	MsgSettle  payee any time before SETTLED; payer once now ≥ RedeemUntil
//
// RedeemUntil is expiry + challenge period while OPEN, and
// min(close time + challenge period, expiry + challenge period) once
// CLOSING. The challenge period is challenge_period_ms at open, fixed for
// the channel's life, so a parameter change cannot shorten a window a payee
// relies on. The payee therefore always has at least one challenge period
// after the payer's last word (close or expiry) to redeem.
//
// A frozen payer cannot open, top up or extend (it would commit more
// value) but can close; a frozen payee can still redeem and settle (it
// receives value). Neither can trap the other's funds.
//
// # Vouchers
//
// A voucher (voucher.go) is (channel ID, cumulative amount, nonce) signed
// by the payer with secp256k1 over
//
//	Keccak-256("accord/channel/voucher/v1" ‖ len(chainID) ‖ chainID ‖ channelID ‖ be64(amount) ‖ be64(nonce))
//
// so a voucher is bound to one chain and one channel, and cannot be
// mistaken for a transaction or any other signature. Amounts are
// cumulative: a redeem pays the difference to what was already paid, so
// redeeming 1 000 vouchers of 0.01 USDT takes one transaction (the last
// voucher), or as many as the payee likes. The nonce is the payer's counter
// of vouchers; both it and the amount must rise with each redeem, so an
// older voucher is refused (ErrStaleVoucher). Receiver is a payee's
// concurrent off-chain book that verifies and keeps the best voucher per
// channel; the client SDK wraps it.
//
// # Money
//
// Deposits sit in EscrowAddress (bank.ModuleAddress("channel")); bank must
// list it as blocked. Every channel's escrow leaves exactly once in total:
// redeemed parts to the payee, the remainder to the payer at settlement
// (Refunded). All arithmetic is checked.
//
// # Channel IDs
//
// ChannelID(payer, seq) = Keccak-256("accord/channel/v1" ‖ payer ‖ be64(seq)),
// seq counting the payer's channels from 1 (Keeper.NextID), so a payer can
// sign vouchers for a channel before its MsgOpen is final.
//
// # Parameters and genesis
//
//	challenge_period_ms  3600000      (1 h; 1 min – 30 days)
//	min_deposit_micro    10000        (0.01 USDT)
//	max_expiry_ms        31536000000  (365 days)
//	max_open_per_payer   1000
//
//	"channel": {"params": {"challenge_period_ms": 600000}}
//
// # Queries
//
// GetChannel, NextID, ChannelCount, OpenCount, ByPayer (paged by seq),
// ByPayee.
//
// # Wiring
//
// The app assembly builds channel.NewKeeper(channel.Deps{Bank, Freezer:
// risk keeper, Params: gov}), registers channel.NewModule(k), lists
// EscrowAddress in bank's blocked accounts, channel.ParamSpecs in gov's
// specs, and channel.Cost for core.TypeChannel in the mempool's cost.
package channel
