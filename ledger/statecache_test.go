package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/state"
)

// commitWrites stages ws like Ledger.Commit does: database batch first,
// then the cache.
func commitWrites(t testing.TB, db kv.DB, c *stateCache, ws []state.Write) {
	t.Helper()
	b := db.NewBatch()
	defer b.Close()
	if err := writeState(b, ws); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	c.apply(ws)
}

func cacheKey(i int) []byte { return []byte(fmt.Sprintf("acct/%03d", i)) }

// The cached reader answers exactly like the store for every key after any
// sequence of commits, deletions and evictions.
func TestStateCacheMatchesStore(t *testing.T) {
	for _, limit := range []int{4, 64, 1 << 10} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			db := kv.NewMemory()
			defer db.Close()
			c := newStateCache(limit)
			raw := prefixReader{db, prefixState}
			cached := cachedStateReader{raw, c}
			rng := rand.New(rand.NewPCG(uint64(limit), 1))
			for round := 0; round < 300; round++ {
				var ws []state.Write
				seen := map[string]bool{}
				for range rng.IntN(8) {
					k := cacheKey(rng.IntN(100))
					if seen[string(k)] {
						continue
					}
					seen[string(k)] = true
					if rng.IntN(4) == 0 {
						ws = append(ws, state.Write{Key: k, Deleted: true})
					} else {
						ws = append(ws, state.Write{Key: k, Value: []byte(fmt.Sprintf("v%d", round))})
					}
				}
				commitWrites(t, db, c, ws)
				if len(c.m) > limit {
					t.Fatalf("after a commit of %d writes the cache holds %d entries, limit %d", len(ws), len(c.m), limit)
				}
				for range 20 {
					k := cacheKey(rng.IntN(100))
					want, werr := raw.Get(k)
					got, gerr := cached.Get(k)
					if errors.Is(werr, kv.ErrNotFound) != errors.Is(gerr, kv.ErrNotFound) || string(want) != string(got) {
						t.Fatalf("round %d key %s: cached %q/%v, store %q/%v", round, k, got, gerr, want, werr)
					}
					has, err := cached.Has(k)
					if err != nil || has != (werr == nil) {
						t.Fatalf("round %d key %s: Has %v/%v, store err %v", round, k, has, err, werr)
					}
				}
				if len(c.m) > limit {
					t.Fatalf("cache holds %d entries, limit %d", len(c.m), limit)
				}
			}
			// The small caches evicted many times what they hold, so their
			// maps were rebuilt, and the reads above checked the survivors.
			if limit <= 64 && c.rebuilt == 0 {
				t.Fatalf("cache of %d entries evicted without a rebuild", limit)
			}
		})
	}
}

// A caller owns what Get returns: scribbling on it does not change the
// cache.
func TestStateCacheReturnsCopies(t *testing.T) {
	db := kv.NewMemory()
	defer db.Close()
	c := newStateCache(16)
	r := cachedStateReader{prefixReader{db, prefixState}, c}
	commitWrites(t, db, c, []state.Write{{Key: []byte("k"), Value: []byte("value")}})
	for range 2 { // the first read may come from the store, the second from the cache
		v, err := r.Get([]byte("k"))
		if err != nil || string(v) != "value" {
			t.Fatalf("Get = %q, %v", v, err)
		}
		copy(v, "XXXXX")
	}
}

// Readers racing with commits never see a key go back to an older value: a
// value read from the store just before a commit must not be cached over
// the commit's newer one.
func TestStateCacheConcurrentReadersSeeMonotonicValues(t *testing.T) {
	db := kv.NewMemory()
	defer db.Close()
	c := newStateCache(16) // smaller than the key set: readers keep missing and refilling
	r := cachedStateReader{prefixReader{db, prefixState}, c}
	const keys, rounds = 64, 2000
	enc := func(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := make([]uint64, keys)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := (i + w) % keys
				v, err := r.Get(cacheKey(k))
				if errors.Is(err, kv.ErrNotFound) {
					continue
				}
				if err != nil {
					errs <- err
					return
				}
				got := binary.BigEndian.Uint64(v)
				if got < last[k] {
					errs <- fmt.Errorf("key %d went back from %d to %d", k, last[k], got)
					return
				}
				last[k] = got
			}
		}()
	}
	for round := uint64(1); round <= rounds; round++ {
		ws := make([]state.Write, 4)
		for i := range ws {
			ws[i] = state.Write{Key: cacheKey((int(round)*4 + i) % keys), Value: enc(round)}
		}
		commitWrites(t, db, c, ws)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	raw := prefixReader{db, prefixState}
	for k := range keys {
		want, _ := raw.Get(cacheKey(k))
		if v, err := r.Get(cacheKey(k)); err != nil || string(v) != string(want) {
			t.Fatalf("key %d after the last commit: %x, %v; store has %x", k, v, err, want)
		}
	}
}
