// Package bridge is the main chain's half of the USDT bridge: external
// ingress and egress against an Ethereum-compatible chain where USDT is an
// ERC-20, and the main ↔ side escrow.
//
// # External deposits (ingress)
//
// Bridge signers are the holders of gov's bridge_signer role. Each attests
// a deposit into the vault (MsgAttestDeposit: external chain ID, tx hash,
// log index, recipient, amount). A deposit is identified by
// DepositID(chain ID, tx hash, log index) only; attestations are tallied
// per content (recipient, amount), each signer attests a deposit once, and
// when one content reaches attest_threshold signers that still hold the
// role, the amount is minted to the recipient — exactly once per
// DepositID. A signer whose role gov revoked can no longer attest, and its
// earlier attestations stop counting.
//
// # Withdrawals (egress)
//
// MsgWithdraw(external address, amount) burns the sender's USDT on main and
// records a pending payout, within withdraw_cap_per_day (all withdrawals
// of one UTC day of block time). Signers attest the payout paid
// (MsgAttestPaid with the external tx hash); at the threshold it is PAID.
// A payout not paid within payout_timeout_ms is REFUNDED (re-minted to the
// sender) by BeginBlock, at most max_timeouts_per_block per block. A
// signer must not pay out a withdrawal close to its deadline: paying after
// the refund would pay twice (the production vault would enforce the
// deadline itself).
//
// # Main → side and side → main
//
// MsgLock moves USDT into EscrowAddress for a registered side chain and
// emits bridge.locked, whose receipt the side chain's light client proves.
// MsgRelease presents a proof.BurnProof of a side chain's bridge.burned
// event (recipient, amount) in a block covered by an anchored checkpoint;
// the amount leaves the escrow to the recipient once per proof.BurnID,
// never more than was locked for that side chain (so a compromised side
// chain cannot drain another's escrow), and never while the checkpoint
// module has halted the chain. The release event names the burn's side
// height and nonce, so the side chain, shown it through its light client
// of main, stops retaining the burn's block (contracts/bridge/side).
//
// # Pruning
//
// A lock's receipt is what the side chain's mint proves, so a lock keeps
// its main block whole on a pruning node (core.HeightRetainer). Main never
// learns that side minted it (no proof comes back), so the hold ends
// retain.DefaultWindow blocks after the lock; a relayer slower than that
// proves the lock from a node that does not prune.
//
// # Pause
//
// Pause and Unpause are carried out by gov's SetBridgePaused action (`tx
// gov propose --bridge-pause|--bridge-unpause`; the module has no route of
// its own for them): while paused, attestations
// of deposits, withdrawals, locks and releases are refused; payout
// attestations and refunds go on, so nothing in flight is stranded.
package bridge
