package sigcache

import (
	"encoding/binary"
	"sync"
	"sync/atomic"

	"github.com/accordnet/accord/internal/parallel"
	"github.com/accordnet/accord/types"
)

// DefaultCapacity is used by New for a capacity <= 0. It comfortably covers a
// full mempool plus the blocks being validated.
const DefaultCapacity = 1 << 18

// maxShards bounds the number of shards; minPerShard keeps small caches from
// being split into shards too small to be useful.
const (
	maxShards   = 64
	minPerShard = 64
)

// Cache maps transaction hashes to verified sender addresses.
type Cache struct {
	shards []shard
	mask   uint64
}

// shard is one lock-protected slice of the cache. ring holds the keys in
// insertion order so the oldest can be evicted in O(1); a key is in ring
// exactly when it is in m.
type shard struct {
	mu   sync.RWMutex
	m    map[types.Hash]types.Address
	ring []types.Hash
	next int // ring slot written by the next insertion
	hits atomic.Uint64
	miss atomic.Uint64
	_    [64]byte // keep neighbouring shards' locks off one cache line
}

// New returns a cache holding at most capacity senders (DefaultCapacity if
// capacity <= 0).
//
// Size it well above the working set, at least twice the mempool's MaxTxs:
// capacity is split evenly over shards that fill unevenly, and a FIFO cache
// scanned in insertion order by a working set larger than a shard misses on
// every entry of that shard.
func New(capacity int) *Cache {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	n := maxShards
	for n > 1 && capacity/n < minPerShard {
		n /= 2
	}
	c := &Cache{shards: make([]shard, n), mask: uint64(n - 1)}
	for i := range c.shards {
		// Spread the remainder so the shards add up to exactly capacity.
		size := capacity / n
		if i < capacity%n {
			size++
		}
		c.shards[i].m = make(map[types.Hash]types.Address, size)
		c.shards[i].ring = make([]types.Hash, 0, size)
	}
	return c
}

func (c *Cache) shard(h *types.Hash) *shard {
	// Keccak output is uniform, so any 8 bytes pick a shard evenly.
	return &c.shards[binary.LittleEndian.Uint64(h[:8])&c.mask]
}

// Lookup returns the cached sender of the transaction with hash h.
func (c *Cache) Lookup(h types.Hash) (types.Address, bool) {
	if c == nil {
		return types.Address{}, false
	}
	s := c.shard(&h)
	s.mu.RLock()
	a, ok := s.m[h]
	s.mu.RUnlock()
	return a, ok
}

// add records a verified sender. Inserting a key already present is a no-op,
// which keeps ring and m in step when two goroutines race on the same miss.
func (c *Cache) add(h types.Hash, a types.Address) {
	s := c.shard(&h)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[h]; ok {
		return
	}
	if len(s.ring) < cap(s.ring) {
		s.ring = append(s.ring, h)
	} else {
		delete(s.m, s.ring[s.next])
		s.ring[s.next] = h
		s.next++
		if s.next == len(s.ring) {
			s.next = 0
		}
	}
	s.m[h] = a
}

// Sender returns the verified sender of tx. On a hit it records the sender
// on tx (tx.SetSender) without touching the signature; on a miss it recovers
// the signature (tx.Sender) and caches the result if it is valid. Errors wrap
// types.ErrBadSignature.
func (c *Cache) Sender(tx *types.Tx) (types.Address, error) {
	if c == nil {
		return tx.Sender()
	}
	h := tx.Hash()
	s := c.shard(&h)
	s.mu.RLock()
	a, ok := s.m[h]
	s.mu.RUnlock()
	if ok {
		s.hits.Add(1)
		tx.SetSender(a, nil)
		return a, nil
	}
	s.miss.Add(1)
	a, err := tx.Sender()
	if err != nil {
		return types.Address{}, err
	}
	c.add(h, a)
	return a, nil
}

// Recover returns the address that signed digest, exactly as
// types.RecoverAddress does, recovering each (digest, signature) pair once:
// consensus votes, seen directly and again inside certificates, go through
// here. The key is Keccak-256(0x00 || digest || sig): a transaction's
// encoding is an RLP list and never starts with 0x00, so no transaction
// hash can equal it and votes share the cache with transactions without
// colliding. Only successes are cached; these lookups are not counted in
// Stats.
var votePrefix = [1]byte{0x00}

func (c *Cache) Recover(digest types.Hash, sig []byte) (types.Address, error) {
	if c == nil {
		return types.RecoverAddress(digest, sig)
	}
	key := types.Keccak(votePrefix[:], digest[:], sig)
	if a, ok := c.Lookup(key); ok {
		return a, nil
	}
	a, err := types.RecoverAddress(digest, sig)
	if err != nil {
		return a, err
	}
	c.add(key, a)
	return a, nil
}

// RecoverAll finds the sender of every transaction in txs, recovering the
// signatures not already cached on up to workers goroutines (workers <= 0
// means runtime.GOMAXPROCS(0)). Each sender is recorded on its tx, so a
// later tx.Sender() is free. The result has one entry per transaction: nil
// or an error wrapping types.ErrBadSignature.
//
// Block validation calls it once for a whole proposed block.
func (c *Cache) RecoverAll(txs []*types.Tx, workers int) []error {
	errs := make([]error, len(txs))
	parallel.ForEach(len(txs), workers, func(i int) {
		_, errs[i] = c.Sender(txs[i])
	})
	return errs
}

// Len returns the number of cached senders.
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}

// Capacity returns the most senders the cache holds.
func (c *Cache) Capacity() int {
	if c == nil {
		return 0
	}
	n := 0
	for i := range c.shards {
		n += cap(c.shards[i].ring)
	}
	return n
}

// Stats reports lookups by Sender that hit and missed since New, for metrics.
func (c *Cache) Stats() (hits, misses uint64) {
	if c == nil {
		return 0, 0
	}
	for i := range c.shards {
		hits += c.shards[i].hits.Load()
		misses += c.shards[i].miss.Load()
	}
	return hits, misses
}
