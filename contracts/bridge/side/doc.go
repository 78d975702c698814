// Package side is the side chain's half of the bridge. MsgMint presents a
// receipt proof of a bridge.locked event on main, checked by the light
// client of main (contracts/lightclient) against a certified main header;
// the amount is minted to the recipient on this side chain once per
// proof.LockID, and only for locks addressed to this chain's ID. MsgBurn
// burns the sender's USDT and emits bridge.burned (recipient on main,
// amount), which main's bridge releases from its escrow once a checkpoint
// covering the block is anchored.
//
// Pruning (core.HeightRetainer): each burn keeps its block whole on a
// pruning node, because main's release is proven from its receipt, until
// main's release of it is shown here: MsgAckRelease proves, through the
// light client, main's bridge.released event, which names the burn's side
// height and nonce. The relayer sends it after each release. A burn no one
// releases stops holding its block after retain.DefaultWindow blocks, so
// one forgotten burn cannot stop pruning for ever; its proof then comes
// from a node that does not prune.
package side
