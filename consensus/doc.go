// Package consensus is Accord's PBFT engine: a deterministic state machine
// that finalizes one block per height among a permissioned validator set.
//
// # Shape
//
// In the spirit of etcd's raft, the engine does no I/O of its own, has no
// goroutines, reads no clock and never ranges over a map in a way that
// shows in its output. The caller (the driver in package node) feeds it
//
//   - messages from the network: Engine.Step,
//   - time, as ticks: Engine.Tick,
//   - its answers to the engine's requests: Engine.Propose (a block built from
//     the mempool) and Engine.Synced (a finalized block fetched by block sync),
//
// and each call returns a list of Actions: Broadcast and SendTo (messages
// to deliver), RequestProposal, Commit (a final block and its certificate),
// RequestSync, Evidence (a validator signed two conflicting messages),
// ViewChanged (for logs and metrics) and Halted. The only side effects are
// through the interfaces the package declares: App (validator sets and
// block validation, implemented over the ledger), WAL (durable storage of
// this validator's own votes) and Signer.
//
// # Protocol
//
// Heights are decided one at a time; at height h the validator set V_h
// (App.ValidatorSet(h)) of n validators tolerates f = floor((n-1)/3)
// faults, and a quorum is q = V_h.Quorum() (2f+1 when n = 3f+1; in general
// the smallest q with 2q-n >= f+1 and q <= n-f). The primary of view v is
// validators[(h+v) mod n].
//
//  1. PRE-PREPARE: the primary of (h, v) asks the driver for a block
//     (RequestProposal), signs it and broadcasts it. Above view 0 the
//     proposal carries its NEW-VIEW justification (see 4).
//  2. PREPARE: a validator that accepts the proposal (signature, primary,
//     height and view, header rules: chain, parent, time, validator set
//     hash, proposer, the parent's commit certificate against V_{h-1}, and
//     App.ValidateBlock once per distinct block) broadcasts PREPARE(h, v,
//     hash). It prepares at most one block per view.
//  3. COMMIT: with the accepted proposal and q matching PREPAREs the
//     validator holds a prepared certificate; if it is still in view v it
//     broadcasts COMMIT(h, v, hash). q COMMITs for one block at one view are
//     a commit certificate (types.CommitCert): the block is final. The
//     engine emits Commit and moves to h+1; the certificate becomes the next
//     block's LastCert.
//  4. View change: each view has a timer of min(Base·2^v, Max) ticks. On
//     expiry a validator leaves view v for good and broadcasts VIEW-CHANGE(h,
//     v+1) with its highest prepared certificate (and that block's body).
//     The timer of the new view starts only once q validators asked for it
//     (or its proposal arrives), so an isolated validator does not race
//     ahead; seeing f+1 validators ask for higher views, a validator joins
//     the highest view f+1 of them reached. The new primary, holding q
//     VIEW-CHANGEs, proposes with them as justification: the block of the
//     highest prepared certificate among them if there is one, otherwise a
//     fresh block. Validators check the justification (q distinct members,
//     valid signatures, the top prepared certificate verified) and that the
//     proposal honours it.
//  5. Catching up: COMMITs for earlier views still count. A validator that
//     sees a later height's proposal takes the certificate of its own height
//     from that block's LastCert; one a height behind is sent a DECISION
//     (block and certificate) by peers that finalized; when f+1 validators
//     are seen at higher heights, or a certificate's block is missing, the
//     engine emits RequestSync. Messages for the next height are buffered
//     and replayed once the engine gets there.
//  6. While a height is undecided the engine re-sends its own messages for
//     the current view every RebroadcastTicks (signatures are reused), so a
//     lossy network cannot stall it once messages flow again.
//
// # Safety argument
//
// Claim: no two different blocks get commit certificates at one height
// while at most f validators of V_h are faulty.
//
// Quorum intersection: two sets of q validators share at least 2q-n >= f+1
// members, so at least one honest one. Honest validators sign at most one
// PREPARE and one COMMIT per (h, v), and never vote in a view after asking
// to leave it. Hence two prepared (or commit) certificates at the same (h,
// v) name the same block.
//
// Across views, suppose B is committed at (h, v): q validators sent
// COMMIT(v, B), so a set S of at least q-f >= f+1 honest ones prepared B at v
// before leaving v. Take the first view w > v with a valid proposal. Its
// justification holds q VIEW-CHANGE(w) messages and so includes a member of
// S, whose VIEW-CHANGE was sent after its COMMIT and therefore reports a
// prepared certificate of view >= v. Every prepared certificate of a view in
// [v, w) is for B (at v by intersection; no valid proposal, hence no honest
// PREPARE, exists strictly between). So the highest certificate in the
// justification names B, the proposal at w must be B, and honest validators
// prepare nothing else at w. By induction over views, no certificate for
// another block forms at any view >= v. Certificates at views < v for
// another block B' would, by the same argument applied to B', force B = B'.
//
// Crash safety: the engine appends every message it signs to the WAL
// (fsync'ed, one record per engine call) before the call returns the
// action that sends it; a COMMIT's record also holds the prepared
// certificate and block it rests on. New replays the WAL, so a restarted
// validator never signs a second PREPARE, COMMIT, PRE-PREPARE or
// VIEW-CHANGE for a (height, view), resumes in the highest view it reached,
// and still reports what it prepared. Records are kept for the previous
// height too, since the ledger may not have applied its block at the crash.
//
// Liveness (informal): after the network stabilises, views keep doubling
// up to Max, every validator re-sends its view change, and the f+1 rule
// gathers the honest validators in one view; among any f+1 consecutive views
// one has an honest primary, whose proposal every honest validator accepts.
//
// # Driver duties
//
//  1. Build with New (the last committed block and its certificate from the
//     ledger, a FileWAL for this validator) and carry out Start's actions.
//  2. Serialize all calls into the engine on one goroutine; call Tick at a
//     fixed period (the defaults assume 10 ms); pass every decoded message
//     to Step; log the returned error at debug level (it says why a message
//     was dropped) and count it by sentinel.
//  3. Carry out each call's actions in order before the next call:
//     Broadcast/SendTo go to the network; Commit applies the block to the
//     ledger (executing it if needed) — the next ValidateBlock call assumes
//     it is applied; a Commit for a height block sync already applied is a
//     no-op if the hash matches; RequestProposal is answered with Propose
//     (immediately if the mempool has transactions, else after the maximum
//     block interval; the base view timeout must stay well above that);
//     RequestSync fetches and verifies finalized blocks, applies them and
//     reports each with Synced, in height order (Synced does not replay
//     buffered messages, so a whole fetched batch may be applied before its
//     actions are carried out; a RequestProposal whose parent is no longer
//     the head is then stale and dropped); Evidence is kept for inclusion on
//     chain; Halted stops the node.
//  4. Proposals travel compact: Message.EncodeCompact sends a PRE-PREPARE
//     with transaction hashes instead of bodies (types.CompactBlock). The
//     receiving driver rebuilds the block from its mempool, fetches the
//     transactions it lacks from peers (checking each body against its
//     hash) and passes Step the whole proposal (Message.WithBlock); Step
//     refuses a compact one with ErrIncomplete. A driver that cannot
//     rebuild in time simply drops it: to the engine that is a proposal that
//     never arrived, which the view timer already handles, and since the
//     engine sees only whole blocks it validates every transaction of every
//     block it votes for exactly as before.
//     Why the driver and not the engine: fetching is I/O with timeouts and
//     peers to choose, none of which belongs in a deterministic state
//     machine; and with whole blocks only, the WAL, view changes (which
//     carry prepared bodies), DECISIONs and App.ValidateBlock keep one
//     shape. The signature covers the block hash, not the body's encoding,
//     so the rebuilt message verifies unchanged, and the block hash is the
//     header's, so nothing stored, synced or checkpointed changes.
//  5. Message.VerifySignature is a stateless check fit for a gossip topic
//     validator; better, verify with Message.VerifyWith through the node's
//     signature cache (a Recoverer such as sigcache.Cache) and pass the
//     same cache as Config.SigCache, so each signature is recovered once
//     per node.
package consensus
