// Package mempool holds the transactions a node has accepted but not yet
// seen committed: it admits them, hands the proposer an ordered selection,
// and forgets them once a block includes them or they can no longer run.
//
// # Admission
//
// A transaction is checked in this order, and the first failure is returned
// as a sentinel error wrapped with one readable line (errors.Is works on the
// sentinel; the text is what the CLI prints):
//
//	size                   ErrTooLarge
//	decoding (AddRaw)      types.ErrMalformedTx
//	chain ID               types.ErrWrongChainID
//	fee < Config.MinFee    ErrFeeTooLow
//	payload (CostFunc)     ErrBadPayload
//	signature              types.ErrBadSignature
//	reading sender's state ErrStateUnavailable
//	already pooled         ErrAlreadyKnown
//	nonce < account nonce  ErrNonceTooLow   (a replayed nonce)
//	nonce too far ahead    ErrNonceTooHigh  (beyond Config.NonceWindow)
//	sender+nonce pooled    ErrNonceTaken    (no replacement, see below)
//	cannot pay             ErrInsufficientFunds
//	sender at its cap      ErrSenderFull
//	pool at its cap        ErrPoolFull
//
// The stateless checks come first and cheapest first, so junk never costs an
// ECDSA recovery. "Cannot pay" means the amount (from CostFunc) plus the fee,
// added to what the sender's already pooled transactions will spend, exceeds
// the committed balance. A rejected transaction changes nothing (except
// that a sender caught in the middle of an Update, see below, is brought up
// to date first, as the Update would have done a moment later).
//
// Replacement: a second transaction for a pooled (sender, nonce) is refused
// with ErrNonceTaken, whatever its fee. Fees are flat on Accord and blocks
// are not fee-ordered, so replace-by-fee would buy nothing but churn in
// gossip and proposals; a transaction that can no longer run is dropped by
// Update, which frees its nonce.
//
// # Throughput
//
// Recovering a signature costs tens of microseconds; everything else costs
// well under one. So the expensive, stateless work (hashing, payload
// decoding, signature recovery through the shared sigcache, and reading the
// sender's committed account) runs before the pool lock is taken, in
// parallel on Config.Workers goroutines for AddBatch and AddRawBatch and on
// the caller's goroutine for Add. The locked part is a handful of map
// lookups and a slice insert with no allocation beyond map growth. Batch
// admission from gossip (AddRawBatch, AddBatch) is the fast path.
//
// # Reaping and updating
//
// Reap selects, without removing, what a proposer may put in the next block:
// for each sender only the contiguous run of nonces starting at its account
// nonce, and across senders a round-robin, one transaction per sender per
// round, senders in the order they entered the pool. The result is
// deterministic for a given pool history, and a sender with many pending
// transactions cannot crowd out others.
//
// After the ledger commits a block (state first, then the pool), the caller
// passes the block's transactions to Update. Update removes them, re-reads
// the committed account of every sender still pooled, and drops what can no
// longer run: nonces now below the account nonce (included elsewhere or
// replayed), and, in nonce order, transactions the new balance cannot cover.
// Call Update before reaping for the next height.
//
// # Eviction
//
// A transaction behind a nonce gap cannot be proposed until the sender's
// missing nonce arrives. Update evicts such a transaction once it has
// waited Config.MaxGapAge, and when the pool is full a runnable
// transaction evicts the gapped tails of other senders, oldest first,
// rather than being refused. Runnable transactions are never evicted; see
// evict.go.
//
// # Concurrency
//
// All methods are safe for concurrent use. StateReader and CostFunc are
// called concurrently from several goroutines and without the pool lock.
// Config.OnAdmit is called after the pool lock is released, on the
// goroutine that admitted the transactions.
package mempool
