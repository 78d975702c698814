// Package lightclient keeps a light client of the main chain in a side
// chain's state: the headers of main that a quorum of main's validator set
// certified, so a main → side lock can be minted on side against a
// receipt proof (contracts/bridge/proof) without trusting the relayer.
//
// # Trust
//
// Genesis names main's chain ID and the validator set in force at a
// trusted height (normally main's genesis set at height 0). MsgUpdate
// relays one main header with its commit certificate (types.CommitCert);
// it is accepted when the header's ValidatorsHash is the set the client
// knows to be in force at that height and the certificate carries a quorum
// of that set's COMMIT signatures for the header's hash. The assumption is
// the chain's own: no validator set ever has a quorum of faulty members —
// also after it is rotated out (there is no trusting period yet; see
// DESIGN notes in the report).
//
// # Following validator-set changes
//
// A main header commits to the set that finalizes it (ValidatorsHash) but
// not to the next one. Main schedules a set change through gov: the
// transaction executing a SetValidators proposal at height h writes the set
// for h+valset.Delay and emits gov.validators_set (validators,
// effective_height) in its receipt. An update may carry receipt proofs of
// those events in the relayed header, hand over hand: the header is
// certified by the set in force at h, so the set it schedules is as
// trusted. The client keeps its set history by effective height, so the
// set in force at any height it may be asked about is known, and a header
// whose ValidatorsHash is not that set is refused (ErrUnknownSet: relay
// the header that scheduled the change first; headers may be relayed out
// of order, so a skipped one can be back-filled). If a block scheduled two
// changes, the later event wins, as in valset; a proof of a later event
// replaces an earlier one until a header at the effective height has been
// accepted.
//
// A one-field addition to types.Header (NextValidatorsHash, the set for
// height+1, which ledger knows when it builds a block because Delay ≥ 1)
// would let the client follow changes from headers alone; until then the
// gov event is the commitment.
//
// # Misbehaviour
//
// Two certified headers for different blocks at one height freeze the
// client: the conflicting header and certificate are stored as evidence
// and every update and proof is refused (ErrFrozen) until gov's
// UnfreezeLightClient action (`tx gov propose --lightclient-unfreeze
// MAIN_CHAIN`) calls Unfreeze.
//
// # Proofs
//
// VerifyReceipt checks a receipt proof against the stored header at a
// height and returns the proven event and its LockID; the side half of the
// bridge mints once per LockID.
package lightclient
