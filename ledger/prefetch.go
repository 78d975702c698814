package ledger

import (
	"bytes"
	"errors"
	"runtime"
	"slices"
	"sync"

	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
)

// ReadKeyNamer is implemented by an App that can name, before a block runs,
// state keys its transactions will read (a transfer: the sender's and the
// recipient's accounts). Once the accounts outnumber the state cache, each
// of those reads is a database lookup (memtable, then sstables), taken one
// after another by the executing goroutine; the ledger instead reads the
// named keys of the whole block up front, in key order and on every core,
// and execution finds them in memory.
//
// It is a warm-up only: the block still executes sequentially against the
// committed state, which does not change while it runs, so a key named
// wrongly or left out costs one more read, never a different result.
type ReadKeyNamer interface {
	// ReadKeys calls add with state keys (without any ledger prefix) that
	// tx will read. The ledger keeps each key until the block has run:
	// pass a fresh slice, not a buffer reused for the next key.
	ReadKeys(tx *types.Tx, add func(key []byte))
}

// minPrefetchTxs is the smallest block worth prefetching for: below it the
// goroutines cost more than the reads they overlap.
const minPrefetchTxs = 64

// prefetched is a block's named keys, read from the committed state before
// the block runs: sorted keys and their values. It only holds keys the
// state cache did not, and the committed state cannot change while the
// block runs (Build, Execute and Commit take turns on one goroutine).
type prefetched struct {
	keys [][]byte
	vals []cachedValue
}

// prefetch reads the keys the App names for txs that the state cache does
// not hold from the database, sorted and in parallel; nil if there are
// none. A read that fails is left out, so execution meets the error itself.
// Keys the cache holds are left to it: with a state that fits the cache
// the prefetch then costs one cache lookup per key, not a sort.
func (l *Ledger) prefetch(app App, txs []*types.Tx) *prefetched {
	namer, ok := app.(ReadKeyNamer)
	if !ok || len(txs) < minPrefetchTxs {
		return nil
	}
	var keys [][]byte
	l.cache.mu.RLock()
	for _, tx := range txs {
		namer.ReadKeys(tx, func(k []byte) {
			if _, ok := l.cache.m[string(k)]; !ok {
				keys = append(keys, k)
			}
		})
	}
	l.cache.mu.RUnlock()
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, bytes.Compare)
	keys = slices.CompactFunc(keys, bytes.Equal)
	p := &prefetched{keys: keys, vals: make([]cachedValue, len(keys))}
	failed := make([]bool, len(keys))
	r := l.stateReader().prefixReader
	workers := min(runtime.GOMAXPROCS(0), (len(keys)+255)/256)
	var wg sync.WaitGroup
	for w := range workers {
		// Contiguous ranges of the sorted keys: each worker walks its part
		// of the key space in order, so neighbouring keys share blocks and
		// the memtable's search paths.
		lo, hi := w*len(keys)/workers, (w+1)*len(keys)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				v, err := r.Get(keys[i])
				switch {
				case err == nil:
					p.vals[i] = cachedValue{v: v, found: true}
				case errors.Is(err, kv.ErrNotFound):
				default:
					failed[i] = true
				}
			}
		}()
	}
	wg.Wait()
	if slices.Contains(failed, true) {
		n := 0
		for i := range keys {
			if !failed[i] {
				keys[n], p.vals[n] = keys[i], p.vals[i]
				n++
			}
		}
		p.keys, p.vals = keys[:n], p.vals[:n]
	}
	return p
}

func (p *prefetched) get(key []byte) (cachedValue, bool) {
	i, ok := slices.BinarySearchFunc(p.keys, key, bytes.Compare)
	if !ok {
		return cachedValue{}, false
	}
	return p.vals[i], true
}

// prefetchedReader is the committed state as a block's overlay reads it:
// the block's prefetched keys first, then the cache and the database.
type prefetchedReader struct {
	cachedStateReader
	p *prefetched
}

// Get implements kv.Reader, returning a copy the caller owns.
func (r prefetchedReader) Get(key []byte) ([]byte, error) {
	if cv, ok := r.p.get(key); ok {
		if !cv.found {
			return nil, kv.ErrNotFound
		}
		return bytes.Clone(cv.v), nil
	}
	return r.cachedStateReader.Get(key)
}
