// Package checkpoint anchors side chains on the main chain. Each side chain,
// keyed by its chain ID, has a registered validator set and a run of
// anchored checkpoints; a checkpoint commits to a contiguous range of side
// blocks through the Merkle root of their hashes (contracts/bridge/proof),
// so a side-chain receipt can later be proven on main.
//
// # Acceptance
//
// MsgSubmit carries a Checkpoint and signatures over CheckpointDigest. It
// is anchored only if all of these hold:
//
//   - the side chain is registered and not halted;
//   - Number = last number + 1 and Start = last End + 1 (contiguous; the
//     first checkpoint starts at the chain's registered first height);
//   - BlocksRoot, AppHash, ValidatorsHash and NextValidatorsHash are set
//     (neither zero nor the empty-tree root);
//   - ValidatorsHash is the hash of the currently registered set (a set
//     that handed over is stale and signs nothing any more);
//   - the signatures are strictly sorted by validator index, each index a
//     member and each signature recovering to that member, and there are
//     more than 2/3 of the set's size of them (3·k > 2·n).
//
// # Validator-set hand-over
//
// A checkpoint's NextValidatorsHash names the set that signs the next
// checkpoint. When it differs from ValidatorsHash the message must carry
// the next set's members (NextValidators, hashing to it as a
// types.ValidatorSet); once anchored, that set is registered and the old one
// can no longer sign. When they are equal NextValidators must be empty, so a
// message has one form. The side chain's producer signs End's set as
// ValidatorsHash and End+1's as NextValidatorsHash; the two agree unless a
// change takes effect at End+1, so a checkpoint ends at the block before
// each change. Gov can also replace a chain's set (ReplaceValidators, gov's
// ReplaceCheckpointSet action: `tx gov propose --checkpoint-validators`),
// for a side chain whose set can no longer sign.
//
// # Conflicts
//
// A submission for an already anchored number whose content differs, but
// which carries a valid > 2/3 quorum of the set that signed the anchored
// one, proves that the side validators equivocated. It is not refused: it
// is stored as evidence (Evidence), the chain is halted (Halted) — no new
// checkpoints, and the bridge must refuse side → main releases — and the
// transaction succeeds so the evidence persists. Only gov lifts the halt
// (Resume, gov's ResumeCheckpoints action: `tx gov propose
// --checkpoint-resume CHAIN`). A resubmission of the identical checkpoint is refused
// (ErrAlreadyAnchored); one without a valid quorum is refused too.
//
// # Queries
//
// Chain, Latest, ByNumber, Covering (the checkpoint whose range holds a
// height, by binary search over the contiguous ranges), ValidatorSet,
// Evidence.
package checkpoint
