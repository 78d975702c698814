package checkpoint

// Event types emitted by the checkpoint module.
const (
	EventAnchored   = "checkpoint.anchored"            // chain, number, start, end, blocks_root, hash, signers
	EventHandover   = "checkpoint.handover"            // chain, number, validators_hash (the set that signs the next checkpoint)
	EventConflict   = "checkpoint.conflict"            // chain, number, anchored, conflicting (hashes); the chain is halted
	EventResumed    = "checkpoint.resumed"             // chain
	EventRegistered = "checkpoint.registered"          // chain, validators_hash, first_height
	EventReplaced   = "checkpoint.validators_replaced" // chain, validators_hash (by gov)
)
