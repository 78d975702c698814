package mempool

import (
	"slices"
	"time"

	"github.com/accordnet/accord/types"
)

// entry is one pooled transaction with everything admission derived from it,
// so nothing is re-encoded, re-hashed or re-recovered under the lock.
type entry struct {
	tx    *types.Tx
	hash  types.Hash
	from  types.Address
	nonce uint64
	total uint64 // amount + fee: what the tx takes from the sender
	size  int    // encoded bytes
	added time.Time
}

// account is a sender's committed state as last read.
type account struct {
	nonce, balance uint64
}

// senderQueue is the pooled transactions of one sender, sorted by nonce.
// Senders form a list in the order they entered the pool, which is the
// round-robin order of Reap.
type senderQueue struct {
	addr       types.Address
	acct       account  // committed state as read during Update epoch `epoch`
	epoch      uint64   // Pool.epoch when acct was read; older means stale
	spend      uint64   // sum of total over txs; never above acct.balance
	txs        []*entry // strictly increasing nonces
	prev, next *senderQueue
}

// find returns the index of nonce in txs, or where it would be inserted.
func (s *senderQueue) find(nonce uint64) (int, bool) {
	// Nonces mostly arrive in order, so check the tail first.
	if n := len(s.txs); n == 0 || s.txs[n-1].nonce < nonce {
		return n, false
	}
	return slices.BinarySearchFunc(s.txs, nonce, func(e *entry, n uint64) int {
		switch {
		case e.nonce < n:
			return -1
		case e.nonce > n:
			return 1
		}
		return 0
	})
}

// nextNonce is the nonce following the contiguous run of pooled txs that
// starts at the account nonce.
func (s *senderQueue) nextNonce() uint64 {
	want := s.acct.nonce
	for _, e := range s.txs {
		if e.nonce < want {
			continue // stale until the next Update drops it
		}
		if e.nonce != want {
			break
		}
		want++
	}
	return want
}

// gapAt returns the index of the first pooled tx that cannot run yet
// because a lower nonce is missing, or len(txs) when every tx can run.
func (s *senderQueue) gapAt() int {
	n := len(s.txs)
	if n == 0 {
		return 0
	}
	// At rest no tx is below the account nonce and nonces increase, so the
	// run is contiguous exactly when the last nonce is where it would be.
	if first := s.txs[0].nonce; first >= s.acct.nonce && s.txs[n-1].nonce-first == uint64(n-1) {
		if first == s.acct.nonce {
			return n
		}
		return 0
	}
	want := s.acct.nonce
	for i, e := range s.txs {
		if e.nonce < want {
			continue // stale until the next Update drops it
		}
		if e.nonce != want {
			return i
		}
		want++
	}
	return n
}
