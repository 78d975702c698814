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
	// tx will read; add copies the key.
	ReadKeys(tx *types.Tx, add func(key []byte))
}

// minPrefetchTxs is the smallest block worth prefetching for: below it the
// goroutines cost more than the reads they overlap.
const minPrefetchTxs = 64

// prefetched is a block's named keys, read from the committed state before
// the block runs: sorted keys and their values.
type prefetched struct {
	keys [][]byte
	vals []cachedValue
}

// prefetch reads the keys the App names for txs from the committed state,
// through the state cache, in parallel; nil if the App names none. A read
// that fails is left out, so execution meets the error itself.
func (l *Ledger) prefetch(app App, txs []*types.Tx) *prefetched {
	namer, ok := app.(ReadKeyNamer)
	if !ok || len(txs) < minPrefetchTxs {
		return nil
	}
	keys := make([][]byte, 0, 2*len(txs))
	for _, tx := range txs {
		namer.ReadKeys(tx, func(k []byte) { keys = append(keys, bytes.Clone(k)) })
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, bytes.Compare)
	keys = slices.CompactFunc(keys, bytes.Equal)
	p := &prefetched{keys: keys, vals: make([]cachedValue, len(keys))}
	failed := make([]bool, len(keys))
	r := l.stateReader()
	workers := min(runtime.GOMAXPROCS(0), (len(keys)+255)/256)
	var wg sync.WaitGroup
	for w := range workers {
		// Contiguous ranges of the sorted keys: each worker walks its part
		// of the key space in order, so neighbouring keys share blocks.
		lo, hi := w*len(keys)/workers, (w+1)*len(keys)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				v, found, err := r.peek(keys[i])
				if err != nil {
					failed[i] = true
					continue
				}
				p.vals[i] = cachedValue{v: v, found: found}
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

// peek reads key through the cache without remembering a database read:
// a prefetch must not evict what the cache holds for keys a block may not
// even write (the block's writes reach the cache at Commit).
func (r cachedStateReader) peek(key []byte) ([]byte, bool, error) {
	if cv, ok, _ := r.c.get(key); ok {
		return cv.v, cv.found, nil
	}
	v, err := r.prefixReader.Get(key)
	switch {
	case err == nil:
		return v, true, nil
	case errors.Is(err, kv.ErrNotFound):
		return nil, false, nil
	default:
		return nil, false, err
	}
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
