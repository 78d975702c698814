// Package side is the side chain's half of the bridge. MsgMint presents a
// receipt proof of a bridge.locked event on main, checked by the light
// client of main (contracts/lightclient) against a certified main header;
// the amount is minted to the recipient on this side chain once per
// proof.LockID, and only for locks addressed to this chain's ID. MsgBurn
// burns the sender's USDT and emits bridge.burned (recipient on main,
// amount), which main's bridge releases from its escrow once a checkpoint
// covering the block is anchored.
package side
