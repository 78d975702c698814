package ledger

import (
	"errors"
	"sync"

	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/state"
)

// DefaultStateCacheEntries bounds the committed-state cache (about 100 B
// per entry for an account).
const DefaultStateCacheEntries = 1 << 18

// stateCache remembers committed state values (and absences) by state key.
// Execution and mempool admission read the same hot accounts block after
// block; without it each read walks pebble's memtable skiplist, which
// profiles showed at ~10% of a validator's CPU under load.
//
// It is transparent: Commit writes the block's state changes into it after
// the database batch lands, and a value read from the database is only
// remembered if no commit happened meanwhile (gen), so a slow reader can
// never put back a value a newer block replaced.
type stateCache struct {
	mu    sync.RWMutex
	gen   uint64
	m     map[string]cachedValue
	limit int
	// evicted counts evictions since m was last rebuilt. A Go map never
	// gives back the room deleted entries held, and under steady churn (a
	// full cache, every block evicting and inserting thousands of random
	// keys) its tables kept splitting: at a constant 205 000 entries the
	// live heap grew from 51 to 121 MiB over 2 000 blocks. So once four
	// times as many entries have been evicted as the cache holds, the
	// survivors move to a fresh map (a quarter of an insert per eviction);
	// the same churn then stayed at 52-54 MiB.
	evicted int
	rebuilt int // how many times (tests check the rebuild ran)
}

type cachedValue struct {
	v     []byte
	found bool
}

func newStateCache(limit int) *stateCache {
	return &stateCache{m: make(map[string]cachedValue), limit: limit}
}

// get returns the cached value for key (state key, no prefix) and the cache
// generation to pass to put after a database read on a miss.
func (c *stateCache) get(key []byte) (cachedValue, bool, uint64) {
	c.mu.RLock()
	v, ok := c.m[string(key)]
	gen := c.gen
	c.mu.RUnlock()
	return v, ok, gen
}

// put remembers a value read from the database at generation gen.
func (c *stateCache) put(gen uint64, key, v []byte, found bool) {
	c.mu.Lock()
	if c.gen == gen {
		c.makeRoom(1)
		c.m[string(key)] = cachedValue{v: v, found: found}
	}
	c.mu.Unlock()
}

// apply records a committed block's state writes.
func (c *stateCache) apply(ws []state.Write) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.makeRoom(min(len(ws), c.limit))
	for _, w := range ws {
		if _, had := c.m[string(w.Key)]; !had && len(c.m) >= c.limit {
			// A block writing more keys than the cache holds: the rest
			// are simply not cached (none of them is, so none is stale).
			continue
		}
		if w.Deleted {
			c.m[string(w.Key)] = cachedValue{}
		} else {
			c.m[string(w.Key)] = cachedValue{v: append([]byte{}, w.Value...), found: true}
		}
	}
}

// reset forgets everything (state written outside Commit, e.g. genesis).
func (c *stateCache) reset() {
	c.mu.Lock()
	c.gen++
	clear(c.m)
	c.mu.Unlock()
}

// makeRoom evicts arbitrary entries so n more fit. Which ones go does not
// matter for correctness, only for the hit rate.
func (c *stateCache) makeRoom(n int) {
	if len(c.m)+n <= c.limit {
		return
	}
	drop := len(c.m) + n - c.limit + c.limit/8
	c.evicted += drop
	for k := range c.m {
		if drop <= 0 {
			break
		}
		delete(c.m, k)
		drop--
	}
	if c.evicted >= 4*c.limit {
		fresh := make(map[string]cachedValue, c.limit)
		for k, v := range c.m {
			fresh[k] = v
		}
		c.m, c.evicted = fresh, 0
		c.rebuilt++
	}
}

// cachedStateReader is the committed state (keys without prefixState) read
// through the cache.
type cachedStateReader struct {
	prefixReader
	c *stateCache
}

// Get implements kv.Reader; like the database it returns a copy the caller
// owns.
func (r cachedStateReader) Get(key []byte) ([]byte, error) {
	cv, ok, gen := r.c.get(key)
	if ok {
		if !cv.found {
			return nil, kv.ErrNotFound
		}
		return append(make([]byte, 0, len(cv.v)), cv.v...), nil
	}
	v, err := r.prefixReader.Get(key)
	switch {
	case err == nil:
		r.c.put(gen, key, append([]byte{}, v...), true)
	case errors.Is(err, kv.ErrNotFound):
		r.c.put(gen, key, nil, false)
	}
	return v, err
}

// Has implements kv.Reader.
func (r cachedStateReader) Has(key []byte) (bool, error) {
	_, err := r.Get(key)
	if errors.Is(err, kv.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// stateReader is the committed state as the base of an Overlay or a
// ReadState.
func (l *Ledger) stateReader() cachedStateReader {
	return cachedStateReader{prefixReader{l.db, prefixState}, l.cache}
}

// SetStateCacheEntries bounds the committed-state cache to n entries (0:
// DefaultStateCacheEntries; negative: no cache beyond one entry). Call it
// before the ledger is used; it forgets what the cache held.
func (l *Ledger) SetStateCacheEntries(n int) {
	switch {
	case n == 0:
		n = DefaultStateCacheEntries
	case n < 1:
		n = 1
	}
	l.cache = newStateCache(n)
}

// StateCacheLen is the number of entries the state cache holds now.
func (l *Ledger) StateCacheLen() int {
	l.cache.mu.RLock()
	defer l.cache.mu.RUnlock()
	return len(l.cache.m)
}
