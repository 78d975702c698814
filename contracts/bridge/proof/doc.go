// Package proof holds the bridge's proof formats and their verifiers, shared
// by the main chain's checkpoint and bridge modules, the side chain's light
// client and the relayer. It depends only on types, so every one of them can
// import it.
//
// # What is proven
//
// A receipt proof shows that a receipt is the one at index i of a block:
//
//	leaf   = receipt.Hash()                    (Keccak-256 of its RLP)
//	root   = header.ReceiptRoot                (types.MerkleRoot over the block's receipts)
//	total  = header.TxCount                    (one receipt per transaction)
//
// A header proof shows that a block hash is the one at height h of a
// checkpoint covering [start, end]:
//
//	leaf   = header.Hash()
//	root   = checkpoint.BlocksRoot             (types.MerkleRoot over the hashes of blocks start..end)
//	index  = h - start, total = end - start + 1
//
// A BurnProof chains the two: receipt → ReceiptRoot of the header → header
// hash at its index in a checkpoint's root. Index and total are never taken
// from the proof: the receipt index is the proof's only position field and
// is bound by the Merkle path (the tree shape for a given total fixes which
// leaf a path reaches), the header index follows from the header's height.
//
// # Canonical encodings and identity
//
// Decoders are strict: the input must be exactly one canonical RLP value
// (re-encoding the decoded value must give the same bytes), so one proof has
// one encoding. Replay protection does not rely on this: a burn is
// identified by BurnID(chain ID, height, receipt index, event index), all
// of which the verifier binds to the roots, so two encodings of a proof for
// the same burn yield the same ID.
//
// Zero roots and the root of an empty tree are refused everywhere: a
// default-initialised checkpoint or header never verifies anything.
package proof
