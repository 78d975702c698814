package sigcache

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// signed returns n transactions signed by key, each re-decoded from its
// bytes so it carries no cached sender, as if it had arrived from a peer.
func signed(t testing.TB, key *ecdsa.PrivateKey, n int) []*types.Tx {
	t.Helper()
	out := make([]*types.Tx, n)
	for i := range out {
		tx, err := types.SignTx(&types.Tx{ChainID: "c", Nonce: uint64(i), Type: 1, Payload: []byte("pay"), Fee: 10}, key)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = fresh(t, tx)
	}
	return out
}

// fresh decodes a new copy of tx with no cached sender.
func fresh(t testing.TB, tx *types.Tx) *types.Tx {
	t.Helper()
	dec, err := types.DecodeTx(tx.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return dec
}

// badSig returns a decodable transaction whose signature does not recover.
func badSig(t testing.TB) *types.Tx {
	t.Helper()
	tx := &types.Tx{ChainID: "c", Nonce: 1, Type: 1, Fee: 10, Sig: make([]byte, types.SignatureLength)}
	return fresh(t, tx)
}

func TestSenderMissThenHit(t *testing.T) {
	key, _ := crypto.GenerateKey()
	want := types.PubkeyAddress(key)
	tx := signed(t, key, 1)[0]
	c := New(100)

	got, err := c.Sender(tx)
	if err != nil || got != want {
		t.Fatalf("first Sender = %s, %v; want %s", got.Hex(), err, want.Hex())
	}
	if c.Len() != 1 {
		t.Fatalf("Len = %d after one recovery, want 1", c.Len())
	}
	again := fresh(t, tx)
	got, err = c.Sender(again)
	if err != nil || got != want {
		t.Fatalf("second Sender = %s, %v", got.Hex(), err)
	}
	if from, err := again.Sender(); err != nil || from != want {
		t.Fatalf("hit did not record the sender on the tx: %s, %v", from.Hex(), err)
	}
	if hits, misses := c.Stats(); hits != 1 || misses != 1 {
		t.Fatalf("stats = %d hits, %d misses; want 1, 1", hits, misses)
	}
}

func TestHitDoesNotRecover(t *testing.T) {
	key, _ := crypto.GenerateKey()
	tx := signed(t, key, 1)[0]
	c := New(100)
	planted := types.Address{0xAA}
	c.add(tx.Hash(), planted)
	// Whatever the cache says is trusted: the proof that a hit skips recovery.
	if got, err := c.Sender(tx); err != nil || got != planted {
		t.Fatalf("Sender = %s, %v; want the cached %s", got.Hex(), err, planted.Hex())
	}
}

func TestBadSignatureIsNotCached(t *testing.T) {
	c := New(100)
	tx := badSig(t)
	if _, err := c.Sender(tx); !errors.Is(err, types.ErrBadSignature) {
		t.Fatalf("err = %v, want ErrBadSignature", err)
	}
	if c.Len() != 0 {
		t.Fatalf("Len = %d, bad signature was cached", c.Len())
	}
	if _, ok := c.Lookup(tx.Hash()); ok {
		t.Fatal("Lookup finds a bad signature")
	}
}

func TestCapacityIsExact(t *testing.T) {
	for _, capacity := range []int{1, 63, 64, 100, 1000, 4097, 1 << 16} {
		if got := New(capacity).Capacity(); got != capacity {
			t.Errorf("New(%d).Capacity() = %d", capacity, got)
		}
	}
	if got := New(0).Capacity(); got != DefaultCapacity {
		t.Errorf("New(0).Capacity() = %d, want %d", got, DefaultCapacity)
	}
}

func TestEvictsOldestFirst(t *testing.T) {
	const capacity = 64 // one shard, so FIFO order is global
	c := New(capacity)
	if len(c.shards) != 1 {
		t.Fatalf("%d shards, test expects 1", len(c.shards))
	}
	hashes := make([]types.Hash, 100)
	for i := range hashes {
		hashes[i] = types.Keccak([]byte(fmt.Sprint(i)))
		c.add(hashes[i], types.Address{byte(i)})
		c.add(hashes[i], types.Address{byte(i)}) // re-adding must not take a second slot
	}
	if c.Len() != capacity {
		t.Fatalf("Len = %d, want %d", c.Len(), capacity)
	}
	for i, h := range hashes {
		a, ok := c.Lookup(h)
		if wantIn := i >= len(hashes)-capacity; ok != wantIn {
			t.Fatalf("entry %d present = %v, want %v", i, ok, wantIn)
		}
		if ok && a != (types.Address{byte(i)}) {
			t.Fatalf("entry %d maps to %s", i, a.Hex())
		}
	}
}

func TestShardedCacheStaysBounded(t *testing.T) {
	c := New(1000)
	for i := 0; i < 10_000; i++ {
		c.add(types.Keccak([]byte(fmt.Sprint(i))), types.Address{})
	}
	if c.Len() != 1000 {
		t.Fatalf("Len = %d, want 1000", c.Len())
	}
}

func TestRecoverAll(t *testing.T) {
	key, _ := crypto.GenerateKey()
	want := types.PubkeyAddress(key)
	for _, workers := range []int{-1, 0, 1, 3, 64} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			txs := signed(t, key, 20)
			txs[7] = badSig(t)
			txs[13] = badSig(t)
			txs[15] = fresh(t, txs[3]) // a duplicate inside the batch
			c := New(100)
			errs := c.RecoverAll(txs, workers)
			if len(errs) != len(txs) {
				t.Fatalf("%d errors for %d txs", len(errs), len(txs))
			}
			for i, err := range errs {
				if i == 7 || i == 13 {
					if !errors.Is(err, types.ErrBadSignature) {
						t.Fatalf("tx %d: err = %v, want ErrBadSignature", i, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("tx %d: %v", i, err)
				}
				if from, _ := txs[i].Sender(); from != want {
					t.Fatalf("tx %d: sender %s", i, from.Hex())
				}
			}
			if c.Len() != 17 {
				t.Fatalf("Len = %d, want 17 distinct good txs", c.Len())
			}
		})
	}
	if errs := New(10).RecoverAll(nil, 0); len(errs) != 0 {
		t.Fatal("errors for an empty block")
	}
}

func TestNilCacheRecoversWithoutCaching(t *testing.T) {
	var c *Cache
	key, _ := crypto.GenerateKey()
	txs := signed(t, key, 3)
	if got, err := c.Sender(txs[0]); err != nil || got != types.PubkeyAddress(key) {
		t.Fatalf("nil cache Sender = %s, %v", got.Hex(), err)
	}
	for i, err := range c.RecoverAll(txs, 2) {
		if err != nil {
			t.Fatalf("tx %d: %v", i, err)
		}
	}
	if c.Len() != 0 || c.Capacity() != 0 {
		t.Fatal("nil cache reports entries")
	}
}

// TestConcurrentUse hammers a small cache from many goroutines with
// overlapping transactions; run with -race.
func TestConcurrentUse(t *testing.T) {
	keys := make([]*ecdsa.PrivateKey, 4)
	var pool []*types.Tx
	for i := range keys {
		keys[i], _ = crypto.GenerateKey()
		pool = append(pool, signed(t, keys[i], 25)...)
	}
	owner := func(i int) types.Address { return types.PubkeyAddress(keys[i/25]) }
	c := New(64) // smaller than the working set, so eviction races with hits
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for round := 0; round < 3; round++ {
				for j := range pool {
					i := (j*7 + g*13) % len(pool)
					tx := fresh(t, pool[i])
					got, err := c.Sender(tx)
					if err != nil || got != owner(i) {
						t.Errorf("tx %d: %s, %v", i, got.Hex(), err)
						return
					}
				}
				c.RecoverAll([]*types.Tx{fresh(t, pool[round]), fresh(t, pool[round+50])}, 2)
				_ = c.Len()
			}
		})
	}
	wg.Wait()
	if c.Len() > 64 {
		t.Fatalf("Len = %d exceeds capacity", c.Len())
	}
}

func TestHitDoesNotAllocate(t *testing.T) {
	key, _ := crypto.GenerateKey()
	tx := signed(t, key, 1)[0]
	c := New(100)
	if _, err := c.Sender(tx); err != nil {
		t.Fatal(err)
	}
	again := fresh(t, tx)
	again.Hash() // the hash is cached on the tx by the decoder's caller in practice
	if n := testing.AllocsPerRun(100, func() { _, _ = c.Sender(again) }); n != 0 {
		t.Fatalf("%v allocations per hit", n)
	}
}

// Recover answers as types.RecoverAddress does, caches only successes, and
// its entries never answer a transaction lookup (the consensus votes and
// the transactions of a node share one cache).
func TestRecoverVotes(t *testing.T) {
	key, _ := crypto.GenerateKey()
	want := types.PubkeyAddress(key)
	digest := types.Keccak([]byte("prepare"))
	sig, err := types.SignDigest(digest, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		cache *Cache
		len   int // entries after the calls
	}{
		{"cache", New(100), 1},
		{"nil cache", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i < 2; i++ {
				got, err := tc.cache.Recover(digest, sig)
				if err != nil || got != want {
					t.Fatalf("Recover #%d = %s, %v; want %s", i, got.Hex(), err, want.Hex())
				}
			}
			bad := make([]byte, types.SignatureLength)
			for i := 0; i < 2; i++ {
				if _, err := tc.cache.Recover(digest, bad); err == nil {
					t.Fatal("zero signature recovered")
				}
			}
			if tc.cache.Len() != tc.len {
				t.Fatalf("Len = %d, want %d", tc.cache.Len(), tc.len)
			}
			if h, m := tc.cache.Stats(); h != 0 || m != 0 {
				t.Fatalf("vote lookups counted as transaction lookups: %d hits, %d misses", h, m)
			}
			for _, k := range []types.Hash{digest, types.Keccak(digest[:], sig)} {
				if _, ok := tc.cache.Lookup(k); ok {
					t.Fatalf("a vote entry answers transaction hash %s", k.Hex())
				}
			}
		})
	}
}
