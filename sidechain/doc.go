// Package sidechain is the off-chain machinery between a side chain and the
// main chain: the checkpoint producer the side validators run, and the
// relayer anyone can run. Neither is trusted by the chains — every message
// they carry is verified on chain (contracts/checkpoint, contracts/lightclient,
// contracts/bridge) — so their job is liveness without waste: never sign two
// checkpoints for one number, never send a transaction twice, and pick up
// after a crash at any point.
//
// # Producer
//
// Checkpoint boundaries are a pure function of the side chain: checkpoint 1
// starts at FirstHeight, and a checkpoint starting at s ends at the first
// height e ≥ s where e-s+1 = Interval, or block time has advanced MaxAge
// since s, or the validator set changes at e+1 (a checkpoint never spans a
// hand-over, as contracts/checkpoint requires). Every validator therefore
// builds the same checkpoint for each number without talking to the others.
// It signs it, persisting the signed checkpoint before the vote leaves, and
// refuses forever to sign different content for a number it signed. Votes
// are gossiped (Gossip) and re-broadcast every step until the checkpoint is
// anchored, so lost votes and restarts cost only repetition. Once more than
// 2/3 of the set signed, the designated submitter — validator
// (Number + (h-End-1)/SubmitTimeout) mod n at side height h — submits the
// MsgSubmit; if it has not been anchored SubmitTimeout blocks later, the
// next validator's turn comes.
//
// # Relayer
//
// The relayer scans both chains block by block, recording in its own pebble
// store the work it finds (main headers the light client needs, locks to
// mint, burns to release) before advancing its scan cursors, in one synced
// batch. Each step checks chain state first (is it minted, released,
// anchored, trusted already?) and a transaction is persisted, with its
// nonce, before it is sent: after a crash the same signed transaction is
// re-sent rather than a new one built, and a record is dropped only once
// the chain's nonce has passed it. Nothing is lost (work is recorded before
// the cursor moves) and nothing is doubled (one signed transaction per
// step, identical bytes on every re-send).
//
// # Bridge signer
//
// A bridge signer follows the external ERC-20's Transfer logs into the
// vault and attests each deposit on main once it has Confirmations blocks
// on top. The one signer holding the vault key also pays approved
// withdrawals: one ERC-20 transfer out of the vault per withdrawal,
// tagged in its calldata with the main chain and withdrawal ID, signed and
// persisted before it is sent; one still unmined close to the refund
// deadline, or after the refund, is voided by reusing its vault nonce.
// Every signer attests a payout paid only after finding that tagged
// transfer on the external chain, confirmed and matching the withdrawal's
// recipient and amount (payout.go).
//
// # Processes
//
// The binary runs each as a process over JSON-RPC (package rpcchain, over
// the node's documented block reads and module queries): `accord bridge-signer`, `accord relayer`
// and `accord checkpointer` (a side validator's producer, gossiping votes
// with its peers over HTTP and serving completed checkpoints to relayers),
// each stepping with Run and keeping its progress in a Store under its
// home. `accord devchain` (package devchain) is the local external chain.
// `accord testnet up` (testnet.SystemUp; make testnet) starts the whole system.
//
// What a production deployment changes: the vault is a multisig or
// threshold-signature contract whose payouts the signers co-sign, not one
// signer's key; deposits name their main recipient (a vault deposit
// function) instead of crediting the sender's address; confirmations
// follow the external chain's finality; checkpointer gossip runs over
// authenticated links (the node's p2p) rather than plain HTTP.
package sidechain
